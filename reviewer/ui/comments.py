"""Coach feedback: the list of a call's comments, the editor, and undoable add / edit / delete.

Every change is made in the library on the window's library thread (one transaction each, so
closing the window or a crash loses nothing), and the list is shown as the library then holds it,
read in the same trip. A change joins the undo stack once the library took it; undo and redo go
through the library thread too. A change made on a comment someone else changed or deleted
meanwhile is refused: it is said, the list shows theirs, and the step leaves the undo stack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.errors import ReviewerError
from reviewer.labels import parse_time, user_name
from reviewer.library.store import COMMENT_CATEGORIES, ConflictError, Library
from reviewer.model import Comment
from reviewer.ui.library_worker import LibraryWorker
from reviewer.ui.style import CATEGORY_COLOURS, clock
from reviewer.ui.tables import RowsModel, ok_cancel, warn
from reviewer.ui.undo import LibraryCommand

EDITABLE = ("start", "end", "text", "category", "author")


class CommentsModel(RowsModel):
    headers = ("Time", "Category", "Author", "Comment", "Agent")
    rows: list[Comment]  # type: ignore[assignment]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return clock(c.start) + (f"–{clock(c.end)}" if c.end is not None else "")
            if col == 1:
                return c.category
            if col == 2:
                return c.author or ""
            if col == 3:
                return c.text
            if col == 4:
                if c.acknowledged_at:
                    return "✓ " + (c.reply or "acknowledged")
                return ""
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = c.text
            if c.reply:
                tip += f"\n\nAgent's reply: {c.reply}"
            return tip
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QBrush(CATEGORY_COLOURS.get(c.category, CATEGORY_COLOURS["other"]))
        if role == Qt.ItemDataRole.UserRole:
            return c.id
        return None

    def row_of(self, comment_id: int) -> int | None:
        return next((i for i, c in enumerate(self.rows) if c.id == comment_id), None)

    def comment(self, comment_id: int) -> Comment | None:
        return next((c for c in self.rows if c.id == comment_id), None)


# -- undo commands -----------------------------------------------------------------------------


class _CommentCommand(LibraryCommand):
    """A change of a comment (see :class:`LibraryCommand`); undo and redo go through
    :meth:`CommentsPanel.change`, on the library thread."""

    def __init__(self, panel: CommentsPanel, text: str) -> None:
        super().__init__(text)
        self.panel = panel

    def _stack(self) -> QUndoStack:
        return self.panel.undo_stack

    def _replay(self, work: Callable[[Library], Any], *, undone: bool) -> None:
        self.panel.change(work, self._made, failed=lambda: self._leave(undone=undone), select=self._select)

    def _made(self, result: Any) -> None:  # noqa: ANN401
        """On the UI thread, once an undo or redo was made: what the command keeps of it."""

    def _select(self, result: Any) -> int | None:  # noqa: ANN401
        return None


class AddComment(_CommentCommand):
    """A new comment; undo deletes it, redo puts it back as it was (under its old number)."""

    def __init__(self, panel: CommentsPanel, comment: Comment) -> None:
        super().__init__(panel, f"Add comment at {clock(comment.start)}")
        self.comment = comment

    def _undo(self, library: Library) -> Comment:
        version = self.panel.version_of(self.comment.id)
        return library.delete_comment(self.comment.id, expected_version=version)

    def _redo(self, library: Library) -> Comment:
        return library.comment(library.restore_comment(self.comment))

    def _made(self, result: Comment) -> None:
        self.comment = result  # as deleted (put back as it was then), or as put back
        self.panel.versions[result.id] = result.version

    def _select(self, result: Comment) -> int | None:
        return result.id  # selected when it is in the list (put back)


class EditComment(_CommentCommand):
    """A change of some of a comment's fields; undo puts back what they were."""

    def __init__(
        self, panel: CommentsPanel, comment_id: int, before: dict[str, Any], after: dict[str, Any], label: str
    ) -> None:
        super().__init__(panel, label)
        self.comment_id = comment_id
        self.before, self.after = before, after

    def _apply(self, library: Library, values: dict[str, Any]) -> int:
        version = self.panel.version_of(self.comment_id)
        return library.update_comment(self.comment_id, expected_version=version, **values)

    def _redo(self, library: Library) -> int:
        return self._apply(library, self.after)

    def _undo(self, library: Library) -> int:
        return self._apply(library, self.before)

    def _made(self, result: int) -> None:
        self.panel.versions[self.comment_id] = result

    def _select(self, result: int) -> int | None:
        return self.comment_id


