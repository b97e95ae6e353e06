"""Corrections of the call under review, each an undoable command: who said what, swapped roles,
a speaker's name or role, a coach's refusal labels, and what was said. Every change is made in the library
first (so one it refuses never lands on the undo stack); undo restores only what it changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication

from reviewer import actions
from reviewer.actions.corrections import GlanceChange, RefusalLabelChange, SpeakerChange, SpeechChange
from reviewer.actions.edits import TranscriptChange
from reviewer.errors import ReviewerError
from reviewer.library.store import ConflictError, Library, StoredCall
from reviewer.model import Turn
from reviewer.settings import Settings
from reviewer.ui.style import clock, speaker_label
from reviewer.ui.transcript import Speech
from reviewer.ui.undo import LibraryCommand


class _CallCommand(LibraryCommand):
    """A change of the call under review (see :class:`LibraryCommand`); undo and redo go through
    :meth:`CorrectionsController.correct`, on the library thread, which says what went wrong if
    the library cannot make them."""

    def __init__(self, corrections: CorrectionsController, text: str) -> None:
        super().__init__(text)
        self.corrections = corrections

    def _stack(self) -> QUndoStack:
        return self.corrections.undo_stack

    def _replay(self, work: Callable[[Library], Any], *, undone: bool) -> None:
        self.corrections.correct(work, failed=lambda: self._leave(undone=undone))


class ReassignSpeech(_CallCommand):
    """A correction of who said what; undo gives the moved words back to whoever said them
    before (roles and names set since stay), redo makes it again."""

    def __init__(
        self, corrections: CorrectionsController, change: SpeechChange, speech: Speech, text: str
    ) -> None:
        super().__init__(corrections, text)
        self.change, self.speech = change, speech

    def _redo(self, library: Library) -> None:
        self.change = actions.corrections.reassign_speech(
            library,
            self.change.call_id,
            self.change.speaker,
            start=self.speech.start,
            end=self.speech.end,
            only_from=self.speech.speaker,
            settings=self.corrections.settings,
        )

    def _undo(self, library: Library) -> None:
        actions.corrections.restore_speech(library, self.change, self.corrections.settings)


class ChangeSpeakers(_CallCommand):
    """Swapped roles, or a speaker renamed or given another role; undo puts back the roles and
    names of the speakers it changed, and only those."""

    def __init__(self, corrections: CorrectionsController, change: SpeakerChange, text: str) -> None:
        super().__init__(corrections, text)
        self.change = change

    def _redo(self, library: Library) -> None:
        actions.corrections.restore_speakers(library, self.change, self.corrections.settings, undo=False)

    def _undo(self, library: Library) -> None:
        actions.corrections.restore_speakers(library, self.change, self.corrections.settings)


class LabelRefusal(_CallCommand):
    """A coach's word on whether an agent turn is a refusal; undo puts back the labels that turn
    had, redo says it again."""

    def __init__(self, corrections: CorrectionsController, change: RefusalLabelChange, text: str) -> None:
        super().__init__(corrections, text)
        self.change = change

    def _redo(self, library: Library) -> None:
        c = self.change
        at = (c.turn.start + c.turn.end) / 2
        value = None if c.after is None else c.after.is_refusal
        author = c.after.author if c.after else ""
        self.change = actions.corrections.label_refusal(
            library, c.call_id, at, value, settings=self.corrections.settings, author=author
        )

    def _undo(self, library: Library) -> None:
        actions.corrections.restore_refusal_label(library, self.change, self.corrections.settings)


class EditTranscript(_CallCommand):
    """A correction of what was said; undo puts back the words as they read before it (the
    words as heard, or the earlier corrections it grew over), redo makes it again."""

    def __init__(self, corrections: CorrectionsController, change: TranscriptChange, text: str) -> None:
        super().__init__(corrections, text)
        self.change = change

    def _redo(self, library: Library) -> None:
        self.change = actions.edits.undo_change(library, self.change, self.corrections.settings)

    def _undo(self, library: Library) -> None:
        self.change = actions.edits.undo_change(library, self.change, self.corrections.settings)


class CorrectGlance(_CallCommand):
    """A coach's word on the call's reason or a request's outcome; undo puts back what stood
    before (an earlier correction, or the analysis's judgement), redo says it again."""

    def __init__(self, corrections: CorrectionsController, change: GlanceChange, text: str) -> None:
        super().__init__(corrections, text)
        self.change = change

    def _redo(self, library: Library) -> None:
        actions.corrections.restore_glance(library, self.change, self.corrections.settings, undo=False)

    def _undo(self, library: Library) -> None:
        actions.corrections.restore_glance(library, self.change, self.corrections.settings)


class CorrectionsController(QObject):
    """Makes the corrections of the call under review and pushes their commands on the undo
    stack. What it is given: the settings, the undo stack, the call under review (a getter),
    ``change(call_id, work, made, failed)`` to run ``work(library)`` on the library thread and
    show the call as the library then holds it (``made(result)`` after, ``failed(error)``
    instead), ``shown_again(call_id)`` to show the call as the library now holds it, the author
    of a coach's refusal label (a getter) and ``warn(text)`` to say what went wrong."""

    def __init__(
        self,
        *,
        settings: Settings,
        undo_stack: QUndoStack,
        call: Callable[[], StoredCall | None],
        change: Callable[..., None],
        shown_again: Callable[[int], None],
        author: Callable[[], str],
        warn: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.undo_stack = undo_stack
        self._call = call
        self._change = change
        self._shown_again = shown_again
        self._author = author
        self._warn = warn
        self.pending = 0  # corrections on their way to the library

    def _call_id(self) -> int | None:
        call = self._call()
        return call.id if call is not None else None

    def correct(
        self,
        work: Callable[[Library], object],
        made: Callable[[Any], None] | None = None,
        failed: Callable[[], None] | None = None,
    ) -> bool:
        """Make a change of the call under review in the library (``work(library)``, on the
        library thread) under the wait cursor, then show the call as the library holds it and
        call ``made(result)``. Whatever goes wrong (the library locked by another program, a disk
        error) is said in a message and ``failed()`` is called; the cursor always comes back.
        Returns whether the change was asked for (there is a call under review)."""
        call_id = self._call_id()
        if call_id is None:
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.pending += 1

        def done(result: Any) -> None:
            self.pending -= 1
            QApplication.restoreOverrideCursor()
            if made is not None and self._call_id() == call_id:  # not onto another call's stack
                made(result)

        def wrong(error: BaseException) -> None:
            self.pending -= 1
            QApplication.restoreOverrideCursor()
            if isinstance(error, ConflictError):
                self._shown_again(call_id)  # someone else's change: show the call as it is now
            text = (
                str(error) if isinstance(error, ReviewerError) else f"The change could not be made: {error}."
            )
            self._warn(text)
            if failed is not None:
                failed()

        self._change(call_id, work, done, wrong)
        return True

    def swap_roles(self) -> None:
        """Agent becomes customer and customer agent (undoable); every figure follows."""
        call_id = self._call_id()
        if call_id is None:
            return

        def made(change: SpeakerChange) -> None:
            if change.after:
                self.undo_stack.push(ChangeSpeakers(self, change, "Swap roles"))

        self.correct(lambda library: actions.corrections.swap_roles(library, call_id, self.settings), made)

    def set_speaker(self, label: str, name: str, role: str) -> bool:
        """Name a speaker or change their role (undoable); every figure follows."""
        call_id = self._call_id()
        if call_id is None:
            return False

        def made(change: SpeakerChange) -> None:
            if change.after:
                self.undo_stack.push(ChangeSpeakers(self, change, f"Name or role of {label}"))

        return self.correct(
            lambda library: actions.corrections.rename_speaker(
                library, call_id, label, name=name, role=role, settings=self.settings
            ),
            made,
        )

    def reassign(self, speech: Speech, speaker: str) -> bool:
        """Give the picked speech to ``speaker`` (undoable); the whole review follows."""
        call_id = self._call_id()
        if call_id is None:
            return False

        def made(change: SpeechChange) -> None:
            call = self._call()
            speakers = call.transcript.speakers if call is not None and call.id == call_id else []
            who = next((s for s in speakers if s.id == speaker), None)
            label = speaker_label(who) if who is not None else speaker
            self.undo_stack.push(ReassignSpeech(self, change, speech, f"Said by {label}"))

        return self.correct(
            lambda library: actions.corrections.reassign_speech(
                library,
                call_id,
                speaker,
                start=speech.start,
                end=speech.end,
                only_from=speech.speaker,
                settings=self.settings,
            ),
            made,
        )

    def label_refusal(self, turn: Turn, is_refusal: bool | None) -> bool:
        """The coach's word on ``turn`` (undoable); metrics, markers and the library row follow."""
        call_id = self._call_id()
        if call_id is None:
            return False
        author = self._author()
        text = {True: "Mark as refusal", False: "Mark as not a refusal", None: "Let Reviewer judge"}[
            is_refusal
        ]

        def made(change: RefusalLabelChange) -> None:
            self.undo_stack.push(LabelRefusal(self, change, f"{text} ({clock(turn.start)})"))

        return self.correct(
            lambda library: actions.corrections.label_refusal(
                library,
                call_id,
                (turn.start + turn.end) / 2,
                is_refusal,
                settings=self.settings,
                author=author,
            ),
            made,
        )

    def edit_words(self, speech: Speech, text: str) -> bool:
        """The picked words now say ``text`` (undoable); refusals, trackers, scores and search
        follow at once."""
        call_id = self._call_id()
        if call_id is None:
            return False
        author = self._author()
        short = " ".join(text.split())
        short = short if len(short) <= 30 else short[:29] + "…"

        def made(change: TranscriptChange) -> None:
            what = f"“{short}”" if short else "words removed"
            self.undo_stack.push(
                EditTranscript(self, change, f"Correct the transcript at {clock(speech.start)}: {what}")
            )

        return self.correct(
            lambda library: actions.edits.edit_transcript(
                library,
                call_id,
                text,
                start=speech.start,
                end=speech.end,
                speaker=speech.speaker,
                author=author,
                settings=self.settings,
            ),
            made,
        )

    def correct_glance(self, request_start: float | None, value: str | None, label: str = "") -> bool:
        """The coach's word on the call's reason (``request_start`` None) or on how the request
        made at ``request_start`` ended (undoable); None lets Reviewer judge again."""
        call_id = self._call_id()
        if call_id is None:
            return False
        author = self._author()
        what = "Reason" if request_start is None else f"Outcome ({clock(request_start)})"
        text = f"{what}: {label or value}" if value is not None else f"{what}: let Reviewer judge"

        def made(change: GlanceChange) -> None:
            self.undo_stack.push(CorrectGlance(self, change, text))

        return self.correct(
            lambda library: actions.corrections.correct_glance(
                library, call_id, request_start, value, settings=self.settings, label=label, author=author
            ),
            made,
        )
