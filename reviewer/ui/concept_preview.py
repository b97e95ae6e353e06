"""The Trackers dialog's concept mode: a concept tracker's example sentences (one per line), its
threshold (a slider and a spin box that move together) and its **live hits**: the turns of the
library's newest calls that reach the threshold, with their similarity, newest call first, so a
coach tunes the threshold against what it finds before saving.

Each watched turn is scored once per set of examples, side and window
(``actions.trackers.preview_concept``, through a newest-request-wins worker on a library
connection of its own, a moment after the typing stops); moving the threshold then only filters
those scores, at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from reviewer import actions
from reviewer.actions.trackers import PREVIEW_CALLS, ConceptMatch, ConceptPreview
from reviewer.analysis.trackers import DEFAULT_THRESHOLD, MIN_EXAMPLES
from reviewer.labels import clock, plural
from reviewer.model import Tracker
from reviewer.ui.worker import Job, Work, Worker

if TYPE_CHECKING:
    from reviewer.library.store import Library

SCORING_DELAY_MS = 400  # after the last keystroke, before the examples are tried on the calls
SHOWN_HITS = 200  # the most hits listed (the count says how many there are)
STEPS = 100  # the slider's steps: a threshold in hundredths


def hit_line(m: ConceptMatch) -> str:
    """A hit as the list shows it: "0.52  refund-call.wav 1:23  Agent: I'm so sorry about that"."""
    return f"{m.score:.2f}  {m.call_name} {clock(m.start)}  {m.speaker}: {m.text}"


class ConceptEditor(QWidget):
    """Examples, threshold and live hits. ``tracker_now()`` gives the dialog's tracker as it
    stands (its side and window count); ``work(change)`` makes the worker's job of a
    ``change(library, progress)`` on a library connection of its own (``ui.trackers.tracker_work``
    bound to the dialog's library)."""

    edited = Signal()  # the examples or the threshold changed (the dialog's problems follow)

    def __init__(
        self,
        tracker_now: Callable[[], Tracker],
        work: Callable[[Callable[[Library, Callable[[int, int], None]], Any]], Work],
        worker: Worker,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tracker_now = tracker_now
        self.work = work
        self.worker = worker  # newest wins
        self.job: Job | None = None
        self.preview: ConceptPreview | None = None
        self._scored: Tracker | None = None  # the tracker whose scores are shown (or coming)

        self.examples = QPlainTextEdit()
        self.examples.setAccessibleName("Example sentences, one per line")
        self.examples.setPlaceholderText(
            "I'm so sorry about that.\nMy apologies for the trouble.\nI apologise for the wait."
        )
        self.examples.setTabChangesFocus(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Threshold slider")
        self.slider.setRange(1, STEPS - 1)
        self.slider.setPageStep(5)
        self.spin = QDoubleSpinBox()
        self.spin.setAccessibleName("Threshold")
        self.spin.setRange(0.01, 0.99)
        self.spin.setSingleStep(0.01)
        self.spin.setDecimals(2)
        self.spin.setToolTip(
            "How close in meaning a turn must come to one of the examples: higher finds fewer, "
            f"surer hits (default {DEFAULT_THRESHOLD:.2f})"
        )
        self.slider.valueChanged.connect(lambda v: self.spin.setValue(v / STEPS))
        self.spin.valueChanged.connect(self._threshold_moved)
        threshold = QHBoxLayout()
        threshold.setContentsMargins(0, 0, 0, 0)
        threshold.addWidget(self.slider, 1)
        threshold.addWidget(self.spin)
        self.threshold_row = QWidget()
        self.threshold_row.setLayout(threshold)

        self.summary = QLabel()
        self.summary.setAccessibleName("Hits found")
        self.summary.setWordWrap(True)
        self.hits = QListWidget()
        self.hits.setAccessibleName("Hits in the library's calls")
        self.hits.setWordWrap(False)
        self.hits.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.hits, 1)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SCORING_DELAY_MS)
        self.timer.timeout.connect(self.score)
        self.examples.textChanged.connect(self.examples_changed)
        self.set_threshold(DEFAULT_THRESHOLD)

    # -- what the dialog reads and sets -------------------------------------------------------

    def example_lines(self) -> tuple[str, ...]:
        return tuple(e.strip() for e in self.examples.toPlainText().splitlines() if e.strip())

    def threshold(self) -> float:
        return round(self.spin.value(), 2)

    def set_threshold(self, value: float) -> None:
        self.spin.setValue(value)
        self.slider.blockSignals(True)
        self.slider.setValue(round(value * STEPS))
        self.slider.blockSignals(False)

    def load(self, tracker: Tracker | None) -> None:
        """Show ``tracker``'s examples and threshold (none: empty, the default threshold)."""
        self.examples.blockSignals(True)
        self.examples.setPlainText("\n".join(tracker.examples) if tracker else "")
        self.examples.blockSignals(False)
        self.set_threshold(
            tracker.threshold if tracker and tracker.threshold is not None else DEFAULT_THRESHOLD
        )
        self.preview, self._scored = None, None
        self.examples_changed()

    # -- scoring, off the UI thread -------------------------------------------------------------

    def examples_changed(self) -> None:
        """The examples, side or window changed: score again once the typing stops."""
        self.edited.emit()
        if len(self.example_lines()) < MIN_EXAMPLES:
            self.timer.stop()
            if self.job is not None:
                self.job.cancel()
            self.preview, self._scored, self.job = None, None, None
            self.hits.clear()
            self.summary.setText(
                f"Give at least {MIN_EXAMPLES} example sentences to see what the tracker finds in the "
                "library's calls."
            )
            return
        self.timer.start()

    def score(self) -> None:
        """Try the examples on the newest calls now (the newest request wins)."""
        self.timer.stop()
        tracker = self._concept()
        if tracker == self._scored and (self.preview is not None or self.busy()):
            return
        self._scored = tracker
        self.summary.setText(f"Trying the examples on the {PREVIEW_CALLS} newest calls…")
        job = self.worker.start(
            self.work(lambda lib, progress: actions.trackers.preview_concept(lib, tracker, progress)),
            unexpected="The examples could not be tried",
        )
        self.job = job
        job.progress.connect(
            lambda counts: self.summary.setText(f"Trying the examples: call {counts[0]} of {counts[1]}…")
        )
        job.finished.connect(lambda preview: self._scored_now(job, preview))
        job.failed.connect(lambda message: self.summary.setText(message))

    def busy(self) -> bool:
        return self.job is not None and self.job.running()

    def _concept(self) -> Tracker:
        t = self.tracker_now()
        return Tracker(t.name or "preview", (), t.side, t.within_first, t.within_last, self.example_lines())

    def _scored_now(self, job: Job, preview: ConceptPreview) -> None:
        if job is not self.job:
            return
        self.preview = preview
        self.show_hits()

    def _threshold_moved(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(value * STEPS))
        self.slider.blockSignals(False)
        self.edited.emit()
        self.show_hits()

    # -- the hits -------------------------------------------------------------------------------

    def shown_hits(self) -> list[ConceptMatch]:
        """The hits at the threshold as it stands (none until the calls are scored)."""
        return self.preview.hits(self.threshold()) if self.preview is not None else []

    def show_hits(self) -> None:
        p = self.preview
        if p is None:
            return
        self.hits.clear()
        if not p.encoder:
            self.summary.setText(
                "Sentence embeddings are off on this computer: a concept tracker finds only its phrases."
            )
            return
        hits = self.shown_hits()
        calls = len({m.call_id for m in hits})
        tried = (
            f"the {plural(p.calls, 'newest call')}" if p.calls < p.library_calls else plural(p.calls, "call")
        )
        self.summary.setText(
            f"<b>{plural(len(hits), 'hit')}</b> in {calls} of {tried} at ≥ {self.threshold():.2f}"
            f" (of {plural(len(p.matches), 'turn')} it watches), newest first"
            + (f"; the first {SHOWN_HITS} listed." if len(hits) > SHOWN_HITS else ".")
        )
        for m in hits[:SHOWN_HITS]:
            item = QListWidgetItem(hit_line(m))
            item.setToolTip(f"{m.call_name} at {clock(m.start)}: {m.text}\nClosest example: “{m.example}”")
            item.setData(Qt.ItemDataRole.UserRole, m)
            self.hits.addItem(item)
