"""Long stretches: monologues, silences or holds, and overtalk."""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.analysis.turns import Run
from reviewer.model import Marker, Segment
from reviewer.settings import Settings


def silences(runs: Sequence[Run], settings: Settings) -> tuple[list[Marker], float]:
    """Gaps where nobody speaks between the first and last speech; and the longest gap."""
    markers: list[Marker] = []
    longest = 0.0
    covered_until = None
    for r in sorted(runs, key=lambda r: r.start):
        if covered_until is not None and r.start > covered_until:
            gap = r.start - covered_until
            longest = max(longest, gap)
            if gap >= settings.silence_min:
                markers.append(
                    Marker(
                        "long_silence",
                        round(covered_until, 3),
                        round(r.start, 3),
                        None,
                        f"Nobody speaks for {gap:.0f} s",
                    )
                )
        covered_until = r.end if covered_until is None else max(covered_until, r.end)
    return markers, longest


def monologues(runs: Sequence[Run], settings: Settings) -> tuple[list[Marker], float]:
    """One speaker holding the floor: their runs joined across pauses shorter than a long
    silence, until the other side says something more than a backchannel."""
    floor = sorted((r for r in runs if not r.backchannel), key=lambda r: (r.start, r.end))
    groups: list[list[Run]] = []
    for r in floor:
        g = groups[-1] if groups else None
        if g and g[0].speaker == r.speaker and r.start - max(x.end for x in g) < settings.silence_min:
            g.append(r)
        else:
            groups.append([r])
    markers = []
    longest = 0.0
    for g in groups:
        start, end = g[0].start, max(x.end for x in g)
        length = end - start
        longest = max(longest, length)
        if length >= settings.monologue_min:
            text = " ".join(x.text for x in g)
            markers.append(
                Marker(
                    "long_monologue",
                    round(start, 3),
                    round(end, 3),
                    g[0].speaker,
                    _clip(f"{length:.0f} s without a reply: {text}"),
                )
            )
    return markers, longest


def overtalk(
    runs: Sequence[Run], settings: Settings, heard: Sequence[Segment] = ()
) -> tuple[list[Marker], float]:
    """Both sides' turns overlapping for at least ``overtalk_min``; backchannels ignored.

    Each side's speech is taken turn by turn (pauses shorter than ``turn_pause`` bridged), since
    someone who pauses for breath mid-sentence is still holding their turn. The marker's speaker
    is whoever started talking over the other.

    ``heard`` adds overlaps that diarization heard in a mono call (speaker: who came in second):
    there Whisper writes one stream of words, so the words alone rarely overlap. Such a span is
    left out where the words its speaker says in it are all a backchannel, or where the words
    already show the same overtalk."""
    spans = _turn_spans([r for r in runs if not r.backchannel], settings.turn_pause)
    # overlap, who came in second, and their runs
    pieces: list[tuple[float, float, str, list[Run]]] = []
    for i, (_, a_end, a_runs) in enumerate(spans):
        for b_start, b_end, b_runs in spans[i + 1 :]:
            if b_start >= a_end:
                break
            if b_runs[0].speaker != a_runs[0].speaker:
                pieces.append((b_start, min(a_end, b_end), b_runs[0].speaker, b_runs))
    from_words = list(pieces)
    for o in heard:
        if any(start < o.end and o.start < end for start, end, _, _ in from_words):
            continue
        theirs = [r for r in runs if r.speaker == o.speaker and r.start < o.end and o.start < r.end]
        if theirs and all(r.backchannel for r in theirs):
            continue
        pieces.append((o.start, o.end, o.speaker, theirs))
    markers = []
    total = 0.0
    for start, end, speaker, interrupter in sorted(pieces, key=lambda p: p[0]):
        if end - start < settings.overtalk_min:
            continue
        total += end - start
        if interrupter:
            lead = "Talks over the other side"
            words = [w.text for r in interrupter for w in r.words if w.start < end]
        else:  # diarization heard them, but their words went to the other side or were not heard
            lead = "Both talk at once"
            words = [w.text for r in runs for w in r.words if w.start < end and start < w.end]
        text = lead + (f": {' '.join(words)}" if words else "")
        markers.append(Marker("overtalk", round(start, 3), round(end, 3), speaker, _clip(text)))
    return markers, total


def _turn_spans(runs: Sequence[Run], max_pause: float) -> list[tuple[float, float, list[Run]]]:
    """Each speaker's runs joined across pauses shorter than ``max_pause`` in which the other side
    did not start speaking, sorted by start."""
    by_speaker: dict[str, list[Run]] = {}
    for r in sorted(runs, key=lambda r: r.start):
        by_speaker.setdefault(r.speaker, []).append(r)
    spans: list[tuple[float, float, list[Run]]] = []
    for speaker, speaker_runs in by_speaker.items():
        others = [r.start for r in runs if r.speaker != speaker]
        group = [speaker_runs[0]]
        for r in speaker_runs[1:]:
            gap_start = max(x.end for x in group)
            other_took_floor = any(gap_start <= t < r.start for t in others)
            if r.start - gap_start < max_pause and not other_took_floor:
                group.append(r)
            else:
                spans.append((group[0].start, max(x.end for x in group), group))
                group = [r]
        spans.append((group[0].start, max(x.end for x in group), group))
    return sorted(spans, key=lambda s: s[0])


def _clip(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quiet_gaps(
    segments: Sequence[tuple[float, float]], duration: float, min_gap: float
) -> list[tuple[float, float]]:
    """Stretches of at least ``min_gap`` seconds where nobody speaks, including before the
    first and after the last speech (what "skip silences" jumps over in playback)."""
    gaps: list[tuple[float, float]] = []
    covered = 0.0
    for start, end in sorted(segments):
        if start - covered >= min_gap:
            gaps.append((covered, start))
        covered = max(covered, end)
    if duration - covered >= min_gap:
        gaps.append((covered, duration))
    return gaps
