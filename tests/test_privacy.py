"""Nothing leaves the machine, seen at the system-call level.

Python's audit hook (test_reliability) sees only what Python code does; onnxruntime's telemetry
is C++. Here ``strace -f`` watches every process of a real run (the CLI, the app, its import
child) as a new user would start it: a fresh home folder, no ``CI`` variable (onnxruntime skips
its telemetry when one is set), none of the switches the test suite sets, and the network not
cut. Any connection or datagram to an internet address (DNS included) fails the test, and so
does any file written outside Reviewer's data, config and cache folders and the export asked for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from callgen import write_wav
from strace_log import SWITCHES, TRACED, Trace

# A new user's runs, with the library they get: the default one, a file in the data folder.
pytestmark = pytest.mark.sqlite_only("a new user's default library, a file in the data folder")


@pytest.fixture(scope="module")
def fresh_user(tmp_path_factory):
    """A new user's home and environment; the models come from the session's assembled copy
    (Reviewer's own models folder, overridden as a user may)."""
    root = tmp_path_factory.mktemp("fresh user")
    home, tmp, work = root / "home", root / "tmp", root / "work"
    for d in (home, tmp, work):
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in SWITCHES}
    env.update(HOME=str(home), TMPDIR=str(tmp), QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    folders = {
        "data": home / ".local/share/reviewer",
        "config": home / ".config/reviewer",
        "cache": home / ".cache/reviewer",
        "models": Path(os.environ["REVIEWER_MODELS_DIR"]),
    }
    return env, folders, tmp, work


def traced(argv: list[str], env: dict, cwd: Path, log: Path, timeout: float = 600) -> Trace:
    proc = subprocess.run(
        ["strace", "-f", "-qq", "-s", "4096", "-e", f"trace={TRACED}", "-o", str(log), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Trace(log, cwd)


def check(trace: Trace, allowed: list[Path], tmp: Path) -> None:
    assert trace.internet == [], "\n".join(trace.internet[:10])
    assert trace.outside(allowed) == []
    # Temporary files (Python's own probe of the temp folder) are fine while they are gone after.
    assert sorted(p.name for p in tmp.iterdir()) == []


@pytest.mark.slow  # a minute or more: `make test-slow` and CI run it
def test_analyze_and_import_send_nothing_and_write_only_reviewers_folders(fresh_user, tmp_path, short_call):
    env, folders, tmp, work = fresh_user
    mono = tmp_path / "mono call.wav"  # mono: pyannote, matplotlib and onnxruntime all load
    write_wav(mono, short_call[0].audio.mean(axis=0, keepdims=True))
    allowed = [*folders.values(), tmp]
    cli = [sys.executable, "-m", "reviewer"]

    trace = traced([*cli, "analyze", str(mono), "--json", "-q"], env, work, tmp_path / "analyze.strace")
    check(trace, allowed, tmp)
    assert trace.written, "strace saw nothing written: the trace is not being read"

    trace = traced([*cli, "import", str(mono), str(short_call[1])], env, work, tmp_path / "import.strace")
    check(trace, allowed, tmp)
    library = folders["data"] / "library.sqlite"
    assert any(path == str(library) for _, path in trace.written)

    report = tmp_path / "exports" / "mono call.pdf"
    trace = traced([*cli, "export", "1", "-o", str(report)], env, work, tmp_path / "export.strace")
    check(trace, [*allowed, report.parent], tmp)
    assert report.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in work.iterdir()) == []  # nothing in the folder it ran from

    # Redacted audio and a playlist page: only where asked (and their temporary files, gone).
    shared = tmp_path / "shared"
    clip = [*cli, "clip", "1", "--at", "0.5", "--to", "2.5", "--title", "Opening", "--playlist", "p"]
    subprocess.run(clip, capture_output=True, env=env, cwd=work, check=True)
    audio = [*cli, "export", "1", "-f", "audio", "--redact", "-o", str(shared / "call.mp3")]
    check(traced(audio, env, work, tmp_path / "audio.strace"), [*allowed, shared], tmp)
    page = [*cli, "playlist", "export", "p", "-o", str(shared / "p.html"), "--redact"]
    check(traced(page, env, work, tmp_path / "playlist.strace"), [*allowed, shared], tmp)
    assert sorted(p.name for p in shared.iterdir()) == ["call.mp3", "call.redactions.json", "p.html"]

    # Where the files went: only into the folders `reviewer paths` names.
    listed = subprocess.run([*cli, "paths"], capture_output=True, text=True, env=env, check=True).stdout
    for folder in (folders["data"], folders["config"], folders["cache"]):
        assert str(folder) in listed
    for path in Path(env["HOME"]).rglob("*"):
        if path.is_file():
            assert any(folder in path.parents for folder in folders.values()), path


APP = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import reviewer  # noqa: F401  (what `reviewer gui` imports first)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.settings import load_settings
    from reviewer.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow(load_settings(), open_file=Path(sys.argv[1]))
    window.show()

    def opened():
        if window.review_page.call is None or window.importer.busy:
            QTimer.singleShot(200, opened)
            return
        window.review_page.toggle_play()  # playback opens the audio output too
        QTimer.singleShot(1500, window.close)
        QTimer.singleShot(2000, app.quit)

    QTimer.singleShot(200, opened)
    QTimer.singleShot(300_000, lambda: app.exit(3))
    sys.exit(app.exec())
    """
)


@pytest.mark.slow  # a minute or more: `make test-slow` and CI run it
def test_the_app_importing_and_opening_a_call_sends_nothing(fresh_user, tmp_path, pushback_mono):
    """The app offscreen: it imports the call in its child process, opens the review, plays."""
    env, folders, tmp, work = fresh_user
    trace = traced([sys.executable, "-c", APP, str(pushback_mono[1])], env, work, tmp_path / "app.strace")
    check(trace, [*folders.values(), tmp], tmp)
    assert any(path.startswith(str(folders["config"])) for _, path in trace.written)  # ui.ini
