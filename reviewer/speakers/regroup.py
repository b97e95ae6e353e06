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
from dataclasses import dataclass, field

import numpy as np

from reviewer.model import Segment
from reviewer.speakers.profiles import VoiceMatch, VoiceProfile, best_match

WINDOW = 1.5  # seconds of one voice per embedding
HOP = 0.75
SHORTEST = 0.5  # a stretch of one voice shorter than this gets no window of its own
FRAME = 0.02  # resolution of the relabelled segments
MIN_WINDOWS = 8  # fewer windows than this: too little to regroup, the first pass stands
MIN_MATCH_WINDOWS = 3  # ... but with voice profiles, this many can say which voice is an agent's
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


@dataclass(frozen=True)
class Regrouped:
    """What the second pass made of a two-voice split, and how sure it is: the two voices'
    centroids (speaker label → unit vector) and their cosine ``closeness``, the quieter voice's
    share of the windows, the share of one-voice speech it ``moved`` to the other voice, and the
    profile that matched a voice (whose speaker is then that agent)."""

    segments: list[Segment]
    voices: dict[str, np.ndarray] = field(default_factory=dict)
    closeness: float | None = None
    second_share: float | None = None
    moved: float = 0.0
    match: VoiceMatch | None = None
    separation: float | None = None


def regroup(
    segments: Sequence[Segment],
    embed: Callable[[Sequence[tuple[float, float]]], np.ndarray],
) -> list[Segment]:
    """``segments`` of two speakers, each stretch relabelled by the nearer of the two voices.
    ``embed`` gives one embedding per (start, end) window. Returned unchanged where there is too
    little speech to regroup, or where the regrouping would leave a second voice almost silent."""
    return regroup_call(segments, embed).segments


