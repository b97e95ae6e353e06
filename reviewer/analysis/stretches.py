"""Long stretches: monologues, silences or holds, and overtalk."""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.analysis.turns import Run
from reviewer.model import Marker
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


def overtalk(runs: Sequence[Run], settings: Settings) -> tuple[list[Marker], float]:
    """Both sides speaking at once for at least ``overtalk_min``; backchannels ignored. Pieces of
    overlap separated by less than ``turn_pause`` are one event: the talked-over speaker's turn
    goes on across such pauses. The marker's speaker is whoever started talking over the other."""
    floor = sorted((r for r in runs if not r.backchannel), key=lambda r: r.start)
    pieces: list[tuple[float, float, Run]] = []  # (start, end, the run that came in second)
    for i, a in enumerate(floor):
        for b in floor[i + 1 :]:
            if b.start >= a.end:
                break
            if b.speaker != a.speaker:
                pieces.append((b.start, min(a.end, b.end), b))
    events: list[list[tuple[float, float, Run]]] = []
    for piece in sorted(pieces, key=lambda p: p[0]):
        if events and piece[0] - max(p[1] for p in events[-1]) < settings.turn_pause:
            events[-1].append(piece)
        else:
            events.append([piece])
    markers = []
    total = 0.0
    for event in events:
        start, end = event[0][0], max(p[1] for p in event)
        talked = sum(p[1] - p[0] for p in event)
        if end - start < settings.overtalk_min:
            continue
        total += talked
        interrupter = event[0][2]
        words = [w.text for w in interrupter.words if w.start < end]
        markers.append(
            Marker(
                "overtalk",
                round(start, 3),
                round(end, 3),
                interrupter.speaker,
                _clip(f"Talks over the other side: {' '.join(words)}"),
            )
        )
    return markers, total


def _clip(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
