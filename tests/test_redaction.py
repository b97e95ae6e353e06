"""Redaction that keeps its promise: what the finders find in what Whisper writes (and what they
leave), one list of spans that every redacted export hides, notices that say what was hidden and
nothing more; and a call spoken by espeak-ng with an e-mail address, a date of birth and a span a
coach hides by hand, exported every redacted way and read back as a user would, its redacted
audio transcribed again by the real model."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from callgen import Line, render, write_wav

from reviewer import actions

# -- what the finders find ---------------------------------------------------------------------

FOUND = [
    # e-mail addresses, as people say them and as Whisper writes them
    ("jane dot goat at example dot com", "[email]"),
    ("My email is Jane .goatexample .com, thanks.", "My email is [email], thanks."),
    ("It is game .go .tog .numple .com", "It is [email]"),
    ("it's j-a-n-e at gmail", "it's [email]"),
    ("it's j a n e at example.com", "it's [email]"),
    ("or j -a -n -e -atignumple .com.", "or [email]."),
    ("J. A. N. E. at gmail dot com", "[email]"),
    ("write to jane@example.com today", "write to [email] today"),
    ("jane at example.com", "[email]"),
    ("jane dot goat@example dot com", "[email]"),
    ("email me at jane at gmail dot com", "email me at [email]"),
    # dates of birth
    ("I was born on March 3rd 1985.", "I was born on [date of birth]."),
    ("My date of birth is 03/03/1985.", "My date of birth is [date of birth]."),
    ("date of birth, oh three oh three eighty five", "date of birth, [date of birth]"),
    ("My date of birth is no 3 -0 3 -85.", "My date of birth is no [date of birth]."),
    ("Date of birth? May 3rd, 1985.", "Date of birth? [date of birth]."),
    (
        "What is your date on birth? The third of March, nineteen eighty five.",
        "What is your date on birth? [date of birth].",
    ),
    # social security numbers
    ("My SSN is 123-45-6789.", "My SSN is [social security number]."),
    ("my social is 123 45 6789", "my social is [social security number]"),
    ("My social 1 2 3 4 5 6 7 8 9,", "My social [social security number],"),
    (
        "The last four of my social security number are 6789.",
        "The last four of my social security number are [social security number].",
    ),
    (
        "Can I have the last four of your social? Sure, 6789.",
        "Can I have the last four of your social? Sure, [social security number].",
    ),
    # card expiry dates and security codes
    ("The card expires 04/27.", "The card expires [expiry date]."),
    ("expiration date oh four twenty seven", "expiration date [expiry date]"),
    ("the exploration date is 0 .427", "the exploration date is [expiry date]"),
    ("CVV is 123", "CVV is [security code]"),
    ("security code three two one", "security code [security code]"),
    ("the 3 digits on the back are 412", "the 3 digits on the back are [security code]"),
    ("The three digits on the back are four one two.", "The three digits on the back are [security code]."),
    # a card read in groups with a digit misheard as a letter (issue 27): the whole run is the card
    ("It is 453 -I -1488 -0343 -6467.", "It is [card number]."),
    # ... or glued to a group: "l" or "I" for a spoken "one", "O" for "zero", "S" for "five"
    ("It is 4532 l111 0343 6467.", "It is [card number]."),
    ("My card is 4532 I111 0343 6467, thanks.", "My card is [card number], thanks."),
    ("It's 4532 1111 O343 6467", "It's [card number]"),
    ("4S32 1111 0343 6467 is the card", "[card number] is the card"),
    ("the number 4532 l111 O343 6467 expires 04/27", "the number [card number] expires [expiry date]"),
    ("5500 -0000 -0O00 -0004", "[card number]"),
    ("the card 4532l11103436467 please", "the card [card number] please"),
    (
        "the card is 4111 1111 1111 1111, expiry 04 27 and the CVC 123",
        "the card is [card number], expiry [expiry date] and the CVC [security code]",
    ),
]

LEFT_ALONE = [
    "Your order number is 412.",  # a 3-digit number alone is no security code
    "I paid 412 dollars on March 3rd at 5 pm.",
    "It expires in 20 days.",
    "We close at six. I called on March 3rd, 2024 about my bill of $300.",
    "I pay $20 a month since 2019, for 6 months, at 5 pm on the 12th.",
    "I've been a customer since 1985 and moved here in March 2019.",
    "Call us at northwind dot com, or visit northwind.com for details.",
    "I saw it on social media, it cost 2000 dollars.",
    "The Social Security office said 1200.",
    "Room 212, three people, at 10:30.",
    "Your date of birth? Sorry, I may need 10 minutes to find it.",  # the context alone is not enough
    "I'm at home. Com on.",
    # letters that look like digits, beside numbers that are no card (issue 27)
    "I 111",
    "I think I 111 times said so.",
    "Model 0343 shipped in May, Model B12 in June.",
    "Ol' 45 is my favourite record.",
    "We open at 9 O'clock and close at 10 O'clock.",
    "It was 1950s music, 5s and 10s, and B12 vitamins.",
    "I paid $1,500.00 in 2019 and then 1,250 dollars, £15000 in all.",
    "It costs 12.99 a month, or 3 for 29.99.",
]


@pytest.mark.parametrize(("said", "masked"), FOUND)
def test_the_finders_mask_what_people_say_as_whisper_writes_it(said, masked):
    from reviewer.report.redact import redact_text

    assert redact_text(said) == masked


@pytest.mark.parametrize("said", LEFT_ALONE)
def test_amounts_times_other_dates_and_lone_short_numbers_are_left_alone(said):
    from reviewer.report.redact import redact_text

    assert redact_text(said) == said


def test_an_answer_to_the_other_sides_question_is_found_in_the_words_with_its_times():
    from reviewer.model import Word
    from reviewer.report.redaction import find_call_spans

    said = [
        ("S1", "What's"), ("S1", "your"), ("S1", "date"), ("S1", "of"), ("S1", "birth?"),
        ("S2", "March"), ("S2", "3rd,"), ("S2", "1985."), ("S1", "And"), ("S1", "the"), ("S1", "last"),
        ("S1", "four"), ("S1", "of"), ("S1", "your"), ("S1", "social?"), ("S2", "6"), ("S2", "7"),
        ("S2", "8"), ("S2", "9."), ("S1", "Thanks,"), ("S1", "in"), ("S1", "March"), ("S1", "2019"),
    ]  # fmt: skip
    words = [Word(i * 0.5, i * 0.5 + 0.4, text, who) for i, (who, text) in enumerate(said)]
    spans = find_call_spans(words)
    assert [(s.kind, s.start, s.end, s.speaker) for s in spans] == [
        ("date of birth", 2.5, 3.9, "S2"),
        ("social security number", 7.5, 9.4, "S2"),
    ]


# -- one list for every redacted export --------------------------------------------------------

LINES = [
    ("S1", "Thank you for calling Northwind, my name is Ana, how can I help?"),
    ("S2", "My card number is 4111 1111 1111 1111 and it expires 04/27."),
    ("S1", "Thanks. What is your e-mail address?"),
    ("S2", "It is jane dot goat at example dot com."),
    ("S1", "And your date of birth?"),
    ("S2", "March 3rd, 1985. My project is called Falcon Ridge."),
    ("S1", "You can also reach us on 555 010 2000 at any time."),
    ("S2", "Thank you, that is all."),
]


def _transcript_call(library, settings, tmp_path, lines=LINES, name="details", audio=False) -> int:
    """A call with these words (as Whisper writes them), analysed by the real analysis; with
    ``audio``, a recording as long as the call (quiet noise) that audio exports can cut."""
    from reviewer.analysis import analyse_transcript
    from reviewer.model import Speaker, Transcript, Word

    words, t = [], 0.5
    for speaker, text in lines:
        for w in text.split():
            words.append(Word(round(t, 3), round(t + 0.3, 3), w, speaker))
            t += 0.35
        t += 1.0
    transcript = Transcript(
        t + 1, 2, "channels", [Speaker("S1", channel=0), Speaker("S2", channel=1)], words, []
    )
    transcript, analysis = analyse_transcript(transcript, settings)
    path = tmp_path / f"{name}.wav"
    digest = name
    if audio:
        import numpy as np
        from callgen import RATE

        from reviewer.library.store import content_hash

        noise = np.random.default_rng(1).normal(0, 0.01, (2, int(transcript.duration * RATE)))
        write_wav(path, noise.astype(np.float32), RATE)
        digest = content_hash(path)
    else:
        path.write_bytes(b"RIFF")
    call_id, _ = actions.calls.store_call(
        library, path, digest, transcript, analysis, source_channels=2, source_rate=8000, dual_mono=False
    )
    return call_id


def _said_between(library, call_id, start: float, end: float) -> list[float]:
    words = library.load_call(call_id).transcript.words
    return [w for w in words if start <= w.start and w.end <= end]


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = False

    def handle_starttag(self, tag, attrs):
        self.skip = tag in ("style", "script")

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def _strings(doc) -> list[str]:
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return [doc] if isinstance(doc, str) else []


def read_export(path: Path) -> str:
    """What a user sees in an export, read by a reader other than Reviewer's."""
    import srt
    import webvtt

    if path.suffix == ".pdf":
        return _pdf_text(path)
    if path.suffix in (".html", ".htm"):
        return html_text(path)
    if path.suffix == ".json":
        return "\n".join(_strings(json.loads(path.read_text(encoding="utf-8"))))
    if path.suffix == ".csv":
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        return "\n".join(" | ".join(row) for row in rows)
    if path.suffix == ".srt":
        return "\n".join(s.content for s in srt.parse(path.read_text(encoding="utf-8")))
    if path.suffix == ".vtt":
        return "\n".join(c.text for c in webvtt.read(str(path)))
    raise AssertionError(f"no reader for {path}")


