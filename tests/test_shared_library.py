"""A team's library on PostgreSQL: several apps at once, conflicts said rather than overwritten,
faults that leave nothing half-written, migrations that twenty apps may start together, the
team's audio folder, and two app windows (two processes) seeing each other's comments.

These run against a real PostgreSQL server (tests/pg_server.py starts a throwaway one)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from ui_wait import settled

from reviewer import actions
from reviewer.errors import ReviewerError
from reviewer.library import open_library
from reviewer.library.backend import ConflictError, LibraryUnavailableError

pytestmark = pytest.mark.postgres
HERE = Path(__file__).resolve().parent
settled()


@pytest.fixture()
def shared(library_location):
    """A new, empty PostgreSQL library's URL (the test is marked postgres)."""
    return library_location("shared")


@pytest.fixture()
def reviewing(shared, processed, clean, qtbot, settings, tmp_path, monkeypatch):
    """An app window (its own ui.ini) on the shared library, reviewing the clean call stored there."""
    from reviewer.ui.main_window import MainWindow

    with open_library(shared) as lib:
        call_id = store(lib, processed("clean"), clean[1])
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(tmp_path / "config-a"))
    window = MainWindow(settings, library_path=shared, first_run_sample=False)
    qtbot.addWidget(window)
    window.show()
    window.open_call(call_id)
    settled()
    qtbot.waitUntil(lambda: window.review_page.call is not None)
    yield window, call_id
    window.close()


def store(library, result, path: Path) -> int:
    from reviewer.importer import store_result
    from reviewer.library.store import content_hash

    return store_result(library, path, content_hash(path), result)[0]


def test_two_apps_see_each_others_comments_and_edits_on_old_copies_are_refused(
    shared, processed, clean, monkeypatch, settings
):
    monkeypatch.setenv("REVIEWER_USER", "ana")
    a = open_library(shared)
    monkeypatch.setenv("REVIEWER_USER", "ben")
    b = open_library(shared)
    try:
        call_id = store(a, processed("clean"), clean[1])
        serial = b.change_serial()
        first = a.add_comment(call_id, start=1.0, text="Good greeting", author="Ana", category="praise")
        assert b.change_serial() > serial  # b's window would refresh now
        assert [c.text for c in b.comments(call_id)] == ["Good greeting"]

        # Both have the comment at version 1; ben saves first, ana's edit on her old copy is refused.
        shown = b.comment(first).version
        b.update_comment(first, expected_version=shown, text="Good greeting, warm tone")
        with pytest.raises(ConflictError, match="ben changed comment"):
            a.update_comment(first, expected_version=shown, text="Greeting")
        assert a.comment(first).text == "Good greeting, warm tone"  # nothing overwritten
        with pytest.raises(ConflictError, match="ben changed comment"):
            a.delete_comment(first, expected_version=shown)
        b.delete_comment(first)
        with pytest.raises(ConflictError, match="deleted"):
            a.update_comment(first, expected_version=shown + 1, text="Greeting")

        # Call-level changes: ana's window shows version v; ben swaps the roles meanwhile.
        a.seen(call_id, a.call_version(call_id))
        b.seen(call_id, b.call_version(call_id))
        actions.corrections.swap_roles(b, call_id, settings)
        with pytest.raises(ConflictError, match=r"ben changed call #\d+ meanwhile"):
            actions.scores.answer_item(a, call_id, "honoured", "yes", grader="ana")
        with pytest.raises(ConflictError):
            a.set_review_status(call_id, "submitted")
            settled()
        assert a.call_row(call_id).review_status == "in review"  # from the first comment; not submitted
        a.seen(call_id, a.call_version(call_id))  # ana's window reloaded the call
        actions.scores.answer_item(a, call_id, "honoured", "yes", grader="ana")
        assert a.call_row(call_id).changed_by == "ana"
    finally:
        a.close()
        b.close()


def test_a_writer_waiting_too_long_for_another_gets_a_clear_line_and_changes_nothing(
    shared, processed, clean
):
    with open_library(shared) as a, open_library(shared) as b:
        call_id = store(a, processed("clean"), clean[1])
        b.db.execute("SET lock_timeout = 300")  # the library waits 60 s; the test, 0.3 s
        with a.write():
            a.set_review_status(call_id, "in review")
            settled()
            with pytest.raises(LibraryUnavailableError, match="stayed busy"):
                b.add_comment(call_id, start=1.0, text="Waiting")
        assert b.comments(call_id) == [] and b.call_row(call_id).review_status == "in review"
        b.add_comment(call_id, start=1.0, text="Now")  # once a is done
        assert [c.text for c in a.comments(call_id)] == ["Now"]


