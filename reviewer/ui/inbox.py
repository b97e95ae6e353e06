"""The inbox page: what waits for this person across calls, newest first. A coach sees open
disputes, agents' replies to comments and acknowledged reviews; an agent sees their submitted
reviews and the coaches' decisions on their disputes. Unread lines are bold; opening one (Enter
or a double-click) marks it read and opens the call where it happened (the disputed item on the
Scorecard tab, the comment's moment). Read marks are kept per person in the library.

The inbox is read on the window's library thread (``actions.review.inbox``), never here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer import actions
from reviewer.model import InboxEntry
from reviewer.ui.library_worker import LibraryWorker
from reviewer.ui.style import clock

KIND_NAMES = {"dispute": "Dispute", "reply": "Agent replied", "review": "Review", "decision": "Decision"}


def inbox_title(unread: int) -> str:
    """The action's and the page's words: "Inbox (3)" while lines are unread."""
    return f"Inbox ({unread})" if unread else "Inbox"


class InboxPage(QWidget):
    """The inbox, a page of the main window (View → Inbox, Ctrl+I)."""

    openEntry = Signal(int, float, str)  # call id, time in seconds, score item ("" for none)
    backRequested = Signal()
    unreadChanged = Signal(int)

    def __init__(self, library_worker: LibraryWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library_worker = library_worker
        self.entries: list[InboxEntry] = []
        self.agent: str | None = None  # self-review: the agent whose inbox this is
        self.back_button = QPushButton("← Library")
        self.back_button.clicked.connect(self.backRequested)
        self.heading = QLabel()
        self.heading.setAccessibleName("Inbox heading")
        self.read_all_button = QPushButton("Mark all read")
        self.read_all_button.clicked.connect(self.mark_all_read)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Inbox")
        self.tree.setHeaderLabels(["When", "Call", "What", "Who", ""])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        for c in (0, 1, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(lambda row, _col: self.open_row(row))
        for key in ("Return", "Enter"):
            enter = QShortcut(QKeySequence(key), self.tree, context=Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(lambda: self.open_row(self.tree.currentItem()))
        self.empty = QLabel("Nothing waiting for you.")
        self.empty.setStyleSheet("color: #555")
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.heading, 1)
        top.addWidget(self.read_all_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)

    # -- reading -----------------------------------------------------------------------------

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """The inbox as the library thread reads it for this person (or the agent viewed as)."""
        agent = self.agent

        def show(entries: list[InboxEntry]) -> None:
            if agent == self.agent:
                self.show_entries(entries)
            if then:
                then()

        self.library_worker.submit(lambda library: actions.review.inbox(library, agent), show)

    def show_entries(self, entries: list[InboxEntry]) -> None:
        keep = self._current_key()
        self.entries = entries
        self.tree.clear()
        unread = sum(1 for e in entries if e.unread)
        whose = f"{self.agent}'s" if self.agent else "Your"
        self.heading.setText(f"<b>{whose} inbox</b>: {len(entries)} line(s), {unread} unread")
        for e in entries:
            when = (e.when or "").replace("T", " ")[:16]
            place = f" at {clock(e.at)}" if e.at else ""
            row = QTreeWidgetItem(
                [
                    when,
                    f"#{e.call_id} {e.call_name}{place}",
                    f"{KIND_NAMES.get(e.kind, e.kind)}: {e.text}",
                    e.who,
                    "●" if e.unread else "",
                ]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, e.key)
            row.setToolTip(2, e.text)
            row.setToolTip(4, "unread" if e.unread else "read")
            if e.unread:
                for c in range(5):
                    font = row.font(c)
                    font.setBold(True)
                    row.setFont(c, font)
            self.tree.addTopLevelItem(row)
            if e.key == keep:
                self.tree.setCurrentItem(row)
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.empty.setVisible(not entries)
        self.read_all_button.setEnabled(unread > 0)
        self.unreadChanged.emit(unread)

    def _current_key(self) -> str | None:
        row = self.tree.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None

    def entry(self, key: str) -> InboxEntry:
        return next(e for e in self.entries if e.key == key)

    # -- acting ------------------------------------------------------------------------------

    def open_row(self, row: QTreeWidgetItem | None) -> None:
        """Open the line's call where it happened, and mark the line read."""
        if row is None:
            return
        e = self.entry(row.data(0, Qt.ItemDataRole.UserRole))
        if e.unread:
            self.mark_read([e.key])
        self.openEntry.emit(e.call_id, e.at, e.item_id or "")

    def mark_read(self, keys: list[str]) -> None:
        self.library_worker.submit(
            lambda library: actions.review.mark_read(library, keys),
            lambda _none: self.refresh(),
            writes=True,
        )

    def mark_all_read(self) -> None:
        self.mark_read([e.key for e in self.entries if e.unread])
