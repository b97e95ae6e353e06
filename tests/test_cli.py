"""The `reviewer` command as QA runs it: real processes, real files, exit codes and messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from library_db import exists


def reviewer(*args, library=None, check=True):
    cmd = [sys.executable, "-m", "reviewer"]
    if library:
        cmd += ["--library", str(library)]
    proc = subprocess.run(
        [*cmd, *map(str, args)], capture_output=True, text=True, env=os.environ.copy(), timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_help_documents_every_command():
    """Each command has its own line in the help, named in full with what it does."""
    out = reviewer("--help").stdout
    listed = {m.group(1) for m in re.finditer(r"^    ([a-z][a-z-]*)(?:  +\S|$)", out, re.MULTILINE)}
    assert listed == {
        "import",
        "batch",
        "analyze",
        "calls",
        "show",
        "roles",
        "reassign",
        "edit",
        "comment",
        "comments",
        "search",
        "export",
        "refusal",
        "train-refusals",
        "tracker",
        "trends",
        "audio-root",
        "scorecard",
        "score",
        "dispute",
        "calibration",
        "review",
        "inbox",
        "profile",
        "people",
        "gui",
        "paths",
        "models",
        "clip",
        "playlist",
        "redaction",
        "voices",
    }


def test_analyze_json_prints_the_documented_document(clean, library_location):
    library = library_location("untouched")
    doc = json.loads(reviewer("analyze", clean[1], "--json", "-q", library=library).stdout)
    assert set(doc) >= {
        "duration",
        "channels",
        "speaker_split",
        "speakers",
        "agent_talk_share",
        "turns",
        "markers",
    }
    assert doc["channels"] == 2 and doc["speaker_split"] == "channels"
    assert [s["role"] for s in doc["speakers"]] == ["agent", "customer"]
    assert all(
        {"id", "role", "talk_seconds", "talk_share", "words_per_minute"} <= set(s) for s in doc["speakers"]
    )
    assert doc["speakers"][0]["talk_share"] == pytest.approx(doc["agent_talk_share"], abs=0.001)
    assert 0 < doc["agent_talk_share"] < 1
    assert doc["turns"][0]["speaker"] == "S1" and "calling" in doc["turns"][0]["text"].lower()
    assert not any(m["kind"] == "refusal" for m in doc["markers"])
    assert doc["reason"]["name"] == "cancel" and "cancel" in doc["reason"]["text"].lower()  # why they called
    assert not exists(library)  # analyze never touches the library


def test_import_comment_roles_and_search_from_the_command_line(short_call, tmp_path, library_location):
    lib = library_location("qa")
    bad = tmp_path / "fake.wav"
    bad.write_text("hello")
    proc = reviewer("import", short_call[1], bad, library=lib, check=False)
    assert proc.returncode == 1
    assert f"{bad}: FAILED: not a readable audio file" in proc.stderr
    assert "1 imported, 0 already there, 1 failed" in proc.stderr
    again = reviewer("import", short_call[1], library=lib)
    assert "already in the library as call #1" in again.stderr

    listing = reviewer("calls", library=lib).stdout
    assert "short.wav" in listing
    assert (
        "comment #1 added to call #1 at 0:02–0:04"
        in reviewer(
            "comment",
            "1",
            "--at",
            "0:02",
            "--to",
            "4",
            "--text",
            "Nice, clear answer",
            "--category",
            "praise",
            "--author",
            "coach",
            library=lib,
        ).stdout
    )
    comments = json.loads(reviewer("comments", "short", "--json", library=lib).stdout)
    assert (
        comments[0]["text"] == "Nice, clear answer"
        and comments[0]["start"] == 2.0
        and comments[0]["end"] == 4.0
    )

    before = json.loads(reviewer("show", "1", "--json", library=lib).stdout)
    reviewer("roles", "1", "--swap", library=lib)
    after = json.loads(reviewer("show", "1", "--json", library=lib).stdout)
    assert after["agent_talk_share"] == pytest.approx(1 - before["agent_talk_share"], abs=0.001)
    assert after["comments"][0]["text"] == "Nice, clear answer"

    # The speaker split got a turn wrong: give it to the other side, by role.
    turn = next(t for t in after["turns"] if t["speaker"] == "S1")
    middle = str((turn["start"] + turn["end"]) / 2)
    out = reviewer("reassign", "1", "--at", middle, "--speaker", "agent", library=lib).stdout
    assert f"{len(turn['text'].split())} words between" in out and "now said by S2" in out
    mended = json.loads(reviewer("show", "1", "--json", library=lib).stdout)
    talk = {s["id"]: s["talk_seconds"] for s in mended["speakers"]}
    assert talk["S2"] >= after["speakers"][1]["talk_seconds"] + turn["end"] - turn["start"] - 0.05
    assert mended["agent_talk_share"] > 0.8
    proc = reviewer("reassign", "1", "--at", middle, "--speaker", "S7", library=lib, check=False)
    assert proc.returncode == 1 and "has no speaker 'S7'" in proc.stderr

    assert "[close] [today]" in reviewer("search", "close today", library=lib).stdout.lower()
    assert reviewer("search", "refund", library=lib, check=False).returncode == 1


def test_bad_input_one_clear_line_and_nonzero_exit(tmp_path, library_location):
    proc = reviewer("analyze", tmp_path / "missing.mp3", library=library_location("l"), check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"reviewer: {tmp_path / 'missing.mp3'}: file not found"
    proc = reviewer("comment", "7", "--at", "soon", "--text", "x", library=library_location("l"), check=False)
    assert proc.returncode == 2 and "not a time" in proc.stderr
    proc = reviewer("show", "7", library=library_location("l"), check=False)
    assert proc.returncode == 1 and "No call '7'" in proc.stderr


def test_no_command_without_a_display_prints_help_and_gui_says_why():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    cmd = [sys.executable, "-m", "reviewer"]
    plain = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert plain.returncode == 0 and "gui" in plain.stdout
    gui = subprocess.run([*cmd, "gui"], capture_output=True, text=True, env=env, timeout=60)
    assert gui.returncode == 1
    assert gui.stderr.strip().startswith("reviewer: no display to open the app on")


def test_the_command_line_never_loads_the_app_which_the_entry_point_hands_it(tmp_path, capsys):
    """`reviewer paths` (and building the whole parser) imports neither the app nor Qt; `reviewer`
    with no command and `reviewer gui FILE` open the app they are handed, with the global options."""
    code = (
        "import sys; from reviewer.cli import build_parser, main; build_parser(); main(['paths']); "
        "print(sorted(m for m in sys.modules if m.startswith(('reviewer.ui', 'PySide6'))))"
    )
    env = os.environ | {"REVIEWER_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"

    from reviewer.cli import main

    opened = []

    class Desktop:
        def has_display(self) -> bool:
            return True

        def run(self, **how) -> int:
            opened.append(how)
            return 0

    recording = tmp_path / "call.wav"
    recording.write_bytes(b"")
    assert main(["--library", "team.sqlite"], desktop=Desktop) == 0
    assert main(["gui", str(recording), "--model", "small"], desktop=Desktop) == 0
    assert opened == [
        {
            "library": "team.sqlite",
            "open_file": None,
            "settings_file": None,
            "phrases_file": None,
            "model": None,
        },
        {
            "library": None,
            "open_file": str(recording),
            "settings_file": None,
            "phrases_file": None,
            "model": "small",
        },
    ]
    assert main(["gui", str(tmp_path / "missing.wav")], desktop=Desktop) == 1
    assert capsys.readouterr().err.strip() == f"reviewer: {tmp_path / 'missing.wav'}: file not found"


def test_asking_for_a_gpu_that_cannot_run_the_models_says_so(clean, library_location):
    from reviewer.asr.transcribe import cuda_problem

    if cuda_problem() is None:
        pytest.skip("this machine can transcribe on its GPU")
    proc = reviewer("analyze", clean[1], "--device", "cuda", "-q", library=library_location("l"), check=False)
    assert proc.returncode == 1
    assert "GPU was asked for" in proc.stderr and "--device cpu" in proc.stderr
    assert "Traceback" not in proc.stderr
    # auto, the default, falls back to the processor and works
    assert (
        reviewer("analyze", clean[1], "--device", "auto", "-q", library=library_location("l")).returncode == 0
    )


@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_phrase_trackers_find_what_was_said_in_every_call_and_follow_new_imports(
    tmp_path, short_call, clean, library_location
):
    """`reviewer tracker add` finds its phrases in the calls already there, by the side it
    watches and within its window; calls imported afterwards get their hits at once; remove
    takes the hits away. Bad definitions are refused with the reason."""
    lib = library_location("trackers")
    quiet = reviewer("import", short_call[1], "-q", library=lib)
    assert quiet.stderr == ""  # -q: errors only, and none happened
    out = reviewer("tracker", "add", "opening hours", "--phrase", "what time ~ close", library=lib).stdout
    assert "1 hit in 1 call" in out
    customer_only = reviewer("tracker", "add", "help", "--phrase", "help", "--side", "customer", library=lib)
    assert "0 hits" in customer_only.stdout  # the agent asked "how can I help?", not the customer
    agent_only = reviewer("tracker", "add", "help", "--phrase", "help", "--side", "agent", library=lib)
    assert "1 hit in 1 call" in agent_only.stdout  # the same name: replaced, applied again
    late = reviewer(
        "tracker", "add", "greeting late", "--phrase", "how can i help", "--within-last", "2", library=lib
    )
    assert "0 hits" in late.stdout

    reviewer("import", clean[1], "-q", library=lib)  # "thank you for calling ... this is Maria"
    reviewer("tracker", "add", "thanks", "--phrase", "thank* you for calling", "--side", "agent", library=lib)
    shown = json.loads(reviewer("show", "clean.ogg", "--json", library=lib).stdout)
    # "help" was defined before this call came in: its hit was found on import.
    assert [h["tracker"] for h in shown["tracker_hits"]] == ["help", "thanks"]
    assert all(h["speaker"] == "S1" and h["start"] < 5 for h in shown["tracker_hits"])
    reviewer("import", tmp_path / "missing.wav", library=lib, check=False)
    listing = reviewer("tracker", "list", library=lib).stdout
    assert "opening hours: what time ~ close  (both)" in listing and "greeting late" in listing
    assert "tracked phrases" in reviewer("show", "short.wav", library=lib).stdout

    reviewer("roles", "short.wav", "--swap", library=lib)  # re-analysis: hits follow the roles
    swapped = json.loads(reviewer("show", "short.wav", "--json", library=lib).stdout)
    assert "help" not in [h["tracker"] for h in swapped["tracker_hits"]]
    reviewer("roles", "short.wav", "--swap", library=lib)

    reviewer("tracker", "remove", "opening hours", library=lib)
    shown = json.loads(reviewer("show", "short.wav", "--json", library=lib).stdout)
    assert [h["tracker"] for h in shown["tracker_hits"]] == ["help"]
    bad = reviewer("tracker", "add", "empty", library=lib, check=False)
    assert bad.returncode == 1 and "needs at least one phrase" in bad.stderr
    bad = reviewer("tracker", "remove", "nope", library=lib, check=False)
    assert bad.returncode == 1 and "No tracker 'nope'" in bad.stderr


@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_trends_group_the_team_or_one_agent_by_month(tmp_path, short_call, clean, library_location):
    import os
    import shutil
    from datetime import datetime

    lib = library_location("trends")
    for source, when in ((short_call[1], datetime(2026, 9, 14, 10)), (clean[1], datetime(2026, 10, 2, 15))):
        copy = tmp_path / source.name
        shutil.copy(source, copy)
        os.utime(copy, (when.timestamp(), when.timestamp()))  # the recording's date
        reviewer("import", copy, "-q", library=lib)
    reviewer("tracker", "add", "help", "--phrase", "help", "--side", "agent", library=lib)
    team = json.loads(reviewer("trends", "--by", "month", "--json", library=lib).stdout)
    assert [(r["period"], r["calls"]) for r in team] == [("2026-09", 1), ("2026-10", 1)]
    assert all(r["refusals_per_call"] == 0 and 0 < r["agent_talk_share"] < 1 for r in team)
    assert [r["tracker_hits_per_call"] for r in team] == [1, 1]
    maria = json.loads(reviewer("trends", "--agent", "maria", "--json", library=lib).stdout)
    assert [(r["period"], r["calls"]) for r in maria] == [("2026-W40", 1)]
    assert "\nSep 2026 " in reviewer("trends", "--by", "month", library=lib).stdout  # in dates
    bad = reviewer("trends", "--agent", "Nobody", library=lib, check=False)
    assert bad.returncode == 1 and "No calls by an agent named 'Nobody'" in bad.stderr


def test_quiet_import_prints_only_what_failed(tmp_path, library_location):
    """`import -q` of a folder: a file that cannot be imported is still reported (an error), with
    the closing count; nothing else is printed."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fake.wav").write_text("hello")
    proc = reviewer("import", folder, "-q", library=library_location("quiet"), check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"[1/1] {folder / 'fake.wav'}: FAILED: not a readable audio file "
        "(Invalid data found when processing input)",
        "0 imported, 0 already there, 1 failed",
    ]
