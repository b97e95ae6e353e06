"""The two databases a library can live in, behind the few calls the library makes.

A path means SQLite through sqlite-utils (the single user's default: a file in the data folder).
A ``postgresql://`` URL means a shared PostgreSQL database through psycopg 3: :class:`PgDatabase`
offers the part of sqlite-utils' ``Database`` the library uses (``execute``, ``query``,
``executemany``, ``db[table].insert/insert_all/update/delete`` and, for the migrations,
``create/create_index/add_column/enable_fts``), and turns the library's SQL (``?`` parameters)
into psycopg's. SQL that differs between the two is chosen by :attr:`dialect` where it is written.

Writers take one lock per library (SQLite's ``BEGIN IMMEDIATE``; PostgreSQL's transaction
advisory lock), so what the library reads and then writes in one transaction stays consistent
with any number of apps and batch workers at once."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database

from reviewer.errors import ReviewerError
from reviewer.locations import display_location, has_password, is_url, library_location, url_port_problem

CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT_S = 60.0

__all__ = [
    "ConflictError",
    "LibraryUnavailableError",
    "PgDatabase",
    "SqliteDatabase",
    "display_location",
    "has_password",
    "is_url",
    "library_location",
]


class LibraryUnavailableError(ReviewerError):
    """The library's database cannot be reached or used (wrong URL, refused, gone away)."""


class ConflictError(ReviewerError):
    """Someone else changed what this edit was based on: reload and try again."""


class LibraryBusyError(ReviewerError):
    """Another program holds the library's write lock, and this write was not to wait for it."""


class LibraryDamagedError(ReviewerError):
    """The library's file is damaged (SQLite says it is malformed)."""


def storage_problem(error: BaseException, shown: str) -> ReviewerError | None:
    """The sentence for a SQLite error a person can act on (a full disk, a file they may only
    read, a damaged file); None for any other error."""
    text = str(error).lower()
    if "disk is full" in text or "disk full" in text:
        return ReviewerError(
            f"The disk that holds the library {shown} is full: nothing was changed. "
            "Free some space and try again."
        )
    if "readonly" in text or "read-only" in text:
        return ReviewerError(
            f"The library {shown} is read-only for you (its file's permissions): it can be read, not changed."
        )
    if "malformed" in text:
        return LibraryDamagedError(
            f"The library {shown} is damaged ({error}). Check it with: sqlite3 '{shown}' "
            "'PRAGMA integrity_check'; then restore your latest backup of it, or save what can be read "
            f"with: sqlite3 '{shown}' .recover | sqlite3 recovered.sqlite"
        )
    return None


# -- SQLite -------------------------------------------------------------------------------------


class SqliteDatabase(Database):
    """sqlite-utils' Database with the library's transaction and the calls PostgreSQL shares."""

    dialect = "sqlite"
    IntegrityError: type[Exception] = sqlite3.IntegrityError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[SqliteDatabase]:
        """All or nothing; without ``wait``, :class:`LibraryBusyError` at once where another
        program holds the write lock."""
        conn = self.conn
        if conn.in_transaction:
            with self.atomic():
                yield self
            return
        if wait:
            conn.execute("BEGIN IMMEDIATE")
        else:
            timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                raise LibraryBusyError("Another program is changing the library.") from None
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        try:
            yield self
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


# -- PostgreSQL ---------------------------------------------------------------------------------

_TYPES = {int: "BIGINT", str: "TEXT", float: "DOUBLE PRECISION", bytes: "BYTEA"}
_PARAM = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


def pg_sql(sql: str) -> str:
    """The library's SQL (qmark parameters, as sqlite3 takes them) as psycopg takes it."""
    return _PARAM.sub(lambda m: "%s" if m[0] == "?" else "%%" if m[0] == "%" else m[0], sql)


