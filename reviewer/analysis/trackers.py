"""Trackers: a named list of phrases a coach wants to know were said (a recording disclosure,
an apology, a competitor's name, "calm down"), by the agent, the customer or either, optionally
only in the first or last seconds of the call. Pure: turns and speakers in, hits out.

Phrases use the syntax of ``resources/phrases.toml`` (plain words, ``*`` stems, ``(a|b)``
alternatives, ``~`` for a few words in between), matched on normalised text.

A concept tracker is given by three or more example sentences instead of (or beside) phrases:
a turn of its side matches when its best cosine similarity to an example, by sentence embedding
(``reviewer.embedding``; the turn whole, and each sentence of a long one), reaches the tracker's
threshold (``DEFAULT_THRESHOLD`` unless the tracker has its own). "I'm so sorry about that" then
finds "my apologies for the trouble" too. The vectors are compared after taking out what every
call-centre sentence shares (the mean vector of ``resources/concepts/background.txt``, ordinary
turns of no concept): e5's raw cosine puts any two such sentences near 0.88, which left no
threshold that keeps "let me pull up your account" out of "asks for the account". Every turn
is encoded once, for all the trackers, and the encoder's cache keeps it for the next ones. Where
the encoder cannot load, a concept tracker finds only its phrases (the log says so once).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from reviewer import embedding
from reviewer.analysis.reasons import Examples, units
from reviewer.analysis.text import PhraseSet, compile_phrase
from reviewer.model import Speaker, Tracker, TrackerHit, Turn
from reviewer.resources import resource

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
MIN_EXAMPLES = 3
DEFAULT_THRESHOLD = 0.39  # the best mean F1 on resources/concepts/dev (d1, c2: bench/glance.py --concepts)
SIMILAR = "≈ "  # a concept hit's "phrase": the example it came closest to, after this mark

log = logging.getLogger(__name__)
_said_off: list[bool] = []


def threshold_of(tracker: Tracker) -> float:
    return DEFAULT_THRESHOLD if tracker.threshold is None else tracker.threshold


def background() -> list[str]:
    lines = resource("concepts", "background.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=2)
def center(enc: embedding.Encoder) -> np.ndarray:
    """The mean vector of the background turns: from ``resources/concepts/center.json`` where it
    was computed with this model (bench/glance.py --center), else computed now (once)."""
    try:
        doc = json.loads(resource("concepts", "center.json").read_text())
        if doc["model"] == embedding.NAME and len(doc["vector"]) == embedding.DIMS:
            return np.asarray(doc["vector"], dtype=np.float32)
    except (OSError, ValueError, KeyError):
        pass
    return enc.encode(background()).mean(axis=0)


def centred(vectors: np.ndarray, enc: embedding.Encoder) -> np.ndarray:
    v = vectors - center(enc)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def tracker_problems(tracker: Tracker) -> list[str]:
    """What is wrong with this tracker, in words; empty when it can be used."""
    out = []
    if not tracker.name.strip():
        out.append("a tracker needs a name")
    examples = [e for e in tracker.examples if e.strip()]
    if not [p for p in tracker.phrases if p.strip()] and not examples:
        out.append("a tracker needs at least one phrase, or example sentences")
    if examples and len(examples) < MIN_EXAMPLES:
        out.append(f"a concept tracker needs at least {MIN_EXAMPLES} example sentences, not {len(examples)}")
    if tracker.threshold is not None and not 0.0 < tracker.threshold < 1.0:
        out.append(f"the threshold is a similarity between 0 and 1, not {tracker.threshold:g}")
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


def _what(t: Tracker) -> str:
    """Its phrases, and its examples with the threshold: 'hello | like "good morning" (≥ 0.88)'."""
    parts = [" | ".join(t.phrases)] if t.phrases else []
    if t.examples:
        parts.append("like " + " | ".join(f'"{e}"' for e in t.examples) + f" (≥ {threshold_of(t):.2f})")
    return "; ".join(parts)


def describe_tracker(t: Tracker) -> str:
    """A tracker in a sentence, as the app shows it: "Agent, first 30 s: hello | good morning"."""
    return f"{SIDE_LABELS.get(t.side, t.side)}{_window(t)}: {_what(t)}"


def tracker_line(t: Tracker) -> str:
    """A tracker on one line, as `reviewer tracker list` prints it: "greeting: hello  (agent, first 30 s)"."""
    return f"{t.name}: {_what(t)}  ({t.side}{_window(t)})"


def tracker_hits(
    trackers: Sequence[Tracker],
    speakers: Sequence[Speaker],
    turns: Sequence[Turn],
    duration: float,
    encoder: embedding.Encoder | None | bool = True,
) -> list[TrackerHit]:
    """Every turn in which a tracker's phrase is said (or, for a concept tracker, something close
    to its examples) by the side it watches, within its window, in time order (one hit per
    tracker and turn: the first phrase that matches, else the closest example). ``encoder``:
    True for ``reviewer.embedding.encoder()``, None or False for phrases alone."""
    roles = {s.id: s.role for s in speakers}
    watched = {t.name: [turn for turn in turns if watches(t, turn, roles, duration)] for t in trackers}
    concepts = [t for t in trackers if t.examples]
    close = _concept_matches(concepts, watched, encoder) if concepts else {}
    hits = []
    for tracker in trackers:
        phrases = PhraseSet(tracker.phrases)
        for turn in watched[tracker.name]:
            phrase = phrases.find(turn.text) or close.get((tracker.name, id(turn)))
            if phrase:
                hits.append(TrackerHit(tracker.name, turn.start, turn.end, turn.speaker, phrase, turn.text))
    return sorted(hits, key=lambda h: (h.start, h.tracker))


def watches(tracker: Tracker, turn: Turn, roles: dict[str, str], duration: float) -> bool:
    if tracker.side != "both" and roles.get(turn.speaker) != tracker.side:
        return False
    if tracker.within_first is not None and turn.start > tracker.within_first:
        return False
    return not (tracker.within_last is not None and turn.end < duration - tracker.within_last)


def _concept_matches(
    concepts: Sequence[Tracker], watched: dict[str, list[Turn]], encoder: embedding.Encoder | None | bool
) -> dict[tuple[str, int], str]:
    """(tracker name, id of the turn) → the mark and the example a concept tracker's turn came
    closest to, for the turns that reach its threshold."""
    enc = embedding.encoder() if encoder is True else (encoder or None)
    if enc is None:
        if not _said_off:
            _said_off.append(True)
            log.warning("Concept trackers find only their phrases: sentence embeddings are off.")
        return {}
    scores = concept_scores(concepts, watched, enc)
    out = {}
    for t in concepts:
        for turn, (score, example) in zip(watched[t.name], scores[t.name], strict=True):
            if score >= threshold_of(t):
                out[(t.name, id(turn))] = SIMILAR + example
    return out


def concept_scores(
    concepts: Sequence[Tracker], watched: dict[str, list[Turn]], enc: embedding.Encoder
) -> dict[str, list[tuple[float, str]]]:
    """For each concept tracker, each watched turn's best similarity to its examples and that
    example. Every turn (and sentence) is encoded once, in one batch, for all the trackers."""
    examples = Examples.of([t.examples for t in concepts], enc)
    examples.vectors = centred(examples.vectors, enc)
    turn_units = {id(turn): units(turn.text) for t in concepts for turn in watched[t.name]}
    flat = list(dict.fromkeys(u for us in turn_units.values() for u in us))
    index = {u: i for i, u in enumerate(flat)}
    if not flat:
        return {t.name: [] for t in concepts}
    best, which = examples.best(centred(enc.encode(flat), enc), len(concepts))
    out: dict[str, list[tuple[float, str]]] = {}
    for g, t in enumerate(concepts):
        row = []
        for turn in watched[t.name]:
            rows = [index[u] for u in turn_units[id(turn)]]
            k = rows[int(np.argmax(best[rows, g]))]
            row.append((float(best[k, g]), examples.texts[int(which[k, g])]))
        out[t.name] = row
    return out
