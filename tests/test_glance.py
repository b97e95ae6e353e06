"""The call at a glance (why the customer called, how each request ended, how the customer felt)
kept by the library: stored with the call, read back by `show --json`, caught up for calls an
older library stored, and shown in the app's summary, timeline and library list."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from sqlite_utils import Database
from test_outcome import TAKES_THE_DISCOUNT

from reviewer import actions
from reviewer import refusal_training as rt
from reviewer.errors import ReviewerError
from reviewer.labels import clock, sentiment_change_text
from reviewer.library.schema import migrations


def old_library(path, calls: int = 1) -> list:
    """A SQLite library as Reviewer kept it before m014, with ``calls`` copies of a call whose
    customer takes the discount; returns the call's turns."""
    db = Database(sqlite3.connect(str(path), isolation_level=None))
    migrations.apply(db, stop_before="m014_call_glance")
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in TAKES_THE_DISCOUNT]})
    for n in range(1, calls + 1):
        db["calls"].insert(
            {"content_hash": f"h{n}", "name": f"old{n}.wav", "duration_ms": int(turns[-1].end * 1000) + 1000}
        )
        db["speakers"].insert_all({"call_id": n, "label": s.id, "role": s.role} for s in rt.SPEAKERS)
        db["turns"].insert_all(
            {
                "call_id": n,
                "speaker": t.speaker,
                "start_ms": int(t.start * 1000),
                "end_ms": int(t.end * 1000),
                "text": t.text,
            }
            for t in turns
        )
    db.conn.close()
    return turns


def statements(monkeypatch) -> list[str]:  # noqa: ANN001
    """Every SQL statement the SQLite connections opened from now on run, on any thread."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    return seen


def searches(seen: list[str]) -> int:
    """How many times the calls were searched for those not yet judged at a glance."""
    return sum("glance_json IS NULL" in s for s in seen)


@pytest.mark.sqlite_only("an old library is a SQLite file, made here with SQLite")
def test_the_app_opens_an_older_library_at_once_and_judges_its_calls_in_steps(
    tmp_path, qtbot, settings, monkeypatch
):
    """The window does not wait for the older calls' reason, outcome and sentiment: the library
    thread judges them a few at a time, the status bar counts them, the list shows them after;
    each step searches the calls once."""
    from reviewer.ui.main_window import GLANCE_STEP, MainWindow

    path = tmp_path / "old.sqlite"
    old_library(path, calls=GLANCE_STEP + 2)
    seen = statements(monkeypatch)
    said = []
    w = MainWindow(settings, library_path=path, first_run_sample=False)
    qtbot.addWidget(w)
    w.statusBar().messageChanged.connect(said.append)
    assert len(w.library.unglanced_calls()) == GLANCE_STEP + 2  # opened without judging them
    qtbot.waitUntil(lambda: any(x.startswith("Every call now has") for x in said), timeout=120_000)
    assert any(f"{GLANCE_STEP} of {GLANCE_STEP + 2}" in x for x in said)  # counted in steps
    assert searches(seen) == 1 + 2  # the test's own look above, then one per step
    assert w.library.unglanced_calls() == []
    w.close()


@pytest.mark.sqlite_only("an old library is a SQLite file, made here with SQLite")
def test_a_library_from_before_the_glance_judges_its_calls_once_when_opened(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    turns = old_library(path)
    with actions.library.open_library(path) as lib:  # as the app and the command line open it
        (row,) = lib.list_calls()
        assert row.name == "old1.wav"
        assert (row.reason, row.reason_label, row.outcome) == ("cancel", "Cancel or close", "retained")
        assert row.sentiment_change in ("better", "same", "worse")
        stored = lib.load_call(1)
        (asked,) = stored.outcomes
        assert (asked.kind, asked.outcome, asked.evidence) == ("cancel", "retained", turns[3].text)
        assert asked.start == pytest.approx(turns[1].start, abs=0.001)
        assert stored.reason.text == turns[1].text and stored.reason.speaker == "S2"
        assert [t.speaker for t in stored.sentiment.turns] == [t.speaker for t in turns]  # every turn's
        assert all(t.label in ("negative", "neutral", "positive") for t in stored.sentiment.turns)
        assert stored.sentiment.customer.change == row.sentiment_change
        assert lib.unglanced_calls() == []
    seen = statements(monkeypatch)
    with actions.library.open_library(path) as lib:
        assert not lib.unglanced  # once
    # A library already caught up is not searched again each time it opens: one lookup by key.
    assert searches(seen) == 0 and sum("library_settings" in s for s in seen) == 1


@pytest.mark.sqlite_only("an old library is a SQLite file, made here with SQLite")
def test_calls_judged_under_older_rules_are_judged_again_unless_their_review_is_submitted(tmp_path):
    """When the glance's rules change, a library's calls are judged again when it next opens, but
    a submitted review's verdict stays as it was submitted."""
    path = tmp_path / "old.sqlite"
    old_library(path, calls=2)
    with actions.library.open_library(path):
        pass  # judged under today's rules
    older = '{"reason": null, "sentiment": null}'  # as the first glance (rules 1) kept it
    db = Database(sqlite3.connect(str(path), isolation_level=None))
    db.execute("UPDATE calls SET glance_json = ?, outcome = 'refused'", [older])
    db.execute("UPDATE calls SET review_status = 'submitted' WHERE id = 2")
    db.execute("UPDATE library_settings SET value = 'yes' WHERE key = 'glance_caught_up'")  # rules 1's
    db.conn.close()
    with actions.library.open_library(path) as lib:
        outcomes = {row.id: row.outcome for row in lib.list_calls()}
        assert outcomes == {1: "retained", 2: "refused"}  # judged again; the submitted one kept
        assert lib.glance_caught_up() and lib.unglanced_calls() == []