def _params(params: Sequence[Any] | None) -> list[Any] | None:
    if params is None:
        return None
    return [int(p) if isinstance(p, bool) else p for p in params]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Cursor:
    """A query's result as the library reads it from sqlite3: fetchone, fetchall, iteration,
    ``description`` (names first), ``rowcount``."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def description(self) -> list[tuple[str, ...]]:
        return [(c.name,) for c in self._cursor.description or []]

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> _Cursor:
        return self

    def __next__(self) -> tuple[Any, ...]:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row


class PgTable:
    """``db[name]``: the part of sqlite-utils' Table the library uses, in PostgreSQL."""

    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db = db
        self.name = name
        self.last_pk: Any = None

    # rows
    def insert(self, row: dict[str, Any]) -> PgTable:
        columns = list(row)
        sql = (
            f"INSERT INTO {_quote(self.name)} ({', '.join(map(_quote, columns))}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        pk = self.db.primary_key(self.name)
        if pk:
            sql += f" RETURNING {_quote(pk)}"
        cursor = self.db.execute(sql, [row[c] for c in columns])
        self.last_pk = cursor.fetchone()[0] if pk else None
        if pk and pk in row and row[pk] is not None:
            # A row put back under its old number (undo): the identity must not hand it out again.
            self.db.execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), "
                f"(SELECT max({_quote(pk)}) FROM {_quote(self.name)}))",
                [self.name, pk],
            )
        return self

    def insert_all(self, rows: Iterable[dict[str, Any]]) -> PgTable:
        rows = list(rows)
        if not rows:
            return self
        columns = list(dict.fromkeys(c for r in rows for c in r))
        # COPY: a call's words go in as one stream, not a statement each.
        sql = f"COPY {_quote(self.name)} ({', '.join(map(_quote, columns))}) FROM STDIN"
        self.db.copy_rows(sql, ([_params([r.get(c) for c in columns])] for r in rows))
        return self

    def update(self, pk_value: Any, changes: dict[str, Any]) -> PgTable:
        if changes:
            pk = self.db.primary_key(self.name) or "id"
            sets = ", ".join(f"{_quote(c)} = ?" for c in changes)
            self.db.execute(
                f"UPDATE {_quote(self.name)} SET {sets} WHERE {_quote(pk)} = ?", [*changes.values(), pk_value]
            )
        return self

    def delete(self, pk_value: Any) -> PgTable:
        pk = self.db.primary_key(self.name) or "id"
        self.db.execute(f"DELETE FROM {_quote(self.name)} WHERE {_quote(pk)} = ?", [pk_value])
        return self

    @property
    def count(self) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {_quote(self.name)}").fetchone()[0])

    # schema (the migrations)
    def create(
        self,
        columns: dict[str, type],
        *,
        pk: str | tuple[str, ...] | None = None,
        foreign_keys: Sequence[tuple[str, str, str]] = (),
        not_null: Iterable[str] = (),
        defaults: dict[str, Any] | None = None,
    ) -> PgTable:
        not_null = set(not_null)
        defaults = defaults or {}
        lines = []
        for column, kind in columns.items():
            if column == pk and kind is int:
                lines.append(f"{_quote(column)} BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                continue
            line = f"{_quote(column)} {_TYPES[kind]}"
            if column in not_null:
                line += " NOT NULL"
            if column in defaults:
                line += f" DEFAULT {_literal(defaults[column])}"
            lines.append(line)
        if isinstance(pk, tuple):
            lines.append(f"PRIMARY KEY ({', '.join(map(_quote, pk))})")
        elif pk and columns.get(pk) is not int:
            lines.append(f"PRIMARY KEY ({_quote(pk)})")
        for column, other, other_column in foreign_keys:
            lines.append(
                f"FOREIGN KEY ({_quote(column)}) REFERENCES {_quote(other)} ({_quote(other_column)})"
            )
        self.db.execute(f"CREATE TABLE {_quote(self.name)} (\n  " + ",\n  ".join(lines) + "\n)")
        self.db.forget_keys()
        return self

    def create_index(
        self, columns: Sequence[str], *, unique: bool = False, index_name: str | None = None
    ) -> PgTable:
        name = index_name or f"idx_{self.name}_{'_'.join(columns)}"
        self.db.execute(
            f"CREATE {'UNIQUE ' if unique else ''}INDEX {_quote(name)} ON {_quote(self.name)} "
            f"({', '.join(map(_quote, columns))})"
        )
        return self

    def add_column(self, name: str, kind: type, not_null_default: Any = None) -> PgTable:
        line = f"ALTER TABLE {_quote(self.name)} ADD COLUMN {_quote(name)} {_TYPES[kind]}"
        if not_null_default is not None:
            line += f" NOT NULL DEFAULT {_literal(not_null_default)}"
        self.db.execute(line)
        return self

    def enable_fts(self, columns: Sequence[str], **_: Any) -> PgTable:
        """Full-text search: a generated ``tsvector`` column (``search``) with a GIN index. The
        text search configuration stems English words as FTS5's porter tokenizer does and, like
        it, keeps every word (no stop words), so the same searches find the same turns."""
        self.db.ensure_text_search_config()
        document = " || ' ' || ".join(f"coalesce({_quote(c)}, '')" for c in columns)
        self.db.execute(
            f"ALTER TABLE {_quote(self.name)} ADD COLUMN search tsvector GENERATED ALWAYS AS "
            f"(to_tsvector('{TEXT_SEARCH_CONFIG}'::regconfig, {document})) STORED"
        )
        self.db.execute(
            f"CREATE INDEX {_quote(f'idx_{self.name}_search')} ON {_quote(self.name)} USING GIN (search)"
        )
        return self


TEXT_SEARCH_CONFIG = "reviewer_english"


def _literal(value: Any) -> str:
    if isinstance(value, bool | int | float):
        return str(int(value) if isinstance(value, bool) else value)
    return "'" + str(value).replace("'", "''") + "'"


class PgDatabase:
    """A library in PostgreSQL: one psycopg connection, autocommit outside :meth:`transaction`."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.IntegrityError: type[Exception] = psycopg.errors.IntegrityError
        self.url = url
        self.shown = display_location(url)
        self._depth = 0
        self._keys: dict[str, str | None] = {}
        self.conn = self._connect()
        # One key per library (database and schema): writers of one library queue, others don't.
        row = self.conn.execute("SELECT current_database(), current_schema()").fetchone()
        if row[1] is None:
            self.conn.close()
            raise LibraryUnavailableError(
                f"Cannot open the library at {self.shown}: its search_path names no schema that exists."
            )
        digest = hashlib.sha256(f"{row[0]}/{row[1]}".encode()).digest()
        self.lock_key = int.from_bytes(digest[:8], "big", signed=True)

    def _connect(self) -> Any:
        psycopg = self.psycopg
        url = self.url
        problem = url_port_problem(url)
        if problem:
            raise LibraryUnavailableError(
                f"{self.shown} is not a PostgreSQL address libpq can use: {problem}."
            )
        try:
            conn = psycopg.connect(
                url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name="reviewer",
            )
        except psycopg.OperationalError as e:
            raise LibraryUnavailableError(f"Cannot open the library at {self.shown}: {_reason(e)}") from None
        except psycopg.ProgrammingError as e:  # a URL libpq cannot read
            raise LibraryUnavailableError(
                f"{self.shown} is not a PostgreSQL address libpq can use: {_reason(e)}"
            ) from None
        # Sums and averages come back as floats, as from SQLite (not Decimal).
        from psycopg.types.numeric import FloatLoader

        conn.adapters.register_loader("numeric", FloatLoader)
        # A writer waits for another's transaction as long as SQLite's busy timeout, then says so.
        conn.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_S * 1000)}")
        return conn

    def _ensure_connected(self) -> None:
        """After the server went away (a restart, a network cut: said once, as the statement that
        met it failed), the next statement outside a transaction connects again."""
        if self._depth == 0 and (self.conn.broken or self.conn.closed) and not self._closed_by_us:
            self.conn = self._connect()

    _closed_by_us = False

    # queries
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> _Cursor:
        self._ensure_connected()
        try:
            return _Cursor(self.conn.execute(pg_sql(sql), _params(params)))
        except self.psycopg.OperationalError as e:
            raise self._lost(e) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [_params(r) for r in rows]
        if not rows:
            return
        self._ensure_connected()
        try:
            with self.conn.cursor() as cursor:
                cursor.executemany(pg_sql(sql), rows)
        except self.psycopg.OperationalError as e:
            raise self._lost(e) from None

    def copy_rows(self, sql: str, rows: Iterable[list[list[Any] | None]]) -> None:
        try:
            with self.conn.cursor() as cursor, cursor.copy(sql) as copy:
                for (row,) in rows:
                    copy.write_row(row)
        except self.psycopg.OperationalError as e:
            raise self._lost(e) from None

    def query(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            yield dict(zip(names, row, strict=True))

    def __getitem__(self, table: str) -> PgTable:
        return PgTable(self, table)

    def table_names(self) -> list[str]:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        return [r[0] for r in self.execute(sql).fetchall()]

    def primary_key(self, table: str) -> str | None:
        """The single-column primary key of ``table`` (None for none or a composite one)."""
        if table not in self._keys:
            rows = self.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = ?::regclass AND i.indisprimary",
                [_quote(table)],
            ).fetchall()
            self._keys[table] = rows[0][0] if len(rows) == 1 else None
        return self._keys[table]

    def forget_keys(self) -> None:
        self._keys.clear()

    def ensure_text_search_config(self) -> None:
        exists = self.execute(
            "SELECT 1 FROM pg_ts_config WHERE cfgname = ? AND cfgnamespace = current_schema()::regnamespace",
            [TEXT_SEARCH_CONFIG],
        ).fetchone()
        if exists:
            return
        self.execute("CREATE TEXT SEARCH DICTIONARY reviewer_stem (TEMPLATE = snowball, Language = english)")
        self.execute(f"CREATE TEXT SEARCH CONFIGURATION {TEXT_SEARCH_CONFIG} (COPY = pg_catalog.english)")
        self.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {TEXT_SEARCH_CONFIG} ALTER MAPPING FOR "
            "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH reviewer_stem"
        )

    # transactions
    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[PgDatabase]:
        """All or nothing. The outermost one takes the library's write lock, as SQLite's
        BEGIN IMMEDIATE does (without ``wait``, :class:`LibraryBusyError` at once where another
        app holds it); nested ones are savepoints."""
        if self._depth:
            name = f"s{self._depth}"
            self.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                self._rollback(f"ROLLBACK TO SAVEPOINT {name}")
                raise
            self._depth -= 1
            self.execute(f"RELEASE SAVEPOINT {name}")
            return
        self.execute("BEGIN")
        self._depth = 1
        try:
            if wait:
                self.execute("SELECT pg_advisory_xact_lock(?)", [self.lock_key])
            elif not self.execute("SELECT pg_try_advisory_xact_lock(?)", [self.lock_key]).fetchone()[0]:
                raise LibraryBusyError("Another app is changing the library.")
            yield self
        except BaseException:
            self._depth = 0
            self._rollback("ROLLBACK")
            raise
        try:
            # On this connection only: a COMMIT sent over a new one would commit nothing, silently.
            self.conn.execute("COMMIT")
        except self.psycopg.Error as e:
            self._rollback("ROLLBACK")
            if isinstance(e, self.psycopg.OperationalError):
                raise self._lost(e) from None
            raise
        finally:
            self._depth = 0

    def _rollback(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Undo on the way out of a failure: a connection that is gone has undone it already."""
        try:
            self.conn.execute(sql, params)
        except self.psycopg.Error:
            pass  # the connection is gone: the server has dropped the transaction (and its locks)

    @contextmanager
    def session_lock(self, key: int) -> Iterator[None]:
        """A lock held across transactions (the migrations), released however the block ends."""
        self.execute("SELECT pg_advisory_lock(?)", [key])
        try:
            yield
        finally:
            self._rollback("SELECT pg_advisory_unlock(%s)", [key])

    def _lost(self, error: Exception) -> ReviewerError:
        if isinstance(error, self.psycopg.errors.LockNotAvailable):
            return LibraryUnavailableError(
                f"The library at {self.shown} stayed busy (another app or a batch writing to it): "
                "nothing was changed; try again in a moment."
            )
        if self.conn.closed or self.conn.broken:
            return LibraryUnavailableError(
                f"Lost the connection to the library at {self.shown} ({_reason(error)}); nothing half-done "
                "was kept: try again once it is back."
            )
        return LibraryUnavailableError(f"The library at {self.shown} refused this: {_reason(error)}")

    def close(self) -> None:
        self._closed_by_us = True
        self.conn.close()


def _reason(error: Exception) -> str:
    """libpq's message, first line, without anything that looks like a password."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = re.sub(r"(password=)\S+", r"\1***", text)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)
