"""A library in trouble says so in one line and is left as it was: one made by a newer Reviewer, a
file this user may only read, a damaged file, a full disk, a team address with a password or a bad
port in it. Real processes, real files (issue 27)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def run(*args: str, library: Path | str, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    cmd = [*(prefix or []), sys.executable, "-m", "reviewer", "--library", str(library), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), timeout=300)


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr


@pytest.fixture()
def small_library(tmp_path, settings) -> Path:
    """A SQLite library with one call in it (made without transcribing anything)."""
    from reviewer.actions.calls import store_derived
    from reviewer.analysis import analyse_transcript
    from reviewer.library import open_library
    from reviewer.library.calls import call_record
    from reviewer.model import Speaker, Transcript, Word

    audio = tmp_path / "call.wav"
    audio.write_bytes(b"RIFF")
    words, t = [], 0.5
    for speaker, text in [("S1", "thanks for calling how can I help"), ("S2", "I want to cancel please")] * 3:
        for w in text.split():
            words.append(Word(t, t + 0.3, w, speaker, 0.95))
            t += 0.35
        t += 0.8
    speakers = [Speaker("S1", "agent", "Ryan", 0), Speaker("S2", "customer", "", 1)]
    transcript, analysis = analyse_transcript(Transcript(t + 1, 2, "channels", speakers, words, []), settings)
    path = tmp_path / "library" / "library.sqlite"
    with open_library(path) as library, library.write():
        row = call_record(
            audio, "ab" * 32, str(audio), transcript, source_channels=2, source_rate=16000, dual_mono=False
        )
        call_id = library.insert_call(row, transcript)
        store_derived(library, call_id, transcript, analysis)
    return path


def _checkpointed(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.mark.sqlite_only("a library file")
def test_a_library_from_a_newer_reviewer_is_refused_and_left_as_it_was(small_library):
    from reviewer.library.schema import SCHEMA_VERSION

    conn = sqlite3.connect(str(small_library))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    err = one_line(run("calls", library=small_library))
    assert f"made by a newer Reviewer (library version {SCHEMA_VERSION + 1}; this Reviewer knows" in err
    assert (
        sqlite3.connect(str(small_library)).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    )


def _can_drop_override(tmp_path: Path) -> bool:
    if shutil.which("setpriv") is None:
        return False
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    code = "import os, sys; sys.exit(0 if not os.access(sys.argv[1], os.W_OK) else 1)"
    done = subprocess.run([*NO_OVERRIDE, sys.executable, "-c", code, str(probe)], capture_output=True)
    return done.returncode == 0


@pytest.mark.sqlite_only("a library file")
def test_a_read_only_library_reads_without_changing_its_modes_and_refuses_writes_in_a_line(
    small_library, tmp_path
):
    if not _can_drop_override(tmp_path):
        pytest.skip("cannot run without the capability that lets root ignore file modes (setpriv)")
    _checkpointed(small_library)
    small_library.chmod(0o444)
    listed = run("calls", library=small_library, prefix=NO_OVERRIDE)
    assert listed.returncode == 0, listed.stderr
    assert "call.wav" in listed.stdout
    err = one_line(
        run("comment", "1", "--at", "1", "--text", "hi", library=small_library, prefix=NO_OVERRIDE)
    )
    assert "is read-only for you (its file's permissions): it can be read, not changed" in err
    assert (small_library.stat().st_mode & 0o777) == 0o444
    assert sorted(p.name for p in small_library.parent.iterdir()) == ["library.sqlite"]  # no -wal, -shm


@pytest.mark.sqlite_only("a library file")
def test_a_damaged_library_names_the_damage_and_the_way_to_recover(small_library):
    _checkpointed(small_library)
    data = bytearray(small_library.read_bytes())
    for offset in range(4096 * 2, len(data) - 400, 4096):
        data[offset + 50 : offset + 350] = os.urandom(300)
    small_library.write_bytes(bytes(data))
    for args in (["show", "1"], ["export", "1", "-f", "json", "-o", str(small_library.parent / "x.json")]):
        err = one_line(run(*args, library=small_library))
        assert "is damaged (" in err and "PRAGMA integrity_check" in err and ".recover" in err


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    return (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
        ).returncode
        == 0
    )


@pytest.mark.sqlite_only("a library file on a small disk")
def test_a_full_disk_refuses_a_change_in_a_line_and_keeps_the_library(small_library, tmp_path):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "2m"):
        pytest.skip("cannot mount a small tmpfs here (needs the right to mount)")
    try:
        _checkpointed(small_library)
        library = disk / "library.sqlite"
        shutil.copy(small_library, library)
        assert run("calls", library=library).returncode == 0
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(0, free - 200 * 1024))
        said = []
        for n in range(8):
            proc = run("comment", "1", "--at", str(n + 1), "--text", "x" * 60_000, library=library)
            said.append(proc)
            if proc.returncode:
                break
        err = one_line(said[-1])
        assert "The disk that holds the library" in err and "is full: nothing was changed" in err
        listed = run("comments", "1", library=library)
        kept = [line for line in listed.stdout.splitlines() if line.startswith("#")]
        assert listed.returncode == 0 and len(kept) == len(said) - 1  # every change before the full disk
        conn = sqlite3.connect(str(library))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


@pytest.mark.sqlite_only("a library file on a small disk")
@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
def test_a_disk_that_fills_during_a_batch_import_fails_a_line_per_file_and_keeps_what_was_stored(tmp_path):
    """Issue 27 (the batch case): `import b.wav c.wav d.wav` into a library on a disk with room
    for one more call: b is stored, c and d each get one line saying the disk is full, the batch
    goes on to the end and exits 1 with its summary, and the library is whole, with a and b in
    it; once there is room, c and d import as any file does."""
    from callgen import Line, render, write_wav

    disk = tmp_path / "disk"
    if not _tmpfs(disk, "20m"):
        pytest.skip("cannot mount a small tmpfs here (needs the right to mount)")
    try:
        calls = []
        for n, agent in enumerate(["Sam", "Ryan", "Ava", "Mia"]):
            lines = [
                Line("agent", f"Northwind Cable, this is {agent}, how can I help?"),
                Line("customer", "Hi, I would like to cancel my internet plan please."),
                Line("agent", "I can help with that today."),
            ]
            calls.append(write_wav(tmp_path / f"{'abcd'[n]}.wav", render(lines, seed=n).audio))
        library = disk / "library.sqlite"
        assert run("calls", library=library).returncode == 0  # an empty library on the small disk
        app = sqlite3.connect(str(library))  # open elsewhere, as the app may be: the -wal file stays
        assert app.execute("SELECT count(*) FROM calls").fetchone() == (0,)
        first = run("import", str(calls[0]), library=library)
        assert first.returncode == 0, first.stderr
        one_call = (disk / "library.sqlite-wal").stat().st_size  # what storing one call writes
        app.close()  # the last one out folds the -wal file into the library and removes it
        assert sorted(p.name for p in disk.iterdir()) == ["library.sqlite"]
        room = 32 * 1024 + one_call * 3 // 2  # the -shm file, and one call and a half
        (disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(disk).free - room))

        batch = run("import", *map(str, calls[1:]), library=library)
        said = batch.stdout + batch.stderr
        assert batch.returncode == 1 and "Traceback" not in said, said
        lines = [line for line in said.splitlines() if line.startswith("[")]
        assert len(lines) == 3, said
        assert lines[0].startswith(f"[1/3] {calls[1]}: imported: call #2, "), said
        for n, line in enumerate(lines[1:], 2):
            assert line == (
                f"[{n}/3] {calls[n]}: FAILED: The disk that holds the library {library} is full: "
                "nothing was changed. Free some space and try again."
            ), said
        assert batch.stderr.splitlines()[-1] == "1 imported, 0 already there, 2 failed"
        conn = sqlite3.connect(str(library))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT name FROM calls ORDER BY id").fetchall() == [("a.wav",), ("b.wav",)]
        conn.close()
        listed = run("calls", library=library)
        assert listed.returncode == 0 and "b.wav" in listed.stdout and "c.wav" not in listed.stdout

        (disk / "filler").unlink()
        again = run("import", str(calls[2]), str(calls[3]), library=library)
        assert again.returncode == 0, again.stdout + again.stderr
        assert again.stderr.splitlines()[-1] == "2 imported, 0 already there, 0 failed"
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_a_warning_that_cannot_be_logged_on_a_full_disk_is_dropped_not_a_traceback(tmp_path):
    """The default library lives in the data folder, beside reviewer.log: on a full disk, a
    dependency's warning during an import (pyannote on a mono call) cannot be logged, and the
    terminal still shows the import's lines, never logging's own traceback."""
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "1m"):
        pytest.skip("cannot mount a small tmpfs here (needs the right to mount)")
    try:
        (disk / "filler").write_bytes(b"\0" * shutil.disk_usage(disk).free)
        code = (
            "import logging, warnings\n"
            "from reviewer.logs import send_warnings_to_log\n"
            "send_warnings_to_log()\n"
            "warnings.warn('Mean of empty slice ' * 500, RuntimeWarning)\n"
            "logging.getLogger('pyannote.audio').warning('std(): degrees of freedom is <= 0')\n"
            "print('done')\n"
        )
        env = {**os.environ, "REVIEWER_DATA_DIR": str(disk / "data")}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "done\n", "")
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_a_team_address_never_shows_its_password_and_a_bad_port_is_one_line(tmp_path):
    from reviewer.locations import display_location, has_password

    url = "postgresql://coach@db.example:5432/qa?sslmode=require&password=s3cret&sslpassword=k3y"
    assert display_location(url) == "postgresql://coach@db.example:5432/qa?sslmode=require"
    assert display_location("postgresql://coach:s3cret@db/qa") == "postgresql://coach@db/qa"
    assert display_location("postgresql:///qa?host=/run/postgresql&password=x") == (
        "postgresql:///qa?host=/run/postgresql"
    )
    assert has_password(url) and not has_password("postgresql://coach@db/qa")
    err = one_line(run("show", "999", library="postgresql://coach:pw@localhost:abc/qa?password=s3cret"))
    assert "port 'abc' is not a port number" in err
    assert "s3cret" not in err and "pw@" not in err


@pytest.mark.sqlite_only("runs without root's override of file modes: a PostgreSQL test socket refuses it")
def test_a_folder_that_cannot_be_read_is_named_not_skipped(tmp_path, library_location):
    if not _can_drop_override(tmp_path):
        pytest.skip("cannot run without the capability that lets root ignore file modes (setpriv)")
    calls = tmp_path / "calls"
    locked = calls / "week 47"
    locked.mkdir(parents=True)
    (locked / "a.wav").write_bytes(b"RIFF")
    (calls / "notes.txt").write_text("not audio")
    locked.chmod(0)
    try:
        for named in (calls, locked):
            proc = run("import", str(named), library=library_location(), prefix=NO_OVERRIDE)
            assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
            said = proc.stdout + proc.stderr
            assert f"{locked}: FAILED: a folder that cannot be read (permission denied)" in said
            assert "no audio files found" not in proc.stderr
    finally:
        locked.chmod(0o755)


def test_a_wav_cut_to_half_its_stated_length_is_named_truncated(tmp_path, library_location):
    import numpy as np
    from callgen import RATE, write_wav

    t = np.arange(RATE * 20) / RATE
    whole = write_wav(
        tmp_path / "whole.wav", (0.2 * np.sin(2 * np.pi * 220 * t))[None, :].astype(np.float32), RATE
    )
    cut = tmp_path / "cut.wav"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    proc = run("import", str(cut), library=library_location())
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "truncated after 10 s of 20 s (the file ends before its header says)" in proc.stdout + proc.stderr


def test_dependencies_warnings_go_to_the_log_not_the_terminal(tmp_path):
    """numpy and pyannote warn about short or mono audio; a QA lead running a batch reads one line
    per file, and the warnings are in reviewer.log (owner-only) for whoever debugs."""
    code = (
        "import logging, warnings, sys\n"
        "from reviewer.logs import send_warnings_to_log\n"
        "send_warnings_to_log()\n"
        "warnings.warn('Mean of empty slice', RuntimeWarning)\n"
        "logging.getLogger('pyannote.audio').warning('std(): degrees of freedom is <= 0')\n"
        "print('done')\n"
    )
    env = {**os.environ, "REVIEWER_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "done\n" and proc.stderr == ""
    log = tmp_path / "data" / "reviewer.log"
    text = log.read_text()
    assert "Mean of empty slice" in text and "degrees of freedom" in text
    assert (log.stat().st_mode & 0o777) == 0o600
