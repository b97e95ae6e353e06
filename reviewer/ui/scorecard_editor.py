"""The scorecard editor: a form, not a text box. Sections and items in a tree on the left, the
chosen one's fields on the right (an item's rule as a measure and its parameters), the card's
name and pass mark on top. Saving checks the whole card as the command line does, stores a new
version and scores every call with it off the UI thread, with progress and a Cancel that
leaves the library as it was."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer import actions
from reviewer.analysis.scoring import (
    DEFAULT_OUTCOMES,
    ITEM_TYPES,
    MEASURE_REGISTRY,
    Scorecard,
    ScorecardError,
    parse_scorecard,
)
from reviewer.labels import OUTCOME_NAMES, SENTIMENT_CHANGES
from reviewer.library.store import Library, open_library
from reviewer.progress import CancelToken
from reviewer.requests import ANY, request_kinds
from reviewer.ui.worker import Job, Work, Worker

MANUAL = "(answered by a coach)"
TYPE_NAMES = {"yesno": "Yes / No", "scale": "Scale 1–5", "points": "Points"}
SIDES = {"agent": "Agent", "customer": "Customer", "both": "Either"}


def item_label(item: dict, has_rule: bool) -> str:
    """An item's line in the card's tree: its words, ⚙ where a rule answers it, and "(auto-fail)"
    in words (an emoji mark shows as an empty box where no emoji font is installed)."""
    text = item.get("text") or item.get("id") or "Item"
    return text + (" ⚙" if has_rule else "") + (" (auto-fail)" if item.get("auto_fail") else "")


class RequestKinds(QListWidget):
    """A refusal rule's requests: tick several kinds, or "Any request" for all of them."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.setAccessibleName("Requests")
        chosen = [value] if isinstance(value, str) else list(value or [])
        every = not chosen or ANY in chosen
        self.any = QListWidgetItem("Any request")
        self.any.setCheckState(Qt.CheckState.Checked if every else Qt.CheckState.Unchecked)
        self.addItem(self.any)
        for kind in request_kinds().values():
            row = QListWidgetItem(f"{kind.label} ({kind.id})")
            row.setData(Qt.ItemDataRole.UserRole, kind.id)
            row.setCheckState(Qt.CheckState.Checked if kind.id in chosen else Qt.CheckState.Unchecked)
            self.addItem(row)
        self.setFixedHeight(150)
        self.itemChanged.connect(self._ticked)

    def _ticked(self, row: QListWidgetItem) -> None:
        self.blockSignals(True)
        if row is self.any and row.checkState() == Qt.CheckState.Checked:
            for n in range(1, self.count()):
                self.item(n).setCheckState(Qt.CheckState.Unchecked)
        elif row is not self.any:
            self.any.setCheckState(Qt.CheckState.Checked if not self.kinds() else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def kinds(self) -> list[str]:
        """The ticked kinds; ["any"] when none (or "Any request") is ticked."""
        out = [
            self.item(n).data(Qt.ItemDataRole.UserRole)
            for n in range(1, self.count())
            if self.item(n).checkState() == Qt.CheckState.Checked
        ]
        return out or [ANY]


class Choices(QListWidget):
    """A rule's list of allowed values (an outcome rule's outcomes, a sentiment rule's changes):
    tick one or more; none ticked keeps the rule's default."""

    def __init__(self, name: str, options: dict[str, str], value: object, default: tuple[str, ...]) -> None:
        super().__init__()
        self.setAccessibleName(name)
        chosen = [value] if isinstance(value, str) else list(value or default)
        for key, words in options.items():
            row = QListWidgetItem(words)
            row.setData(Qt.ItemDataRole.UserRole, key)
            row.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            self.addItem(row)
        self.setFixedHeight(22 * len(options) + 8)

    def values(self) -> list[str]:
        return [
            self.item(n).data(Qt.ItemDataRole.UserRole)
            for n in range(self.count())
            if self.item(n).checkState() == Qt.CheckState.Checked
        ]


# The lists of values a rule's parameter takes: (the options in words, the rule's default).
CHOICES = {
    "ends": (OUTCOME_NAMES, DEFAULT_OUTCOMES),
    "allow": ({c: c for c in SENTIMENT_CHANGES}, ("better", "same")),
}


def save_work(library_path: str, card: Scorecard) -> Work:
    """Store the card and score every call with it, as the worker runs it on a library
    connection of its own. A cancel is raised from inside the library's transaction (between
    calls), so the card and the scores stay as they were."""

    def work(progress: Callable[[tuple[int, int]], None], cancel: CancelToken) -> tuple[Scorecard, bool]:
        def report(n: int, total: int) -> None:
            cancel.check()
            progress((n, total))

        with open_library(library_path) as library:
            return actions.scores.save_scorecard(library, card, progress=report)

    return work


class ScorecardEditor(QDialog):
    saved = Signal(object)  # the stored Scorecard

    def __init__(self, library: Library, card: Scorecard | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle(f"Scorecard: {card.name} v{card.version}" if card else "New scorecard")
        self.doc: dict[str, Any] = copy.deepcopy(card.to_dict()) if card else _blank()
        self.original_name = card.name if card else None
        self._loading = False
        self.worker = Worker(self, name="reviewer-scorecard")
        self.job: Job | None = None
        self.progress_dialog: QProgressDialog | None = None

        # the card
        self.name = QLineEdit(self.doc["name"])
        self.name.setAccessibleName("Scorecard name")
        self.description = QLineEdit(self.doc.get("description", ""))
        self.pass_mark = QDoubleSpinBox()
        self.pass_mark.setRange(0, 100)
        self.pass_mark.setDecimals(0)
        self.pass_mark.setValue(float(self.doc["pass_mark"]))
        self.pass_mark.setAccessibleName("Pass mark")
        head = QFormLayout()
        head.addRow("Name", self.name)
        head.addRow("Description", self.description)
        head.addRow("Pass mark", self.pass_mark)

        # the tree
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Sections and items", "Weight"])
        self.tree.setAccessibleName("Sections and items")
        self.tree.currentItemChanged.connect(lambda *_: self._show_current())
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        add_section = QPushButton("Add section")
        add_section.clicked.connect(self.add_section)
        add_item = QPushButton("Add item")
        add_item.clicked.connect(self.add_item)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        up = QPushButton("↑")
        up.setAccessibleName("Move up")
        up.clicked.connect(lambda: self.move_current(-1))
        down = QPushButton("↓")
        down.setAccessibleName("Move down")
        down.clicked.connect(lambda: self.move_current(+1))
        tree_buttons = QHBoxLayout()
        for b in (add_section, add_item, self.remove_button, up, down):
            tree_buttons.addWidget(b)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addLayout(tree_buttons)

        # the chosen section or item
        self.forms = QStackedWidget()
        self.forms.addWidget(QLabel("Choose a section or an item to edit it."))
        self.section_form = self._section_form()
        self.item_form = self._item_form()
        self.forms.addWidget(self.section_form)
        self.forms.addWidget(self.item_form)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.forms)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)

        self.weights = QLabel()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828")
        self.problem.setAccessibleName("Problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.weights)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(980, 640)
        self._fill_tree()

    # -- forms -------------------------------------------------------------------------------

    def _section_form(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.s_id = QLineEdit()
        self.s_title = QLineEdit()
        self.s_title.setAccessibleName("Section title")
        self.s_weight = QDoubleSpinBox()
        self.s_weight.setRange(0, 100)
        self.s_weight.setDecimals(1)
        self.s_weight.setAccessibleName("Section weight")
        form.addRow("Id", self.s_id)
        form.addRow("Title", self.s_title)
        form.addRow("Weight (sections add up to 100)", self.s_weight)
        for edit in (self.s_id, self.s_title):
            edit.textEdited.connect(lambda _: self._section_changed())
        self.s_weight.valueChanged.connect(lambda _: self._section_changed())
        return w

    def _item_form(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.i_id = QLineEdit()
        self.i_id.setAccessibleName("Item id")
        self.i_text = QLineEdit()
        self.i_text.setAccessibleName("Item text")
        self.i_type = QComboBox()
        for t in ITEM_TYPES:
            self.i_type.addItem(TYPE_NAMES[t], t)
        self.i_weight = QDoubleSpinBox()
        self.i_weight.setRange(0, 100)
        self.i_weight.setDecimals(1)
        self.i_weight.setAccessibleName("Item weight")
        self.i_points = QSpinBox()
        self.i_points.setRange(1, 100)
        self.i_auto_fail = QCheckBox("Failing it fails the whole call (auto-fail)")
        self.i_na = QCheckBox("N/A allowed")
        self.i_guidance = QPlainTextEdit()
        self.i_guidance.setAccessibleName("Guidance")
        self.i_guidance.setPlaceholderText(
            "What each answer means, one a line:\n5: …\n3: …\n1: …  (or yes: … / no: …)"
        )
        self.i_guidance.setFixedHeight(96)
        self.i_measure = QComboBox()
        self.i_measure.setAccessibleName("Rule")
        self.i_measure.addItem(MANUAL, "")
        for m in MEASURE_REGISTRY.values():
            self.i_measure.addItem(m.label, m.name)
        self.params_box = QWidget()
        self.params = QFormLayout(self.params_box)
        self.params.setContentsMargins(0, 0, 0, 0)
        self.param_widgets: dict[str, QWidget] = {}
        form.addRow("Id", self.i_id)
        form.addRow("Question", self.i_text)
        form.addRow("Type", self.i_type)
        form.addRow("Weight", self.i_weight)
        form.addRow("Points", self.i_points)
        form.addRow("", self.i_auto_fail)
        form.addRow("", self.i_na)
        form.addRow("Guidance", self.i_guidance)
        form.addRow("Scored by", self.i_measure)
        form.addRow(self.params_box)
        for edit in (self.i_id, self.i_text):
            edit.textEdited.connect(lambda _: self._item_changed())
        self.i_type.activated.connect(lambda _: self._item_changed())
        self.i_weight.valueChanged.connect(lambda _: self._item_changed())
        self.i_points.valueChanged.connect(lambda _: self._item_changed())
        self.i_auto_fail.toggled.connect(lambda _: self._item_changed())
        self.i_na.toggled.connect(lambda _: self._item_changed())
        self.i_guidance.textChanged.connect(self._item_changed)
        self.i_measure.activated.connect(lambda _: self._measure_changed())
        return w

    def _build_params(self, measure: str, values: dict[str, Any]) -> None:
        while self.params.rowCount():
            self.params.removeRow(0)
        self.param_widgets = {}
        spec = MEASURE_REGISTRY.get(measure)
        for key, (kinds, what) in (spec.params if spec else {}).items():
            value = values.get(key)
            if key == "side":
                w = QComboBox()
                for side in spec.sides:
                    w.addItem(SIDES[side], side)
                default = {"longest_monologue": "both", "sentiment": "customer"}.get(measure, "agent")
                w.setCurrentIndex(w.findData(value or default))
                w.activated.connect(lambda _: self._item_changed())
            elif key == "request":
                w = RequestKinds(value)
                w.itemChanged.connect(lambda _: self._item_changed())
            elif key in CHOICES:
                options, default_values = CHOICES[key]
                w = Choices(f"Rule {key}", options, value, default_values)
                w.itemChanged.connect(lambda _: self._item_changed())
            elif kinds is bool:
                w = QCheckBox("passes when said (untick: when never said)" if key == "said" else what)
                w.setChecked(True if value is None else bool(value))
                w.toggled.connect(lambda _: self._item_changed())
            elif kinds is list:
                w = QPlainTextEdit("\n".join(value or []))
                w.setPlaceholderText("one phrase per line")
                w.setFixedHeight(90)
                w.textChanged.connect(self._item_changed)
            else:
                w = QLineEdit(
                    "" if value is None else f"{value:g}" if isinstance(value, int | float) else str(value)
                )
                w.setPlaceholderText(what)
                w.textEdited.connect(lambda _: self._item_changed())
            w.setToolTip(what)
            w.setAccessibleName(f"Rule {key}")
            self.param_widgets[key] = w
            self.params.addRow(key.replace("_", " ").capitalize(), w)

    # -- the tree ----------------------------------------------------------------------------

    def _fill_tree(self, select: tuple[int, int | None] | None = None) -> None:
        self._loading = True
        self.tree.clear()
        target = None
        for si, s in enumerate(self.doc["sections"]):
            top = QTreeWidgetItem([s.get("title") or s.get("id") or "Section", f"{s.get('weight', 0):g}"])
            top.setData(0, Qt.ItemDataRole.UserRole, (si, None))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.tree.addTopLevelItem(top)
            if select == (si, None):
                target = top
            for ii, item in enumerate(s.get("items", [])):
                weight = item.get("points") if item.get("type") == "points" else item.get("weight", 1)
                child = QTreeWidgetItem([item_label(item, bool(item.get("rule"))), f"{weight:g}"])
                child.setData(0, Qt.ItemDataRole.UserRole, (si, ii))
                top.addChild(child)
                if select == (si, ii):
                    target = child
        self.tree.expandAll()
        self._loading = False
        if target is not None:
            self.tree.setCurrentItem(target)
        self._show_current()
        self._update_weights()

    def current(self) -> tuple[int, int | None] | None:
        row = self.tree.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None

    def select(self, section: int, item: int | None = None) -> None:
        self._fill_tree((section, item))

    def _show_current(self) -> None:
        where = self.current()
        self._loading = True
        if where is None:
            self.forms.setCurrentIndex(0)
        elif where[1] is None:
            s = self.doc["sections"][where[0]]
            self.s_id.setText(s.get("id", ""))
            self.s_title.setText(s.get("title", ""))
            self.s_weight.setValue(float(s.get("weight", 0)))
            self.forms.setCurrentWidget(self.section_form)
        else:
            item = self.doc["sections"][where[0]]["items"][where[1]]
            self.i_id.setText(item.get("id", ""))
            self.i_text.setText(item.get("text", ""))
            self.i_type.setCurrentIndex(self.i_type.findData(item.get("type", "yesno")))
            self.i_weight.setValue(float(item.get("weight", 1)))
            self.i_points.setValue(int(item.get("points", 5) or 5))
            self.i_auto_fail.setChecked(bool(item.get("auto_fail", False)))
            self.i_na.setChecked(bool(item.get("na_allowed", True)))
            self.i_guidance.setPlainText(guidance_text(item.get("guidance") or {}))
            rule = dict(item.get("rule") or {})
            self.i_measure.setCurrentIndex(max(0, self.i_measure.findData(rule.pop("measure", ""))))
            self._build_params(self.i_measure.currentData(), rule)
            self._type_shown()
            self.forms.setCurrentWidget(self.item_form)
        self.remove_button.setEnabled(where is not None)
        self._loading = False

    def _type_shown(self) -> None:
        points = self.i_type.currentData() == "points"
        self.i_points.setEnabled(points)
        self.i_weight.setEnabled(not points)

    # -- edits -------------------------------------------------------------------------------

    def _section_changed(self) -> None:
        where = self.current()
        if self._loading or where is None or where[1] is not None:
            return
        s = self.doc["sections"][where[0]]
        s["id"] = self.s_id.text().strip()
        s["title"] = self.s_title.text().strip()
        s["weight"] = _num(self.s_weight.value())
        row = self.tree.currentItem()
        row.setText(0, s["title"] or s["id"] or "Section")
        row.setText(1, f"{s['weight']:g}")
        self._update_weights()

    def _measure_changed(self) -> None:
        if self._loading:
            return
        self._build_params(self.i_measure.currentData(), {})
        self._item_changed()

    def _item_changed(self) -> None:
        where = self.current()
        if self._loading or where is None or where[1] is None:
            return
        self._type_shown()
        item: dict[str, Any] = {
            "id": self.i_id.text().strip(),
            "text": self.i_text.text().strip(),
            "type": self.i_type.currentData(),
        }
        if item["type"] == "points":
            item["points"] = self.i_points.value()
        else:
            item["weight"] = _num(self.i_weight.value())
        if self.i_auto_fail.isChecked():
            item["auto_fail"] = True
        if not self.i_na.isChecked():
            item["na_allowed"] = False
        measure = self.i_measure.currentData()
        if measure:
            item["rule"] = {"measure": measure, **self._param_values()}
        if guidance := parse_guidance_text(self.i_guidance.toPlainText()):
            item["guidance"] = guidance
        self.doc["sections"][where[0]]["items"][where[1]] = item
        row = self.tree.currentItem()
        row.setText(0, item_label(item, bool(measure)))
        row.setText(1, f"{item.get('points', item.get('weight', 1)):g}")
        self.problem.clear()

    def _param_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.param_widgets.items():
            if isinstance(w, RequestKinds):
                out[key] = w.kinds()
            elif isinstance(w, Choices):
                if w.values():
                    out[key] = w.values()
            elif isinstance(w, QComboBox):
                if w.currentData():
                    out[key] = w.currentData()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QPlainTextEdit):
                out[key] = [line.strip() for line in w.toPlainText().splitlines() if line.strip()]
            else:
                text = w.text().strip()
                if text:
                    out[key] = _parse_number(text)
        return out

    def add_section(self) -> None:
        n = len(self.doc["sections"]) + 1
        self.doc["sections"].append(
            {"id": f"section-{n}", "title": f"Section {n}", "weight": 0, "items": [_blank_item(1)]}
        )
        self.select(n - 1)

    def add_item(self) -> None:
        where = self.current()
        si = where[0] if where else len(self.doc["sections"]) - 1
        if si < 0:
            self.add_section()
            return
        ids = {i["id"] for s in self.doc["sections"] for i in s["items"]}
        n = 1
        while f"item-{n}" in ids:
            n += 1
        items = self.doc["sections"][si]["items"]
        items.append(_blank_item(n))
        self.select(si, len(items) - 1)

    def remove_current(self) -> None:
        where = self.current()
        if where is None:
            return
        si, ii = where
        if ii is None:
            del self.doc["sections"][si]
            self._fill_tree((max(0, si - 1), None) if self.doc["sections"] else None)
        else:
            del self.doc["sections"][si]["items"][ii]
            self._fill_tree((si, ii - 1) if ii else (si, None))

    def move_current(self, step: int) -> None:
        where = self.current()
        if where is None:
            return
        si, ii = where
        seq = self.doc["sections"] if ii is None else self.doc["sections"][si]["items"]
        n = si if ii is None else ii
        m = n + step
        if not 0 <= m < len(seq):
            return
        seq[n], seq[m] = seq[m], seq[n]
        self._fill_tree((m, None) if ii is None else (si, m))

    def _update_weights(self) -> None:
        total = sum(float(s.get("weight", 0)) for s in self.doc["sections"])
        ok = abs(total - 100) < 0.01
        colour = "#2e7d32" if ok else "#c62828"
        self.weights.setText(
            f"Section weights add up to <b style='color:{colour}'>{total:g}</b>"
            + ("" if ok else " (they must make 100)")
        )

    # -- saving ------------------------------------------------------------------------------

    def card_doc(self) -> dict[str, Any]:
        doc = copy.deepcopy(self.doc)
        doc["name"] = self.name.text().strip()
        description = self.description.text().strip()
        if description:
            doc["description"] = description
        else:
            doc.pop("description", None)
        doc["pass_mark"] = _num(self.pass_mark.value())
        return doc

    def check(self) -> Scorecard | None:
        """The card as the form has it, or None with its problem shown."""
        try:
            card = parse_scorecard(self.card_doc(), "This scorecard")
        except ScorecardError as e:
            self.problem.setText(str(e))
            return None
        self.problem.clear()
        return card

    def save(self) -> None:
        card = self.check()
        if card is None:
            return
        self.buttons.setEnabled(False)
        self.progress_dialog = QProgressDialog(
            "Scoring every call with the new version…", "Cancel", 0, 0, self
        )
        self.progress_dialog.setWindowTitle("Saving the scorecard")
        self.progress_dialog.setMinimumDuration(300)
        job = self.worker.start(save_work(str(self.library.path), card), unexpected="Could not save")
        self.job = job
        job.progress.connect(lambda counts: self._progress(*counts))
        job.finished.connect(self._saved)
        job.cancelled.connect(
            lambda: self._ended("Saving was cancelled: the scorecard and the scores are as they were.")
        )
        job.failed.connect(self._ended)
        self.progress_dialog.canceled.connect(job.cancel)

    def saving(self) -> bool:
        return self.job is not None and self.job.running()

    def reject(self) -> None:
        """Escape or the window's close button while saving: cancel the save (the dialog stays
        to say so), as the progress dialog's Cancel does."""
        if self.saving():
            assert self.job is not None
            self.job.cancel()
            return
        super().reject()

    def _progress(self, n: int, total: int) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setMaximum(total)
            self.progress_dialog.setValue(n)

    def _ended(self, problem: str | None = None) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.reset()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        self.buttons.setEnabled(True)
        if problem is not None:
            self.problem.setText(problem)

    def _saved(self, result: tuple[Scorecard, bool]) -> None:
        self._ended()
        card, _created = result
        self.saved.emit(card)
        self.accept()


def guidance_text(guidance: dict[str, str]) -> str:
    """An item's guidance as the form shows it: "5: what a 5 means", one answer a line."""
    return "\n".join(f"{value}: {words}" for value, words in guidance.items())


def parse_guidance_text(text: str) -> dict[str, str]:
    """The form's lines back into guidance ("answer: what it means"; a line without an answer
    continues the one before). The card's check names an answer the item does not take."""
    out: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        key, colon, words = line.partition(":")
        if colon and key.strip() and " " not in key.strip():
            last = key.strip().lower()
            out[last] = words.strip()
        elif last is not None and line.strip():
            out[last] = f"{out[last]} {line.strip()}".strip()
    return {k: v for k, v in out.items() if v}


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 3)


def _parse_number(text: str) -> int | float | str:
    try:
        value = float(text)
    except ValueError:
        return text  # the check names it
    return int(value) if value.is_integer() else value


def _blank_item(n: int) -> dict[str, Any]:
    return {"id": f"item-{n}", "text": "", "type": "yesno", "weight": 1}


def _blank() -> dict[str, Any]:
    return {
        "name": "",
        "pass_mark": 80,
        "sections": [{"id": "section-1", "title": "Section 1", "weight": 100, "items": [_blank_item(1)]}],
    }
