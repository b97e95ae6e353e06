"""Shared fixtures: synthetic calls with known truth, run once each through the real pipeline,
and the libraries the tests store them in.

Every model here is real: the embedded Whisper base, pyannote's segmentation-3.0 and CAM++.
Nothing is downloaded: the models come from installed packages and the repo's resources.

Libraries live in SQLite files, or with ``REVIEWER_TEST_DATABASE=postgresql`` (``make
test-postgres``) in PostgreSQL: a fresh schema per library, in a throwaway server the session
starts on first use (tests/pg_server.py) or in ``REVIEWER_TEST_POSTGRES_URL``'s database. Tests
make their libraries with ``library_location``. Two markers:

- ``sqlite_only``: the test is about the SQLite file itself; skipped in a PostgreSQL run.
- ``postgres``: the test needs PostgreSQL, in every run: its libraries are PostgreSQL ones even
  in a SQLite run. Where no server can be started it is skipped, except with ``CI`` set (or in a
  PostgreSQL run), where that fails."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from reviewer import actions

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the app's tests need no display

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pg_server  # noqa: E402
from callgen import render, write_encoded, write_wav  # noqa: E402
from scripts import CLEAN_CALL, PUSHBACK_CALL  # noqa: E402
from truth import rttm_turns  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def isolated_user_folders(tmp_path_factory):
    """No test touches the real user's library or config; models are assembled once per run."""
    root = tmp_path_factory.mktemp("user")
    os.environ["REVIEWER_DATA_DIR"] = str(root / "data")
    os.environ["REVIEWER_CONFIG_DIR"] = str(root / "config")
    os.environ["REVIEWER_MODELS_DIR"] = str(root / "models")
    os.environ["PYANNOTE_METRICS_ENABLED"] = "false"
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield root


DATABASE = os.environ.get("REVIEWER_TEST_DATABASE") or "sqlite"
DATABASES = ("sqlite", "postgresql")


def pytest_configure(config):
    if DATABASE not in DATABASES:
        raise pytest.UsageError(f"REVIEWER_TEST_DATABASE={DATABASE}: it is one of {', '.join(DATABASES)}.")
    if shutil.which("espeak-ng") is None:
        raise pytest.UsageError("espeak-ng is needed to speak the test calls: `make test` installs it.")
    if shutil.which("strace") is None:
        raise pytest.UsageError("strace is needed to watch for network use: `make test` installs it.")


@pytest.fixture(scope="session")
def settings():
    from reviewer.settings import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def calls_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("calls")


@pytest.fixture(scope="session")
def pushback(calls_dir):
    call = render(PUSHBACK_CALL, stereo=True)
    return call, write_wav(calls_dir / "pushback stereo.wav", call.audio)


@pytest.fixture(scope="session")
def pushback_mono(calls_dir):
    call = render(PUSHBACK_CALL, stereo=False)
    return call, write_encoded(calls_dir / "pushback-mono.mp3", call.audio, codec="mp3", bit_rate=64000)


@pytest.fixture(scope="session")
def clean(calls_dir):
    call = render(CLEAN_CALL, stereo=True)
    return call, write_encoded(calls_dir / "clean.ogg", call.audio, codec="libopus", rate=48000)


@pytest.fixture(scope="session")
def short_call(calls_dir):
    from callgen import Line

    call = render(
        [
            Line("agent", "Northwind Cable, this is Sam, how can I help?"),
            Line("customer", "Hi, what time do you close today?"),
            Line("agent", "We close at six."),
        ],
        stereo=True,
    )
    return call, write_wav(calls_dir / "short.wav", call.audio)


@pytest.fixture(scope="session")
def processed(pushback, pushback_mono, clean):
    """Each test call through the whole real pipeline, once per test session."""
    from reviewer.pipeline import process_file

    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            path = {"pushback": pushback, "pushback_mono": pushback_mono, "clean": clean}[name][1]
            cache[name] = process_file(path)
        return cache[name]

    return get


@pytest.fixture()
def store_heard_as_one(processed, pushback, settings):
    """Stores the push-back call in a library as diarization would leave it had it heard the two
    voices as one (as with two similar voices): every word on S1. Returns the call's id."""
    from dataclasses import replace

    from reviewer.model import Speaker
    from reviewer.pipeline import analyse_transcript

    def store(library) -> int:
        truth = processed("pushback").transcript
        heard = replace(
            truth,
            speakers=[Speaker("S1")],
            words=[replace(w, speaker="S1") for w in truth.words],
            speaker_split="diarization",
            channels=1,
        )
        transcript, analysis = analyse_transcript(heard, settings)
        call_id, _ = actions.calls.store_call(
            library,
            pushback[1],
            "one-voice",
            transcript,
            analysis,
            source_channels=1,
            source_rate=16000,
            dual_mono=False,
        )
        return call_id

    return store


@pytest.fixture(scope="session")
def pyannote_sample():
    """pyannote.audio's own 30 s, 2-speaker sample with its reference turns (real speech)."""
    import importlib.util

    spec = importlib.util.find_spec("pyannote.audio")
    folder = Path(spec.submodule_search_locations[0]) / "sample"
    wav, rttm = folder / "sample.wav", folder / "sample.rttm"
    assert wav.is_file() and rttm.is_file()
    return wav, rttm_turns(rttm)


@pytest.fixture()
def library(library_location):
    from reviewer.library import open_library

    lib = open_library(library_location())
    yield lib
    lib.close()


# -- the app's window over a library ----------------------------------------------------------------


