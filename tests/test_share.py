"""Sharing safely (issue 20): redacted audio and coaching clips, as QA shares them. A customer reads a
card number (split by the agent's "okay") and a phone number, spoken by espeak-ng; the call goes
through the real pipeline, the redacted recording is checked sample by sample and transcribed
again, and playlists are exported and opened as a trainee would."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import wave
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from callgen import Line, render, write_wav
from ui_wait import comment_added, settled

CARD_CALL = [
    Line("agent", "Thank you for calling Northwind Bank, this is Sam. How can I help you?"),
    Line("customer", "Hi Sam, I would like to pay my bill with a card."),
    Line("agent", "Sure. Please read me the card number."),
    Line("customer", "Four five five six, seven three seven five,"),
    Line("agent", "Okay.", pause=0.3),
    Line("customer", "eight six eight nine, nine eight five two.", pause=0.3),
    Line("agent", "Thank you. And a phone number where we can reach you?"),
    Line("customer", "Yes, it is five five five, two one two, four three six seven."),
    Line("agent", "Great, the payment is done. Have a nice day."),
]
CARD_LINES = (3, 5)  # the utterances that are nothing but card digits
DIGIT_WORDS = r"\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b"


def reviewer(*args, library=None, check=True, env=None):
    cmd = [sys.executable, "-m", "reviewer"]
    if library:
        cmd += ["--library", str(library)]
    proc = subprocess.run(
        [*cmd, *map(str, args)], capture_output=True, text=True, env=env or os.environ.copy(), timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    with wave.open(str(path)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())
        return w.getframerate(), pcm.T.copy()


@pytest.fixture(scope="session")
def card_call(calls_dir):
    call = render(CARD_CALL, stereo=True)
    return call, write_wav(calls_dir / "card payment.wav", call.audio)


@pytest.fixture(scope="session")
def card_processed(card_call):
    from reviewer.pipeline import process_file

    return process_file(card_call[1])


@pytest.fixture()
def card_library(library_location, card_call, card_processed):
    from reviewer.importer import store_result
    from reviewer.library import open_library
    from reviewer.library.store import content_hash

    path = library_location()
    with open_library(path) as lib:
        call_id = store_result(lib, card_call[1], content_hash(card_call[1]), card_processed)[0]
    return path, call_id


@pytest.fixture()
def read_only_folder(tmp_path):
    """A folder nobody may write in. Root writes through file modes, so there the kernel's
    /sys, which refuses new files even to root, stands in."""
    if os.geteuid() == 0:
        yield Path("/sys")
        return
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def digits_said(words) -> list[str]:
    text = " ".join(w.text for w in words)
    return re.findall(r"\d", text) + re.findall(DIGIT_WORDS, text, re.IGNORECASE)


# -- finding what to hide --------------------------------------------------------------------


def test_a_card_read_digit_by_digit_around_a_backchannel_is_one_span(card_call, card_processed):
    from reviewer.report.redaction import find_call_spans

    spans = find_call_spans(list(card_processed.transcript.words))
    assert [s.kind for s in spans] == ["card number", "phone number"], spans
    card, phone = spans
    call = card_call[0]
    first, second = (call.utterances[i] for i in CARD_LINES)
    okay = call.utterances[4]
    assert okay.speaker == "agent" and card.start < okay.start < okay.end < card.end  # across the "okay"
    assert card.start - 0.25 <= first.start and second.end <= card.end + 0.25
    assert phone.end + 0.25 >= call.utterances[7].end


def test_digit_words_across_turns_e_mails_and_the_users_own_words_are_found():
    from reviewer.model import Word
    from reviewer.report.redaction import find_call_spans

    said = [
        ("S2", "my"), ("S2", "number"), ("S2", "is"), ("S2", "four"), ("S2", "five"), ("S2", "five"),
        ("S1", "mhm"), ("S2", "six,"), ("S2", "one"), ("S2", "two."), ("S2", "mail"), ("S2", "me"),
        ("S2", "at"), ("S2", "jane.doe@example.com."), ("S1", "thanks"), ("S1", "Project"), ("S1", "Falcon"),
    ]  # fmt: skip
    words = [Word(i * 0.5, i * 0.5 + 0.4, text, who) for i, (who, text) in enumerate(said)]
    spans = find_call_spans(words, ("project falcon",))
    assert [(s.kind, s.start, s.end) for s in spans] == [
        ("number", 1.5, 4.9),  # "four five five" ... "six one two", the S1 "mhm" inside
        ("email", 6.5, 6.9),
        ("word list", 7.5, 8.4),
    ]


def test_digits_whisper_writes_with_commas_are_masked_in_the_transcript_too():
    from reviewer.report.redact import redact_text

    assert redact_text("4, 5, 5, 6, 7, 3, 7, 5, 8, 6, 8, 9, 9, 8, 5, 2.") == "[card number]."
    assert redact_text("Yes, it is 5, 5, 5, 2, 1, 2, 4, 3, 6, 7.") == "Yes, it is [phone number]."
    assert (
        redact_text("We paid $1,000,000 for 6, 7 or 8 of them.")
        == "We paid $1,000,000 for 6, 7 or 8 of them."
    )


# -- redacted audio --------------------------------------------------------------------------


def test_redacted_wav_bleeps_the_numbers_on_every_channel_and_keeps_every_other_sample(
    card_library, card_call, tmp_path
):
    from reviewer.audio.redact import TONE_LEVEL, tone
    from reviewer.library import open_library
    from reviewer.library.store import content_hash

    library, call_id = card_library
    original = card_call[1]
    before = content_hash(original)
    out = tmp_path / "shared" / "call.wav"
    out.parent.mkdir()
    proc = reviewer("export", call_id, "-f", "audio", "--redact", "-o", out, library=library)
    assert "redacted" in proc.stdout
    doc = json.loads((tmp_path / "shared" / "call.redactions.json").read_text())
    assert [s["kind"] for s in doc["spans"]] == ["card number", "phone number"]
    assert doc["mode"] == "tone" and doc["margin"] == 0.25
    assert not any(re.search(r"\d{4}", str(s.get("text", ""))) for s in doc["spans"])  # no secrets in it

    rate, src = read_wav(original)
    rate_out, got = read_wav(out)
    assert rate_out == rate and got.shape == src.shape  # same rate, channels and length
    hidden = np.zeros(src.shape[1], bool)
    for h in doc["hidden"]:
        a, b = round(h["start"] * rate), round(h["end"] * rate)
        hidden[a:b] = True
        for ch in range(src.shape[0]):  # every channel: the tone, and only the tone
            expected = np.round(tone(b - a, rate, 0, b - a) * 32767).astype(np.int32)
            assert np.abs(got[ch, a:b].astype(np.int32) - expected).max() <= 1
        rms = np.sqrt(np.mean((got[:, a + 200 : b - 200] / 32768.0) ** 2))
        assert rms == pytest.approx(TONE_LEVEL / np.sqrt(2), rel=0.02)
    assert np.array_equal(got[:, ~hidden], src[:, ~hidden])  # the rest, sample for sample
    # Every word of the card number as spoken lies in what was hidden.
    for i in CARD_LINES:
        u = card_call[0].utterances[i]
        assert hidden[int(u.start * rate) : int(u.end * rate)].all()
    # The original is untouched and the library still points at it.
    assert content_hash(original) == before
    with open_library(library) as lib:
        assert Path(lib.call_row(call_id).path) == original.resolve()
        settled()


def test_transcribing_the_redacted_audio_finds_none_of_the_digits(card_library, card_processed, tmp_path):
    from reviewer.pipeline import process_file

    library, call_id = card_library
    out = tmp_path / "redacted.wav"
    reviewer("export", call_id, "-f", "audio", "--redact", "-o", out, library=library)
    assert len(digits_said(card_processed.transcript.words)) >= 26  # the original says them all
    heard = process_file(out).transcript.words
    assert digits_said(heard) == [], " ".join(w.text for w in heard)
    said = " ".join(w.text.lower() for w in heard)
    assert "card number" in said and "payment" in said  # the rest of the call is still there


def test_silence_mode_and_a_wider_margin_from_the_settings_file(card_library, tmp_path):
    library, call_id = card_library
    settings = tmp_path / "settings.toml"
    settings.write_text('[redaction]\nmode = "silence"\nmargin = 0.5\n')
    out = tmp_path / "quiet.wav"
    reviewer("--settings", settings, "export", call_id, "-f", "audio", "--redact", "-o", out, library=library)
    doc = json.loads((tmp_path / "quiet.redactions.json").read_text())
    rate, got = read_wav(out)
    for s, h in zip(doc["spans"], doc["hidden"], strict=True):
        assert h["start"] == pytest.approx(s["start"] - 0.5) and h["end"] == pytest.approx(s["end"] + 0.5)
        assert not got[:, round(h["start"] * rate) : round(h["end"] * rate)].any()  # zero energy
    settings.write_text('[redaction]\nmode = "beep"\n')
    bad = reviewer("--settings", settings, "export", call_id, "-f", "audio", "--redact", "-o",
                   tmp_path / "x.wav", library=library, check=False)  # fmt: skip
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "tone" in bad.stderr
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize("suffix", [".mp3", ".ogg"])
def test_mp3_and_ogg_redacted_exports_play_for_the_whole_call(card_library, card_call, tmp_path, suffix):
    from reviewer.audio.decode import decode

    library, call_id = card_library
    out = tmp_path / f"call{suffix}"
    reviewer("export", call_id, "--redact", "-o", out, library=library)  # the format from the suffix
    audio = decode(out)
    assert audio.channels == 2 and audio.duration == pytest.approx(card_call[0].duration, abs=0.1)
    assert (tmp_path / "call.redactions.json").is_file()


def test_a_coach_adds_and_takes_out_spans_and_the_export_follows(card_library, tmp_path):
    library, call_id = card_library
    listed = json.loads(reviewer("redaction", call_id, "--json", library=library).stdout)
    assert [s["kind"] for s in listed] == ["card number", "phone number"]
    reviewer("redaction", call_id, "add", "--at", "1", "--to", "2.5", library=library)  # the agent's name
    reviewer("redaction", call_id, "remove", "--at", listed[1]["start"] + 0.5, library=library)
    now = json.loads(reviewer("redaction", call_id, "--json", library=library).stdout)
    assert [(s["kind"], s["source"]) for s in now] == [("added", "added"), ("card number", "found")]
    out = tmp_path / "edited.wav"
    reviewer("export", call_id, "-f", "audio", "--redact", "-o", out, library=library)
    rate, got = read_wav(out)
    assert np.abs(got[:, int(1.5 * rate) : int(2 * rate)]).max() > 0  # the tone where it was added
    phone = listed[1]
    _, src = read_wav(Path(json.loads(reviewer("show", call_id, "--json", library=library).stdout)["path"]))
    a, b = int(phone["start"] * rate), int(phone["end"] * rate)
    assert np.array_equal(got[:, a:b], src[:, a:b])  # taken out: the phone number is heard again
    reviewer("redaction", call_id, "reset", library=library)
    again = json.loads(reviewer("redaction", call_id, "--json", library=library).stdout)
    assert again == listed


# -- clips and playlists ---------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.audio: list[str] = []
        self.text: list[str] = []
        self.scripts = 0
        self.skip = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.skip = tag in ("style", "script")
        if tag == "audio":
            self.audio.append(attrs.get("src", ""))
        if tag == "script":
            self.scripts += 1
            assert "src" not in attrs  # self-contained
        if tag in ("link", "img"):
            raise AssertionError(f"a page that fetches {tag}")

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)


def _decode_bytes(data: bytes):
    import av

    with av.open(io.BytesIO(data)) as c:
        s = c.streams.audio[0]
        frames = [f.to_ndarray() for f in c.decode(s)]
        return s.codec_context.sample_rate, np.concatenate(frames, axis=1)


def test_a_playlist_across_calls_exports_as_one_page_that_plays_and_as_a_folder(
    card_library, processed, pushback, tmp_path
):
    from reviewer.importer import store_result
    from reviewer.library import open_library
    from reviewer.library.store import content_hash

    library, card_id = card_library
    with open_library(library) as lib:
        other = store_result(lib, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]
        comment = lib.add_comment(card_id, start=28.0, end=31.0, text="Warm close", category="praise")
    markers = json.loads(reviewer("show", other, "--json", library=library).stdout)["markers"]
    refusal = next(m for m in markers if m["kind"] == "refusal")
    reviewer("clip", card_id, "--at", "9", "--to", "20", "--title", "Taking a card number",
             "--note", "Read it back? Never.", "--playlist", "payments", library=library)  # fmt: skip
    reviewer("clip", other, "--marker", "--at", refusal["start"] + 0.5, "--title", "Asking why",
             "--playlist", "payments", library=library)  # fmt: skip
    reviewer("clip", card_id, "--comment", comment, "--title", "A warm close", "--playlist", "payments",
             library=library)  # fmt: skip
    listed = reviewer("playlist", "list", library=library).stdout
    assert "payments" in listed and "3 clips" in listed
    shown = reviewer("playlist", "show", "payments", library=library).stdout
    assert shown.index("Taking a card number") < shown.index("Asking why") < shown.index("A warm close")

    page = tmp_path / "payments.html"
    reviewer("playlist", "export", "payments", "-o", page, "--redact", library=library)
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    assert len(parser.audio) == 3 and parser.scripts == 1
    text = " ".join(parser.text)
    assert "Taking a card number" in text and "Read it back? Never." in text and "A warm close" in text
    assert "[card number]" in text and "please read me the card number" in text.lower()
    assert not re.search(r"\d\W{0,3}\d\W{0,3}\d", re.sub(r"\d+:\d\d", "", text)), text  # digits: times only
    lengths = []
    for src in parser.audio:
        assert src.startswith("data:audio/mpeg;base64,")
        rate, samples = _decode_bytes(base64.b64decode(src.split(",", 1)[1]))
        lengths.append(samples.shape[1] / rate)
    marker = refusal["end"] - refusal["start"]
    assert lengths == [
        pytest.approx(11.0, abs=0.1),
        pytest.approx(marker, abs=0.1),
        pytest.approx(3.0, abs=0.1),
    ]
    # The card clip is bleeped where the number is (clip time 3.2 s - 9.9 s: 12.2 - 18.9 in the call).
    rate, samples = _decode_bytes(base64.b64decode(parser.audio[0].split(",", 1)[1]))
    bleep = samples[:, int(4 * rate) : int(9 * rate)]
    spectrum = np.abs(np.fft.rfft(bleep[0]))
    assert np.argmax(spectrum) / (bleep.shape[1] / rate) == pytest.approx(1000, abs=5)

    folder = tmp_path / "for trainees"
    done = reviewer("playlist", "export", "payments", "-o", folder, "--no-redact", library=library)
    assert "(not redacted)" in done.stdout
    assert done.stderr.splitlines()[-1] == (
        f"reviewer: warning: {folder} is not redacted (--no-redact) and holds unmasked 1 card number; "
        "leave out --no-redact to hide them."
    )
    rows = list(csv.DictReader(io.StringIO((folder / "playlist.csv").read_text(encoding="utf-8-sig"))))
    assert [r["title"] for r in rows] == ["Taking a card number", "Asking why", "A warm close"]
    assert [r["call"] for r in rows] == ["card payment.wav", "pushback stereo.wav", "card payment.wav"]
    assert "cancel" in rows[1]["transcript"].lower()
    assert sorted(p.name for p in folder.iterdir()) == sorted([r["file"] for r in rows] + ["playlist.csv"])
    assert "4, 5, 5, 6" in rows[0]["transcript"]  # not redacted: this export was for the team


@pytest.mark.slow  # 20 s or more of real speech or a full command-line run: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_bad_input_gets_one_clear_line_and_nothing_half_written(card_library, read_only_folder, tmp_path):
    from reviewer.library import open_library

    library, call_id = card_library

    def fails(*args) -> str:
        proc = reviewer(*args, library=library, check=False)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("reviewer: "), proc.stderr
        return proc.stderr

    assert "past the end of the call" in fails("clip", call_id, "--at", "30", "--to", "5:00", "--title", "x")
    assert "outside the call" in fails("clip", call_id, "--at", "40", "--to", "50", "--title", "x")
    assert "needs a title" in fails("clip", call_id, "--at", "1", "--to", "5", "--title", "  ")
    assert "No marker at 0:05" in fails("clip", call_id, "--marker", "--at", "5", "--title", "x")
    assert "end after it starts" in fails("redaction", call_id, "add", "--at", "9", "--to", "8")
    with open_library(library) as lib:
        assert lib.clips() == [] and lib.playlists() == [] and lib.redaction_edits(call_id) == []

    reviewer(
        "clip", call_id, "--at", "9", "--to", "20", "--title", "Card", "--playlist", "p", library=library
    )
    before = sorted(os.listdir(read_only_folder))
    assert "read-only" in fails(
        "export", call_id, "-f", "audio", "--redact", "-o", read_only_folder / "c.wav"
    )
    assert "read-only" in fails("playlist", "export", "p", "-o", read_only_folder / "p.html")
    assert "read-only" in fails("playlist", "export", "p", "-o", read_only_folder / "clips")
    assert sorted(os.listdir(read_only_folder)) == before
    assert "original recording" in fails("export", call_id, "-f", "audio", "-o", card_library_path(library))
    assert "audio on its own" in fails("export", call_id, "-f", "audio,pdf", "-o", tmp_path / "x")
    assert list(tmp_path.glob("*.part")) == [] and not (tmp_path / "x").exists()


def _store_other_call(library: Path, audio: Path) -> int:
    """Another call in the library whose recording is ``audio`` (its words barely matter)."""
    from reviewer import actions
    from reviewer.analysis import analyse_transcript
    from reviewer.library import open_library
    from reviewer.model import Speaker, Transcript, Word
    from reviewer.settings import load_settings

    words = [
        Word(0.5 + i * 0.4, 0.8 + i * 0.4, w, "S1") for i, w in enumerate("Hello how can I help".split())
    ]
    transcript = Transcript(4.0, 1, "single", [Speaker("S1", channel=0)], words, [])
    transcript, analysis = analyse_transcript(transcript, load_settings())
    with open_library(library) as lib:
        return actions.calls.store_call(
            lib, audio, audio.name, transcript, analysis, source_channels=1, source_rate=8000, dual_mono=False
        )[0]


def test_no_export_writes_over_any_calls_recording_or_into_the_teams_audio_folder(card_library, tmp_path):
    """Issue 27, failures 1 and 2: call B's recording, named as an export or a clip would be."""
    from reviewer.library import open_library

    library, call_id = card_library
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    victims = [recordings / "01 Trap.mp3", recordings / "b.wav", recordings / "b.json"]
    for v in victims:
        v.write_bytes(b"call B's own recording")
        _store_other_call(library, v)
    link = tmp_path / "link.wav"
    link.symlink_to(victims[1])
    reviewer(
        "clip", call_id, "--at", "9", "--to", "13", "--title", "Trap", "--playlist", "p", library=library
    )

    def refused(*args) -> str:
        proc = reviewer(*args, library=library, check=False)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("reviewer: "), proc.stderr
        return proc.stderr

    assert "original recording" in refused("export", call_id, "-f", "audio", "--redact", "-o", victims[1])
    assert "original recording" in refused("export", call_id, "-f", "audio", "-o", link)
    assert "original recording" in refused("export", call_id, "-f", "json", "-o", victims[2])
    assert "original recording" in refused("export", "--all", "--labels", "-o", victims[2])
    assert "original recording" in refused("playlist", "export", "p", "-o", f"{recordings}/")
    assert "original recording" in refused("playlist", "export", "p", "-o", recordings)
    for v in victims:
        assert v.read_bytes() == b"call B's own recording", v
    assert sorted(p.name for p in recordings.iterdir()) == sorted(v.name for v in victims)

    team = tmp_path / "team audio"
    (team / "2026").mkdir(parents=True)
    with open_library(library) as lib:
        lib.set_audio_root(team)
    for args in (
        ["export", call_id, "-f", "pdf", "-o", team / "2026" / "a.pdf"],
        ["export", call_id, "-f", "audio", "-o", team / "a.wav"],
        ["playlist", "export", "p", "-o", team / "clips"],
        ["playlist", "export", "p", "-o", team / "p.html"],
    ):
        assert "team's audio folder" in refused(*args), args
    assert sorted(p.name for p in team.rglob("*")) == ["2026"]


