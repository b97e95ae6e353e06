"""Correcting what was said in a stored call: a span of its words reads as a coach typed it. The
edit is kept by time beside the words as heard (which stay as they were), and the call is
re-analysed on the edited words at once, so refusals, trackers, scores, search and every export
read the correction. Each operation returns what undoes it; an undo restores only what its own
change changed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reviewer.actions import review
from reviewer.actions.calls import reanalyse
from reviewer.analysis.turns import turn_at
from reviewer.errors import ReviewerError
from reviewer.labels import clock
from reviewer.library import Library
from reviewer.model import Transcript, TranscriptEdit, Word, WordsByTime
from reviewer.settings import Settings


@dataclass(frozen=True)
class TranscriptChange:
    """A change of a call's edits: the edits it removed (replaced by a wider one, or taken
    away) and the one it added, if any. Undoing it is the change the other way round."""

    call_id: int
    removed: tuple[TranscriptEdit, ...]
    added: tuple[TranscriptEdit, ...]

    @property
    def start(self) -> float:
        return min(e.start for e in self.removed + self.added)

    @property
    def end(self) -> float:
        return max(e.end for e in self.removed + self.added)


def _covered(words: list[Word], start: float, end: float, speaker: str | None) -> list[Word]:
    """The words whose middle lies in ``start``-``end`` (only ``speaker``'s, when given)."""
    low, high = start - 0.001, end + 0.001
    return [
        w for w in words if low <= (w.start + w.end) / 2 <= high and (speaker is None or w.speaker == speaker)
    ]


def _text(words: list[Word]) -> str:
    return " ".join(w.text.strip() for w in words if w.text.strip())


def _overlapping(
    edits: list[TranscriptEdit], start: float, end: float, speaker: str | None
) -> list[TranscriptEdit]:
    return [
        e
        for e in edits
        if e.start <= end + 0.001
        and e.end >= start - 0.001
        and (e.speaker is None or speaker is None or e.speaker == speaker)
    ]


def _swap(
    library: Library,
    call_id: int,
    t: Transcript,
    removed: list[TranscriptEdit],
    added: list[TranscriptEdit],
    settings: Settings,
) -> TranscriptChange:
    """Inside a write transaction: take ``removed`` away, store ``added``, re-analyse."""
    gone = library.delete_transcript_edits(call_id, [e.id for e in removed])
    if gone != len(removed):
        raise ReviewerError(
            f"Call #{call_id}'s transcript was changed meanwhile: that edit is no longer there."
        )
    stored = [library.add_transcript_edit(replace(e, call_id=call_id)) for e in added]
    kept = [e for e in t.edits if e.id not in {r.id for r in removed}]
    reanalyse(library, call_id, t.with_heard(t.heard_words, edits=kept + stored), {}, settings)
    return TranscriptChange(call_id, tuple(removed), tuple(stored))


def edit_transcript(
    library: Library,
    call_id: int,
    text: str,
    *,
    start: float,
    end: float | None = None,
    speaker: str | None = None,
    author: str = "",
    settings: Settings,
) -> TranscriptChange:
    """The words said between ``start`` and ``end`` (only ``speaker``'s, when given; without
    ``end``, the whole turn at ``start``) read as ``text`` (empty: they go), and the call is
    re-analysed, in one transaction. An edit overlapping earlier ones grows into one edit over
    them all (its text theirs, with this part replaced). Returns what undoes it."""
    short = " ".join(text.split())
    why = f"Transcript corrected at {clock(start)}: " + (f"“{short[:60]}”" if short else "words removed")
    with library.write(), review.changes_logged(library, call_id, "correct the transcript", why) as who:
        author = who or author or library.user
        library.touch_call(call_id)
        t = library.load_call(call_id).transcript
        if end is None:
            turn = turn_at(t.turns, start, near=0.5)
            if turn is None:
                raise ReviewerError(f"No one speaks at {clock(start)} in call #{call_id}.")
            start, end, speaker = turn.start, turn.end, turn.speaker
        elif end <= start:
            raise ReviewerError("The end of the words to edit must come after their start.")
        picked = _covered(t.words, start, end, speaker)
        if not picked:
            raise ReviewerError(
                f"Nothing to edit: no words between {clock(start)} and {clock(end)} in call #{call_id}."
            )
        a, b = min(w.start for w in picked), max(w.end for w in picked)
        merged = _overlapping(t.edits, a, b, speaker)
        a = min([a] + [e.start for e in merged])
        b = max([b] + [e.end for e in merged])
        around = [w for w in _covered(t.words, a, b, speaker) if w not in picked]
        before = [w for w in around if w.start < picked[0].start]
        after = [w for w in around if w not in before]
        new_text = " ".join(x for x in (_text(before), " ".join(text.split()), _text(after)) if x)
        heard = _covered(t.heard_words, a, b, speaker)
        if not heard:
            raise ReviewerError(
                f"Nothing to edit between {clock(start)} and {clock(end)} in call #{call_id}."
            )
        if new_text == _text(_covered(t.words, a, b, speaker)):
            raise ReviewerError("The transcript already says that there: nothing to change.")
        added: list[TranscriptEdit] = []
        if new_text != _text(heard) or not merged:  # typed back as heard: the edits just go
            added.append(
                TranscriptEdit(
                    0,
                    call_id,
                    int(round(a * 1000)),
                    int(round(b * 1000)),
                    new_text,
                    speaker,
                    author,
                    None,
                    _text(heard),
                    tuple(merged),
                )
            )
        return _swap(library, call_id, t, merged, added, settings)


def remove_edits(library: Library, call_id: int, ids: list[int], settings: Settings) -> TranscriptChange:
    """Take a call's edits away (the words read as heard again there); returns what undoes it."""
    why = f"Transcript corrections {', '.join(str(i) for i in ids)} taken back"
    with library.write(), review.changes_logged(library, call_id, "correct the transcript", why):
        library.touch_call(call_id)
        t = library.load_call(call_id).transcript
        by_id = {e.id: e for e in t.edits}
        missing = [i for i in ids if i not in by_id]
        if missing:
            have = ", ".join(str(e.id) for e in t.edits) or "none"
            raise ReviewerError(f"Call #{call_id} has no edit {missing[0]} (its edits: {have}).")
        return _swap(library, call_id, t, [by_id[i] for i in ids], [], settings)


def undo_change(library: Library, change: TranscriptChange, settings: Settings) -> TranscriptChange:
    """Undo a change of the edits: the one it added goes, the ones it removed come back. Returns
    the change the undo made (undoing that redoes the first)."""
    why = "A correction of the transcript undone or made again"
    with library.write(), review.changes_logged(library, change.call_id, "correct the transcript", why):
        library.touch_call(change.call_id)
        t = library.load_call(change.call_id).transcript
        return _swap(library, change.call_id, t, list(change.added), list(change.removed), settings)


def heard_under(transcript: Transcript, edit: TranscriptEdit, heard: WordsByTime | None = None) -> str:
    """What the speech recogniser heard under ``edit`` now (the words it replaces); ``heard``:
    the transcript's words as heard, by time, where the caller asks about many edits."""
    heard = heard or WordsByTime(transcript.heard_words)
    return _text([heard.words[i] for i in heard.replaced_by(edit)])


def undo_last(library: Library, call_id: int, settings: Settings) -> TranscriptChange:
    """Take back a call's latest edit: the earlier edits it grew over come back (``--undo``)."""
    edits = library.transcript_edits(call_id)
    if not edits:
        raise ReviewerError(f"Call #{call_id} has no edits of its transcript to undo.")
    last = max(edits, key=lambda e: (e.created_at or "", e.id))
    return undo_change(library, TranscriptChange(call_id, last.replaced, (last,)), settings)
