"""Why the customer called: one reason of the team's list (``resources/reasons.toml``, or the
user's own ``reasons.toml`` in the config folder, or ``--reasons FILE``), or "other".

Each reason is a name, a label and a few example sentences a customer might open a call with.
The customer's opening turns are compared with every example by sentence embedding (cosine
similarity of multilingual-e5-small's vectors, ``reviewer.embedding``); a reason scores the
best similarity of any of its examples to a turn (or to a sentence or stretch of a long one).
The first opening turn where some example comes within the list's ``threshold`` says why the
customer called (later turns mostly answer the agent's questions: "from my checking account");
where none does, the call is "other". Which reason it says is decided by a softmax regression
trained on the examples' vectors when the list is first used (on BANKING77 with ten examples
per intent it is right 0.83 of the time, the nearest example 0.76: bench/README.md), and its
probability is the confidence.

The opening turns: the customer's first ``OPENING_TURNS`` turns of at least ``MIN_WORDS``
words within the first ``OPENING_SECONDS`` of the call. Customers say why they call right
after the greeting (often after giving their name, which is why one turn is not enough), and a
reason stated later is mostly a second request, not why they called.

Where the encoder cannot load, each reason's ``phrases`` (the phrases.toml syntax) are matched
on the same turns instead: the first turn with a match gives the reason, with method "phrases",
and the log says so once.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewer import embedding
from reviewer.analysis.text import PhraseSet
from reviewer.model import CallReason, Speaker, Turn

OTHER = "other"
OTHER_LABEL = "Other"
OPENING_TURNS = 3
MIN_WORDS = 3
OPENING_SECONDS = 120.0
DEFAULT_THRESHOLD = 0.87  # chosen on bench/data/reasons_dev.toml (bench/glance.py)
L2, STEPS = 1e-5, 1000  # the softmax regression's penalty and steps (bench/glance.py)
PHRASE_CONFIDENCE = 0.5  # what a phrase match is worth: it says which, not how sure
LONG_TURN_WORDS = 12  # a longer turn is also judged by its sentences and stretches of words
WINDOW_WORDS, WINDOW_STEP = 10, 5  # those stretches, for speech transcribed without full stops
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

log = logging.getLogger(__name__)
_said_fallback: list[bool] = []


@dataclass(frozen=True)
class Reason:
    name: str
    label: str
    examples: tuple[str, ...]
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReasonList:
    reasons: tuple[Reason, ...]
    threshold: float = DEFAULT_THRESHOLD
    source: str = ""

    def label(self, name: str) -> str:
        return next((r.label for r in self.reasons if r.name == name), OTHER_LABEL)


def parse_reasons(doc: dict[str, Any], source: str = "") -> ReasonList:
    """A reasons list from a TOML document: ``threshold`` (optional) and a ``[[reason]]`` table
    per reason with ``name``, ``label`` (optional), ``examples`` and ``phrases`` (optional).
    Raises ValueError with words a user can act on."""
    reasons = []
    for i, item in enumerate(doc.get("reason", [])):
        name = str(item.get("name", "")).strip()
        if not name:
            raise ValueError(f"reason #{i + 1} has no name")
        if name == OTHER:
            raise ValueError('"other" is what a call with none of the reasons gets; give it no examples')
        examples = tuple(str(e).strip() for e in item.get("examples", []) if str(e).strip())
        if not examples:
            raise ValueError(f"reason {name!r} needs at least one example sentence")
        phrases = tuple(str(p) for p in item.get("phrases", []) if str(p).strip())
        label = str(item.get("label") or name.replace("_", " ").capitalize())
        reasons.append(Reason(name, label, examples, phrases))
    if not reasons:
        raise ValueError("no [[reason]] in the file")
    if len({r.name for r in reasons}) != len(reasons):
        raise ValueError("two reasons have the same name")
    threshold = float(doc.get("threshold", DEFAULT_THRESHOLD))
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
    return ReasonList(tuple(reasons), threshold, source)


def opening_turns(speakers: Sequence[Speaker], turns: Sequence[Turn]) -> list[Turn]:
    """The customer's turns a reason is judged from (see the module's note)."""
    customers = {s.id for s in speakers if s.role == "customer"}
    out = []
    for turn in sorted(turns, key=lambda t: t.start):
        if turn.speaker not in customers or turn.start > OPENING_SECONDS:
            continue
        if len(turn.text.split()) >= MIN_WORDS:
            out.append(turn)
            if len(out) == OPENING_TURNS:
                break
    return out


def units(text: str) -> list[str]:
    """What is compared of a turn: the turn and, when it is long, each of its sentences, or
    where it has no full stops (a human transcript without punctuation) each stretch of
    ``WINDOW_WORDS`` words: "hi my name is Mary Smith I lost my card" is heard without the
    introduction."""
    text = text.strip()
    words = text.split()
    if len(words) <= LONG_TURN_WORDS:
        return [text]
    parts = [p for p in _SENTENCE.split(text) if len(p.split()) >= MIN_WORDS]
    if len(parts) > 1:
        return list(dict.fromkeys([text, *parts]))
    last = max(len(words) - WINDOW_WORDS, 0)
    starts = sorted({*range(0, last + 1, WINDOW_STEP), last})
    return list(dict.fromkeys([text, *(" ".join(words[i : i + WINDOW_WORDS]) for i in starts)]))


@dataclass
class Examples:
    """The examples of a list of reasons (or of trackers), encoded once: rows of unit vectors
    and, per row, the index of the reason it belongs to."""

    vectors: np.ndarray
    owner: np.ndarray
    texts: list[str]

    @classmethod
    def of(cls, groups: Sequence[Sequence[str]], enc: embedding.Encoder) -> Examples:
        texts = [e for group in groups for e in group]
        owner = np.asarray([i for i, group in enumerate(groups) for _ in group], dtype=np.intp)
        return cls(enc.encode(texts), owner, texts)

    def best(self, vectors: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
        """For each row of ``vectors``: each group's best similarity (rows × groups), and the
        index of the example that gives it."""
        sims = vectors @ self.vectors.T
        scores = np.full((len(vectors), n_groups), -1.0, dtype=np.float32)
        which = np.zeros((len(vectors), n_groups), dtype=np.intp)
        for g in range(n_groups):
            cols = np.flatnonzero(self.owner == g)
            if len(cols):
                scores[:, g] = sims[:, cols].max(axis=1)
                which[:, g] = cols[sims[:, cols].argmax(axis=1)]
        return scores, which


def _other(method: str) -> CallReason:
    return CallReason(OTHER, OTHER_LABEL, 0.0, method)


@dataclass(frozen=True)
class ReasonModel:
    """A list's examples, encoded, and a softmax regression over their vectors (which reason a
    vector is), trained when the list is first used: a few milliseconds for a team's list."""

    examples: Examples
    weights: np.ndarray  # (DIMS, reasons)
    bias: np.ndarray

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        z = vector @ self.weights + self.bias
        z = np.exp(z - z.max())
        return z / z.sum()


