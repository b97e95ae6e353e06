"""Agents known by their voice (issue 28, part 2): voice profiles from a stereo call's agent channel,
matched on a mono call, off until a coach turns them on, listed and deleted, never exported. Real
CAM++ on a real bank call (HarperValleyBank, 8 kHz, one file per side; ../shared/data/real-calls):
the profile comes from the first half of the call in stereo, the test call is the mono mix of its
second half (where the agent never says their name)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

REAL_CALLS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-calls"
CALL = "3a20358e1bfc4a17"
NAME = "Jamie Voiceprint"  # the coach's name for the agent: never said in the call

needs_real_calls = pytest.mark.skipif(
    not (REAL_CALLS / "hvb").is_dir(), reason="the real recordings come with the project's shared folder"
)


def cli(capsys, library, *args) -> tuple[int, str]:
    """``reviewer --library LIBRARY ARGS`` in this process: (exit code, stdout); stderr in
    ``cli.err``."""
    from reviewer.cli import main

    capsys.readouterr()
    code = main(["--library", str(library), *map(str, args)])
    said = capsys.readouterr()
    cli.err = said.err
    return code, said.out


def test_voice_profiles_are_off_until_a_coach_turns_them_on(library, capsys):
    """A new library keeps no voice: profiles are off, none can be made, the CLI says so; turned on
    and then off with --delete, every sample is gone."""
    from reviewer.actions import voices
    from reviewer.errors import ReviewerError

    assert not library.voice_profiles_on()
    with pytest.raises(ReviewerError, match="Voice profiles are off"):
        voices.add_from_call(library, "Ann", 1)
    assert library.voice_samples() == []
    voices.enable(library)
    assert library.voice_profiles_on()
    with library.write():
        library.add_voice_sample("Ann", (0.6, 0.8), windows=4, seconds=6.0, call_id=None, source="selection")
    assert [p.name for p in voices.profiles(library)] == ["Ann"]
    assert voices.disable(library, delete=True) == 1
    assert not library.voice_profiles_on() and library.voice_samples() == []
    assert voices.profiles(library) == []


def test_the_voices_command_says_profiles_are_off_and_refuses_to_add(tmp_path, capsys):
    path = tmp_path / "off.sqlite"
    code, out = cli(capsys, path, "voices", "list", "--json")
    assert code == 0 and json.loads(out) == {"enabled": False, "profiles": []}
    code, _ = cli(capsys, path, "voices", "add", "Ann", "--from-call", "1")
    assert code == 1 and "Voice profiles are off for this library" in cli.err


@pytest.fixture(scope="module")
def halves(tmp_path_factory):
    """The call's first half as a stereo file (agent left) and its second half as a mono mix."""
    from callgen import write_wav

    from reviewer.audio import decode

    folder = tmp_path_factory.mktemp("voices")
    agent = decode(REAL_CALLS / "hvb" / f"{CALL}.agent.flac").samples.mean(axis=0)
    caller = decode(REAL_CALLS / "hvb" / f"{CALL}.caller.flac").samples.mean(axis=0)
    n = max(len(agent), len(caller))
    agent, caller = np.pad(agent, (0, n - len(agent))), np.pad(caller, (0, n - len(caller)))
    half = n // 2
    stereo = write_wav(folder / "first-half-stereo.wav", np.stack([agent[:half], caller[:half]]))
    mix = agent[half:] + caller[half:]
    mono = write_wav(folder / "second-half-mono.wav", (mix / np.max(np.abs(mix)) * 0.9)[None, :])
    return folder, stereo, mono


@pytest.fixture(scope="module")
def voiced(halves):
    """A library: the stereo first half imported while profiles were off, then profiles on and
    the agent's profile made from it on the command line, then the mono second half imported."""
    from reviewer.cli import main
    from reviewer.importer import import_files
    from reviewer.library import open_library

    folder, stereo, mono = halves
    path = folder / "voices.sqlite"
    with open_library(path) as library:
        assert import_files([stereo], library)[0].status == "imported"
        assert library.voice_samples() == [] and not library.voice_profiles_on()  # off: nothing kept
    assert main(["--library", str(path), "voices", "enable"]) == 0
    assert main(["--library", str(path), "voices", "add", NAME, "--from-call", "1", "--json"]) == 0
    with open_library(path) as library:
        assert import_files([mono], library)[0].status == "imported"
    return path


