"""Phrase trackers as operations: a tracker added, changed or removed is applied to every stored
call from its stored turns (nothing is transcribed again), and every scorecard whose rules use it
scores every call again, all in one transaction: an exception from ``progress`` (a cancel) rolls
all of it back."""

from __future__ import annotations

from collections.abc import Callable

from reviewer.actions.scores import rescore_tracker_rules
from reviewer.analysis.trackers import tracker_hits, tracker_problems
from reviewer.errors import ReviewerError
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
