"""The desktop app, driven through its real widgets offscreen (pytest-qt), on calls processed by
the real pipeline. Imports made through the app run the real pipeline in a child process."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from library_db import integrity, query
from ui_wait import comment_added, settled

from reviewer import actions

pytest.importorskip("PySide6")
pytestmark = pytest.mark.usefixtures("qapp")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QTextCharFormat, QTextCursor  # noqa: E402


def store(library, result, path: Path) -> int:
    """Store a processed call as an import does (peaks cached too)."""
    from reviewer.importer import store_result
    from reviewer.library.store import content_hash

    return store_result(library, path, content_hash(path), result)[0]


@pytest.fixture()
def review(window_on, processed, pushback, library_location):
    """A window reviewing the push-back call, stored as an import would store it."""
    from reviewer.library import open_library

    path = library_location("app")
    with open_library(path) as lib:
        call_id = store(lib, processed("pushback"), pushback[1])
    return window_on(path, call_id)


def agent_share(w) -> str:
    return w.review_page.metrics_panel.values["Agent talk share"]


def test_import_through_the_app_lists_the_call_and_shows_its_markers(
    make_window, qtbot, short_call, pushback
):
    w = make_window()
    w.import_paths([short_call[1], Path("/nonexistent/missing.wav")])
    qtbot.waitUntil(lambda: not w.importer.busy, timeout=180_000)
    settled()
    panel = w.library_page.import_panel
    lines = [panel.results.item(i).text() for i in range(panel.results.count())]
    assert any(line.startswith("✓ short.wav") for line in lines)
    assert any("missing.wav" in line and "not found" in line for line in lines), lines
    assert "1 file could not be imported" in panel.label.text()
    assert w.library_page.model.rows[0].name == "short.wav"
    assert w.library_page.model.rows[0].agent == "Sam"  # the name the agent introduced

    w.import_paths([pushback[1]])
    qtbot.waitUntil(lambda: not w.importer.busy, timeout=180_000)
    settled()
    call_id = next(r.id for r in w.library_page.model.rows if r.name == pushback[1].name)
    w.open_call(call_id)
    settled()
    timeline = w.review_page.timeline_model
    kinds = [m.kind for m in timeline.markers]
    assert kinds.count("refusal") == 3
    assert "long_monologue" in kinds and "long_silence" in kinds
    assert [lane.role for lane in timeline.lanes] == ["agent", "customer"]
    assert timeline.peaks is not None and timeline.peaks.channels == 2  # cached at import
    assert all(m.text for m in timeline.markers)  # each has a tooltip text


def test_cancel_import_midway_keeps_the_library_intact(
    make_window, qtbot, processed, clean, pushback_mono, library_location
):
    from reviewer.library import open_library

    path = library_location("app")
    with open_library(path) as lib:
        kept = store(lib, processed("clean"), clean[1])
        lib.add_comment(kept, start=3.0, text="Good greeting", category="praise", author="coach")
    # The coach had that call open last time: an import asked for at start-up must not be
    # hidden behind it (the window reopens the last call only when nothing else was asked for).
    from reviewer.ui.main_window import ui_settings

    remembered = ui_settings()
    remembered.setValue("review/last_call", kept)
    remembered.setValue("review/open", True)
    remembered.sync()
    w = make_window(path)
    stages = []
    w.importer.progress.connect(lambda i, stage, f, m: stages.append(stage))
    w.import_paths([pushback_mono[1]])
    qtbot.waitUntil(lambda: "transcribe" in stages, timeout=120_000)
    panel = w.library_page.import_panel
    said = [panel.results.item(i).text() for i in range(panel.results.count())]
    assert w.stack.currentWidget() is w.library_page
    assert panel.cancel_button.isVisible(), (panel.label.text(), said, stages)
    with qtbot.waitSignal(w.importer.finished, timeout=30_000) as done:
        w.library_page.import_panel.cancel_button.click()
        settled()
    settled()
    assert done.args == [True]
    assert "cancelled" in w.library_page.import_panel.label.text()
    assert integrity(path) == "ok"
    assert [r[0] for r in query(path, "SELECT name FROM calls")] == ["clean.ogg"]
    assert query(path, "SELECT text FROM comments") == [("Good greeting",)]
    assert query(path, "SELECT count(*) FROM words WHERE call_id != ?", [kept])[0][0] == 0
    # The cancelled file imports cleanly afterwards (not run again here: it is the slow mono path).
    assert w.library_page.model.rows and len(w.library_page.model.rows) == 1


def test_comment_add_edit_undo_redo_is_saved_and_survives_reopening(
    review, make_window, qtbot, library_location
):
    w = review
    page = w.review_page
    page.seek(12.0)
    comment_id = comment_added(page.comments, 12.0, None, "Ask before pitching", "improve", "Dana")
    assert [c.comment_id for c in page.timeline_model.comments] == [comment_id]
    assert page.comments.selected_id() == comment_id
    assert page.undo_stack.undoText() == "Add comment at 0:12"
    page.comments.edit(comment_id, text="Acknowledge the request first", end=15.5)
    settled()
    assert page.comments.model.rows[0].text == "Acknowledge the request first"
    assert page.timeline_model.comments[0].end == 15.5
    w.undo_action.trigger()
    settled()
    assert page.comments.model.rows[0].text == "Ask before pitching"
    assert page.comments.model.rows[0].end is None
    w.redo_action.trigger()
    settled()
    assert page.comments.model.rows[0].text == "Acknowledge the request first"
    page.comments.table.selectRow(0)
    page.comments.delete_button.click()
    settled()
    assert page.comments.model.rows == []
    assert page.timeline_model.comments == []
    w.undo_action.trigger()  # the deletion is undone: same comment back
    settled()
    assert page.comments.model.rows[0].id == comment_id
    w.close()

    from reviewer.library import open_library

    with open_library(library_location("app")) as lib:
        rows = lib.comments(page.call.id)
    assert [(r.text, r.start, r.end, r.author, r.category) for r in rows] == [
        ("Acknowledge the request first", 12.0, 15.5, "Dana", "improve")
    ]
    again = make_window(library_location("app"))
    again.open_call(rows[0].call_id)
    settled()
    assert again.review_page.comments.model.rows[0].text == "Acknowledge the request first"


def test_undoing_every_comment_change_back_to_none_and_redoing_them_all(review, library_location):
    """Add, edit twice, then undo all three (the comment is gone) and redo all three: each step
    is made on the version the one before it left."""
    from reviewer.library import open_library

    w = review
    page = w.review_page
    comment_id = comment_added(page.comments, 30.0, 32.0, "Pitch", "improve", "Dana")
    page.comments.edit(comment_id, text="Pitched too soon")
    settled()
    page.comments.edit(comment_id, category="compliance")
    settled()
    for _ in range(3):
        w.undo_action.trigger()
        settled()
    assert page.comments.model.rows == [] and not page.undo_stack.canUndo()
    for _ in range(3):
        w.redo_action.trigger()
        settled()
    (row,) = page.comments.model.rows
    assert (row.id, row.text, row.category, row.start, row.end) == (
        comment_id,
        "Pitched too soon",
        "compliance",
        30.0,
        32.0,
    )
    assert page.undo_stack.index() == page.undo_stack.count() == 3
    with open_library(library_location("app")) as lib:
        assert lib.comment(comment_id) == row


def test_a_comment_someone_changed_meanwhile_is_said_and_their_change_kept(
    review, monkeypatch, library_location
):
    """An edit made on the comment as the list showed it, after someone else changed it, is
    refused: the panel says who changed it, shows theirs and adds no undo step. An undo of a
    change of a comment they changed since is refused too, and the step leaves the stack."""
    from reviewer.library import open_library

    w = review
    page = w.review_page
    comments = page.comments
    comment_id = comment_added(comments, 12.0, None, "Ask before pitching", "improve", "Dana")
    steps = page.undo_stack.count()
    monkeypatch.setenv("REVIEWER_USER", "ben")
    with open_library(library_location("app")) as other:
        other.update_comment(comment_id, text="Ben's words")
    comments.edit(comment_id, text="Mine")  # on the version the list shows: refused
    settled()
    assert "ben changed comment" in comments.last_conflict
    assert comments.model.rows[0].text == "Ben's words"  # theirs, shown
    assert page.undo_stack.count() == steps

    comments.last_conflict = ""
    comments.edit(comment_id, text="Mine after all")  # now on theirs: made
    settled()
    assert comments.model.rows[0].text == "Mine after all" and page.undo_stack.count() == steps + 1
    with open_library(library_location("app")) as other:
        other.update_comment(comment_id, category="praise")
    w.undo_action.trigger()
    settled()
    assert "ben changed comment" in comments.last_conflict
    row = comments.model.rows[0]
    assert (row.text, row.category) == ("Mine after all", "praise")  # nothing overwritten
    assert page.undo_stack.count() == steps  # the refused step left the stack


def test_comment_dialog_checks_its_input(review, qtbot):
    from reviewer.ui.comments import CommentDialog

    d = CommentDialog(review, {"start": 5.0, "end": None}, review.review_page.call.transcript.duration, "Add")
    qtbot.addWidget(d)
    d.text.setPlainText("")
    d.accept()
    assert d.result() == 0 and "needs some text" in d.error.text()
    d.text.setPlainText("Offered a discount after the second request")
    d.end_edit.setText("0:02")
    d.accept()
    assert "must end after it starts" in d.error.text()
    d.end_edit.setText("0:09.5")
    d.category.setCurrentText("compliance")
    d.accept()
    assert d.result() == 1
    assert d.values() | {} == {
        "start": 5.0,
        "end": 9.5,
        "category": "compliance",
        "author": "",
        "text": "Offered a discount after the second request",
    }


def test_swapping_roles_flips_the_talk_share_everywhere(review):
    page = review.review_page
    before = agent_share(review)
    share = page.call.row.agent_talk_share
    page.swap_button.click()
    settled()
    after = page.call.row.agent_talk_share
    assert after == pytest.approx(1 - share, abs=0.02)
    assert agent_share(review) != before
    assert [lane.role for lane in page.timeline_model.lanes] == ["customer", "agent"]
    first_header = page.transcript.text.toPlainText().splitlines()[0]
    assert "Customer" in first_header
    row = next(r for r in review.library_page.model.rows if r.id == page.call.id)
    assert row.agent_talk_share == pytest.approx(after)


def test_a_coach_says_who_said_it_where_the_split_heard_one_voice(
    make_window, store_heard_as_one, processed, qtbot, library_location
):
    """A mono call whose two voices were heard as one (two similar voices): the review says so;
    the coach selects the customer's words and gives them to a new speaker; lanes, transcript,
    metrics and the library follow, and undo / redo work."""
    from PySide6.QtWidgets import QMenu

    from reviewer.library import open_library

    truth = processed("pushback").transcript
    path = library_location("app")
    with open_library(path) as lib:
        call_id = store_heard_as_one(lib)
    w = make_window(path)
    w.open_call(call_id)
    settled()
    qtbot.waitUntil(lambda: w.review_page.call is not None)
    page = w.review_page
    assert page.voice_notice.isVisible() and "holds 100% of the talk" in page.voice_notice.text()
    assert agent_share(w).startswith("100%")

    # Select the customer's first words in the transcript ("Hi Ryan, I want to cancel ...").
    first = next(t for t in truth.turns if t.speaker == "S2")
    text = page.transcript.text
    inside = [i for i, (a, b) in enumerate(text.word_spans) if first.start <= (a + b) / 2 <= first.end]
    cursor = QTextCursor(text.document())
    cursor.setPosition(text.word_starts[inside[0]])
    cursor.setPosition(text.word_ends[inside[-1]], QTextCursor.MoveMode.KeepAnchor)
    text.setTextCursor(cursor)
    speech = page.picked_speech()
    assert (speech.start, speech.end, speech.words) == (first.start, first.end, first.word_count)
    menu = QMenu()
    page.add_speaker_actions(menu, speech)
    choices = [a.text() for a in menu.actions() if a.text().startswith("Said by")]
    assert choices == ["Said by a new speaker (S2)"]
    next(a for a in menu.actions() if a.text() == choices[0]).trigger()
    settled()

    assert [s.id for s in page.call.transcript.speakers] == ["S1", "S2"]
    assert [lane.role for lane in page.timeline_model.lanes] == ["agent", "customer"]
    assert any(
        line.split("  ", 1)[1].startswith("Customer S2: Hi Ryan") for line in text.toPlainText().splitlines()
    )
    assert not agent_share(w).startswith("100%")
    assert "holds 100%" not in page.voice_notice.text()  # the customer's other turns still to give back
    row = next(r for r in w.library_page.model.rows if r.id == call_id)
    assert row.agent_talk_share < 1.0

    w.undo_action.trigger()
    settled()
    assert [s.id for s in page.call.transcript.speakers] == ["S1"] and agent_share(w).startswith("100%")
    w.redo_action.trigger()
    settled()
    assert [s.id for s in page.call.transcript.speakers] == ["S1", "S2"]

    # With nothing selected, the turn under the playhead is what "who said it" (R) acts on.
    text.setTextCursor(QTextCursor(text.document()))
    page.seek((first.start + first.end) / 2)
    assert page.picked_speech().speaker == "S2"


def test_clicking_a_transcript_word_seeks_there(review, qtbot):
    page = review.review_page
    text = page.transcript.text
    plain = text.toPlainText()
    index = next(
        i for i, s in enumerate(text.word_starts) if plain[s : text.word_ends[i]].lower().startswith("cancel")
    )
    cursor = QTextCursor(text.document())
    cursor.setPosition(text.word_starts[index] + 1)
    text.setTextCursor(cursor)
    text.ensureCursorVisible()
    point = text.cursorRect(cursor).center()
    qtbot.mouseClick(text.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert page.timeline_model.playhead == pytest.approx(text.word_times[index], abs=0.01)
    assert page.transcript.current_word == index
    assert page.transcript.current_word_text().lower().startswith("cancel")


def test_words_spoken_during_overtalk_are_underlined_in_the_transcript(review):
    page = review.review_page
    text = page.transcript.text
    (over,) = [m for m in page.call.markers if m.kind == "overtalk"]
    plain = text.toPlainText()
    cursor = QTextCursor(text.document())

    def underlined(i: int) -> bool:
        cursor.setPosition(text.word_starts[i] + 1)
        return cursor.charFormat().underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline

    during = [i for i, t in enumerate(text.word_times) if over.start + 0.3 < t < over.end - 0.3]
    said = {plain[text.word_starts[i] : text.word_ends[i]].strip(".,").lower() for i in during}
    assert {"paying", "but"} <= said  # the agent going on, the customer coming in
    assert all(underlined(i) for i in during)
    assert not any(underlined(i) for i, t in enumerate(text.word_times) if t < over.start - 2)


def _transcript_of(turns: list[tuple[str, int]]):
    """A transcript of ``turns`` (speaker, number of words), one word every 0.4 s."""
    from reviewer.model import Speaker, Transcript, Turn, Word

    words, made, t = [], [], 0.0
    for k, (speaker, n) in enumerate(turns):
        start = t
        for j in range(n):
            words.append(Word(t, t + 0.3, f" w{k}_{j}", speaker))
            t += 0.4
        made.append(Turn(speaker, start, t, f"turn {k}", n))
        t += 0.2
    speakers = [Speaker("S1", "agent", "Ana"), Speaker("S2", "customer"), Speaker("S3")]
    return Transcript(t, 2, "channels", speakers, words, [], made)


def test_a_correction_replaces_only_the_turns_it_changed_and_reads_as_if_built_anew(qtbot):
    """Giving a turn to another speaker (its neighbours merge) changes a few blocks: the view
    keeps its document and its place, and shows exactly what a new one would, overtalk
    underlines, header colours and word positions included."""
    from reviewer.ui.transcript import TranscriptView

    before = [("S1" if k % 2 else "S2", 3 + k % 5) for k in range(80)]
    after = list(before)
    after[40] = ("S1", after[40][1])  # the customer's turn 40 said by the agent: 39-41 are one voice
    overtalk = [(30.0, 33.0), (70.0, 74.0)]
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.set_transcript(_transcript_of(before), overtalk)
    document = view.text.document()
    view.text.verticalScrollBar().setValue(20)
    top = view.text.firstVisibleBlock().blockNumber()
    assert top > 0
    view.set_transcript(_transcript_of(after), overtalk)
    fresh = TranscriptView()
    qtbot.addWidget(fresh)
    fresh.set_transcript(_transcript_of(after), overtalk)

    def formats(v) -> list[tuple]:
        cursor = QTextCursor(v.text.document())
        out = []
        for p in range(1, v.text.document().characterCount()):
            cursor.setPosition(p)
            f = cursor.charFormat()
            out.append((f.underlineStyle(), f.fontWeight(), f.foreground().color().name()))
        return out

    assert view.text.document() is document and view.text.firstVisibleBlock().blockNumber() == top
    assert view.text.toPlainText() == fresh.text.toPlainText()
    assert formats(view) == formats(fresh)
    assert (view.text.word_starts, view.text.word_times) == (fresh.text.word_starts, fresh.text.word_times)
    assert view.text.document().blockCount() == 80


def test_timeline_click_seeks_drag_selects_and_keys_jump_between_markers(review, qtbot):
    page = review.review_page
    tl = page.timeline
    tl.fit()
    y = int(tl.rows()["ruler"][0] + 5)
    x = int(tl.x_of(30.0))
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert page.timeline_model.playhead == pytest.approx(30.0, abs=2 * tl.seconds_per_pixel)
    qtbot.mousePress(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(10.0)), y))
    qtbot.mouseMove(tl, QPoint(int(tl.x_of(15.0)), y))
    qtbot.mouseRelease(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(20.0)), y))
    a, b = page.timeline_model.selection
    assert a == pytest.approx(10.0, abs=0.5) and b == pytest.approx(20.0, abs=0.5)
    assert "selection" in page.comments.add_button.text()

    page.seek(0.0)
    tl.setFocus()
    first = min(m.start for m in page.timeline_model.markers)
    qtbot.keyClick(tl, Qt.Key.Key_N)
    assert page.timeline_model.playhead == pytest.approx(first, abs=0.01)
    qtbot.keyClick(tl, Qt.Key.Key_Right)
    assert page.timeline_model.playhead == pytest.approx(first + 1.0, abs=0.01)
    qtbot.keyClick(tl, Qt.Key.Key_P)
    assert page.timeline_model.playhead == pytest.approx(first, abs=0.01)

    before = tl.seconds_per_pixel
    qtbot.keyClick(tl, Qt.Key.Key_Plus)
    assert tl.seconds_per_pixel == pytest.approx(before / 2)
    assert page.scroll.isVisibleTo(page)  # zoomed in: the scrollbar pans the timeline
    page.scroll.setValue(page.scroll.maximum())
    assert tl.visible[1] == pytest.approx(page.timeline_model.duration, abs=0.1)
    qtbot.keyClick(tl, Qt.Key.Key_0)
    assert tl.seconds_per_pixel == pytest.approx(before)


def test_playback_plays_at_the_chosen_speed_and_the_playhead_follows(review, qtbot):
    """At 2× the playhead moves two seconds of the call for every second of listening."""
    import time

    page = review.review_page
    assert page.audio_available
    page.seek(20.0)
    page.speed.setCurrentIndex(page.speed.findData(2.0))
    assert page.player.playbackRate() == 2.0 and page.player.pitchCompensation()
    page.toggle_play()
    qtbot.waitUntil(lambda: page.timeline_model.playhead > 20.5, timeout=10_000)
    start, began = page.timeline_model.playhead, time.monotonic()
    qtbot.waitUntil(lambda: page.timeline_model.playhead > start + 4.0, timeout=10_000)
    rate = (page.timeline_model.playhead - start) / (time.monotonic() - began)
    page.toggle_play()
    assert not page.playing
    assert 1.6 < rate < 2.4, rate
    assert page.transcript.current_word is not None


def test_agent_self_review_shows_only_their_calls_and_lets_them_acknowledge(review, qtbot):
    w = review
    page = w.review_page
    agent = page.call.transcript.speakers[0].name or "S1"
    comment_id = comment_added(
        page.comments, 20.0, 26.0, "Too quick to pitch the discount", "improve", "Dana"
    )
    w.set_viewer("Someone Else")
    settled()
    assert w.library_page.model.rowCount() == 0
    w.set_viewer(agent)
    settled()
    assert w.library_page.model.rowCount() == 1
    page.tabs.setCurrentWidget(page.comments)  # the call opened on its Summary
    assert page.comments.ack_button.isVisible() and not page.comments.add_button.isVisible()
    assert not page.swap_button.isEnabled()
    page.comments.select(comment_id)
    page.comments.acknowledge_selected("I'll let the customer finish first")
    settled()
    w.set_viewer("")  # back to the coach
    settled()
    row = page.comments.model.rows[0]
    assert row.acknowledged_at and row.reply == "I'll let the customer finish first"
    assert "let the customer finish" in page.comments.model.data(page.comments.model.index(0, 4))


def test_transcript_search_and_filter_narrow_the_library(review):
    lib_page = review.library_page
    lib_page.search("discount")
    settled()  # the search runs on the library thread
    hits = lib_page.shown_hits
    assert hits and all("discount" in h.text.lower() for h in hits)
    assert [h.start for h in hits] == sorted(h.start for h in hits)  # one call: in the order said
    listed = [lib_page.hits.item(i).text() for i in range(lib_page.hits.count())]
    assert all("[discount]" in line.lower() for line in listed)  # the words that matched, marked
    assert lib_page.model.rowCount() == 1
    lib_page.search("zebra crossing")
    settled()
    assert lib_page.model.rowCount() == 0
    lib_page.search("")
    settled()
    assert lib_page.model.rowCount() == 1 and lib_page.hits.isHidden()
    lib_page.search("zebra crossing")
    lib_page.search("")  # cleared before the library thread answered: that answer is dropped
    settled()
    assert lib_page.model.rowCount() == 1 and lib_page.hits.isHidden() and lib_page.shown_hits == []
    lib_page.filter_edit.setText("no such call")
    assert lib_page.model.rowCount() == 0
    lib_page.filter_edit.setText("pushback")
    assert lib_page.model.rowCount() == 1


def test_a_clip_from_the_marker_under_the_playhead_takes_its_range_and_its_name(review):
    from reviewer.ui.style import MARKER_NAMES

    page = review.review_page
    refusal = next(m for m in page.call.markers if m.kind == "refusal")
    at = refusal.start + 0.2
    page.timeline_model.set_selection(None)
    page.timeline_model.set_playhead(at)
    review.sharing.clip_dialog_here()
    settled()  # the marker and the playlists are read on the library thread
    dialog = review.sharing.clip_dialog
    # the shortest marker around the playhead (half a second either side), as `reviewer clip --marker`
    covering = [m for m in page.call.markers if m.start - 0.5 <= at <= m.end + 0.5]
    shortest = min(covering, key=lambda m: m.end - m.start)
    assert (dialog.start, dialog.end) == (pytest.approx(shortest.start), pytest.approx(shortest.end))
    assert dialog.title.text() == MARKER_NAMES[shortest.kind]
    dialog.reject()


def test_layout_and_last_call_are_remembered(review, make_window, library_location):
    """The transcript and the side panel come back split as the user left them (here against the
    stretch factors, which would make the transcript wider), and the call under review reopens."""
    from PySide6.QtCore import QCoreApplication

    call_id = review.review_page.call.id
    review.resize(1280, 820)
    QCoreApplication.processEvents()
    review.review_page.splitter.setSizes([300, 700])
    saved = review.review_page.splitter.sizes()
    assert saved[0] < saved[1]
    review.close()
    again = make_window(library_location("app"))
    QCoreApplication.processEvents()
    settled()
    assert again.review_page.call is not None and again.review_page.call.id == call_id
    # Offscreen windows do not get their old size back (the screen is smaller), so the split is
    # compared as the share of the width each side has.
    sizes = again.review_page.splitter.sizes()
    assert sizes[0] / sum(sizes) == pytest.approx(saved[0] / sum(saved), abs=0.01)


def test_a_moved_recording_still_opens_for_review_with_a_notice(
    make_window, processed, pushback, tmp_path, qtbot, library_location
):
    import shutil

    from reviewer.library import open_library

    moved = tmp_path / "moved.wav"
    shutil.copy(pushback[1], moved)
    with open_library(library_location("app")) as lib:
        call_id = store(lib, processed("pushback"), moved)
    moved.unlink()
    w = make_window(library_location("app"))
    w.open_call(call_id)
    settled()
    page = w.review_page
    assert not page.audio_available
    assert "no longer at" in page.notice.text() and page.notice.isVisible()
    assert page.timeline_model.markers  # the review itself works
    page.toggle_play()
    assert not page.playing


def test_export_from_the_library_and_from_a_review(
    make_window, processed, pushback, clean, tmp_path, qtbot, monkeypatch, library_location
):
    """Select calls, export PDF, JSON and the summary with redaction; the files are written off
    the UI thread and announced; from a review, only that call is exported."""
    import csv
    import json

    from reviewer.library import open_library

    path = library_location("app")
    with open_library(path) as lib:
        first = store(lib, processed("pushback"), pushback[1])
        second = store(lib, processed("clean"), clean[1])
    w = make_window(path)
    settled()  # the list is read on the library thread
    w.library_page.table.selectAll()
    assert set(w.export_targets()) == {first, second}
    dialog = w.export_dialog()
    out = tmp_path / "qa"
    dialog.folder.setText(str(out))
    for fmt, box in dialog.boxes.items():
        box.setChecked(fmt in ("pdf", "json", "summary"))
    dialog.redact.setChecked(True)
    assert "5 files" in dialog.files_label.text()
    with qtbot.waitSignal(w.exporter.done, timeout=60_000) as done:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        settled()
    settled()
    assert len(done.args[0]) == 5
    assert sorted(p.name for p in out.iterdir()) == [
        "clean.json",
        "clean.pdf",
        "pushback stereo.json",
        "pushback stereo.pdf",
        "summary.csv",
    ]
    assert json.loads((out / "clean.json").read_text(encoding="utf-8"))["redacted"] is True
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as f:
        assert {int(r["call_id"]) for r in csv.DictReader(f)} == {first, second}
    assert "Exported 5 files" in w.exporter.message.text()

    # From a review: just that call; the dialog remembers the choices, existing files are replaced
    # after asking (answered yes here).
    w.open_call(first)
    settled()
    qtbot.waitUntil(lambda: w.review_page.call is not None)
    assert w.export_targets() == {first: "pushback stereo.wav"}
    before = (out / "pushback stereo.pdf").stat().st_mtime_ns
    dialog = w.export_dialog()
    assert dialog.redact.isChecked() and dialog.folder.text() == str(out)
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(w.exporter.done, timeout=60_000) as done:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        settled()
    settled()
    assert sorted(Path(p).name for p in done.args[0]) == [
        "pushback stereo.json",
        "pushback stereo.pdf",
        "summary.csv",
    ]
    assert (out / "pushback stereo.pdf").stat().st_mtime_ns > before


def test_library_sorts_and_filters_keeping_the_selected_call(
    make_window, processed, pushback, clean, library_location
):
    from reviewer.library import open_library

    path = library_location("app")
    with open_library(path) as lib:
        first = store(lib, processed("pushback"), pushback[1])
        second = store(lib, processed("clean"), clean[1])
        shares = {r.id: r.agent_talk_share for r in lib.list_calls()}
    w = make_window(path)
    settled()  # the list is read on the library thread
    page = w.library_page
    page.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # agent talk share
    assert page.visible_call_ids() == sorted(shares, key=shares.get, reverse=True)
    page.select_call(second)
    page.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert page.visible_call_ids() == sorted(shares, key=shares.get)
    assert page.selected_call_ids() == [second]
    page.filter_edit.setText("clean")
    assert page.visible_call_ids() == [second] and page.selected_call_ids() == [second]
    assert page.count_label.text() == "1 of 2 calls"
    page.filter_edit.setText("")
    assert set(page.visible_call_ids()) == {first, second} and page.selected_call_ids() == [second]


def test_a_coach_says_whether_an_agent_turn_is_a_refusal(review, qtbot):
    """Right-click an agent's turn: the menu says what Reviewer judged and offers the other; X
    with the playhead in a turn does the same; markers, metrics and the library row follow, and
    undo / redo work."""
    from PySide6.QtWidgets import QMenu

    page = review.review_page
    refusals_shown = lambda: page.metrics_panel.values["Refusals"]  # noqa: E731
    assert refusals_shown() == "3"
    turns = page.call.transcript.turns
    hold = next(t for t in turns if t.text.lower().startswith("let me put you on"))
    offer = next(t for t in turns if t.text.lower().startswith("before we do that"))

    menu = QMenu()
    page.add_refusal_actions(menu, (offer.start + offer.end) / 2)
    texts = [a.text() for a in menu.actions()]
    assert any(t.startswith("Refusal? (Reviewer judges: a refusal,") and "sure" in t for t in texts), texts
    assert "Not a refusal" in texts and "This is a refusal" not in texts
    next(a for a in menu.actions() if a.text() == "Not a refusal").trigger()
    settled()
    assert refusals_shown() == "2"
    row = next(r for r in review.library_page.model.rows if r.id == page.call.id)
    assert row.refusal_count == 2

    page.seek((hold.start + hold.end) / 2)
    page.actions_by_name["Refusal or not (the agent's turn at the playhead)"].trigger()
    settled()
    assert refusals_shown() == "3"
    marker = page.refusal_marker(hold)
    assert marker is not None and "marked by the coach" in marker.text
    assert any(m.kind == "refusal" and abs(m.start - hold.start) < 0.01 for m in page.timeline_model.markers)

    review.undo_action.trigger()
    settled()
    assert refusals_shown() == "2" and page.refusal_marker(hold) is None
    review.undo_action.trigger()
    settled()
    assert refusals_shown() == "3" and page.refusal_marker(offer) is not None
    review.redo_action.trigger()
    settled()
    assert refusals_shown() == "2"


def answer_next_dialog(qtbot, answer):
    """Calls ``answer(dialog)`` on the next modal dialog once it is showing (exec() blocks)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
        else:
            answer(dialog)

    QTimer.singleShot(0, poll)