def test_exports_are_redacted_unless_asked_not_to_and_then_say_what_they_hold(card_library, tmp_path):
    """Issue 27, failure 5: no flag hides the card in every export; --no-redact says what is left in."""
    library, call_id = card_library
    done = reviewer("export", call_id, "-o", tmp_path / "call.json", library=library)
    assert "(redacted)" in done.stdout and "warning" not in done.stderr
    doc = json.loads((tmp_path / "call.json").read_text())
    assert doc["redacted"] is True and "[card number]" in json.dumps(doc)
    done = reviewer("export", call_id, "-f", "audio", "-o", tmp_path / "call.wav", library=library)
    assert "redacted: tone" in done.stdout
    assert json.loads((tmp_path / "call.redactions.json").read_text())["spans"]
    reviewer(
        "clip", call_id, "--at", "9", "--to", "20", "--title", "Card", "--playlist", "p", library=library
    )
    reviewer("playlist", "export", "p", "-o", tmp_path / "p.html", library=library)
    assert "REDACTED" in (tmp_path / "p.html").read_text(encoding="utf-8")

    plain = tmp_path / "plain"
    warning = "is not redacted (--no-redact) and holds unmasked 1 card number, 1 phone number;"
    for args in (["-f", "json", "-o", plain / "c.json"], ["-f", "audio", "-o", plain / "c.wav"]):
        done = reviewer("export", call_id, *args, "--no-redact", "-q", library=library)
        assert "(not redacted)" in done.stdout
        assert done.stderr == f"reviewer: warning: {args[-1]} {warning} leave out --no-redact to hide them.\n"
    assert json.loads((plain / "c.json").read_text())["redacted"] is False
    assert not (plain / "c.redactions.json").exists()
    done = reviewer("playlist", "export", "p", "-o", plain / "p.html", "--no-redact", "-q", library=library)
    assert "holds unmasked 1 card number;" in done.stderr


