"""Talk time, talk share and pace.

Talk share denominator: the agent's talk time divided by the sum of every speaker's talk time,
where talk time is the length of a speaker's speech runs (their words, with pauses under
``bridge_pause`` bridged). Overtalk counts for both speakers; silences and holds count for
neither.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import numpy as np

from reviewer.analysis.turns import Run, turn_is_backchannel
from reviewer.model import SharePoint, Speaker, SpeakerMetrics, Turn, Word
from reviewer.settings import Settings


def talk_seconds(runs: Sequence[Run], speaker: str) -> float:
    return sum(r.duration for r in runs if r.speaker == speaker)


def speaker_metrics(
    speakers: Sequence[Speaker], runs: Sequence[Run], words: Sequence[Word]
) -> list[SpeakerMetrics]:
    out = []
    for s in speakers:
        seconds = talk_seconds(runs, s.id)
        n = sum(1 for w in words if w.speaker == s.id)
        wpm = n / (seconds / 60.0) if seconds > 0 else 0.0
        out.append(SpeakerMetrics(s.id, round(seconds, 3), n, round(wpm, 1)))
    return out


def agent_share(speakers: Sequence[Speaker], runs: Sequence[Run]) -> float | None:
    agents = {s.id for s in speakers if s.role == "agent"}
    if not agents:
        return None
    total = sum(r.duration for r in runs)
    if total <= 0:
        return None
    return sum(r.duration for r in runs if r.speaker in agents) / total


def share_series(
    speakers: Sequence[Speaker], runs: Sequence[Run], duration: float, settings: Settings
) -> list[SharePoint]:
    """Agent talk share in a sliding window, sampled every ``share_step`` seconds."""
    agents = {s.id for s in speakers if s.role == "agent"}
    if not agents or duration <= 0:
        return []
    step = settings.share_step
    # Talk per 0.1 s bin, then windowed sums: linear in call length.
    res = 0.1
    bins = int(np.ceil(duration / res)) + 1
    agent = np.zeros(bins)
    total = np.zeros(bins)
    for r in runs:
        a, b = int(r.start / res), max(int(r.start / res) + 1, int(np.ceil(r.end / res)))
        total[a:b] += 1
        if r.speaker in agents:
            agent[a:b] += 1
    half = int(settings.share_window / 2 / res)
    ca, ct = np.concatenate([[0], np.cumsum(agent)]), np.concatenate([[0], np.cumsum(total)])
    points = []
    t = 0.0
    while t <= duration + 1e-9:
        i = int(t / res)
        lo, hi = max(0, i - half), min(bins, i + half)
        tot = ct[hi] - ct[lo]
        points.append(SharePoint(round(t, 3), round(float((ca[hi] - ca[lo]) / tot), 4) if tot > 0 else None))
        t += step
    return points


def response_gaps(speakers: Sequence[Speaker], turns: Sequence[Turn], settings: Settings) -> list[float]:
    """How long the agent waits after the customer stops before answering (patience)."""
    roles = {s.id: s.role for s in speakers}
    substantive = [t for t in turns if not turn_is_backchannel(t, settings)]
    gaps = []
    for i, t in enumerate(substantive):
        if roles.get(t.speaker) != "customer":
            continue
        for nxt in substantive[i + 1 :]:
            if roles.get(nxt.speaker) == "customer" and nxt.start < t.end + settings.response_max_gap:
                if nxt.start >= t.end:
                    break  # the customer went on talking: not a hand-over yet
                continue
            if roles.get(nxt.speaker) == "agent":
                gap = nxt.start - t.end
                if 0 <= gap <= settings.response_max_gap:
                    gaps.append(round(gap, 3))
                break
    return gaps


def summarize_gaps(gaps: Sequence[float]) -> tuple[float | None, float | None]:
    if not gaps:
        return None, None
    return round(statistics.median(gaps), 3), round(statistics.fmean(gaps), 3)
