"""The call's QA scorecard on the review page: total and verdict, each item with its result and
the moments that show it (a click seeks there), a coach's answers and overrides (undoable), an
agent's disputes and the coach's decision, and the graders side by side (calibration).

Every change goes straight to the library, one transaction each; undo replays through it."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer import actions
from reviewer.analysis.scoring import Scorecard
from reviewer.errors import ReviewerError
from reviewer.labels import user_name
from reviewer.library.backend import ConflictError
from reviewer.library.store import Library
from reviewer.model import Calibration, CallScore, ItemScore, ReviewState, ScoreAnswer, ScorecardSummary
from reviewer.ui.library_worker import LatestReads, LibraryWorker
from reviewer.ui.style import clock
from reviewer.ui.tables import warn
from reviewer.ui.undo import LibraryCommand

PASS_COLOUR = "#2e7d32"
FAIL_COLOUR = "#c62828"
PROVISIONAL_COLOUR = "#8a6d00"
VALUE_NAMES = {"yes": "Yes", "no": "No", "na": "N/A"}


def load_scores(
    library: Library, call_id: int, card: str | None
) -> tuple[list[ScorecardSummary], CallScore | None, Scorecard | None]:
    """On the library thread: the scorecards, the call's score on ``card`` (the one the panel
    shows; the default card when that one is gone) and that card's version, as
    :meth:`ScorePanel.show_loaded` takes them."""
    cards = actions.scores.scorecards(library)
    names = [c.name for c in cards]
    if card not in names:
        card = next((c.name for c in cards if c.default), None) or (names[0] if names else None)
    score = actions.scores.score(library, call_id, card) if card else None
    scorecard = actions.scores.scorecard(library, card, score.version) if score is not None else None
    return cards, score, scorecard


def review_words(review: ReviewState | None) -> str:
    """Where the review stands, in a few words for the Scorecard tab."""
    if review is None or review.status in ("new", "in review"):
        return (
            "Draft: not submitted"
            if review is None or review.status == "in review"
            else "New: not reviewed yet"
        )
    line = f"Submitted by {review.submitted_by} {(review.submitted_at or '')[:10]}"
    if review.status == "acknowledged":
        line += f"; acknowledged by {review.acknowledged_by}"
    return line


def value_text(value: str | None) -> str:
    return "–" if value is None else VALUE_NAMES.get(value, value)


class AnswerItem(LibraryCommand):
    """A grader's answer to an item (None: take theirs back); undo puts their previous answer back."""

    def __init__(self, panel: ScorePanel, item_id: str, value: str | None, reason: str) -> None:
        super().__init__(f"Score {item_id}: {value_text(value)}")
        self.panel = panel
        self.call_id = panel.call_id
        self.card = panel.card
        self.item_id = item_id
        self.value = value
        self.reason = reason
        self.grader = panel.grader
        self.previous: ScoreAnswer | None = None

    def apply(self, library: Library) -> ScoreAnswer | None:
        """Make the change (on the library thread; raising what the library refuses, before the
        command joins the stack). Returns the grader's previous answer."""
        return actions.scores.answer_item(
            library,
            self.call_id,
            self.item_id,
            self.value,
            reason=self.reason,
            grader=self.grader,
            card=self.card,
        )

    def _redo(self, library: Library) -> ScoreAnswer | None:
        return self.apply(library)

    def _undo(self, library: Library) -> None:
        actions.scores.restore_answer(
            library, self.call_id, self.card, self.item_id, self.grader, self.previous
        )

    def _stack(self) -> QUndoStack:
        return self.panel.undo_stack

    def _replay(self, work: Any, *, undone: bool) -> None:  # noqa: ANN401
        """What the library refuses (someone else changed the call meanwhile) is said, the call
        shown as it is, and this step leaves the stack."""

        def wrong(error: BaseException) -> None:
            if not isinstance(error, ReviewerError):
                raise error
            self._leave(undone=undone)
            if isinstance(error, ConflictError):
                self.panel.conflicted.emit(self.call_id)
            warn(self.panel, str(error))

        self.panel.change(work, lambda _result: None, wrong)