def regroup_call(
    segments: Sequence[Segment],
    embed: Callable[[Sequence[tuple[float, float]]], np.ndarray],
    profiles: Sequence[VoiceProfile] = (),
) -> Regrouped:
    """``regroup``, with what it found, and the voice that matches one of ``profiles`` (voice
    profiles are on): where the first pass heard one voice, the profile anchors a split of it;
    where it heard two, the matched one is named (and re-split around the profile only with
    ANCHOR_TWO_VOICES)."""
    speakers = sorted({s.speaker for s in segments})
    unchanged = Regrouped(list(segments))
    if len(speakers) == 1 and profiles:  # one voice heard: a profile may still find the agent in it
        return _split_by_profile(segments, embed, profiles, speakers[0])
    if len(speakers) != 2:
        return unchanged
    found = windows(single_voice_spans(segments))
    least = MIN_MATCH_WINDOWS if profiles else MIN_WINDOWS
    if len(found) < least:
        return unchanged
    vectors = np.asarray(embed([(a, b) for a, b, _ in found]), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    usable = np.isfinite(vectors).all(axis=1) & (norms[:, 0] > 0)
    if usable.sum() < least:
        return unchanged
    found = [w for w, ok in zip(found, usable, strict=True) if ok]
    unit = vectors[usable] / norms[usable]
    first = np.array([speakers.index(s) for _, _, s in found])
    if len(found) < MIN_WINDOWS:  # too little to regroup, enough for a profile to know a voice
        match = best_match(_centroids(unit, first, speakers), profiles)
        return Regrouped(list(segments), _centroids(unit, first, speakers), match=match)
    labels, spread = two_means(unit, first)
    similarity = unit @ unit.T
    i, j = np.unravel_index(np.argmin(similarity), similarity.shape)
    apart, apart_spread = two_means(unit, np.argmax(unit @ unit[[i, j]].T, axis=1))
    if apart_spread < spread:
        labels = apart
    used = min(np.mean(labels == 0), np.mean(labels == 1)) >= MIN_SECOND_SHARE
    if not used:
        labels = first  # the first pass stands (unless a profile says otherwise)
    # Name the new voices after the first pass's speakers they overlap most.
    if np.sum(labels == first) < np.sum(labels != first):
        labels = 1 - labels
    match = None
    if profiles:
        match = best_match(_centroids(unit, labels, speakers), profiles)
        if match is not None and ANCHOR_TWO_VOICES:
            profile = next(p for p in profiles if p.name == match.name)
            anchored = anchored_two_means(unit, labels, speakers.index(match.speaker), profile.vector)
            if min(np.mean(anchored == 0), np.mean(anchored == 1)) >= MIN_SECOND_SHARE:
                labels, used = anchored, True
    spans = [(a, b) for a, b, _ in found]
    out = relabel(segments, spans, labels, speakers) if used else list(segments)
    voices = _centroids(unit, labels, speakers)
    closeness = float(np.dot(*voices.values())) if len(voices) == 2 else None
    return Regrouped(
        out,
        voices,
        None if closeness is None else round(closeness, 3),
        round(float(min(np.mean(labels == 0), np.mean(labels == 1))), 3),
        round(moved_share(segments, out), 3),
        match,
        separation(unit, labels, voices, speakers),
    )


def separation(
    unit: np.ndarray, labels: np.ndarray, voices: dict[str, np.ndarray], speakers: Sequence[str]
) -> float | None:
    """How far apart the two voices are against how spread each one is: the lower of the two
    voices' mean similarity of their windows to their own centroid, less the similarity of the
    two centroids. Near zero or below, one voice's windows are as like the other voice as their
    own (a split the second pass may have made inside one voice)."""
    if len(voices) != 2:
        return None
    cohesion = [float(np.mean(unit[labels == k] @ voices[speaker])) for k, speaker in enumerate(speakers)]
    return round(min(cohesion) - float(np.dot(*voices.values())), 3)


def _split_by_profile(
    segments: Sequence[Segment],
    embed: Callable[[Sequence[tuple[float, float]]], np.ndarray],
    profiles: Sequence[VoiceProfile],
    speaker: str,
) -> Regrouped:
    """The first pass heard one voice: each profile is tried as an anchor (its windows are those
    nearer the profile than the middle of the windows' similarities to it); kept where the two
    voices that come out are apart and one of them is that profile's (``best_match``)."""
    unchanged = Regrouped(list(segments))
    found = windows(single_voice_spans(segments))
    if len(found) < MIN_WINDOWS:
        return unchanged
    vectors = np.asarray(embed([(a, b) for a, b, _ in found]), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    usable = np.isfinite(vectors).all(axis=1) & (norms[:, 0] > 0)
    if usable.sum() < MIN_WINDOWS:
        return unchanged
    found = [w for w, ok in zip(found, usable, strict=True) if ok]
    unit = vectors[usable] / norms[usable]
    other = "S2" if speaker != "S2" else "S1"
    speakers = [speaker, other]
    for profile in profiles:
        near = unit @ profile.vector
        start = np.where(near >= (near.max() + near.min()) / 2, 0, 1)
        labels = anchored_two_means(unit, start, 0, profile.vector)
        if min(np.mean(labels == 0), np.mean(labels == 1)) < MIN_SECOND_SHARE:
            continue
        voices = _centroids(unit, labels, speakers)
        match = best_match(voices, [profile])
        if match is None or match.speaker != speaker:
            continue
        out = relabel(segments, [(a, b) for a, b, _ in found], labels, speakers)
        closeness = float(np.dot(*voices.values()))
        share = float(min(np.mean(labels == 0), np.mean(labels == 1)))
        return Regrouped(
            out,
            voices,
            round(closeness, 3),
            round(share, 3),
            0.0,  # the profile decided what moved, not a second look
            match,
        )
    return unchanged


# Where the second pass heard two voices and one is a profile's, split the windows again with the
# profile as that voice's anchor? Measured on the eight real calls (bench/README.md, "Agents known
# by their voice"): it changed nothing on seven and took auto_repairs_49 (the closest two voices)
# from 3.9 to 8.4 points off, whatever the weight below (0.25-0.75 alike, 1.0 worse). So a matched
# voice is named and the split stands; the anchor is used where the first pass heard one voice.
ANCHOR_TWO_VOICES = False
# How much the profile weighs against the voice's own windows in the anchored split: the profile
# comes from other recordings (another channel, another day), the windows from this one.
ANCHOR_WEIGHT = 0.5


def anchored_two_means(
    unit: np.ndarray, labels: np.ndarray, agent: int, profile: np.ndarray, rounds: int = 30
) -> np.ndarray:
    """Two-means where voice ``agent``'s centroid is held near ``profile``: each round it is the
    profile and the mean of the voice's windows, weighed ANCHOR_WEIGHT to the rest."""
    labels = labels.copy()
    for _ in range(rounds):
        centroids = []
        for k in (0, 1):
            mine = unit[labels == k]
            c = mine.mean(axis=0) if len(mine) else np.zeros(unit.shape[1])
            c = c / (np.linalg.norm(c) or 1.0)
            if k == agent:
                c = ANCHOR_WEIGHT * profile + (1 - ANCHOR_WEIGHT) * c
                c = c / (np.linalg.norm(c) or 1.0)
            centroids.append(c)
        new = np.argmax(unit @ np.stack(centroids).T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _centroids(unit: np.ndarray, labels: np.ndarray, speakers: Sequence[str]) -> dict[str, np.ndarray]:
    out = {}
    for k, speaker in enumerate(speakers):
        mine = unit[labels == k]
        if len(mine):
            c = mine.mean(axis=0)
            out[speaker] = c / (np.linalg.norm(c) or 1.0)
    return out


def moved_share(before: Sequence[Segment], after: Sequence[Segment]) -> float:
    """The share of the one-voice speech of ``before`` that ``after`` gives to another voice."""
    was = single_voice_spans(before)
    now = single_voice_spans(after)
    total = sum(b - a for a, b, _ in was)
    if total <= 0:
        return 0.0
    moved = 0.0
    for a, b, who in was:
        for c, d, other in now:
            if other != who:
                moved += max(0.0, min(b, d) - max(a, c))
    return moved / total


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