class DeleteComment(_CommentCommand):
    """A deleted comment; undo puts it back exactly as it was, redo deletes it again."""

    def __init__(self, panel: CommentsPanel, comment: Comment) -> None:
        super().__init__(panel, "Delete comment")
        self.comment = comment  # as it was deleted

    def _redo(self, library: Library) -> Comment:
        version = self.panel.version_of(self.comment.id)
        return library.delete_comment(self.comment.id, expected_version=version)

    def _undo(self, library: Library) -> Comment:
        return library.comment(library.restore_comment(self.comment))

    def _made(self, result: Comment) -> None:
        self.comment = result
        self.panel.versions[result.id] = result.version

    def _select(self, result: Comment) -> int | None:
        return result.id


# -- editor ------------------------------------------------------------------------------------


class CommentDialog(QDialog):
    """Add or edit one comment: when (a point or a range), category, author, text."""

    def __init__(self, parent: QWidget | None, fields: dict[str, Any], duration: float, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.duration = duration
        self.start_edit = QLineEdit(clock(fields["start"], tenths=True))
        self.start_edit.setAccessibleName("Start time")
        self.end_edit = QLineEdit(clock(fields["end"], tenths=True) if fields.get("end") is not None else "")
        # A time shown to the tenth and left as it was keeps its exact value (milliseconds).
        self._shown = {
            "start": (self.start_edit.text(), fields["start"]),
            "end": (self.end_edit.text(), fields.get("end")),
        }
        self.end_edit.setPlaceholderText("optional: end of a range")
        self.end_edit.setAccessibleName("End time")
        self.category = QComboBox()
        self.category.addItems(COMMENT_CATEGORIES)
        self.category.setCurrentText(fields.get("category") or "improve")
        self.category.setAccessibleName("Category")
        self.author = QLineEdit(fields.get("author") or "")
        self.author.setAccessibleName("Author")
        self.text = QPlainTextEdit(fields.get("text") or "")
        self.text.setAccessibleName("Comment text")
        self.text.setTabChangesFocus(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828")
        form = QFormLayout()
        form.addRow("&From", self.start_edit)
        form.addRow("&To", self.end_edit)
        form.addRow("&Category", self.category)
        form.addRow("&Author", self.author)
        form.addRow("Co&mment", self.text)
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.text.setFocus()
        self.resize(460, 300)

    def values(self) -> dict[str, Any]:
        return {
            "start": self._time("start", self.start_edit),
            "end": self._time("end", self.end_edit),
            "category": self.category.currentText(),
            "author": self.author.text().strip(),
            "text": self.text.toPlainText().strip(),
        }

    def _time(self, field: str, edit: QLineEdit) -> float | None:
        text, value = self._shown[field]
        if edit.text() == text:
            return value
        if field == "end" and not edit.text().strip():
            return None
        try:
            return parse_time(edit.text())
        except ValueError as e:
            raise ReviewerError(str(e)) from None

    def accept(self) -> None:
        try:
            v = self.values()
            Library.check_comment(self.duration, v["start"], v["end"], v["text"], v["category"])
        except ReviewerError as e:
            self.error.setText(str(e))
            return
        super().accept()


# -- panel -------------------------------------------------------------------------------------


class CommentsPanel(QWidget):
    """The call's comments. Coaches add, edit and delete; an agent acknowledges and replies.
    What it is given: the window's library thread (every read and change of a comment runs
    there) and the undo stack."""

    commentsChanged = Signal(list)
    seekRequested = Signal(float)

    def __init__(
        self, library_worker: LibraryWorker, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.library_worker = library_worker
        self.undo_stack = undo_stack
        self.call_id: int | None = None
        self.duration = 0.0
        self.agent_mode = False
        self.default_author = user_name()
        # The version each comment has after this panel's own latest change of it: an undo or
        # redo is made on it (a change someone else made since is refused, not overwritten).
        self.versions: dict[int, int] = {}
        self.model = CommentsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Comments")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._clicked)
        self.table.doubleClicked.connect(
            lambda _: self.edit_selected() if not self.agent_mode else self.reply_selected()
        )
        self.add_button = QPushButton("&Add at playhead")
        self.edit_button = QPushButton("&Edit…")
        self.delete_button = QPushButton("&Delete")
        self.ack_button = QPushButton("Ac&knowledge")
        self.reply_button = QPushButton("&Reply…")
        for b, name in (
            (self.add_button, "Add comment"),
            (self.edit_button, "Edit comment"),
            (self.delete_button, "Delete comment"),
            (self.ack_button, "Acknowledge comment"),
            (self.reply_button, "Reply to comment"),
        ):
            b.setAccessibleName(name)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.ack_button.clicked.connect(lambda: self.acknowledge_selected())
        self.reply_button.clicked.connect(self.reply_selected)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.ack_button, self.reply_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.set_agent_mode(False)

    def set_call(self, call_id: int | None, duration: float, rows: list[Comment] | None = None) -> None:
        """Show a call's comments (``rows``: already read on the library thread)."""
        self.call_id = call_id
        self.duration = duration
        self.versions.clear()
        self.undo_stack.clear()
        self.refresh(rows=[] if call_id is None and rows is None else rows)

    def set_agent_mode(self, on: bool) -> None:
        """Agents review feedback on their calls: they acknowledge and reply, coaches edit."""
        self.agent_mode = on
        for b in (self.add_button, self.edit_button, self.delete_button):
            b.setVisible(not on)
        for b in (self.ack_button, self.reply_button):
            b.setVisible(on)

    def refresh(self, select: int | None = None, *, rows: list[Comment] | None = None) -> None:
        """Show ``rows``, or (None) the call's comments as the library holds them, once the
        library thread has read them."""
        if rows is not None:
            self._show(rows, select)
            return
        call_id = self.call_id
        if call_id is None:
            self._show([], select)
            return

        def show(read: list[Comment]) -> None:
            if self.call_id == call_id:
                self._show(read, select)

        self.library_worker.submit(lambda library: library.comments(call_id), show)

    def _show(self, rows: list[Comment], select: int | None) -> None:
        self.model.set_rows(rows)
        if select is not None and (r := self.model.row_of(select)) is not None:
            self.table.selectRow(r)
        self.commentsChanged.emit(rows)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()].id if rows else None

    def selected(self) -> Comment | None:
        """The selected comment, as the list shows it."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def select(self, comment_id: int) -> None:
        if (r := self.model.row_of(comment_id)) is not None:
            self.table.selectRow(r)
            self.table.scrollTo(self.model.index(r, 0))

    def _clicked(self, index: QModelIndex) -> None:
        self.seekRequested.emit(self.model.rows[index.row()].start)

    # -- changes (each one undoable) ---------------------------------------------------------

    def change(
        self,
        work: Callable[[Library], Any],
        made: Callable[[Any], None] | None = None,
        *,
        failed: Callable[[], None] | None = None,
        select: Callable[[Any], int | None] | None = None,
    ) -> bool:
        """A change of the call's comments: ``work(library)`` on the library thread and, in the
        same trip, the comments as they then are; the list shows them (the comment
        ``select(result)`` selected) after ``made(result)``. What the library refuses is said
        (someone else's change: the list shows theirs) and ``failed()`` is called. Nothing is
        shown or made if another call was opened meanwhile. Returns whether it was asked for
        (a call is shown)."""
        call_id = self.call_id
        if call_id is None:
            return False

        def run(library: Library) -> tuple[Any, list[Comment]]:
            result = work(library)
            return result, library.comments(call_id)

        def done(value: tuple[Any, list[Comment]]) -> None:
            result, rows = value
            if self.call_id != call_id:
                return
            if made is not None:
                made(result)
            self.refresh(None if select is None else select(result), rows=rows)

        def wrong(error: BaseException) -> None:
            if self.call_id != call_id:
                return
            if failed is not None:
                failed()
            if isinstance(error, ConflictError):
                self.conflict(str(error))
            elif isinstance(error, ReviewerError):
                warn(self, str(error))
            else:
                warn(self, f"The change could not be made: {error}.")

        self.library_worker.submit(run, done, wrong, writes=True)
        return True

    def version_of(self, comment_id: int) -> int | None:
        """The version an undo or redo of this panel's is made on: the one its own latest change
        of the comment left (else the one the list shows)."""
        return self.versions.get(comment_id, self.shown_version(comment_id))

    def add(
        self,
        start: float,
        end: float | None,
        text: str,
        category: str = "improve",
        author: str | None = None,
        *,
        added: Callable[[int], None] | None = None,
    ) -> bool:
        """Add a comment (validated here first; raises ReviewerError with the reason), made on
        the library thread; then it is selected and ``added(comment_id)`` is called. Undoable."""
        if self.call_id is None:
            raise ReviewerError("Open a call first.")
        fields = {
            "start": round(start, 3),
            "end": None if end is None else round(end, 3),
            "text": text,
            "category": category,
            "author": self.default_author if author is None else author,
        }
        Library.check_comment(self.duration, fields["start"], fields["end"], text, category)
        call_id = self.call_id

        def work(library: Library) -> Comment:
            return library.comment(library.add_comment(call_id, **fields))

        def made(comment: Comment) -> None:
            self.versions[comment.id] = comment.version
            self.undo_stack.push(AddComment(self, comment))
            if added is not None:
                added(comment.id)

        return self.change(work, made, select=lambda comment: comment.id)

    def edit(self, comment_id: int, *, version: int | None = None, **changes: Any) -> bool:
        """Change a comment (undoable). ``version``: the one the change was made on (as shown
        in the list when the edit began); a comment someone changed since is left as theirs."""
        return self._edit(comment_id, changes, "Edit comment", version)

    def _edit(self, comment_id: int, changes: dict[str, Any], label: str, version: int | None) -> bool:
        shown = self.model.comment(comment_id)
        if shown is None:
            raise ReviewerError(f"No comment #{comment_id} in the list.")
        m = {k: changes.get(k, getattr(shown, k)) for k in ("start", "end", "text", "category")}
        Library.check_comment(self.duration, m["start"], m["end"], m["text"], m["category"])
        expected = shown.version if version is None else version
        before = {k: getattr(shown, k) for k in changes}  # what they are in the version made on

        def made(new_version: int) -> None:
            self.versions[comment_id] = new_version
            self.undo_stack.push(EditComment(self, comment_id, before, changes, label))

        return self.change(
            lambda library: library.update_comment(comment_id, expected_version=expected, **changes),
            made,
            select=lambda _version: comment_id,
        )

    def delete(self, comment_id: int) -> bool:
        """Delete a comment (undoable), made on the version the list shows."""
        version = self.shown_version(comment_id)

        def made(comment: Comment) -> None:
            self.versions[comment.id] = comment.version
            self.undo_stack.push(DeleteComment(self, comment))

        return self.change(lambda library: library.delete_comment(comment_id, expected_version=version), made)

    def shown_version(self, comment_id: int) -> int | None:
        """The version of the comment as the list shows it (None: not in the list)."""
        row = self.model.comment(comment_id)
        return None if row is None else row.version

    def conflict(self, text: str) -> None:
        """Someone else changed a comment this edit was made on: show theirs, and say so without
        stopping the review (the message box does not wait)."""
        self.last_conflict = text
        self.refresh()
        warn(self, text)

    last_conflict = ""

    def acknowledge(self, comment_id: int, reply: str | None = None) -> bool:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        changes: dict[str, Any] = {"acknowledged_at": stamp}
        if reply is not None:
            changes["reply"] = reply.strip() or None
        return self._edit(comment_id, changes, "Acknowledge comment", None)

    # -- dialogs -----------------------------------------------------------------------------

    def add_with_dialog(self, start: float, end: float | None = None) -> bool:
        """Ask for the comment's text (and time, category, author), then add it. Returns whether
        it was asked for (not cancelled)."""
        if self.call_id is None:
            return False
        dialog = CommentDialog(
            self,
            {"start": start, "end": end, "category": "improve", "author": self.default_author},
            self.duration,
            "Add comment",
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        v = dialog.values()
        self.default_author = v["author"] or self.default_author
        return self.add(v["start"], v["end"], v["text"], v["category"], v["author"])

    def edit_selected(self) -> None:
        current = self.selected()
        if current is None:
            return
        fields = {k: getattr(current, k) for k in EDITABLE}
        dialog = CommentDialog(self, fields, self.duration, "Edit comment")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            v = dialog.values()
            changes = {k: v[k] for k in EDITABLE if v[k] != fields[k]}
            if changes:  # made on the comment as the dialog showed it
                self.edit(current.id, version=current.version, **changes)

    def delete_selected(self) -> None:
        comment_id = self.selected_id()
        if comment_id is not None:
            self.delete(comment_id)

    def acknowledge_selected(self, reply: str | None = None) -> None:
        comment_id = self.selected_id()
        if comment_id is not None:
            self.acknowledge(comment_id, reply)

    def reply_selected(self) -> None:
        current = self.selected()
        if current is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self, "Reply to the coach", current.text, current.reply or ""
        )
        if ok:
            self.acknowledge(current.id, text)
