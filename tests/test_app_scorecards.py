"""The scorecard in the app, through its real widgets offscreen: a coach overrides an item (and
undoes it), the agent disputes one in self-review, the coach accepts; the evidence seeks; the
calibration view; the scorecard form saves a new version and refuses a broken one."""

from __future__ import annotations

import pytest
from ui_wait import settled

from reviewer import actions

pytest.importorskip("PySide6")
pytestmark = pytest.mark.usefixtures("qapp")

import test_app  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox  # noqa: E402

review = test_app.review  # the app's fixture


def item(panel, item_id):
    return next(i for i in panel.score.items if i.id == item_id)


def test_override_dispute_and_decision_through_the_scorecard_tab(review, qtbot):
    w = review
    page = w.review_page
    panel = page.scores
    page.tabs.setCurrentWidget(panel)
    assert "FAILED" in panel.heading.text() and "Customer care" in panel.heading.text()

    # The rule's evidence: a click seeks there and marks the span on the timeline.
    panel.select_item("no-pushback")
    first = item(panel, "no-pushback").evidence[0]
    assert "0:" in panel.detail.text() and "Evidence" in panel.detail.text()
    panel.detail.linkActivated.emit(f"seek:{first.start}:{first.end}")
    assert page.timeline_model.playhead == pytest.approx(first.start, abs=0.05)
    assert page.timeline_model.selection == pytest.approx((first.start, first.end), abs=0.01)

    # A coach overrides it: OK waits for a reason.
    assert panel.answer_button.text() == "Override…"
    dialog = panel.open_answer()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.value.setCurrentIndex(dialog.value.findData("yes"))
    dialog.text.setText("The customer asked to hear the offers")
    assert ok.isEnabled()
    ok.click()
    settled()
    overridden = item(panel, "no-pushback")
    assert (
        overridden.result == "yes" and overridden.override.reason == "The customer asked to hear the offers"
    )
    assert "PASSED" in panel.heading.text() or panel.score.total > 0
    row = next(r for r in w.library_page.model.rows if r.id == page.call.id)
    assert row.score == panel.score.total  # the library list follows

    w.undo_action.trigger()
    settled()
    assert item(panel, "no-pushback").result == "no" and panel.score.total == 0
    w.redo_action.trigger()
    settled()
    assert item(panel, "no-pushback").result == "yes"

    # The agent, in self-review, sees the score and disputes an item; no answering for them.
    agent = next(s.name for s in page.call.transcript.speakers if s.role == "agent")
    w.set_viewer(agent)
    settled()
    assert panel.answer_button.isHidden() and not panel.dispute_button.isHidden()
    assert not w.trackers_action.isEnabled() and not any(a.isEnabled() for a in w.scorecard_actions)
    panel.select_item("talk-share")
    before = item(panel, "talk-share").result
    dialog = panel.open_dispute()
    dialog.text.setText("The customer asked me to explain every option")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settled()
    assert item(panel, "talk-share").dispute.status == "open"
    assert item(panel, "talk-share").dispute.author == agent
    assert not panel.dispute_button.isEnabled()  # one open dispute per item

    # The coach sees it in the library list and accepts it: the item changes.
    w.set_viewer("")
    settled()
    assert w.trackers_action.isEnabled() and all(a.isEnabled() for a in w.scorecard_actions)
    row = next(r for r in w.library_page.model.rows if r.id == page.call.id)
    assert row.open_disputes == 1
    panel.select_item("talk-share")
    assert not panel.accept_button.isHidden()
    panel.accept_button.click()
    settled()
    after = item(panel, "talk-share")
    assert after.result != before and after.dispute.status == "accepted"
    assert next(r for r in w.library_page.model.rows if r.id == page.call.id).open_disputes == 0

    panel.open_calibration()
    settled()  # read on the library thread
    calibration = panel.dialog
    headers = [
        calibration.table.horizontalHeaderItem(c).text() for c in range(calibration.table.columnCount())
    ]
    assert headers[:2] == ["Item", "Rule"] and len(headers) == 3  # one grader so far
    calibration.reject()