def test_editing_a_comment_without_touching_its_time_leaves_it_where_it_was(review, qtbot):
    """OK in the edit dialog with nothing changed neither moves the comment nor adds an undo step,
    however often it is pressed, and the dialog shows the time the list shows."""
    page = review.review_page
    comments = page.comments
    comment_id = comment_added(comments, 12.2, 61.3, "Let the customer finish", "improve", "Dana")
    steps = page.undo_stack.count()
    shown = []
    for _ in range(3):
        comments.select(comment_id)
        answer_next_dialog(
            qtbot, lambda d: (shown.append((d.start_edit.text(), d.end_edit.text())), d.accept())
        )
        comments.edit_selected()
        settled()
    row = page.library.comment(comment_id)
    assert (row.start, row.end) == (12.2, 61.3)
    assert page.undo_stack.count() == steps
    assert shown == [("0:12.2", "1:01.3")] * 3
    assert comments.model.data(comments.model.index(0, 0)) == "0:12–1:01"


def speakers_of(page) -> list[tuple[str, str, str]]:
    return [(s.id, s.role, s.name) for s in page.call.transcript.speakers]


def test_swap_and_rename_are_undone_one_at_a_time_after_who_said_it(review, qtbot):
    """Who said it, then swap roles, then rename: each Ctrl+Z undoes one of them, in turn, and
    undoing who said it leaves the roles and names as they were then; redo makes them again."""
    from reviewer.ui.transcript import Speech

    page = review.review_page
    original = speakers_of(page)
    turn = next(t for t in page.call.transcript.turns if t.speaker == "S2" and t.word_count > 3)
    said_by = lambda: {w.speaker for w in page.call.transcript.words if turn.start <= w.start < turn.end}  # noqa: E731
    assert page.reassign(Speech(turn.start, turn.end, "S2", turn.word_count), "S1")
    settled()
    assert said_by() == {"S1"}
    page.swap_button.click()
    settled()
    swapped = speakers_of(page)
    assert [role for _, role, _ in swapped] == ["customer", "agent"]

    def rename(dialog) -> None:
        dialog.speaker.setCurrentIndex(dialog.speaker.findData("S2"))
        dialog.name.setText("Dana")
        dialog.accept()

    answer_next_dialog(qtbot, rename)
    page.rename_button.click()
    settled()
    renamed = speakers_of(page)
    assert renamed[1] == ("S2", "agent", "Dana")

    review.undo_action.trigger()
    settled()
    assert speakers_of(page) == swapped
    review.undo_action.trigger()
    settled()
    assert speakers_of(page) == original and said_by() == {"S1"}
    review.undo_action.trigger()
    settled()
    assert speakers_of(page) == original and said_by() == {"S2"}
    for _ in range(3):
        review.redo_action.trigger()
        settled()
    assert speakers_of(page) == renamed and said_by() == {"S1"}
    row = next(r for r in review.library_page.model.rows if r.id == page.call.id)
    assert row.agent == "Dana"


