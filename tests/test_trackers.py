"""Phrase trackers in the app, through its real windows (pytest-qt, offscreen): the Trackers
dialog, the tracker strip of the review's timeline with its filter, the library list's Tracked
column and its said / not said filter, cancelling a change, and bad definitions; and the library's
side of a change (a rename, a cancel rolled back)."""

from __future__ import annotations

import threading

import pytest
from library_db import integrity, query
from ui_wait import settled

from reviewer import actions

pytest.importorskip("PySide6")
pytestmark = pytest.mark.usefixtures("qapp")

import test_app  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QPushButton  # noqa: E402

from reviewer.analysis.trackers import Tracker  # noqa: E402
from reviewer.errors import Cancelled  # noqa: E402

store = test_app.store  # how they store a processed call as an import does


@pytest.fixture()
def two_calls(processed, pushback, clean, library_location):
    """A library with the push-back call (the agent says sorry) and the clean one (no apology)."""
    from reviewer.library import open_library

    path = library_location("app")
    with open_library(path) as lib:
        ids = {
            "pushback": store(lib, processed("pushback"), pushback[1]),
            "clean": store(lib, processed("clean"), clean[1]),
        }
    return path, ids


def open_dialog(w, qtbot):
    w.trackers_action.trigger()
    settled()
    dialog = w.trackers.dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def fill(dialog, qtbot, name: str, phrases: str, side: str = "both", window: str = "", seconds: float = 30):
    dialog.new_button.click()
    settled()
    qtbot.keyClicks(dialog.name, name)
    dialog.phrases.setPlainText(phrases)
    dialog.side.setCurrentIndex(dialog.side.findData(side))
    dialog.window_kind.setCurrentIndex(dialog.window_kind.findData(window))
    dialog.seconds.setValue(seconds)


def save_and_wait(w, dialog, qtbot) -> None:
    with qtbot.waitSignal(w.trackers.changed, timeout=60_000):
        dialog.save_button.click()
        settled()
    settled()
    assert not w.trackers.running()


def tracked(page, call_id: int) -> str:
    model = page.model
    row = next(i for i, r in enumerate(model.rows) if r.id == call_id)
    return model.data(model.index(row, model.TRACKED))


def strip_pixel(tl, item) -> QColor:
    """The colour painted where ``item``'s flag is drawn on the tracker strip."""
    top, _h = tl.rows()["trackers"]
    image = tl.grab().toImage()
    dpr = image.devicePixelRatio()
    return image.pixelColor(int((tl.x_of(item.start) + 2) * dpr), int((top + 4) * dpr))