class AnswerList(QListWidget):
    """The answers an item takes, best first, each with what the card says it means. Nothing is
    chosen until the grader chooses (a careless OK scores nothing); a digit or the first letter
    of an answer goes to it, as the arrow keys do."""

    def __init__(self, values: list[str], guidance: dict[str, str]) -> None:
        super().__init__()
        self.setAccessibleName("Answer")
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        for v in values:
            words = guidance.get(v, "")
            line = QListWidgetItem(f"{value_text(v)} — {words}" if words else value_text(v))
            line.setData(Qt.ItemDataRole.UserRole, v)
            line.setToolTip(words)
            self.addItem(line)
        self.setCurrentRow(-1)
        self.clearSelection()
        rows = sum(self.sizeHintForRow(n) for n in range(self.count()))
        self.setMinimumHeight(min(rows + 8, 320))

    returned = Signal()  # Enter on the list: the dialog's OK where it can, else the reason

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            event.accept()
            self.returned.emit()
            return
        super().keyPressEvent(event)

    def findData(self, value: str | None) -> int:  # noqa: N802 - as QComboBox names it
        return next(
            (n for n in range(self.count()) if self.item(n).data(Qt.ItemDataRole.UserRole) == value), -1
        )

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        self.setCurrentRow(index)

    def currentData(self) -> str | None:  # noqa: N802
        line = self.currentItem()
        return line.data(Qt.ItemDataRole.UserRole) if line is not None and line.isSelected() else None


class AnswerDialog(QDialog):
    """The answer to an item, chosen from its answers with the card's guidance beside each (none
    chosen at first: OK waits for one), with a reason (needed to override an automatic item, or
    to change a submitted review, where it is logged); or an agent's dispute with a note."""

    def __init__(
        self,
        parent: QWidget,
        item: ItemScore,
        values: list[str],
        *,
        title: str,
        need_text: bool,
        guidance: dict[str, str] | None = None,
        need_value: bool = False,
        logged: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.need_text = need_text
        self.need_value = need_value
        self.value = AnswerList(values, guidance or {})
        self.value.itemSelectionChanged.connect(self._check)
        self.value.returned.connect(self._accept_if_ready)
        self.value.itemDoubleClicked.connect(lambda _line: self._accept_if_ready())
        self.text = QLineEdit()
        self.text.setAccessibleName("Reason")
        self.text.textChanged.connect(self._check)
        form = QFormLayout(self)
        # Plain text: an item's words are shown as written ("the customer's", not an entity).
        what = QLabel(item.text)
        what.setTextFormat(Qt.TextFormat.PlainText)
        what.setWordWrap(True)
        form.addRow("Item", what)
        if item.kind == "auto":
            found = QLabel(f"{item.detail or '–'} → {value_text(item.auto_result)}")
            found.setTextFormat(Qt.TextFormat.PlainText)
            found.setWordWrap(True)
            form.addRow("The rule found", found)
        if item.result is not None:
            form.addRow("Now", QLabel(value_text(item.result)))
        form.addRow("Answer", self.value)
        label = "Reason" if need_text else "Note"
        if logged:
            label = "Reason (logged)"
            self.text.setPlaceholderText("The review was submitted: say why the score changes")
        form.addRow(label, self.text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.resize(560, self.sizeHint().height())
        self.value.setFocus()
        self._check()

    def ready(self) -> bool:
        return (bool(self.text.text().strip()) or not self.need_text) and (
            self.value.currentData() is not None or not self.need_value
        )

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.ready())

    def _accept_if_ready(self) -> None:
        if self.ready():
            self.accept()
        elif self.need_text:
            self.text.setFocus()


class CalibrationDialog(QDialog):
    """Each grader's answers side by side with the rules'; rows where they differ stand out."""

    def __init__(self, parent: QWidget, doc: Calibration) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Calibration: {doc.card} v{doc.version}")
        graders = doc.graders
        self.table = QTableWidget(len(doc.items) + 1, 2 + len(graders))
        self.table.setHorizontalHeaderLabels(["Item", "Rule", *graders])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        differ = QBrush(QColor("#fff3cd"))
        for r, item in enumerate(doc.items):
            cells = [item.text, value_text(item.auto)]
            cells += [value_text(item.answers[g]) + (" ✎" if item.answered[g] else "") for g in graders]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if item.differs:
                    cell.setBackground(differ)
                self.table.setItem(r, c, cell)
        last = len(doc.items)
        self.table.setItem(last, 0, QTableWidgetItem("Total"))
        for c, g in enumerate(graders, 2):
            t = doc.totals[g]
            self.table.setItem(last, c, QTableWidgetItem(f"{t.total:g} {'✓' if t.passed else '✗'}"))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        summary = QLabel(
            f"{len(graders)} grader(s); {doc.differences} item(s) differ (highlighted). "
            "✎ marks a grader's own answer; elsewhere the rule's counts."
            if graders
            else "No one has graded this call yet."
        )
        summary.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table)
        layout.addWidget(close)
        self.resize(760, 520)