@pytest.mark.sqlite_only("another connection holds SQLite's write lock, the library's busy timeout shortened")
def test_a_correction_the_library_cannot_make_says_why_and_gives_the_cursor_back(review, qtbot):
    """Another program holding the library's write lock: who said it, and undo of it, each say
    what went wrong in a message; the wait cursor never sticks and the review shows the call as
    the library holds it."""
    from PySide6.QtWidgets import QApplication

    from reviewer.ui.transcript import Speech

    page = review.review_page
    turn = next(t for t in page.call.transcript.turns if t.speaker == "S2" and t.word_count > 3)
    speech = Speech(turn.start, turn.end, "S2", turn.word_count)
    said_by = lambda: {w.speaker for w in page.call.transcript.words if turn.start <= w.start < turn.end}  # noqa: E731
    page.library.db.execute("PRAGMA busy_timeout = 200")
    # the library thread's connection, which makes the corrections
    page.library_worker.submit(lambda library: library.db.execute("PRAGMA busy_timeout = 200"))
    settled()
    other = sqlite3.connect(page.library.path, isolation_level=None)
    messages = []

    def read_and_close(box) -> None:
        messages.append(box.text())
        box.accept()

    other.execute("BEGIN IMMEDIATE")
    answer_next_dialog(qtbot, read_and_close)
    page.reassign(speech, "S1")
    settled()
    settled()
    assert QApplication.overrideCursor() is None
    assert len(messages) == 1 and "locked" in messages[0]
    assert said_by() == {"S2"} and page.undo_stack.count() == 0
    other.execute("ROLLBACK")

    assert page.reassign(speech, "S1")
    settled()
    other.execute("BEGIN IMMEDIATE")
    answer_next_dialog(qtbot, read_and_close)
    review.undo_action.trigger()
    settled()
    other.execute("ROLLBACK")
    assert QApplication.overrideCursor() is None
    assert len(messages) == 2 and "locked" in messages[1]
    assert said_by() == {"S1"}  # still corrected, as in the library
    other.close()


