"""The library of calls: import (atomic, deduplicated by content), list, show, roles, comments,
search. One connection per Library; write transactions take the write lock up front
(BEGIN IMMEDIATE) and wait for other writers, so two processes can share a library."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from reviewer import paths
from reviewer.errors import ReviewerError
from reviewer.library.calls import (
    REVIEW_STATUSES,
    CallsMixin,
    StoredCall,
    content_hash,
    ms,
    now,
    sec,
    stored_metrics,
)
from reviewer.library.clips import ClipsMixin
from reviewer.library.comments import COMMENT_CATEGORIES, CommentsMixin
from reviewer.library.corrections import (
    CorrectionsMixin,
    RefusalLabelChange,
    SpeakerChange,
    SpeechChange,
    next_label,
    speaker_display,
)
from reviewer.library.schema import SCHEMA_VERSION, apply_migrations
from reviewer.library.scorecards import ScorecardsMixin
from reviewer.library.search import SearchMixin
from reviewer.library.trackers import TrackersMixin
from reviewer.library.trends import TrendsMixin

__all__ = [
    "BUSY_TIMEOUT_S",
    "COMMENT_CATEGORIES",
    "REVIEW_STATUSES",
    "Library",
    "RefusalLabelChange",
    "SpeakerChange",
    "SpeechChange",
    "StoredCall",
    "content_hash",
    "ms",
    "next_label",
    "now",
    "open_library",
    "sec",
    "speaker_display",
    "stored_metrics",
]

BUSY_TIMEOUT_S = 60.0


def open_library(path: str | Path | None = None) -> Library:
    return Library(Path(path) if path else paths.default_library())


class Library(
    CallsMixin,
    CommentsMixin,
    SearchMixin,
    CorrectionsMixin,
    TrackersMixin,
    ScorecardsMixin,
    TrendsMixin,
    ClipsMixin,
):
    """One library file: the connection and its transactions here; calls, comments, search and
    corrections in their own modules."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        paths.ensure_private_dir(self.path.parent)
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self.db = Database(conn)
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Only a library that needs migrating takes the write lock here: reading (calls, show,
            # the app's list) never waits for a long import in another process.
            if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                unscored = "call_scores" not in self.db.table_names()
                with self.write():
                    apply_migrations(self.db)
                if unscored and not self.is_empty():
                    self.rescore()  # calls stored before scorecards existed: scored once, now
        except sqlite3.DatabaseError as e:
            raise ReviewerError(f"{self.path} is not a usable Reviewer library ({e}).") from None
        try:
            self.path.chmod(0o600)
        except OSError:
            pass

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction: all or nothing, visible to others only once committed."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
