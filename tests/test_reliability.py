"""Whether Reviewer ever loses work or leaks it: bad input of every kind through `import` and
`analyze`, kill -9 in the middle of an import, two processes writing one library, and the whole
pipeline with the network cut. Real processes, real pipeline, real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from callgen import RATE, write_encoded, write_wav
from library_db import exists, integrity, query


def run(
    *args, library: Path | str, env: dict | None = None, timeout: float = 600, prefix: list[str] | None = None
):
    cmd = [*(prefix or []), sys.executable, "-m", "reviewer", "--library", str(library), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env or os.environ.copy(), timeout=timeout)


def stored_names(library: Path | str) -> list[str]:
    return sorted(r[0] for r in query(library, "SELECT name FROM calls"))


def _six_channels(path: Path, stereo: np.ndarray) -> Path:
    data = np.zeros((6, stereo.shape[1]), np.float32)
    data[0], data[1] = stereo[0], stereo[1]
    return write_encoded(path, data, codec="pcm_s16le")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, short_call):
    """A folder as QA might get it: good calls in odd shapes next to broken files."""
    call, _ = short_call
    folder = tmp_path_factory.mktemp("matrix") / "Anrufe Woche 47 – Müller"
    folder.mkdir()
    stereo = call.audio
    mono = stereo.mean(axis=0, keepdims=True)
    good = {
        # 8 kHz mono telephone audio (averaged pairs: a crude low-pass before halving the rate).
        "telefon 8k mono.wav": write_wav(
            folder / "telefon 8k mono.wav",
            mono[:, : mono.shape[1] // 2 * 2].reshape(1, -1, 2).mean(axis=2),
            8000,
        ),
        "studio 48k stéréo.flac": write_encoded(
            folder / "studio 48k stéréo.flac", stereo, codec="flac", rate=48000
        ),
        "surround 6 ch.wav": _six_channels(folder / "surround 6 ch.wav", stereo),
    }
    full = write_encoded(folder / "appel café.mp3", stereo, codec="mp3", bit_rate=64000)
    good["appel café.mp3"] = full
    rng = np.random.default_rng(3)
    bad = {
        "zero bytes.wav": ("empty",),
        "truncated.mp3": ("not a readable audio file", "corrupt", "truncated", "too short"),
        "meeting notes.wav": ("not a readable audio file",),
        "no speech.wav": ("no speech",),
        "digital silence.wav": ("silent",),
        "blip 0.2 s.wav": ("too short",),
    }
    (folder / "zero bytes.wav").write_bytes(b"")
    (folder / "truncated.mp3").write_bytes(full.read_bytes()[:300])
    (folder / "meeting notes.wav").write_text("Agenda: quarterly numbers, not audio.\n" * 30)
    write_wav(folder / "no speech.wav", (0.05 * rng.standard_normal((1, 6 * RATE))).astype(np.float32))
    write_wav(folder / "digital silence.wav", np.zeros((2, 5 * RATE), np.float32))
    write_wav(
        folder / "blip 0.2 s.wav", (0.3 * np.sin(np.arange(int(0.2 * RATE)) / 5))[None, :].astype(np.float32)
    )
    return folder, good, bad


@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_bad_input_matrix_through_import_keeps_the_good_and_names_each_bad_file(matrix, library_location):
    folder, good, bad = matrix
    library = library_location("qa")
    proc = run("import", folder, library=library)
    assert proc.returncode == 1, proc.stderr  # some files failed
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "FAILED" in line]
    assert len(lines) == len(bad), proc.stderr
    for name, reasons in bad.items():
        (line,) = [line for line in lines if f"/{name}: FAILED" in line]
        assert any(r in line.lower() for r in reasons), line
    assert stored_names(library) == sorted(good)
    assert f"{len(good)} imported, 0 already there, {len(bad)} failed" in proc.stderr
    assert integrity(library) == "ok"
    calls = json.loads(run("calls", "--json", library=library).stdout)
    split = {c["name"]: (c["source_channels"], c["source_rate"], c["speaker_split"]) for c in calls}
    assert split["telefon 8k mono.wav"] == (1, 8000, "diarization")
    assert split["studio 48k stéréo.flac"] == (2, 48000, "channels")
    assert split["surround 6 ch.wav"][0] == 6 and split["surround 6 ch.wav"][2] == "diarization"
    # Importing the folder again adds nothing and breaks nothing.
    again = run("import", folder, library=library)
    assert f"0 imported, {len(good)} already there, {len(bad)} failed" in again.stderr
    assert integrity(library) == "ok"


@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_bad_input_matrix_through_analyze_one_clear_line_each(matrix, library_location):
    folder, good, bad = matrix
    library = library_location("untouched")
    for name, reasons in bad.items():
        proc = run("analyze", folder / name, library=library)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        (line,) = proc.stderr.strip().splitlines()
        assert line.startswith(f"reviewer: {folder / name}: ") and any(r in line.lower() for r in reasons), (
            line
        )
    proc = run("analyze", folder / "surround 6 ch.wav", "--json", library=library)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["speaker_split"] == "diarization" and doc["turns"]
    assert not exists(library) or stored_names(library) == []


@pytest.fixture()
def two_calls(tmp_path, short_call, clean):
    """A short call and a longer one, as separate files with their own content."""
    a = tmp_path / "first call.wav"
    shutil.copy(short_call[1], a)
    b = tmp_path / "second call.ogg"
    shutil.copy(clean[1], b)
    return a, b


@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_kill_dash_nine_mid_import_loses_nothing_and_the_file_imports_again(
    tmp_path, two_calls, short_call, library_location
):
    earlier, interrupted = two_calls
    library = library_location("crash")
    assert run("import", earlier, library=library).returncode == 0
    assert run("comment", "1", "--at", "0:02", "--text", "Keep this comment", library=library).returncode == 0
    # A batch whose first file is new: kill -9 once it is stored, while the second is processed.
    third = tmp_path / "third call.wav"
    write_wav(third, short_call[0].audio * 0.8)
    cmd = [
        sys.executable,
        "-m",
        "reviewer",
        "--library",
        str(library),
        "import",
        str(third),
        str(interrupted),
    ]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while "third call.wav" not in stored_names(library):
        assert child.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert integrity(library) == "ok"
    assert stored_names(library) == ["first call.wav", "third call.wav"]
    comments = json.loads(run("comments", "1", "--json", library=library).stdout)
    assert [c["text"] for c in comments] == ["Keep this comment"]
    orphans = query(library, "SELECT count(*) FROM words WHERE call_id NOT IN (SELECT id FROM calls)")
    assert orphans[0][0] == 0
    again = run("import", interrupted, library=library)
    assert again.returncode == 0 and "1 imported" in again.stderr, again.stderr
    assert stored_names(library) == ["first call.wav", "second call.ogg", "third call.wav"]


WRITER = textwrap.dedent(
    """
    import sys
    from reviewer.importer import import_files
    from reviewer.library import open_library

    library_path, audio, who = sys.argv[1:4]
    with open_library(library_path) as library:
        for i in range(30):
            library.add_comment(1, start=1.0, text=f"{who} before import {i}", author=who, category="other")
        (outcome,) = import_files([audio], library)
        assert outcome.status == "imported", outcome.message
        for i in range(30):
            library.add_comment(1, start=2.0, text=f"{who} after import {i}", author=who, category="other")
            library.set_review_status(1, "in review")
    """
)


@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_two_processes_importing_and_commenting_on_one_library(
    tmp_path, two_calls, short_call, library_location
):
    first, second = two_calls
    library = library_location("shared")
    assert run("import", first, library=library).returncode == 0
    other = tmp_path / "other call.wav"
    write_wav(other, short_call[0].audio * 0.7)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(library), str(audio), who],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for audio, who in ((second, "coach-a"), (other, "coach-b"))
    ]
    results = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err.lower()
    assert stored_names(library) == ["first call.wav", "other call.wav", "second call.ogg"]
    comments = json.loads(run("comments", "1", "--json", library=library).stdout)
    assert len(comments) == 120
    for who in ("coach-a", "coach-b"):
        texts = {c["text"] for c in comments if c["author"] == who}
        assert texts == {f"{who} {when} import {i}" for when in ("before", "after") for i in range(30)}
    assert integrity(library) == "ok"


AUDIT = textwrap.dedent(
    """
    import socket, sys
    log = open(sys.argv[1], "w")
    NET = (socket.AF_INET, socket.AF_INET6)
    LOOPBACK = ("::1", "127.0.0.1", "localhost")

    def hook(event, args):
        if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "urllib.Request"):
            log.write(f"{event} {args!r}\\n"); log.flush()
        elif event in ("socket.connect", "socket.sendto") and args[0].family in NET:
            log.write(f"{event} {args[1]!r}\\n"); log.flush()
        elif event == "socket.bind" and args[0].family in NET and args[1][0] not in LOOPBACK:
            # (loading the diarization stack probes IPv6 support by binding ::1, which reaches nobody)
            log.write(f"{event} {args[1]!r}\\n"); log.flush()

    sys.addaudithook(hook)
    from reviewer.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


