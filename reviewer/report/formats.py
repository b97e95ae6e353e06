"""The export formats, one object each: the name ``--format`` takes, the file suffix, how the
command line and the app's Export dialog name it, and the function that writes it. The export
(:mod:`reviewer.report.export`), `reviewer export` and the app read this list; a new format is one
entry here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from reviewer.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.report.data import CallReport


@dataclass(frozen=True)
class ExportFormat:
    name: str  # what --format takes, and the app's settings keep
    suffix: str  # of the file it writes
    title: str  # in a sentence: "PDF", "summary CSV"
    kind: Literal["report", "data"]  # an annotated report to read, or data for other tools
    label: str  # the app's Export dialog
    description: str  # what the file holds
    # The bytes of one call's file; None for the summary, one file for all the calls exported,
    # which the export writes from each call's summary row.
    render: Callable[[CallReport], bytes] | None
    needs_peaks: bool = False  # draws the waveform: its report is loaded with peaks

    @property
    def per_call(self) -> bool:
        """A file per call (else one for all the calls exported)."""
        return self.render is not None


# Each renderer is imported when a file is written, so that listing formats stays light.


def _pdf(report: CallReport) -> bytes:
    from reviewer.report.pdf import pdf_bytes

    return pdf_bytes(report)


def _html(report: CallReport) -> bytes:
    from reviewer.report.html import html_bytes

    return html_bytes(report)


def _events_csv(report: CallReport) -> bytes:
    from reviewer.report.tables import events_csv

    return events_csv(report)


def _json(report: CallReport) -> bytes:
    from reviewer.report.tables import json_bytes

    return json_bytes(report)


def _srt(report: CallReport) -> bytes:
    from reviewer.report.subtitles import srt_bytes

    return srt_bytes(report)


def _vtt(report: CallReport) -> bytes:
    from reviewer.report.subtitles import vtt_bytes

    return vtt_bytes(report)


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "pdf",
        ".pdf",
        "PDF",
        "report",
        "PDF report (details, metrics, timeline, comments, transcript)",
        "annotated report (PDF)",
        _pdf,
        needs_peaks=True,
    ),
    ExportFormat(
        "html",
        ".html",
        "HTML",
        "report",
        "HTML report (one self-contained file)",
        "annotated report (HTML, one self-contained file)",
        _html,
        needs_peaks=True,
    ),
    ExportFormat(
        "csv", ".csv", "CSV", "data", "CSV of markers and comments", "markers and comments (CSV)", _events_csv
    ),
    ExportFormat(
        "json",
        ".json",
        "JSON",
        "data",
        "JSON of the whole call",
        "the whole call: speakers, turns, words, markers, comments (JSON)",
        _json,
    ),
    ExportFormat(
        "srt",
        ".srt",
        "SRT",
        "data",
        "SRT subtitles with speaker labels",
        "subtitles with speaker labels (SRT)",
        _srt,
    ),
    ExportFormat(
        "vtt",
        ".vtt",
        "VTT",
        "data",
        "WebVTT subtitles with speaker labels",
        "subtitles with speaker labels (WebVTT)",
        _vtt,
    ),
    ExportFormat(
        "summary",
        ".csv",
        "summary CSV",
        "data",
        "Summary CSV: one row per call with every metric",
        "one row per call with every metric (CSV)",
        None,
    ),
)

FORMATS: dict[str, ExportFormat] = {f.name: f for f in EXPORT_FORMATS}


def parse_formats(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """The format names in ``text`` ("pdf,html", or several such), each once, in order."""
    items = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for item in items:
        for f in re.split(r"[,\s]+", item.strip().lower()):
            if not f:
                continue
            if f not in FORMATS:
                raise ReviewerError(f"Unknown export format {f!r}: use {', '.join(FORMATS)}.")
            if f not in out:
                out.append(f)
    if not out:
        raise ReviewerError(f"Choose an export format: {', '.join(FORMATS)}.")
    return out


def format_for_suffix(suffix: str) -> ExportFormat | None:
    """The per-call format a file ending in ``suffix`` (".pdf") is written in, if any."""
    return next((f for f in EXPORT_FORMATS if f.per_call and f.suffix == suffix.lower()), None)