def test_the_refusal_labels_export_is_redacted_too_unless_asked_not_to(card_library, tmp_path):
    """Issue 27 leftover: `export --labels` follows the same default and --no-redact as every other
    export, and masks each turn from the same list of spans as the call's other exports."""
    library, call_id = card_library
    doc = json.loads(reviewer("show", call_id, "--json", library=library).stdout)
    agent = next(s["id"] for s in doc["speakers"] if s["role"] == "agent")
    ask = next(t for t in doc["turns"] if t["speaker"] == agent and "card number" in t["text"].lower())
    reviewer("refusal", call_id, "--at", round(ask["start"] + 0.3, 2), "--is", "no", library=library)

    labels = tmp_path / "labels.json"
    done = reviewer("export", "--all", "--labels", "-o", labels, library=library)
    assert done.stdout == f"Wrote 1 labelled agent turns from 1 calls to {labels} (redacted)\n"
    assert done.stderr == ""
    (dialogue,) = json.loads(labels.read_text(encoding="utf-8"))
    said = " ".join(t["text"] for t in dialogue["turns"])
    assert not re.findall(r"\d", said) and not re.findall(DIGIT_WORDS, said, re.IGNORECASE), said
    assert "[card number]" in said and "[phone number]" in said
    assert [t.get("label") for t in dialogue["turns"]].count("not_pushback") == 1
    reviewer("export", call_id, "-o", tmp_path / "call.json", library=library)
    redacted = json.loads((tmp_path / "call.json").read_text(encoding="utf-8"))["turns"]
    assert [t["text"] for t in dialogue["turns"]] == [t["text"] for t in redacted]  # the one list

    plain = tmp_path / "plain.json"
    done = reviewer("export", "--all", "--labels", "-o", plain, "--no-redact", library=library)
    assert done.stdout.endswith(f"to {plain} (not redacted)\n")
    assert done.stderr == (
        f"reviewer: warning: {plain} is not redacted (--no-redact) and holds unmasked 1 card number, "
        "1 phone number; leave out --no-redact to hide them.\n"
    )
    (dialogue,) = json.loads(plain.read_text(encoding="utf-8"))
    said = " ".join(t["text"] for t in dialogue["turns"])
    assert len(re.findall(r"\d", said) + re.findall(DIGIT_WORDS, said, re.IGNORECASE)) >= 16, said
    assert "[card number]" not in said


