"""Reading an ``strace -f`` log: connections to the internet, and every path a run created or wrote.

Standard library only: ``tests/test_privacy.py`` uses it on the development install, and
``packaging/smoke_test.py`` on the bundle, which runs where no test dependencies are installed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

TRACED = ",".join(
    ["connect", "sendto", "sendmsg", "open", "openat", "creat", "mkdir", "mkdirat"]
    + ["rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat"]
)
_CALL = re.compile(r"^\d+\s+(?:<\.\.\. )?(\w+)\((.*)\)\s+=\s+(-?\d+)")
_INET = re.compile(r"sa_family=AF_INET6?\b")
_RESOLVERS = ("/run/nscd/", "/var/run/nscd/", "/run/systemd/resolve/", "/run/dbus/system_bus_socket")
_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC")
_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')
# Scrubbed from the environment: a user's plain shell sets none of them, so Reviewer must.
SWITCHES = (
    "CI",
    "HF_HUB_OFFLINE",
    "HF_HUB_DISABLE_TELEMETRY",
    "HF_HOME",
    "TRANSFORMERS_OFFLINE",
    "PYANNOTE_METRICS_ENABLED",
    "ORT_DISABLE_TELEMETRY",
    "ORT_TELEMETRY_DISABLED",
    "MPLCONFIGDIR",
    "DO_NOT_TRACK",
    "TORCH_HOME",
    "TORCHINDUCTOR_CACHE_DIR",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_RUNTIME_DIR",  # as a service or container starts it: no desktop session
    "PULSE_RUNTIME_PATH",
    "PULSE_CONFIG_PATH",
    "REVIEWER_DATA_DIR",
    "REVIEWER_CONFIG_DIR",
    "REVIEWER_CACHE_DIR",
)


class Trace:
    """What a traced run did: internet traffic, and the paths it created or wrote."""

    def __init__(self, log: Path, cwd: Path) -> None:
        self.internet: list[str] = []
        self.written: list[tuple[str, str]] = []  # (syscall, absolute path)
        for line in log.read_text(errors="replace").splitlines():
            m = _CALL.match(line)
            if not m or m.group(3) == "-1":
                continue
            call, args = m.group(1), m.group(2)
            if call in ("connect", "sendto", "sendmsg"):
                if _INET.search(args) or any(r in args for r in _RESOLVERS):
                    self.internet.append(line)
                continue
            paths = _PATH.findall(args)
            if not paths:
                continue
            if call in ("open", "openat") and not any(f in args for f in _WRITE_FLAGS):
                continue
            target = paths[-1]  # rename's and link's new name, open's and mkdir's only path
            self.written.append((call, os.path.normpath(cwd / target)))

    def outside(self, allowed: list[Path]) -> list[str]:
        roots = [str(p) for p in allowed]

        def inside(path: str) -> bool:
            return any(path == r or path.startswith(r + os.sep) for r in roots)

        def parent_of_allowed(path: str) -> bool:
            return any(r.startswith(path + os.sep) for r in roots)

        bad = []
        for call, path in self.written:
            if inside(path) or path.startswith(("/dev/", "/proc/")) or path == "/dev/null":
                continue
            if call in ("mkdir", "mkdirat") and parent_of_allowed(path):
                continue  # the folders that hold Reviewer's own, e.g. ~/.local/share
            bad.append(f"{call} {path}")
        return sorted(set(bad))