ALL = ["pdf", "html", "csv", "json", "srt", "vtt"]


def test_a_coachs_spans_and_removals_apply_to_every_text_export_and_the_notice_counts_them(
    library, settings, tmp_path
):
    from reviewer.actions.exports import export_calls
    from reviewer.report.redaction import call_redactions

    call_id = _transcript_call(library, settings, tmp_path)
    found = call_redactions(library, call_id, settings)
    assert [s.kind for s in found] == ["card number", "expiry date", "email", "date of birth", "phone number"]
    falcon = _said_between(library, call_id, 0, 100)
    falcon = [w for w in falcon if w.text.strip(".") in ("Falcon", "Ridge")]
    library.add_redaction_edit(call_id, falcon[0].start, falcon[-1].end, "add")  # the coach's own span
    phone = found[-1]
    library.add_redaction_edit(call_id, phone.start, phone.end, "remove")  # the company's own number
    spans = call_redactions(library, call_id, settings)
    assert [(s.kind, s.source) for s in spans] == [
        ("card number", "found"),
        ("expiry date", "found"),
        ("email", "found"),
        ("date of birth", "found"),
        ("added", "added"),
    ]
    summary = (
        "5 spans hidden: 1 card number, 1 card expiry date, 1 e-mail address, 1 date of birth, 1 by hand"
    )
    paths = export_calls(library, settings, [call_id], ALL, tmp_path / "out", redact=True)
    for path in paths:
        text = read_export(path)
        low = text.lower()
        for secret in ("4111", "04/27", "jane", "goat", "example", "1985", "march", "falcon", "ridge"):
            assert secret not in low, f"{secret!r} left in {path.name}"
        if path.suffix != ".csv":  # (the CSV lists markers and comments, not the transcript)
            assert "555 010 2000" in text, path.name  # taken out by the coach: shown again
            assert "[card number]" in text and "[date of birth]" in text and "[redacted]" in text, path.name
        if path.suffix in (".pdf", ".html"):
            assert f"REDACTED: {summary}" in re.sub(r"\s+", " ", text), path.name
    doc = json.loads((tmp_path / "out" / "details.json").read_text(encoding="utf-8"))
    assert doc["redaction"]["summary"] == summary
    assert [(s["kind"], s["start"], s["end"]) for s in doc["redaction"]["spans"]] == [
        (s.kind, s.start, s.end) for s in spans
    ]
    said = " ".join(t["text"] for t in doc["turns"])
    assert "It is [email]." in said and "My project is called [redacted]" in said
    assert re.sub(r"\s+", " ", " ".join(w["text"] for w in doc["words"])) == said
    assert f"(redacted: {summary})" in (tmp_path / "out" / "details.vtt").read_text(encoding="utf-8")


