"""A throwaway PostgreSQL server for the tests: a new cluster in a temporary folder, reached only
through a Unix socket in that folder (no TCP), with fsync off. It holds a role ``reviewer`` (not a
superuser) and a database owned by it; the base URL connects as that role.

As root the server runs as the ``postgres`` user through ``runuser`` (pg_ctl refuses root); as
anyone else it runs as that user. The server's programs come from the installed PostgreSQL
(Debian: ``apt-get install postgresql``, in /usr/lib/postgresql/VERSION/bin, not on the PATH).

The test session starts one itself when a test needs it (tests/conftest.py). By hand, or from a
CI script::

    python tests/pg_server.py start /tmp/pg   # prints the base URL
    python tests/pg_server.py stop /tmp/pg

Standard library only (it runs psql for the setup)."""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

ROLE = "reviewer"
DATABASE = "reviewer_tests"
SERVER_USER = "postgres"  # who runs the server when we are root
SOCKET_NAME = ".s.PGSQL.5432"
SOCKET_PATH_MAX = 107  # bytes in a Unix socket's path (sun_path, with its terminating NUL)
SETTINGS = {
    "listen_addresses": "''",  # the Unix socket only
    "fsync": "off",  # a throwaway cluster: speed over durability
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # every open library is a connection, the app's and its children's
}


class ServerUnavailable(Exception):
    """No PostgreSQL server can be started here; the message says why and what to install."""


def find_bindir() -> Path:
    """The folder with initdb, pg_ctl and psql: pg_config's, else Debian's newest
    /usr/lib/postgresql/*/bin, else the PATH's."""
    candidates = []
    if pg_config := shutil.which("pg_config"):
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30)
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", p.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "psql")):
            return folder
    raise ServerUnavailable(
        "PostgreSQL's server programs (initdb, pg_ctl) are not installed: apt-get install postgresql"
    )


def with_options(url: str, option: str) -> str:
    """``url`` with a libpq command-line option (``-cNAME=VALUE``) added to its ``options``,
    percent-encoded (``-csearch_path%3Dt_1``)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = [v for k, v in query if k == "options"]
    query = [(k, v) for k, v in query if k != "options"]
    query.append(("options", " ".join([*options, option])))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote, safe="/")))


def with_search_path(url: str, schema: str) -> str:
    """The URL of a library in ``schema`` of the database ``url`` names."""
    return with_options(url, f"-csearch_path={schema}")


@dataclass
class Server:
    folder: Path  # the cluster (data/), its log and its socket
    bindir: Path
    url: str  # the base URL: the role `reviewer` in its database, through the socket
    started_in: float  # seconds initdb, the start and the setup took

    def stop(self) -> None:
        """Stops the server (fast: open connections are closed) and removes its folder."""
        stop(self.folder, self.bindir)


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], folder: Path, what: str) -> None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=folder, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        raise ServerUnavailable(f"{what} failed: {e}") from None
    if proc.returncode != 0:
        log = folder / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
        raise ServerUnavailable(
            f"{what} failed (exit {proc.returncode}): {proc.stderr.strip()}\n{tail}".strip()
        )


def start(folder: Path | None = None) -> Server:
    """A new server in ``folder`` (made; by default a new one under /tmp, where the socket's
    path stays short), running and set up. Raises ServerUnavailable with the reason."""
    began = time.monotonic()
    bindir = find_bindir()
    owner = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise ServerUnavailable("running as root without runuser to start the server as another user")
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise ServerUnavailable(
                f"running as root, and there is no '{SERVER_USER}' user to run the server as "
                "(pg_ctl refuses root; apt-get install postgresql makes one)"
            ) from None
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="reviewer-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
    else:
        folder = Path(folder).absolute()
        folder.mkdir(mode=0o700, parents=True)
    try:
        if len(os.fsencode(folder / SOCKET_NAME)) >= SOCKET_PATH_MAX:
            raise ServerUnavailable(f"{folder} is too long a path for the server's Unix socket")
        folder.chmod(0o700)  # trust authentication: only its owner (and root) may reach the socket
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        data = folder / "data"
        _run(
            _as_server_user(
                [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
                + ["--locale=C.UTF-8", "--no-sync", "--no-instructions"]
            ),
            folder,
            "initdb",
        )
        settings = {**SETTINGS, "unix_socket_directories": "'" + str(folder).replace("'", "''") + "'"}
        with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# tests/pg_server.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
        _run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"])
            + ["-t", "60", "start"],
            folder,
            "pg_ctl start",
        )
        try:
            _run(
                [str(bindir / "psql"), "-h", str(folder), "-U", "postgres", "-d", "postgres", "-X", "-q"]
                + ["-v", "ON_ERROR_STOP=1", "-c", f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER"]
                + ["-c", f"CREATE DATABASE {DATABASE} OWNER {ROLE}"],
                folder,
                "setting up the role and the database",
            )
        except BaseException:
            stop(folder, bindir)
            raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    url = f"postgresql://{ROLE}@/{DATABASE}?host={quote(str(folder), safe='/')}"
    return Server(folder, bindir, url, time.monotonic() - began)


def stop(folder: Path, bindir: Path | None = None) -> None:
    """Stops the server in ``folder`` if it runs, and removes the folder."""
    folder = Path(folder)
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        bindir = bindir or find_bindir()
        subprocess.run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"]
            ),
            capture_output=True,
            cwd=folder,
            timeout=120,
        )
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("folder", type=Path, help="the server's folder (made by start, removed by stop)")
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop(args.folder)
        return 0
    try:
        server = start(args.folder)
    except ServerUnavailable as e:
        print(f"pg_server: {e}", file=sys.stderr)
        return 1
    print(server.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
