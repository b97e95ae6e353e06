"""Progress reporting and cancellation for long work, without any UI dependency.

The core takes a plain callback and a :class:`CancelToken`; the CLI turns them into a progress
bar and Ctrl-C, the GUI into signals and a Cancel button.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    stage: str  # "decode", "transcribe", "speakers", "analyse", "store"
    fraction: float  # 0..1 within the stage
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    pass


class CancelToken:
    """A flag checked between chunks of work. Thread-safe; cancelling is one-way.

    ``event`` may be any event with ``set``/``is_set`` (a ``multiprocessing.Event`` lets a
    parent process cancel work in a child)."""

    def __init__(self, event: threading.Event | None = None) -> None:
        self._event = event if event is not None else threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


NEVER_CANCELLED = CancelToken()
