"""The window's one library thread: the database work of the pages runs here, on a library
connection of its own, so the UI thread never waits for a query (on a team's server each one is
a network round trip).

A page submits a plain function ``fn(library) -> plain data`` (an ``actions.*`` operation, or a
reader that gathers everything a view shows in one trip) with ``done(result)`` and
``failed(error)`` callbacks, both called on the UI thread. Jobs run one at a time, in the order
they were submitted, on one :class:`~reviewer.ui.worker.Worker` thread (one writer: SQLite
connections and psycopg transactions are never used by two threads at once). ``failed`` gets
the exception itself (a ``ReviewerError``, a ``ConflictError`` of a shared library, or a bug),
so a page says it exactly as it did when the call was made in place.

The thread opens its library as the front doors do (``actions.library.open_library``: the calls
a migration left unscored are scored first). It shares the window library's record of which call
versions this app has shown (``seen``), so a change made here and one made there check the same
versions.

Before the first job in the process, what the app built at start-up is frozen out of the
garbage collector's sight (:func:`freeze_startup_heap`).

A write (``writes=True``) also reads the library's change serial before and after it, and
:attr:`LibraryWorker.wrote` says both on the UI thread: the window's poll then knows the serial
its own write produced and does not reload for it."""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.actions.library import open_library
from reviewer.library.store import Library
from reviewer.ui.worker import Job, Worker

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


_heap_frozen = False


def freeze_startup_heap() -> None:
    """Once per process: collect, then freeze what exists (modules, settings, the window's
    widgets and their Python wrappers) out of the garbage collector's sight (``gc.freeze``).
    The library thread makes a call's whole view at once (tens of thousands of objects for a
    60-minute call), which sets off full collections; each scans every object in the process
    with the GIL held, 120–160 ms on a busy 2-core machine, and the UI thread waits for it.
    Frozen, a full collection scans only what was made since (about 15 ms there). Objects
    frozen are still freed when nothing refers to them; only a cycle among them would stay."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


class _Failure:
    """An exception raised by a job, carried to the UI thread as a value."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class LibraryWorker(QObject):
    """Runs ``fn(library)`` functions on one thread that owns its own library connection."""

    wrote = Signal(object, object)  # change serial before and after a write of this app's

    def __init__(
        self, location: str | Path, parent: QObject | None = None, *, shares: Library | None = None
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.shares = shares
        self.worker = Worker(self, name="reviewer-library")
        self._library: Library | None = None  # opened on the worker's thread, used only there
        self.pending = 0  # jobs submitted and not answered yet, and steps of answers not shown yet
        self._steps: deque[Callable[[], None]] = deque()
        self._step_due = False  # a pass of the event loop is asked to run the next step

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def _open(self) -> Library:
        if self._library is None:
            library = open_library(self.location, glance=False)  # the window catches up in steps
            if self.shares is not None:
                library._seen = self.shares._seen  # one app: one record of the versions it showed
            self._library = library
        return self._library

    def submit(
        self,
        fn: Callable[[Library], Any],
        done: Done | None = None,
        failed: Failed | None = None,
        *,
        writes: bool = False,
    ) -> Job:
        """Run ``fn(library)`` on the library thread; ``done(result)`` or ``failed(error)`` on
        the UI thread once it returns (neither if the window closed meanwhile)."""

        def work(_progress: Any, _cancel: Any) -> Any:
            try:
                freeze_startup_heap()
                library = self._open()
                if not writes:
                    return fn(library)
                before = library.change_serial()
                result = fn(library)
                return (before, library.change_serial(), result)
            except Exception as e:  # noqa: BLE001 - handed to the page, which says it
                return _Failure(e)

        def answered(value: Any) -> None:
            if isinstance(value, _Failure):
                if failed is not None:
                    failed(value.error)
                return
            if writes:
                before, after, value = value
                self.wrote.emit(before, after)
            if done is not None:
                done(value)

        self.pending += 1
        job = self.worker.start(work)
        job.finished.connect(answered)
        job.failed.connect(lambda text: failed(RuntimeError(text)) if failed is not None else None)
        job.ended.connect(self._answered)
        return job

    def _answered(self) -> None:
        self.pending = max(0, self.pending - 1)

    def show_later(self, step: Callable[[], None]) -> None:
        """Run ``step()`` on the UI thread in a later pass of the event loop, one step a pass in
        the order given: a large answer shown in parts (the visible view, then the panels behind
        tabs, then the page switch) lets timers, input and paint come between them, so no pass
        holds the UI thread for the whole. Until it has run, the thread counts as :attr:`busy`
        (what it was asked is not shown yet)."""
        self._steps.append(step)
        self.pending += 1
        self._step_later()

    def _step_later(self) -> None:
        if self._steps and not self._step_due:
            self._step_due = True
            QTimer.singleShot(0, self, self._next_step)

    def _next_step(self) -> None:
        self._step_due = False
        if not self._steps:
            return
        step = self._steps.popleft()
        try:
            step()
        finally:
            self.pending = max(0, self.pending - 1)
            self._step_later()

    def close(self) -> None:
        """Stop the thread (jobs not started are dropped) and close its library."""
        self.worker.stop()
        self._steps.clear()
        self.pending = 0
        if self._library is not None:
            self._library.close()
            self._library = None

    def set_location(self, location: str | Path, shares: Library | None) -> None:
        """Another library: the jobs waiting are dropped, the next one opens it."""
        self.close()
        self.location, self.shares = location, shares


class LatestReads:
    """Reads a page makes through the library thread, each of a ``kind`` ("search", "list",
    "clips"…) that keeps only its newest answer: an answer that arrives after a newer read of
    the same kind was asked for is dropped (a search typed over a slower one, a playlist picked
    while the last one loads). Errors go to ``failed`` if the read names one, else to
    ``on_error``."""

    def __init__(self, worker: Callable[[], LibraryWorker], on_error: Failed) -> None:
        self._worker = worker  # a getter: the page may be given another thread
        self._on_error = on_error
        self._asked: dict[str, int] = {}

    def read(
        self,
        kind: str,
        fn: Callable[[Library], Any],
        done: Done,
        failed: Failed | None = None,
        *,
        writes: bool = False,
    ) -> Job:
        asked = self.drop(kind)

        def answered(value: Any) -> None:
            if self._asked.get(kind) == asked:
                done(value)

        def refused(error: BaseException) -> None:
            if self._asked.get(kind) == asked:
                (failed or self._on_error)(error)

        return self._worker().submit(fn, answered, refused, writes=writes)

    def drop(self, kind: str) -> int:
        """Forget the answer on its way for ``kind`` (nothing to show any more); returns the
        number of the next read of that kind."""
        self._asked[kind] = self._asked.get(kind, 0) + 1
        return self._asked[kind]
