"""Agents known by their voice: a profile is an agent's name and the mean CAM++ embedding of their
speech (from a stereo call's agent channel, or a stretch a coach marks), and a call's voice that
matches one is that agent.

Profiles are biometric data: the library keeps them only when a coach has turned them on, and
nothing here runs otherwise (``reviewer.actions.voices``). Matching and the doubt about a split are
pure numpy; the embeddings come from the bundled diarization pipeline's CAM++ model
(:func:`reviewer.speakers.diarize.window_embeddings`), loaded lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reviewer.model import VoiceSample

# A voice is a profile's when their cosine similarity is at least MATCH and the profile is nearer
# to that voice than to the call's other voice by MARGIN. On the real calls (bench/README.md,
# real_calls.py --voices) an agent's profile from another part of the call met their own voice at
# 0.60-0.86 and the customer's at 0.02-0.44 (the closest pair: two women's voices at 8 kHz).
MATCH = 0.5
MARGIN = 0.15
# The uncertain-split note (a mono call's two voices): what makes the split doubtful. Chosen on
# the eight real two-party calls (bench/README.md, "The uncertain split"): the two voices'
# separation (regroup.separation) on their full mono mixes was -0.08 to 0.135 on the three calls
# whose voices are most alike (auto_repairs_49, a7ccc337, 0091a706: their true sides' centroids
# 0.59-0.66 apart in cosine), 0.22-0.56 on the other five.
LOW_SEPARATION = 0.17  # a voice's windows hardly nearer their own centroid than the other's
SMALL_SHARE = 0.1  # the quieter voice holds less than this share of the one-voice windows
MOVED_A_LOT = 0.25  # the second pass moved at least this share of the one-voice speech
UNCERTAIN_NOTE = "The split between the voices is uncertain on this call: check who said what"


@dataclass(frozen=True)
class VoiceProfile:
    """An agent's voice: their name, the unit mean embedding, and how much speech it rests on."""

    name: str
    embedding: tuple[float, ...]
    windows: int
    seconds: float
    calls: int = 0
    created: str = ""

    @property
    def vector(self) -> np.ndarray:
        return np.asarray(self.embedding, dtype=np.float64)


@dataclass(frozen=True)
class VoiceMatch:
    speaker: str
    name: str
    similarity: float


def unit_mean(vectors: np.ndarray, weights: Sequence[float] | None = None) -> np.ndarray | None:
    """The normalised (weighted) mean of the normalised rows that are usable, or None."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or not len(vectors):
        return None
    norms = np.linalg.norm(vectors, axis=1)
    usable = np.isfinite(vectors).all(axis=1) & (norms > 0)
    if not usable.any():
        return None
    unit = vectors[usable] / norms[usable, None]
    w = np.ones(len(unit)) if weights is None else np.asarray(weights, dtype=np.float64)[usable]
    mean = (unit * w[:, None]).sum(axis=0)
    size = np.linalg.norm(mean)
    return mean / size if size > 0 else None


def profiles_of(samples: Sequence[VoiceSample]) -> list[VoiceProfile]:
    """Each agent's profile from the library's samples of their voice (weighted by windows)."""
    by_name: dict[str, list[VoiceSample]] = {}
    for s in samples:
        by_name.setdefault(s.name, []).append(s)
    out = []
    for name, group in sorted(by_name.items(), key=lambda kv: kv[0].lower()):
        mean = unit_mean(np.array([g.embedding for g in group]), [max(g.windows, 1) for g in group])
        if mean is None:
            continue
        calls = len({g.call_id for g in group if g.call_id is not None})
        out.append(
            VoiceProfile(
                name,
                tuple(float(x) for x in mean),
                sum(g.windows for g in group),
                round(sum(g.seconds for g in group), 2),
                calls,
                min((g.created_at for g in group), default=""),
            )
        )
    return out


def best_match(
    voices: dict[str, np.ndarray], profiles: Sequence[VoiceProfile], speaker: str | None = None
) -> VoiceMatch | None:
    """The call's voice (speaker label → unit centroid) that is one profile's (or, given
    ``speaker``, the profile that voice is): the most similar pair at or above MATCH, the profile
    nearer that voice than any other voice of the call by MARGIN. None when no profile matches."""
    best: VoiceMatch | None = None
    labels = list(voices)
    for profile in profiles:
        p = profile.vector
        scores = {k: float(np.dot(voices[k], p)) for k in labels}
        for k, score in scores.items():
            if speaker is not None and k != speaker:
                continue
            others = [v for j, v in scores.items() if j != k]
            if score < MATCH or (others and score - max(others) < MARGIN):
                continue
            if best is None or score > best.similarity:
                best = VoiceMatch(k, profile.name, round(score, 3))
    return best


def speech_windows(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The 1.5 s windows (every 0.75 s) of the second pass inside each stretch of speech."""
    from reviewer.speakers.regroup import windows

    return [(a, b) for a, b, _ in windows([(a, b, "") for a, b in spans])]


def voice_of(
    audio: np.ndarray, sample_rate: int, spans: Sequence[tuple[float, float]]
) -> tuple[np.ndarray | None, int, float]:
    """The unit mean CAM++ embedding of the speech in ``spans`` of mono ``audio``, the number of
    windows it rests on, and the seconds of speech: (None, 0, 0.0) when there is too little."""
    from reviewer.speakers.diarize import DiarizationOptions, load_pipeline, window_embeddings

    found = speech_windows(spans)
    if not found:
        return None, 0, 0.0
    vectors = window_embeddings(load_pipeline(DiarizationOptions()), audio, sample_rate, found)
    mean = unit_mean(vectors)
    seconds = sum(b - a for a, b in spans)
    return mean, int(np.isfinite(vectors).all(axis=1).sum()), round(float(seconds), 2)


def doubts(separation: float | None, second_share: float | None, moved: float) -> list[str]:
    """Why a two-voice split is doubtful, in words (empty: it is not)."""
    out = []
    if separation is not None and separation < LOW_SEPARATION:
        out.append(f"the two voices sound alike (separation {separation:.2f})")
    if second_share is not None and second_share < SMALL_SHARE:
        out.append(f"one voice has only {second_share:.0%} of the speech")
    if moved >= MOVED_A_LOT:
        out.append(f"a second look moved {moved:.0%} of the speech to the other voice")
    return out


def mask_spans(mask: np.ndarray, frame: float) -> list[tuple[float, float]]:
    """The (start, end) seconds of each run of True frames of ``frame`` seconds."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(a * frame, b * frame) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def channel_voices(samples: np.ndarray, sample_rate: int) -> dict[int, np.ndarray]:
    """A stereo call's voice on each channel (channel → unit mean embedding), each channel's
    speech with the other's bleed silenced; a channel with too little speech has none."""
    from reviewer.audio.channels import FRAME, channel_activity, masked_channel

    active = channel_activity(samples, sample_rate)
    out = {}
    for channel in range(samples.shape[0]):
        audio = masked_channel(samples, sample_rate, channel, active)
        mean, _windows, _seconds = voice_of(audio, sample_rate, mask_spans(active[channel], FRAME))
        if mean is not None:
            out[channel] = mean
    return out


def split_doubt(found) -> str:  # noqa: ANN001 - a regroup.Regrouped
    """Why a mono call's two-voice split is doubtful, as one sentence ("" where it is not)."""
    reasons = doubts(found.separation, found.second_share, found.moved)
    return f"{UNCERTAIN_NOTE} ({'; '.join(reasons)})." if reasons else ""
