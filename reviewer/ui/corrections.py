"""Corrections of the call under review, each an undoable command: who said what, swapped roles,
a speaker's name or role, and a coach's refusal labels. Every change is made in the library
first (so one it refuses never lands on the undo stack); undo restores only what it changed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication

from reviewer import actions
from reviewer.actions.corrections import RefusalLabelChange, SpeakerChange, SpeechChange
from reviewer.errors import ReviewerError
from reviewer.library.store import ConflictError, Library, StoredCall
from reviewer.model import Turn
from reviewer.settings import Settings
from reviewer.ui.style import clock, speaker_label
from reviewer.ui.transcript import Speech


class _CallCommand(QUndoCommand):
    """A change of the call under review, already made in the library when it is pushed (so a
    change the library refused never lands on the stack). Undo and redo go through
    :meth:`CorrectionsController.correct`, which says what went wrong if the library cannot make
    them; the command then leaves the stack."""

    def __init__(self, corrections: CorrectionsController, text: str) -> None:
        super().__init__(text)
        self.corrections = corrections
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        if not self.corrections.correct(self._redo):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.corrections.correct(self._undo):
            self.setObsolete(True)

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


class ReassignSpeech(_CallCommand):
    """A correction of who said what; undo gives the moved words back to whoever said them
    before (roles and names set since stay), redo makes it again."""

    def __init__(
        self, corrections: CorrectionsController, change: SpeechChange, speech: Speech, text: str
    ) -> None:
        super().__init__(corrections, text)
        self.change, self.speech = change, speech

    def _redo(self) -> None:
        self.change = actions.corrections.reassign_speech(
            self.corrections.library,
            self.change.call_id,
            self.change.speaker,
            start=self.speech.start,
            end=self.speech.end,
            only_from=self.speech.speaker,
            settings=self.corrections.settings,
        )

    def _undo(self) -> None:
        actions.corrections.restore_speech(self.corrections.library, self.change, self.corrections.settings)


class ChangeSpeakers(_CallCommand):
    """Swapped roles, or a speaker renamed or given another role; undo puts back the roles and
    names of the speakers it changed, and only those."""

    def __init__(self, corrections: CorrectionsController, change: SpeakerChange, text: str) -> None:
        super().__init__(corrections, text)
        self.change = change

    def _redo(self) -> None:
        actions.corrections.restore_speakers(
            self.corrections.library, self.change, self.corrections.settings, undo=False
        )

    def _undo(self) -> None:
        actions.corrections.restore_speakers(self.corrections.library, self.change, self.corrections.settings)


class LabelRefusal(_CallCommand):
    """A coach's word on whether an agent turn is a refusal; undo puts back the labels that turn
    had, redo says it again."""

    def __init__(self, corrections: CorrectionsController, change: RefusalLabelChange, text: str) -> None:
        super().__init__(corrections, text)
        self.change = change

    def _redo(self) -> None:
        c = self.change
        at = (c.turn.start + c.turn.end) / 2
        value = None if c.after is None else c.after.is_refusal
        author = c.after.author if c.after else ""
        self.change = actions.corrections.label_refusal(
            self.corrections.library, c.call_id, at, value, settings=self.corrections.settings, author=author
        )

    def _undo(self) -> None:
        actions.corrections.restore_refusal_label(
            self.corrections.library, self.change, self.corrections.settings
        )


class CorrectionsController(QObject):
    """Makes the corrections of the call under review and pushes their commands on the undo
    stack. What it is given: the library (a getter: the window can switch libraries), the
    settings, the undo stack, the call under review (a getter), ``shown_again(call_id)`` to show
    the call as the library now holds it, the author of a coach's refusal label (a getter) and
    ``warn(text)`` to say what went wrong."""

    def __init__(
        self,
        *,
        library: Callable[[], Library],
        settings: Settings,
        undo_stack: QUndoStack,
        call: Callable[[], StoredCall | None],
        shown_again: Callable[[int], None],
        author: Callable[[], str],
        warn: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self.settings = settings
        self.undo_stack = undo_stack
        self._call = call
        self._shown_again = shown_again
        self._author = author
        self._warn = warn

    @property
    def library(self) -> Library:
        return self._library()

    def _call_id(self) -> int | None:
        call = self._call()
        return call.id if call is not None else None

    def correct(self, work: Callable[[], object]) -> bool:
        """Make a change of the call under review in the library (``work``) under the wait
        cursor, then show the call as the library holds it. Whatever goes wrong (the library
        locked by another program, a disk error) is said in a message; the cursor always comes
        back. Returns whether the change was made."""
        call_id = self._call_id()
        if call_id is None:
            return False
        error: Exception | None = None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            work()
            self._shown_again(call_id)
        except Exception as e:  # a change that fails must leave the review usable
            error = e
            if isinstance(e, ConflictError):
                self._shown_again(call_id)  # someone else's change: show the call as it is now
        finally:
            QApplication.restoreOverrideCursor()
        if error is not None:
            text = (
                str(error) if isinstance(error, ReviewerError) else f"The change could not be made: {error}."
            )
            self._warn(text)
            return False
        return True

    def swap_roles(self) -> None:
        """Agent becomes customer and customer agent (undoable); every figure follows."""
        call_id = self._call_id()
        if call_id is None:
            return
        made: list[SpeakerChange] = []
        if (
            self.correct(
                lambda: made.append(actions.corrections.swap_roles(self.library, call_id, self.settings))
            )
            and made[0].after
        ):
            self.undo_stack.push(ChangeSpeakers(self, made[0], "Swap roles"))

    def set_speaker(self, label: str, name: str, role: str) -> bool:
        """Name a speaker or change their role (undoable); every figure follows."""
        call_id = self._call_id()
        if call_id is None:
            return False
        made: list[SpeakerChange] = []
        if not self.correct(
            lambda: made.append(
                actions.corrections.rename_speaker(
                    self.library, call_id, label, name=name, role=role, settings=self.settings
                )
            )
        ):
            return False
        if made[0].after:
            self.undo_stack.push(ChangeSpeakers(self, made[0], f"Name or role of {label}"))
        return True

    def reassign(self, speech: Speech, speaker: str) -> bool:
        """Give the picked speech to ``speaker`` (undoable); the whole review follows."""
        call_id = self._call_id()
        if call_id is None:
            return False
        made: list[SpeechChange] = []
        if not self.correct(
            lambda: made.append(
                actions.corrections.reassign_speech(
                    self.library,
                    call_id,
                    speaker,
                    start=speech.start,
                    end=speech.end,
                    only_from=speech.speaker,
                    settings=self.settings,
                )
            )
        ):
            return False
        call = self._call()
        assert call is not None
        label = speaker_label(next(s for s in call.transcript.speakers if s.id == speaker))
        self.undo_stack.push(ReassignSpeech(self, made[0], speech, f"Said by {label}"))
        return True

    def label_refusal(self, turn: Turn, is_refusal: bool | None) -> bool:
        """The coach's word on ``turn`` (undoable); metrics, markers and the library row follow."""
        call_id = self._call_id()
        if call_id is None:
            return False
        made: list[RefusalLabelChange] = []
        if not self.correct(
            lambda: made.append(
                actions.corrections.label_refusal(
                    self.library,
                    call_id,
                    (turn.start + turn.end) / 2,
                    is_refusal,
                    settings=self.settings,
                    author=self._author(),
                )
            )
        ):
            return False
        text = {True: "Mark as refusal", False: "Mark as not a refusal", None: "Let Reviewer judge"}[
            is_refusal
        ]
        self.undo_stack.push(LabelRefusal(self, made[0], f"{text} ({clock(turn.start)})"))
        return True
