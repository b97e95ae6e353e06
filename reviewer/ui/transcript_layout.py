"""A call's transcript laid out for the review page's view, in plain data (no Qt), so that it is
made on the library thread: each turn's header, its findings' tags and its words in runs by how
they are drawn (spoken during overtalk, corrected by a coach), where each word lies, and what
hovering over a turn or a corrected word says."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reviewer.actions.edits import heard_under
from reviewer.labels import clock, speaker_label
from reviewer.model import Marker, TrackerHit, Transcript, TranscriptEdit, Turn, Word, WordsByTime

OVERTALK, EDITED = 1, 2  # a run of words' flags: spoken during overtalk, corrected by a coach
TAG_KINDS = ("refusal", "long_monologue", "overtalk", "tracker")  # in the order a header lists them


@dataclass(frozen=True)
class Speech:
    """Words picked in the transcript: from ``start`` to ``end`` (seconds), all ``speaker``'s
    when they lie in one turn (None when the pick spans several speakers' turns)."""

    start: float
    end: float
    speaker: str | None
    words: int


@dataclass(frozen=True)
class TranscriptLayout:
    """A transcript as the view shows it, in plain data (no Qt), so that it can be made off the
    UI thread: each turn's block as its header ("0:12  Agent Ana: "), the speaker's role (the
    header's colour), its text in runs of (text, flags: ``OVERTALK`` underlined, ``EDITED`` in
    the edited colour) and its findings' tags (text, kind); for each word its character
    positions, start time, span (seconds) and turn; and what hovering says: per turn, its
    findings; per corrected word, what was heard there."""

    blocks: list[tuple[str, str, list[tuple[str, int]], list[tuple[str, str]]]]
    word_starts: list[int]
    word_ends: list[int]
    word_times: list[float]
    word_spans: list[tuple[float, float]]
    word_turns: list[int]  # an index into ``turns``
    turns: list[Turn]
    word_time_order: list[int]  # word indices sorted by time
    times_sorted: list[float]
    turn_notes: list[str] = field(default_factory=list)  # per turn: its findings, for hovering
    word_notes: dict[int, str] = field(default_factory=dict)  # per corrected word: by whom, heard what


def _tag(m: Marker) -> tuple[str, str]:
    if m.kind == "refusal":
        sure = f" {m.confidence:.0%}" if m.confidence is not None else ""
        return f"▼ push-back{sure}", "refusal"
    if m.kind == "long_monologue":
        return "■ long stretch", "long_monologue"
    return "≈ overtalk", "overtalk"


def _marker_note(m: Marker) -> str:
    if m.kind == "refusal":
        kind = f" ({m.category})" if m.category else ""
        sure = f", {m.confidence:.0%} confidence" if m.confidence is not None else ""
        asked = (
            f" after the customer asked to {m.request} at {clock(m.request_start)}"
            if m.request and m.request_start is not None
            else ""
        )
        return f"Push-back{kind}{sure}{asked}."
    if m.kind == "long_monologue":
        return f"Long stretch without a reply: {clock(m.start)}–{clock(m.end)} ({m.end - m.start:.0f} s)."
    return f"Overtalk {clock(m.start)}–{clock(m.end)}: talks over the other side."


def _findings(
    turn: Turn, markers: Sequence[Marker], hits: Sequence[TrackerHit]
) -> tuple[list[tuple[str, str]], str]:
    """A turn's tags (text, kind) and what hovering over it says: the markers of its speaker
    that overlap it (a push-back is its own turn's) and the tracker hits said in it."""
    tags: list[tuple[str, str]] = []
    notes: list[str] = []
    for m in markers:
        if m.kind not in TAG_KINDS or m.speaker != turn.speaker:
            continue
        if m.kind == "refusal":
            mine = abs(m.start - turn.start) < 0.05 and abs(m.end - turn.end) < 0.05
        else:
            mine = m.start < turn.end and turn.start < m.end
        if mine and (_tag(m)[1] not in {k for _, k in tags}):
            tags.append(_tag(m))
            notes.append(_marker_note(m))
    for h in hits:
        if h.speaker == turn.speaker and turn.start - 0.05 <= h.start <= turn.end + 0.05:
            tags.append((f"● {h.tracker}", "tracker"))
            notes.append(f"Tracker “{h.tracker}”: said “{h.phrase}” at {clock(h.start)}.")
    tags.sort(key=lambda tag: TAG_KINDS.index(tag[1]))
    return tags, "\n".join(notes)


def _edit_notes(transcript: Transcript) -> Callable[[Word], str]:
    """What hovering over a word says where a coach corrected it ("" for a word as heard)."""
    if not transcript.edits:
        return lambda w: ""
    heard = Counter((w.start, w.end, w.text, w.speaker) for w in transcript.heard_words)
    by_time = WordsByTime(transcript.heard_words)
    said: dict[int, str] = {}

    def note_of(edit: TranscriptEdit) -> str:
        if edit.id not in said:
            who = f" by {edit.author}" if edit.author else ""
            when = f" on {edit.created_at[:16].replace('T', ' ')}" if edit.created_at else ""
            said[edit.id] = f"Corrected{who}{when}. Heard: “{heard_under(transcript, edit, by_time)}”"
        return said[edit.id]

    def note(w: Word) -> str:
        if heard[(w.start, w.end, w.text, w.speaker)]:
            return ""
        edit = next(
            (e for e in transcript.edits if e.covers(w) and e.speaker in (None, w.speaker)),
            next((e for e in transcript.edits if e.covers(w)), None),
        )
        return note_of(edit) if edit is not None else "Corrected by a coach."

    return note


def layout_transcript(
    transcript: Transcript,
    overtalk: Sequence[tuple[float, float]] = (),
    markers: Sequence[Marker] = (),
    hits: Sequence[TrackerHit] = (),
) -> TranscriptLayout:
    """Lay out turns: a header with the time, who spoke and the tags of the turn's findings
    (``markers``, tracker ``hits``), then the turn's words; words whose middle falls in one of
    the ``overtalk`` spans (start, end) are underlined, and neighbouring underlined words join
    into one stroke; words a coach corrected are in the edited colour. Plain Python: safe on any
    thread."""
    by_id = {s.id: s for s in transcript.speakers}
    inside = _within(overtalk)
    edited_note = _edit_notes(transcript)
    word_notes: dict[int, str] = {}
    turn_notes: list[str] = []
    blocks: list[tuple[str, str, list[tuple[str, int]], list[tuple[str, str]]]] = []
    starts: list[int] = []
    ends: list[int] = []
    times: list[float] = []
    spans: list[tuple[float, float]] = []
    word_turns: list[int] = []
    words_by_speaker: dict[str, list] = {}
    for w in transcript.words:
        words_by_speaker.setdefault(w.speaker, []).append(w)
    cursor_by_speaker = dict.fromkeys(words_by_speaker, 0)
    pos = 0
    for turn_index, turn in enumerate(transcript.turns):
        speaker = by_id.get(turn.speaker)
        label = speaker_label(speaker) if speaker else turn.speaker
        if turn_index:
            pos += 1  # the block separator
        tags, finding = _findings(turn, markers, hits) if markers or hits else ([], "")
        tags = [(t + "  ", kind) for t, kind in tags]
        head = f"{clock(turn.start)}  {label}: "
        pos += len(head) + sum(len(t) for t, _ in tags)
        turn_notes.append(finding)
        words = words_by_speaker.get(turn.speaker, [])
        i = cursor_by_speaker.get(turn.speaker, 0)
        runs: list[tuple[list[str], int]] = []  # words joined by spaces, with their flags
        while i < len(words) and words[i].start <= turn.end + 0.01:
            w = words[i]
            i += 1
            if w.start < turn.start - 0.01:
                continue
            token = w.text.strip()
            if not token:
                continue
            note = edited_note(w)
            flags = (OVERTALK if inside((w.start + w.end) / 2) else 0) | (EDITED if note else 0)
            if note:
                word_notes[len(starts)] = note
            if runs:
                pos += 1
                if runs[-1][1] == flags:
                    runs[-1][0].append(token)
                else:  # the space between two kinds of run is plain
                    runs.append(([token], flags))
            else:
                runs.append(([token], flags))
            starts.append(pos)
            pos += len(token)
            ends.append(pos)
            times.append(w.start)
            spans.append((w.start, w.end))
            word_turns.append(turn_index)
        cursor_by_speaker[turn.speaker] = i
        pieces: list[tuple[str, int]] = []
        for n, (tokens, flags) in enumerate(runs):
            for text, f in ([(" ", 0)] if n else []) + [(" ".join(tokens), flags)]:
                if pieces and pieces[-1][1] == f:
                    pieces[-1] = (pieces[-1][0] + text, f)
                else:
                    pieces.append((text, f))
        if not pieces:  # a turn whose words were not found: show its text
            pieces = [(turn.text, 0)]
            pos += len(turn.text)
        blocks.append((head, speaker.role if speaker else "unknown", pieces, tags))
    order = sorted(range(len(times)), key=times.__getitem__)
    return TranscriptLayout(
        blocks,
        starts,
        ends,
        times,
        spans,
        word_turns,
        list(transcript.turns),
        order,
        [times[i] for i in order],
        turn_notes,
        word_notes,
    )


def _within(spans: Sequence[tuple[float, float]]) -> Callable[[float], bool]:
    """A test of whether a time lies in any of ``spans``: their union, searched by bisection,
    so a long call with many overtalk spans loads without a words-by-spans scan."""
    union: list[list[float]] = []
    for a, b in sorted(spans):
        if union and a <= union[-1][1]:
            union[-1][1] = max(union[-1][1], b)
        else:
            union.append([a, b])
    starts = [a for a, _ in union]

    def inside(t: float) -> bool:
        k = bisect.bisect_right(starts, t) - 1
        return k >= 0 and t <= union[k][1]

    return inside
