"""Edit › Voice profiles…: agents known by their voice. Off until a coach turns them on for the
library (a checkbox, with what it means); the profiles listed (name, how much speech from how many
calls, when made), made from the open call's agent channel (a stereo call) or from a selection on
its timeline, and deleted. Every read and write goes through the window's library thread
(:mod:`reviewer.ui.library_worker`); measuring a voice (seconds of decoding and embedding) runs on
the dialog's own worker between the two; the work is :mod:`reviewer.actions.voices`'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.actions import voices
from reviewer.labels import clock
from reviewer.ui.worker import Worker

COLUMNS = ("Agent", "Calls", "Speech", "Made")


class VoicesDialog(QDialog):
    """``current_call()`` is the open call's id (or None) and ``selection()`` the timeline's
    selected (start, end) seconds (or None)."""

    def __init__(
        self,
        parent: QWidget | None,
        library_worker: Any,  # noqa: ANN401 - a LibraryWorker
        current_call: Callable[[], int | None] = lambda: None,
        selection: Callable[[], tuple[float, float] | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self.worker = library_worker
        self.current_call = current_call
        self.selection = selection
        self.setWindowTitle("Voice profiles")
        self.enabled = QCheckBox("Know agents by their &voice in this library")
        self.enabled.setEnabled(False)  # until the library says whether they are on
        self.enabled.toggled.connect(self._toggled)
        about = QLabel(voices.EXPLANATION)
        about.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Voice profiles")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._enable_buttons)
        self.name = QLineEdit()
        self.name.setPlaceholderText("The agent's name")
        self.name.setAccessibleName("Agent's name")
        self.name.textChanged.connect(self._enable_buttons)
        self.from_call = QPushButton("Add from this &call")
        self.from_call.setToolTip("The open call's agent channel (a stereo call)")
        self.from_call.clicked.connect(lambda: self.add(with_selection=False))
        self.from_selection = QPushButton("Add from &selection")
        self.from_selection.setToolTip(
            "The stretch selected on the open call's timeline, where the agent speaks"
        )
        self.from_selection.clicked.connect(lambda: self.add(with_selection=True))
        self.delete = QPushButton("&Delete")
        self.delete.clicked.connect(self.delete_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        adding = QHBoxLayout()
        adding.addWidget(self.name, 1)
        adding.addWidget(self.from_call)
        adding.addWidget(self.from_selection)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled)
        layout.addWidget(about)
        layout.addWidget(self.table, 1)
        layout.addLayout(adding)
        layout.addWidget(self.delete, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        self.resize(560, 460)
        #: asked when profiles are turned off with some kept: delete them too? (a person's answer)
        self.ask_delete: Callable[[int], bool] = self._ask_delete
        self._on = False
        self.profiles: list[voices.VoiceProfile] = []
        self.busy = 0
        self.measurer = Worker(self, name="reviewer-voice")
        self.finished.connect(lambda _result: self.measurer.stop())
        self.reload()

    # -- reads and writes, on the library thread -------------------------------------------------

    def _run(self, fn: Callable[[Any], Any], done: Callable[[Any], None], *, writes: bool = False) -> None:
        self.busy += 1

        def answered(value: Any) -> None:  # noqa: ANN401
            self.busy -= 1
            done(value)

        def failed(error: BaseException) -> None:
            self.busy -= 1
            self._say(str(error), problem=True)
            self.reload()

        self.worker.submit(fn, answered, failed, writes=writes)

    def reload(self) -> None:
        self._run(lambda library: (library.voice_profiles_on(), voices.listed(library)), self._show)

    def _show(self, state: tuple[bool, list]) -> None:
        self._on, self.profiles = state
        self.enabled.blockSignals(True)
        self.enabled.setChecked(self._on)
        self.enabled.setEnabled(True)
        self.enabled.blockSignals(False)
        self.table.setRowCount(len(self.profiles))
        for row, p in enumerate(self.profiles):
            cells = (p.name, str(p.calls), clock(p.seconds), p.created[:10])
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        named = bool(self.name.text().strip())
        has_call = self.current_call() is not None
        self.from_call.setEnabled(self._on and named and has_call)
        self.from_selection.setEnabled(self._on and named and has_call and self.selection() is not None)
        self.delete.setEnabled(bool(self.table.selectedItems()))

    def _toggled(self, on: bool) -> None:
        if on:
            self._run(
                lambda library: voices.enable(library),
                lambda _: self._done("Voice profiles are on."),
                writes=True,
            )
            return
        kept = len(self.profiles)
        delete = bool(kept) and self.ask_delete(kept)

        def said(gone: int) -> None:
            self._done("Voice profiles are off" + (f"; deleted {kept} profiles." if gone else "."))

        self._run(lambda library: voices.disable(library, delete=delete), said, writes=True)

    def add(self, *, with_selection: bool) -> None:
        call_id, name = self.current_call(), self.name.text().strip()
        if call_id is None or not name:
            return
        span = self.selection() if with_selection else None
        if with_selection and span is None:
            self._say("Select a stretch where the agent speaks on the call's timeline first.", problem=True)
            return
        start, end = span if span is not None else (None, None)
        self._say(f"Listening to {name}'s voice in call #{call_id}…")

        def added(a: voices.AddedVoice) -> None:
            self.name.clear()
            self._done(f"{a.name}'s voice profile: {clock(a.seconds)} of speech from call #{a.call_id}.")

        def measure(source: voices.VoiceSource) -> None:
            # decoding and the speaker embedding take seconds: off the library thread, so the
            # window's other reads don't wait behind them
            self.busy += 1
            job = self.measurer.start(lambda _progress, _cancel: voices.measure_voice(source))

            def measured(m: voices.MeasuredVoice) -> None:
                self.busy -= 1
                self._run(lambda library: voices.save_voice(library, m), added, writes=True)

            def failed(message: str) -> None:
                self.busy -= 1
                self._say(message, problem=True)

            job.finished.connect(measured)
            job.failed.connect(failed)
            job.cancelled.connect(lambda: setattr(self, "busy", self.busy - 1))

        self._run(lambda library: voices.voice_source(library, name, call_id, start, end), measure)

    def delete_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedItems()})
        names = [self.profiles[r].name for r in rows if r < len(self.profiles)]

        def work(library: Any) -> int:  # noqa: ANN401
            return sum(voices.remove(library, n) for n in names)

        self._run(
            work, lambda _: self._done(f"Deleted the voice profile of {', '.join(names)}."), writes=True
        )

    def _done(self, text: str) -> None:
        self._say(text)
        self.reload()

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828" if problem else "")
        self.message.setText(text)

    def _ask_delete(self, kept: int) -> bool:
        answer = QMessageBox.question(
            self,
            "Voice profiles off",
            f"Delete the {kept} voice profiles kept in this library too? They are not used while "
            "profiles are off.",
        )
        return answer == QMessageBox.StandardButton.Yes


def show_voices(
    parent: QWidget,
    library_worker: Any,  # noqa: ANN401
    current_call: Callable[[], int | None],
    selection: Callable[[], tuple[float, float] | None],
) -> VoicesDialog:
    """The dialog, open over ``parent`` without blocking it; gone when closed."""
    dialog = VoicesDialog(parent, library_worker, current_call, selection)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
