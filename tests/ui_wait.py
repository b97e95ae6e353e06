"""Waiting for the app's library thread in the window tests: the window reads and changes the
library there, and shows the result when it comes (the UI thread does no database I/O)."""

from __future__ import annotations

import time


def settled(timeout: float = 60.0) -> None:
    """Run the event loop until every window's library thread has answered what it was asked
    (and what those answers asked in turn)."""
    from PySide6.QtWidgets import QApplication

    from reviewer.ui.library_worker import LibraryWorker

    def busy() -> bool:
        return any(
            worker.busy
            for top in QApplication.topLevelWidgets()
            for worker in top.findChildren(LibraryWorker)
        )

    deadline = time.monotonic() + timeout
    QApplication.processEvents()
    while busy():
        if time.monotonic() > deadline:
            raise TimeoutError("the library thread did not answer in time")
        QApplication.processEvents()
        time.sleep(0.002)
    QApplication.processEvents()


def comment_added(comments, *args, **kwargs) -> int:  # noqa: ANN001, ANN002, ANN003
    """Add a comment through a review page's comments panel (``CommentsPanel.add``), wait for the
    library thread to make it, and return its number."""
    ids: list[int] = []
    assert comments.add(*args, added=ids.append, **kwargs)
    settled()
    assert ids, "the comment was not added"
    return ids[0]
