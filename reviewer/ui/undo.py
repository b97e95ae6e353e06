"""Undo steps for changes the library has already made: one shape for corrections, comments and
scorecard answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from reviewer.library import Library


class LibraryCommand(QUndoCommand):
    """A change already made in the library when it is pushed (so a change the library refused
    never lands on the stack): the stack's first redo makes nothing. Later undos and redos are
    replayed on the library thread (``_replay``); if the library refuses one (someone else
    changed the call or the comment meanwhile), ``_leave`` steps the stack back over the command,
    and it makes itself obsolete without touching the library."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._done = True
        self._failed = False

    def redo(self) -> None:
        if self._failed:
            self.setObsolete(True)
            return
        if self._done:
            self._done = False
            return
        self._replay(self._redo, undone=False)

    def undo(self) -> None:
        if self._failed:
            self.setObsolete(True)
            return
        self._replay(self._undo, undone=True)

    def _leave(self, *, undone: bool) -> None:
        """The library refused the undo (or redo): it still holds what the command left, so the
        stack steps back over the command, and it leaves."""
        stack = self._stack()
        self._failed = True
        i = stack.index()
        if undone and i < stack.count() and stack.command(i) is self:
            stack.redo()
        elif not undone and i > 0 and stack.command(i - 1) is self:
            stack.undo()

    def _stack(self) -> QUndoStack:
        raise NotImplementedError

    def _replay(self, work: Callable[[Library], Any], *, undone: bool) -> None:
        """Run ``work`` on the library thread; call ``self._leave(undone=undone)`` if refused."""
        raise NotImplementedError

    def _redo(self, library: Library) -> Any:  # noqa: ANN401
        raise NotImplementedError

    def _undo(self, library: Library) -> Any:  # noqa: ANN401
        raise NotImplementedError
