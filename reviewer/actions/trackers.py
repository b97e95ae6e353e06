"""Phrase trackers as operations: a tracker added, changed or removed is applied to every stored
call from its stored turns (nothing is transcribed again), and every scorecard whose rules use it
scores every call again, all in one transaction: an exception from ``progress`` (a cancel) rolls
all of it back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from reviewer import embedding
from reviewer.actions.scores import rescore_tracker_rules
from reviewer.analysis.trackers import MIN_EXAMPLES, concept_scores, tracker_hits, tracker_problems, watches
from reviewer.errors import ReviewerError
from reviewer.labels import speaker_label
from reviewer.library import Library
from reviewer.model import Tracker


def add_tracker(
    library: Library,
    tracker: Tracker,
    progress: Callable[[int, int], None] | None = None,
    *,
    replacing: str | None = None,
) -> int:
    """Store ``tracker`` (replacing one of the same name, and the tracker named ``replacing`` when
    it is renamed) and find its hits in every call. Returns the number of hits."""
    problems = tracker_problems(tracker)
    if problems:
        raise ReviewerError(f"Tracker {tracker.name!r}: " + "; ".join(problems) + ".")
    with library.write():
        names = list(dict.fromkeys(n for n in (tracker.name, replacing) if n is not None))
        for name in names:
            library.delete_tracker(name)
        library.insert_tracker(tracker)
        found = []
        count, calls = library.call_turns()
        for i, (call_id, speakers, turns, duration) in enumerate(calls):
            found += [(call_id, h) for h in tracker_hits([tracker], speakers, turns, duration)]
            if progress:
                progress(i + 1, count)
        library.add_tracker_hits(found)
        for name in names:  # scorecards whose rules use it score every call again
            rescore_tracker_rules(library, name, progress)
        return len(found)


def remove_tracker(library: Library, name: str) -> None:
    with library.write():
        if not library.delete_tracker(name):
            names = ", ".join(t.name for t in library.trackers()) or "none"
            raise ReviewerError(f"No tracker {name!r} (trackers: {names}).")
        rescore_tracker_rules(library, name)


# -- a concept tracker tried on the library before it is saved ----------------------------------

PREVIEW_CALLS = 100  # the newest calls a concept tracker is tried on while its threshold is tuned


@dataclass(frozen=True)
class ConceptMatch:
    """A turn a concept tracker watches, with how close it came to the tracker's examples."""

    call_id: int
    call_name: str
    recorded_at: str | None
    start: float
    end: float
    speaker: str  # the speaker's name or role, as the dialog shows it
    text: str
    score: float  # the best similarity to an example (centred cosine)
    example: str  # that example


@dataclass(frozen=True)
class ConceptPreview:
    """Every turn of the newest calls that a concept tracker watches, scored once (newest call
    first, then in the call's order), so its hits at any threshold are a filter, not a
    computation: what the Trackers dialog shows while a coach moves the threshold."""

    matches: tuple[ConceptMatch, ...]
    calls: int  # the calls tried
    library_calls: int  # the calls in the library
    encoder: bool = True  # False: sentence embeddings are off, nothing can be scored

    def hits(self, threshold: float) -> list[ConceptMatch]:
        """The turns that reach ``threshold``, newest call first."""
        return [m for m in self.matches if m.score >= threshold]


def preview_concept(
    library: Library,
    tracker: Tracker,
    progress: Callable[[int, int], None] | None = None,
    *,
    calls: int = PREVIEW_CALLS,
) -> ConceptPreview:
    """``tracker``'s examples tried on the library's ``calls`` newest calls (by recording date,
    else import), the side and time window it watches: each watched turn's similarity. Nothing
    is stored. ``progress(calls done, calls)`` is called after each call (a cancel raises there)."""
    examples = [e for e in tracker.examples if e.strip()]
    rows = library.list_calls(brief=True)
    newest = sorted(rows, key=lambda r: (r.recorded_at or r.imported_at or "", r.id), reverse=True)[:calls]
    if len(examples) < MIN_EXAMPLES:
        raise ReviewerError(f"A concept tracker needs at least {MIN_EXAMPLES} example sentences.")
    enc = embedding.encoder()
    if enc is None:
        return ConceptPreview((), 0, len(rows), encoder=False)
    concept = replace(tracker, phrases=(), examples=tuple(examples))
    names = {r.id: r.name for r in newest}
    stamps = {r.id: r.recorded_at for r in newest}
    _, each = library.call_turns([r.id for r in newest])
    found: dict[int, list[ConceptMatch]] = {}
    for done, (call_id, speakers, turns, duration) in enumerate(each, start=1):
        who = {s.id: speaker_label(s) for s in speakers}
        watched = {
            concept.name: [
                t for t in turns if watches(concept, t, {s.id: s.role for s in speakers}, duration)
            ]
        }
        scores = concept_scores([concept], watched, enc)[concept.name]
        found[call_id] = [
            ConceptMatch(
                call_id,
                names[call_id],
                stamps[call_id],
                t.start,
                t.end,
                who.get(t.speaker, t.speaker),
                t.text,
                s,
                ex,
            )
            for t, (s, ex) in zip(watched[concept.name], scores, strict=True)
        ]
        if progress:
            progress(done, len(newest))
    matches = tuple(m for r in newest for m in found.get(r.id, []))
    return ConceptPreview(matches, len(newest), len(rows))
