"""The library of calls: import (atomic, deduplicated by content), list, show, roles, comments,
search. One connection per Library; write transactions take the write lock up front
(BEGIN IMMEDIATE) and wait for other writers, so two processes can share a library."""

from __future__ import annotations

import getpass
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reviewer import paths
from reviewer.errors import ReviewerError
from reviewer.library.backend import (
    ConflictError,
    LibraryDamagedError,
    LibraryUnavailableError,
    PgDatabase,
    SqliteDatabase,
    display_location,
    library_location,
    storage_problem,
)
from reviewer.library.calls import (
    REVIEW_STATUSES,
    CallsMixin,
    ms,
    now,
    sec,
    stored_metrics,
)
from reviewer.library.clips import ClipsMixin
from reviewer.library.comments import COMMENT_CATEGORIES, CommentsMixin
from reviewer.library.corrections import CorrectionsMixin
from reviewer.library.people import PeopleMixin
from reviewer.library.schema import SCHEMA_VERSION, apply_migrations, apply_pg_migrations, pg_schema_version
from reviewer.library.scorecards import ScorecardsMixin
from reviewer.library.search import SearchMixin
from reviewer.library.shared import SharedMixin
from reviewer.library.trackers import TrackersMixin
from reviewer.library.trends import TrendsMixin
from reviewer.library.voices import VoicesMixin
from reviewer.model import StoredCall
from reviewer.paths import content_hash

__all__ = [
    "BUSY_TIMEOUT_S",
    "COMMENT_CATEGORIES",
    "ConflictError",
    "LibraryDamagedError",
    "LibraryUnavailableError",
    "REVIEW_STATUSES",
    "Library",
    "StoredCall",
    "content_hash",
    "ms",
    "now",
    "library_location",
    "open_library",
    "sec",
    "stored_metrics",
]

BUSY_TIMEOUT_S = 60.0


def open_library(location: str | Path | None = None) -> Library:
    """The library at ``location``: a ``postgresql://`` URL (a team's shared library) or a path to
    a SQLite file; by default the ``library`` of settings.toml, else the file in the data folder."""
    return Library(library_location(location) or configured_library() or paths.default_library())


def configured_library() -> str | Path | None:
    """The library settings.toml names (``library = "postgresql://..."`` or a path), if any."""
    from reviewer.locations import library_setting

    return library_location(library_setting())