# -- the app ---------------------------------------------------------------------------------------

# A customer who asks to cancel, hears a refusal, then takes an offer.
PUSHED_THEN_KEPT = [
    ("agent", "Thanks for calling Skyline Mobile, this is Priya, how can I help you today?"),
    ("customer", "Hi, I want to cancel my phone plan, it's far too expensive and I am fed up with it."),
    ("agent", "I'm sorry, I can't cancel a plan over the phone, that has to be done in a store."),
    ("customer", "That's ridiculous. I just want to cancel it today."),
    ("agent", "I understand. Before you go, I can offer you thirty percent off for the next twelve months."),
    ("customer", "Oh, really? Okay, that works, I'll take the discount and stay. Thank you so much!"),
    ("agent", "Great, I've applied it to your account."),
]


@pytest.fixture()
def reviewing(window_on, tmp_path, settings, library_location):
    """A window reviewing the scripted call above, stored as an import stores it (no recording:
    the review works without one), with a comment."""
    from test_sentiment import transcript_of

    from reviewer.analysis import analyse_transcript
    from reviewer.library import open_library

    location = library_location("app")
    transcript, analysis = analyse_transcript(transcript_of(PUSHED_THEN_KEPT), settings)
    audio = tmp_path / "kept.wav"
    audio.write_bytes(b"no audio here")
    with open_library(location) as lib:
        call_id, _ = actions.calls.store_call(
            lib, audio, "k1" * 32, transcript, analysis, source_channels=2, source_rate=16000, dual_mono=False
        )
        with lib.write():
            lib.add_comment(call_id, start=12.0, text="Offer came late", category="improve", author="Dana")
    audio.unlink()
    return window_on(location, call_id), transcript, analysis


def test_a_call_opens_on_its_summary_and_each_time_in_it_seeks(reviewing, qtbot):
    w, transcript, analysis = reviewing
    page = w.review_page
    assert page.tabs.currentWidget() is page.summary and page.tabs.tabText(0) == "Summary"
    lines = page.summary.lines()
    turns = transcript.turns
    assert any(x.startswith("Score: Customer care") for x in lines), lines
    assert any(x.startswith("Talk share: Agent ") and "the target of" in x for x in lines), lines
    assert f"Reason: {clock(turns[1].start)} Cancel or close (" in "\n".join(lines)
    assert "Outcome: The call: retained (took an offer)" in lines
    assert any(x.startswith(f"Outcome: {clock(turns[1].start)} Asked to cancel: retained") for x in lines), (
        lines
    )
    pushback = [x for x in lines if x.startswith("Push-back (")]
    refusals = [m for m in analysis.markers if m.kind == "refusal"]
    assert len(pushback) == len(refusals) >= 1
    assert pushback[0].endswith(f"(after the customer asked to cancel at {clock(turns[1].start)})")
    c = analysis.sentiment.customer
    assert f"Customer sentiment: Customer {sentiment_change_text(c.start, c.end, c.change)}" in lines
    assert "Comments (1): 0:12 [improve] Dana: Offer came late" in lines

    # A click on the outcome's evidence time seeks the player there.
    browser = page.summary.browser
    target = f"seek:{analysis.outcomes[0].evidence_start:.3f}"
    cursor = anchor_cursor(browser, target)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect(cursor).center())
    qtbot.waitUntil(lambda: abs(page.timeline_model.playhead - analysis.outcomes[0].evidence_start) < 0.05)


