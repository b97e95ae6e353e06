"""From words to speech runs and turns.

A *run* is a stretch of one speaker's speech, pauses shorter than ``bridge_pause`` included: talk
time, silences, monologues and overtalk are measured on runs. A *turn* is what a reader calls a
turn in the transcript: one speaker's words until they pause for ``turn_pause`` or the other side
takes the floor. Short backchannels ("mm-hm", "okay") neither take the floor nor end a turn.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewer.analysis.text import normalize
from reviewer.model import Segment, Turn, Word
from reviewer.settings import Settings


@dataclass(frozen=True)
class Run:
    speaker: str
    start: float
    end: float
    words: tuple[Word, ...]
    backchannel: bool = False

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def backchannel_vocabulary(settings: Settings) -> frozenset[str]:
    vocab: set[str] = set()
    for entry in settings.phrases.backchannel:
        vocab.update(normalize(entry).split())
    return frozenset(vocab)


def is_backchannel(words: Sequence[Word], settings: Settings, vocab: frozenset[str]) -> bool:
    if not words or len(words) > settings.backchannel_max_words:
        return False
    if words[-1].end - words[0].start > settings.backchannel_max_seconds:
        return False
    tokens = normalize(" ".join(w.text for w in words)).split()
    return bool(tokens) and all(t in vocab for t in tokens)


def _by_speaker(words: Iterable[Word]) -> dict[str, list[Word]]:
    out: dict[str, list[Word]] = {}
    for w in sorted(words, key=lambda w: (w.start, w.end)):
        out.setdefault(w.speaker, []).append(w)
    return out


def speech_runs(words: Iterable[Word], settings: Settings) -> list[Run]:
    """Each speaker's words merged across pauses shorter than ``bridge_pause``."""
    vocab = backchannel_vocabulary(settings)
    runs: list[Run] = []
    for speaker, ws in _by_speaker(words).items():
        group: list[Word] = []
        for w in ws:
            if group and w.start - group[-1].end >= settings.bridge_pause:
                runs.append(_run(speaker, group, settings, vocab))
                group = []
            group.append(w)
        if group:
            runs.append(_run(speaker, group, settings, vocab))
    return sorted(runs, key=lambda r: (r.start, r.end))


def _run(speaker: str, words: list[Word], settings: Settings, vocab: frozenset[str]) -> Run:
    end = max(w.end for w in words)
    return Run(speaker, words[0].start, end, tuple(words), is_backchannel(words, settings, vocab))


def activity(runs: Iterable[Run], heard: Iterable[Segment] = ()) -> list[Segment]:
    """Who speaks when, for the timeline's lanes: each speech run, and in a mono call also where
    diarization heard a speaker talk over the other (their words may have gone to the other side)."""
    return merge_spans([*(Segment(r.start, r.end, r.speaker) for r in runs), *heard])


def merge_spans(spans: Iterable[Segment]) -> list[Segment]:
    """Touching or overlapping spans of the same speaker joined into one, sorted by start."""
    out: list[Segment] = []
    last: dict[str, int] = {}  # speaker -> index in out of their latest span
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        i = last.get(s.speaker)
        if i is not None and s.start <= out[i].end:
            out[i] = Segment(out[i].start, max(out[i].end, s.end), s.speaker)
        else:
            last[s.speaker] = len(out)
            out.append(s)
    return out


def build_turns(words: Iterable[Word], settings: Settings) -> list[Turn]:
    """Transcript turns: split a speaker's words at long pauses and where the other side
    starts speaking (not a backchannel) during a pause."""
    words = list(words)
    runs = speech_runs(words, settings)
    everyone = {w.speaker for w in words}
    floor_takes: dict[str, list[float]] = {}
    for r in runs:
        if not r.backchannel:
            for speaker in everyone - {r.speaker}:
                floor_takes.setdefault(speaker, []).append(r.start)
    turns: list[Turn] = []
    for speaker, ws in _by_speaker(words).items():
        takes = sorted(floor_takes.get(speaker, []))
        group: list[Word] = []
        for w in ws:
            if group:
                gap_start, gap_end = group[-1].end, w.start
                k = bisect.bisect_left(takes, gap_start)  # the other side took the floor meanwhile?
                interrupted = k < len(takes) and takes[k] < gap_end
                if gap_end - gap_start >= settings.turn_pause or interrupted:
                    turns.append(_turn(speaker, group))
                    group = []
            group.append(w)
        if group:
            turns.append(_turn(speaker, group))
    return sorted(turns, key=lambda t: (t.start, t.end))


def _turn(speaker: str, words: list[Word]) -> Turn:
    text = " ".join(w.text for w in words)
    return Turn(speaker, words[0].start, max(w.end for w in words), text, len(words))


def turn_is_backchannel(turn: Turn, settings: Settings) -> bool:
    vocab = backchannel_vocabulary(settings)
    tokens = normalize(turn.text).split()
    return (
        0 < len(tokens) <= settings.backchannel_max_words + 1
        and turn.duration <= settings.backchannel_max_seconds
        and all(t in vocab for t in tokens)
    )


def turn_at(
    turns: Iterable[Turn],
    t: float,
    *,
    speakers: set[str] | frozenset[str] | None = None,
    not_by: str | None = None,
    near: float = 0.0,
) -> Turn | None:
    """The turn under time ``t`` (within 0.05 s of it; the shortest, where a backchannel sits
    inside a longer turn), else, with ``near``, the turn nearest ``t`` with an end that close.
    Only turns of ``speakers`` (when given) and not of ``not_by`` (when given) count: what "who
    said it", a coach's refusal label and the library's corrections all act on."""
    candidates = [
        x
        for x in turns
        if (speakers is None or x.speaker in speakers) and (not_by is None or x.speaker != not_by)
    ]
    under = [x for x in candidates if x.start - 0.05 <= t <= x.end + 0.05]
    if under:
        return min(under, key=lambda x: x.duration)
    if near <= 0:
        return None

    def gap(x: Turn) -> float:
        return min(abs(x.start - t), abs(x.end - t))

    return min((x for x in candidates if gap(x) <= near), key=gap, default=None)