class ScorePanel(QWidget):
    """The Scorecard tab of the review page."""

    seekRequested = Signal(float)
    evidenceChosen = Signal(float, float)  # a span to show on the timeline
    scoreChanged = Signal(int)  # call id
    conflicted = Signal(int)  # call id: someone else changed the call; show it as it is now

    def __init__(
        self,
        library: Library,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
        *,
        library_worker: LibraryWorker | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.undo_stack = undo_stack
        self.call_id: int | None = None
        self.card: str | None = None
        self.score: CallScore | None = None
        self.agent: str | None = None  # self-review: the agent's name
        self.signer = ""  # the person's name, from their profile (the window sets it)
        self.dialog: QDialog | None = None  # the dialog open now (tests reach it here)
        self.scorecard: Scorecard | None = None  # the version of the card the score was made with
        self._cards: list[ScorecardSummary] = []  # every card's latest version, as last read
        # where the panel's reads and changes run (the review page gives it the window's)
        self.library_worker = library_worker or LibraryWorker(library.path, self, shares=library)
        self.reads = LatestReads(
            lambda: self.library_worker, lambda error: QMessageBox.warning(self, "Reviewer", str(error))
        )

        self.cards = QComboBox()
        self.cards.setAccessibleName("Scorecard")
        self.cards.activated.connect(lambda _: self._card_chosen())
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setAccessibleName("Score")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(5)
        # The marks (⚙ rule, ✎ a person's answer, ⚑ disputed) have a column of their own, so a
        # long item text never hides them.
        self.tree.setHeaderLabels(["Item", "Result", "Points", "Evidence", "By"])
        self.tree.headerItem().setToolTip(4, "⚙ scored by a rule, ✎ answered by a person, ⚑ disputed")
        self.tree.setAccessibleName("Scorecard items")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 3, 4):
            self.tree.header().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._show_item())
        self.tree.itemDoubleClicked.connect(lambda *_: self._seek_first())
        for key in ("Return", "Enter"):  # Enter on an item: answer it (a coach) or dispute it (an agent)
            enter = QShortcut(QKeySequence(key), self.tree, context=Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(lambda: self.open_dispute() if self.agent else self.open_answer())
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAccessibleName("Item details")
        self.detail.linkActivated.connect(self._link)
        self.detail.setMinimumHeight(60)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.answer_button = QPushButton("Answer…")
        self.answer_button.setAccessibleName("Answer or override the item")
        self.answer_button.clicked.connect(self.open_answer)
        self.clear_button = QPushButton("Take my answer back")
        self.clear_button.clicked.connect(self.clear_answer)
        self.dispute_button = QPushButton("Dispute…")
        self.dispute_button.setAccessibleName("Dispute the item")
        self.dispute_button.clicked.connect(self.open_dispute)
        self.accept_button = QPushButton("Accept dispute")
        self.accept_button.clicked.connect(lambda: self.resolve(True))
        self.reject_button = QPushButton("Reject dispute…")
        self.reject_button.clicked.connect(lambda: self.open_reject())
        self.submit_button = QPushButton("Submit review")
        self.submit_button.setAccessibleName("Submit the review: the score becomes final")
        self.submit_button.setToolTip(
            "The agent sees the review; a later change needs a reason (Ctrl+Return)"
        )
        self.submit_button.clicked.connect(self.submit)
        self.acknowledge_button = QPushButton("Acknowledge review")
        self.acknowledge_button.setToolTip("Tell the coach you have read the review")
        self.acknowledge_button.clicked.connect(self.acknowledge)
        self.review_line = QLabel()
        self.review_line.setAccessibleName("Review status")
        self.calibration_button = QPushButton("Calibration…")
        self.calibration_button.setAccessibleName("Graders side by side")
        self.calibration_button.clicked.connect(self.open_calibration)

        top = QHBoxLayout()
        top.addWidget(self.cards, 1)
        top.addWidget(self.review_line)
        top.addStretch(1)
        top.addWidget(self.submit_button)
        top.addWidget(self.acknowledge_button)
        top.addWidget(self.calibration_button)
        buttons = QHBoxLayout()
        for b in (
            self.answer_button,
            self.clear_button,
            self.dispute_button,
            self.accept_button,
            self.reject_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self._update_buttons()

    # -- who is looking ----------------------------------------------------------------------

    @property
    def grader(self) -> str:
        """Who signs this app's answers: the profile's name (the window sets it), else the login."""
        return self.signer or user_name() or "coach"

    def set_agent(self, agent: str | None) -> None:
        """Self-review: the agent sees the score and its evidence and may dispute; no answers."""
        self.agent = agent
        self._update_buttons()

    # -- loading -----------------------------------------------------------------------------

    def set_call(self, call_id: int | None) -> None:
        cards = actions.scores.scorecards(self.library) if call_id is not None else []
        self._set_cards(call_id, cards)
        self.refresh()

    def show_loaded(
        self,
        call_id: int,
        cards: list[ScorecardSummary],
        score: CallScore | None,
        scorecard: Scorecard | None = None,
    ) -> None:
        """The call's scorecards and its score on the chosen one, read on the library thread
        (:func:`load_scores`)."""
        self._set_cards(call_id, cards)
        self.scorecard = scorecard
        self.refresh(score=score)

    def _set_cards(self, call_id: int | None, cards: list[ScorecardSummary]) -> None:
        self.call_id = call_id
        self._cards = cards if call_id is not None else []
        self.cards.clear()
        names = [c.name for c in cards] if call_id is not None else []
        default = next((c.name for c in cards if c.default), None)
        for name in names:
            self.cards.addItem(name, name)
        if self.card not in names:
            self.card = default or (names[0] if names else None)
        if self.card:
            self.cards.setCurrentIndex(self.cards.findData(self.card))
        self.cards.setVisible(len(names) > 1)

    def _card_chosen(self) -> None:
        """Another scorecard picked: the call's score on it, read on the library thread."""
        self.card = self.cards.currentData()
        self.reload()

    def refresh(self, keep: str | None = None, *, score: CallScore | None = None) -> None:
        """Show the call's score on the chosen card (``score``: already read, else read now)."""
        keep = keep or self.current_item_id()
        self.tree.clear()
        self.score = None
        if self.call_id is None or self.card is None:
            self.heading.setText("No scorecard in this library (Scorecards → Edit to make one).")
            self._show_item()
            return
        self.score = s = score or actions.scores.score(self.library, self.call_id, self.card)
        colour = PROVISIONAL_COLOUR if s.state == "provisional" else PASS_COLOUR if s.passed else FAIL_COLOUR
        extra = [f"auto-fail: “{t}”" for t in s.auto_failed_texts]
        if s.state == "provisional" and s.lowest != s.highest:
            extra.append(f"the answers to come could take it anywhere from {s.lowest:g} to {s.highest:g}")
        extra.append(s.how_reached())
        self.review_line.setText(review_words(s.review))
        self.heading.setText(
            f"<b>{escape(s.card)}</b> v{s.version}: "
            f"<span style='font-size:15pt'><b>{s.total:g}</b></span> / 100 "
            f"<b style='color:{colour}'>{escape(s.verdict)}</b> (pass mark {s.pass_mark:g})"
            + "".join(f"<br><span style='color:#555'>{escape(x)}</span>" for x in extra)
        )
        subtotals = {x.title: x for x in s.sections}
        section_item = None
        section = None
        chosen = None
        for item in s.items:
            if item.section != section:
                section = item.section
                sub = subtotals.get(section)
                percent = sub.percent if sub else None
                section_item = QTreeWidgetItem(
                    [
                        f"{section}  (weight {sub.weight if sub else 0:g} of 100)",
                        "" if percent is None else f"{percent:g} %",
                        "" if not (sub and sub.most) else f"{sub.got:g}/{sub.most:g}",
                        "",
                        "",
                    ]
                )
                font = section_item.font(0)
                font.setBold(True)
                section_item.setFont(0, font)
                section_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(section_item)
            marks = []
            if item.kind == "auto":
                marks.append("⚙")
            if item.person:
                marks.append("✎")
            if item.dispute and item.dispute.status == "open":
                marks.append("⚑")
            row = QTreeWidgetItem(
                [
                    "   " + item.text + ("  (auto-fail)" if item.auto_fail else ""),
                    value_text(item.result),
                    "" if item.points is None else f"{item.points:g}/{item.max_points:g}",
                    ", ".join(clock(e.start) for e in item.evidence[:4])
                    + (" …" if len(item.evidence) > 4 else ""),
                    " ".join(marks),
                ]
            )
            row.setToolTip(4, "⚙ scored by a rule, ✎ answered by a person, ⚑ disputed")
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
            if item.result in ("no", "1", "0") or (item.auto_fail and item.result == "no"):
                row.setForeground(1, QBrush(QColor(FAIL_COLOUR)))
            elif item.result is None:
                row.setForeground(1, QBrush(QColor("#8a6d00")))
            row.setToolTip(0, item.detail or ("Answered by a grader" if item.kind == "manual" else ""))
            self.tree.addTopLevelItem(row)
            if item.id == keep:
                chosen = row
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        self._show_item()

    # -- the chosen item ---------------------------------------------------------------------

    def current_item_id(self) -> str | None:
        row = self.tree.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None

    def current_item(self) -> ItemScore | None:
        item_id = self.current_item_id()
        if self.score is None or item_id is None:
            return None
        return next((i for i in self.score.items if i.id == item_id), None)

    def select_item(self, item_id: str) -> None:
        for n in range(self.tree.topLevelItemCount()):
            row = self.tree.topLevelItem(n)
            if row.data(0, Qt.ItemDataRole.UserRole) == item_id:
                self.tree.setCurrentItem(row)
                return
        raise KeyError(item_id)

    def _show_item(self) -> None:
        item = self.current_item()
        if item is None:
            self.detail.setText(
                "<span style='color:#555'>Choose an item to see its evidence. ⚙ scored by a rule, "
                "✎ answered by a person, ⚑ disputed.</span>"
                if self.score
                else ""
            )
            self._update_buttons()
            return
        lines = [f"<b>{escape(item.text)}</b>" + (" <i>(auto-fail)</i>" if item.auto_fail else "")]
        if item.kind == "auto":
            lines.append(f"Rule: {escape(item.detail)} → <b>{value_text(item.auto_result)}</b>")
        if item.evidence:
            links = ", ".join(f"<a href='seek:{e.start}:{e.end}'>{clock(e.start)}</a>" for e in item.evidence)
            lines.append(f"Evidence: {links}")
        if item.override:
            o = item.override
            lines.append(
                f"Overridden by {escape(o.grader)}: <b>{value_text(o.value)}</b> — {escape(o.reason)}"
            )
        if item.answered_by:
            lines.append(f"Answered by {escape(item.answered_by.grader)}")
        if item.dispute:
            d = item.dispute
            reply = f" — {escape(d.resolved_by)}: {escape(d.reply)}" if d.reply else ""
            lines.append(f"Disputed by {escape(d.author or '')} ({d.status}): {escape(d.text)}{reply}")
        self.detail.setText("<br>".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.current_item()
        coach = self.agent is None
        open_dispute = bool(item and item.dispute and item.dispute.status == "open")
        mine = bool(item and item.person and item.person.grader == self.grader)
        self.answer_button.setVisible(coach)
        self.answer_button.setEnabled(item is not None)
        self.answer_button.setText("Override…" if item and item.kind == "auto" else "Answer…")
        self.clear_button.setVisible(coach)
        self.clear_button.setEnabled(mine)
        self.dispute_button.setVisible(not coach)
        self.dispute_button.setEnabled(item is not None and not open_dispute)
        self.accept_button.setVisible(coach and open_dispute)
        self.reject_button.setVisible(coach and open_dispute)
        self.calibration_button.setVisible(coach)
        review = self.score.review if self.score else None
        final = bool(review and review.final)
        self.submit_button.setVisible(coach and self.score is not None and not final)
        self.submit_button.setEnabled(bool(self.score) and not self.score.unanswered)
        self.submit_button.setToolTip(
            f"Answer the {self.score.unanswered} item(s) still open first"
            if self.score and self.score.unanswered
            else "The agent sees the review; a later change needs a reason (Ctrl+Return)"
        )
        self.acknowledge_button.setVisible(not coach and bool(review and review.status == "submitted"))

    def _link(self, href: str) -> None:
        _, start, end = href.split(":")
        self.evidenceChosen.emit(float(start), float(end))
        self.seekRequested.emit(float(start))

    def _seek_first(self) -> None:
        item = self.current_item()
        if item and item.evidence:
            self._link(f"seek:{item.evidence[0].start}:{item.evidence[0].end}")

    # -- changes -----------------------------------------------------------------------------

    def reload(self) -> None:
        """The scorecards changed (a new version saved, trackers rescored): the cards and the
        score as the library thread reads them."""
        call_id, card = self.call_id, self.card
        if call_id is None:
            self.set_call(None)
            return

        def show(read: tuple) -> None:
            if call_id == self.call_id:
                self.show_loaded(call_id, *read)

        self.library_worker.submit(lambda library: load_scores(library, call_id, card), show)

    def latest_card(self) -> Scorecard | None:
        """The shown card's latest version, if the panel already has it (else None)."""
        card = self.scorecard
        latest = next((c for c in self._cards if c.name == self.card), None)
        if card is None or latest is None or latest.version != card.version:
            return None
        return card

    def changed(self, call_id: int) -> None:
        """The call's score changed: shown as the library thread reads it."""
        card = self.card

        def show(read: tuple) -> None:
            if call_id == self.call_id:
                self.show_loaded(call_id, *read)
            self.scoreChanged.emit(call_id)

        self.library_worker.submit(lambda library: load_scores(library, call_id, card), show)

    def _with_card(self, then: Callable[[Scorecard], QDialog]) -> QDialog | None:
        """``then(card)`` with the version of the card the score was made with (an item's
        answers and guidance): at once with the one read with the score (its dialog returned),
        else once the library thread has read that version (None returned; the dialog is
        ``dialog`` then), unless the panel moved on meanwhile."""
        assert self.card is not None and self.score is not None
        card = self.scorecard
        if card is not None and card.name == self.card and card.version == self.score.version:
            return then(card)
        call_id, name, version = self.call_id, self.card, self.score.version

        def read(library: Library) -> Scorecard:
            return actions.scores.scorecard(library, name, version)

        def got(card: Scorecard) -> None:
            score = self.score
            if (
                self.call_id == call_id
                and self.card == name
                and score is not None
                and score.version == version
            ):
                self.scorecard = card
                then(card)

        self.reads.read("card version", read, got)
        return None

    def open_answer(self) -> AnswerDialog | None:
        """The Answer (or Override) dialog for the chosen item: nothing pre-chosen, the card's
        guidance beside each answer; on a submitted review a reason is needed and logged. None
        while the card's version is read (``dialog`` once it opens)."""
        item = self.current_item()
        if item is None:
            return None
        return self._with_card(lambda card: self._answer_dialog(item, card))

    def _answer_dialog(self, item: ItemScore, card: Scorecard) -> AnswerDialog:
        auto = item.kind == "auto"
        final = bool(self.score and self.score.review and self.score.review.final)
        dialog = AnswerDialog(
            self,
            item,
            card.item(item.id).values(),
            title="Override the rule" if auto else "Answer the item",
            need_text=auto or final,
            guidance=dict(card.item(item.id).guidance),
            need_value=True,
            logged=final,
        )
        dialog.accepted.connect(lambda: self.answer(item.id, dialog.value.currentData(), dialog.text.text()))
        self._show_dialog(dialog)
        return dialog

    def answer_next(self) -> AnswerDialog | None:
        """The next item without an answer (after the chosen one, else from the top), answered."""
        if self.score is None or self.agent:
            return None
        ids = [i.id for i in self.score.items]
        start = ids.index(self.current_item_id()) + 1 if self.current_item_id() in ids else 0
        order = ids[start:] + ids[:start]
        waiting = next((i for i in order if self._item(i).result is None), None)
        if waiting is None:
            return None
        self.select_item(waiting)
        return self.open_answer()

    def _item(self, item_id: str) -> ItemScore:
        assert self.score is not None
        return next(i for i in self.score.items if i.id == item_id)

    def submit(self) -> bool:
        """Submit the review: its score is final from now on and the agent sees it."""
        call_id = self.call_id
        if self.agent or call_id is None:
            return False
        return self.change(
            lambda library: actions.review.submit_review(library, call_id),
            lambda _state: None,
            lambda error: QMessageBox.warning(self, "Reviewer", str(error)),
        )

    def acknowledge(self) -> bool:
        """The agent says they have read the submitted review."""
        call_id = self.call_id
        return self.change(
            lambda library: actions.review.acknowledge_review(library, call_id),
            lambda _state: None,
            lambda error: QMessageBox.warning(self, "Reviewer", str(error)),
        )

    def change(
        self,
        work: Callable[[Library], Any],
        made: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> bool:
        """A change of the call's score: ``work(library)`` on the library thread and, in the same
        trip, the score as it then is; the panel shows it, then ``made(result)``. What the
        library refuses goes to ``failed(error)`` (else it is said in a message). Returns
        whether it was asked for (a call is shown)."""
        call_id, card = self.call_id, self.card
        if call_id is None:
            return False

        def run(library: Library) -> tuple[Any, tuple]:
            result = work(library)
            return result, load_scores(library, call_id, card)

        def done(value: tuple[Any, tuple]) -> None:
            result, read = value
            made(result)
            if self.call_id == call_id:
                self.show_loaded(call_id, *read)
            self.scoreChanged.emit(call_id)

        def wrong(error: BaseException) -> None:
            if failed is not None:
                failed(error)
                return
            if isinstance(error, ConflictError):
                self.conflicted.emit(call_id)
            QMessageBox.warning(self, "Reviewer", str(error))

        self.library_worker.submit(run, done, wrong, writes=True)
        return True

    def answer(self, item_id: str, value: str | None, reason: str = "") -> bool:
        """A coach's answer (undoable); what the library refuses is said, nothing changes.
        Made on the library thread; the command joins the stack once the library took it."""
        if self.call_id is None:
            return False
        command = AnswerItem(self, item_id, value, reason.strip())

        def made(previous: ScoreAnswer | None) -> None:
            command.previous = previous
            self.undo_stack.push(command)

        return self.change(command.apply, made)

    def clear_answer(self) -> None:
        item = self.current_item()
        if item is not None:
            self.answer(item.id, None)

    def open_dispute(self) -> AnswerDialog | None:
        """The agent's Dispute dialog for the chosen item (None while the card's version is
        read, as :meth:`open_answer`)."""
        item = self.current_item()
        if item is None:
            return None
        return self._with_card(lambda card: self._dispute_dialog(item, card))

    def _dispute_dialog(self, item: ItemScore, card: Scorecard) -> AnswerDialog:
        values = card.item(item.id).values()
        dialog = AnswerDialog(self, item, values, title="Dispute the item", need_text=True)
        others = [v for v in values if v != item.result]
        if others:
            dialog.value.setCurrentIndex(dialog.value.findData(others[0]))
        dialog.accepted.connect(lambda: self.dispute(item.id, dialog.text.text(), dialog.value.currentData()))
        self._show_dialog(dialog)
        return dialog

    def dispute(self, item_id: str, text: str, value: str | None = None) -> bool:
        if self.call_id is None:
            return False
        call_id, card, author = self.call_id, self.card, self.agent or user_name() or "agent"
        return self.change(
            lambda library: actions.scores.dispute_item(
                library, call_id, item_id, text, author=author, value=value, card=card
            ),
            lambda _result: None,
            lambda error: QMessageBox.warning(self, "Reviewer", str(error)),
        )

    def open_reject(self) -> QDialog | None:
        item = self.current_item()
        if item is None:
            return None
        dialog = QDialog(self)
        dialog.setWindowTitle("Reject the dispute")
        reply = QLineEdit()
        reply.setAccessibleName("Reply")
        form = QFormLayout(dialog)
        form.addRow("Dispute", QLabel(escape(item.dispute.text if item.dispute else "")))
        form.addRow("Reply", reply)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        dialog.reply = reply  # type: ignore[attr-defined]
        dialog.accepted.connect(lambda: self.resolve(False, reply.text()))
        self._show_dialog(dialog)
        return dialog

    def resolve(self, accept: bool, text: str = "") -> bool:
        item = self.current_item()
        if item is None or self.call_id is None:
            return False
        call_id, card, grader, item_id = self.call_id, self.card, self.grader, item.id
        return self.change(
            lambda library: actions.scores.resolve_dispute(
                library, call_id, item_id, accept=accept, text=text, grader=grader, card=card
            ),
            lambda _result: None,
            lambda error: QMessageBox.warning(self, "Reviewer", str(error)),
        )

    def open_calibration(self) -> None:
        """The graders side by side, once the library thread has read them (``dialog``)."""
        if self.call_id is None or self.card is None:
            return
        call_id, card = self.call_id, self.card

        def show(doc: Calibration) -> None:
            if call_id == self.call_id:
                self._show_dialog(CalibrationDialog(self, doc))

        self.library_worker.submit(
            lambda library: actions.scores.calibration(library, call_id, card),
            show,
            lambda error: QMessageBox.warning(self, "Reviewer", str(error)),
        )

    def _show_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _: setattr(self, "dialog", None))
        dialog.open()