def test_search_lists_every_call_that_says_it_however_often_another_one_does(
    make_window, processed, pushback, settings, library_location
):
    """A phrase said hundreds of times in one call must not hide the other calls that say it:
    the table lists them all (and exports them all); the list of turns says where it stops."""
    from dataclasses import replace

    from reviewer.analysis import analyse_transcript
    from reviewer.library import open_library
    from reviewer.model import Speaker, Word

    chatty = processed("pushback").transcript
    words = [Word(i * 2.0, i * 2.0 + 0.5, "Discount?", f"S{i % 2 + 1}", 0.9) for i in range(300)]
    chatty = replace(
        chatty,
        duration=600.0,
        speakers=[Speaker("S1", "agent"), Speaker("S2", "customer")],
        words=words,
        overlaps=[],
        refusal_labels=[],
    )
    path = library_location("app")
    with open_library(path) as lib:
        transcript, analysis = analyse_transcript(chatty, settings)
        often, _ = actions.calls.store_call(
            lib,
            pushback[1],
            "chatty",
            transcript,
            analysis,
            source_channels=2,
            source_rate=16000,
            dual_mono=False,
        )
        once = store(lib, processed("pushback"), pushback[1])
        assert set(lib.calls_saying("discount")) == {often, once}
    w = make_window(path)
    page = w.library_page
    page.search("discount")
    settled()
    hits = page.shown_hits
    assert len(hits) == 200 and {h.call_id for h in hits} == {often}  # the best 200 turns
    assert set(page.visible_call_ids()) == {often, once}
    assert set(w.export_targets()) == {often, once}
    notes = [page.hits.item(i).text() for i in range(page.hits.count())]
    assert any("first 200" in n for n in notes), notes[-3:]


