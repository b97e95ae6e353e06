"""Attributing words to speakers by time (mono calls) or by channel (stereo calls)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from reviewer.analysis.turns import merge_spans
from reviewer.asr.transcribe import RawWord
from reviewer.model import Segment, Word

NEAREST_WITHIN = 1.0  # seconds: a word outside every segment goes to a segment this close


def words_for_channel(raw: Sequence[RawWord], speaker: str) -> list[Word]:
    return [Word(w.start, w.end, w.text, speaker, w.probability) for w in raw]


def attribute_words(raw: Sequence[RawWord], segments: Sequence[Segment]) -> list[Word]:
    """Each word goes to the speaker whose segments overlap it most; failing that, to the nearest
    segment within a second; failing that, to the previous word's speaker."""
    segments = sorted(segments, key=lambda s: s.start)
    starts = [s.start for s in segments]
    words: list[Word] = []
    previous: str | None = segments[0].speaker if segments else None
    for w in raw:
        i = bisect.bisect_right(starts, w.end)
        overlap: dict[str, float] = {}
        nearest: tuple[float, str] | None = None
        for s in segments[max(0, i - 50) : i + 1]:
            ov = min(w.end, s.end) - max(w.start, s.start)
            if ov > 0:
                overlap[s.speaker] = overlap.get(s.speaker, 0.0) + ov
            distance = max(s.start - w.end, w.start - s.end, 0.0)
            if nearest is None or distance < nearest[0]:
                nearest = (distance, s.speaker)
        if overlap:
            speaker = max(overlap, key=overlap.get)
        elif nearest is not None and nearest[0] <= NEAREST_WITHIN:
            speaker = nearest[1]
        else:
            speaker = previous or "S1"
        previous = speaker
        words.append(Word(w.start, w.end, w.text, speaker, w.probability))
    return words


def overlap_spans(segments: Sequence[Segment]) -> list[Segment]:
    """Where two speakers' segments overlap, each labelled with whoever started later (the one
    talking over the other)."""
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    spans: list[Segment] = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start >= a.end:
                break
            end = min(a.end, b.end)
            if b.speaker != a.speaker and end > b.start:
                spans.append(Segment(b.start, end, b.speaker))
    return merge_spans(spans)
