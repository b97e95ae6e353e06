"""`reviewer batch`: the import pipeline on a local Ray with two workers gives what `reviewer
import` gives, and sends nothing anywhere; a worker killed mid-call costs nothing (the call is sent
again and stored once); Ctrl-C keeps what was stored and leaves no Ray behind; without Ray
installed, one line says how to install it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from callgen import write_wav
from library_db import integrity, is_postgres, query
from strace_log import SWITCHES, TRACED, Trace
from test_cli import reviewer

from reviewer.batch import CallWorker

HERE = Path(__file__).resolve().parent
LOOPBACK = re.compile(r'inet_addr\("127\.|"::1"|"::ffff:127\.')


@pytest.fixture(scope="module")
def folder(tmp_path_factory, short_call):
    """A handful of short calls: two stereo (the agent on the left, then on the right), a mono
    mix (diarization), the same audio twice, and a file that is not audio."""
    calls = tmp_path_factory.mktemp("batch") / "calls"
    (calls / "week 2").mkdir(parents=True)
    audio = short_call[0].audio
    shutil.copy(short_call[1], calls / "short.wav")
    shutil.copy(short_call[1], calls / "week 2" / "short again.wav")
    write_wav(calls / "week 2" / "swapped.wav", audio[::-1])
    write_wav(calls / "mono.wav", audio.mean(axis=0, keepdims=True))
    (calls / "notes.mp3").write_text("not audio")
    return calls


@pytest.fixture()
def short_dir():
    """A folder with a short path: Ray's Unix sockets live under Reviewer's cache folder, and a
    socket's path holds at most 107 bytes (pytest's own temporary folders are too long)."""
    path = Path(tempfile.mkdtemp(prefix="rb-", dir="/tmp" if os.path.isdir("/tmp") else None))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def stored(library_path: Path | str) -> dict[str, dict]:
    """What matters of each stored call, by file name."""
    from reviewer.document import stored_document
    from reviewer.library import open_library

    out = {}
    with open_library(library_path) as lib:
        rows = lib.db.execute("SELECT id, name, content_hash FROM calls").fetchall()
        for call_id, name, digest in rows:
            doc = stored_document(lib, call_id)
            out[name] = {
                "hash": digest,
                "duration": round(doc["duration"], 1),
                "split": doc["speaker_split"],
                "speakers": sorted((s["id"], s["role"], s.get("channel")) for s in doc["speakers"]),
                "talk share": doc["agent_talk_share"],
                "refusals": doc["metrics"]["refusal_count"],
            }
    return out


@pytest.mark.slow  # a minute or more: `make test-slow` and CI run it
def test_batch_on_two_local_workers_stores_what_import_stores_and_stays_private(
    folder, tmp_path, short_dir, monkeypatch, library_location
):
    """The batch runs as a new user would start it (see test_privacy): a fresh home, none of the
    switches set, strace watching every process Ray starts. Ray's processes talk to each other
    over the loopback address and Unix sockets; nothing else may be contacted and nothing
    written outside Reviewer's folders."""
    imported, batched = library_location("import"), library_location("batched/batch")
    by_import = reviewer("import", folder, "-q", library=imported, check=False)
    assert by_import.returncode == 1, by_import.stderr  # notes.mp3 fails in both

    home, tmp, work = short_dir, tmp_path / "tmp", tmp_path / "work"
    for d in (tmp, work):
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in SWITCHES}
    env.update(HOME=str(home), TMPDIR=str(tmp))
    argv = [sys.executable, "-m", "reviewer", "--library", str(batched), "batch", str(folder)]
    log = tmp_path / "batch.strace"
    proc = subprocess.run(
        ["strace", "-f", "-qq", "-s", "4096", "-e", f"trace={TRACED}", "-o", str(log), *argv]
        + ["--cluster", "local", "--workers", "2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert lines[-1] == "3 imported, 1 already there, 1 failed", proc.stderr[-3000:]
    assert sorted(line.split("]")[0] for line in lines[:-1]) == [f"[{i}/5" for i in range(1, 6)]
    assert any("notes.mp3: FAILED: " in line for line in lines)
    assert any("short again.wav: skipped: already in the library as call #" in line for line in lines)

    trace = Trace(log, work)
    assert trace.written, "strace saw nothing written: the trace is not being read"
    assert [line for line in trace.internet if not LOOPBACK.search(line)] == []
    reviewers = [home / ".local/share/reviewer", home / ".config/reviewer", home / ".cache/reviewer"]
    library_folder = [] if is_postgres(batched) else [batched.parent]  # a PostgreSQL library writes no file
    assert trace.outside([*reviewers, Path(os.environ["REVIEWER_MODELS_DIR"]), *library_folder, tmp]) == []
    assert sorted(tmp.iterdir()) == [] and sorted(work.iterdir()) == []
    ray_files = home / ".cache/reviewer/ray"  # Ray makes its own folders writable by all: not this
    assert (ray_files / "s").is_dir() and ray_files.stat().st_mode & 0o077 == 0

    a, b = stored(imported), stored(batched)
    assert sorted(a) == sorted(b) == ["mono.wav", "short.wav", "swapped.wav"]
    for name in a:
        x, y = dict(a[name]), dict(b[name])
        assert y.pop("talk share") == pytest.approx(x.pop("talk share"), abs=0.03), name
        assert x == y, name

    # Re-running is a no-op, decided before any Ray starts.
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(short_dir / "cache"))
    again = reviewer("batch", folder, "--cluster", "local", library=batched, check=False)
    assert again.stderr.strip().splitlines()[-1] == "0 imported, 4 already there, 1 failed"


class KilledMidCall(CallWorker):
    """The first worker to take a call marks it and is killed with ``ray.kill`` while the call
    is under way; the worker that takes the call again finds the mark and goes on."""

    def process(self, path, digest, audio=None):
        import ray

        mark = Path(os.environ["BATCH_TEST_MARKS"]) / digest
        if not mark.exists():
            mark.write_text(str(os.getpid()))
            ray.kill(ray.get_runtime_context().current_actor)
            time.sleep(120)
        return super().process(path, digest, audio)


@pytest.mark.slow  # a local Ray cluster, half a minute or more: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_a_worker_killed_mid_call_is_replaced_and_the_call_stored_once(
    folder, tmp_path, short_dir, monkeypatch, library_location
):
    from reviewer.batch import Cluster, run_batch
    from reviewer.library import open_library
    from reviewer.pipeline import PipelineOptions

    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("BATCH_TEST_MARKS", str(marks))
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(short_dir))
    # The actors import this module: Ray's processes inherit the environment.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    files = [folder / "short.wav", folder / "week 2" / "swapped.wav"]
    outcomes = []
    with open_library(library_location()) as library:
        run_batch(
            files,
            library,
            PipelineOptions(),
            cluster=Cluster("local"),
            workers=2,
            num_cpus=2,
            worker=KilledMidCall,
            on_outcome=lambda i, o: outcomes.append((i, o.status)),
        )
        stored_hashes = [r[0] for r in library.db.execute("SELECT content_hash FROM calls")]
    killed = sorted(p.name for p in marks.iterdir())
    assert len(killed) == 2  # both workers were killed mid-call, each call taken again
    assert sorted(outcomes) == [(0, "imported"), (1, "imported")]
    assert sorted(stored_hashes) == killed  # each stored once