def test_the_review_opens_where_the_system_has_no_name_for_the_user(
    make_window, processed, pushback, monkeypatch, library_location
):
    """In some containers and services the user id has no entry in the password database, so
    getpass.getuser() raises (KeyError, as pwd does there): the review still opens, and comments
    are signed with no author until the coach gives one."""
    import getpass

    from reviewer.library import open_library

    def no_name() -> str:
        raise KeyError("getpwuid(): uid not found: 100000")

    monkeypatch.setattr(getpass, "getuser", no_name)
    path = library_location("app")
    with open_library(path) as lib:
        call_id = store(lib, processed("pushback"), pushback[1])
    w = make_window(path)
    w.open_call(call_id)
    settled()
    page = w.review_page
    assert page.call is not None and page.call.id == call_id
    comment_id = comment_added(page.comments, 5.0, None, "Good opening")
    assert page.library.comment(comment_id).author == ""


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")
def test_sigterm_closes_the_idle_app_and_stops_its_import(short_call, tmp_path, library_location):
    """A logout or a service manager sends SIGTERM: the app closes at once, as when the window is
    closed, and the import it was running stops as Cancel stops it (no process left behind)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "REVIEWER_CONFIG_DIR": str(tmp_path / "config")}
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reviewer",
            "--library",
            str(library_location("app")),
            "gui",
            str(short_call[1]),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not children and time.monotonic() < deadline and app.poll() is None:
            time.sleep(0.2)
            children = _children(app.pid)
        assert children, "the app never started its import"
        time.sleep(1.0)  # the window idle in Qt's event loop, the import child at work
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("the app ignored SIGTERM")
        assert app.returncode >= 0  # it closed itself, nothing killed it
        deadline = time.monotonic() + 10
        while any(_running(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_running(c) for c in children), "the import child outlived the app"
    finally:
        for pid in [app.pid, *children]:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        app.wait(timeout=10)


def test_opening_call_after_call_computes_waveforms_on_one_thread(
    make_window, processed, clean, qtbot, library_location, monkeypatch
):
    """Calls whose waveform is not cached yet, opened one after another: one thread computes
    them, never two at once, the call on screen's last, and its waveform appears."""
    import threading

    import reviewer.ui.review_page as review_page
    from reviewer.library import open_library

    path = library_location("app")
    result = processed("clean")
    with open_library(path) as lib:
        ids = [
            actions.calls.store_call(
                lib,
                clean[1],
                f"not-cached-{i}",
                result.transcript,
                result.analysis,
                source_channels=2,
                source_rate=48000,
                dual_mono=False,
            )[0]
            for i in range(6)
        ]
    real = review_page.peaks_for_file
    lock = threading.Lock()
    running, threads, most, computed = [0], set(), [0], []

    def counted(path, content_hash):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            threads.add(threading.get_ident())
        try:
            return real(path, content_hash)
        finally:
            with lock:
                running[0] -= 1
                computed.append(content_hash)

    monkeypatch.setattr(review_page, "peaks_for_file", counted)
    w = make_window(path)
    page = w.review_page
    for call_id in ids:
        w.open_call(call_id)
        settled()
    qtbot.waitUntil(lambda: page.timeline_model.peaks is not None, timeout=60_000)
    assert page.call.id == ids[-1]
    assert most[0] == 1 and len(threads) == 1 and threading.get_ident() not in threads
    assert computed[-1] == "not-cached-5"  # the call on screen's, after any it was asked after