class Library(
    CallsMixin,
    CommentsMixin,
    SearchMixin,
    CorrectionsMixin,
    TrackersMixin,
    ScorecardsMixin,
    TrendsMixin,
    ClipsMixin,
    SharedMixin,
    VoicesMixin,
    PeopleMixin,
):
    """One library, in a SQLite file or a PostgreSQL database: the connection and its
    transactions here; calls, comments, search and corrections in their own modules."""

    db: SqliteDatabase | PgDatabase

    def __init__(self, location: str | Path) -> None:
        location = library_location(location)
        if location is None:
            raise ReviewerError("No library named: give a file path or a postgresql:// address.")
        #: where the library is: a Path (SQLite) or the URL (PostgreSQL); ``shown`` has no password
        self.path: str | Path = location
        self.shown = display_location(location)
        #: who this app is: the login the library knows its person by (on a shared library, the
        #: database user; else REVIEWER_USER or the computer's login)
        self.login = os.environ.get("REVIEWER_USER") or _login_name()
        #: who signs this app's changes ("changed by ... meanwhile"): the person's name once the
        #: library knows them (``refresh_identity``), else the login
        self.user = self.login
        self._seen: dict[int, int] = {}
        #: calls stored before scorecards existed, found by a migration: the application scores
        #: them (``reviewer.actions.library.open_library``)
        self.unscored = False
        #: calls stored before the library kept the call at a glance (m014), found by that
        #: migration: the application judges them (``reviewer.actions.library.open_library``)
        self.unglanced = False
        self._ready = False  # migrated: writes move the change serial on
        if isinstance(location, str):
            self._open_postgres(location)
        else:
            self._open_sqlite(location)
        self._ready = True
        self.refresh_identity()

    def refresh_identity(self) -> None:
        """Who this connection is, read again (after someone chose or changed a profile)."""
        if self.is_shared:
            self.login = str(self.db.execute("SELECT current_user").fetchone()[0])
        person = self.person(self.login) if "people" in self.db.table_names() else None
        if person is not None:
            self.user = person.name
        elif self.is_shared:  # a login the library does not know yet signs as before
            self.user = os.environ.get("REVIEWER_USER") or self.login

    @property
    def is_shared(self) -> bool:
        """A PostgreSQL library, which other apps may change while this one has it open."""
        return self.db.dialect == "postgresql"

    def _open_postgres(self, url: str) -> None:
        self.db = PgDatabase(url)
        try:
            version = pg_schema_version(self.db)
            if version > SCHEMA_VERSION:
                raise ReviewerError(
                    f"The library at {self.shown} was made by a newer Reviewer (library version {version}; "
                    f"this Reviewer knows {SCHEMA_VERSION}): open it with that Reviewer, or update this one."
                )
            if version != SCHEMA_VERSION:
                tables = self.db.table_names()
                unscored = version > 0 and "call_scores" not in tables
                unglanced = version > 0 and "turn_sentiments" not in tables
                apply_pg_migrations(self.db)
                self.unscored = unscored and not self.is_empty()
                self.unglanced = unglanced and not self.is_empty()
        except self.db.psycopg.errors.InsufficientPrivilege as e:
            self.db.close()
            raise ReviewerError(
                f"The library at {self.shown} cannot be set up by this user ({e.diag.message_primary}): "
                "the database's owner (or a user with CREATE on its schema) must open it once."
            ) from None
        except BaseException:
            self.db.close()
            raise

    def _open_sqlite(self, path: Path) -> None:
        # A library file this user may only read opens read-only, its modes untouched: it can be
        # shown and exported, and a change is refused in a sentence (``write``).
        self.read_only = path.is_file() and not os.access(path, os.W_OK)
        if self.read_only:  # SQLite makes these beside it to read a WAL file; not left behind
            self._made = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if not p.exists()]
        else:
            paths.ensure_private_dir(path.parent)
        try:
            target, uri = (f"file:{path}?mode=ro", True) if self.read_only else (str(path), False)
            conn = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False, uri=uri
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self.db = SqliteDatabase(conn)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                conn.close()
                raise ReviewerError(
                    f"The library {path} was made by a newer Reviewer (library version {version}; this "
                    f"Reviewer knows {SCHEMA_VERSION}): open it with that Reviewer, or update this one."
                )
            if self.read_only:
                if version != SCHEMA_VERSION:
                    conn.close()
                    raise ReviewerError(
                        f"The library {path} is read-only for you and was made by an older Reviewer: "
                        "someone who may change it must open it once to bring it up to date."
                    )
                return
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Only a library that needs migrating takes the write lock here: reading (calls, show,
            # the app's list) never waits for a long import in another process.
            if version != SCHEMA_VERSION:
                tables = self.db.table_names()
                unscored, unglanced = "call_scores" not in tables, "turn_sentiments" not in tables
                with self.write():
                    apply_migrations(self.db)
                self.unscored = unscored and not self.is_empty()
                self.unglanced = unglanced and not self.is_empty()
        except sqlite3.DatabaseError as e:
            problem = storage_problem(e, str(path))
            if problem is None and _disk_full(path):  # SQLite could not even make its -shm file
                problem = storage_problem(sqlite3.OperationalError("database or disk is full"), str(path))
            if problem is not None and not (self.read_only and "read-only" in str(problem)):
                raise problem from None
            raise ReviewerError(f"{path} is not a usable Reviewer library ({e}).") from None
        try:
            path.chmod(0o600)
        except OSError:
            pass

    def close(self) -> None:
        self.db.close()
        for made in self._made:
            try:
                if made.name.endswith("-shm") or made.stat().st_size == 0:
                    made.unlink()
            except OSError:
                pass

    _made: list[Path] = []

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self, *, wait: bool = True) -> Iterator[SqliteDatabase | PgDatabase]:
        """A write transaction: all or nothing, visible to others only once committed (and then
        the change serial has moved on, which tells the other apps to refresh). Without ``wait``,
        :class:`~reviewer.library.backend.LibraryBusyError` at once where another program is
        writing (a write that can be left for later)."""
        if self.read_only:
            raise storage_problem(sqlite3.OperationalError("readonly"), self.shown)
        outermost = not self._writing
        self._writing += 1
        try:
            with self.db.transaction(wait=wait) as db:
                yield db
                if outermost and self._ready:
                    db.execute("UPDATE library_state SET serial = serial + 1 WHERE id = 1")
        except sqlite3.DatabaseError as e:  # a full disk, a damaged file: a sentence, not a traceback
            problem = storage_problem(e, self.shown)
            if problem is None:
                raise
            raise problem from None
        finally:
            self._writing -= 1

    _writing = 0
    read_only = False


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "someone"
