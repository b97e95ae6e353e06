"""The review from open to submitted in the app, through its real widgets offscreen: the Answer
dialog with the card's guidance and nothing pre-chosen, the keys the README lists (A, a digit,
Enter, Ctrl+Return), the submit step and its logged changes, the inbox (a line opens the call
at the disputed item), and profiles (an agent's profile cannot view as the coach)."""

from __future__ import annotations

import pytest
from ui_wait import settled

from reviewer import actions

pytest.importorskip("PySide6")
pytestmark = pytest.mark.usefixtures("qapp")

import test_app  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox, QLabel  # noqa: E402

review = test_app.review  # the app's fixture


def item(panel, item_id):
    return next(i for i in panel.score.items if i.id == item_id)


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key on the window, active again as it is once a dialog closes (offscreen it is not)."""
    widget.window().activateWindow()
    qtbot.waitUntil(widget.window().isActiveWindow)
    widget.setFocus()
    qtbot.keyClick(widget, key, modifier)


def profile(w, name, role, qtbot):
    """Choose a profile through the dialog, as on first start."""
    dialog = w.profile_dialog()
    dialog.name.setCurrentText(name)
    dialog.role.setCurrentIndex(dialog.role.findData(role))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settled()
    qtbot.waitUntil(lambda: w.person is not None and w.person.name == name)
    w.activateWindow()  # the window's keys again, as once the dialog closed
    qtbot.waitUntil(w.isActiveWindow)


def test_the_answer_dialog_shows_guidance_and_a_careless_ok_scores_nothing(review, qtbot):
    panel = review.review_page.scores
    review.review_page.tabs.setCurrentWidget(panel)
    panel.select_item("empathy")
    dialog = panel.open_answer()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    lines = [dialog.value.item(n).text() for n in range(dialog.value.count())]
    assert lines[0].startswith("5 — Named the customer's situation") and lines[2].startswith("3 — A general")
    assert dialog.value.currentData() is None and not ok.isEnabled()  # nothing pre-chosen
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)  # Enter with nothing chosen does nothing
    assert dialog.isVisible() and item(panel, "empathy").result is None
    qtbot.keyClicks(dialog.value, "4")  # a digit goes to that answer
    assert dialog.value.currentData() == "4" and ok.isEnabled()
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)
    settled()
    assert item(panel, "empathy").result == "4" and item(panel, "empathy").answered_by.grader

    panel.select_item("talk-share")  # an override: its guidance too, and a reason
    dialog = panel.open_answer()
    shown = [w.text() for w in dialog.findChildren(QLabel)]
    assert any(t.startswith("The agent's talk share") or "→" in t for t in shown)
    assert dialog.value.currentData() is None
    assert "Override to yes where" in dialog.value.item(dialog.value.findData("yes")).text()
    dialog.reject()


def test_a_review_from_open_to_submitted_with_the_readme_keys(review, qtbot):
    """README's clicks and keys: A, 4, Enter; A, y, Enter; a click on an automatic item, Enter,
    y, Tab, a reason, Enter; Ctrl+Return."""
    w = review
    page = w.review_page
    panel = page.scores
    profile(w, "Dana", "coach", qtbot)
    page.timeline.setFocus()
    assert page.status.currentText() == "new" and not page.status.isEnabled()  # it follows on its own

    press(qtbot, page.timeline, Qt.Key.Key_A)  # the next open item: honoured (manual)
    assert page.tabs.currentWidget() is panel and panel.current_item_id() == "honoured"
    qtbot.keyClicks(panel.dialog.value, "y")
    qtbot.keyClick(panel.dialog.value, Qt.Key.Key_Return)
    settled()
    assert item(panel, "honoured").result == "yes" and page.status.currentText() == "in review"

    press(qtbot, page.timeline, Qt.Key.Key_A)  # then empathy
    assert panel.current_item_id() == "empathy"
    qtbot.keyClicks(panel.dialog.value, "4")
    qtbot.keyClick(panel.dialog.value, Qt.Key.Key_Return)
    settled()
    assert item(panel, "empathy").result == "4" and panel.score.unanswered == 0

    panel.select_item("no-pushback")  # a click on the rule's item, Enter: Override
    press(qtbot, panel.tree, Qt.Key.Key_Return)
    dialog = panel.dialog
    assert dialog.windowTitle() == "Override the rule"
    dialog.activateWindow()  # the dialog has the keys now (a window manager gives them at once)
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClicks(dialog.value, "y")
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)  # no reason yet: the reason field takes the keys
    assert dialog.isVisible() and item(panel, "no-pushback").override is None
    qtbot.keyClicks(dialog.text, "The customer asked to hear the offers")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    settled()
    assert item(panel, "no-pushback").override.grader == "Dana"

    assert not panel.submit_button.isHidden() and panel.submit_button.isEnabled()
    press(qtbot, page.timeline, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settled()
    assert panel.score.review.status == "submitted" and panel.score.review.submitted_by == "Dana"
    assert page.status.currentText() == "submitted" and panel.submit_button.isHidden()
    assert "Submitted by Dana" in panel.review_line.text()
    row = next(r for r in w.library_page.model.rows if r.id == page.call.id)
    assert row.review_status == "submitted"  # the library's Status column

    panel.select_item("empathy")  # final now: a change needs a reason, and is logged
    dialog = panel.open_answer()
    assert any(lbl.text() == "Reason (logged)" for lbl in dialog.findChildren(QLabel))
    dialog.value.setCurrentIndex(dialog.value.findData("3"))
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.text.setText("Second listen")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settled()
    (change,) = w.library.score_changes(page.call.id)
    assert (change.old_value, change.new_value, change.person, change.reason) == (
        "4",
        "3",
        "Dana",
        "Second listen",
    )


def test_the_inbox_opens_the_call_at_the_disputed_item_and_keeps_read_marks(review, qtbot):
    w = review
    page = w.review_page
    call_id = page.call.id
    # Ryan disputes before this login is anyone (on a shared library a profile signs as itself)
    actions.scores.dispute_item(w.library, call_id, "greeting", "I did say my name", author="Ryan")
    profile(w, "Dana", "coach", qtbot)
    w.show_library()
    settled()
    w.show_inbox()
    settled()
    assert w.stack.currentWidget() is w.inbox and w.inbox_action.text() == "Inbox (1)"
    row = w.inbox.tree.topLevelItem(0)
    assert "Dispute: greeting — I did say my name" in row.text(2) and row.font(0).bold()
    press(qtbot, w.inbox.tree, Qt.Key.Key_Return)
    settled()
    qtbot.waitUntil(lambda: w.stack.currentWidget() is page)
    settled()
    assert page.tabs.currentWidget() is page.scores and page.scores.current_item_id() == "greeting"
    assert page.back_button.text() == "← Inbox"
    assert w.inbox_action.text() == "Inbox"  # read now
    page.back_button.click()
    settled()
    assert w.stack.currentWidget() is w.inbox and not w.inbox.tree.topLevelItem(0).font(0).bold()


def test_an_agents_profile_views_as_that_agent_only(review, qtbot):
    w = review
    agent = next(s.name for s in w.review_page.call.transcript.speakers if s.role == "agent")
    profile(w, agent, "agent", qtbot)
    settled()
    choices = [w.viewer.itemText(i) for i in range(w.viewer.count())]
    assert choices == [f"Agent: {agent}"]  # no "Coach: all calls" to switch back to
    w.set_viewer("")
    assert w.viewer.currentData() == agent and w.review_page.scores.answer_button.isHidden()
    assert not any(a.isEnabled() for a in w.scorecard_actions)
    assert w.profile_action.text() == f"{agent} (Agent)"


def test_the_scorecard_form_edits_an_items_guidance(review, qtbot):
    w = review
    editor = w.edit_scorecard()
    editor.select(1, 3)  # Listen → "Acknowledged the customer's situation"
    assert editor.i_id.text() == "empathy"
    assert editor.i_guidance.toPlainText().splitlines()[0].startswith("5: Named the customer's situation")
    editor.i_guidance.setPlainText("5: Said back what the customer lives through\n1: Ignored it")
    with qtbot.waitSignal(editor.saved, timeout=60_000):
        editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        settled()
    settled()
    card = actions.scores.scorecard(w.library, "Customer care")
    assert card.version == 2
    assert card.item("empathy").guidance == (
        ("5", "Said back what the customer lives through"),
        ("1", "Ignored it"),
    )
