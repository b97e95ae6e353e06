"""Start the desktop app."""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    )


# The shared libraries Qt's X11 (xcb) platform plugin opens from the system, with the Debian
# package of each: the PySide6 wheels do not carry them, and where one is missing Qt aborts with a
# message that names only one (often the wrong one).
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
}


def missing_system_libraries(libraries: dict[str, str] | None = None) -> list[str]:
    """The Debian packages of the libraries Qt's X11 plugin needs that cannot be loaded here
    (none where the window will not be an X11 one)."""
    import ctypes

    default = "wayland" if os.environ.get("WAYLAND_DISPLAY") else "xcb"
    platform = os.environ.get("QT_QPA_PLATFORM") or default
    if sys.platform != "linux" or not platform.startswith("xcb") or getattr(sys, "frozen", False):
        return []  # the installed app (PyInstaller) carries what its Qt plugins load
    missing = []
    for soname, package in (libraries or XCB_LIBRARIES).items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def run(
    *,
    library: str | None = None,
    open_file: str | None = None,
    settings_file: Path | None = None,
    phrases_file: Path | None = None,
    model: str | None = None,
) -> int:
    missing = missing_system_libraries()
    if missing:
        print(
            "Reviewer cannot open a window: Qt's X11 support needs system libraries that are not "
            f"installed. On Debian or Ubuntu: sudo apt install {' '.join(missing)}",
            file=sys.stderr,
        )
        return 1
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from reviewer.library.backend import library_location
    from reviewer.resources import resource
    from reviewer.settings import load_settings
    from reviewer.ui.main_window import MainWindow

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Reviewer")
    app.setOrganizationName("Reviewer")
    app.setApplicationDisplayName("Reviewer")
    # The waveform-in-a-speech-mark icon, and the desktop entry (packaging/reviewer.desktop) that
    # Wayland compositors and docks match the window to.
    app.setWindowIcon(QIcon(str(resource("icons", "reviewer.png"))))
    app.setDesktopFileName("reviewer")
    settings = load_settings(settings_file, phrases_file)
    window = MainWindow(
        settings,
        library_path=library_location(library),
        open_file=Path(open_file) if open_file else None,
        model=model,
        settings_file=settings_file,
        phrases_file=phrases_file,
        ask_profile=True,
    )
    window.show()
    with _close_on_signals(app, window):
        return app.exec()


@contextmanager
def _close_on_signals(app, window) -> Iterator[None]:  # noqa: ANN001 - QApplication, MainWindow
    """SIGTERM (a logout, a service manager) and Ctrl-C close the window as the user would: a
    running import stops as Cancel stops it, and the app exits. Python runs a signal handler only
    when Python code runs next, never while Qt's event loop waits; the signal also writes to a
    socket Qt watches (``signal.set_wakeup_fd``), which wakes the loop and so the handler."""
    from PySide6.QtCore import QSocketNotifier, QTimer

    wake, woken = socket.socketpair()
    wake.setblocking(False)
    woken.setblocking(False)

    def drain() -> None:
        try:
            while woken.recv(64):
                pass
        except OSError:
            pass

    def close() -> None:
        window.close()
        app.quit()

    notifier = QSocketNotifier(woken.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(drain)
    previous_fd = signal.set_wakeup_fd(wake.fileno())
    handlers = {
        sig: signal.signal(sig, lambda *_: QTimer.singleShot(0, close))
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        wake.close()
        woken.close()