@pytest.fixture()
def make_window(qtbot, tmp_path, settings, monkeypatch, library_location):
    """``make_window(location)``: the app's window over a library (a fresh one without), shown,
    with its own ui.ini; closed after the test."""
    from reviewer.ui.main_window import MainWindow

    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(tmp_path / "config"))  # each test its own ui.ini
    made = []

    def make(library_path: Path | str | None = None, **kwargs):  # noqa: ANN003, ANN202
        w = MainWindow(
            settings, library_path=library_path or library_location("app"), first_run_sample=False, **kwargs
        )
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        if w.isVisible():
            w.close()


@pytest.fixture()
def window_on(make_window, qtbot):
    """``window_on(location, call_id)``: the window reviewing a stored call, once its view is
    read and shown."""
    from ui_wait import settled

    def open_on(location: Path | str, call_id: int):  # noqa: ANN202
        w = make_window(location)
        w.open_call(call_id)
        settled()
        qtbot.waitUntil(lambda: w.review_page.call is not None and w.review_page.call.id == call_id)
        settled()
        return w

    return open_on


# -- where libraries live: SQLite files or PostgreSQL schemas ---------------------------------------


def pytest_report_header(config):
    given = os.environ.get("REVIEWER_TEST_POSTGRES_URL")
    server = f"the server at {given}" if given else "a throwaway server started on first use"
    return f"libraries: {DATABASE} (PostgreSQL ones in {server})"


def pytest_collection_modifyitems(config, items):
    if DATABASE != "postgresql":
        return
    for item in items:
        if mark := item.get_closest_marker("sqlite_only"):
            why = mark.kwargs.get("reason") or (mark.args[0] if mark.args else "about the SQLite file")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))


_server_started_in: list[float] = []


def pytest_terminal_summary(terminalreporter):
    for seconds in _server_started_in:
        terminalreporter.write_line(f"PostgreSQL test server: made and started in {seconds:.1f} s")


def _no_postgres(reason: str):
    """No server to be had: the test is skipped, but fails in CI and in a PostgreSQL run."""
    if DATABASE == "postgresql" or os.environ.get("CI"):
        pytest.fail(f"no PostgreSQL server for the tests: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server for the tests: {reason}")


@pytest.fixture(scope="session")
def postgres_url():
    """The base URL of the tests' PostgreSQL database: REVIEWER_TEST_POSTGRES_URL, or a throwaway
    server's, started here on first use and stopped (its folder removed) at the end of the session."""
    import importlib.util

    if importlib.util.find_spec("psycopg") is None:
        _no_postgres("psycopg is not installed (pip install 'psycopg[binary]')")
    import psycopg

    server, problem = None, None
    url = os.environ.get("REVIEWER_TEST_POSTGRES_URL")
    if not url:
        try:
            server = pg_server.start()
            _server_started_in.append(server.started_in)
            url = server.url
        except pg_server.ServerUnavailable as e:
            problem = str(e)
    try:
        if url:
            try:
                psycopg.connect(url, connect_timeout=10).close()
            except psycopg.Error as e:
                problem = f"cannot connect to {url}: {e}"
        if problem:
            _no_postgres(problem)
        yield url
    finally:
        if server is not None:
            server.stop()


class Schemas:
    """Makes the tests' schemas in the base URL's database and drops them, through one connection.
    A schema still in use (a connection left in a transaction) is dropped at the session's end."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.conn = psycopg.connect(url, autocommit=True)
        self.left: list[str] = []

    def make(self) -> str:
        import uuid

        name = f"t_{uuid.uuid4().hex}"
        self.conn.execute(f"CREATE SCHEMA {name}")
        return name

    def drop(self, name: str) -> bool:
        import psycopg

        try:
            with self.conn.transaction():
                self.conn.execute("SET LOCAL lock_timeout = '2s'")
                self.conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            return True
        except psycopg.errors.LockNotAvailable:
            self.left.append(name)
            return False

    def close(self) -> None:
        import warnings

        left, self.left = self.left, []
        kept = [name for name in left if not self.drop(name)]
        if kept:
            warnings.warn(f"PostgreSQL schemas still in use, not dropped: {', '.join(kept)}", stacklevel=1)
        self.conn.close()


@pytest.fixture(scope="session")
def postgres_schemas(postgres_url):
    schemas = Schemas(postgres_url)
    yield schemas
    schemas.close()


class LibraryLocations:
    """``library_location()`` or ``library_location("name")``: where a test keeps a library, the
    same for the same name within the test. A Path ``tmp_path / "name.sqlite"`` (a name may hold
    folders: ``"new/mine"``), or in PostgreSQL the URL of a new, empty schema: the base URL with
    ``options=-csearch_path%3Dt_...``. Either is what ``open_library`` and ``--library`` take."""

    def __init__(self, request, folder: Path, postgres: bool) -> None:
        self.request, self.folder, self.postgres = request, folder, postgres
        self.made: dict[str, Path | str] = {}
        self.schemas: list[str] = []
        self.owner: Schemas | None = None

    def __call__(self, name: str = "library") -> Path | str:
        if name not in self.made:
            if self.postgres:
                self.owner = self.owner or self.request.getfixturevalue("postgres_schemas")
                self.schemas.append(self.owner.make())
                self.made[name] = pg_server.with_search_path(self.owner.url, self.schemas[-1])
            else:
                self.made[name] = self.folder / f"{name}.sqlite"
        return self.made[name]

    def drop(self) -> None:
        for name in self.schemas:
            self.owner.drop(name)


@pytest.fixture()
def library_location(request, tmp_path):
    postgres = DATABASE == "postgresql" or request.node.get_closest_marker("postgres") is not None
    locations = LibraryLocations(request, tmp_path, postgres)
    yield locations
    locations.drop()


@pytest.fixture(autouse=True)
def _postgres_for_marked_tests(request):
    """A test marked ``postgres`` gets its server before it starts (or is skipped, or fails)."""
    if request.node.get_closest_marker("postgres") is not None:
        request.getfixturevalue("postgres_url")
