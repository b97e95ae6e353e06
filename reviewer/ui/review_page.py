"""Reviewing one call: the page's layout and wiring (timeline, transcript, metrics, comments,
the menus and keys of "who said it" and refusals). Playback is :mod:`reviewer.ui.playback`'s
controller, the undoable corrections :mod:`reviewer.ui.corrections`'s; the page delegates."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor, QCursor, QKeySequence, QUndoStack
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollBar,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reviewer import actions
from reviewer.actions.corrections import next_label
from reviewer.analysis.reasons import OTHER, OTHER_LABEL
from reviewer.analysis.refusals import label_for
from reviewer.analysis.scoring import Scorecard, share_target
from reviewer.analysis.turns import turn_at
from reviewer.audio.peaks import Peaks, load_peaks, peaks_for_file
from reviewer.document import one_voice
from reviewer.errors import ReviewerError
from reviewer.labels import OUTCOME_NAMES
from reviewer.library.store import REVIEW_STATUSES, Library, StoredCall
from reviewer.model import (
    CallRow,
    CallScore,
    Clip,
    Comment,
    Marker,
    Metrics,
    ScorecardSummary,
    TrackerHit,
    Turn,
)
from reviewer.settings import Settings
from reviewer.ui.comments import CommentsPanel
from reviewer.ui.corrections import CorrectionsController
from reviewer.ui.library_worker import LibraryWorker
from reviewer.ui.metrics import MetricsPanel
from reviewer.ui.playback import SPEEDS, PlaybackController
from reviewer.ui.scorecard import ScorePanel, load_scores
from reviewer.ui.style import (
    CATEGORY_COLOURS,
    CLIP_COLOUR,
    MARKER_COLOURS,
    MARKER_NAMES,
    ROLE_COLOURS,
    ROLE_NAMES,
    SENTIMENT_COLOURS,
    SHARE_COLOURS,
    clock,
    speaker_label,
)
from reviewer.ui.summary import SummaryPanel, summary_sections
from reviewer.ui.tables import ok_cancel
from reviewer.ui.timeline import TimelineModel, TimelineWidget
from reviewer.ui.trackers import TrackerFilterButton, tracker_colours
from reviewer.ui.transcript import Speech, TranscriptLayout, TranscriptView, layout_transcript
from reviewer.ui.worker import Worker

SMALL_STEP = 1.0
BIG_STEP = 5.0


def legend_html() -> str:
    """What each colour and shape of the timeline means, one meaning per colour."""

    def swatch(colour: QColor | str, mark: str, words: str) -> str:
        name = colour if isinstance(colour, str) else colour.name()
        return f'<span style="color:{name}">{mark}</span>&nbsp;{words}'

    def group(title: str, items: list[str]) -> str:  # one group wraps as a whole
        return f"<b>{title}</b>&nbsp;" + "&nbsp;&nbsp;".join(items)

    groups = [
        group(
            "Speaking:", [swatch(ROLE_COLOURS[r], "■", ROLE_NAMES[r].lower()) for r in ("agent", "customer")]
        ),
        group(
            "Markers:",
            [
                swatch(MARKER_COLOURS[k], "▼" if k == "refusal" else "▬", n.lower())
                for k, n in MARKER_NAMES.items()
            ],
        ),
        group("Customer mood:", [swatch(SENTIMENT_COLOURS[k], "■", k) for k in SENTIMENT_COLOURS]),
        group(
            "Agent share:",
            [
                swatch(SHARE_COLOURS["within"], "▮", "within target"),
                swatch(SHARE_COLOURS["over"], "▮", "over target"),
            ],
        ),
        group("Comments:", [swatch(CATEGORY_COLOURS[c], "⚑", c) for c in CATEGORY_COLOURS]),
        group("Clips:", [swatch(CLIP_COLOUR, "[▬]", "coaching clip")]),
    ]
    return " &nbsp;&nbsp; ".join(groups)


def one_voice_hint(split: str, metrics: Metrics, speakers: list) -> str:
    """What to say when nearly all of a separated mono call's talk went to one voice."""
    talk = {m.speaker: m.talk_seconds for m in metrics.speakers}
    found = one_voice(split, talk, metrics.longest_monologue)
    if found is None:
        return ""
    label, share = found
    speaker = next((s for s in speakers if s.id == label), None)
    name = speaker_label(speaker) if speaker else label
    return (
        f"{name} holds {share:.0%} of the talk in this call, so the speaker split may have heard two "
        "voices as one. If another voice is in there, "
        "select their words (in the transcript or on the timeline) and press R, or right-click a "
        "turn, to say who said them; every figure follows."
    )


