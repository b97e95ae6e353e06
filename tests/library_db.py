"""Reading a library's tables straight from its database, past Reviewer's code, as an independent
check of what it stored: a SQLite file (a Path) or a PostgreSQL schema (a ``postgresql://`` URL,
as ``library_location`` makes them; see tests/conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def is_postgres(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def query(location: str | Path, sql: str, params: tuple | list = ()) -> list[tuple]:
    """The rows of one statement, with ``?`` placeholders whichever the database."""
    if is_postgres(location):
        import psycopg

        with psycopg.connect(location) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()
    conn = sqlite3.connect(location)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def tables(location: str | Path) -> list[str]:
    """The library's tables (none where nothing made it)."""
    if is_postgres(location):
        return [
            r[0]
            for r in query(location, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ]
    return [r[0] for r in query(location, "SELECT name FROM sqlite_master WHERE type = 'table'")]


def exists(location: str | Path) -> bool:
    """Whether a library was made there: the file, or tables in the schema."""
    if is_postgres(location):
        return bool(tables(location))
    return Path(location).exists()


def integrity(location: str | Path) -> str:
    """ "ok" when the library's database is whole: SQLite's integrity check; on PostgreSQL, which
    keeps its tables whole itself, every row of every table read back."""
    if not is_postgres(location):
        return query(location, "PRAGMA integrity_check")[0][0]
    import psycopg

    with psycopg.connect(location) as conn:
        for table in tables(location):
            conn.execute(f'SELECT * FROM "{table}"').fetchall()
    return "ok"
