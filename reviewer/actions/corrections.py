"""Correcting a stored call: roles and names, who said what, a coach's refusal labels, and the
call's reason and its requests' outcomes. Each
operation re-analyses the call in the same transaction and returns what undoes it; an undo restores
only what its own change changed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reviewer.actions import review
from reviewer.actions.calls import reanalyse
from reviewer.analysis.refusals import labels_on
from reviewer.analysis.roles import swap_roles as swapped_roles
from reviewer.analysis.turns import turn_at
from reviewer.errors import ReviewerError
from reviewer.labels import OUTCOME_NAMES, clock
from reviewer.library import Library
from reviewer.model import (
    GlanceCorrection,
    RefusalLabel,
    Speaker,
    Transcript,
    Turn,
)
from reviewer.settings import Settings


@dataclass(frozen=True)
class SpeechChange:
    """A correction of who said what, with what undoing it needs: the moved words' speakers
    before it and the speaker it added, if any (never the whole list of speakers, so an undo
    keeps the roles and names set after it)."""

    call_id: int
    word_speakers: dict[int, str]  # each moved word's id → its speaker before
    added: str | None  # the label of the speaker it added for a voice diarization missed
    start: float
    end: float
    speaker: str  # who the words went to

    @property
    def words(self) -> int:
        return len(self.word_speakers)


@dataclass(frozen=True)
class SpeakerChange:
    """A change of roles or names: each speaker it changed, as before and as after (undo puts
    back ``before`` on those speakers only; redo, ``after``)."""

    call_id: int
    before: tuple[Speaker, ...]
    after: tuple[Speaker, ...]


@dataclass(frozen=True)
class RefusalLabelChange:
    """A coach's label on one agent turn, with the labels it replaced (for undo)."""

    call_id: int
    turn: Turn
    before: list[RefusalLabel]
    after: RefusalLabel | None


def speaker_display(s: Speaker) -> str:
    """S2 (customer, Dana): how a speaker is named in messages."""
    details = ", ".join(x for x in (s.role if s.role != "unknown" else "", s.name) if x)
    return f"{s.id} ({details})" if details else s.id


def next_label(speakers: list[Speaker]) -> str:
    numbers = [int(s.id[1:]) for s in speakers if s.id[1:].isdigit()]
    return f"S{max(numbers, default=0) + 1}"


def _new_speaker(label: str, speakers: list[Speaker]) -> Speaker:
    """A voice diarization missed: with one party's role known, the other one."""
    roles = {s.role for s in speakers}
    role = "unknown"
    if "agent" in roles and "customer" not in roles:
        role = "customer"
    elif "customer" in roles and "agent" not in roles:
        role = "agent"
    return Speaker(label, role)


def _moved(t: Transcript, ids: list[int], moved: dict[int, str], speakers: list[Speaker]) -> Transcript:
    """``t`` with the words as heard whose id (``ids`` in word order) is in ``moved`` given to
    their new speaker (a coach's edits of what was said follow them), and ``speakers`` as the
    call's speakers."""
    heard = t.heard_words
    words = [replace(w, speaker=moved[i]) if i in moved else w for i, w in zip(ids, heard, strict=True)]
    return t.with_heard(words, speakers=speakers)


def set_speakers(
    library: Library, call_id: int, speakers: list[Speaker], settings: Settings
) -> SpeakerChange:
    """Store corrected roles or names and re-analyse the call with them, atomically. Returns
    what changed (for undo)."""
    with library.write():
        library.touch_call(call_id)
        t = library.load_call(call_id).transcript
        before = {s.id: s for s in t.speakers}
        changed = [s for s in speakers if s.id in before and s != before[s.id]]
        reanalyse(library, call_id, replace(t, speakers=speakers), {}, settings)
        return SpeakerChange(call_id, tuple(before[s.id] for s in changed), tuple(changed))


def restore_speakers(
    library: Library, change: SpeakerChange, settings: Settings, *, undo: bool = True
) -> None:
    """Undo (or, with ``undo=False``, redo) a change of roles or names: the role and name of
    each speaker it changed, as before it (after it); every other speaker as it is now."""
    wanted = {s.id: s for s in (change.before if undo else change.after)}
    with library.write():
        library.touch_call(change.call_id)
        t = library.load_call(change.call_id).transcript
        speakers = [
            replace(s, role=wanted[s.id].role, name=wanted[s.id].name) if s.id in wanted else s
            for s in t.speakers
        ]
        reanalyse(library, change.call_id, replace(t, speakers=speakers), {}, settings)


def swap_roles(library: Library, call_id: int, settings: Settings) -> SpeakerChange:
    with library.write():
        library.call_row(call_id)  # a clear error for a call that is not there
        speakers = swapped_roles(library.speakers(call_id))
        return set_speakers(library, call_id, speakers, settings)


