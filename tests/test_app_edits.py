"""The review page's transcript, driven through its real widgets offscreen: a coach corrects what
was said (double-click a word, or select words and press Enter, or replace a turn's text), undoes
it, and sees the findings (push-back, long stretches, overtalk, tracker hits) marked in the turns
with what they say on hover."""

from __future__ import annotations

import pytest
from ui_wait import settled

pytest.importorskip("PySide6")
pytestmark = pytest.mark.usefixtures("qapp")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402


@pytest.fixture()
def review(window_on, processed, pushback, library_location):
    """A window reviewing the push-back call (with a tracker), stored as an import would."""
    from reviewer import actions
    from reviewer.importer import store_result
    from reviewer.library import open_library
    from reviewer.library.store import content_hash
    from reviewer.model import Tracker

    path = library_location("edits-app")
    with open_library(path) as lib:
        call_id = store_result(lib, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]
        actions.trackers.add_tracker(lib, Tracker("Hold", ("brief hold",)))
    return window_on(path, call_id)


def block_of(view, words: str) -> tuple[int, str]:
    doc = view.text.document()
    for n in range(doc.blockCount()):
        text = doc.findBlockByNumber(n).text()
        if words in text.lower():
            return n, text
    raise AssertionError(f"no turn says {words!r}")


def word_index(view, word: str, after: int = 0) -> int:
    text = view.text.toPlainText()
    return next(
        i
        for i in range(len(view.text.word_starts))
        if view.text.word_starts[i] >= after
        and text[view.text.word_starts[i] : view.text.word_ends[i]] == word
    )


def test_the_transcript_marks_push_back_long_stretches_overtalk_and_tracker_hits(review):
    view = review.review_page.transcript
    n, offer = block_of(view, "special discount")
    assert "▼ push-back" in offer and "%" in offer.split(":")[2]
    assert "push-back" not in block_of(view, "moving to another city")[1]  # the customer's turn
    _, lecture = block_of(view, "thanks for holding")
    assert "▼ push-back" in lecture and "■ long stretch" in lecture
    assert "● Hold" in block_of(view, "brief hold")[1]
    assert any("≈ overtalk" in view.text.document().findBlockByNumber(k).text() for k in range(n, n + 10))
    hover = view.text.note_at(view.text.document().findBlockByNumber(n).position() + 2)
    assert hover.startswith("Push-back (") and "% confidence" in hover and "asked to cancel" in hover
    assert "double-click a word" in view.legend.text()


def test_a_coach_corrects_a_word_by_double_click_and_undo_restores_it(review, qtbot):
    page = review.review_page
    view = page.transcript
    _, before = block_of(view, "special discount")
    i = word_index(view, "special")
    cursor = QTextCursor(view.text.document())
    cursor.setPosition(view.text.word_starts[i] + 1)
    qtbot.mouseDClick(
        view.text.viewport(), Qt.MouseButton.LeftButton, pos=view.text.cursorRect(cursor).center()
    )
    assert view.editor.isVisible() and view.editor.text() == "special"
    qtbot.keyClicks(view.editor, "loyalty")
    qtbot.keyClick(view.editor, Qt.Key.Key_Return)
    settled()
    qtbot.waitUntil(lambda: "loyalty discount" in block_of(view, "discount")[1])
    assert not view.editor.isVisible()
    j = word_index(view, "loyalty")
    assert j in view.text.word_notes and "Heard: “special”" in view.text.word_notes[j]
    fmt = QTextCursor(view.text.document())
    fmt.setPosition(view.text.word_starts[j] + 1)
    assert fmt.charFormat().foreground().color().name() == "#00796b"  # the edited colour
    undo = review.undo_action.text()
    assert undo.startswith("&Undo Correct the transcript at ") and undo.endswith(": “loyalty”")

    review.undo_action.trigger()
    settled()
    qtbot.waitUntil(lambda: "special discount" in block_of(view, "discount")[1])
    assert block_of(view, "special discount")[1] == before and view.text.word_notes == {}
    review.redo_action.trigger()
    settled()
    qtbot.waitUntil(lambda: "loyalty discount" in block_of(view, "discount")[1])


def test_replacing_a_turns_text_clears_its_push_back_and_selected_words_edit_with_enter(review, qtbot):
    from PySide6.QtWidgets import QMenu

    page = review.review_page
    view = page.transcript
    assert page.metrics_panel.values["Refusals"] == "3"
    n, _ = block_of(view, "special discount")
    menu = QMenu()
    first = word_index(view, "Before")
    page.add_edit_actions(menu, view.text.word_starts[first])
    texts = [a.text() for a in menu.actions()]
    assert "Correct this word…" in texts and "Replace this turn's text…" in texts
    next(a for a in menu.actions() if a.text() == "Replace this turn's text…").trigger()
    assert view.editor.text().startswith("Before we do that") and view.editor.text().endswith("months.")
    view.editor.setText("Okay, I have cancelled your service, effective immediately.")
    qtbot.keyClick(view.editor, Qt.Key.Key_Return)
    settled()
    qtbot.waitUntil(lambda: page.metrics_panel.values["Refusals"] == "2")
    _, now = block_of(view, "effective immediately")
    assert "push-back" not in now

    # select two words of another turn and press Enter: the editor offers them to type over
    i = word_index(view, "brief")
    cursor = QTextCursor(view.text.document())
    cursor.setPosition(view.text.word_starts[i])
    cursor.setPosition(view.text.word_ends[i + 1], QTextCursor.MoveMode.KeepAnchor)
    view.text.setTextCursor(cursor)
    view.text.setFocus()
    qtbot.keyClick(view.text, Qt.Key.Key_Return)
    assert view.editor.isVisible() and view.editor.text() == "brief hold"
    qtbot.keyClick(view.editor, Qt.Key.Key_Escape)
    assert not view.editor.isVisible()
    view.text.setTextCursor(QTextCursor(view.text.document()))  # no selection: F2 takes the playhead's word
    page.seek(view.text.word_spans[i][0] + 0.01)
    page.actions_by_name["Correct what was said (the selected words, or the word at the playhead)…"].trigger()
    assert view.editor.isVisible() and view.editor.text() == "brief"


def test_an_agent_in_self_review_cannot_edit(review, qtbot):
    page = review.review_page
    page.set_agent_mode(True, "Ryan")
    assert not page.transcript.edit_words(0, 0)
    assert not page.transcript.editor.isVisible()
