"""The app's one worker bridge (reviewer.ui.worker): plain functions run off the UI thread, and
what became of them arrives on it as signals."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtWidgets import QApplication, QWidget

from reviewer.errors import ReviewerError
from reviewer.progress import Progress
from reviewer.ui.worker import Worker


def record(job) -> list:
    """Every signal of ``job``, in order, with the thread it arrived on."""
    seen: list = []
    job.progress.connect(lambda v: seen.append(("progress", v, threading.get_ident())))
    job.finished.connect(lambda r: seen.append(("finished", r, threading.get_ident())))
    job.failed.connect(lambda s: seen.append(("failed", s, threading.get_ident())))
    job.cancelled.connect(lambda: seen.append(("cancelled", None, threading.get_ident())))
    job.ended.connect(lambda: seen.append(("ended", None, threading.get_ident())))
    return seen


def until_cancelled(started: threading.Event, stopped: threading.Event):
    def work(progress, cancel):
        started.set()
        try:
            for i in range(3000):
                cancel.check()
                progress(i)
                time.sleep(0.01)
        finally:
            stopped.set()
        return "never"

    return work


def test_progress_and_the_result_arrive_on_the_ui_thread_in_order(qtbot):
    worker = Worker()
    work_thread: list[int] = []

    def work(progress, cancel):
        work_thread.append(threading.get_ident())
        for i in range(1, 201):
            cancel.check()
            progress(Progress("export", i / 200, f"call {i}"))
        return ["a.pdf", "b.pdf"]

    job = worker.start(work)
    seen = record(job)
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    ui = threading.get_ident()
    assert work_thread and work_thread[0] != ui  # the work ran off the UI thread
    assert {thread for *_, thread in seen} == {ui}  # and everything it said came to the UI thread
    kinds = [kind for kind, *_ in seen]
    assert kinds[-2:] == ["finished", "ended"] and set(kinds[:-2]) == {"progress"}
    fractions = [v.fraction for kind, v, _ in seen if kind == "progress"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0  # the newest always shown
    assert len(fractions) <= 200  # coalesced while the UI thread was busy, never more
    assert seen[-2][1] == ["a.pdf", "b.pdf"]
    assert not job.running() and not worker.busy


def test_cancel_stops_a_running_job_and_reports_cancelled(qtbot):
    worker = Worker()
    started, stopped = threading.Event(), threading.Event()
    job = worker.start(until_cancelled(started, stopped))
    seen = record(job)
    assert started.wait(10)
    qtbot.waitUntil(lambda: any(kind == "progress" for kind, *_ in seen), timeout=10_000)
    assert job.running()
    with qtbot.waitSignal(job.cancelled, timeout=10_000):
        job.cancel()
    assert stopped.is_set()
    assert [kind for kind, *_ in seen if kind != "progress"] == ["cancelled", "ended"]
    assert not job.running()


def test_a_failure_says_the_sentence_and_a_bug_is_logged_with_its_traceback(qtbot, caplog):
    worker = Worker()

    def read_only(progress, cancel):
        raise ReviewerError("/srv/qa is read-only: choose another folder.")

    job = worker.start(read_only, unexpected="The export failed unexpectedly")
    with qtbot.waitSignal(job.failed, timeout=10_000) as said:
        pass
    assert said.args == ["/srv/qa is read-only: choose another folder."]

    def bug(progress, cancel):
        return {}["missing"]

    with caplog.at_level(logging.ERROR, logger="reviewer.ui.worker"):
        job = worker.start(bug, unexpected="The export failed unexpectedly")
        with qtbot.waitSignal(job.failed, timeout=10_000) as said:
            pass
    assert said.args == ["The export failed unexpectedly: KeyError('missing')"]
    assert "Traceback" in caplog.text and "KeyError: 'missing'" in caplog.text


def test_a_newer_loader_request_wins(qtbot):
    loader = Worker(newest_wins=True)
    first_started, release = threading.Event(), threading.Event()
    first_cancelled = []
    ran = []

    def first(progress, cancel):
        first_started.set()
        release.wait(10)
        first_cancelled.append(cancel.cancelled)
        return "call 1's waveform"

    def later(name):
        def work(progress, cancel):
            ran.append(name)
            return f"{name}'s waveform"

        return work

    one = loader.start(first)
    assert first_started.wait(10)
    two = loader.start(later("call 2"))  # asked for while the first one runs
    three = loader.start(later("call 3"))
    seen = {job: record(job) for job in (one, two, three)}
    assert not one.running() and not two.running() and three.running()
    release.set()
    with qtbot.waitSignal(three.finished, timeout=10_000) as done:
        pass
    assert done.args == ["call 3's waveform"]
    assert first_cancelled == [True]  # told to stop when the newer request came
    assert ran == ["call 3"]  # the one in between was skipped, never computed
    qtbot.waitUntil(lambda: not loader.busy, timeout=10_000)
    assert seen[one] == [] and seen[two] == []  # the older answers were never delivered


class Window(QWidget):
    """A window that owns a worker and stops it when it closes, as the main window does."""

    def __init__(self) -> None:
        super().__init__()
        self.worker = Worker(self, name="reviewer-test")

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001
        self.stopped_in_time = self.worker.stop(timeout=5.0)
        event.accept()


def test_closing_a_window_with_a_running_job_stops_it_cleanly(qtbot):
    w = Window()
    qtbot.addWidget(w)
    w.show()
    started, stopped = threading.Event(), threading.Event()
    job = w.worker.start(until_cancelled(started, stopped))
    seen = record(job)
    assert started.wait(10)
    began = time.monotonic()
    w.close()
    assert w.stopped_in_time and stopped.is_set() and time.monotonic() - began < 5
    assert not w.worker.busy and not job.running()
    QApplication.processEvents()
    assert [kind for kind, *_ in seen if kind != "progress"] == []  # a closed window hears nothing more


def test_a_job_that_ignores_cancel_is_waited_for_briefly_then_left_to_finish_alone(qtbot, caplog):
    """Deleting the window afterwards neither crashes nor waits: the job's thread pool is set aside."""
    w = Window()
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def stubborn(progress, cancel):
        started.set()
        release.wait(10)
        finished.set()
        return None

    job = w.worker.start(stubborn)
    assert started.wait(10)
    with caplog.at_level(logging.WARNING, logger="reviewer.ui.worker"):
        assert w.worker.stop(timeout=0.2) is False
    assert "still running" in caplog.text and not job.running()
    again = w.worker.start(lambda progress, cancel: "a fresh thread")  # the worker goes on
    with qtbot.waitSignal(again.finished, timeout=10_000) as done:
        pass
    assert done.args == ["a fresh thread"]
    w.deleteLater()
    QApplication.processEvents()
    release.set()
    assert finished.wait(10)
