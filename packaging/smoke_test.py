"""Smoke test of the bundle as a coach would get it: unpack the archive, run ``reviewer`` with a new
home folder, ``PATH=/usr/bin:/bin`` and nothing else in the environment (no Python of ours, no
virtual environment, no ``CI`` variable: onnxruntime skips its telemetry when one is set).

    python3 packaging/smoke_test.py dist/Reviewer-0.1.0-linux-x86_64.tar.gz MONO.wav

1. ``reviewer --version`` and ``reviewer paths`` (every folder inside the new home);
2. ``reviewer analyze`` on the bundled stereo sample: ``speaker_split == "channels"``;
3. ``reviewer analyze`` on a mono mix of it (MONO.wav, made by packaging/mono_mix.py):
   ``"diarization"`` with two speakers, run under ``strace -f``;
4. the app with no arguments, offscreen, under ``strace -f``: on first start it imports the
   bundled sample in its child process; after at least 20 s and once the call is in the library,
   SIGTERM, and the app must exit with code 0;
5. both traces: no connection or datagram to an internet address (DNS included), nothing written
   outside Reviewer's folders and the temporary folder, and the temporary folder left empty
   (tests/strace_log.py, as tests/test_privacy.py reads them).

Standard library only. Exits non-zero on the first failure; prints each step's time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from strace_log import TRACED, Trace  # noqa: E402

APP_MIN_SECONDS = 20
APP_MAX_SECONDS = 300


class Failed(Exception):
    pass


PASSED: list[str] = []
STEPS = ("version", "paths", "postgres_client", "stereo", "mono", "app")


def step(name: str):
    def wrap(func):
        def run(*args, **kwargs):
            start = time.monotonic()
            print(f"smoke: {name} ...", flush=True)
            result = func(*args, **kwargs)
            print(f"smoke: {name}: ok ({time.monotonic() - start:.1f} s)", flush=True)
            PASSED.append(name)
            return result

        return run

    return wrap


class Bundle:
    def __init__(self, archive: Path, root: Path) -> None:
        self.root = root
        self.home, self.tmp, self.work = root / "home", root / "tmp", root / "work"
        for d in (self.home, self.tmp, self.work):
            d.mkdir()
        (root / "app").mkdir()
        subprocess.run(["tar", "-xf", str(archive), "-C", str(root / "app")], check=True)
        (folder,) = (root / "app").iterdir()
        self.exe = folder / "reviewer"
        if not os.access(self.exe, os.X_OK):
            raise Failed(f"{self.exe} is not an executable")
        # What a user's plain session has; nothing of the build, of Python or of CI.
        self.env = {
            "HOME": str(self.home),
            "PATH": "/usr/bin:/bin",
            "TMPDIR": str(self.tmp),
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen",
        }
        self.folders = {
            "data": self.home / ".local/share/reviewer",
            "config": self.home / ".config/reviewer",
            "cache": self.home / ".cache/reviewer",
        }

    def run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [str(self.exe), *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.work,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise Failed(f"reviewer {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
        return proc

    def strace(self, log: Path, *args: str) -> list[str]:
        return ["strace", "-f", "-qq", "-s", "4096", "-e", f"trace={TRACED}", "-o", str(log), str(self.exe)]

    def check_trace(self, log: Path, what: str) -> Trace:
        trace = Trace(log, self.work)
        if not trace.written:
            raise Failed(f"{what}: strace saw nothing written; the trace is not being read")
        if trace.internet:
            raise Failed(f"{what}: network use:\n" + "\n".join(trace.internet[:10]))
        outside = trace.outside([*self.folders.values(), self.tmp])
        if outside:
            raise Failed(f"{what}: wrote outside Reviewer's folders:\n" + "\n".join(outside[:20]))
        left = sorted(p.name for p in self.tmp.iterdir())
        if left:
            raise Failed(f"{what}: left files in the temporary folder: {left}")
        if sorted(p.name for p in self.work.iterdir()):
            raise Failed(f"{what}: wrote into the folder it ran from")
        return trace


@step("reviewer --version")
def version(b: Bundle) -> None:
    out = b.run("--version", timeout=60).stdout.strip()
    if not out.startswith("reviewer "):
        raise Failed(f"--version said {out!r}")
    print(f"smoke:   {out}")


@step("reviewer paths")
def paths(b: Bundle) -> None:
    out = b.run("paths", timeout=60).stdout
    for folder in b.folders.values():
        if str(folder) not in out:
            raise Failed(f"reviewer paths does not name {folder}:\n{out}")


def analysis(b: Bundle, audio: Path, *, strace_log: Path | None = None) -> dict:
    args = ["analyze", str(audio), "--json", "-q"]
    if strace_log is None:
        proc = b.run(*args)
    else:
        cmd = b.strace(strace_log) + args
        proc = subprocess.run(cmd, capture_output=True, text=True, env=b.env, cwd=b.work, timeout=1200)
        if proc.returncode != 0:
            raise Failed(f"traced reviewer analyze exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


@step("reviewer analyze on the stereo sample")
def stereo(b: Bundle, sample: Path) -> None:
    doc = analysis(b, sample)
    if doc["speaker_split"] != "channels" or len(doc["speakers"]) != 2 or not doc["turns"]:
        raise Failed(f"stereo sample: {doc['speaker_split']}, {len(doc['speakers'])} speakers")
    print(f"smoke:   channels, {len(doc['turns'])} turns, agent talk share {doc['agent_talk_share']}")
    log = b.folders["data"] / "reviewer.log"
    said = log.read_text(errors="replace") if log.is_file() else ""
    if "Sentence embeddings are off" in said:  # the request and kind models fell back to text only
        raise Failed("the bundle's sentence encoder did not load:\n" + said[-2000:])


@step("reviewer analyze on a mono mix, under strace")
def mono(b: Bundle, audio: Path) -> None:
    log = b.root / "analyze.strace"
    doc = analysis(b, audio, strace_log=log)
    if doc["speaker_split"] != "diarization" or len(doc["speakers"]) != 2:
        raise Failed(f"mono mix: {doc['speaker_split']}, {len(doc['speakers'])} speakers")
    print(f"smoke:   diarization, {len(doc['turns'])} turns, agent talk share {doc['agent_talk_share']}")
    b.check_trace(log, "reviewer analyze")


def calls_in_library(library: Path) -> int:
    if not library.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{library}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM calls").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet, or mid-migration


def tracee(strace_pid: int) -> int | None:
    try:
        children = Path(f"/proc/{strace_pid}/task/{strace_pid}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


@step("the app offscreen, first start, under strace; SIGTERM")
def app(b: Bundle) -> None:
    log = b.root / "app.strace"
    out = (b.root / "app.out").open("w")
    proc = subprocess.Popen(b.strace(log), stdout=out, stderr=subprocess.STDOUT, env=b.env, cwd=b.work)
    start = time.monotonic()
    library = b.folders["data"] / "library.sqlite"
    imported = False
    while time.monotonic() - start < APP_MAX_SECONDS:
        time.sleep(2)
        if proc.poll() is not None:
            raise Failed(f"the app ended by itself ({proc.returncode}):\n{_tail(b.root / 'app.out')}")
        imported = imported or calls_in_library(library) > 0
        if imported and time.monotonic() - start >= APP_MIN_SECONDS:
            break
    if not imported:
        proc.kill()
        raise Failed(f"the sample was not imported in {APP_MAX_SECONDS} s:\n{_tail(b.root / 'app.out')}")
    time.sleep(3)  # the review opens once the import reports its outcome
    pid = tracee(proc.pid)
    if pid is None:
        raise Failed("cannot find the app's process under strace")
    os.kill(pid, signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise Failed("the app did not quit within 30 s of SIGTERM") from None
    if code != 0:
        raise Failed(f"the app exited {code} on SIGTERM:\n{_tail(b.root / 'app.out')}")
    print(f"smoke:   ran {time.monotonic() - start:.0f} s, sample imported, exit code 0 on SIGTERM")
    trace = b.check_trace(log, "the app")
    if not any(path.startswith(str(b.folders["config"])) for _, path in trace.written):
        raise Failed("the app wrote no ui.ini in its config folder: did the window open?")


def everything_in_reviewers_folders(b: Bundle) -> None:
    for path in b.home.rglob("*"):
        if path.is_file() and not any(folder in path.parents for folder in b.folders.values()):
            raise Failed(f"{path} lies outside Reviewer's folders")


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:]


@step("a shared library address (PostgreSQL client inside)")
def postgres_client(b: Bundle) -> None:
    """The bundle carries psycopg's own libpq: an address of a server that is not there gets
    libpq's answer in one line (no server is needed, and none is reached)."""
    proc = subprocess.run(
        [str(b.exe), "--library", "postgresql://coach@/qa?host=/nonexistent-socket-dir", "calls"],
        capture_output=True,
        text=True,
        env=b.env,
        cwd=b.work,
        timeout=120,
    )
    said = proc.stderr.strip()
    if proc.returncode != 1 or "Cannot open the library" not in said or "Traceback" in said:
        raise Failed(f"a PostgreSQL address gave exit {proc.returncode}:\n{said[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("mono", type=Path, help="a mono mix of the sample (packaging/mono_mix.py)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not shutil.which("strace"):
        print("smoke: strace is needed (apt-get install strace)", file=sys.stderr)
        return 2
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="reviewer-smoke-"))
    try:
        b = Bundle(args.archive.resolve(), root)
        sample = next((b.exe.parent / "_internal" / "reviewer" / "_resources" / "sample").glob("*.mp3"))
        version(b)
        paths(b)
        postgres_client(b)
        stereo(b, sample)
        mono(b, args.mono.resolve())
        app(b)
        everything_in_reviewers_folders(b)
    except Failed as e:
        print(f"smoke: FAILED: {e}", file=sys.stderr)
        print(f"smoke: {len(PASSED)} passed, 1 failed")
        print(f"smoke: files kept in {root}", file=sys.stderr)
        return 1
    if args.keep:
        print(f"smoke: files kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    print(f"smoke: the bundle passed in {time.monotonic() - started:.0f} s")
    print(f"smoke: {len(STEPS)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