def card_library_path(library) -> Path:
    from reviewer.library import open_library

    with open_library(library) as lib:
        return Path(lib.call_row(lib.select_calls()[0]).path)


# -- the app ---------------------------------------------------------------------------------


@pytest.fixture()
def share_window(qtbot, tmp_path, settings, monkeypatch, card_library):
    """The app reviewing the card call, as a coach opens it."""
    from reviewer.ui.main_window import MainWindow

    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(tmp_path / "config"))
    library, call_id = card_library
    w = MainWindow(settings, library_path=library, first_run_sample=False)
    qtbot.addWidget(w)
    w.show()
    w.open_call(call_id)
    settled()
    qtbot.waitUntil(lambda: w.review_page.call is not None)
    yield w, call_id
    w.close()


def test_the_redaction_preview_shows_the_spans_and_the_coach_changes_them_undoably(
    share_window, qtbot, tmp_path, read_only_folder
):
    w, call_id = share_window
    menus = {a.text().replace("&", ""): a for a in w.menuBar().actions()}
    share = menus["Share"].menu()
    assert any("redacted audio" in a.text().replace("&", "").lower() for a in share.actions())
    file_menu = [a.text().replace("&", "") for a in menus["File"].menu().actions()]
    assert file_menu.index("Export redacted audio…") == file_menu.index("Export…") + 1
    w.sharing.preview_action.trigger()
    settled()
    preview = w.sharing.preview
    qtbot.waitUntil(preview.isVisible)
    kinds = [preview.table.item(r, 1).text() for r in range(preview.table.rowCount())]
    assert kinds == ["card number", "phone number"]
    said = "Every redacted export of this call: 2 spans hidden: 1 card number, 1 phone number."
    assert preview.summary.text() == said
    hidden = preview.timeline_model.redactions
    assert len(hidden) == 2 and hidden[0][0] == pytest.approx(preview.spans[0].start - 0.25)

    preview.table.selectRow(1)  # the phone number may be heard (say it is the company's)
    assert preview.timeline_model.playhead == pytest.approx(preview.spans[1].start)
    review_steps = w.review_page.undo_stack.count()
    preview.remove_button.click()
    settled()
    assert [s.kind for s in preview.spans] == ["card number"] and len(preview.timeline_model.redactions) == 1
    # The preview's undo is its own: it undoes this change, and the review's steps stay apart.
    assert w.review_page.undo_stack.count() == review_steps
    assert preview.undo_button.defaultAction().text().startswith("Undo Stop hiding phone number")
    preview.undo_button.click()
    settled()
    assert [s.kind for s in preview.spans] == ["card number", "phone number"]
    preview.redo_button.click()
    settled()
    assert [s.kind for s in preview.spans] == ["card number"]

    assert not preview.hide_button.isEnabled()
    preview.timeline_model.set_selection((1.0, 2.5))  # the agent's name, dragged on the timeline
    preview.hide_button.click()
    settled()
    assert [(s.kind, s.source) for s in preview.spans] == [("added", "added"), ("card number", "found")]
    assert preview.table.item(0, 3).text() == "you"
    assert preview.summary.text().endswith(": 2 spans hidden: 1 card number, 1 by hand.")

    # Kept with the call: a preview opened again (or the command line) sees the same.
    preview.close()
    w.sharing.show_preview()
    settled()
    again = w.sharing.preview
    assert again is not preview and [s.kind for s in again.spans] == ["added", "card number"]
    out = tmp_path / "shared.wav"
    job = w.sharing.export_redacted_audio({call_id: "card payment.wav"}, out=out)
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    settled()
    doc = json.loads((tmp_path / "shared.redactions.json").read_text())
    assert [s["kind"] for s in doc["spans"]] == ["added", "card number"]
    assert "Exported 2 file(s)" in w.sharing.message.text()

    job = w.sharing.export_redacted_audio({call_id: "x"}, out=read_only_folder / "x.wav")
    with qtbot.waitSignal(job.failed, timeout=60_000):
        pass
    settled()
    assert "read-only" in w.sharing.message.text() and not (read_only_folder / "x.wav").exists()
    w.set_viewer("Sam")  # the agent's self-review: redaction changes and clips are the coach's
    settled()
    assert not w.sharing.preview_action.isEnabled() and not w.sharing.clip_action.isEnabled()
    w.set_viewer("")
    settled()
    assert w.sharing.preview_action.isEnabled()