def test_twenty_apps_opening_a_new_library_at_once_migrate_it_once(shared):
    from reviewer.library.schema import SCHEMA_VERSION

    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            open_library(shared).close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with open_library(shared) as lib:
        names = [r[0] for r in lib.db.execute("SELECT name FROM reviewer_migrations").fetchall()]
        assert len(names) == len(set(names)) == SCHEMA_VERSION
        assert len(actions.scores.scorecards(lib)) == 1  # the default card, stored once


def test_search_finds_the_same_turns_as_on_sqlite(shared, processed, pushback, clean, tmp_path):
    found = {}
    for name, location in (("sqlite", tmp_path / "same.sqlite"), ("postgresql", shared)):
        with open_library(location) as lib:
            store(lib, processed("pushback"), pushback[1])
            store(lib, processed("clean"), clean[1])
            found[name] = {
                q: sorted((r.name, r.start_ms) for r in lib.search(q))
                for q in ("cancel", "cancelling my account", "the", "offer", "zebra", "speak to")
            }
            found[name]["calls saying cancel"] = lib.calls_saying("cancel")
            snippets = [r.snippet for r in lib.search("cancel")]
            assert snippets and all("[" in s and "]" in s for s in snippets)
    assert found["postgresql"] == found["sqlite"]
    assert found["sqlite"]["cancel"] and not found["sqlite"]["zebra"]


def test_bad_addresses_get_one_clear_line_and_never_show_the_password(postgres_url):
    host = postgres_url.split("host=")[1].split("&")[0]
    cases = {
        f"postgresql://reviewer:s3cret@/reviewer_nowhere?host={host}": "does not exist",
        "postgresql://reviewer:s3cret@127.0.0.1:1/qa?connect_timeout=2": "Cannot open the library",
        "postgresql://reviewer@/qa?host=/nonexistent/socket/dir": "Cannot open the library",
        "postgresql://reviewer@/qa?sslmode=sometimes": "invalid sslmode value",
    }
    for url, expected in cases.items():
        with pytest.raises(LibraryUnavailableError) as raised:
            open_library(url)
        text = str(raised.value)
        assert expected in text and "s3cret" not in text and "\n" not in text, text
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "--library", next(iter(cases)), "calls"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "s3cret" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_server_gone_mid_import_keeps_nothing_and_the_call_imports_later(
    shared, processed, clean, monkeypatch
):
    from reviewer.library.calls import CallsMixin

    real = CallsMixin.store_analysis

    def cut_off(self, *args, **kwargs):
        real(self, *args, **kwargs)
        # The server drops this connection mid-transaction (a restart, a network cut).
        with open_library(shared) as other:
            other.db.execute("SELECT pg_terminate_backend(?)", [self.db.conn.info.backend_pid])

    with open_library(shared) as lib:
        monkeypatch.setattr(CallsMixin, "store_analysis", cut_off)
        with pytest.raises(LibraryUnavailableError, match="Lost the connection"):
            store(lib, processed("clean"), clean[1])
    monkeypatch.setattr(CallsMixin, "store_analysis", real)
    with open_library(shared) as lib:
        assert lib.is_empty()
        assert lib.db.execute("SELECT count(*) FROM words").fetchone()[0] == 0
        call_id = store(lib, processed("clean"), clean[1])
        assert lib.load_call(call_id).transcript.words


def test_after_the_server_went_away_the_next_action_connects_again(shared, processed, clean):
    with open_library(shared) as lib, open_library(shared) as admin:
        call_id = store(lib, processed("clean"), clean[1])
        admin.db.execute("SELECT pg_terminate_backend(?)", [lib.db.conn.info.backend_pid])
        with pytest.raises(LibraryUnavailableError, match="Lost the connection"):
            lib.add_comment(call_id, start=1.0, text="Lost")  # said once
        lib.add_comment(call_id, start=1.0, text="Kept")  # the next one reconnects
        assert [c.text for c in admin.comments(call_id)] == ["Kept"]
        assert lib.change_serial() == admin.change_serial()