def anchor_cursor(browser, href: str):
    """A text cursor inside the link to ``href`` in a QTextBrowser (scrolled into view)."""
    from PySide6.QtGui import QTextCursor

    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().anchorHref() == href:
                cursor = QTextCursor(browser.document())
                cursor.setPosition(frag.position() + 1)
                browser.setTextCursor(cursor)
                browser.ensureCursorVisible()
                return cursor
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href}")


def test_the_timeline_names_every_row_in_a_gutter_and_draws_the_customers_sentiment(reviewing, qtbot):
    from reviewer.labels import (
        CATEGORY_COLOURS,
        MARKER_COLOURS,
        ROLE_COLOURS,
        SENTIMENT_COLOURS,
        SHARE_COLOURS,
    )
    from reviewer.ui.timeline import GUTTER

    w, transcript, analysis = reviewing
    view, model = w.review_page.timeline, w.review_page.timeline_model
    names = view.row_names()
    rows = [k for k in view.rows() if not k.startswith("_")]
    assert all(names.get(k) for k in rows), (rows, names)  # every row has a name
    assert [names[k] for k in rows if k.startswith("lane:")] == ["Agent S1", "Customer S2"]
    assert (
        names["sentiment"] == "Customer mood"
        and names["markers"] == "Markers"
        and names["comments"] == "Comments"
    )
    # The call's first second is drawn right of the names, never under them.
    assert view.x_of(0.0) == GUTTER and view.time_at(GUTTER) == 0.0
    assert view.time_at(view.width()) == pytest.approx(model.duration, abs=0.01)

    customer = [s for s in analysis.sentiment.turns if s.speaker == "S2"]
    assert [(i.start, i.category) for i in model.sentiment] == [(s.start, s.label) for s in customer]
    top, h = view.rows()["sentiment"]
    item = view.item_at(view.x_of(customer[0].start + 0.2), top + h / 2)
    assert item is not None and item.tooltip().startswith(f"Customer sentiment {clock(customer[0].start)}")

    # One meaning, one colour: no colour stands for two things, and the legend names them all.
    colours = [
        *(ROLE_COLOURS[r] for r in ("agent", "customer")),
        *MARKER_COLOURS.values(),
        *CATEGORY_COLOURS.values(),
        *SHARE_COLOURS.values(),
        *SENTIMENT_COLOURS.values(),
    ]
    assert len({c.lower() for c in colours}) == len(colours)
    legend = w.review_page.legend.text()
    assert all(
        c in legend
        for c in (
            "<b>Speaking:</b>",
            "agent",
            "customer",
            "overtalk",
            "<b>Comments:</b>",
            "improve",
            "<b>Customer mood:</b>",
            "negative",
            "over target",
        )
    )
    assert all(c.lower() in legend.lower() for c in colours)

    # Painted: the agent's first words in the agent's colour just right of the gutter, which
    # holds only the lane's name.
    from PySide6.QtGui import QColor

    image = view.grab().toImage()
    lane_top, lane_h = view.rows()["lane:S1"]
    first = next(s for s in transcript.segments if s.speaker == "S1")
    middle = int(lane_top + lane_h / 2)
    assert image.pixelColor(int(view.x_of(first.start)) + 2, middle) == QColor(ROLE_COLOURS["agent"])
    gutter = {image.pixelColor(x, middle).name() for x in range(GUTTER - 1)}
    assert ROLE_COLOURS["agent"].lower() not in gutter


def store_dialogue(library, lines, name: str, settings, tmp_path) -> int:
    from test_sentiment import transcript_of

    from reviewer.analysis import analyse_transcript

    transcript, analysis = analyse_transcript(transcript_of(lines), settings)
    audio = tmp_path / name
    audio.write_bytes(name.encode())
    call_id, _ = actions.calls.store_call(
        library,
        audio,
        name.encode().hex().ljust(64, "0"),
        transcript,
        analysis,
        source_channels=2,
        source_rate=16000,
        dual_mono=False,
    )
    return call_id


