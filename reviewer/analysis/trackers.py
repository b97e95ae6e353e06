"""Phrase trackers: a named list of phrases a coach wants to know were said (a recording
disclosure, an apology, a competitor's name, "calm down"), by the agent, the customer or either,
optionally only in the first or last seconds of the call. Pure: turns and speakers in, hits out.

Phrases use the syntax of ``resources/phrases.toml`` (plain words, ``*`` stems, ``(a|b)``
alternatives, ``~`` for a few words in between), matched on normalised text.
"""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.analysis.text import PhraseSet, compile_phrase
from reviewer.model import Speaker, Tracker, TrackerHit, Turn

__all__ = [
    "SIDES",
    "SIDE_LABELS",
    "Tracker",
    "TrackerHit",
    "describe_tracker",
    "tracker_hits",
    "tracker_line",
    "tracker_problems",
]

SIDES = ("agent", "customer", "both")
SIDE_LABELS = {"both": "Agent or customer", "agent": "Agent", "customer": "Customer"}


def tracker_problems(tracker: Tracker) -> list[str]:
    """What is wrong with this tracker, in words; empty when it can be used."""
    out = []
    if not tracker.name.strip():
        out.append("a tracker needs a name")
    if not [p for p in tracker.phrases if p.strip()]:
        out.append("a tracker needs at least one phrase")
    if tracker.side not in SIDES:
        out.append(f"side must be one of {', '.join(SIDES)}, not {tracker.side!r}")
    for limit in (tracker.within_first, tracker.within_last):
        if limit is not None and limit <= 0:
            out.append("a time window must be a positive number of seconds")
    if tracker.within_first is not None and tracker.within_last is not None:
        out.append("give a window at the start or at the end, not both")
    for p in tracker.phrases:
        try:
            compile_phrase(p)
        except Exception as e:  # noqa: BLE001 - a regex error in words the user can act on
            out.append(f"the phrase {p!r} cannot be used ({e})")
    return out


def _window(t: Tracker) -> str:
    """ ", first 30 s", ", last 30 s" or nothing: where in the call a tracker looks."""
    if t.within_first:
        return f", first {t.within_first:g} s"
    if t.within_last:
        return f", last {t.within_last:g} s"
    return ""


def describe_tracker(t: Tracker) -> str:
    """A tracker in a sentence, as the app shows it: "Agent, first 30 s: hello | good morning"."""
    return f"{SIDE_LABELS.get(t.side, t.side)}{_window(t)}: {' | '.join(t.phrases)}"


def tracker_line(t: Tracker) -> str:
    """A tracker on one line, as `reviewer tracker list` prints it: "greeting: hello  (agent, first 30 s)"."""
    return f"{t.name}: {' | '.join(t.phrases)}  ({t.side}{_window(t)})"


def tracker_hits(
    trackers: Sequence[Tracker], speakers: Sequence[Speaker], turns: Sequence[Turn], duration: float
) -> list[TrackerHit]:
    """Every turn in which a tracker's phrase is said by the side it watches, within its window,
    in time order (one hit per tracker and turn: the first phrase that matches)."""
    roles = {s.id: s.role for s in speakers}
    hits = []
    for tracker in trackers:
        phrases = PhraseSet(tracker.phrases)
        for turn in turns:
            if tracker.side != "both" and roles.get(turn.speaker) != tracker.side:
                continue
            if tracker.within_first is not None and turn.start > tracker.within_first:
                continue
            if tracker.within_last is not None and turn.end < duration - tracker.within_last:
                continue
            phrase = phrases.find(turn.text)
            if phrase:
                hits.append(TrackerHit(tracker.name, turn.start, turn.end, turn.speaker, phrase, turn.text))
    return sorted(hits, key=lambda h: (h.start, h.tracker))