def test_clips_from_a_selection_and_a_comment_play_one_after_another_and_export(
    share_window, qtbot, tmp_path
):
    w, call_id = share_window
    page = w.review_page
    page.timeline_model.set_selection((9.0, 12.0))
    w.sharing.clip_dialog_here()
    settled()  # the playlists are read on the library thread
    dialog = w.sharing.clip_dialog
    dialog.title.setText("")
    dialog.accept()  # an empty title is refused where it is typed
    assert dialog.isVisible() and "needs a title" in dialog.error.text()
    dialog.title.setText("Asking for the card")
    dialog.note.setPlainText("Good: asks plainly.")
    dialog.playlist.setEditText("payments")
    dialog.accept()
    settled()
    assert [c.title for c in w.library.playlist_clips("payments")] == ["Asking for the card"]

    page.timeline_model.set_selection(None)
    page.comments.select(comment_added(page.comments, 28.0, 30.5, text="Friendly close", category="praise"))
    w.sharing.clip_dialog_here()
    settled()
    dialog = w.sharing.clip_dialog
    assert dialog.title.text() == "Friendly close" and dialog.start == 28.0 and dialog.end == 30.5
    assert dialog.playlist.findText("payments") >= 0
    dialog.playlist.setCurrentText("payments")
    dialog.accept()
    settled()
    assert len(w.library.playlist_clips("payments")) == 2
    w.undo_action.trigger()
    settled()
    assert len(w.library.playlist_clips("payments")) == 1
    w.redo_action.trigger()
    settled()
    assert [c.title for c in w.library.playlist_clips("payments")] == [
        "Asking for the card",
        "Friendly close",
    ]

    lists = w.sharing.show_playlists()
    settled()
    assert lists.name == "payments" and lists.table.rowCount() == 2
    seen = []
    lists.player.positionChanged.connect(lambda ms: seen.append((lists.index, ms)))
    lists.play_button.click()
    settled()
    qtbot.waitUntil(lambda: lists.index == 1, timeout=20_000)  # the first clip ended: the next one plays
    assert "Playing 2 of 2: Friendly close" in lists.now_playing.text()
    qtbot.waitUntil(lambda: not lists.playing, timeout=20_000)  # and the playlist stops after it
    first = [ms for i, ms in seen if i == 0 and ms > 0]
    second = [ms for i, ms in seen if i == 1 and ms >= 28_000]  # (the player may report once more
    assert first and 9000 <= min(first) and max(first) <= 12_400  # where it was before the seek)
    assert second and min(second) <= 28_300 and max(second) <= 30_900

    out = tmp_path / "payments.html"
    job = lists.export(page=True, out=out)
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    settled()
    parser = _Page()
    parser.feed(out.read_text(encoding="utf-8"))
    assert len(parser.audio) == 2 and "Good: asks plainly." in " ".join(parser.text)