@needs_real_calls
@pytest.mark.sqlite_only
def test_a_mono_mix_of_another_part_of_the_agents_call_gets_the_agent_role_and_name(voiced, capsys):
    code, out = cli(capsys, voiced, "show", "2", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["speaker_split"] == "diarization"
    agents = [s for s in doc["speakers"] if s["role"] == "agent"]
    assert [a.get("name") for a in agents] == [NAME]
    assert agents[0]["talk_share"] > 0.5  # the agent holds most of the talk in this call


@needs_real_calls
@pytest.mark.sqlite_only
def test_voices_are_listed_and_removed_on_the_command_line(voiced, tmp_path, capsys):
    library = tmp_path / "copy.sqlite"
    shutil.copy(voiced, library)
    code, out = cli(capsys, library, "voices", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["enabled"] is True
    assert [(p["name"], p["calls"]) for p in listed["profiles"]] == [(NAME, 1)]
    assert listed["profiles"][0]["seconds"] > 5
    code, out = cli(capsys, library, "voices", "remove", NAME)
    assert code == 0 and f"Deleted the voice profile of {NAME}" in out
    code, out = cli(capsys, library, "voices", "list", "--json")
    assert json.loads(out)["profiles"] == []
    code, out = cli(capsys, library, "voices", "disable")
    assert code == 0 and "off" in out
    code, out = cli(capsys, library, "voices", "list", "--json")
    assert json.loads(out)["enabled"] is False


@needs_real_calls
@pytest.mark.sqlite_only
def test_exports_never_hold_voice_profiles(voiced, tmp_path, capsys):
    """Every export format of both calls, the call list, the trends and each call's JSON:
    none holds a profile's numbers, and the call the profile came from never names it."""
    from reviewer.library import open_library
    from reviewer.report.formats import FORMATS

    with open_library(voiced) as library:
        (sample,) = library.voice_samples()
    numbers = [f"{x:.6f}".rstrip("0") for x in sample.embedding[:8]]
    out = tmp_path / "exports"
    assert cli(capsys, voiced, "export", "--all", "--format", ",".join(FORMATS), "--out", out)[0] == 0
    texts = {p.name: p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file()}
    texts["calls --json"] = cli(capsys, voiced, "calls", "--json")[1]
    texts["trends --json"] = cli(capsys, voiced, "trends", "--json")[1]
    for call in ("1", "2"):
        texts[f"show {call} --json"] = cli(capsys, voiced, "show", call, "--json")[1]
    assert len(texts) > 2 * len(FORMATS)
    for name, text in texts.items():
        assert not any(n in text for n in numbers), name
        # No profile's name for its vector either (the word "embedding" may name how the call's
        # reason or sentiment was judged: "method": "embedding").
        assert '"embedding":' not in text.lower() and "voice_samples" not in text, name
        assert "voice profile" not in text.lower() and "voice_profiles" not in text, name
    first_call = [t for n, t in texts.items() if "first-half" in n or n == "show 1 --json"]
    assert first_call and not any("Voiceprint" in t for t in first_call)


@needs_real_calls
@pytest.mark.sqlite_only
def test_the_voice_profiles_page_lists_adds_deletes_and_turns_them_off(voiced, tmp_path, qtbot):
    from PySide6.QtWidgets import QWidget

    from reviewer.library import open_library
    from reviewer.ui.library_worker import LibraryWorker
    from reviewer.ui.voices import VoicesDialog

    library = tmp_path / "page.sqlite"
    shutil.copy(voiced, library)
    window = QWidget()
    qtbot.addWidget(window)
    worker = LibraryWorker(library, window)
    page = VoicesDialog(window, worker, current_call=lambda: 1)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.busy == 0 and page.enabled.isEnabled(), timeout=30_000)
    assert page.enabled.isChecked()
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == [NAME]
    assert page.table.item(0, 1).text() == "1"

    page.name.setText("Second Agent")
    assert page.from_call.isEnabled() and not page.from_selection.isEnabled()  # nothing selected
    page.from_call.click()
    qtbot.waitUntil(lambda: page.busy == 0 and page.table.rowCount() == 2, timeout=60_000)
    assert "Second Agent's voice profile" in page.message.text()

    page.table.selectRow(0)
    page.delete.click()
    qtbot.waitUntil(lambda: page.busy == 0 and page.table.rowCount() == 1, timeout=30_000)

    asked = []
    page.ask_delete = lambda kept: asked.append(kept) or True
    page.enabled.setChecked(False)
    qtbot.waitUntil(lambda: page.busy == 0 and page.table.rowCount() == 0, timeout=30_000)
    assert asked == [1] and not page.enabled.isChecked()
    worker.close()
    with open_library(library) as lib:
        assert not lib.voice_profiles_on() and lib.voice_samples() == []


def test_why_a_two_voice_split_is_in_doubt_in_words():
    from reviewer.speakers.profiles import UNCERTAIN_NOTE, split_doubt
    from reviewer.speakers.regroup import Regrouped

    assert split_doubt(Regrouped([], closeness=0.5, second_share=0.3, moved=0.1, separation=0.3)) == ""
    alike = split_doubt(Regrouped([], closeness=0.6, second_share=0.3, moved=0.1, separation=0.11))
    assert alike == f"{UNCERTAIN_NOTE} (the two voices sound alike (separation 0.11))."
    small = split_doubt(Regrouped([], closeness=0.4, second_share=0.06, moved=0.3, separation=0.3))
    assert "one voice has only 6% of the speech" in small
    assert "moved 30%" in small


@needs_real_calls
@pytest.mark.sqlite_only
def test_a_mono_call_whose_split_is_in_doubt_says_so_in_show_and_the_report(voiced, halves, tmp_path, capsys):
    """The note the diarization leaves on a doubtful split is kept with the call and shown by
    `reviewer show` (text and JSON) and the report."""
    from dataclasses import replace

    from reviewer.actions.calls import store_call
    from reviewer.library import open_library
    from reviewer.model import Analysis
    from reviewer.speakers.profiles import UNCERTAIN_NOTE, split_doubt
    from reviewer.speakers.regroup import Regrouped

    _folder, _stereo, mono = halves
    with open_library(voiced) as library:
        stored = library.load_call(2)
    assert stored.transcript.split_doubt == "" or stored.transcript.split_doubt.startswith(UNCERTAIN_NOTE)
    doubt = split_doubt(Regrouped([], closeness=0.6, second_share=0.3, moved=0.1, separation=0.11))
    path = tmp_path / "doubt.sqlite"
    with open_library(path) as library:
        store_call(
            library,
            mono,
            "doubtful",
            replace(stored.transcript, split_doubt=doubt),
            Analysis(tuple(stored.markers), stored.metrics),
            source_channels=1,
            source_rate=8000,
            dual_mono=False,
        )
    code, out = cli(capsys, path, "show", "1")
    assert code == 0 and f"note: {doubt}" in out
    assert json.loads(cli(capsys, path, "show", "1", "--json")[1])["split_note"] == doubt
    assert cli(capsys, path, "export", "1", "--format", "html", "--out", tmp_path / "r.html")[0] == 0
    assert UNCERTAIN_NOTE in (tmp_path / "r.html").read_text()
    assert cli(capsys, path, "export", "1", "--format", "json", "--out", tmp_path / "r.json")[0] == 0
    assert json.loads((tmp_path / "r.json").read_text())["call"]["split_note"] == doubt


def test_edit_menu_opens_the_voice_profiles_page_off_for_a_new_library(
    qtbot, tmp_path, settings, monkeypatch
):
    from reviewer.ui.main_window import MainWindow
    from reviewer.ui.voices import VoicesDialog

    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(tmp_path / "config"))
    window = MainWindow(settings, library_path=tmp_path / "new.sqlite", first_run_sample=False)
    qtbot.addWidget(window)
    window.show()
    assert window.voices_action.text() == "Voice &profiles…"
    window.voices_action.trigger()
    page = window.findChild(VoicesDialog)
    qtbot.waitUntil(lambda: page.enabled.isEnabled(), timeout=30_000)
    assert not page.enabled.isChecked() and page.table.rowCount() == 0
    assert not page.from_call.isEnabled()  # off, and no call open
    page.close()
    window.close()


