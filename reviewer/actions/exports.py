"""Exporting calls: the reports read the library through ``report.source.CallSource``, and the
application gives them one that also knows each call's score (scoring is not the library's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewer.actions import scores
from reviewer.analysis.scoring import Scorecard
from reviewer.library import Library
from reviewer.model import CallScore, Comment, StoredCall
from reviewer.progress import NEVER_CANCELLED, CancelToken, ProgressCallback, no_progress
from reviewer.report import export as report_export
from reviewer.report.data import CallReport
from reviewer.report.data import load_report as report_of
from reviewer.settings import Settings


class ReportSource:
    """A library as the reports read it (``report.source.CallSource``)."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def call_score(self, call_id: int) -> tuple[CallScore, Scorecard] | None:
        if not self.library.scorecard_names():
            return None
        score = scores.score(self.library, call_id)
        return score, scores.scorecard(self.library, score.card, score.version)

    def load_call(self, call_id: int) -> StoredCall:
        return self.library.load_call(call_id)

    def call_row(self, call_id: int) -> dict[str, Any]:
        return self.library.call_row(call_id)

    def audio_path(self, row: dict[str, Any]) -> Path:
        return self.library.audio_path(row)

    def recording_paths(self) -> list[Path]:
        return [self.library.audio_path(r) for r in self.library.list_calls(brief=True)]

    def audio_root(self) -> Path | None:
        return self.library.audio_root()

    def comments(self, call_id: int) -> list[Comment]:
        return self.library.comments(call_id)

    def playlist_clips(self, name: str) -> list[dict[str, Any]]:
        return self.library.playlist_clips(name)

    def redaction_edits(self, call_id: int) -> list[Any]:
        return self.library.redaction_edits(call_id)


def load_report(
    library: Library, call_id: int, settings: Settings, *, redact: bool = False, peaks_columns: int = 0
) -> CallReport:
    """The call as the library holds it now, with its score (``report.data.load_report``)."""
    return report_of(ReportSource(library), call_id, settings, redact=redact, peaks_columns=peaks_columns)


def export_calls(
    library: Library,
    settings: Settings,
    call_ids: list[int],
    formats: list[str],
    out: str | Path,
    *,
    redact: bool = False,
    private: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write each call's report in each format (``report.export.export_calls``)."""
    return report_export.export_calls(
        ReportSource(library),
        settings,
        call_ids,
        formats,
        out,
        redact=redact,
        private=private,
        progress=progress,
        cancel=cancel,
        written=written,
    )


def export_playlist(
    library: Library,
    settings: Settings,
    name: str,
    out: str | Path,
    *,
    redact: bool = False,
    private: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """A playlist's clips as one page or a folder (``report.clips.export_playlist``)."""
    from reviewer.report.clips import export_playlist as write_playlist

    return write_playlist(
        ReportSource(library),
        settings,
        name,
        out,
        redact=redact,
        private=private,
        progress=progress,
        cancel=cancel,
        written=written,
    )


def export_audio(
    library: Library,
    settings: Settings,
    call_ids: list[int],
    out: str | Path,
    *,
    redact: bool = True,
    private: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Each call's recording, redacted unless asked not to (``report.audio.export_audio``)."""
    from reviewer.report.audio import export_audio as write_recordings

    return write_recordings(
        ReportSource(library),
        settings,
        call_ids,
        out,
        redact=redact,
        private=private,
        progress=progress,
        cancel=cancel,
        written=written,
    )


def check_not_a_recording(library: Library, targets: list[Path]) -> None:
    """Refuse to write any of ``targets`` over a recording or into the team's audio folder."""
    report_export.recordings_of(ReportSource(library)).check_all(targets)


def unmasked(library: Library, settings: Settings, call_ids: list[int]) -> list[str]:
    """The kinds of what the finders (and a coach) would hide in these calls: what an unredacted
    export of them holds unmasked, one entry per span ("card number", "email", ...)."""
    from reviewer.report.redaction import call_redactions

    source = ReportSource(library)
    return [s.kind for cid in dict.fromkeys(call_ids) for s in call_redactions(source, cid, settings)]


def unmasked_in_playlist(library: Library, settings: Settings, name: str) -> list[str]:
    """The same for a playlist: the spans of each clip's call that fall in the clip."""
    from reviewer.report.redaction import call_redactions

    source = ReportSource(library)
    spans: dict[int, list] = {}
    kinds = []
    for c in library.playlist_clips(name):
        if c["call_id"] not in spans:
            spans[c["call_id"]] = call_redactions(source, c["call_id"], settings)
        kinds += [
            s.kind for s in spans[c["call_id"]] if s.start_ms < c["end_ms"] and c["start_ms"] < s.end_ms
        ]
    return kinds