def test_the_redaction_preview_plays_the_bleeped_audio_before_exporting(
    share_window, qtbot, tmp_path, monkeypatch, card_call
):
    """Play in the preview renders the redacted audio as the export does (into Reviewer's cache,
    on a worker with progress and cancel) and plays it from the playhead; a change of the spans
    makes it render again, and closing the preview takes it out of the cache."""
    from PySide6.QtMultimedia import QMediaPlayer

    from reviewer.report.audio import padded

    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    w, call_id = share_window
    w.sharing.show_preview()
    settled()
    preview = w.sharing.preview
    qtbot.waitUntil(preview.isVisible)
    assert preview.play_button.isEnabled() and not preview.stop_button.isEnabled()

    preview.play_button.click()  # pressed, then Cancel at once: nothing is played or kept
    assert preview.render_bar.isVisible() and preview.cancel_button.isVisible()
    preview.cancel_button.click()
    qtbot.waitUntil(lambda: preview.render_job is None, timeout=30_000)
    assert preview.hearing.text() == "Cancelled: nothing to play yet." and preview.rendered is None
    assert not preview.render_bar.isVisible()

    preview.table.selectRow(0)  # the card number: the playhead goes to it
    card = preview.spans[0]
    preview.play_button.click()
    qtbot.waitUntil(
        lambda: preview.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=30_000
    )
    rendered = tmp_path / "cache" / "redaction preview" / f"call {call_id}.wav"
    assert preview.rendered == rendered and preview.player.source().toLocalFile() == str(rendered)
    assert preview.stop_button.isEnabled() and "Playing the redacted audio" in preview.hearing.text()
    qtbot.waitUntil(lambda: preview.player.position() > card.start_ms - 2000 + 300, timeout=20_000)
    assert preview.player.position() < card.start_ms + 4000  # from two seconds before the playhead
    # What plays is what the export hides: the card number's samples are not the recording's.
    rate, heard = read_wav(rendered)
    _, said = read_wav(card_call[1])
    (a, b), *_ = padded(preview.spans, w.sharing.settings.redact_margin, preview.duration_ms)
    inside = slice(a * rate // 1000 + 10, b * rate // 1000 - 10)
    assert not np.array_equal(heard[:, inside], said[:, inside])
    assert np.array_equal(heard[:, : a * rate // 1000 - 10], said[:, : a * rate // 1000 - 10])

    preview.stop_button.click()
    assert preview.player.playbackState() == QMediaPlayer.PlaybackState.StoppedState
    preview.timeline_model.set_selection((1.0, 2.5))  # one more span hidden: heard anew next time
    preview.hide_button.click()
    settled()
    assert preview.rendered is None and not rendered.exists()
    preview.play_button.click()
    qtbot.waitUntil(lambda: preview.rendered is not None and rendered.is_file(), timeout=30_000)
    preview.close()
    assert not rendered.exists()
    assert w.review_page.undo_stack.count() == 0  # the preview's changes stay on its own stack


def test_a_clips_range_is_typed_in_its_dialog_and_checked_against_the_call(share_window, qtbot):
    w, call_id = share_window
    w.review_page.timeline_model.set_selection((9.0, 12.0))
    w.sharing.clip_dialog_here()
    settled()
    dialog = w.sharing.clip_dialog
    length = w.library.call_row(call_id).duration
    assert (dialog.start_edit.text(), dialog.end_edit.text()) == ("0:09.0", "0:12.0")
    assert dialog.length.text().startswith("3.0 s of ")
    dialog.title.setText("The card, asked for")
    dialog.end_edit.clear()
    qtbot.keyClicks(dialog.end_edit, "99:00")
    assert dialog.error.isVisible() and "past the end of the call" in dialog.error.text()
    dialog.accept()
    assert dialog.isVisible()  # refused where it is typed
    dialog.end_edit.setText("0:05")
    dialog.accept()
    assert dialog.isVisible() and "must end after it starts" in dialog.error.text()
    dialog.end_edit.setText("soon")
    dialog.accept()
    assert dialog.isVisible() and "is not a time" in dialog.error.text()
    dialog.start_edit.clear()
    qtbot.keyClicks(dialog.start_edit, "8.5")
    dialog.end_edit.clear()
    qtbot.keyClicks(dialog.end_edit, "0:13")
    assert not dialog.error.isVisible() and dialog.length.text().startswith("4.5 s of ")
    dialog.playlist.setEditText("payments")
    dialog.accept()
    settled()
    (clip,) = w.library.playlist_clips("payments")
    assert (clip.start, clip.end, clip.title) == (8.5, 13.0, "The card, asked for")
    assert length > 13


def test_a_playlist_is_reordered_with_up_and_down_undoably_and_kept(share_window, qtbot):
    w, call_id = share_window
    for n, title in enumerate(("Greeting", "Card", "Goodbye")):
        w.library.add_clip(call_id, start=n * 5.0, end=n * 5.0 + 3, title=title, playlist="training")
    lists = w.sharing.show_playlists()
    settled()

    def order() -> list[str]:
        return [c.title for c in w.library.playlist_clips("training")]

    def shown() -> list[str]:
        return [lists.table.item(r, 0).text() for r in range(lists.table.rowCount())]

    assert shown() == ["Greeting", "Card", "Goodbye"]
    assert not lists.up_button.isEnabled() and not lists.down_button.isEnabled()
    lists.table.selectRow(0)
    assert not lists.up_button.isEnabled() and lists.down_button.isEnabled()
    lists.table.selectRow(2)
    assert lists.up_button.isEnabled() and not lists.down_button.isEnabled()
    lists.up_button.click()
    settled()
    assert order() == shown() == ["Greeting", "Goodbye", "Card"]
    assert lists.table.currentRow() == 1  # the clip moved stays selected
    lists.up_button.click()
    settled()
    assert order() == shown() == ["Goodbye", "Greeting", "Card"]
    assert lists.undo_button.defaultAction().text() == "Undo Move 'Goodbye' to 1"
    lists.undo_button.click()
    settled()
    assert order() == shown() == ["Greeting", "Goodbye", "Card"]
    lists.undo_button.click()
    settled()
    assert order() == ["Greeting", "Card", "Goodbye"]
    lists.redo_button.click()
    settled()
    assert order() == shown() == ["Greeting", "Goodbye", "Card"]
    assert w.review_page.undo_stack.count() == 0  # the playlists' own undo, not the call's


def test_reviewer_playlist_move_puts_a_clip_in_its_new_place(card_library):
    from reviewer.library import open_library

    library, call_id = card_library
    with open_library(library) as lib:
        ids = [
            lib.add_clip(call_id, start=n * 5.0, end=n * 5.0 + 3, title=t, playlist="training")
            for n, t in enumerate(("Greeting", "Card", "Goodbye"))
        ]
    proc = reviewer("playlist", "move", "training", "--clip", ids[2], "--to", 1, library=library)
    assert proc.stdout.splitlines()[0] == f"clip #{ids[2]} is now 1 of 3 in 'training'"
    with open_library(library) as lib:
        assert [c.title for c in lib.playlist_clips("training")] == ["Goodbye", "Greeting", "Card"]
    bad = reviewer("playlist", "move", "training", "--clip", ids[0], "--to", 0, library=library, check=False)
    assert bad.returncode != 0 and "--to counts from 1" in bad.stderr
    gone = reviewer("playlist", "move", "training", "--clip", 999, "--to", 1, library=library, check=False)
    assert gone.returncode != 0 and "Clip #999 is not in the playlist 'training'" in gone.stderr


def test_a_cancelled_audio_export_leaves_the_file_that_was_there(card_library, settings, tmp_path):
    from reviewer.errors import Cancelled
    from reviewer.library import open_library
    from reviewer.progress import CancelToken
    from reviewer.report.audio import export_audio

    library, call_id = card_library
    target = tmp_path / "out" / "call.wav"
    target.parent.mkdir()
    target.write_bytes(b"RIFF an earlier export")
    token, seen = CancelToken(), []

    def halfway(p) -> None:  # Cancel pressed once the new file is being written
        seen.append(p.fraction)
        token.cancel()

    with open_library(library) as lib, pytest.raises(Cancelled):
        export_audio(lib, settings, [call_id], target, cancel=token, progress=halfway)
    assert seen and seen[0] < 1.0
    assert target.read_bytes() == b"RIFF an earlier export"
    assert [p.name for p in target.parent.iterdir()] == ["call.wav"]


# -- a full disk, a read-only folder, who may read an export (issue 27: 7, 8, 9) ----------------


def _run(*args, library, prefix=(), umask=None):
    cmd = [*prefix, sys.executable, "-m", "reviewer", "--library", str(library), *map(str, args)]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=600,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def _one_line(proc, *said: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("reviewer: "), proc.stderr
    assert "Traceback" not in proc.stderr and "exception" not in proc.stderr.lower(), proc.stderr
    for s in said:
        assert s in proc.stderr, proc.stderr


def _small_disk_prefix(folder: Path, kib: int) -> list[str]:
    """Run a command with ``folder`` a tmpfs of ``kib`` KiB in its own mount namespace; it prints
    what is left in the folder afterwards (``LEFT:name|name|``) on stdout."""
    script = 'mount -t tmpfs -o size=$1k tmpfs "$0" || exit 99; shift; "$@"; rc=$?; '
    script += 'echo "LEFT:$(ls -A "$0" | tr "\\n" "|")"; exit $rc'
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    probe = subprocess.run([*unshare, "sh", "-c", script, str(folder), str(kib), "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (unshare/mount): {probe.stderr.decode().strip()}")
    return [*unshare, "sh", "-c", script, str(folder), str(kib)]


@pytest.mark.slow  # 20 s or more of real speech or a full command-line run: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_a_full_disk_is_one_line_and_leaves_no_partial_file(card_library, tmp_path):
    library, call_id = card_library
    disk = tmp_path / "small disk"
    disk.mkdir()
    prefix = _small_disk_prefix(disk, 16)
    reviewer(
        "clip", call_id, "--at", "1", "--to", "30", "--title", "Card", "--playlist", "p", library=library
    )
    for args in (
        ["export", call_id, "-f", "pdf", "-o", disk / "call.pdf"],
        ["export", call_id, "-f", "json,html", "-o", disk / "out"],
        ["export", call_id, "-f", "audio", "-o", disk / "call.wav"],
        ["export", call_id, "-f", "audio", "--no-redact", "-o", disk / "call.mp3"],
        ["playlist", "export", "p", "-o", disk / "p.html"],
        ["playlist", "export", "p", "-o", disk / "clips"],
    ):
        proc = _run(*args, "-q", library=library, prefix=prefix)
        _one_line(proc, "No space left on the disk of", "while writing")
        left = proc.stdout.rsplit("LEFT:", 1)[1].strip().strip("|")
        assert ".part" not in left, (args, left)
        if args[-1].suffix:  # one file: not there at all
            assert left == "", (args, left)


@pytest.fixture()
def without_root_override():
    """What runs a command for whom file modes bind: as root, without the capabilities that let
    root write anywhere (setpriv drops them from the bounding set)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root and setpriv (to drop CAP_DAC_OVERRIDE) is not installed")
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot drop CAP_DAC_OVERRIDE here")
    return prefix


@pytest.mark.sqlite_only("runs without root's override of file modes: a PostgreSQL test socket refuses it")
def test_a_report_into_a_read_only_folder_is_one_line(card_library, tmp_path, without_root_override):
    library, call_id = card_library
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for args in (
            ["export", call_id, "-f", "pdf", "-o", locked / "call.pdf"],
            ["export", call_id, "-f", "json,csv,summary", "-o", locked],
            ["export", call_id, "-f", "srt", "-o", locked / "new folder" / "call.srt"],
        ):
            _one_line(_run(*args, library=library, prefix=without_root_override), "read-only")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def _modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in sorted(folder.rglob("*"))}


def test_exports_are_owner_only_unless_asked_for_shared_modes(card_library, tmp_path):
    library, call_id = card_library
    reviewer(
        "clip", call_id, "--at", "1", "--to", "5", "--title", "Hello", "--playlist", "p", library=library
    )
    for shared, (file, folder) in ((False, (0o600, 0o700)), (True, (0o644, 0o755))):
        out = tmp_path / ("shared" if shared else "private")
        more = ["--shared-modes"] if shared else []
        for args in (
            ["export", call_id, "-f", "pdf,json", "-o", out / "reports"],
            ["export", call_id, "-f", "audio", "-o", out / "audio" / "call.wav"],
            ["playlist", "export", "p", "-o", out / "clips"],
            ["playlist", "export", "p", "-o", out / "page" / "p.html"],
        ):
            proc = _run(*args, *more, "-q", library=library, umask=0o022)
            assert proc.returncode == 0, proc.stderr
        modes = _modes(out)
        assert sorted(modes) == sorted([
            "audio", "audio/call.redactions.json", "audio/call.wav", "clips", "clips/01 Hello.mp3",
            "clips/playlist.csv", "page", "page/p.html", "reports", "reports/card payment.json",
            "reports/card payment.pdf",
        ])  # fmt: skip
        for name, mode in modes.items():
            assert mode == (folder if (out / name).is_dir() else file), (name, oct(mode))
