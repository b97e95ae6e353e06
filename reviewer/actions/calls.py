"""Storing a call: "store a call" means its words and speakers, the turns, markers and metrics the
analysis made of them, every tracker's hits and every scorecard's automatic answers, all in one
transaction. Re-analysis after a correction stores the derived part again the same way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.actions.scores import Progress, store_auto_scores
from reviewer.analysis import analyse_transcript, at_a_glance, corrected
from reviewer.analysis.trackers import tracker_hits
from reviewer.library import Library
from reviewer.library.backend import LibraryBusyError
from reviewer.library.calls import call_record
from reviewer.model import Analysis, Transcript
from reviewer.settings import Settings, load_settings


def store_call(
    library: Library,
    path: Path,
    digest: str,
    transcript: Transcript,
    analysis: Analysis,
    *,
    source_channels: int,
    source_rate: int,
    dual_mono: bool,
) -> tuple[int, bool]:
    """Store a processed call and all it implies, in one transaction. Returns (id, created); a
    call with the same content already in the library is left as it is."""
    existing = library.find_hash(digest)
    if existing is not None:
        return existing, False
    stored_path = library.stored_audio_path(path, digest)  # copied to the team's audio root, if set
    try:
        with library.write():
            existing = library.find_hash(digest)
            if existing is not None:
                return existing, False
            row = call_record(
                path,
                digest,
                stored_path,
                transcript,
                source_channels=source_channels,
                source_rate=source_rate,
                dual_mono=dual_mono,
            )
            call_id = library.insert_call(row, transcript)
            store_derived(library, call_id, transcript, analysis)
            return call_id, True
    except library.db.IntegrityError:
        existing = library.find_hash(digest)  # another process stored the same audio first
        if existing is None:
            raise
        return existing, False


def store_derived(library: Library, call_id: int, transcript: Transcript, analysis: Analysis) -> None:
    """Inside a write transaction: what the analysis derived from a call (turns, segments, markers,
    metrics, the call at a glance with a coach's corrections over it), its hits of every tracker,
    and every scorecard's automatic answers, anew."""
    analysis = corrected(analysis, library.glance_corrections(call_id))
    library.store_analysis(call_id, transcript, analysis)
    trackers = library.trackers()
    hits = (
        tracker_hits(trackers, transcript.speakers, transcript.turns, transcript.duration) if trackers else []
    )
    library.replace_tracker_hits(call_id, hits)
    store_auto_scores(library, call_id, transcript, analysis)


def reanalyse(
    library: Library, call_id: int, transcript: Transcript, moved: dict[int, str], settings: Settings
) -> None:
    """Inside a write transaction: keep the call's speakers as ``transcript`` has them and the new
    speaker of each moved word (word id → label), then analyse it again and store what follows."""
    library.store_speakers(call_id, transcript.speakers, moved)
    transcript, analysis = analyse_transcript(transcript, settings)
    store_derived(library, call_id, transcript, analysis)


GLANCE_BATCH = 20  # calls judged per write transaction when catching up


@dataclass(frozen=True)
class GlanceCatchUp:
    """One catch-up's work: the calls it judged at a glance, and how many are left to judge."""

    judged: int
    left: int


def catch_up_glance(
    library: Library, settings: Settings | None = None, progress: Progress = None, *, limit: int | None = None
) -> GlanceCatchUp:
    """The call at a glance (reason, sentiment, request outcomes) for the calls the library
    stored before it kept them, judged from their stored turns and refusals: up to ``limit`` of
    them (all without), a transaction for every few calls, so a stop halfway keeps what was done
    and the next catch-up goes on from there. The catch-up that leaves none says so in the library
    (``set_glance_caught_up``), so a library already caught up costs one lookup, not a search."""
    if library.glance_caught_up():
        return GlanceCatchUp(0, 0)
    waiting = library.unglanced_calls()
    ids = waiting if limit is None else waiting[:limit]
    left = len(waiting) - len(ids)
    if not ids:
        if not library.read_only:
            try:  # never waits: reading a library does not wait for another program's import
                with library.write(wait=False):
                    library.set_glance_caught_up()
            except LibraryBusyError:
                pass  # said by a later opening
        return GlanceCatchUp(0, 0)
    settings = settings or load_settings()
    for first in range(0, len(ids), GLANCE_BATCH):
        with library.write():
            for n, call_id in enumerate(ids[first : first + GLANCE_BATCH], first + 1):
                stored = library.load_call(call_id)
                analysis = at_a_glance(stored.transcript, stored.analysis, settings)
                analysis = corrected(analysis, library.glance_corrections(call_id))
                library.store_glance(call_id, analysis)
                store_auto_scores(library, call_id, stored.transcript, analysis)  # rules may read them
                if progress:
                    progress(n, len(ids))
            if not left and first + GLANCE_BATCH >= len(ids):
                library.set_glance_caught_up()
    return GlanceCatchUp(len(ids), left)
