"""Trackers in the app: the Trackers dialog (a form to add, edit and remove them, phrase trackers
and concept trackers, the latter with their hits in the library's calls shown live as the
threshold moves (``ui.concept_preview``), with what is wrong with a definition said before
anything is stored), the job that re-applies a
changed tracker to every call through the app's worker with its own library connection (progress,
and a Cancel that rolls the whole change back), and the small filters of the review page's tracker
strip and the library list. The work itself is the library's ``add_tracker`` / ``remove_tracker``,
the same ``reviewer tracker`` runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer import actions
from reviewer.analysis.trackers import (
    SIDE_LABELS,
    SIDES,
    Tracker,
    TrackerHit,
    describe_tracker,
    tracker_problems,
)
from reviewer.library.backend import library_location
from reviewer.progress import CancelToken
from reviewer.ui.concept_preview import ConceptEditor
from reviewer.ui.library_worker import LibraryWorker
from reviewer.ui.worker import Job, Work, Worker

if TYPE_CHECKING:
    from reviewer.library.store import Library

# Distinct from the marker, role and comment colours, and from each other in grey.
TRACKER_PALETTE = ("#00897b", "#8e24aa", "#a1887f", "#d81b60", "#3949ab", "#827717", "#00acc1", "#5d4037")
WINDOWS = (("", "Anywhere in the call"), ("first", "Within the first"), ("last", "Within the last"))
KINDS = (("phrases", "Phrases"), ("concept", "Concept: example sentences"))
CONCEPT_HELP = (
    "A concept tracker finds turns that mean what its examples mean, in any words: give three or "
    "more, one per line. Phrases beside them are hits too. Move the threshold and see what it "
    "finds in the library's newest calls; <i>Save</i> applies it to every call."
)

SYNTAX_HELP = (
    "One phrase per line. Plain words match whatever the punctuation or case; "
    "<code>apologi*</code> matches any ending, <code>(call|line)</code> either word, "
    "<code>recorded ~ quality</code> up to three words in between, <code>(just )?</code> an optional word."
)


def tracker_colours(names: Sequence[str]) -> dict[str, QColor]:
    """A colour per tracker, by its place among the library's trackers (sorted by name), so a
    tracker keeps its colour from call to call."""
    return {n: QColor(TRACKER_PALETTE[i % len(TRACKER_PALETTE)]) for i, n in enumerate(sorted(names))}


def swatch(colour: QColor, size: int = 12) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(colour)
    return QIcon(pm)


# -- the work, off the UI thread ----------------------------------------------------------------


def tracker_work(
    library_path: str | Path, change: Callable[[Library, Callable[[int, int], None]], Any]
) -> Work:
    """One change of the library's trackers as the worker runs it, on a library connection of
    its own (the Library's connection belongs to the UI thread). ``change(library, progress)``
    gets a progress callback that raises ``reviewer.errors.Cancelled`` once Cancel is pressed: raised inside
    the library's transaction, it rolls the whole change back. Progress reaches the worker as
    (calls done, calls in all)."""
    path = library_location(library_path) or library_path

    def work(progress: Callable[[tuple[int, int]], None], cancel: CancelToken) -> Any:
        from reviewer.library.store import open_library

        def on_progress(done: int, total: int) -> None:
            cancel.check()
            progress((done, total))

        with open_library(path) as library:
            cancel.check()
            return change(library, on_progress)

    return work


# -- the dialog ---------------------------------------------------------------------------------


TrackerList = tuple[Sequence[Tracker], dict[str, int]]


def read_trackers(library: Library) -> TrackerList:
    """The library's trackers and how many calls each was heard in (what the dialog lists)."""
    return library.trackers(), library.tracker_call_counts()


class TrackersDialog(QDialog):
    """The library's trackers on the left; the chosen one (or a new one) in a form on the right.
    Saving re-applies the tracker to every call (through the controller, with progress)."""

    saveRequested = Signal(object, object)  # Tracker, the name it had before (None: a new one)
    removeRequested = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        library: Library,
        listed: TrackerList = ((), {}),
        preview_worker: Worker | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library  # which library it shows (the controller's reads are made elsewhere)
        self.setWindowTitle("Trackers")
        self.resize(760, 460)
        self.editing: str | None = None  # the stored tracker in the form; None for a new one
        self._tried = False  # problems are said live once a save was refused

        self.list = QListWidget()
        self.list.setAccessibleName("Trackers")
        self.list.currentItemChanged.connect(self._picked)
        self.new_button = QPushButton("&New tracker")
        self.new_button.clicked.connect(self.new_tracker)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove tracker")
        self.remove_button.clicked.connect(self._remove)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)

        self.heading = QLabel()
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of tracker")
        for key, text in KINDS:
            self.kind.addItem(text, key)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.name = QLineEdit()
        self.name.setAccessibleName("Tracker name")
        self.name.setPlaceholderText("e.g. recording disclosure")
        self.phrases = QPlainTextEdit()
        self.phrases.setAccessibleName("Phrases, one per line")
        self.phrases.setPlaceholderText("this call (is|may be) recorded\nrecorded ~ quality")
        self.phrases.setTabChangesFocus(True)
        self.side = QComboBox()
        self.side.setAccessibleName("Said by")
        for side in SIDES:
            self.side.addItem(SIDE_LABELS[side], side)
        self.side.setCurrentIndex(self.side.findData("both"))
        self.window_kind = QComboBox()
        self.window_kind.setAccessibleName("When")
        for key, text in WINDOWS:
            self.window_kind.addItem(text, key)
        self.seconds = QDoubleSpinBox()
        self.seconds.setAccessibleName("Seconds")
        self.seconds.setRange(0, 24 * 3600)
        self.seconds.setDecimals(0)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(30)
        self.window_kind.currentIndexChanged.connect(self._window_changed)
        when = QHBoxLayout()
        when.addWidget(self.window_kind, 1)
        when.addWidget(self.seconds)
        help_label = QLabel(SYNTAX_HELP)
        help_label.setWordWrap(True)
        help_label.setTextFormat(Qt.TextFormat.RichText)
        help_label.setStyleSheet("color: palette(placeholder-text)")
        self.problems = QLabel()
        self.problems.setAccessibleName("Problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #c62828; font-weight: bold")
        self.problems.hide()
        self.save_button = QPushButton("&Save and apply to every call")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        self.status.setAccessibleName("Tracker status")
        self.status.setWordWrap(True)
        self.concept = ConceptEditor(
            self.tracker,
            lambda change: tracker_work(library.path, change),
            preview_worker
            if preview_worker is not None
            else Worker(self, name="reviewer-tracker-preview", newest_wins=True),
        )
        self.concept.edited.connect(self._edited)
        self.concept_help = QLabel(CONCEPT_HELP)
        self.concept_help.setWordWrap(True)
        self.concept_help.setTextFormat(Qt.TextFormat.RichText)
        self.concept_help.setStyleSheet("color: palette(placeholder-text)")
        form = QFormLayout()
        self.form = form
        form.addRow("&Name", self.name)
        form.addRow("&Kind", self.kind)
        form.addRow("&Examples", self.concept.examples)
        form.addRow("", self.concept_help)
        form.addRow("&Phrases", self.phrases)
        form.addRow("", help_label)
        self.phrase_help = help_label
        form.addRow("Said &by", self.side)
        form.addRow("When", when)
        form.addRow("&Threshold", self.concept.threshold_row)
        form.addRow("Hits", self.concept)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(form, 1)
        right.addWidget(self.problems)
        right.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.status)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        for signal in (self.name.textChanged, self.phrases.textChanged, self.seconds.valueChanged):
            signal.connect(self._edited)
        self.side.currentIndexChanged.connect(self._edited)
        self.window_kind.currentIndexChanged.connect(self._edited)
        for signal in (
            self.side.currentIndexChanged,
            self.window_kind.currentIndexChanged,
            self.seconds.valueChanged,
        ):
            signal.connect(self._watched_changed)
        self._kind_changed()
        self.reload(listed)

    # -- the list ------------------------------------------------------------------------------

    def reload(self, listed: TrackerList, select: str | None = None) -> None:
        """The trackers as the library holds them now (``read_trackers``, read on the library
        thread), with their calls; ``select`` picked."""
        select = select if select is not None else self.editing
        trackers, counts = listed
        colours = tracker_colours([t.name for t in trackers])
        self.list.blockSignals(True)
        self.list.clear()
        for t in trackers:
            n = counts.get(t.name, 0)
            item = QListWidgetItem(swatch(colours[t.name]), f"{t.name}  ({n} call{'s' if n != 1 else ''})")
            item.setData(Qt.ItemDataRole.UserRole, t)
            item.setToolTip(describe_tracker(t))
            self.list.addItem(item)
        self.list.blockSignals(False)
        row = next((i for i, t in enumerate(trackers) if t.name == select), None)
        if row is not None:
            self.list.setCurrentRow(row)  # loads it into the form
        elif trackers and select is None and self.editing is None and not self.name.text():
            self.list.setCurrentRow(0)
        else:
            self.new_tracker()
        self.remove_button.setEnabled(self.list.currentItem() is not None)

    def tracker_names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole).name for i in range(self.list.count())]

    def _picked(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        self.load(item.data(Qt.ItemDataRole.UserRole))

    def load(self, t: Tracker) -> None:
        self.editing = t.name
        self.heading.setText(f"<b>Edit “{t.name}”</b>")
        self.name.setText(t.name)
        self.kind.setCurrentIndex(self.kind.findData("concept" if t.examples else "phrases"))
        self.phrases.setPlainText("\n".join(t.phrases))
        self.side.setCurrentIndex(max(0, self.side.findData(t.side)))
        window = "first" if t.within_first is not None else "last" if t.within_last is not None else ""
        self.window_kind.setCurrentIndex(self.window_kind.findData(window))
        self.seconds.setValue(t.within_first or t.within_last or 30)
        self._window_changed()
        self.concept.load(t if t.examples else None)
        self._tried = False
        self.problems.hide()
        self.remove_button.setEnabled(True)

    def new_tracker(self) -> None:
        self.editing = None
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.list.blockSignals(False)
        self.heading.setText("<b>New tracker</b>")
        self.name.clear()
        self.kind.setCurrentIndex(self.kind.findData("phrases"))
        self.phrases.clear()
        self.side.setCurrentIndex(self.side.findData("both"))
        self.window_kind.setCurrentIndex(0)
        self.seconds.setValue(30)
        self._window_changed()
        self.concept.load(None)
        self._tried = False
        self.problems.hide()
        self.remove_button.setEnabled(False)
        self.name.setFocus()

    # -- the form ------------------------------------------------------------------------------

    def _window_changed(self) -> None:
        self.seconds.setEnabled(bool(self.window_kind.currentData()))

    def is_concept(self) -> bool:
        return self.kind.currentData() == "concept"

    def _kind_changed(self) -> None:
        """Phrases alone, or a concept's examples, threshold and live hits (its phrases beside)."""
        concept = self.is_concept()
        for w in (self.concept.examples, self.concept_help, self.concept.threshold_row, self.concept):
            self.form.setRowVisible(w, concept)
        self.phrases.setPlaceholderText(
            "(optional) phrases that are hits too"
            if concept
            else "this call (is|may be) recorded\nrecorded ~ quality"
        )
        self.phrases.setMaximumHeight(64 if concept else 16777215)  # room for the hits
        if concept:
            self.resize(max(self.width(), 980), max(self.height(), 720))
            self.concept.examples_changed()
        self._edited()

    def _watched_changed(self) -> None:
        """Another side or window: the concept's hits are found again."""
        if self.is_concept():
            self.concept.examples_changed()

    def tracker(self) -> Tracker:
        """The tracker the form describes (perhaps one with problems)."""
        phrases = tuple(p.strip() for p in self.phrases.toPlainText().splitlines() if p.strip())
        kind = self.window_kind.currentData()
        seconds = float(self.seconds.value())
        concept = self.is_concept() if hasattr(self, "concept") else False
        return Tracker(
            self.name.text().strip(),
            phrases,
            self.side.currentData(),
            seconds if kind == "first" else None,
            seconds if kind == "last" else None,
            self.concept.example_lines() if concept else (),
            self.concept.threshold() if concept else None,
        )

    def form_problems(self) -> list[str]:
        t = self.tracker()
        out = tracker_problems(t)
        if self.is_concept() and not t.examples:
            out.insert(0, "a concept tracker needs example sentences (or choose Phrases as its kind)")
        if t.name and t.name != self.editing and t.name in self.tracker_names():
            out.append(f"a tracker named “{t.name}” already exists: pick it on the left to change it")
        return out

    def _edited(self) -> None:
        if self._tried:
            self._show_problems(self.form_problems())

    def _show_problems(self, problems: list[str]) -> None:
        if problems:
            text = "\n".join(f"• {p[0].upper()}{p[1:]}." for p in problems)
            self.problems.setText(f"Not saved:\n{text}")
        self.problems.setVisible(bool(problems))

    def save(self) -> bool:
        """Ask for the tracker to be stored and applied; refused (with the problems said, and
        nothing stored) when the form has any."""
        self._tried = True
        problems = self.form_problems()
        self._show_problems(problems)
        if problems:
            return False
        self.saveRequested.emit(self.tracker(), self.editing)
        return True

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole).name
        answer = QMessageBox.question(
            self, "Remove tracker", f"Remove the tracker “{name}” and its hits in every call?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.removeRequested.emit(name)

    def set_busy(self, busy: bool) -> None:
        for w in (self.save_button, self.new_button, self.remove_button, self.list):
            w.setEnabled(not busy)
        if not busy:
            self.remove_button.setEnabled(self.list.currentItem() is not None)


class TrackersController(QObject):
    """Opens the Trackers dialog and runs its changes, one at a time, as jobs of its worker
    with a progress dialog whose Cancel rolls the change back. ``changed`` says when the library's
    trackers changed, so the open review and the library list can follow."""

    changed = Signal()

    def __init__(
        self,
        window: QWidget,
        library: Callable[[], Library],
        worker: Worker | None = None,
        *,
        library_worker: LibraryWorker,
    ) -> None:
        super().__init__(window)
        self.window = window  # the dialogs' parent
        self._library = library
        self.library_worker = library_worker  # where the dialog's list is read
        self.worker = worker if worker is not None else Worker(self, name="reviewer-trackers")
        self.preview_worker = Worker(self, name="reviewer-tracker-preview", newest_wins=True)
        self.dialog: TrackersDialog | None = None
        self.job: Job | None = None
        self.progress_dialog: QProgressDialog | None = None

    @property
    def library(self) -> Library:
        return self._library()

    def open(self) -> None:
        """Open the dialog (``dialog``) once the library thread has read the trackers."""

        def show(listed: TrackerList) -> None:
            if self.dialog is None or self.dialog.library is not self.library:
                if self.dialog is not None:
                    self.dialog.deleteLater()
                self.dialog = TrackersDialog(self.window, self.library, listed, self.preview_worker)
                self.dialog.saveRequested.connect(self.save)
                self.dialog.removeRequested.connect(self.remove)
            else:
                self.dialog.reload(listed)
            self.dialog.open()

        self.library_worker.submit(
            read_trackers, show, lambda error: QMessageBox.warning(self.window, "Trackers", str(error))
        )

    def save(self, tracker: Tracker, replacing: str | None = None) -> Job | None:
        verb = "Applying" if replacing is None else "Re-applying"
        return self._start(
            lambda lib, progress: (
                actions.trackers.add_tracker(lib, tracker, progress, replacing=replacing),
                len(lib.calls_with_tracker(tracker.name)),
            ),
            f"{verb} “{tracker.name}” to every call…",
            lambda result: f"“{tracker.name}”: {_n(result[0], 'hit')} in {_n(result[1], 'call')}.",
            tracker.name,
        )

    def remove(self, name: str) -> Job | None:
        return self._start(
            lambda lib, _progress: actions.trackers.remove_tracker(lib, name),
            f"Removing “{name}”…",
            lambda _result: f"Removed “{name}” and its hits.",
            None,
        )

    def _start(
        self,
        work: Callable[[Library, Callable[[int, int], None]], Any],
        label: str,
        done_text: Callable[[Any], str],
        select: str | None,
    ) -> Job | None:
        parent = self.dialog if self.dialog is not None and self.dialog.isVisible() else self.window
        if self.running():
            QMessageBox.information(parent, "Trackers", "A tracker is still being applied.")
            return None
        job = self.worker.start(
            tracker_work(self.library.path, work), unexpected="The trackers could not be changed"
        )
        self.job = job
        progress = QProgressDialog(label, "Cancel", 0, 0, parent)
        progress.setWindowTitle("Trackers")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(job.cancel)
        progress.canceled.connect(lambda: progress.setLabelText("Cancelling: putting everything back…"))
        self.progress_dialog = progress
        if self.dialog is not None:
            self.dialog.set_busy(True)
            self.dialog.status.setText(label)
        job.progress.connect(lambda counts: self._on_progress(*counts))
        job.finished.connect(lambda result: self._end(done_text(result), select, changed=True))
        job.cancelled.connect(
            lambda: self._end("Cancelled: the trackers and their hits are as they were.", None)
        )
        job.failed.connect(lambda message: self._end(message, None, failed=True))
        return job

    def running(self) -> bool:
        return self.job is not None and self.job.running()

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress_dialog is not None and not self.progress_dialog.wasCanceled():
            self.progress_dialog.setMaximum(max(total, 1))
            self.progress_dialog.setValue(done)

    def _end(self, text: str, select: str | None, *, changed: bool = False, failed: bool = False) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect()
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        dialog = self.dialog
        if dialog is not None:
            dialog.set_busy(False)
            if changed:
                dialog.editing = select

                def listed(read: TrackerList, dialog: TrackersDialog = dialog) -> None:
                    if dialog is self.dialog:
                        dialog.reload(read, select)

                self.library_worker.submit(read_trackers, listed)
            dialog.status.setText(text)
            dialog.status.setStyleSheet("color: #c62828" if failed else "")
        if failed:
            QMessageBox.warning(dialog if dialog is not None else self.window, "Trackers", text)
        if changed:
            self.changed.emit()


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


# -- filters ------------------------------------------------------------------------------------


class TrackerFilterButton(QToolButton):
    """The review page's "Trackers ▾": which trackers' hits the timeline strip shows, one
    checkable entry per tracker heard in the call (with its colour and count). Hidden when the
    call has no hits. The choice is kept from call to call, by tracker name."""

    hiddenChanged = Signal(object)  # set of tracker names not shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText("Trackers")
        self.setAccessibleName("Show tracker hits")
        self.setToolTip("Which trackers' hits the timeline shows")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu(self)
        self.setMenu(self.menu_)
        self.hidden: set[str] = set()
        self.entries: dict[str, QAction] = {}
        self.hide()

    def set_hits(self, hits: Sequence[TrackerHit], colours: dict[str, QColor]) -> None:
        counts: dict[str, int] = {}
        for h in hits:
            counts[h.tracker] = counts.get(h.tracker, 0) + 1
        self.menu_.clear()
        self.entries = {}
        for name in sorted(counts):
            action = QAction(swatch(colours.get(name, QColor("#000000"))), f"{name} ({counts[name]})", self)
            action.setCheckable(True)
            action.setChecked(name not in self.hidden)
            action.toggled.connect(lambda on, name=name: self.set_shown(name, on))
            self.menu_.addAction(action)
            self.entries[name] = action
        if counts:
            self.menu_.addSeparator()
            self.menu_.addAction("Show all", lambda: self.show_only(None))
            self.menu_.addAction("Hide all", lambda: self.show_only(set()))
        self._label()
        self.setVisible(bool(counts))

    def set_shown(self, name: str, shown: bool) -> None:
        if shown == (name not in self.hidden):
            return
        if shown:
            self.hidden.discard(name)
        else:
            self.hidden.add(name)
        if name in self.entries:
            self.entries[name].blockSignals(True)
            self.entries[name].setChecked(shown)
            self.entries[name].blockSignals(False)
        self._label()
        self.hiddenChanged.emit(set(self.hidden))

    def show_only(self, names: set[str] | None) -> None:
        """Show just ``names`` of this call's trackers (None: all of them)."""
        for name in self.entries:
            self.set_shown(name, names is None or name in names)

    def _label(self) -> None:
        hidden = sum(1 for n in self.entries if n in self.hidden)
        self.setText(
            f"Trackers ({len(self.entries) - hidden} of {len(self.entries)})" if hidden else "Trackers"
        )


class TrackedFilter(QComboBox):
    """The library list's "calls where tracker X was said / not said" choice; hidden while the
    library has no trackers. ``changed`` gives (name, said), or None for every call."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Filter by tracker")
        self.setToolTip("Only the calls where a tracker's phrases were said, or were not")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.currentIndexChanged.connect(lambda _: self.changed.emit(self.choice()))
        self.hide()

    def choice(self) -> tuple[str, bool] | None:
        key = self.currentData()
        return (key[1:], key[0] == "+") if key else None

    def set_trackers(self, names: Sequence[str]) -> None:
        """Refill, keeping the choice while its tracker still exists (else every call again)."""
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        self.addItem("Every call (any tracker)", "")
        for name in names:
            self.addItem(f"Said: {name}", f"+{name}")
            self.addItem(f"Not said: {name}", f"-{name}")
        i = self.findData(current) if current else 0
        self.setCurrentIndex(max(0, i))
        self.blockSignals(False)
        self.setVisible(bool(names))
        if current and i < 0:
            self.changed.emit(None)

    def choose(self, name: str | None, said: bool = True) -> None:
        self.setCurrentIndex(max(0, self.findData(("+" if said else "-") + name)) if name is not None else 0)