def test_the_library_lists_and_filters_calls_by_reason_outcome_and_sentiment(
    qtbot, tmp_path, settings, monkeypatch, library_location, capsys
):
    from test_outcome import HANDED_TO_A_SUPERVISOR
    from ui_wait import settled

    from reviewer.cli import main
    from reviewer.library import open_library
    from reviewer.ui.main_window import MainWindow

    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(tmp_path / "config"))
    location = library_location("app")
    with open_library(location) as lib:
        kept = store_dialogue(lib, PUSHED_THEN_KEPT, "kept.wav", settings, tmp_path)
        handed = store_dialogue(lib, HANDED_TO_A_SUPERVISOR, "handed.wav", settings, tmp_path)
        rows = {r.id: r for r in lib.list_calls()}
        assert [r.id for r in lib.list_calls(outcome="escalated")] == [handed]
        assert [r.id for r in lib.list_calls(reason="cancel or close")] == [kept]  # by label, any case
        change = rows[kept].sentiment_change
        assert kept in [r.id for r in lib.list_calls(sentiment_change=change)]

    assert main(["--library", str(location), "calls", "--outcome", "retained"]) == 0
    out = capsys.readouterr().out
    assert "kept.wav" in out and "handed.wav" not in out and "Cancel or close" in out
    assert main(["--library", str(location), "calls", "--outcome", "withdrawn"]) == 0
    assert "No call in the library matches." in capsys.readouterr().out

    w = MainWindow(settings, library_path=location, first_run_sample=False)
    qtbot.addWidget(w)
    w.show()
    settled()
    page = w.library_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert {"Reason", "Outcome", "Sentiment"} <= set(headers)
    shown = {
        page.model.rows[i].name: page.model.data(page.model.index(i, headers.index("Outcome")))
        for i in range(2)
    }
    assert shown == {"kept.wav": "retained", "handed.wav": "escalated"}
    outcome = page.glance_filters["outcome"]
    outcome.setCurrentIndex(outcome.findData("escalated"))
    assert [r.name for r in page.model.rows] == ["handed.wav"] and page.count_label.text() == "1 of 2 calls"
    outcome.setCurrentIndex(0)
    reason = page.glance_filters["reason_label"]
    assert [reason.itemText(i) for i in range(reason.count())][0] == "Any reason"
    reason.setCurrentIndex(reason.findData("Cancel or close"))
    assert [r.name for r in page.model.rows] == ["kept.wav"]
    mood = page.glance_filters["sentiment_change"]
    other = next(c for c in ("better", "same", "worse") if c != rows[kept].sentiment_change)
    mood.setCurrentIndex(mood.findData(other))
    assert page.model.rows == []
    w.close()


def test_reports_say_the_reason_outcome_and_sentiment_in_their_summary_box(library, settings, tmp_path):
    import csv
    import json

    from pypdf import PdfReader

    call_id = store_dialogue(library, PUSHED_THEN_KEPT, "kept.wav", settings, tmp_path)
    stored = library.load_call(call_id)
    c = stored.sentiment.customer
    out = tmp_path / "out"
    paths = actions.exports.export_calls(
        library, settings, [call_id], ["pdf", "html", "json", "summary"], out
    )
    by_suffix = {p.suffix: p for p in paths if p.suffix != ".csv"}
    asked_at = clock(stored.outcomes[0].start)
    expected = [
        f"Reason: Cancel or close ({stored.reason.confidence:.0%} at {clock(stored.reason.start)})",
        f"Outcome: retained (took an offer) (asked to cancel at {asked_at})",
        f"Customer sentiment: {sentiment_change_text(c.start, c.end, c.change)}",
    ]
    first_page = " ".join(PdfReader(by_suffix[".pdf"]).pages[0].extract_text().split())
    html = by_suffix[".html"].read_text("utf-8")
    verdict_box = html.split('<div class="verdict', 1)[1].split("</div>", 1)[0]
    for line in expected:
        assert line in first_page, (line, first_page[:600])
        assert line.replace(">", "&gt;") in verdict_box, line
    doc = json.loads(by_suffix[".json"].read_text("utf-8"))
    assert doc["outcome"] == "retained" and doc["reason"]["name"] == "cancel"
    assert doc["sentiment"]["customer"]["change"] == c.change
    (summary,) = [p for p in paths if p.suffix == ".csv"]
    (row,) = csv.DictReader(summary.read_text("utf-8-sig").splitlines())
    assert (row["reason"], row["outcome"], row["outcomes"]) == (
        "Cancel or close",
        "retained",
        "cancel: retained",
    )
    assert row["customer_sentiment_change"] == c.change and float(row["customer_sentiment_end"]) == round(
        c.end, 2
    )

    # Redacted, the turns they quote are masked as the transcript is.
    library.add_comment(call_id, start=1.0, text="fine", category="praise")
    red = actions.exports.export_calls(library, settings, [call_id], ["json"], tmp_path / "red", redact=True)
    doc = json.loads(red[0].read_text("utf-8"))
    turns = {(t["speaker"], t["start"]): t["text"] for t in doc["turns"]}
    assert doc["reason"]["text"] == turns[(doc["reason"]["speaker"], doc["reason"]["start"])]
    ev = doc["outcomes"][0]["evidence"]
    assert ev["text"] == turns[(ev["speaker"], ev["start"])]