def test_playback_controller_works_without_a_page(qtbot):
    """The player of a review is a QObject of its own: rate, source, seeking and the silences it
    skips, with no widget in sight."""
    from reviewer.ui.playback import PlaybackController

    playback = PlaybackController()
    playback.set_rate(1.5)
    assert playback.rate == 1.5 and playback.player.pitchCompensation()
    assert not playback.set_source(None) and not playback.available
    playback.seek(12.5)
    assert playback.position == 12.5
    playback.toggle()  # nothing to play: nothing happens
    assert not playback.playing
    playback.set_speech([(0.0, 3.0), (8.0, 9.0)], 20.0)
    assert playback._gaps == [(3.0, 8.0), (9.0, 20.0)]


def test_closing_the_window_during_an_export_stops_it_and_says_nothing_more(
    make_window, settings, qtbot, tmp_path, monkeypatch
):
    """The window closes at once: the export is cancelled (between files), its thread is free
    before the window is gone, and no message pops up over a closed window."""
    import threading
    import time

    import reviewer.actions.exports
    from reviewer.errors import Cancelled
    from reviewer.ui.exporting import ExportRequest
    from reviewer.ui.worker import Worker

    started, stopped = threading.Event(), threading.Event()

    def slow_export(library, settings, ids, formats, out, *, progress, cancel, written, **_):
        started.set()
        try:
            while True:
                cancel.check()
                time.sleep(0.01)
        except Cancelled:
            stopped.set()
            raise

    monkeypatch.setattr(reviewer.actions.exports, "export_calls", slow_export)
    w = make_window()
    job = w.exporter.start(ExportRequest(w.library_path, settings, (1,), ("pdf",), tmp_path, False))
    assert started.wait(10)
    began = time.monotonic()
    w.close()
    assert stopped.is_set() and time.monotonic() - began < 5
    assert not job.running() and not any(worker.busy for worker in w.findChildren(Worker))
    qtbot.wait(50)
    assert w.exporter.message is None  # no "Export cancelled" over a closed window