def test_a_marker_quoting_what_was_hidden_is_masked_too(library, settings, tmp_path):
    from reviewer.actions.exports import export_calls, load_report

    after = " ".join(["and that is what we will use from now on for every letter we send you"] * 6)
    reading_back = " ".join(["so"] * 20) + " I have your e-mail as jane dot goat at example dot com " + after
    lines = [("S2", "Hello, I moved house."), ("S1", reading_back), ("S2", "Yes, thank you.")]
    call_id = _transcript_call(library, settings, tmp_path, lines, name="monologue")
    report = load_report(library, call_id, settings, redact=True)
    monologue = next(m for m in report.markers if m.kind == "long_monologue")
    assert "[email]" in monologue.text and "goat" not in monologue.text
    export_calls(library, settings, [call_id], ["csv"], tmp_path / "events.csv", redact=True)
    events = read_export(tmp_path / "events.csv")
    assert "without a reply" in events and "[email]" in events and "goat" not in events


def test_nothing_found_is_said_so_and_unredacted_exports_say_nothing_of_redaction(
    library, settings, tmp_path
):
    from reviewer.actions.exports import export_calls

    call_id = _transcript_call(library, settings, tmp_path, [("S1", "Hello, how can I help?")], "plain")
    export_calls(library, settings, [call_id], ["pdf", "json"], tmp_path / "red", redact=True)
    assert "REDACTED: no spans hidden" in _pdf_text(tmp_path / "red" / "plain.pdf")
    export_calls(library, settings, [call_id], ["pdf", "json"], tmp_path / "plain")
    assert "redact" not in _pdf_text(tmp_path / "plain" / "plain.pdf").lower()
    assert json.loads((tmp_path / "plain" / "plain.json").read_text())["redaction"] is None


