"""The one bridge between long work and the window: :class:`Worker` runs a plain function
``work(progress, cancel) -> result`` off the UI thread and says what became of it as signals
on the UI thread. ``progress`` is a callback taking one value (a ``reviewer.progress.Progress``,
or whatever the work reports), ``cancel`` a :class:`~reviewer.progress.CancelToken`, the core's
own; the work knows nothing of Qt.

Each run is a :class:`Job` with ``progress(value)``, ``finished(result)``, ``failed(sentence)``
and ``cancelled()``, then ``ended()``; exactly one of the three outcomes, emitted on the UI
thread. ``failed`` carries the sentence of a :class:`~reviewer.errors.ReviewerError` (or of an
``OSError``: the disk's own words, a read-only folder, a full disk); anything else is a bug, its
traceback logged and the user told ``"<unexpected>: <error>"``.

Why a :class:`QThreadPool` of its own, one thread, per worker (and not a QThread or Python's
threads): the pool owns its threads, so no QThread object of ours can be destroyed while it runs
("QThread: Destroyed while thread is still running"), and a pool that is deleted waits for its
runs before it goes, so nothing a run touches disappears under it. One thread per worker makes
a controller's jobs one at a time (one writer), and a loader's newer request simply waits for
the thread while the older one is told to stop. Threads are started on demand and expire when
idle.

What crosses threads is plain data: the work's result, a progress value, a sentence. The run
never touches the :class:`Job` (a QObject of the UI thread); it leaves its news in a mailbox and
pokes a relay object that lives as long as the pool, whose queued signal the worker reads on
the UI thread. Progress is coalesced: while one progress message waits to be shown, newer
values replace it, so a chatty job cannot flood the event queue.

Closing: :meth:`Worker.stop` cancels every job, waits (with a timeout) for the thread, and drops
whatever the jobs would still have said. A run that outlives the timeout keeps its pool alive
(set aside, never deleted under it) and is logged."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from reviewer.errors import Cancelled, ReviewerError
from reviewer.progress import CancelToken

log = logging.getLogger(__name__)

Work = Callable[[Callable[[Any], None], CancelToken], Any]
"""``work(progress, cancel) -> result``: runs off the UI thread; raises ``Cancelled`` to stop."""

STOP_TIMEOUT = 5.0  # seconds a closing window waits for a cancelled job
_SET_ASIDE: set[QThreadPool] = set()  # pools still running after their worker stopped waiting
_ids = itertools.count(1)


class Job(QObject):
    """One run of a work function. Its signals are emitted on the UI thread, exactly one of
    ``finished``, ``failed`` and ``cancelled``, then ``ended`` (none of them once the job was
    dropped: replaced by a newer request of a loader, or its window closed)."""

    progress = Signal(object)  # the value the work reported (the newest, when they come fast)
    finished = Signal(object)  # what the work returned
    failed = Signal(str)  # the sentence to show
    cancelled = Signal()
    ended = Signal()

    def __init__(self, token: CancelToken) -> None:
        super().__init__()  # no parent: the worker and whoever asked hold it
        self.token = token
        self._over = False  # ended, or dropped

    def cancel(self) -> None:
        """Ask the work to stop; ``cancelled`` follows once it has (``finished`` if it was done)."""
        self.token.cancel()

    def running(self) -> bool:
        """Started and not ended (nor dropped) yet."""
        return not self._over

    def _drop(self) -> None:
        self.token.cancel()
        self._over = True

    def _end(self, outcome: str, value: Any) -> None:
        if self._over:
            return
        self._over = True
        if outcome == "finished":
            self.finished.emit(value)
        elif outcome == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.ended.emit()


class _Mailbox:
    """What a run leaves for the UI thread: the newest progress value and the outcome."""

    def __init__(self, job_id: int, token: CancelToken, relay: _Relay) -> None:
        self.id, self.token, self.relay = job_id, token, relay
        self.lock = threading.Lock()
        self.latest: Any = None
        self.waiting = False  # a progress message is on its way
        self.outcome: tuple[str, Any] = ("cancelled", None)

    def report(self, value: Any) -> None:
        """The ``progress`` callback the work gets (any thread)."""
        with self.lock:
            self.latest = value
            if self.waiting:
                return
            self.waiting = True
        self.relay.progressed.emit(self.id)

    def take_progress(self) -> Any:
        with self.lock:
            self.waiting = False
            return self.latest


class _Relay(QObject):
    """Emitted from the pool's thread, received by the worker on the UI thread (queued). It is a
    child of the pool, which outlives every run, so a run never emits into a deleted object."""

    progressed = Signal(int)
    ended = Signal(int)


class _Run(QRunnable):
    def __init__(self, work: Work, mailbox: _Mailbox, unexpected: str) -> None:
        super().__init__()
        self.work, self.mailbox, self.unexpected = work, mailbox, unexpected

    def run(self) -> None:
        box = self.mailbox
        outcome: tuple[str, Any] = ("cancelled", None)
        try:
            if not box.token.cancelled:  # cancelled (or replaced) before its turn came
                outcome = ("finished", self.work(box.report, box.token))
        except Cancelled:
            outcome = ("cancelled", None)
        except (ReviewerError, OSError) as e:
            outcome = ("failed", str(e))
        except Exception as e:  # noqa: BLE001 - a bug: logged whole, said in one sentence
            log.exception("%s", self.unexpected)
            outcome = ("failed", f"{self.unexpected}: {e!r}")
        finally:
            box.outcome = outcome
            box.relay.ended.emit(box.id)


class Worker(QObject):
    """Runs work functions off the UI thread, one at a time, in order. A loader
    (``newest_wins=True``) keeps only its newest request: starting one cancels the others and
    drops whatever they would have said."""

    def __init__(
        self, parent: QObject | None = None, *, name: str = "reviewer-work", newest_wins: bool = False
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.newest_wins = newest_wins
        self._jobs: dict[int, tuple[Job, _Mailbox]] = {}
        self._new_pool()

    def _new_pool(self) -> None:
        self._pool = QThreadPool(self)
        self._pool.setObjectName(self.name)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self._pool)
        queued = Qt.ConnectionType.QueuedConnection
        self._relay.progressed.connect(self._progressed, queued)
        self._relay.ended.connect(self._ended, queued)

    def start(self, work: Work, *, unexpected: str = "Something went wrong") -> Job:
        """Run ``work(progress, cancel)`` once the thread is free. ``unexpected`` begins the
        sentence said for an error that is neither a ``ReviewerError`` nor an ``OSError``.
        Nothing is delivered before control returns to the event loop, so connecting to the
        returned job's signals right after this call misses nothing."""
        if self.newest_wins:
            for job, _box in self._jobs.values():
                job._drop()
        job = Job(CancelToken())
        box = _Mailbox(next(_ids), job.token, self._relay)
        self._jobs[box.id] = (job, box)
        self._pool.start(_Run(work, box, unexpected))
        return job

    @property
    def busy(self) -> bool:
        """A job is running or waiting (a dropped one too, until its thread lets it go)."""
        return bool(self._jobs)

    def cancel_all(self) -> None:
        """Cancel every job and say nothing more of them (the first half of :meth:`stop`)."""
        for job, _box in self._jobs.values():
            job._drop()

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """For closing the window: cancel every job, wait up to ``timeout`` seconds for the
        thread, and say nothing more of these jobs. Returns whether the thread was free in time."""
        self.cancel_all()
        if self._pool.waitForDone(round(timeout * 1000)):
            self._jobs.clear()
            return True
        log.warning(
            "%s: a cancelled job is still running after %.0f s; it finishes alone", self.name, timeout
        )
        pool = self._pool  # set aside, not deleted under the run (deleting it would wait for it)
        self._relay.progressed.disconnect(self._progressed)
        self._relay.ended.disconnect(self._ended)
        pool.setParent(None)
        _SET_ASIDE.add(pool)
        self._jobs.clear()
        self._new_pool()
        return False

    def _progressed(self, job_id: int) -> None:
        if job_id in self._jobs:
            job, box = self._jobs[job_id]
            value = box.take_progress()
            if job.running():
                job.progress.emit(value)

    def _ended(self, job_id: int) -> None:
        if job_id in self._jobs:
            job, box = self._jobs.pop(job_id)
            job._end(*box.outcome)


def stop_all(workers: Iterable[Worker], timeout: float = STOP_TIMEOUT) -> bool:
    """Closing a window: every worker's jobs cancelled at once, then all waited for within one
    ``timeout``. Returns whether every thread was free in time."""
    workers = list(workers)
    for worker in workers:
        worker.cancel_all()
    deadline = time.monotonic() + timeout
    return all([worker.stop(max(0.0, deadline - time.monotonic())) for worker in workers])
