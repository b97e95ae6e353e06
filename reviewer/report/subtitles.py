"""SRT and WebVTT subtitles with speaker labels: one cue per sentence-sized piece of a turn
(at most about 7 seconds or two short lines), timed by the words."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from reviewer.report.data import CallReport

MAX_CUE_SECONDS = 7.0
MAX_CUE_CHARS = 84


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    speaker: str
    text: str


def cues(r: CallReport) -> list[Cue]:
    out: list[Cue] = []
    words = sorted(r.words, key=lambda w: w.start)
    starts = [w.start for w in words]
    for turn in r.turns:
        lo = bisect_left(starts, turn.start - 0.01)
        hi = bisect_right(starts, turn.end + 0.01)
        inside = [w for w in words[lo:hi] if w.speaker == turn.speaker]
        who = r.who(turn.speaker)
        if not inside:
            out.append(Cue(turn.start, max(turn.end, turn.start + 0.5), who, turn.text.strip()))
            continue
        piece: list = []
        for w in inside:
            text = " ".join(x.text.strip() for x in [*piece, w])
            too_long = piece and (w.end - piece[0].start > MAX_CUE_SECONDS or len(text) > MAX_CUE_CHARS)
            if too_long:
                out.append(_cue(piece, who))
                piece = []
            piece.append(w)
            if w.text.strip().endswith((".", "?", "!")) and w.end - piece[0].start > 2.0:
                out.append(_cue(piece, who))
                piece = []
        if piece:
            out.append(_cue(piece, who))
    out.sort(key=lambda c: (c.start, c.end))
    return out


def _cue(words: list, who: str) -> Cue:
    start, end = words[0].start, max(w.end for w in words)
    return Cue(start, max(end, start + 0.3), who, " ".join(w.text.strip() for w in words))


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_bytes(r: CallReport) -> bytes:
    blocks = []
    for i, c in enumerate(cues(r), 1):
        blocks.append(f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.speaker}: {c.text}\n")
    return "\n".join(blocks).encode("utf-8")


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_bytes(r: CallReport) -> bytes:
    lines = [
        "WEBVTT",
        "",
        "NOTE",
        f"{r.name}, exported by Reviewer"
        + (f" (redacted: {r.redaction_summary})" if r.redacted else "")
        + (f" ({r.edited_note})" if r.edits else ""),
        "",
    ]
    for i, c in enumerate(cues(r), 1):
        lines += [
            str(i),
            f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}",
            f"<v {_vtt_escape(c.speaker)}>{_vtt_escape(c.text)}",
            "",
        ]
    return "\n".join(lines).encode("utf-8")