def test_a_tracker_added_in_the_dialog_counts_in_the_library_and_marks_the_timeline(
    make_window, two_calls, qtbot
):
    path, ids = two_calls
    w = make_window(path)
    page = w.library_page
    assert page.model.headers[page.model.TRACKED] == "Tracked"
    assert not page.tracked_filter.isVisible()  # no trackers yet: no filter to offer

    dialog = open_dialog(w, qtbot)
    fill(dialog, qtbot, "apology", "sorry\napologi*", side="agent")
    save_and_wait(w, dialog, qtbot)
    assert "apology" in dialog.status.text() and "1 call" in dialog.status.text()
    assert dialog.list.item(0).text().startswith("apology")
    dialog.close()

    # The library list: a count per call, sortable, and a said / not said filter.
    assert tracked(page, ids["pushback"]) == "1" and tracked(page, ids["clean"]) == "0"
    tip = page.model.index(page.visible_call_ids().index(ids["pushback"]), page.model.TRACKED)
    page.model.data(tip, Qt.ItemDataRole.ToolTipRole)  # read on the library thread on a first hover
    settled()
    assert "apology: 1" in page.model.data(tip, Qt.ItemDataRole.ToolTipRole)
    page.table.sortByColumn(page.model.TRACKED, Qt.SortOrder.DescendingOrder)
    assert page.visible_call_ids() == [ids["pushback"], ids["clean"]]
    page.table.sortByColumn(page.model.TRACKED, Qt.SortOrder.AscendingOrder)
    assert page.visible_call_ids() == [ids["clean"], ids["pushback"]]
    assert page.tracked_filter.isVisible()
    page.tracked_filter.choose("apology", said=True)
    settled()
    assert page.visible_call_ids() == [ids["pushback"]] and page.count_label.text() == "1 of 2 calls"
    page.tracked_filter.choose("apology", said=False)
    settled()
    assert page.visible_call_ids() == [ids["clean"]]
    page.tracked_filter.choose(None)
    assert len(page.visible_call_ids()) == 2

    # A call without hits has no tracker strip; the push-back call has one, labelled and clickable.
    review = w.review_page
    tl = review.timeline
    w.open_call(ids["clean"])
    settled()
    assert "trackers" not in tl.rows() and not review.tracker_filter.isVisibleTo(review)
    w.open_call(ids["pushback"])
    settled()
    assert "trackers" in tl.rows() and review.tracker_filter.isVisibleTo(review)
    (hit,) = review.timeline_model.visible_tracker_hits()
    assert hit.tracker == "apology" and hit.phrase == "sorry" and "sorry" in hit.text.lower()
    assert "apology" in hit.tooltip() and "sorry" in hit.tooltip()
    tl.fit()
    review.seek(review.timeline_model.duration)  # the playhead out of the way
    assert strip_pixel(tl, hit) == review.timeline_model.tracker_colours["apology"]
    top, h = tl.rows()["trackers"]
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(hit.start) + 3), int(top + h / 2)))
    assert review.timeline_model.playhead == pytest.approx(hit.start, abs=0.01)

    # A second tracker, added while the call is open: the review follows, each in its colour.
    dialog = open_dialog(w, qtbot)
    fill(dialog, qtbot, "cancel request", "cancel*", side="customer")
    save_and_wait(w, dialog, qtbot)
    dialog.close()
    hits = review.timeline_model.visible_tracker_hits()
    names = {h.tracker for h in hits}
    assert names == {"apology", "cancel request"}
    assert all(h.speaker.startswith("Customer") for h in hits if h.tracker == "cancel request")
    colours = review.timeline_model.tracker_colours
    assert colours["apology"] != colours["cancel request"]
    cancel_hit = next(h for h in hits if h.tracker == "cancel request")
    assert strip_pixel(tl, cancel_hit) == colours["cancel request"]
    assert int(tracked(page, ids["clean"])) >= 1  # the list followed too

    # Filtering the strip: the hidden tracker's flags go, N no longer stops there.
    assert "cancel request" in review.tracker_filter.entries
    review.tracker_filter.entries["cancel request"].trigger()  # uncheck it in the menu
    settled()
    assert {h.tracker for h in review.timeline_model.visible_tracker_hits()} == {"apology"}
    assert strip_pixel(tl, cancel_hit) != colours["cancel request"]
    assert round(cancel_hit.start, 3) not in review.timeline_model.stops()
    assert "1 of 2" in review.tracker_filter.text()
    review.tracker_filter.show_only(set())
    assert review.timeline_model.visible_tracker_hits() == [] and "trackers" in tl.rows()
    review.tracker_filter.show_only(None)
    assert {h.tracker for h in review.timeline_model.visible_tracker_hits()} == names