def test_the_scorecard_form_saves_a_new_version_and_refuses_a_broken_one(review, qtbot):
    w = review
    panel = w.review_page.scores
    editor = w.edit_scorecard()
    assert editor.name.text() == "Customer care"
    lines = [
        editor.tree.topLevelItem(i).child(j).text(0)
        for i in range(editor.tree.topLevelItemCount())
        for j in range(editor.tree.topLevelItem(i).childCount())
    ]
    assert any(line.endswith("(auto-fail)") for line in lines) and not any("⛔" in x for x in lines)

    editor.select(0)  # the first section: its weight breaks the sum
    editor.s_weight.setValue(50)
    assert "115" in editor.weights.text()
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    settled()
    assert "the section weights add up to 115" in editor.problem.text()
    assert [c.version for c in actions.scores.scorecards(w.library)] == [1]  # nothing stored
    editor.s_weight.setValue(35)

    # A new automatic item, built in the form: no overtalk at all.
    editor.select(1)
    editor.add_item()
    editor.i_id.setText("no-overtalk")
    editor.i_id.textEdited.emit("no-overtalk")
    editor.i_text.setText("Never talks over the customer")
    editor.i_text.textEdited.emit("Never talks over the customer")
    editor.i_measure.setCurrentIndex(editor.i_measure.findData("overtalk"))
    editor.i_measure.activated.emit(editor.i_measure.currentIndex())
    editor.param_widgets["max"].setText("0")
    editor.param_widgets["max"].textEdited.emit("0")
    editor.pass_mark.setValue(60)
    with qtbot.waitSignal(editor.saved, timeout=60_000):  # scored off the UI thread; then it closes
        editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        settled()
    settled()

    card = actions.scores.scorecard(w.library, "Customer care")
    assert card.version == 2 and card.pass_mark == 60
    assert card.item("no-overtalk").rule.measure == "overtalk"
    assert panel.score.version == 2 and item(panel, "no-overtalk").kind == "auto"


def test_escape_while_the_scorecard_saves_cancels_it_and_the_cards_stay_as_they_were(
    review, qtbot, monkeypatch
):
    import threading

    from reviewer.actions import scores

    w = review
    started, release = threading.Event(), threading.Event()
    real = scores._rescore

    def held(library, card, progress):
        progress(0, 1)
        started.set()
        release.wait(10)
        progress(1, 1)  # raises once Cancel was asked for: the transaction rolls back
        return real(library, card, progress)

    monkeypatch.setattr(scores, "_rescore", held)
    editor = w.edit_scorecard()
    editor.pass_mark.setValue(61)
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    settled()
    assert started.wait(10) and not editor.buttons.isEnabled()
    editor.reject()  # Escape: the save is cancelled, the form stays to say so
    assert editor.isVisible()
    release.set()
    qtbot.waitUntil(lambda: "cancelled" in editor.problem.text(), timeout=10_000)
    assert editor.problem.text() == "Saving was cancelled: the scorecard and the scores are as they were."
    assert editor.buttons.isEnabled() and editor.progress_dialog is None
    assert [c.version for c in actions.scores.scorecards(w.library)] == [1]
    editor.reject()  # and closes once nothing is running
    assert not editor.isVisible()


def test_the_review_shows_how_the_score_was_reached_and_never_hides_the_marks(review):
    """The verdict in words (the auto-fail by its text, not its id), how the total was reached,
    each section's weight and subtotal, and the ⚙ ✎ ⚑ marks in a column of their own."""
    panel = review.review_page.scores
    heading = panel.heading.text()
    assert "FAILED (auto-fail: no answer can change it)" in heading and "no-pushback" not in heading
    assert "No push-back after the customer asks to leave" in heading
    assert "Make leaving easy 35 × 0 %" in heading and "an auto-fail item failed" in heading
    tree = panel.tree
    assert [tree.headerItem().text(c) for c in range(tree.columnCount())][-1] == "By"
    rows = [tree.topLevelItem(n) for n in range(tree.topLevelItemCount())]
    section = next(r for r in rows if r.text(0).startswith("Make leaving easy"))
    assert "weight 35 of 100" in section.text(0) and section.text(1) == "0 %"
    rule_row = next(r for r in rows if r.data(0, 0x0100) == "no-pushback")
    assert rule_row.text(4) == "⚙" and "⚙" not in rule_row.text(0)


def test_the_answer_dialog_shows_an_items_words_as_written(review):
    """Not "the customer&#x27;s situation": the item's text is plain text, apostrophes and all."""
    panel = review.review_page.scores
    review.review_page.tabs.setCurrentWidget(panel)
    panel.select_item("empathy")
    dialog = panel.open_answer()
    shown = [w.text() for w in dialog.findChildren(QLabel)]
    assert "Acknowledged the customer's situation" in shown
    assert not any("&#" in t for t in shown)
    dialog.reject()


def test_f1_lists_every_key_the_window_answers_to(review, monkeypatch):
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: said.append(text))
    review.show_shortcuts()
    (text,) = said
    for key in ("Ctrl+T", "Ctrl+Shift+T", "Ctrl+Shift+C", "Ctrl+E", "Ctrl+Z"):
        assert any(line.endswith(key) or f"{key}," in line for line in text.splitlines()), key
