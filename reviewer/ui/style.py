"""Colours, names and time formatting shared by the views (and readable in black and white:
every colour also has a label or a shape)."""

from __future__ import annotations

from PySide6.QtGui import QColor

ROLE_COLOURS = {"agent": QColor("#2f6fb3"), "customer": QColor("#d9822b"), "unknown": QColor("#7f7f7f")}
MARKER_COLOURS = {
    "refusal": QColor("#c62828"),
    "long_monologue": QColor("#7b1fa2"),
    "long_silence": QColor("#607d8b"),
    "overtalk": QColor("#f9a825"),
}
MARKER_NAMES = {
    "refusal": "Refusal",
    "long_monologue": "Long monologue",
    "long_silence": "Long silence / hold",
    "overtalk": "Overtalk",
}
CATEGORY_COLOURS = {
    "praise": QColor("#2e7d32"),
    "improve": QColor("#ef6c00"),
    "compliance": QColor("#ad1457"),
    "other": QColor("#455a64"),
}
ROLE_NAMES = {"agent": "Agent", "customer": "Customer", "unknown": "Speaker"}


def clock(seconds: float | None, *, tenths: bool = False) -> str:
    """1:05, 1:02:03; with tenths 1:05.3."""
    if seconds is None:
        return ""
    seconds = max(0.0, seconds)
    if tenths:
        whole = int(seconds)
        frac = int((seconds - whole) * 10)
        return f"{clock(whole)}.{frac}"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def speaker_label(speaker) -> str:  # noqa: ANN001 - a reviewer.model.Speaker
    role = ROLE_NAMES.get(speaker.role, "Speaker")
    return f"{role} ({speaker.name})" if speaker.name else f"{role} {speaker.id}"