def test_cancelling_a_tracker_change_leaves_the_library_as_it_was(make_window, two_calls, qtbot, monkeypatch):
    from reviewer.actions import trackers as library_trackers
    from reviewer.library import open_library

    path, ids = two_calls
    with open_library(path) as lib:
        actions.trackers.add_tracker(lib, Tracker("apology", ("sorry", "apologi*"), "agent"))
    before = query(path, "SELECT * FROM tracker_hits ORDER BY id")
    assert before

    # The worker is held inside its transaction (after its first call) until Cancel was pressed.
    started, release = threading.Event(), threading.Event()
    real = library_trackers.tracker_hits

    def held(*args, **kwargs):
        started.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(library_trackers, "tracker_hits", held)
    w = make_window(path)
    dialog = open_dialog(w, qtbot)
    assert dialog.name.text() == "apology"  # the first tracker, ready to edit
    dialog.phrases.setPlainText("cancel*")
    dialog.side.setCurrentIndex(dialog.side.findData("both"))
    dialog.save_button.click()
    settled()
    qtbot.waitUntil(started.is_set, timeout=10_000)
    progress = w.trackers.progress_dialog
    qtbot.waitUntil(progress.isVisible, timeout=5_000)  # shown while it works
    assert not dialog.save_button.isEnabled()
    cancel = progress.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    cancel.click()
    settled()
    release.set()
    qtbot.waitUntil(lambda: not w.trackers.running(), timeout=30_000)
    qtbot.waitUntil(lambda: "Cancelled" in dialog.status.text(), timeout=5_000)
    assert w.trackers.progress_dialog is None and dialog.save_button.isEnabled()

    assert integrity(path) == "ok"
    assert query(path, "SELECT * FROM tracker_hits ORDER BY id") == before
    assert query(path, "SELECT name, phrases, side FROM trackers") == [
        ("apology", '["sorry", "apologi*"]', "agent")
    ]
    assert tracked(w.library_page, ids["pushback"]) == "1"


def test_a_bad_tracker_says_what_is_wrong_and_stores_nothing(make_window, two_calls, qtbot):
    from reviewer.library import open_library

    path, _ids = two_calls
    with open_library(path) as lib:
        actions.trackers.add_tracker(lib, Tracker("apology", ("sorry",), "agent"))
    w = make_window(path)
    dialog = open_dialog(w, qtbot)

    fill(dialog, qtbot, "forbidden", "")
    dialog.save_button.click()
    settled()
    assert dialog.problems.isVisible() and "needs at least one phrase" in dialog.problems.text()
    dialog.phrases.setPlainText("(calm down")  # said again as the coach edits
    assert "cannot be used" in dialog.problems.text() and "at least one phrase" not in dialog.problems.text()
    dialog.phrases.setPlainText("calm down")
    assert not dialog.problems.isVisible()
    dialog.window_kind.setCurrentIndex(dialog.window_kind.findData("first"))
    dialog.seconds.setValue(0)
    assert "positive number of seconds" in dialog.problems.text()
    dialog.save_button.click()
    settled()

    fill(dialog, qtbot, "apology", "i apologize")  # a new tracker may not take an existing name
    dialog.save_button.click()
    settled()
    assert "already exists" in dialog.problems.text()
    dialog.name.clear()
    assert "needs a name" in dialog.problems.text()

    assert w.trackers.job is None  # nothing was started
    with open_library(path) as lib:
        assert lib.trackers() == [Tracker("apology", ("sorry",), "agent")]


def test_renaming_a_tracker_replaces_it_and_a_cancel_inside_the_transaction_rolls_back(
    library, processed, pushback, clean
):
    first = store(library, processed("pushback"), pushback[1])
    store(library, processed("clean"), clean[1])
    assert actions.trackers.add_tracker(library, Tracker("sorry", ("sorry",), "agent")) == 1
    assert {r.id: r.tracker_hits for r in library.list_calls(brief=True)}[first] == 1
    seen = []
    assert (
        actions.trackers.add_tracker(
            library, Tracker("apology", ("sorry", "apologi*"), "agent"), replacing="sorry"
        )
        == 1
    )
    assert [t.name for t in library.trackers()] == ["apology"]
    assert [h.tracker for h in library.tracker_hits(first)] == ["apology"]
    assert library.tracker_call_counts() == {"apology": 1}

    def stop(done: int, total: int) -> None:
        seen.append((done, total))
        raise Cancelled()

    with pytest.raises(Cancelled):
        actions.trackers.add_tracker(library, Tracker("apology", ("cancel*",)), stop)
    assert seen == [(1, 2)]
    assert library.trackers() == [Tracker("apology", ("sorry", "apologi*"), "agent")]
    assert [(h.tracker, h.phrase) for h in library.tracker_hits(first)] == [("apology", "sorry")]