def _placed_text(page) -> list[tuple[str, float, float, float]]:
    """(text, x, y, font size) of each piece of text pypdf reads on ``page``, in points."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], size * tm[0]))

    page.extract_text(visitor_text=visit)
    return out


def test_the_pdf_footer_says_what_was_hidden_and_never_prints_over_the_page_number(
    library, settings, tmp_path
):
    from fpdf import FPDF
    from pypdf import PdfReader

    from reviewer.actions.exports import export_calls
    from reviewer.resources import resource

    lines = LINES * 13  # three pages and more
    call_id = _transcript_call(library, settings, tmp_path, lines, name="long")
    library.add_comment(call_id, start=2.0, text="She read 4111 1111 1111 1111 aloud.", category="compliance")
    library.add_redaction_edit(call_id, 1.0, 2.0, "add")
    path = export_calls(library, settings, [call_id], ["pdf"], tmp_path / "long.pdf", redact=True)[0]
    pages = PdfReader(path).pages
    assert len(pages) >= 3
    measure = FPDF(unit="pt")
    measure.add_font("DejaVu", "", str(resource("fonts", "DejaVuSans.ttf")))
    for n, page in enumerate(pages, 1):
        text = re.sub(r"\s+", " ", page.extract_text())
        assert f"page {n} of {len(pages)}" in text
        assert (
            "redacted: 66 spans hidden: 13 card numbers, 13 card expiry dates, 13 e-mail addresses, "
            "13 dates of birth, 13 phone numbers, 1 by hand; in comments and notes: 1 card number"
        ) in text
        placed = _placed_text(page)
        number = next(p for p in placed if p[0] == f"page {n} of {len(pages)}")
        footer = [p for p in placed if p[2] <= number[2] + 30 and p is not number]
        assert footer, "the footer's text"
        for text, x, y, size in footer:
            measure.set_font("DejaVu", "", size)
            if abs(y - number[2]) < size:  # on the page number's line: it ends before the number starts
                assert x + measure.get_string_width(text) < number[1], (text, number)


# -- a spoken call, shared every redacted way ------------------------------------------------

SPOKEN_CALL = [
    Line("agent", "Thank you for calling Northwind Bank, this is Sam. How can I help?"),
    Line("customer", "Hi, I would like to change my email address. It is jane dot goat at example dot com."),
    Line("agent", "Thank you. To confirm it is you, what is your date of birth?"),
    Line("customer", "My date of birth is March third, nineteen eighty five."),
    Line("agent", "And the name of your first pet?"),
    Line("customer", "Biscuit, our old beagle."),  # the coach hides this by hand
    Line("agent", "Thank you, your email address is changed. Have a nice day."),
]
PET = 5
SUMMARY = "3 spans hidden: 1 e-mail address, 1 date of birth, 1 by hand"


def reviewer(library: Path, *args) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "--library", str(library), *map(str, args)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _tokens(text: str) -> set[str]:
    """The words of ``text`` a listener would notice: 3 letters or digits or more, lower case."""
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if len(t) >= 3}


@dataclass(frozen=True)
class Shared:
    said: str  # the call as Whisper wrote it
    secrets: set[str]  # the words of it that the redaction hides
    exports: dict[str, str]  # file name: what a user reads in it
    side_file: dict
    heard: str  # the redacted recording, transcribed again
    heard_clip: str  # the playlist's redacted clip, transcribed again


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Shared:
    """The spoken call through the real pipeline into a library; a coach hides the pet's name
    (`reviewer redaction add`) and cuts a clip into a playlist; then every redacted export, and
    the redacted audio and clip transcribed again. Once for the module."""
    from reviewer.importer import store_result
    from reviewer.library import open_library
    from reviewer.library.store import content_hash
    from reviewer.pipeline import process_file
    from reviewer.report.redaction import call_redactions
    from reviewer.settings import load_settings

    folder = tmp_path_factory.mktemp("spoken")
    call = render(SPOKEN_CALL, stereo=True)
    audio = write_wav(folder / "address change.wav", call.audio)
    library = folder / "library.sqlite"
    with open_library(library) as lib:
        call_id = store_result(lib, audio, content_hash(audio), process_file(audio))[0]
    pet = call.utterances[PET]
    reviewer(library, "redaction", call_id, "add", "--at", f"{pet.start:.2f}", "--to", f"{pet.end:.2f}")
    out = folder / "shared"
    reviewer(library, "export", call_id, "--redact", "-f", ",".join(ALL), "-o", out)
    reviewer(library, "export", call_id, "-f", "audio", "--redact", "-o", out / "call.wav")
    reviewer(library, "clip", call_id, "--at", 5, "--to", f"{pet.end + 0.3:.2f}",
             "--title", "Changing the address", "--playlist", "onboarding")  # fmt: skip
    reviewer(library, "playlist", "export", "onboarding", "-o", out / "onboarding.html", "--redact")
    reviewer(library, "playlist", "export", "onboarding", "-o", out / "onboarding", "--redact")

    with open_library(library) as lib:
        words = lib.load_call(call_id).transcript.words
        spans = call_redactions(lib, call_id, load_settings())
    hidden = " ".join(w.text for w in words if any(s.hides(w) for s in spans))
    kept = " ".join(w.text for w in words if not any(s.hides(w) for s in spans))
    exports = {
        p.name: read_export(p)
        for p in [*out.iterdir(), out / "onboarding" / "playlist.csv"]
        if p.suffix in (".pdf", ".html", ".csv", ".json", ".srt", ".vtt") and ".redactions" not in p.name
    }
    heard = " ".join(w.text for w in process_file(out / "call.wav").transcript.words)
    clip = out / "onboarding" / "01 Changing the address.mp3"
    heard_clip = " ".join(w.text for w in process_file(clip).transcript.words)
    return Shared(
        " ".join(w.text for w in words),
        _tokens(hidden) - _tokens(kept),
        exports,
        json.loads((out / "call.redactions.json").read_text()),
        heard,
        heard_clip,
    )


def test_the_spoken_call_says_an_email_a_birth_date_and_the_pets_name(shared):
    said = shared.said.lower()
    assert re.search(r"\.com\b", said) and "1985" in said and "beagle" in said, shared.said
    assert {"com", "1985", "march", "beagle"} <= shared.secrets, shared.secrets


def test_no_redacted_export_shows_the_email_the_birth_date_or_the_coachs_span(shared):
    assert sorted(shared.exports) == [
        "address change.csv",
        "address change.html",
        "address change.json",
        "address change.pdf",
        "address change.srt",
        "address change.vtt",
        "onboarding.html",
        "playlist.csv",
    ]
    for name, text in shared.exports.items():
        assert not _tokens(text) & shared.secrets, (name, _tokens(text) & shared.secrets)
        if name != "address change.csv":  # (markers and comments: this call has none)
            assert "date of birth" in text and "first pet" in text, name  # the rest is there
            assert "[email]" in text and "[date of birth]" in text and "[redacted]" in text, name


def test_transcribing_the_redacted_audio_and_clip_again_finds_none_of_them(shared):
    for heard in (shared.heard, shared.heard_clip):
        assert not _tokens(heard) & shared.secrets, heard
        assert "first pet" in heard.lower(), heard  # what was not hidden is heard as before
    assert "calling northwind bank" in shared.heard.lower()


def test_every_redacted_export_says_what_was_hidden_and_nothing_more(shared):
    exports = {name: re.sub(r"\s+", " ", text) for name, text in shared.exports.items()}
    pdf = exports["address change.pdf"]
    assert f"REDACTED: {SUMMARY}" in pdf and f"redacted: {SUMMARY} page 1 of" in pdf
    assert f"REDACTED: {SUMMARY}" in exports["address change.html"]
    assert f"redacted: {SUMMARY}" in exports["address change.html"]  # and in its footer
    assert f"REDACTED: {SUMMARY} (bleeped in the audio, masked in the text)" in exports["onboarding.html"]
    assert SUMMARY in exports["address change.json"] and shared.side_file["summary"] == SUMMARY
    assert [(s["kind"], s["source"]) for s in shared.side_file["spans"]] == [
        ("email", "found"),
        ("date of birth", "found"),
        ("added", "added"),
    ]
    for name, text in exports.items():  # and claims nothing more
        assert not re.search(r"card numbers?|phone numbers?|account numbers?", text, re.IGNORECASE), name


# -- a card read with a digit misheard (issue 27) ----------------------------------------------

MISHEARD = [
    ("S1", "Can I have the card number please?"),
    ("S2", "Yes. 453 -I -1488 -0343 -6467."),
    ("S1", "Thank you, one moment."),
]
# the same card read as Whisper sometimes writes it: a "one" as "l", a "zero" as "O", glued on
GLUED = [MISHEARD[0], ("S2", "Yes. 4532 l111 O343 6467."), MISHEARD[2]]
CARDS = {"misheard": MISHEARD, "glued": GLUED}


@pytest.mark.parametrize("name", CARDS)
def test_a_card_with_a_misheard_digit_is_masked_whole_in_every_text_export_and_the_playlist(
    library, settings, tmp_path, name
):
    from reviewer.actions.exports import ReportSource, export_calls
    from reviewer.model import Clip
    from reviewer.report.clips import clip_excerpt, playlist_csv, playlist_html

    call_id = _transcript_call(library, settings, tmp_path, CARDS[name], name=name)
    paths = export_calls(library, settings, [call_id], ALL, tmp_path / "out", redact=True)
    for path in paths:
        text = read_export(path)
        for group in ("453", "1488", "l111", "O343", "0343", "6467"):
            assert group not in text, (group, path.name)
        if path.suffix != ".csv":
            assert "Yes. [card number]." in text and "[number]" not in text, path.name
    doc = json.loads((tmp_path / "out" / f"{name}.json").read_text(encoding="utf-8"))
    assert "453" not in " ".join(w["text"] for w in doc["words"])
    words = library.load_call(call_id).transcript.words
    clip = Clip(1, call_id, round(words[0].start * 1000), round(words[-1].end * 1000), "Card", call_name=name)
    x = clip_excerpt(ReportSource(library), settings, clip, redact=True)
    for page in (playlist_html("p", [(x, b"")], redacted=True), playlist_csv([("01 Card.mp3", x)])):
        said = page.decode("utf-8")
        assert "453" not in said and "6467" not in said and "[card number]" in said


@pytest.mark.parametrize("name", CARDS)
def test_the_redacted_audio_hides_a_misheard_card_from_its_first_digit(library, settings, tmp_path, name):
    from reviewer.report.audio import padded
    from reviewer.report.redaction import call_redactions

    call_id = _transcript_call(library, settings, tmp_path, CARDS[name], name=name)
    words = library.load_call(call_id).transcript.words
    first = next(w for w in words if w.text.startswith("453"))
    last = next(w for w in words if w.text == "-6467." or w.text == "6467.")
    (span,) = call_redactions(library, call_id, settings)
    assert span.kind == "card number"
    assert (span.start, span.end) == (first.start, last.end)
    ((a, b),) = padded([span], settings.redact_margin, 100_000)
    assert a <= first.start * 1000 and b >= last.end * 1000


# -- what people typed: comments, replies, notes, titles, names (issue 27) ---------------------

TYPED_CALL = [
    ("S1", "Thank you for calling Northwind, how can I help?"),
    ("S2", "I would like to change my address please."),
    ("S1", "Of course, one moment while I open your account."),
]
TYPED_SECRETS = ("4111", "1111 1111", "88812345", "010 2000", "jane", "goat", "example")
TYPED_SUMMARY = (
    "no spans hidden; in comments and notes: 1 card number, 3 e-mail addresses, 1 phone number, "
    "1 other long number"
)


def test_numbers_and_emails_typed_in_comments_notes_titles_and_names_are_masked_and_counted(
    library_location, settings, tmp_path
):
    """A coach's comment, the agent's reply, a scorecard note, a clip's title and note and a
    speaker's name can hold a card number or an e-mail too: every redacted export masks them as it
    masks the transcript and says so; --no-redact says on stderr that the file holds them."""
    from reviewer.library import open_library

    where = library_location()
    with open_library(where) as lib:
        call_id = _transcript_call(lib, settings, tmp_path, TYPED_CALL, name="typed", audio=True)
        comment = lib.add_comment(
            call_id, start=1.0, text="She read her card 4111 1111 1111 1111 aloud", category="compliance"
        )
        lib.update_comment(comment, reply="Sorry, I wrote to jane.goat@example.com about it")
        lib.add_comment(
            call_id, start=2.0, end=4.0, text="Account 88812345: call her back on 555 010 2000",
            category="improve",
        )  # fmt: skip
    reviewer(where, "roles", call_id, "--speaker", "S2", "--name", "jane@example.com")
    reviewer(where, "score", call_id, "--item", "greeting", "--set", "no", "--reason", "see jane@example.com")
    reviewer(where, "clip", call_id, "--at", 0, "--to", 8, "--title", "Card 4111 1111 1111 1111",
             "--note", "from jane dot goat at example dot com", "--playlist", "typed")  # fmt: skip

    out = tmp_path / "red"
    reviewer(where, "export", call_id, "-f", ",".join([*ALL, "summary"]), "-o", out)
    reviewer(where, "playlist", "export", "typed", "-o", out / "page.html")
    reviewer(where, "playlist", "export", "typed", "-o", out / "clips")
    files = [p for p in [*out.iterdir(), out / "clips" / "playlist.csv"] if p.is_file()]
    assert sorted(p.name for p in files) == sorted(
        [f"typed.{f}" for f in ALL] + ["summary.csv", "page.html", "playlist.csv"]
    )
    for path in files:
        text = read_export(path)
        if path.suffix != ".pdf":  # and what a reader may not show: tags, attributes
            text += path.read_text(encoding="utf-8-sig")
        for secret in TYPED_SECRETS:
            assert secret not in text, (secret, path.name)
    texts = {p.name: re.sub(r"\s+", " ", read_export(p)) for p in files}
    for name in ("typed.pdf", "typed.html", "typed.csv", "typed.json"):  # the formats with comments
        assert "She read her card [card number] aloud" in texts[name], name
        assert "Account [number]: call her back on [phone number]" in texts[name], name
        assert "I wrote to [email] about it" in texts[name], name
    for name in ("typed.pdf", "typed.html", "typed.json"):  # and with the scorecard and the names
        assert f"REDACTED: {TYPED_SUMMARY}" in texts[name] or TYPED_SUMMARY in texts[name], name
        assert "see [email]" in texts[name], name
    assert "Customer ([email]): I would like to change my address" in texts["typed.srt"]  # the names
    assert "<v Customer ([email])>I would like" in (out / "typed.vtt").read_text(encoding="utf-8")
    assert "Card [card number]" in texts["page.html"] and "from [email]" in texts["page.html"]
    assert "in comments and notes: 1 card number, 2 e-mail addresses" in texts["page.html"]
    assert "Card [card number]" in texts["playlist.csv"]
    assert "Customer ([email]): I would like" in texts["playlist.csv"]
    assert [p.name for p in (out / "clips").iterdir() if p.suffix == ".mp3"] == ["01 Card [card number].mp3"]

    def warned(*args: object) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "reviewer", "--library", str(where), *map(str, args), "--no-redact", "-q"],
            capture_output=True, text=True, env=os.environ.copy(), timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0 and "(not redacted)" in proc.stdout, proc.stderr
        return proc.stderr

    plain = tmp_path / "plain"
    held = "1 card number, 3 e-mail addresses, 1 phone number, 1 other long number"
    for fmt in ALL:
        assert warned("export", call_id, "-f", fmt, "-o", plain / f"typed.{fmt}") == (
            f"reviewer: warning: {plain / f'typed.{fmt}'} is not redacted (--no-redact) and holds unmasked "
            f"in comments and notes: {held}; leave out --no-redact to hide them.\n"
        )
    assert "4111 1111 1111 1111" in read_export(plain / "typed.pdf")  # for the team's eyes
    assert warned("playlist", "export", "typed", "-o", plain / "page.html") == (
        f"reviewer: warning: {plain / 'page.html'} is not redacted (--no-redact) and holds unmasked "
        "in comments and notes: 1 card number, 2 e-mail addresses; leave out --no-redact to hide them.\n"
    )
