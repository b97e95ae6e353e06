"""What Whisper writes: nothing over hold music or a long silence, and the team's own words spelt
as the team spells them (the vocabulary in settings.toml, `--vocabulary`, Edit › Team vocabulary)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from callgen import RATE, Line, render, speak, telephone, write_wav
from holdmusic import have_sox, hold_music
from truth import norm_words

from reviewer.errors import SettingsError
from reviewer.settings import load_settings, parse_vocabulary, read_vocabulary, save_vocabulary

BEFORE = "Thank you for calling Quorvia. Let me check your account, please hold for a moment."
AFTER = "Thanks for holding. I found the problem, your router will be replaced this week."
LAST = "Is there anything else I can help you with today?"


def phone_line(*pieces: np.ndarray) -> np.ndarray:
    """The pieces one after another, half a second apart, through an 8 kHz phone line (at 16 kHz)."""
    from scipy.signal import resample_poly

    gap = np.zeros(RATE // 2, np.float32)
    audio = np.concatenate([gap] + [x for piece in pieces for x in (piece, gap)])
    audio += np.random.default_rng(1).normal(0, 0.002, audio.shape).astype(np.float32)
    return resample_poly(telephone(audio[None])[0], 2, 1).astype(np.float32)


@pytest.mark.skipif(not have_sox(), reason="needs Debian's sox (make test installs it)")
def test_a_minute_of_hold_music_gives_no_words_and_the_speech_around_it_is_kept():
    """A phone call with a minute of hold music. The voice-activity filter passes Whisper a few
    seconds of the music after the agent's "please hold"; transcribed as one stretch, Whisper put
    the "I" of "I found the problem" in the music and lost "thanks for holding" (bench/README,
    "Hold music"). Cut at the hold, the music is empty and the words either side are kept."""
    from reviewer.asr.transcribe import AsrOptions, load_model, transcribe

    before, after = speak(BEFORE, "agent"), speak(AFTER, "agent")
    phone = phone_line(before, hold_music(60.0, level_db=-6.0), after)
    music_at = 1.0 + len(before) / RATE
    music_end = music_at + 60.0
    options = AsrOptions(vocabulary=())
    model, _ = load_model(options)
    words, _ = transcribe(model, phone, options, language="en")

    def said(a: float, b: float) -> set[str]:
        return set(norm_words(" ".join(w.text for w in words if w.start >= a and w.end <= b)))

    assert [w.text for w in words if w.end > music_at + 0.3 and w.start < music_end - 0.3] == []
    assert {"calling", "account", "moment"} <= said(0.0, music_at + 1.0)
    assert {"holding", "found", "problem", "router", "replaced", "week"} <= said(music_end, len(phone) / RATE)


def test_a_long_silence_gives_no_words():
    from reviewer.asr.transcribe import AsrOptions, load_model, transcribe

    after, last = speak(AFTER, "agent"), speak(LAST, "customer")
    phone = phone_line(after, np.zeros(25 * RATE, np.float32), last)
    silence_at = 1.0 + len(after) / RATE
    options = AsrOptions(vocabulary=())
    model, _ = load_model(options)
    words, _ = transcribe(model, phone, options, language="en")
    assert [w.text for w in words if w.end > silence_at + 0.3 and w.start < silence_at + 24.7] == []
    assert {"holding", "router", "anything", "else"} <= set(norm_words(" ".join(w.text for w in words)))


# -- the team vocabulary --------------------------------------------------------------------------

NAMES = ("Quorvia", "Zentrix", "Fibrelux", "Skyvane", "Brackwater")
NAMED_CALL = [
    Line("agent", "Thank you for calling Quorvia, how can I help you today?"),
    Line("customer", "Hi. I am on the Zentrix plan and my Fibrelux router keeps dropping."),
    Line("agent", "I am sorry. Is the Fibrelux router the white one or the black one?"),
    Line("customer", "The black one. Honestly Skyvane offered me a better deal last week."),
    Line("agent", "I understand. Brackwater has full coverage, and Quorvia will send a new Fibrelux."),
]


def names_right(text: str) -> int:
    words = norm_words(text)
    return sum(words[i : i + len(norm_words(n))] == norm_words(n) for n in NAMES for i in range(len(words)))


@pytest.fixture(scope="module")
def named_call(tmp_path_factory):
    call = render(NAMED_CALL, stereo=False)
    return write_wav(tmp_path_factory.mktemp("named") / "named.wav", call.audio)


@pytest.mark.slow  # 20 s or more of real speech or a full command-line run: `make test-slow` and CI run it
def test_the_team_vocabulary_spells_unusual_names_right_from_settings_or_the_command_line(
    named_call, capsys, tmp_path, monkeypatch
):
    """Seven occurrences of five made-up names (company, plan, router, competitor, town): with the
    team vocabulary, from `--vocabulary` or from settings.toml, Whisper spells at least five of
    them right; `--vocabulary ''` switches the saved one off for a run, and then it spells at
    most two."""
    from reviewer.cli import main

    def analyze(*extra: str) -> str:
        assert main(["analyze", str(named_call), "--json", "-q", "--language", "en", *extra]) == 0
        doc = json.loads(capsys.readouterr().out)
        return " ".join(t["text"] for t in doc["turns"])

    with_option = analyze("--vocabulary", ", ".join(NAMES))
    assert names_right(with_option) >= 5, with_option
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(tmp_path / "config"))  # this test's own settings
    save_vocabulary(NAMES)  # into the user's settings.toml, as the app's dialog does
    assert load_settings().vocabulary == NAMES
    from_settings = analyze()
    assert names_right(from_settings) >= 5, from_settings
    switched_off = analyze("--vocabulary", "")
    assert names_right(switched_off) <= 2, switched_off


def test_only_the_vocabulary_words_of_the_hinted_pass_replace_what_the_plain_pass_heard():
    """The pass given the vocabulary may write other words differently ("source account" as
    "source of cows" on a real call); only its vocabulary terms are taken, in place of the plain
    words they cover in time."""
    from reviewer.asr.transcribe import RawWord, keep_vocabulary

    def words(*spec):
        return [RawWord(s, e, t, 0.9) for t, s, e in spec]

    plain = words(
        ("Thank", 0.0, 0.3), ("you", 0.3, 0.5), ("for", 0.5, 0.6), ("calling", 0.6, 1.0),
        ("Corvia.", 1.0, 1.6), ("The", 2.0, 2.2), ("source", 2.2, 2.6), ("account", 2.6, 3.0),
        ("on", 3.0, 3.1), ("Nimbra", 3.1, 3.5), ("Max.", 3.5, 3.9), ("fiery", 4.0, 4.3), ("lux", 4.3, 4.6),
    )  # fmt: skip
    hinted = words(
        ("Thank", 0.0, 0.3), ("you", 0.3, 0.5), ("for", 0.5, 0.6), ("calling", 0.6, 0.95),
        ("Quorvia.", 0.95, 1.62), ("The", 2.0, 2.2), ("source", 2.2, 2.6), ("of", 2.6, 2.8),
        ("cows", 2.8, 3.0), ("on", 3.0, 3.1), ("Nimbra", 3.1, 3.5), ("Max.", 3.5, 3.9),
        ("Fibrelux", 4.02, 4.6),
    )  # fmt: skip
    kept = keep_vocabulary(plain, hinted, ("Quorvia", "Nimbra Max", "Fibrelux", "Skyvane"))
    assert [w.text for w in kept] == [
        "Thank", "you", "for", "calling", "Quorvia.", "The", "source", "account", "on", "Nimbra", "Max.",
        "Fibrelux",
    ]  # fmt: skip
    assert keep_vocabulary(plain, plain, ("Skyvane",)) == plain


def test_saving_the_vocabulary_keeps_the_rest_of_settings_toml_as_written(tmp_path):
    path = tmp_path / "settings.toml"
    original = (
        "# my thresholds\n"
        "[stretches]\n"
        "silence_min = 12.0  # longer holds are fine here\n"
        "\n"
        "[transcription]\n"
        "# the words we use\n"
        'vocabulary = [\n  "Old Plan",\n  "Gone",\n]\n'
        "\n"
        "[redaction]\n"
        'words = ["PIN"]\n'
    )
    path.write_text(original)
    saved = save_vocabulary(["  Harper   Valley ", "Zentrix", "zentrix", "", 'Say "hi" \\ bye'], path)
    assert saved == ("Harper Valley", "Zentrix", 'Say "hi" \\ bye')
    assert read_vocabulary(path) == saved
    text = path.read_text()
    assert (
        text.replace(
            'vocabulary = [\n    "Harper Valley",\n    "Zentrix",\n    "Say \\"hi\\" \\\\ bye",\n]\n',
            'vocabulary = [\n  "Old Plan",\n  "Gone",\n]\n',
        )
        == original
    )
    settings = load_settings(path, refusal_model=False, request_model=False)
    assert settings.vocabulary == saved and settings.silence_min == 12.0
    assert settings.redact_words == ("PIN",)

    other = tmp_path / "fresh.toml"  # no file yet, then a file with no [transcription] table
    assert save_vocabulary(["Quorvia"], other) == ("Quorvia",)
    other.write_text("[talk]\nagent_share_target = 0.5\n")
    save_vocabulary(["Quorvia", "Skyvane"], other)
    assert read_vocabulary(other) == ("Quorvia", "Skyvane")
    assert other.read_text().startswith("[talk]\nagent_share_target = 0.5\n")
    save_vocabulary([], other)
    assert read_vocabulary(other) == ()


def test_a_vocabulary_that_is_not_a_list_of_words_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[transcription]\nvocabulary = [1, 2]\n")
    with pytest.raises(SettingsError, match=r"\[transcription\] vocabulary is \[1, 2\]: use a list of words"):
        load_settings(path, refusal_model=False, request_model=False)
    path.write_text("[transcription\nvocabulary = ")
    with pytest.raises(SettingsError, match="could not be read"):
        save_vocabulary(["Quorvia"], path)
    assert path.read_text() == "[transcription\nvocabulary = "  # left as it was
    assert parse_vocabulary(" Harper Valley,, Zentrix ,") == ("Harper Valley", "Zentrix")
    assert parse_vocabulary("") == ()


# -- the app's dialog -------------------------------------------------------------------------------


@pytest.mark.usefixtures("qapp")
def test_team_vocabulary_dialog_adds_edits_removes_and_saves_for_the_next_import(
    qtbot, tmp_path, settings, monkeypatch, library_location
):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMenu

    from reviewer.ui.main_window import MainWindow
    from reviewer.ui.vocabulary import VocabularyDialog

    config = tmp_path / "config"
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(config))
    config.mkdir()
    (config / "settings.toml").write_text('[transcription]\nvocabulary = ["Harper Valley"]\n')
    window = MainWindow(settings, library_path=library_location("app"), first_run_sample=False)
    qtbot.addWidget(window)
    window.show()
    edit = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Edit")
    assert window.vocabulary_action in edit.actions()
    window.vocabulary_action.trigger()
    dialog = window.findChild(VocabularyDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.vocabulary() == ("Harper Valley",)

    qtbot.keyClicks(dialog.entry, "Zentrix")
    qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.entry, "Fibrelux, Jennifer, harper valley")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.vocabulary() == ("Harper Valley", "Zentrix", "Fibrelux", "Jennifer")
    assert dialog.terms.currentItem().text() == "Harper Valley"  # already there: shown, not doubled
    assert dialog.isVisible()  # Enter in the entry adds; it does not close the dialog

    dialog.terms.item(1).setText("Zentrix Plus")  # as a double-click edit leaves it
    dialog.terms.clearSelection()
    dialog.terms.item(3).setSelected(True)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.vocabulary() == ("Harper Valley", "Zentrix Plus", "Fibrelux")

    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert read_vocabulary(config / "settings.toml") == ("Harper Valley", "Zentrix Plus", "Fibrelux")
    # what the next import reads (jobs.run_import loads the settings the same way)
    assert load_settings(refusal_model=False, request_model=False).vocabulary == (
        "Harper Valley",
        "Zentrix Plus",
        "Fibrelux",
    )

    again = VocabularyDialog(window)
    qtbot.addWidget(again)
    assert again.vocabulary() == ("Harper Valley", "Zentrix Plus", "Fibrelux")
    window.close()


@pytest.mark.usefixtures("qapp")
def test_team_vocabulary_dialog_says_why_it_cannot_save_and_keeps_the_file(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from reviewer.ui.vocabulary import VocabularyDialog

    path = tmp_path / "settings.toml"
    path.write_text("[talk\n")
    dialog = VocabularyDialog(None, path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "could not be read" in dialog.message.text() and dialog.message.isVisible()
    qtbot.keyClicks(dialog.entry, "Quorvia")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "not saved" in dialog.message.text()
    assert path.read_text() == "[talk\n"


def test_a_calls_first_window_is_encoded_once_for_its_language_and_its_words():
    """faster-whisper encodes a call's first 30 s once to detect the language and again to
    transcribe it; Reviewer's model keeps the first encoding: the same language and words."""
    from faster_whisper import WhisperModel

    from reviewer.asr.transcribe import AsrOptions, load_model, transcribe

    audio = speak("Thank you for calling Northwind, this is Sam. How can I help you today?", "agent")
    audio = np.concatenate([np.zeros(RATE // 2, np.float32), audio, np.zeros(RATE // 2, np.float32)])
    options = AsrOptions(vocabulary=())
    model, _ = load_model(options)
    encoded = []
    reusing = type(model)
    model.__class__ = WhisperModel
    try:
        plain, plain_language = transcribe(model, audio, options)
    finally:
        model.__class__ = reusing
    original = WhisperModel.encode
    WhisperModel.encode = lambda self, features: encoded.append(1) or original(self, features)
    try:
        kept, language = transcribe(model, audio, options)
    finally:
        WhisperModel.encode = original
    assert language == plain_language == "en"
    assert [(w.text, w.start, w.end) for w in kept] == [(w.text, w.start, w.end) for w in plain]
    assert len(encoded) == 1  # one 30 s window, encoded once


def test_the_voice_activity_filter_run_block_by_block_gives_faster_whispers_probabilities():
    """Reviewer runs Silero VAD block by block instead of copying the whole call with each
    window's context first (260 MB an hour): the same probabilities, across a block's edge too."""
    from faster_whisper.vad import get_vad_model

    from reviewer.asr.transcribe import BlockwiseVad

    model = get_vad_model()
    model = getattr(model, "model", model)  # faster-whisper's own, wherever Reviewer wrapped it
    speech = speak(BEFORE, "agent")
    noise = np.random.default_rng(3).normal(0, 0.01, 512 * 10_300).astype(np.float32)
    noise[RATE : RATE + len(speech)] += speech
    noise[-len(speech) - 300 :][: len(speech)] += speech  # speech in the second block, to its end
    audio = noise[: 512 * 10_300 - 200]
    audio = np.pad(audio, (0, 512 - len(audio) % 512))  # as faster-whisper pads it
    ours = BlockwiseVad(model)(audio.copy())
    theirs = model(audio.copy())
    assert ours.shape == theirs.shape == (len(audio) // 512,)
    assert np.array_equal(ours, theirs)
    assert theirs.max() > 0.5 and np.median(theirs) < 0.2  # speech heard, noise not
