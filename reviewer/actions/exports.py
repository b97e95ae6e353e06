"""Exporting calls: the reports read the library through ``report.source.CallSource``, and the
application gives them one that also knows each call's score (scoring is not the library's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from reviewer.actions import scores
from reviewer.analysis.scoring import Scorecard
from reviewer.library import Library
from reviewer.model import CallRow, CallScore, CallSummary, Clip, Comment, RedactionEdit, StoredCall
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

    def call_row(self, call_id: int) -> CallRow:
        return self.library.call_row(call_id)

    def audio_path(self, row: CallRow | CallSummary) -> Path:
        return self.library.audio_path(row)

    def recording_paths(self) -> list[Path]:
        return [self.library.audio_path(r) for r in self.library.list_calls(brief=True)]

    def audio_root(self) -> Path | None:
        return self.library.audio_root()

    def comments(self, call_id: int) -> list[Comment]:
        return self.library.comments(call_id)

    def playlist_clips(self, name: str) -> list[Clip]:
        return self.library.playlist_clips(name)

    def redaction_edits(self, call_id: int) -> list[RedactionEdit]:
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


@dataclass(frozen=True)
class Unmasked:
    """What an unredacted export holds that a redacted one would hide, one kind per find ("card
    number", "email", ...): in what was said (the call's redaction list, ``call_redactions``), and
    in what people typed (comments, replies, scorecard notes, clip titles and notes, speakers'
    names), as the notice of a redacted export counts them."""

    said: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.said or self.notes)


def unmasked(library: Library, settings: Settings, call_ids: list[int], *, notes: bool = True) -> Unmasked:
    """What an unredacted export of these calls holds unmasked; ``notes=False`` for a recording,
    which holds what was said and nothing typed."""
    from reviewer.report.redaction import call_redactions

    source = ReportSource(library)
    said: list[str] = []
    typed: list[str] = []
    for cid in dict.fromkeys(call_ids):
        if not notes:
            said += [s.kind for s in call_redactions(source, cid, settings)]
            continue
        report = report_of(source, cid, settings, redact=True)
        said += [s.kind for s in report.hidden]
        typed += report.masked_in_notes
    return Unmasked(tuple(said), tuple(typed))


def unmasked_in_playlist(library: Library, settings: Settings, name: str) -> Unmasked:
    """The same for a playlist: the spans of each clip's call that fall in the clip, and what its
    title, note and speakers' names hold."""
    from reviewer.report.clips import clip_excerpt

    source = ReportSource(library)
    said: list[str] = []
    typed: list[str] = []
    for c in library.playlist_clips(name):
        x = clip_excerpt(source, settings, c, redact=True)
        said += [s.kind for s in x.hidden]
        typed += x.masked_in_notes
    return Unmasked(tuple(said), tuple(typed))


class LabelledCalls:
    """A library as ``refusal_training.library_dialogues`` reads it for ``export --labels``: each
    labelled call's turns masked from its redaction list (``call_redactions``, the one list every
    export masks from) when ``redact``. ``kinds`` collects that list's kinds for each labelled call
    handed out: what the labels file hides, or holds unmasked."""

    def __init__(self, library: Library, settings: Settings, redact: bool) -> None:
        self.library, self.settings, self.redact = library, settings, redact
        self.kinds: list[str] = []

    def load_call(self, call_id: int) -> StoredCall:
        from reviewer.report.redaction import call_redactions, mask_transcript

        stored = self.library.load_call(call_id)
        t = stored.transcript
        if not t.refusal_labels:
            return stored  # not in the file
        words = list(t.words)
        spans = call_redactions(ReportSource(self.library), call_id, self.settings, words=words)
        self.kinds += [s.kind for s in spans]
        if not self.redact:
            return stored
        turns, words, _ = mask_transcript(list(t.turns), words, spans)
        return replace(stored, transcript=replace(t, turns=turns, words=words))
