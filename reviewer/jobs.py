"""Imports in a child process, reporting over a pipe.

The desktop app runs imports here rather than in a thread: native inference code can hold the
GIL and freeze a window, and ending the process is the only cancel that always works. Each call
is stored in one transaction, so ending the process at any moment loses nothing already stored.

Messages are plain tuples (never objects tied to a process):
    ("files", [path, ...])                          the expanded list, once
    ("progress", index, stage, fraction, message)   within file ``index``
    ("outcome", index, path, status, call_id, message)
    ("done", cancelled)                             last message on a clean finish
    ("error", message)                              the job itself failed
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import time
from dataclasses import dataclass
from pathlib import Path

from reviewer.progress import CancelToken

PROGRESS_INTERVAL = 0.1  # seconds between progress messages for one file


@dataclass(frozen=True)
class ImportRequest:
    paths: tuple[str, ...]
    library: str
    model: str | None = None
    settings_file: str | None = None
    phrases_file: str | None = None


def run_import(request: ImportRequest, conn: multiprocessing.connection.Connection, event) -> None:  # noqa: ANN001
    """The child's main: import every file, sending messages to ``conn``."""
    from reviewer.logs import send_warnings_to_log

    send_warnings_to_log()
    from reviewer.actions.library import open_library
    from reviewer.asr.transcribe import AsrOptions
    from reviewer.errors import Cancelled
    from reviewer.importer import expand_paths, import_files
    from reviewer.pipeline import PipelineOptions
    from reviewer.progress import Progress
    from reviewer.settings import load_settings

    cancel = CancelToken(event)
    last_sent = [0.0]

    def send(*message: object) -> None:
        try:
            conn.send(message)
        except (BrokenPipeError, OSError):
            cancel.cancel()  # the app is gone: stop

    def on_progress(index: int, _path: Path, p: Progress) -> None:
        now = time.monotonic()
        if p.fraction in (0.0, 1.0) or now - last_sent[0] >= PROGRESS_INTERVAL:
            last_sent[0] = now
            send("progress", index, p.stage, float(p.fraction), p.message)

    def on_outcome(index: int, o) -> None:  # noqa: ANN001
        send("outcome", index, str(o.path), o.status, o.call_id, o.message)

    try:
        files = expand_paths(request.paths)
        send("files", [str(f) for f in files])
        settings = load_settings(
            Path(request.settings_file) if request.settings_file else None,
            Path(request.phrases_file) if request.phrases_file else None,
        )
        options = PipelineOptions(
            asr=AsrOptions(model=request.model) if request.model else AsrOptions(), settings=settings
        )
        with open_library(request.library) as library:
            try:
                import_files(
                    files, library, options, progress=on_progress, on_outcome=on_outcome, cancel=cancel
                )
            except Cancelled:
                send("done", True)
                return
        send("done", False)
    except Exception as e:  # noqa: BLE001 - reported to the app as one line, never a traceback
        send("error", str(e) or type(e).__name__)
    finally:
        conn.close()


class ImportProcess:
    """The parent's handle: start, poll messages without blocking, cancel, stop."""

    def __init__(self, request: ImportRequest) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._recv, send = ctx.Pipe(duplex=False)
        self._event = ctx.Event()
        self.process = ctx.Process(
            target=run_import, args=(request, send, self._event), name="reviewer-import", daemon=True
        )
        self.process.start()
        send.close()
        self._closed = False

    def messages(self, limit: int = 200) -> list[tuple]:
        """Whatever has arrived, without waiting."""
        out: list[tuple] = []
        while not self._closed and len(out) < limit:
            try:
                if not self._recv.poll():
                    break
                out.append(self._recv.recv())
            except (EOFError, OSError):
                self._closed = True
        return out

    @property
    def finished(self) -> bool:
        """The child has ended and every message has been read."""
        return self._closed or (not self.process.is_alive() and not self._recv.poll())

    @property
    def exitcode(self) -> int | None:
        return self.process.exitcode

    def cancel(self) -> None:
        """Ask the child to stop between stages of work."""
        self._event.set()

    def stop(self, grace: float = 2.0) -> None:
        """Cancel, wait ``grace`` seconds, then end the child: the call in progress is not kept,
        calls already stored are safe."""
        self.cancel()
        self.process.join(grace)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
