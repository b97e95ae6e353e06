"""A second pass over a two-party mono split: each voice's own embedding decides every stretch.

pyannote clusters one embedding per speaker per 10-second chunk. A one-to-three-minute call gives
it a dozen or two of those, each often a blend of both voices, and on real 8 kHz bank calls one
cluster of the first pass was then half agent, half customer: one voice absorbed the other's talk
(15 to 23 points of talk share off; bench/README.md, ``real_calls.py``). Here the speech the
first pass found is cut into short windows where it heard one voice; each window gets its own
CAM++ embedding, the windows are split into two voices (two-means on the unit sphere, started
from the first pass and from the two least alike windows, the tighter split kept), and each
stretch of speech goes to the voice of the windows covering it. Pure numpy; the embeddings come
from :mod:`reviewer.speakers.diarize`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from reviewer.model import Segment

WINDOW = 1.5  # seconds of one voice per embedding
HOP = 0.75
SHORTEST = 0.5  # a stretch of one voice shorter than this gets no window of its own
FRAME = 0.02  # resolution of the relabelled segments
MIN_WINDOWS = 8  # fewer windows than this: too little to regroup, the first pass stands
# The second voice must hold this share of the windows, or the regrouping is not used (a
# two-party call where one side has under 5 % of the talk is rarer than a split that went wrong).
MIN_SECOND_SHARE = 0.05


def single_voice_spans(segments: Sequence[Segment]) -> list[tuple[float, float, str]]:
    """Stretches where exactly one speaker of ``segments`` talks: (start, end, speaker)."""
    edges = sorted({t for s in segments for t in (s.start, s.end)})
    spans: list[tuple[float, float, str]] = []
    for a, b in zip(edges, edges[1:], strict=False):
        mid = (a + b) / 2
        who = {s.speaker for s in segments if s.start <= mid < s.end}
        if len(who) != 1:
            continue
        (speaker,) = who
        if spans and spans[-1][2] == speaker and abs(spans[-1][1] - a) < 1e-9:
            spans[-1] = (spans[-1][0], b, speaker)
        else:
            spans.append((a, b, speaker))
    return spans


def windows(spans: Sequence[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Windows of up to WINDOW seconds every HOP seconds inside each one-voice stretch."""
    out: list[tuple[float, float, str]] = []
    for start, end, speaker in spans:
        if end - start < SHORTEST:
            continue
        count = 1 if end - start <= WINDOW else int(np.ceil((end - start - WINDOW) / HOP)) + 1
        for k in range(count):
            a = start + k * HOP
            b = min(a + WINDOW, end)
            if b - a >= SHORTEST:
                out.append((a, b, speaker))
    return out