@pytest.mark.slow  # a local Ray cluster, half a minute or more: `make test-slow` and CI run it
@pytest.mark.xfail(
    strict=False,
    reason="known, not yet mended: in two fresh-clone CI runs on 2026-12-08 the batch answered no"
    " SIGINT sent while Ray waited on the second call, stored all three and exited 0; it passes"
    " in most runs (a lost Ctrl-C while Ray waits, to look into)",
)
def test_ctrl_c_stops_the_workers_and_keeps_what_was_stored(folder, tmp_path, short_dir, library_location):
    """Ctrl-C after the first call is stored: that call is kept, the one under way is not, the
    library is whole, and no Ray process is left behind."""
    library = library_location()
    env = {**os.environ, "REVIEWER_CACHE_DIR": str(short_dir)}
    argv = [sys.executable, "-m", "reviewer", "--library", str(library), "batch", "--workers", "1"]
    files = [str(folder / "short.wav"), str(folder / "week 2" / "swapped.wav"), str(folder / "mono.wav")]
    proc = subprocess.Popen(
        [*argv, "--cluster", "local", *files], stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if ": imported: " in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == 130, "".join(lines) + rest
    assert "interrupted; calls already stored are safe" in rest
    assert integrity(library) == "ok"
    assert query(library, "SELECT count(*) FROM calls") == [(1,)]
    deadline = time.monotonic() + 15  # Ray's processes are stopped by then
    while (
        left := subprocess.run(["pgrep", "-af", str(short_dir)], capture_output=True, text=True).stdout
    ) and (time.monotonic() < deadline):
        time.sleep(0.5)
    assert left == "", left


def test_without_ray_one_line_says_how_to_install_it(folder, monkeypatch, capsys):
    from reviewer import cli

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails, as where it is not installed
    assert cli.main(["batch", str(folder)]) == cli.EXIT_FAILED
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["reviewer: batch needs Ray, which is not installed here: pip install 'reviewer[cluster]'"]