@dataclass
class ReviewView:
    """Everything the review page shows for a call, read in one trip to the library thread."""

    call: StoredCall
    target: float  # the talk-share target of the call's scorecard
    hits: list[TrackerHit]
    trackers: list[str]
    cards: list[ScorecardSummary]
    score: CallScore | None
    scorecard: Scorecard | None
    comments: list[Comment]
    audio: Path
    audio_found: bool
    transcript: TranscriptLayout  # laid out on the library thread: the UI thread only shows it
    peaks: Peaks | None = None  # the cached waveform, when asked for (a call newly opened)
    clips: list[Clip] = field(default_factory=list)  # the call's coaching clips


def load_review(
    library: Library, call_id: int, card: str | None, settings: Settings, *, peaks: bool = False
) -> ReviewView:
    """On the library thread: the stored call (marked as seen: a later change checks it is
    current), its scorecard's target, tracker hits, score, comments and recording, its
    transcript laid out for the view and, with ``peaks``, its cached waveform (a 60-minute
    call's takes about 0.1 s to read and build: never on the UI thread)."""
    call = library.load_call(call_id)
    library.seen(call_id, call.row.version)
    target = share_target(actions.scores.call_card(library, call_id), settings)
    cards, score, scorecard = load_scores(library, call_id, card)
    audio = library.audio_path(call.row)
    hits = library.tracker_hits(call_id)
    return ReviewView(
        call,
        target,
        hits,
        [t.name for t in library.trackers()],
        cards,
        score,
        scorecard,
        library.comments(call_id),
        audio,
        audio.is_file(),
        layout_transcript(call.transcript, overtalk_spans(call), call.markers, hits),
        load_peaks(call.row.content_hash) if peaks and call.row.content_hash else None,
        library.clips(call_id),
    )


def overtalk_spans(call: StoredCall) -> list[tuple[float, float]]:
    return [(m.start, m.end) for m in call.markers if m.kind == "overtalk"]


class RenameDialog(QDialog):
    def __init__(self, parent: QWidget, speakers: list) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("Rename speaker")
        self.speaker = QComboBox()
        for s in speakers:
            self.speaker.addItem(speaker_label(s), s.id)
        self.name = QLineEdit()
        self.name.setAccessibleName("Speaker name")
        self.role = QComboBox()
        self.role.addItems(["agent", "customer", "unknown"])
        self._speakers = {s.id: s for s in speakers}
        self.speaker.currentIndexChanged.connect(self._load)
        form = QFormLayout(self)
        form.addRow("&Speaker", self.speaker)
        form.addRow("&Name", self.name)
        form.addRow("&Role", self.role)
        buttons = ok_cancel(self)
        form.addRow(buttons)
        self._load()

    def _load(self) -> None:
        s = self._speakers[self.speaker.currentData()]
        self.name.setText(s.name)
        self.role.setCurrentText(s.role)