def test_audio_root_lets_another_machine_play_the_call(shared, processed, clean, tmp_path, monkeypatch):
    team = tmp_path / "team-share"
    team.mkdir()
    with open_library(shared) as lib:
        lib.set_audio_root(team)
        call_id = store(lib, processed("clean"), clean[1])
        stored = lib.call_row(call_id).path
        assert not Path(stored).is_absolute()
        assert (team / stored).read_bytes() == clean[1].read_bytes()  # copied whole
        assert lib.audio_path(lib.call_row(call_id)) == team / stored
        with pytest.raises(ReviewerError, match="not a folder"):
            lib.set_audio_root(tmp_path / "not-mounted")

    # Another machine mounts the share elsewhere and says so in its settings.toml.
    elsewhere = tmp_path / "mnt" / "calls"
    elsewhere.parent.mkdir()
    team.rename(elsewhere)
    config = tmp_path / "config-b"
    config.mkdir()
    (config / "settings.toml").write_text(f'[library]\naudio_root = "{elsewhere}"\n')
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(config))
    with open_library(shared) as lib:
        assert lib.audio_path(lib.call_row(call_id)).read_bytes() == clean[1].read_bytes()


def test_settings_toml_names_the_library_and_refuses_a_password(shared, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(config))
    (config / "settings.toml").write_text(f'[library]\nlocation = "{shared}"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "paths"], capture_output=True, text=True, env=os.environ.copy()
    )
    assert "a shared PostgreSQL library" in proc.stdout
    with open_library() as lib:
        assert lib.is_shared
    (config / "settings.toml").write_text(
        '[library]\nlocation = "postgresql://coach:hunter2@db.example/qa"\n'
    )
    proc = subprocess.run([sys.executable, "-m", "reviewer", "calls"], capture_output=True, text=True)
    assert proc.returncode == 1 and ".pgpass" in proc.stderr and "hunter2" not in proc.stderr


@pytest.mark.usefixtures("qapp")
def test_two_app_windows_in_two_processes_see_each_others_comments(reviewing, shared, qtbot, tmp_path):
    window, call_id = reviewing
    env = {**os.environ, "REVIEWER_CONFIG_DIR": str(tmp_path / "config-b"), "QT_QPA_PLATFORM": "offscreen"}
    peer = subprocess.Popen(
        [sys.executable, str(HERE / "two_app_peer.py"), shared, str(call_id)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        comments = window.review_page.comments
        qtbot.waitUntil(
            lambda: any(r.text == "From the other window" for r in comments.model.rows), timeout=60_000
        )
        assert comments.add(2.0, None, "Seen here, thanks", "praise", "Ana")
        out, err = peer.communicate(timeout=60)
    finally:
        if peer.poll() is None:
            peer.kill()
    assert peer.returncode == 0, out + err
    assert "saw: Seen here, thanks" in out


@pytest.mark.usefixtures("qapp")
def test_the_app_opens_its_own_library_when_the_teams_server_is_down(qtbot, settings, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from reviewer.ui.main_window import MainWindow

    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(config))
    stored = QSettings(str(config / "ui.ini"), QSettings.Format.IniFormat)
    stored.setValue("library/path", "postgresql://coach@/qa?host=/nonexistent-socket-dir")
    stored.sync()
    window = MainWindow(settings, first_run_sample=False)
    qtbot.addWidget(window)
    window.show()
    assert "Cannot open the library at postgresql://coach@/qa" in window.startup_problem
    assert not window.library.is_shared and window.library_path.name == "library.sqlite"
    qtbot.waitUntil(
        lambda: getattr(window, "startup_box", None) is not None and window.startup_box.isVisible()
    )
    assert "File › Open shared library" in window.startup_box.text()
    window.startup_box.accept()
    window.close()


@pytest.mark.usefixtures("qapp")
def test_undoing_a_score_someone_changed_meanwhile_is_refused_and_dropped(reviewing, shared, monkeypatch):
    window, call_id = reviewing
    page = window.review_page
    assert page.scores.answer("honoured", "yes")
    settled()
    monkeypatch.setenv("REVIEWER_USER", "ben")
    with open_library(shared) as other:
        actions.scores.answer_item(other, call_id, "honoured", "no", grader="ben")
    page.undo_stack.undo()  # on the call as ben left it: refused, not applied
    settled()
    with open_library(shared) as lib:
        answers = {
            (a["grader"], a["value"])
            for a in lib.db.query("SELECT grader, value FROM score_answers WHERE item_id = 'honoured'")
        }
    assert {("ben", "no")} <= answers and any(v == "yes" for g, v in answers if g != "ben")
    assert not page.undo_stack.canUndo()  # the step was dropped
    assert int(page.call.row.version) == window.library.call_version(call_id)  # reloaded
