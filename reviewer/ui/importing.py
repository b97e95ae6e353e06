"""The bridge between the import child process (reviewer.jobs) and the window: polls its
messages on a timer and turns them into signals; Cancel stops it, closing the window too."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.jobs import ImportProcess, ImportRequest
from reviewer.library.backend import library_location

POLL_MS = 50


class ImportController(QObject):
    started = Signal(list)  # the files of this batch (str paths)
    progress = Signal(int, str, float, str)  # file index, stage, fraction, message
    outcome = Signal(int, str, str, object, str)  # index, path, status, call id, message
    finished = Signal(bool)  # cancelled
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(
        self, library_path: str | Path, parent: QObject | None = None, **request_options: str | None
    ) -> None:
        super().__init__(parent)
        self.library_path = library_location(library_path) or library_path
        self.request_options = request_options
        self._process: ImportProcess | None = None
        self._queue: deque[list[str]] = deque()
        self._cancelling = False
        self._exiting: list[ImportProcess] = []  # finished children still shutting down
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def busy(self) -> bool:
        return self._process is not None

    def import_paths(self, paths: list[str | Path]) -> None:
        """Import files and folders; a second request waits for the first."""
        self._queue.append([str(p) for p in paths])
        if not self.busy:
            self._start_next()

    def cancel(self) -> None:
        """Stop now: the call being processed is not kept; calls already stored stay."""
        self._queue.clear()
        if self._process is not None:
            self._cancelling = True
            self._process.cancel()
            QTimer.singleShot(1500, self._force_stop)

    def _force_stop(self) -> None:
        if self._process is not None and self._cancelling:
            self._process.stop(grace=0.0)

    def shutdown(self, grace: float = 2.0) -> None:
        """For closing the window: cancel, wait a little, end the child."""
        self._queue.clear()
        self._timer.stop()
        for exiting in self._exiting:
            exiting.stop(grace=grace)
        self._exiting.clear()
        if self._process is not None:
            self._process.stop(grace=grace)
            self._process = None
            self.busyChanged.emit(False)

    def _start_next(self) -> None:
        paths = self._queue.popleft()
        self._cancelling = False
        self._process = ImportProcess(
            ImportRequest(tuple(paths), str(self.library_path), **self.request_options)
        )
        self._timer.start()
        self.busyChanged.emit(True)

    def _poll(self) -> None:
        # Reap children that have said "done" without waiting for them: a child with torch
        # loaded takes a quarter of a second to exit, too long to block the window.
        self._exiting = [p for p in self._exiting if p.process.is_alive()]
        process = self._process
        if process is None:
            if not self._exiting:
                self._timer.stop()
            return
        for message in process.messages():
            kind = message[0]
            if kind == "files":
                self.started.emit(list(message[1]))
            elif kind == "progress":
                self.progress.emit(int(message[1]), message[2], float(message[3]), message[4])
            elif kind == "outcome":
                self.outcome.emit(int(message[1]), message[2], message[3], message[4], message[5])
            elif kind == "done":
                self._end(lambda c=bool(message[1]): self.finished.emit(c))
                return
            elif kind == "error":
                self._end(lambda m=message[1]: self.failed.emit(m))
                return
        if process.finished and not process.process.is_alive():
            code = process.exitcode
            if self._cancelling:
                self._end(lambda: self.finished.emit(True))
            else:
                self._end(
                    lambda: self.failed.emit(
                        f"The import stopped unexpectedly (exit code {code}). "
                        "Calls imported before it are safe; import the rest again."
                    )
                )

    def _end(self, notify) -> None:  # noqa: ANN001
        process = self._process
        self._process = None
        if process is not None:
            self._exiting.append(process)  # reaped by later polls, never joined here
        notify()
        if self._queue:
            self._start_next()
        else:
            self.busyChanged.emit(False)