def rename_speaker(
    library: Library,
    call_id: int,
    label: str,
    *,
    name: str | None = None,
    role: str | None = None,
    settings: Settings,
) -> SpeakerChange:
    library.call_row(call_id)  # a clear error for a call that is not there
    speakers = library.speakers(call_id)
    if label not in {s.id for s in speakers}:
        raise ReviewerError(
            f"Call #{call_id} has no speaker {label} (it has {', '.join(s.id for s in speakers)})."
        )
    if role is not None and role not in ("agent", "customer", "unknown"):
        raise ReviewerError(f"Unknown role {role!r}: use agent, customer or unknown.")
    updated = []
    for s in speakers:
        if s.id == label:
            s = replace(s, name=s.name if name is None else name, role=s.role if role is None else role)
        elif role == "agent" and s.role == "agent":
            s = replace(s, role="customer")  # one agent per call
        updated.append(s)
    return set_speakers(library, call_id, updated, settings)


def speaker_ref(library: Library, call_id: int, ref: str) -> str:
    """The label of a call's speaker named by label (S2), role (customer) or name; a label
    one past the call's last (S3 on a call with S1 and S2) names a new speaker."""
    library.call_row(call_id)  # a clear error for a call that is not there
    speakers = library.speakers(call_id)
    text = ref.strip()
    for field in ("id", "role", "name"):
        found = [s.id for s in speakers if str(getattr(s, field)).casefold() == text.casefold()]
        if len(found) == 1:
            return found[0]
    new = next_label(speakers)
    if text.upper() == new:
        return new
    names = ", ".join(speaker_display(s) for s in speakers)
    raise ReviewerError(f"Call #{call_id} has no speaker {ref!r}: it has {names}; {new} would be a new one.")


def reassign_speech(
    library: Library,
    call_id: int,
    speaker: str,
    *,
    start: float,
    end: float | None = None,
    only_from: str | None = None,
    settings: Settings,
) -> SpeechChange:
    """Correct who said what: the words whose middle lies between ``start`` and ``end`` (only
    ``only_from``'s, when given; without ``end``, the words of another speaker's turn at
    ``start``) become ``speaker``'s (a label of the call, or the next new label for a voice
    diarization missed), and the call is re-analysed, all in one transaction. Returns what
    to restore to undo it."""
    with library.write():
        library.touch_call(call_id)
        t = library.load_call(call_id).transcript
        before = list(t.speakers)
        labels = [s.id for s in before]
        if speaker not in labels and speaker != next_label(before):
            raise ReviewerError(f"Call #{call_id} has no speaker {speaker}.")
        if end is None:
            turn = turn_at(t.turns, start, not_by=speaker, near=0.5)
            if turn is None:
                raise ReviewerError(
                    f"No one but {speaker} speaks at {clock(start)} in call #{call_id}; "
                    "give a range with --to to move a stretch of speech."
                )
            start, end, only_from = turn.start, turn.end, turn.speaker
        elif end <= start:
            raise ReviewerError("The end of the stretch must come after its start.")
        ids = library.word_ids(call_id)
        low, high = start - 0.001, end + 0.001
        previous = {
            word_id: w.speaker
            for word_id, w in zip(ids, t.heard_words, strict=True)
            if low <= (w.start + w.end) / 2 <= high
            and w.speaker != speaker
            and (only_from is None or w.speaker == only_from)
        }
        if not previous:
            raise ReviewerError(
                f"Nothing to change: no words of another speaker between {clock(start)} and "
                f"{clock(end)} in call #{call_id}."
            )
        added = None if speaker in labels else speaker
        after = before if added is None else before + [_new_speaker(speaker, before)]
        moved = dict.fromkeys(previous, speaker)
        reanalyse(library, call_id, _moved(t, ids, moved, after), moved, settings)
        return SpeechChange(call_id, previous, added, start, end, speaker)


def restore_speech(library: Library, change: SpeechChange, settings: Settings) -> None:
    """Undo ``reassign_speech``: the words it moved (those still with the speaker it gave
    them to) go back to whoever said them before; a speaker it added goes once no words are
    left with it. Roles and names stay as they are now."""
    with library.write():
        library.touch_call(change.call_id)
        t = library.load_call(change.call_id).transcript
        ids = library.word_ids(change.call_id)
        now_with = dict(zip(ids, (w.speaker for w in t.heard_words), strict=True))
        back = {i: was for i, was in change.word_speakers.items() if now_with.get(i) == change.speaker}
        left = {now_with[i] for i in now_with if i not in back}
        speakers = [s for s in t.speakers if s.id != change.added or s.id in left]
        reanalyse(library, change.call_id, _moved(t, ids, back, speakers), back, settings)


# -- refusal labels ---------------------------------------------------------------------