@pytest.mark.sqlite_only("the default library: a file in the data folder, private to its owner")
@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
def test_the_pipeline_makes_no_network_connection_and_keeps_the_library_private(tmp_path, short_call):
    """Every socket lookup or connection the process attempts is logged by an audit hook: none."""
    data = tmp_path / "fresh user" / "data"
    env = {**os.environ, "REVIEWER_DATA_DIR": str(data)}
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "PYANNOTE_METRICS_ENABLED"):
        env.pop(var, None)  # a user's plain environment: Reviewer must be offline by itself
    log = tmp_path / "network.log"
    mono = tmp_path / "mono call.wav"
    write_wav(mono, short_call[0].audio.mean(axis=0, keepdims=True))  # mono: diarization runs too
    for audio in (short_call[1], mono):
        proc = subprocess.run(
            [sys.executable, "-c", AUDIT, str(log), "import", str(audio)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        assert log.read_text() == "", log.read_text()
    library = data / "library.sqlite"
    assert stored_names(library) == ["mono call.wav", "short.wav"]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(data.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(library.stat().st_mode) == 0o600
    for cached in (data / "peaks").iterdir():
        assert stat.S_IMODE(cached.stat().st_mode) & 0o077 == 0


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="unshare -n (a network namespace) is not permitted here")
def test_import_and_export_work_with_the_network_cut(tmp_path, short_call, library_location):
    library = library_location("offline")
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    proc = run("import", short_call[1], library=library, env=env, prefix=["unshare", "-n"])
    assert proc.returncode == 0, proc.stderr
    proc = run("export", "1", "-o", tmp_path / "r.pdf", library=library, env=env, prefix=["unshare", "-n"])
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
