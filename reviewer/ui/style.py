"""Colours, names and time formatting shared by the views (and readable in black and white:
every colour also has a label or a shape)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from reviewer import labels
from reviewer.labels import MARKER_NAMES, ROLE_NAMES, clock, speaker_label  # noqa: F401 - re-exported

ROLE_COLOURS = {k: QColor(v) for k, v in labels.ROLE_COLOURS.items()}
MARKER_COLOURS = {k: QColor(v) for k, v in labels.MARKER_COLOURS.items()}
CATEGORY_COLOURS = {k: QColor(v) for k, v in labels.CATEGORY_COLOURS.items()}
SHARE_COLOURS = {k: QColor(v) for k, v in labels.SHARE_COLOURS.items()}
SENTIMENT_COLOURS = {k: QColor(v) for k, v in labels.SENTIMENT_COLOURS.items()}
CLIP_COLOUR = QColor(labels.CLIP_COLOUR)