def label_refusal(
    library: Library,
    call_id: int,
    at: float,
    is_refusal: bool | None,
    *,
    settings: Settings,
    author: str = "",
) -> RefusalLabelChange:
    """A coach's word on the agent turn at ``at``: a refusal (True), not one (False), or the
    model decides again (None). The call is re-analysed at once; returns what undoes it."""
    said = {True: "a refusal", False: "not a refusal", None: "for the model to judge"}[is_refusal]
    why = f"The agent's turn at {clock(at)} labelled {said}"
    with library.write(), review.changes_logged(library, call_id, "label refusals", why):
        library.touch_call(call_id)
        t = library.load_call(call_id).transcript
        agents = {s.id for s in t.speakers if s.role == "agent"}
        turn = turn_at(t.turns, at, speakers=agents, near=0.5)
        if turn is None:
            raise ReviewerError(
                f"The agent is not speaking at {clock(at)} in call #{call_id}; "
                "give a moment inside one of the agent's turns."
            )
        before = labels_on(turn, t.refusal_labels)
        after = None if is_refusal is None else RefusalLabel(turn.start, turn.end, is_refusal, author)
        library.replace_refusal_labels(call_id, turn.start, turn.end, [after] if after else [])
        labels = [lab for lab in t.refusal_labels if lab not in before] + ([after] if after else [])
        reanalyse(library, call_id, replace(t, refusal_labels=labels), {}, settings)
        return RefusalLabelChange(call_id, turn, before, after)


def restore_refusal_label(library: Library, change: RefusalLabelChange, settings: Settings) -> None:
    """Undo ``label_refusal``: the labels on that turn as they were."""
    why = f"The label on the agent's turn at {clock(change.turn.start)} undone"
    with library.write(), review.changes_logged(library, change.call_id, "label refusals", why):
        library.touch_call(change.call_id)
        t = library.load_call(change.call_id).transcript
        library.replace_refusal_labels(change.call_id, change.turn.start, change.turn.end, change.before)
        t = replace(t, refusal_labels=library.refusal_labels(change.call_id))
        reanalyse(library, change.call_id, t, {}, settings)


# -- the call at a glance ---------------------------------------------------------------


@dataclass(frozen=True)
class GlanceChange:
    """A coach's correction of the reason (``request_start`` None) or of one request's outcome,
    with the correction it replaced (None: the analysis's judgement), for undo."""

    call_id: int
    request_start: float | None
    before: GlanceCorrection | None
    after: GlanceCorrection | None


def correct_glance(
    library: Library,
    call_id: int,
    request_start: float | None,
    value: str | None,
    *,
    settings: Settings,
    label: str = "",
    author: str = "",
) -> GlanceChange:
    """A coach's word on why the customer called (``request_start`` None: ``value`` a reason's
    name, ``label`` its label) or on how the request made at ``request_start`` ended (``value``
    an outcome); None lets the analysis judge again. Kept by the library, it outlives
    re-analysis; the call is re-analysed at once. Returns what undoes it."""
    if request_start is not None and value is not None and value not in OUTCOME_NAMES:
        raise ReviewerError(f"Unknown outcome {value!r}: use one of {', '.join(OUTCOME_NAMES)}.")
    what = "reason" if request_start is None else f"outcome of the request at {clock(request_start)}"
    why = f"The call's {what} " + (f"corrected: {label or value}" if value is not None else "judged again")
    doing = "correct a call's reason or outcome"
    with library.write(), review.changes_logged(library, call_id, doing, why) as who:
        author = who or author or library.user
        library.touch_call(call_id)
        stored = library.load_call(call_id)
        if request_start is not None:
            asked = next((o for o in stored.outcomes if abs(o.start - request_start) <= 0.1), None)
            if asked is None:
                raise ReviewerError(
                    f"The customer made no request at {clock(request_start)} in call #{call_id}."
                )
            request_start = asked.start
        before = next(
            (
                c
                for c in library.glance_corrections(call_id)
                if (c.request_start is None) == (request_start is None)
                and (request_start is None or abs((c.request_start or 0.0) - request_start) <= 0.1)
            ),
            None,
        )
        after = None if value is None else GlanceCorrection(request_start, value, label or value, author)
        _set_glance_correction(library, call_id, request_start, after, settings)
        return GlanceChange(call_id, request_start, before, after)


def restore_glance(library: Library, change: GlanceChange, settings: Settings, *, undo: bool = True) -> None:
    """Undo ``correct_glance`` (the correction it replaced, or the analysis's judgement, back);
    with ``undo=False``, make it again."""
    why = "A correction of the call's reason or outcome " + ("undone" if undo else "made again")
    doing = "correct a call's reason or outcome"
    with library.write(), review.changes_logged(library, change.call_id, doing, why):
        library.touch_call(change.call_id)
        wanted = change.before if undo else change.after
        _set_glance_correction(library, change.call_id, change.request_start, wanted, settings)


def _set_glance_correction(
    library: Library,
    call_id: int,
    request_start: float | None,
    correction: GlanceCorrection | None,
    settings: Settings,
) -> None:
    library.replace_glance_correction(call_id, request_start, correction)
    reanalyse(library, call_id, library.load_call(call_id).transcript, {}, settings)