class ReviewPage(QWidget):
    backRequested = Signal()
    callChanged = Signal(int)  # roles, status or comments changed: the library view refreshes

    def __init__(
        self,
        library: Library,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        library_worker: LibraryWorker | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        # The page's reads and corrections run on the window's library thread.
        self.library_worker = library_worker or LibraryWorker(library.path, self, shares=library)
        self.call: StoredCall | None = None
        self._opening: object | None = None  # the newest open or reload asked for
        self.agent_mode = False
        self.undo_stack = QUndoStack(self)
        self.corrections = CorrectionsController(
            settings=settings,
            undo_stack=self.undo_stack,
            call=lambda: self.call,
            change=self._change_call,
            shown_again=self.speech_changed,
            author=lambda: self.comments.default_author,
            warn=lambda text: QMessageBox.warning(self, "Reviewer", text),
            parent=self,
        )

        self.playback = PlaybackController(self)
        self.playback.positionChanged.connect(self._played_to)
        self.playback.playingChanged.connect(self._state_changed)
        self.playback.failed.connect(self._player_error)

        # widgets
        self.back_button = QToolButton()
        self.back_button.setText("← Library")
        self.back_button.setAccessibleName("Back to library")
        self.back_button.clicked.connect(self.backRequested)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.play_button = QPushButton("Play")
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.clicked.connect(self.toggle_play)
        self.position_label = QLabel("0:00 / 0:00")
        self.position_label.setAccessibleName("Position")
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setAccessibleName("Playback speed")
        self.speed.currentIndexChanged.connect(lambda _: self.playback.set_rate(self.speed.currentData()))
        self.skip_silences = QCheckBox("Skip silences")
        self.skip_silences.setAccessibleName("Skip silences")
        self.skip_silences.toggled.connect(self.playback.set_skip_silences)
        self.swap_button = QPushButton("Swap roles")
        self.swap_button.setAccessibleName("Swap agent and customer")
        self.swap_button.clicked.connect(self.swap_roles)
        self.rename_button = QPushButton("Speakers…")
        self.rename_button.setAccessibleName("Rename speaker or change role")
        self.rename_button.clicked.connect(self.rename_speaker)
        self.status = QComboBox()
        self.status.addItems(REVIEW_STATUSES)
        self.status.setAccessibleName("Review status")
        self.status.activated.connect(lambda _: self.set_review_status(self.status.currentText()))
        self.status.setEnabled(False)  # it follows the review (m015): Submit on the Scorecard tab
        self.status.setToolTip("new → in review → submitted → acknowledged: it follows the review")
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #b26a00")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.voice_notice = QLabel()
        self.voice_notice.setStyleSheet("color: #b26a00")
        self.voice_notice.setWordWrap(True)
        self.voice_notice.hide()

        self.timeline_model = TimelineModel(self)
        self.timeline = TimelineWidget(self.timeline_model)
        self.timeline.seekRequested.connect(self.seek)
        self.timeline.commentActivated.connect(lambda cid: self.comments.select(cid))
        self.timeline_model.selectionChanged.connect(self._selection_changed)
        self.scroll = QScrollBar(Qt.Orientation.Horizontal)
        self.scroll.setAccessibleName("Scroll timeline")
        self.scroll.valueChanged.connect(lambda ms: self.timeline.scroll_to(ms / 1000))
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(120)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.timeline.viewChanged.connect(self._sync_scroll)
        self.legend = QLabel(legend_html())
        self.legend.setAccessibleName("Timeline legend")
        self.legend.setWordWrap(True)
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)  # never clipped
        self.tracker_filter = TrackerFilterButton()
        self.tracker_filter.hiddenChanged.connect(self.timeline_model.set_hidden_trackers)

        self.transcript = TranscriptView()
        self.transcript.seekRequested.connect(self.seek)
        self.transcript.text.extend_menu = self._extend_transcript_menu
        self.transcript.editRequested.connect(self.edit_words)
        self.metrics_panel = MetricsPanel()
        self.comments = CommentsPanel(self.library_worker, self.undo_stack)
        self.comments.commentsChanged.connect(self._comments_changed)
        self.comments.seekRequested.connect(self.seek)
        self.comments.add_button.clicked.connect(self.comment_here)
        self.scores = ScorePanel(library, self.undo_stack, library_worker=self.library_worker)
        self.scores.seekRequested.connect(self.seek)
        self.scores.evidenceChosen.connect(lambda a, b: self.timeline_model.set_selection((a, b)))
        self.scores.scoreChanged.connect(self.callChanged)
        self.scores.scoreChanged.connect(lambda _id: self._show_status())
        self.scores.conflicted.connect(self.speech_changed)
        self.summary = SummaryPanel()
        self.summary.seekRequested.connect(self.seek)
        self.summary.correctRequested.connect(self.correct_glance_menu)
        self.scores.scoreChanged.connect(lambda _id: self._show_summary())
        self._target = 0.0
        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary, "Summary")  # a call opens on it
        self.tabs.addTab(self.comments, "Comments")
        self.tabs.addTab(self.scores, "Scorecard")
        self.tabs.addTab(self.metrics_panel, "Metrics")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.transcript)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Status"))
        top.addWidget(self.status)
        top.addWidget(self.swap_button)
        top.addWidget(self.rename_button)
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.position_label)
        transport.addWidget(self.speed)
        transport.addWidget(self.skip_silences)
        transport.addStretch(1)
        transport.addWidget(self.tracker_filter)
        transport.addWidget(self.zoom_label)
        for text, slot, name in (
            ("−", lambda: self.timeline.zoom(0.5), "Zoom out"),
            ("+", lambda: self.timeline.zoom(2.0), "Zoom in"),
            ("Fit", self.timeline.fit, "Fit the whole call"),
        ):
            b = QToolButton()
            b.setText(text)
            b.setAccessibleName(name)
            b.setToolTip(name)
            b.clicked.connect(slot)
            transport.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.voice_notice)
        layout.addWidget(self.timeline)
        layout.addWidget(self.scroll)
        layout.addWidget(self.legend)
        layout.addLayout(transport)
        layout.addWidget(self.splitter, 1)

        # Missing waveform peaks are computed off the UI thread (decoding a long call takes
        # seconds), one call at a time: a call opened and left before its turn came is skipped,
        # the newest request is done next.
        self.peaks_loader = Worker(self, name="reviewer-peaks", newest_wins=True)
        self._install_shortcuts()
        self.setTabOrder(self.back_button, self.timeline)
        self.setTabOrder(self.timeline, self.play_button)
        self.setTabOrder(self.play_button, self.transcript.find_edit)

    # -- keyboard ----------------------------------------------------------------------------

    def _install_shortcuts(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        for name, keys, slot in (
            ("Play / pause", ["Space", "K"], self.toggle_play),
            ("Back 5 s", ["J"], lambda: self.step(-BIG_STEP)),
            ("Forward 5 s", ["L"], lambda: self.step(BIG_STEP)),
            ("Back 1 s", ["Left"], lambda: self.step(-SMALL_STEP)),
            ("Forward 1 s", ["Right"], lambda: self.step(SMALL_STEP)),
            ("Next marker or comment", ["N"], lambda: self.jump(+1)),
            ("Previous marker or comment", ["P"], lambda: self.jump(-1)),
            ("Comment at playhead or on selection", ["C"], self.comment_here),
            ("Correct who said it…", ["R"], self.who_said_it_menu),
            ("Refusal or not (the agent's turn at the playhead)", ["X"], self.toggle_refusal),
            (
                "Correct what was said (the selected words, or the word at the playhead)…",
                ["F2"],
                self.correct_words,
            ),
            ("Zoom in", ["+", "="], lambda: self.timeline.zoom(2.0)),
            ("Zoom out", ["-"], lambda: self.timeline.zoom(0.5)),
            ("Fit the whole call", ["0"], self.timeline.fit),
            ("Find in call", ["Ctrl+F"], self.transcript.find_edit.setFocus),
            ("Answer the next open scorecard item…", ["A"], self._answer_next),
            ("Submit the review", ["Ctrl+Return", "Ctrl+Enter"], self.scores.submit),
        ):
            action = QAction(name, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.actions_by_name[name] = action

    # -- loading -----------------------------------------------------------------------------

    def set_library(self, library: Library) -> None:
        self.library = library
        self.scores.library = library
        self.close_call()

    def close_call(self) -> None:
        self.playback.stop()
        self.playback.set_source(None)
        self.call = None
        self._opening = None
        self.comments.set_call(None, 0.0)
        self.scores.set_call(None)
        self.summary.clear()

    def open_call(
        self,
        call_id: int,
        at: float = 0.0,
        *,
        opened: Callable[[], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Show a call once the library thread has read it (``opened()`` once it is shown, in a
        later pass of the event loop; ``failed(error)`` if it cannot be read); the waveform
        appears when its peaks are ready (cached after import). Only the newest open or reload
        asked for is shown."""
        self.playback.stop()
        new = self.call is None or self.call.id != call_id  # its waveform is read with it

        def show(view: ReviewView) -> None:
            same = self.call is not None and self.call.id == call_id
            self._show(view)
            if not same:
                self._show_new(view)
            self.seek(at)
            if at:
                self.timeline.show_time(at)
            if opened is not None:
                self.library_worker.show_later(opened)  # after the panels, in a pass of its own

        self._read(call_id, show, failed, peaks=new)

    def _read(
        self,
        call_id: int,
        show: Callable[[ReviewView], None],
        failed: Callable[[BaseException], None] | None = None,
        *,
        peaks: bool = False,
    ) -> None:
        """Read the call's view on the library thread (with its cached waveform if ``peaks``)
        and ``show`` it, unless a newer open or reload was asked for meanwhile."""
        token = self._opening = object()
        card, settings = self.scores.card, self.settings

        def done(view: ReviewView) -> None:
            if self._opening is token:
                self._opening = None
                show(view)

        def wrong(error: BaseException) -> None:
            if self._opening is token:
                self._opening = None
                if failed is not None:
                    failed(error)

        self.library_worker.submit(
            lambda library: load_review(library, call_id, card, settings, peaks=peaks), done, wrong
        )

    def _show_new(self, view: ReviewView) -> None:
        """A call other than the one shown: its comments, waveform and recording."""
        call_id, row = view.call.id, view.call.row
        self.tabs.setCurrentWidget(self.summary)
        self.comments.set_call(call_id, view.call.transcript.duration, view.comments)
        self.timeline_model.set_peaks(view.peaks)  # None: not cached, or not read with the view
        path = view.audio
        if self.playback.set_source(path if view.audio_found else None):
            self.notice.hide()
            if self.timeline_model.peaks is None:
                self._load_peaks(call_id, str(path), row.content_hash)
        else:
            self.notice.setText(
                f"The recording is no longer at {path}: the review works, but there is no playback "
                "or waveform. Move it back, or import it again from its new place."
            )
            self.notice.show()

    def _show(self, view: ReviewView) -> None:
        self.call = view.call
        call_id, row = view.call.id, view.call.row
        t = self.call.transcript
        self.title.setText(f"<b>{row.name}</b> · {clock(t.duration)} · call #{call_id}")
        # The talk-share target the call's scorecard judges by: one number on every view.
        target = view.target
        self.timeline_model.set_call(self.call, target)
        self._show_hits(view.hits, view.trackers)
        self.timeline_model.set_clips(view.clips)
        self.transcript.show_layout(view.transcript)
        self.transcript.highlight_time(self.timeline_model.playhead)
        self.status.setCurrentText(row.review_status or "new")
        hint = one_voice_hint(t.speaker_split, self.call.metrics, t.speakers)
        if t.split_doubt:  # the diarization's own doubt (speakers.profiles.split_doubt)
            hint = t.split_doubt + " Select words and press R, or right-click a turn, to say who said them."
        self.voice_notice.setText(hint)
        self.voice_notice.setVisible(bool(hint) and not self.agent_mode)
        self.playback.set_speech([(s.start, s.end) for s in t.segments], t.duration)
        self.position_label.setText(f"{clock(self.timeline_model.playhead)} / {clock(t.duration)}")
        # The panels behind the tabs are filled in a pass of their own (see show_later).
        self.library_worker.show_later(lambda: self._show_panels(view))

    def _show_panels(self, view: ReviewView) -> None:
        """The metrics and the score of the view shown (nothing if another was shown since)."""
        if self.call is None or self.call.id != view.call.id:
            return
        t = view.call.transcript
        self.metrics_panel.set_metrics(view.call.metrics, t.speakers, view.call.markers, view.target)
        self.scores.show_loaded(view.call.id, view.cards, view.score, view.scorecard)
        self._target = view.target
        self._show_summary(view.score, view.comments)

    def _show_summary(self, score: CallScore | None = None, comments: list[Comment] | None = None) -> None:
        """The Summary tab of the call shown, from what was read with it (the score and the
        comments as their panels hold them now, unless given)."""
        if self.call is None:
            self.summary.clear()
            return
        score = score if score is not None else self.scores.score
        comments = comments if comments is not None else self.comments.model.rows
        self.summary.show_summary(summary_sections(self.call, score, self._target, comments))

    def _change_call(
        self,
        call_id: int,
        work: Callable[[Library], Any],
        made: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """A correction: ``work(library)`` on the library thread and, in the same trip, the call
        as the library then holds it, shown (unless another call was opened meanwhile); then
        ``made(result)``, which is called whatever is shown (the change is in the library)."""
        token = self._opening = object()
        card, settings = self.scores.card, self.settings

        def read(library: Library) -> tuple[Any, ReviewView]:
            result = work(library)
            return result, load_review(library, call_id, card, settings)

        def done(value: tuple[Any, ReviewView]) -> None:
            result, view = value
            if self._opening is token:
                self._opening = None
                if self.call is not None and self.call.id == call_id:
                    self._show(view)
                    self.callChanged.emit(call_id)
            made(result)

        def wrong(error: BaseException) -> None:
            if self._opening is token:
                self._opening = None
            failed(error)

        self.library_worker.submit(read, done, wrong, writes=True)

    def reload(self, call_id: int, then: Callable[[], None] | None = None) -> None:
        """Show the call as the library holds it now (after a change), then ``then()``."""

        def show(view: ReviewView) -> None:
            if self.call is not None and self.call.id == call_id:
                self._show(view)
                self.callChanged.emit(call_id)
            if then is not None:
                then()

        self._read(call_id, show)

    def show_tracker_hits(self) -> None:
        """The call's tracker hits on the timeline's strip, as the library holds them now (after
        opening a call, or when the trackers changed)."""
        if self.call is None:
            return
        call_id = self.call.id

        def show(read: tuple[list[TrackerHit], list[str]]) -> None:
            if self.call is not None and self.call.id == call_id:
                self._show_hits(*read)

        self.library_worker.submit(
            lambda library: (library.tracker_hits(call_id), [t.name for t in library.trackers()]), show
        )

    def show_clips(self) -> None:
        """The call's clips on the timeline's row, as the library holds them now (after a clip
        was made, edited or deleted, or such a change undone)."""
        if self.call is None:
            return
        call_id = self.call.id

        def show(clips: list[Clip]) -> None:
            if self.call is not None and self.call.id == call_id:
                self.timeline_model.set_clips(clips)

        self.library_worker.submit(lambda library: library.clips(call_id), show)

    def _show_hits(self, hits: list[TrackerHit], trackers: list[str]) -> None:
        assert self.call is not None
        colours = tracker_colours(trackers)
        names = {s.id: speaker_label(s) for s in self.call.transcript.speakers}
        self.tracker_filter.set_hits(hits, colours)
        self.timeline_model.set_hidden_trackers(self.tracker_filter.hidden)
        self.timeline_model.set_tracker_hits(hits, colours, names)

    def _load_peaks(self, call_id: int, path: str, content_hash: str) -> None:
        """The waveform of a call whose peaks were not read with it (not cached yet: decoded and
        cached now), when they are ready (none if the recording cannot be decoded: the review
        works without it)."""
        job = self.peaks_loader.start(
            lambda _progress, _cancel: load_peaks(content_hash) or peaks_for_file(path, content_hash)
        )
        job.finished.connect(lambda peaks: self._peaks_loaded(call_id, peaks))

    def _peaks_loaded(self, call_id: int, peaks: Peaks | None) -> None:
        if self.call is not None and self.call.id == call_id and peaks is not None:
            self.timeline_model.set_peaks(peaks)

    def correct_glance_menu(self, request_start: float | None, at: QPoint | None = None) -> QMenu | None:
        """A menu of what the call's reason (``request_start`` None) or the outcome of the request
        made then may be corrected to; the choice is made undoable (see ``corrections``)."""
        if self.call is None or self.agent_mode:
            return None
        menu = QMenu(self)
        if request_start is None:
            reasons = self.settings.reasons.reasons if self.settings.reasons else ()
            options = [(r.name, r.label) for r in reasons] + [(OTHER, OTHER_LABEL)]
        else:
            options = list(OUTCOME_NAMES.items())
        for value, label in options:
            action = menu.addAction(label)
            action.triggered.connect(
                lambda _=False, v=value, lab=label: self.corrections.correct_glance(request_start, v, lab)
            )
        menu.addSeparator()
        judge = menu.addAction("Let Reviewer judge")
        judge.triggered.connect(lambda: self.corrections.correct_glance(request_start, None))
        if at is not None:
            menu.popup(at)
        else:
            menu.popup(QCursor.pos())
        return menu

    def _comments_changed(self, rows: list) -> None:
        self.timeline_model.set_comments(rows)
        self._show_summary(comments=rows)
        if self.call is not None:
            self.callChanged.emit(self.call.id)

    # -- playback ----------------------------------------------------------------------------

    @property
    def player(self) -> QMediaPlayer:
        return self.playback.player

    @property
    def playing(self) -> bool:
        return self.playback.playing

    @property
    def audio_available(self) -> bool:
        return self.playback.available

    def toggle_play(self) -> None:
        if self.call is None:
            return
        self.playback.toggle()

    def seek(self, seconds: float) -> None:
        if self.call is None:
            return
        seconds = max(0.0, min(seconds, self.call.transcript.duration))
        self.timeline_model.set_playhead(seconds)
        self.transcript.highlight_time(seconds)
        self.position_label.setText(f"{clock(seconds)} / {clock(self.call.transcript.duration)}")
        self.playback.seek(seconds)

    def step(self, seconds: float) -> None:
        self.seek(self.timeline_model.playhead + seconds)

    def jump(self, direction: int) -> float | None:
        """Seek to the next (+1) or previous (-1) marker or comment."""
        stops = self.timeline_model.stops()
        here = self.timeline_model.playhead
        if direction > 0:
            i = bisect.bisect_right(stops, here + 0.05)
            target = stops[i] if i < len(stops) else None
        else:
            i = bisect.bisect_left(stops, here - 0.05) - 1
            target = stops[i] if i >= 0 else None
        if target is not None:
            self.seek(target)
        return target

    def _played_to(self, seconds: float) -> None:
        self.timeline_model.set_playhead(seconds)
        self.playback.position = self.timeline_model.playhead
        self.transcript.highlight_time(seconds)
        if self.call is not None:
            self.position_label.setText(f"{clock(seconds)} / {clock(self.call.transcript.duration)}")

    def _state_changed(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")

    def _player_error(self, text: str) -> None:
        if self.call is not None:
            self.notice.setText(f"Playback failed: {text}")
            self.notice.show()

    # -- timeline scrolling ------------------------------------------------------------------

    def _sync_scroll(self) -> None:
        duration = self.timeline_model.duration
        a, b = self.timeline.visible
        page = int((b - a) * 1000)
        self.scroll.blockSignals(True)
        self.scroll.setRange(0, max(0, int(duration * 1000) - page))
        self.scroll.setPageStep(max(1, page))
        self.scroll.setSingleStep(max(1, page // 10))
        self.scroll.setValue(int(a * 1000))
        self.scroll.blockSignals(False)
        self.scroll.setVisible(page < duration * 1000)
        self.zoom_label.setText(f"showing {clock(b - a)}")

    # -- feedback, roles, status -------------------------------------------------------------

    def _selection_changed(self) -> None:
        sel = self.timeline_model.selection
        self.comments.add_button.setText("&Add on selection" if sel else "&Add at playhead")

    def comment_here(self) -> bool:
        """Add a comment at the playhead, or on the selected range (asks for the text). Returns
        whether one was asked for."""
        if self.call is None or self.agent_mode:
            return False
        sel = self.timeline_model.selection
        start, end = sel if sel else (self.timeline_model.playhead, None)
        was_playing = self.playing
        if was_playing:
            self.playback.pause()
        try:
            return self.comments.add_with_dialog(start, end)
        except ReviewerError as e:
            QMessageBox.warning(self, "Reviewer", str(e))
            return False
        finally:
            if was_playing:
                self.playback.play()

    def swap_roles(self) -> None:
        """Agent becomes customer and customer agent (undoable); every figure follows."""
        self.corrections.swap_roles()

    def correct(self, work: Callable[[Library], object]) -> bool:
        """See :meth:`CorrectionsController.correct`."""
        return self.corrections.correct(work)

    # -- who said what ------------------------------------------------------------------------

    def picked_speech(self) -> Speech | None:
        """What "who said it" acts on: the timeline's selected range, else the transcript's
        selected words, else the turn under the playhead (the shortest, a backchannel's)."""
        if self.call is None:
            return None
        sel = self.timeline_model.selection
        if sel:
            a, b = sel
            count = sum(1 for w in self.call.transcript.words if a <= (w.start + w.end) / 2 <= b)
            return Speech(a, b, None, count) if count else None
        picked = self.transcript.text.speech_at()
        if picked is not None:
            return picked
        turn = turn_at(self.call.transcript.turns, self.timeline_model.playhead)
        if turn is None:
            return None
        return Speech(turn.start, turn.end, turn.speaker, turn.word_count)

    def speaker_choices(self, speech: Speech) -> list[tuple[str, str]]:
        """(label, menu text) for each speaker the picked speech could be given to."""
        assert self.call is not None
        speakers = self.call.transcript.speakers
        choices = [(s.id, f"Said by {speaker_label(s)}") for s in speakers if s.id != speech.speaker]
        new = next_label(speakers)
        return choices + [(new, f"Said by a new speaker ({new})")]

    def add_speaker_actions(self, menu: QMenu, speech: Speech | None) -> None:
        if speech is None or self.call is None or self.agent_mode:
            return
        span = f"{clock(speech.start)}–{clock(speech.end)}"
        words = f"{speech.words} word" + ("s" if speech.words != 1 else "")
        menu.addSection(f"Who said it ({words}, {span})")
        for label, text in self.speaker_choices(speech):
            menu.addAction(text, lambda label=label: self.reassign(speech, label))

    def _extend_transcript_menu(self, menu: QMenu, pos: int) -> None:
        speech = self.transcript.text.speech_at(pos)
        self.add_edit_actions(menu, pos)
        self.add_speaker_actions(menu, speech)
        if speech is not None:
            self.add_refusal_actions(menu, (speech.start + speech.end) / 2)

    # -- what was said ------------------------------------------------------------------------

    def add_edit_actions(self, menu: QMenu, pos: int) -> None:
        text = self.transcript.text
        picked = text.picked_words(pos)
        if picked is None or self.call is None or self.agent_mode:
            return
        menu.addSection("What was said")
        many = picked[1] > picked[0]
        menu.addAction(
            "Correct these words…" if many else "Correct this word…",
            lambda: self.transcript.edit_words(*picked),
        )
        turn = text.word_turns[picked[0]]
        menu.addAction("Replace this turn's text…", lambda: self.transcript.edit_turn(turn))

    def correct_words(self) -> bool:
        """F2: type over the transcript's selected words, else the word at the playhead (Enter
        or a double-click in the transcript do the same)."""
        if self.call is None or self.agent_mode:
            return False
        picked = self.transcript.text.picked_words()
        if picked is None:
            index = self.transcript.word_at_time(self.timeline_model.playhead)
            picked = None if index is None else (index, index)
        return picked is not None and self.transcript.edit_words(*picked)

    def edit_words(self, speech: Speech, text: str) -> bool:
        """The picked words now say ``text`` (undoable); every finding follows."""
        if self.agent_mode:
            return False
        return self.corrections.edit_words(speech, text)

    # -- refusal labels ----------------------------------------------------------------------

    def agent_turn_at(self, t: float) -> Turn | None:
        if self.call is None:
            return None
        agents = {s.id for s in self.call.transcript.speakers if s.role == "agent"}
        return turn_at(self.call.transcript.turns, t, speakers=agents)

    def refusal_marker(self, turn: Turn) -> Marker | None:
        assert self.call is not None
        return next(
            (
                m
                for m in self.call.markers
                if m.kind == "refusal" and abs(m.start - turn.start) < 0.01 and abs(m.end - turn.end) < 0.01
            ),
            None,
        )

    def add_refusal_actions(self, menu: QMenu, t: float) -> None:
        turn = self.agent_turn_at(t)
        if turn is None or self.agent_mode:
            return
        marker = self.refusal_marker(turn)
        label = label_for(turn, self.call.transcript.refusal_labels)
        if marker is None:
            state = "not a refusal"
        elif marker.confidence is not None and label is None:
            state = f"a refusal, {marker.confidence:.0%} sure"
        else:
            state = "a refusal"
        who = "the coach says" if label is not None else "Reviewer judges"
        menu.addSection(f"Refusal? ({who}: {state})")
        if marker is None or (label is not None and not label.is_refusal):
            menu.addAction("This is a refusal", lambda: self.label_refusal(turn, True))
        if marker is not None:
            menu.addAction("Not a refusal", lambda: self.label_refusal(turn, False))
        if label is not None:
            menu.addAction("Let Reviewer judge it", lambda: self.label_refusal(turn, None))

    def toggle_refusal(self) -> None:
        """X: the agent's turn at the playhead becomes a refusal if it is not one, and not one if it is."""
        if self.call is None or self.agent_mode:
            return
        turn = self.agent_turn_at(self.timeline_model.playhead)
        if turn is None:
            view = self.transcript.text
            QToolTip.showText(
                view.viewport().mapToGlobal(view.viewport().rect().center()),
                "Put the playhead in one of the agent's turns, then press X to say whether it is a refusal.",
                view,
            )
            return
        self.label_refusal(turn, self.refusal_marker(turn) is None)

    def label_refusal(self, turn: Turn, is_refusal: bool | None) -> bool:
        """The coach's word on ``turn`` (undoable); metrics, markers and the library row follow."""
        return self.corrections.label_refusal(turn, is_refusal)

    def who_said_it_menu(self) -> None:
        """The "who said it" choices for the picked speech, as a menu over the transcript."""
        if self.agent_mode:
            return
        speech = self.picked_speech()
        view = self.transcript.text
        if speech is None:
            QToolTip.showText(
                view.viewport().mapToGlobal(view.viewport().rect().center()),
                "Select words in the transcript or a range on the timeline, or put the playhead "
                "in a turn, then say who said it.",
                view,
            )
            return
        menu = QMenu(self)
        self.add_speaker_actions(menu, speech)
        menu.exec(view.viewport().mapToGlobal(view.cursorRect().bottomLeft()))
        menu.deleteLater()

    def reassign(self, speech: Speech, speaker: str) -> bool:
        """Give the picked speech to ``speaker`` (undoable); the whole review follows."""
        return self.corrections.reassign(speech, speaker)

    def refresh_from_library(self, said: Callable[[str], None] | None = None) -> None:
        """The library changed (another app, or a command): show the call under review as it is
        now, and its comments. ``said(who)`` names who changed the call itself, if someone did."""
        if self.call is None:
            return
        call_id, version = self.call.id, self.call.row.version
        card, settings = self.scores.card, self.settings
        select = self.comments.selected_id()

        def read(library: Library) -> tuple[CallRow, list[Comment], list[Clip], ReviewView | None]:
            row = library.call_row(call_id)
            comments, clips = library.comments(call_id), library.clips(call_id)
            moved = row.version != version
            return row, comments, clips, load_review(library, call_id, card, settings) if moved else None

        def show(value: tuple[CallRow, list[Comment], list[Clip], ReviewView | None]) -> None:
            row, comments, clips, view = value
            if self.call is None or self.call.id != call_id:
                return
            self.comments.refresh(select=select, rows=comments)
            self.timeline_model.set_clips(clips)
            if view is None:
                return
            self._show(view)
            self.callChanged.emit(call_id)
            if said is not None:
                said(row.changed_by or "Someone")

        def gone(error: BaseException) -> None:
            if isinstance(error, ReviewerError) and self.call is not None and self.call.id == call_id:
                self.notice.setText("Someone removed this call from the library: go back to the list.")
                self.notice.show()

        self.library_worker.submit(read, show, gone)

    def speech_changed(self, call_id: int) -> None:
        if self.call is not None and self.call.id == call_id:
            self.reload(call_id)

    def rename_speaker(self) -> None:
        if self.call is None:
            return
        dialog = RenameDialog(self, self.call.transcript.speakers)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_speaker(
                dialog.speaker.currentData(), dialog.name.text().strip(), dialog.role.currentText()
            )

    def set_speaker(self, label: str, name: str, role: str) -> bool:
        """Name a speaker or change their role (undoable); every figure follows."""
        return self.corrections.set_speaker(label, name, role)

    def set_review_status(self, status: str) -> None:
        if self.call is None:
            return
        call = self.call
        self.status.setCurrentText(status)

        def made(_result: object) -> None:
            if self.call is call:
                self.call = replace(call, row=replace(call.row, review_status=status))
                self.status.setCurrentText(status)
            self.callChanged.emit(call.id)

        def refused(error: BaseException) -> None:
            if self.call is call:
                self.status.setCurrentText(call.row.review_status or "new")
            QMessageBox.warning(self, "Reviewer", str(error))

        self.library_worker.submit(
            lambda library: library.set_review_status(call.id, status), made, refused, writes=True
        )

    def _show_status(self) -> None:
        """The review's status as the score just read says (submitting moves it on)."""
        review = self.scores.score.review if self.scores.score else None
        if review is not None and self.call is not None and review.call_id == self.call.id:
            self.call = replace(self.call, row=replace(self.call.row, review_status=review.status))
            self.status.setCurrentText(review.status)

    def _answer_next(self) -> None:
        self.tabs.setCurrentWidget(self.scores)
        self.scores.answer_next()

    def set_agent_mode(self, on: bool, agent: str | None = None) -> None:
        self.agent_mode = on
        self.comments.set_agent_mode(on)
        self.scores.set_agent((agent or "agent") if on else None)
        for w in (self.swap_button, self.rename_button):
            w.setEnabled(not on)
        self.transcript.editable = not on
        self.voice_notice.setVisible(bool(self.voice_notice.text()) and not on)