def two_means(unit: np.ndarray, labels: np.ndarray, rounds: int = 30) -> tuple[np.ndarray, float]:
    """Spherical two-means from ``labels`` (0/1): final labels and their spread (lower is tighter)."""
    labels = labels.copy()
    for _ in range(rounds):
        if len(set(labels.tolist())) < 2:
            return labels, float("inf")
        centroids = np.stack([unit[labels == k].mean(axis=0) for k in (0, 1)])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        new = np.argmax(unit @ centroids.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    centroids = np.stack([unit[labels == k].mean(axis=0) for k in (0, 1)])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return labels, float(np.sum(1.0 - np.sum(unit * centroids[labels], axis=1)))


def regroup(
    segments: Sequence[Segment],
    embed: Callable[[Sequence[tuple[float, float]]], np.ndarray],
) -> list[Segment]:
    """``segments`` of two speakers, each stretch relabelled by the nearer of the two voices.
    ``embed`` gives one embedding per (start, end) window. Returned unchanged where there is too
    little speech to regroup, or where the regrouping would leave a second voice almost silent."""
    speakers = sorted({s.speaker for s in segments})
    if len(speakers) != 2:
        return list(segments)
    found = windows(single_voice_spans(segments))
    if len(found) < MIN_WINDOWS:
        return list(segments)
    vectors = np.asarray(embed([(a, b) for a, b, _ in found]), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    usable = np.isfinite(vectors).all(axis=1) & (norms[:, 0] > 0)
    if usable.sum() < MIN_WINDOWS:
        return list(segments)
    found = [w for w, ok in zip(found, usable, strict=True) if ok]
    unit = vectors[usable] / norms[usable]
    first = np.array([speakers.index(s) for _, _, s in found])
    labels, spread = two_means(unit, first)
    similarity = unit @ unit.T
    i, j = np.unravel_index(np.argmin(similarity), similarity.shape)
    apart, apart_spread = two_means(unit, np.argmax(unit @ unit[[i, j]].T, axis=1))
    if apart_spread < spread:
        labels = apart
    if min(np.mean(labels == 0), np.mean(labels == 1)) < MIN_SECOND_SHARE:
        return list(segments)
    # Name the new voices after the first pass's speakers they overlap most.
    if np.sum(labels == first) < np.sum(labels != first):
        labels = 1 - labels
    return relabel(segments, [(a, b) for a, b, _ in found], labels, speakers)


def relabel(
    segments: Sequence[Segment],
    spans: Sequence[tuple[float, float]],
    labels: np.ndarray,
    speakers: Sequence[str],
) -> list[Segment]:
    """Each one-speaker segment split frame by frame among the voices its windows vote for;
    a frame no window covers keeps the voice before it (or the first pass's speaker). Where the
    first pass heard both at once, both stay."""
    end = max(s.end for s in segments)
    votes = np.zeros((2, int(end / FRAME) + 2))
    for (a, b), label in zip(spans, labels, strict=True):
        votes[label, int(a / FRAME) : int(np.ceil(b / FRAME))] += 1
    out: list[Segment] = []
    for start, stop, speaker in single_voice_spans(segments):
        a, b = int(round(start / FRAME)), max(int(round(stop / FRAME)), int(round(start / FRAME)) + 1)
        v = votes[:, a:b]
        who = np.where(v.sum(axis=0) > 0, np.argmax(v, axis=0), -1)
        current = speakers.index(speaker)
        if (who >= 0).any():
            current = int(who[who >= 0][0])
        piece_start = start
        for k in range(len(who)):
            label = int(who[k]) if who[k] >= 0 else current
            if label != current:
                t = (a + k) * FRAME
                if t > piece_start:
                    out.append(Segment(piece_start, t, speakers[current]))
                piece_start, current = t, label
        out.append(Segment(piece_start, stop, speakers[current]))
    both = [s for s in segments if _overlapped(s, segments)]
    out.extend(_overlap_parts(segments) if both else [])
    return merge_touching(sorted(out, key=lambda s: (s.start, s.end)))


def _overlapped(segment: Segment, segments: Sequence[Segment]) -> bool:
    return any(
        o.speaker != segment.speaker and min(o.end, segment.end) > max(o.start, segment.start)
        for o in segments
    )


def _overlap_parts(segments: Sequence[Segment]) -> list[Segment]:
    """The parts of each segment where another speaker talks too."""
    parts = []
    for s in segments:
        for o in segments:
            if o.speaker != s.speaker:
                a, b = max(s.start, o.start), min(s.end, o.end)
                if b > a:
                    parts.append(Segment(a, b, s.speaker))
    return parts


def merge_touching(segments: Sequence[Segment], gap: float = 1e-6) -> list[Segment]:
    """Consecutive segments of one speaker that touch or overlap, as one."""
    merged: dict[str, list[Segment]] = {}
    for s in sorted(segments, key=lambda s: (s.start, s.end)):
        mine = merged.setdefault(s.speaker, [])
        if mine and s.start <= mine[-1].end + gap:
            mine[-1] = Segment(mine[-1].start, max(mine[-1].end, s.end), s.speaker)
        else:
            mine.append(s)
    return sorted((s for v in merged.values() for s in v), key=lambda s: (s.start, s.end))