def test_a_concept_tracker_is_tuned_in_the_dialog_against_its_live_hits_and_saved(
    make_window, two_calls, qtbot
):
    """Concept mode: three example sentences, the turns of the library's calls that reach the
    threshold listed with their similarity as the slider moves, then saved like a phrase tracker."""
    from reviewer.analysis.trackers import DEFAULT_THRESHOLD
    from reviewer.library import open_library

    path, ids = two_calls
    w = make_window(path)
    dialog = open_dialog(w, qtbot)
    assert dialog.windowTitle() == "Trackers"
    fill(dialog, qtbot, "asks for the account", "", side="agent")
    assert not dialog.concept.isVisible()  # a phrase tracker's form until Concept is chosen
    dialog.kind.setCurrentIndex(dialog.kind.findData("concept"))
    assert dialog.concept.isVisible() and dialog.concept.examples.isVisible()
    dialog.concept.examples.setPlainText(
        "What's the account number, please?\nCould you tell me the phone number?"
    )
    assert "at least 3 example sentences" in dialog.concept.summary.text()
    dialog.concept.examples.appendPlainText("Can you verify your date of birth for me?")
    qtbot.waitUntil(lambda: dialog.concept.preview is not None, timeout=60_000)
    assert dialog.concept.threshold() == DEFAULT_THRESHOLD

    def listed() -> list[str]:
        return [dialog.concept.hits.item(i).text() for i in range(dialog.concept.hits.count())]

    found = listed()
    assert found and any("account number" in line.lower() for line in found), found
    assert all(line.split()[1] == "clean.wav" or "Agent" in line for line in found)
    scores = [float(line.split()[0]) for line in found]
    assert min(scores) >= DEFAULT_THRESHOLD
    assert f"{len(found)} hit" in dialog.concept.summary.text()
    assert all(m.speaker.startswith("Agent") for m in dialog.concept.shown_hits())  # the side it watches

    dialog.concept.slider.setValue(95)  # stricter: nothing comes that close
    assert dialog.concept.threshold() == 0.95 and listed() == []
    assert "0 hits" in dialog.concept.summary.text()
    dialog.concept.slider.setValue(10)  # looser: more turns
    looser = listed()
    assert len(looser) > len(found)
    newest = {m.call_id: i for i, m in enumerate(dialog.concept.shown_hits())}
    assert len(newest) == 2 and list(newest) == sorted(newest, reverse=True)  # the newest call first
    dialog.concept.spin.setValue(DEFAULT_THRESHOLD)
    assert listed() == found and dialog.concept.slider.value() == round(DEFAULT_THRESHOLD * 100)

    tuned = dialog.concept.shown_hits()
    save_and_wait(w, dialog, qtbot)
    assert "asks for the account" in dialog.status.text()
    with open_library(path) as lib:
        (kept,) = lib.trackers()
        assert kept.examples[0] == "What's the account number, please?" and len(kept.examples) == 3
        assert (kept.side, kept.threshold, kept.phrases) == ("agent", DEFAULT_THRESHOLD, ())
        hits = [h for call_id in ids.values() for h in lib.tracker_hits(call_id)]
    assert sorted(h.text for h in hits) == sorted(m.text for m in tuned)  # what the dialog showed
    assert lib_calls_with(path, "asks for the account") == sorted({m.call_id for m in tuned})
    # Opened again, it is a concept tracker with its examples and threshold.
    dialog.list.setCurrentRow(0)
    assert dialog.kind.currentData() == "concept" and dialog.concept.example_lines() == kept.examples


def lib_calls_with(path, name: str) -> list[int]:
    from reviewer.library import open_library

    with open_library(path) as lib:
        return sorted(lib.calls_with_tracker(name))