def test_a_profile_finds_the_agent_in_a_first_pass_that_heard_one_voice():
    """speakers.regroup with a profile: where the first pass gave everything to one voice, the
    windows like the agent's profile stay that voice (the agent) and the rest become a second."""
    from reviewer.model import Segment
    from reviewer.speakers.profiles import VoiceProfile
    from reviewer.speakers.regroup import regroup_call

    agent, customer = np.array([1.0, 0.1, 0.0]), np.array([0.1, 1.0, 0.3])
    heard_as_one = [Segment(0.0, 10.0, "S1"), Segment(10.5, 16.0, "S1")]

    def voices(spans):
        return np.array([customer if (a + b) / 2 > 10.5 else agent for a, b in spans])

    profile = VoiceProfile("Ann", tuple(agent / np.linalg.norm(agent)), 10, 10.0)
    found = regroup_call(heard_as_one, voices, (profile,))
    assert found.match is not None and (found.match.speaker, found.match.name) == ("S1", "Ann")
    said = {round(t): s.speaker for s in found.segments for t in np.arange(s.start, s.end, 0.5)}
    assert {said[t] for t in (1, 5, 9)} == {"S1"} and {said[t] for t in (12, 15)} == {"S2"}
    assert regroup_call(heard_as_one, voices).segments == heard_as_one  # no profile: as heard
