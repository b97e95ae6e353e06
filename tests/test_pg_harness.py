"""The test harness's PostgreSQL side (tests/pg_server.py, ``library_location`` in conftest.py):
a real server, a library role that is no superuser, and a fresh schema for each library."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from library_db import exists, integrity, query, tables
from pg_server import with_search_path

made_by_the_last_test: list[str] = []


@pytest.mark.postgres
def test_libraries_are_fresh_schemas_of_a_role_that_is_no_superuser(postgres_url, library_location):
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        role, superuser, createrole = conn.execute(
            "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert not superuser and not createrole, role

    first, other = library_location(), library_location("other")
    assert library_location() == first and first != other
    schemas = []
    for location in (first, other):
        assert isinstance(location, str) and "options=-csearch_path%3Dt_" in location
        (options,) = parse_qs(urlsplit(location).query)["options"]
        with psycopg.connect(location) as conn:
            schema, owner = conn.execute(
                "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = current_schema()"
            ).fetchone()
        assert options == f"-csearch_path={schema}" and owner == role
        schemas.append(schema)
        assert tables(location) == [] and not exists(location)
    assert len(set(schemas)) == 2

    # The library's role makes its tables there, each library apart from the other.
    with psycopg.connect(first) as conn:
        conn.execute("CREATE TABLE calls (id integer PRIMARY KEY, name text)")
        conn.execute("INSERT INTO calls VALUES (1, 'a.wav')")
    assert exists(first) and not exists(other)
    assert query(first, "SELECT name FROM calls WHERE id = ?", [1]) == [("a.wav",)]
    assert integrity(first) == "ok"
    made_by_the_last_test[:] = schemas


@pytest.mark.postgres
def test_each_tests_schemas_are_dropped_after_it(postgres_url):
    if not made_by_the_last_test:
        pytest.skip("runs after the test above")
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        left = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [made_by_the_last_test]
        ).fetchall()
    assert left == []


@pytest.mark.postgres
def test_open_library_sets_up_its_tables_in_the_schema_and_nowhere_else(postgres_url, library_location):
    from reviewer.library import open_library

    location, other = library_location(), library_location("other")
    with open_library(location) as lib:
        assert lib.path == location and lib.is_empty()
    assert "calls" in tables(location) and integrity(location) == "ok"
    assert not exists(other)  # nor in public, where a schema-less URL would have put them
    assert query(postgres_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_the_search_path_joins_the_options_already_in_the_url():
    base = "postgresql://reviewer@/reviewer_tests?host=/tmp/pg%20x&options=-cstatement_timeout%3D5000"
    url = with_search_path(base, "t_1")
    assert url == (
        "postgresql://reviewer@/reviewer_tests?host=/tmp/pg%20x"
        "&options=-cstatement_timeout%3D5000%20-csearch_path%3Dt_1"
    )
    assert with_search_path("postgresql://u@h/db", "t_2") == "postgresql://u@h/db?options=-csearch_path%3Dt_2"


@pytest.mark.sqlite_only("SQLite's locations are files")
def test_sqlite_libraries_are_files_in_the_tests_folder(library_location, tmp_path):
    assert library_location() == tmp_path / "library.sqlite"
    assert library_location("new/mine") == tmp_path / "new" / "mine.sqlite"
    assert library_location("new/mine") is library_location("new/mine")
    assert isinstance(library_location(), Path) and not exists(library_location())
