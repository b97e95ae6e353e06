"""Render resources/icons/reviewer.svg to reviewer.png beside it (256 px) with Qt's own SVG renderer, and
packaging/reviewer.ico (the same PNG in an icon file, for the Windows build). The app shows the
PNG as its window icon; the bundle's desktop entry names it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icon.py

Both are committed; rerun this after changing the SVG. PyInstaller turns the PNG into the macOS
.icns itself when Pillow is installed in the build environment.
"""

import struct
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
ICONS = HERE.parent / "resources" / "icons"


def main() -> None:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - Qt needs one for painting
    renderer = QSvgRenderer(str(ICONS / "reviewer.svg"))
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    image.save(str(ICONS / "reviewer.png"))
    write_ico(ICONS / "reviewer.png", HERE / "reviewer.ico")


def write_ico(png: Path, ico: Path) -> None:
    """A Windows icon holding the 256 px PNG as it is (the ICO format allows PNG entries)."""
    data = png.read_bytes()
    header = struct.pack("<HHH", 0, 1, 1)  # reserved, type 1 = icon, one image
    entry = struct.pack("<BBBBHHII", 0, 0, 0, 0, 1, 32, len(data), 6 + 16)  # 0 = 256 px
    ico.write_bytes(header + entry + data)


if __name__ == "__main__":
    main()