def test_the_ui_thread_does_no_database_io_opening_a_call_and_saying_who_said_it(
    make_window, processed, pushback, qtbot, library_location, monkeypatch
):
    """Opening the scorecard form before any call, opening a call, saying who said a turn and
    undoing it, answering an item whose card version was not read with the score, saving a
    profile: every statement runs on the window's library thread, none on the UI thread (on a
    team's server each one is a network round trip the window would freeze for)."""
    import threading

    from reviewer.library import backend, open_library
    from reviewer.ui.transcript import Speech

    path = library_location("app")
    with open_library(path) as lib:
        call_id = store(lib, processed("pushback"), pushback[1])
    watching = {"on": False}
    on_ui: list[str] = []

    def note(sql: object) -> None:
        if watching["on"] and threading.current_thread() is threading.main_thread():
            on_ui.append(str(sql)[:80])

    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(note)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    pg = getattr(backend, "PgDatabase", None)
    if pg is not None:
        for name in ("execute", "executemany"):
            method = getattr(pg, name)

            def wrapped(self, sql, *args, _method=method, **kwargs):
                note(sql)
                return _method(self, sql, *args, **kwargs)

            monkeypatch.setattr(pg, name, wrapped)

    w = make_window(path)
    settled()
    page = w.review_page
    watching["on"] = True
    assert w.edit_scorecard() is None  # no call's card at hand: read on the library thread
    settled()
    assert w.scorecard_editor.isVisible() and w.scorecard_editor.name.text() == "Customer care"
    w.scorecard_editor.reject()
    w.open_call(call_id)
    qtbot.waitUntil(lambda: page.call is not None and page.call.id == call_id)
    settled()
    turn = next(t for t in page.call.transcript.turns if t.speaker == "S2" and t.word_count > 3)
    page.reassign(Speech(turn.start, turn.end, "S2", turn.word_count), "S1")
    settled()
    assert (
        page.undo_stack.count() == 1
        and page.undo_stack.undoText() == "Said by Agent S1"
        or (page.undo_stack.undoText().startswith("Said by"))
    )
    assert {w_.speaker for w_ in page.call.transcript.words if turn.start <= w_.start < turn.end} == {"S1"}
    w.undo_action.trigger()
    settled()
    assert {w_.speaker for w_ in page.call.transcript.words if turn.start <= w_.start < turn.end} == {"S2"}
    page.set_review_status("submitted")
    settled()
    assert page.call.row.review_status == "submitted" and page.status.currentText() == "submitted"
    assert next(r for r in w.library_page.model.rows if r.id == call_id).review_status == "submitted"
    w.poll_library()  # the window's own changes: nothing to reload, and nothing read here either
    settled()
    panel = page.scores
    panel.scorecard = None  # the card version not read with the score: its answers are read there
    panel.select_item("empathy")
    assert panel.open_answer() is None
    settled()
    assert panel.dialog is not None and panel.dialog.windowTitle() == "Answer the item"
    assert panel.dialog.value.count() > 1 and panel.scorecard is not None
    panel.dialog.reject()
    # Saving a profile: the window learns who it now is from the library thread, not by a query here.
    box = w.profile_dialog(login=w.library.login, shared=False, agents=[])
    box.name.setCurrentText("Dana")
    box.role.setCurrentIndex(box.role.findData("coach"))
    box.accept()
    settled()
    assert w.person is not None and w.person.name == "Dana" and w.library.user == "Dana"
    watching["on"] = False
    assert on_ui == []