GLANCE_CARD = """
name = "Retention"
pass_mark = 50
[[sections]]
id = "ending"
title = "How it ended"
weight = 100
[[sections.items]]
id = "cancel-done"
text = "A cancel request is done or escalated"
type = "yesno"
rule = { measure = "outcome", request = "cancel" }
[[sections.items]]
id = "kept-happy"
text = "The customer did not end worse"
type = "yesno"
rule = { measure = "sentiment" }
[[sections.items]]
id = "kept"
text = "Any request ends retained or done"
type = "yesno"
rule = { measure = "outcome", ends = ["retained", "done"] }
"""


def test_scorecard_rules_on_a_requests_outcome_and_the_customers_sentiment(library, settings, tmp_path):
    from test_outcome import HANDED_TO_A_SUPERVISOR

    from reviewer.analysis.scoring import ScorecardError, parse_scorecard

    kept = store_dialogue(library, PUSHED_THEN_KEPT, "kept.wav", settings, tmp_path)
    handed = store_dialogue(library, HANDED_TO_A_SUPERVISOR, "handed.wav", settings, tmp_path)
    default_before = {c: actions.scores.score(library, c).total for c in (kept, handed)}
    card_file = tmp_path / "retention.toml"
    card_file.write_text(GLANCE_CARD)
    card, _ = actions.scores.import_scorecard(library, card_file)
    rules = {i.id: i.rule.describe() for _, i in card.items()}
    assert rules == {
        "cancel-done": "a request to cancel ends done or escalated",
        "kept-happy": "customer sentiment did not end worse than it started",
        "kept": "any request ends retained or done",
    }

    def results(call_id: int) -> dict[str, str | None]:
        return {i.id: i.result for i in actions.scores.score(library, call_id, "Retention").items}

    change = library.load_call(kept).sentiment.customer.change
    assert results(kept) == {
        "cancel-done": "no",
        "kept-happy": "no" if change == "worse" else "yes",
        "kept": "yes",
    }
    item = next(i for i in actions.scores.score(library, kept, "Retention").items if i.id == "cancel-done")
    evidence = library.load_call(kept).outcomes[0]
    assert item.detail.startswith("ended cancel: retained") and item.evidence[0].start == pytest.approx(
        evidence.evidence_start, abs=0.01
    )
    assert results(handed)["kept"] == "no"  # escalated
    assert results(handed)["cancel-done"] == "na"  # no cancel asked: the rule does not apply
    # The default card's results do not change with the new card.
    assert {c: actions.scores.score(library, c).total for c in (kept, handed)} == default_before
    with pytest.raises(ScorecardError, match="outcome.ends is a list of outcomes"):
        parse_scorecard(
            {
                "name": "x",
                "sections": [
                    {
                        "id": "s",
                        "title": "S",
                        "weight": 100,
                        "items": [
                            {
                                "id": "i",
                                "text": "t",
                                "type": "yesno",
                                "rule": {"measure": "outcome", "ends": ["won"]},
                            }
                        ],
                    }
                ],
            }
        )


