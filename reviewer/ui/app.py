"""Start the desktop app."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    )


def run(
    *,
    library: str | None = None,
    open_file: str | None = None,
    settings_file: Path | None = None,
    phrases_file: Path | None = None,
    model: str | None = None,
) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from reviewer.settings import load_settings
    from reviewer.ui.main_window import MainWindow

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Reviewer")
    app.setOrganizationName("Reviewer")
    app.setApplicationDisplayName("Reviewer")
    settings = load_settings(settings_file, phrases_file)
    window = MainWindow(
        settings,
        library_path=Path(library) if library else None,
        open_file=Path(open_file) if open_file else None,
        model=model,
        settings_file=settings_file,
        phrases_file=phrases_file,
    )
    window.show()
    return app.exec()