def test_the_timeline_tooltip_belongs_to_the_marker_under_the_pointer(review):
    """Where a refusal falls inside a monologue, the refusals' strip answers with the refusal and
    the band below it with the monologue (not whichever began nearer)."""
    page = review.review_page
    view, model = page.timeline, page.timeline_model
    refusals = [m for m in model.markers if m.kind == "refusal"]
    stretches = [m for m in model.markers if m.kind != "refusal"]
    inside = [
        (r, s)
        for r in refusals
        for s in stretches
        if s.start <= r.start + 0.3 and r.start + 0.3 <= (s.end or s.start)
    ]
    assert inside, "the push-back call has a refusal inside a long stretch"
    refusal, stretch = inside[0]
    top, height = view.rows()["markers"]
    x = view.x_of(refusal.start + 0.3)
    assert view.item_at(x, top + 2) is refusal
    assert view.item_at(x, top + height - 2) is stretch


def test_clips_sit_on_the_timeline_hover_seek_edit_and_follow_undo(review, qtbot):
    """A range dragged on the timeline and Ctrl+Shift+C make a clip, drawn in a row of its own;
    hovering names it, a click seeks to it, a double-click edits or deletes it, and every change
    is undone and redone on the timeline too."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QColor, QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from reviewer.ui.style import CLIP_COLOUR

    page = review.review_page
    tl, model = page.timeline, page.timeline_model
    tl.fit()
    assert "clips" not in tl.rows() and "Clips" not in [*map(tl.row_names().get, tl.rows())]
    y = int(tl.rows()["ruler"][0] + 5)
    qtbot.mousePress(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(10.0)), y))
    qtbot.mouseMove(tl, QPoint(int(tl.x_of(13.0)), y))
    qtbot.mouseRelease(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(16.0)), y))
    review.activateWindow()
    tl.setFocus()
    qtbot.keyClick(tl, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settled()  # the playlists are read on the library thread
    dialog = review.sharing.clip_dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "New coaching clip"
    assert dialog.start == pytest.approx(10.0, abs=0.5) and dialog.end == pytest.approx(16.0, abs=0.5)
    dialog.title.setText("Asks for the account")
    dialog.note.setPlainText("Good: one question at a time.")
    dialog.accept()
    settled()

    (clip,) = model.clips  # the new clip appears on its own row, named in the gutter
    assert clip.text == "Asks for the account" and "clips" in tl.rows()
    assert tl.row_names()["clips"] == "Clips" and "coaching clip" in page.legend.text()
    top, height = tl.rows()["clips"]
    model.set_selection(None)  # the range dragged would tint it
    image = tl.grab().toImage()
    dpr = image.devicePixelRatio()

    def purple(x: float) -> int:
        """How many pixels of the clips' row, in the column at ``x``, are the clip's purple."""
        want = QColor(CLIP_COLOUR)
        return sum(
            1
            for yy in range(int(top * dpr), int((top + height) * dpr))
            if max(
                abs(a - b)
                for a, b in zip(
                    image.pixelColor(int(x * dpr), yy).getRgb()[:3], want.getRgb()[:3], strict=True
                )
            )
            < 8
        )

    assert purple(tl.x_of(clip.start) + 1) > height / 2  # its bracket, drawn in the clip's colour
    assert purple(tl.x_of(40.0)) == 0  # and nothing where there is no clip

    middle = QPoint(int(tl.x_of((clip.start + clip.end) / 2)), int(top + height / 2))
    assert tl.item_at(middle.x(), middle.y()) is clip
    QApplication.sendEvent(tl, QHelpEvent(QEvent.Type.ToolTip, middle, tl.mapToGlobal(middle)))
    hover = QToolTip.text()
    assert "Asks for the account" in hover and "0:10" in hover and "0:16" in hover
    assert "one question at a time" in hover

    page.seek(40.0)
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=middle)
    assert model.playhead == pytest.approx(clip.start, abs=0.01)  # a click goes to where it starts

    qtbot.mouseDClick(tl, Qt.MouseButton.LeftButton, pos=middle)
    settled()
    dialog = review.sharing.clip_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Edit coaching clip"
    assert dialog.title.text() == "Asks for the account" and "one question" in dialog.note.toPlainText()
    dialog.end_edit.setText("0:20")
    dialog.title.setText("Asks for the account, kindly")
    dialog.accept()
    settled()
    (edited,) = model.clips
    assert edited.text == "Asks for the account, kindly" and edited.end == pytest.approx(20.0)
    assert review.library.clips(page.call.id)[0].end == pytest.approx(20.0)

    review.undo_action.trigger()  # the edit undone: the clip as it was
    settled()
    (back,) = model.clips
    assert back.text == "Asks for the account" and back.end == pytest.approx(clip.end, abs=0.001)
    review.undo_action.trigger()  # the clip itself undone: gone from the timeline and its row
    settled()
    assert model.clips == [] and "clips" not in tl.rows()
    assert review.library.clips(page.call.id) == []
    review.redo_action.trigger()
    settled()
    assert [c.text for c in model.clips] == ["Asks for the account"]

    qtbot.mouseDClick(tl, Qt.MouseButton.LeftButton, pos=middle)
    settled()
    review.sharing.clip_dialog.delete_button.click()
    settled()
    assert model.clips == [] and review.library.clips(page.call.id) == []
    assert page.undo_stack.undoText() == "Delete clip 'Asks for the account'"
    review.undo_action.trigger()
    settled()
    assert [c.text for c in model.clips] == ["Asks for the account"]


def test_the_import_progress_says_which_share_is_which(qapp):
    """The label's per-cent is the current step's, the bar's the whole import's: each says so."""
    from reviewer.ui.library_page import STAGES, ImportPanel

    panel = ImportPanel()
    panel.start(["/calls/a.wav", "/calls/b.wav"])
    panel.set_busy(True)
    stage = list(STAGES)[1]
    panel.on_progress(0, stage, 0.32, "")
    assert "32% of this step" in panel.label.text()
    assert panel.bar.text().endswith("% of the import") and "32" not in panel.bar.text()


def test_a_missing_x11_library_is_named_with_its_debian_package(monkeypatch):
    """Qt's own message names one library, often not the missing one: the app checks them all
    before Qt starts and names the packages to install."""
    from reviewer.ui.app import missing_system_libraries

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert missing_system_libraries({"libxcb-not-there.so.9": "libxcb-not-there9"}) == ["libxcb-not-there9"]
    assert missing_system_libraries() == []  # make test installs every one of them
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert missing_system_libraries({"libxcb-not-there.so.9": "libxcb-not-there9"}) == []