def softmax_regression(
    x: np.ndarray, y: np.ndarray, k: int, l2: float = L2, steps: int = STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression (mean cross-entropy + l2/2·|W|²) by Nesterov's
    accelerated gradient descent: numpy only, deterministic, convex."""
    n = len(x)
    target = np.zeros((n, k), dtype=np.float32)
    target[np.arange(n), y] = 1.0
    w, b = np.zeros((x.shape[1], k), dtype=np.float32), np.zeros(k, dtype=np.float32)
    w_prev, b_prev = w, b
    rate = 1.0 / (0.5 * float(np.linalg.norm(x, 2)) ** 2 / n + l2)
    for t in range(1, steps + 1):
        m = (t - 1) / (t + 2)
        vw, vb = w + m * (w - w_prev), b + m * (b - b_prev)
        z = x @ vw + vb
        p = np.exp(z - z.max(axis=1, keepdims=True))
        g = (p / p.sum(axis=1, keepdims=True) - target) / n
        w_prev, b_prev = w, b
        w, b = vw - rate * (x.T @ g + l2 * vw), vb - rate * g.sum(axis=0)
    return w, b


_models: dict[tuple[ReasonList, int], ReasonModel] = {}


def reason_model(reasons: ReasonList, enc: embedding.Encoder) -> ReasonModel:
    key = (reasons, id(enc))
    if key not in _models:
        examples = Examples.of([r.examples for r in reasons.reasons], enc)
        w, b = softmax_regression(examples.vectors, examples.owner, len(reasons.reasons))
        while len(_models) >= 4:
            _models.pop(next(iter(_models)))
        _models[key] = ReasonModel(examples, w, b)
    return _models[key]


def call_reason(
    speakers: Sequence[Speaker],
    turns: Sequence[Turn],
    reasons: ReasonList,
    encoder: embedding.Encoder | None | bool = True,
) -> CallReason | None:
    """Why the customer called; None where no customer turn opens the call. ``encoder``: True
    for ``reviewer.embedding.encoder()``, None or False for the phrase lists alone."""
    opening = opening_turns(speakers, turns)
    if not opening or not reasons.reasons:
        return None
    enc = embedding.encoder() if encoder is True else (encoder or None)
    if enc is None:
        return by_phrases(opening, reasons)
    for turn, (reason_i, confidence) in zip(opening, judge_turns(opening, reasons, enc), strict=True):
        if reason_i is not None:
            reason = reasons.reasons[reason_i]
            return CallReason(
                reason.name,
                reason.label,
                round(confidence, 3),
                "embedding",
                turn.start,
                turn.end,
                turn.speaker,
                turn.text,
            )
    return _other("embedding")


def judge_turns(
    opening: Sequence[Turn], reasons: ReasonList, enc: embedding.Encoder
) -> list[tuple[int | None, float]]:
    """For each turn: (the index of its reason, or None where no example comes within the
    list's threshold; the probability the model gives that reason). The part of the turn
    closest to an example (the turn, a sentence or a stretch of it) is what is judged."""
    model = reason_model(reasons, enc)
    parts = [units(t.text) for t in opening]
    vectors = enc.encode([u for p in parts for u in p])
    sims = vectors @ model.examples.vectors.T
    out: list[tuple[int | None, float]] = []
    i = 0
    for p in parts:
        block = sims[i : i + len(p)]
        best_unit = int(block.max(axis=1).argmax())
        if float(block.max()) < reasons.threshold:
            out.append((None, 0.0))
        else:
            probs = model.probabilities(vectors[i + best_unit])
            out.append((int(probs.argmax()), float(probs.max())))
        i += len(p)
    return out


def reason_scores(opening: Sequence[Turn], reasons: ReasonList, enc: embedding.Encoder) -> np.ndarray:
    """(opening turns × reasons): each reason's best similarity to each turn (or its parts)."""
    examples = reason_model(reasons, enc).examples
    parts = [units(t.text) for t in opening]
    scores, _ = examples.best(enc.encode([u for p in parts for u in p]), len(reasons.reasons))
    out = np.empty((len(opening), len(reasons.reasons)), dtype=np.float32)
    i = 0
    for k, p in enumerate(parts):
        out[k] = scores[i : i + len(p)].max(axis=0)
        i += len(p)
    return out


def by_phrases(opening: Sequence[Turn], reasons: ReasonList) -> CallReason:
    """The text-only fallback: the first opening turn in which a reason's phrase is said."""
    if not _said_fallback:
        _said_fallback.append(True)
        log.warning("Call reasons come from the phrase lists: sentence embeddings are off.")
    sets = [(r, PhraseSet(r.phrases)) for r in reasons.reasons if r.phrases]
    for turn in opening:
        for reason, phrases in sets:
            if phrases.find(turn.text):
                return CallReason(
                    reason.name,
                    reason.label,
                    PHRASE_CONFIDENCE,
                    "phrases",
                    turn.start,
                    turn.end,
                    turn.speaker,
                    turn.text,
                )
    return _other("phrases")


def reason_dict(reason: CallReason | None, digits: int = 2) -> dict[str, Any] | None:
    """A call's reason as a JSON object (``reviewer analyze --json``, ``show --json``)."""
    if reason is None:
        return None
    out: dict[str, Any] = {
        "name": reason.name,
        "label": reason.label,
        "confidence": reason.confidence,
        "method": reason.method,
    }
    if reason.start is not None and reason.end is not None and not math.isnan(reason.start):
        out.update(
            {
                "start": round(reason.start, digits),
                "end": round(reason.end, digits),
                "speaker": reason.speaker,
                "text": reason.text,
            }
        )
    return out