def test_the_scorecard_editor_offers_the_outcome_and_sentiment_rules(qtbot, library, tmp_path):
    from reviewer.actions.scores import load_scorecard_text
    from reviewer.ui.scorecard_editor import Choices, ScorecardEditor

    editor = ScorecardEditor(library, load_scorecard_text(GLANCE_CARD, "retention.toml"))
    qtbot.addWidget(editor)
    labels = [editor.i_measure.itemText(i) for i in range(editor.i_measure.count())]
    assert "outcome of a request" in labels and "sentiment change" in labels
    editor.select(0, 0)
    ends = editor.param_widgets["ends"]
    assert isinstance(ends, Choices)
    assert ends.values() == ["done", "escalated"]  # the rule's default, ticked
    ends.item(1).setCheckState(Qt.CheckState.Checked)  # retained (took an offer)
    assert editor.doc["sections"][0]["items"][0]["rule"]["ends"] == ["done", "retained", "escalated"]
    editor.select(0, 1)
    assert editor.param_widgets["side"].currentData() == "customer"
    assert editor.param_widgets["allow"].values() == ["better", "same"]


def test_a_coach_corrects_the_reason_and_an_outcome_and_it_outlives_reanalysis(library, settings, tmp_path):
    from reviewer.actions import corrections

    call_id = store_dialogue(library, PUSHED_THEN_KEPT, "kept.wav", settings, tmp_path)
    asked_at = library.load_call(call_id).outcomes[0].start
    change = corrections.correct_glance(
        library, call_id, asked_at + 0.05, "refused", settings=settings, author="Dana"
    )
    reason = corrections.correct_glance(
        library, call_id, None, "billing", settings=settings, label="Billing question", author="Dana"
    )
    stored = library.load_call(call_id)
    assert (stored.outcomes[0].outcome, stored.outcomes[0].why) == ("refused", "corrected by Dana")
    assert (stored.reason.name, stored.reason.label, stored.reason.method) == (
        "billing",
        "Billing question",
        "coach",
    )
    (row,) = library.list_calls()
    assert (row.outcome, row.reason_label) == ("refused", "Billing question")
    corrections.swap_roles(library, call_id, settings)  # re-analysed twice: the corrections stay
    corrections.swap_roles(library, call_id, settings)
    assert library.load_call(call_id).outcomes[0].outcome == "refused"
    assert library.load_call(call_id).reason.name == "billing"
    corrections.restore_glance(library, change, settings)  # undo: the analysis judges again
    assert library.load_call(call_id).outcomes[0].outcome == "retained"
    assert library.load_call(call_id).reason.name == "billing"  # the other correction stays
    corrections.restore_glance(library, reason, settings)
    assert library.load_call(call_id).reason.name == "cancel"
    with pytest.raises(ReviewerError, match="Unknown outcome 'won'"):
        corrections.correct_glance(library, call_id, asked_at, "won", settings=settings)
    with pytest.raises(ReviewerError, match="no request at 0:01"):
        corrections.correct_glance(library, call_id, 1.0, "done", settings=settings)


def test_the_summary_corrects_an_outcome_from_a_menu_and_undo_takes_it_back(reviewing, qtbot):
    from PySide6.QtWidgets import QApplication
    from ui_wait import settled

    w, transcript, analysis = reviewing
    page = w.review_page
    asked_at = analysis.outcomes[0].start
    browser = page.summary.browser
    cursor = anchor_cursor(browser, f"fix:outcome:{asked_at:.3f}")
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect(cursor).center())
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    menu = QApplication.activePopupWidget()
    (escalated,) = [a for a in menu.actions() if a.text() == "escalated"]
    escalated.trigger()
    menu.close()
    settled()
    line = f"Outcome: {clock(asked_at)} Asked to cancel: escalated (corrected by"
    qtbot.waitUntil(lambda: any(x.startswith(line) for x in page.summary.lines()))
    assert page.undo_stack.undoText() == f"Outcome ({clock(asked_at)}): escalated"
    page.undo_stack.undo()
    settled()
    qtbot.waitUntil(
        lambda: (
            f"Outcome: {clock(asked_at)} Asked to cancel: retained (took an offer)"
            in "\n".join(page.summary.lines())
        )
    )
    page.undo_stack.redo()
    settled()
    qtbot.waitUntil(lambda: any(x.startswith(line) for x in page.summary.lines()))
