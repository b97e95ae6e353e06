"""Coach feedback: the list of a call's comments, the editor, and undoable add / edit / delete.

Every change goes straight to the library (one transaction each), so closing the window or a
crash loses nothing; the undo stack replays changes through the library too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QUndoCommand, QUndoStack
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
from reviewer.ui.style import CATEGORY_COLOURS, clock
from reviewer.ui.tables import RowsModel, ok_cancel, warn

EDITABLE = ("start", "end", "text", "category", "author")


class CommentsModel(RowsModel):
    headers = ("Time", "Category", "Author", "Comment", "Agent")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return clock(c["start"]) + (f"–{clock(c['end'])}" if c["end"] is not None else "")
            if col == 1:
                return c["category"]
            if col == 2:
                return c["author"] or ""
            if col == 3:
                return c["text"]
            if col == 4:
                if c.get("acknowledged_at"):
                    return "✓ " + (c.get("reply") or "acknowledged")
                return ""
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = c["text"]
            if c.get("reply"):
                tip += f"\n\nAgent's reply: {c['reply']}"
            return tip
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QBrush(CATEGORY_COLOURS.get(c["category"], CATEGORY_COLOURS["other"]))
        if role == Qt.ItemDataRole.UserRole:
            return c["id"]
        return None

    def row_of(self, comment_id: int) -> int | None:
        return next((i for i, c in enumerate(self.rows) if c["id"] == comment_id), None)


# -- undo commands -----------------------------------------------------------------------------


class _CommentCommand(QUndoCommand):
    def __init__(self, panel: CommentsPanel, text: str) -> None:
        super().__init__(text)
        self.panel = panel

    @property
    def library(self) -> Library:
        return self.panel.library

    def run(self, work: Callable[[], Any]) -> bool:
        """Make the change; if someone else changed or deleted the comment meanwhile, make none,
        drop this command from the undo history, and say so (the list shows theirs)."""
        try:
            work()
        except ConflictError as e:
            self.setObsolete(True)
            self.panel.conflict(str(e))
            return False
        return True


class AddComment(_CommentCommand):
    def __init__(self, panel: CommentsPanel, fields: dict[str, Any]) -> None:
        super().__init__(panel, f"Add comment at {clock(fields['start'])}")
        self.fields = fields
        self.row: dict[str, Any] | None = None

    def redo(self) -> None:
        if self.row is None:
            comment_id = self.library.add_comment(self.panel.call_id, **self.fields)
        else:
            comment_id = self.library.restore_comment(self.row)
        self.row = self.library.comment(comment_id)
        self.panel.refresh(select=self.row["id"])

    def undo(self) -> None:
        assert self.row is not None
        row = self.row
        if self.run(lambda: self.library.delete_comment(row["id"], expected_version=row.get("version"))):
            self.panel.refresh()


class EditComment(_CommentCommand):
    def __init__(
        self,
        panel: CommentsPanel,
        comment_id: int,
        changes: dict[str, Any],
        label: str,
        version: int | None = None,
    ) -> None:
        """``version``: the comment's version the change was made on (what the user saw)."""
        super().__init__(panel, label)
        self.comment_id = comment_id
        current = panel.library.comment(comment_id)
        self.before = {k: current.get(k) for k in changes}
        self.after = changes
        self.version = current["version"] if version is None else version

    def _apply(self, values: dict[str, Any]) -> None:
        def work() -> None:
            self.version = self.library.update_comment(
                self.comment_id, expected_version=self.version, **values
            )

        if self.run(work):
            self.panel.refresh(select=self.comment_id)

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class DeleteComment(_CommentCommand):
    def __init__(self, panel: CommentsPanel, comment_id: int, version: int | None = None) -> None:
        super().__init__(panel, "Delete comment")
        self.comment_id = comment_id
        self.version = version
        self.row: dict[str, Any] | None = None

    def redo(self) -> None:
        def work() -> None:
            self.row = self.library.delete_comment(self.comment_id, expected_version=self.version)

        if self.run(work):
            self.panel.refresh()

    def undo(self) -> None:
        assert self.row is not None
        self.comment_id = self.library.restore_comment(self.row)
        self.row = self.library.comment(self.comment_id)
        self.version = self.row["version"]
        self.panel.refresh(select=self.comment_id)


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
    """The call's comments. Coaches add, edit and delete; an agent acknowledges and replies."""

    commentsChanged = Signal(list)
    seekRequested = Signal(float)

    def __init__(self, library: Library, undo_stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.undo_stack = undo_stack
        self.call_id: int | None = None
        self.duration = 0.0
        self.agent_mode = False
        self.default_author = user_name()
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

    def set_call(self, call_id: int | None, duration: float, rows: list | None = None) -> None:
        """Show a call's comments (``rows``: already read on the library thread)."""
        self.call_id = call_id
        self.duration = duration
        self.undo_stack.clear()
        self.refresh(rows=rows)

    def set_agent_mode(self, on: bool) -> None:
        """Agents review feedback on their calls: they acknowledge and reply, coaches edit."""
        self.agent_mode = on
        for b in (self.add_button, self.edit_button, self.delete_button):
            b.setVisible(not on)
        for b in (self.ack_button, self.reply_button):
            b.setVisible(on)

    def refresh(self, select: int | None = None, *, rows: list | None = None) -> None:
        if rows is None:
            rows = self.library.comments(self.call_id) if self.call_id is not None else []
        self.model.set_rows(rows)
        if select is not None and (r := self.model.row_of(select)) is not None:
            self.table.selectRow(r)
        self.commentsChanged.emit(rows)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()]["id"] if rows else None

    def select(self, comment_id: int) -> None:
        if (r := self.model.row_of(comment_id)) is not None:
            self.table.selectRow(r)
            self.table.scrollTo(self.model.index(r, 0))

    def _clicked(self, index: QModelIndex) -> None:
        self.seekRequested.emit(self.model.rows[index.row()]["start"])

    # -- changes (each one undoable) ---------------------------------------------------------

    def add(
        self, start: float, end: float | None, text: str, category: str = "improve", author: str | None = None
    ) -> int:
        """Add a comment now (validated; raises ReviewerError with the reason)."""
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
        cmd = AddComment(self, fields)
        self.undo_stack.push(cmd)
        assert cmd.row is not None
        return int(cmd.row["id"])

    def edit(self, comment_id: int, *, version: int | None = None, **changes: Any) -> None:
        """Change a comment (undoable). ``version``: the one the change was made on (as shown
        in the list when the edit began); a comment someone changed since is left as theirs."""
        current = self.library.comment(comment_id)
        m = {k: changes.get(k, current[k]) for k in ("start", "end", "text", "category")}
        Library.check_comment(self.duration, m["start"], m["end"], m["text"], m["category"])
        self.undo_stack.push(
            EditComment(
                self,
                comment_id,
                changes,
                "Edit comment",
                self.shown_version(comment_id) if version is None else version,
            )
        )

    def delete(self, comment_id: int) -> None:
        self.undo_stack.push(DeleteComment(self, comment_id, self.shown_version(comment_id)))

    def shown_version(self, comment_id: int) -> int | None:
        """The version of the comment as the list shows it (None: not in the list)."""
        row = next((r for r in self.model.rows if r["id"] == comment_id), None)
        return None if row is None else row.get("version")

    def conflict(self, text: str) -> None:
        """Someone else changed a comment this edit was made on: show theirs, and say so without
        stopping the review (the message box does not wait)."""
        self.last_conflict = text
        self.refresh()
        warn(self, text)

    last_conflict = ""

    def acknowledge(self, comment_id: int, reply: str | None = None) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        changes: dict[str, Any] = {"acknowledged_at": stamp}
        if reply is not None:
            changes["reply"] = reply.strip() or None
        label = "Acknowledge comment"
        self.undo_stack.push(EditComment(self, comment_id, changes, label, self.shown_version(comment_id)))

    # -- dialogs -----------------------------------------------------------------------------

    def add_with_dialog(self, start: float, end: float | None = None) -> int | None:
        if self.call_id is None:
            return None
        dialog = CommentDialog(
            self,
            {"start": start, "end": end, "category": "improve", "author": self.default_author},
            self.duration,
            "Add comment",
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        v = dialog.values()
        self.default_author = v["author"] or self.default_author
        return self.add(v["start"], v["end"], v["text"], v["category"], v["author"])

    def edit_selected(self) -> None:
        comment_id = self.selected_id()
        if comment_id is None:
            return
        current = self.library.comment(comment_id)
        dialog = CommentDialog(self, current, self.duration, "Edit comment")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            v = dialog.values()
            changes = {k: v[k] for k in EDITABLE if v[k] != current.get(k)}
            if changes:  # made on the comment as the dialog showed it
                self.edit(comment_id, version=current["version"], **changes)

    def delete_selected(self) -> None:
        comment_id = self.selected_id()
        if comment_id is not None:
            self.delete(comment_id)

    def acknowledge_selected(self, reply: str | None = None) -> None:
        comment_id = self.selected_id()
        if comment_id is not None:
            self.acknowledge(comment_id, reply)

    def reply_selected(self) -> None:
        comment_id = self.selected_id()
        if comment_id is None:
            return
        current = self.library.comment(comment_id)
        text, ok = QInputDialog.getMultiLineText(
            self, "Reply to the coach", current["text"], current.get("reply") or ""
        )
        if ok:
            self.acknowledge(comment_id, text)
