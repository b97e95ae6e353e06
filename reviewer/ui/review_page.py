"""Reviewing one call: timeline, synced playback, transcript, metrics, roles, who said what, and
feedback."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QApplication,
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
    QSplitter,
    QTabWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reviewer.analysis.stretches import quiet_gaps
from reviewer.analysis.turns import turn_at
from reviewer.audio.peaks import Peaks, load_peaks, peaks_for_file
from reviewer.document import one_voice
from reviewer.errors import ReviewerError
from reviewer.library.store import (
    REVIEW_STATUSES,
    Library,
    RefusalLabelChange,
    SpeakerChange,
    SpeechChange,
    StoredCall,
    next_label,
)
from reviewer.model import Marker, Metrics, Turn
from reviewer.settings import Settings
from reviewer.ui.comments import CommentsPanel
from reviewer.ui.metrics import MetricsPanel
from reviewer.ui.style import CATEGORY_COLOURS, MARKER_COLOURS, MARKER_NAMES, clock, speaker_label
from reviewer.ui.tables import ok_cancel
from reviewer.ui.timeline import TimelineModel, TimelineWidget
from reviewer.ui.transcript import Speech, TranscriptView

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
SKIP_GAP = 2.0  # "skip silences" jumps over nobody speaking for at least this long
SKIP_LEAD = 0.3  # ... landing this long before the next speech
SMALL_STEP = 1.0
BIG_STEP = 5.0


def legend_html() -> str:
    parts = [
        f'<span style="color:{MARKER_COLOURS[k].name()}">{"▼" if k == "refusal" else "■"}</span> {n}'
        for k, n in MARKER_NAMES.items()
    ]
    parts += [f'<span style="color:{CATEGORY_COLOURS[c].name()}">⚑</span> {c}' for c in CATEGORY_COLOURS]
    parts.append('<span style="color:#e57373">■</span> agent talk over target')
    return "&nbsp;&nbsp; ".join(parts)


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


class _PeaksLoader(QObject):
    """Computes missing waveform peaks off the UI thread (decoding a long call takes seconds), on
    one thread at most: a call opened and left before its turn came is skipped, the newest
    request is done next."""

    loaded = Signal(int, object)  # call id, Peaks | None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._wanted: tuple[int, str, str] | None = None
        self._working = False

    def load(self, call_id: int, path: str, content_hash: str) -> None:
        with self._lock:
            self._wanted = (call_id, path, content_hash)
            if self._working:
                return
            self._working = True
        threading.Thread(target=self._work, name="reviewer-peaks", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._lock:
                job, self._wanted = self._wanted, None
                if job is None:
                    self._working = False
                    return
            call_id, path, content_hash = job
            try:
                peaks: Peaks | None = peaks_for_file(path, content_hash)
            except (ReviewerError, OSError):
                peaks = None
            self.loaded.emit(call_id, peaks)


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


class _CallCommand(QUndoCommand):
    """A change of the call under review, already made in the library when it is pushed (so a
    change the library refused never lands on the stack). Undo and redo go through
    :meth:`ReviewPage.correct`, which says what went wrong if the library cannot make them; the
    command then leaves the stack."""

    def __init__(self, page: ReviewPage, text: str) -> None:
        super().__init__(text)
        self.page = page
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        if not self.page.correct(self._redo):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.page.correct(self._undo):
            self.setObsolete(True)

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


class ReassignSpeech(_CallCommand):
    """A correction of who said what; undo gives the moved words back to whoever said them
    before (roles and names set since stay), redo makes it again."""

    def __init__(self, page: ReviewPage, change: SpeechChange, speech: Speech, text: str) -> None:
        super().__init__(page, text)
        self.change, self.speech = change, speech

    def _redo(self) -> None:
        self.change = self.page.library.reassign_speech(
            self.change.call_id,
            self.change.speaker,
            start=self.speech.start,
            end=self.speech.end,
            only_from=self.speech.speaker,
            settings=self.page.settings,
        )

    def _undo(self) -> None:
        self.page.library.restore_speech(self.change, self.page.settings)


class ChangeSpeakers(_CallCommand):
    """Swapped roles, or a speaker renamed or given another role; undo puts back the roles and
    names of the speakers it changed, and only those."""

    def __init__(self, page: ReviewPage, change: SpeakerChange, text: str) -> None:
        super().__init__(page, text)
        self.change = change

    def _redo(self) -> None:
        self.page.library.restore_speakers(self.change, self.page.settings, undo=False)

    def _undo(self) -> None:
        self.page.library.restore_speakers(self.change, self.page.settings)


class LabelRefusal(_CallCommand):
    """A coach's word on whether an agent turn is a refusal; undo puts back the labels that turn
    had, redo says it again."""

    def __init__(self, page: ReviewPage, change: RefusalLabelChange, text: str) -> None:
        super().__init__(page, text)
        self.change = change

    def _redo(self) -> None:
        c = self.change
        at = (c.turn.start + c.turn.end) / 2
        value = None if c.after is None else c.after.is_refusal
        author = c.after.author if c.after else ""
        self.change = self.page.library.label_refusal(
            c.call_id, at, value, settings=self.page.settings, author=author
        )

    def _undo(self) -> None:
        self.page.library.restore_refusal_label(self.change, self.page.settings)


class ReviewPage(QWidget):
    backRequested = Signal()
    callChanged = Signal(int)  # roles, status or comments changed: the library view refreshes

    def __init__(self, library: Library, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.call: StoredCall | None = None
        self.agent_mode = False
        self.audio_available = False
        self._gaps: list[tuple[float, float]] = []
        self.undo_stack = QUndoStack(self)

        # player
        self.player = QMediaPlayer(self)
        self.audio_output = QAudioOutput(self)
        self.player.setAudioOutput(self.audio_output)
        self.player.setPitchCompensation(True)
        self.player.positionChanged.connect(self._player_position)
        self.player.playbackStateChanged.connect(self._state_changed)
        self.player.errorOccurred.connect(self._player_error)
        self.player.mediaStatusChanged.connect(self._media_status)
        self._play_when_loaded = False

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
        self.speed.currentIndexChanged.connect(
            lambda _: self.player.setPlaybackRate(self.speed.currentData())
        )
        self.skip_silences = QCheckBox("Skip silences")
        self.skip_silences.setAccessibleName("Skip silences")
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

        self.transcript = TranscriptView()
        self.transcript.seekRequested.connect(self.seek)
        self.transcript.text.extend_menu = self._extend_transcript_menu
        self.metrics_panel = MetricsPanel()
        self.comments = CommentsPanel(library, self.undo_stack)
        self.comments.commentsChanged.connect(self._comments_changed)
        self.comments.seekRequested.connect(self.seek)
        self.comments.add_button.clicked.connect(self.comment_here)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.comments, "Comments")
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

        self._peaks_loader = _PeaksLoader(self)
        self._peaks_loader.loaded.connect(self._peaks_loaded)
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
            ("Zoom in", ["+", "="], lambda: self.timeline.zoom(2.0)),
            ("Zoom out", ["-"], lambda: self.timeline.zoom(0.5)),
            ("Fit the whole call", ["0"], self.timeline.fit),
            ("Find in call", ["Ctrl+F"], self.transcript.find_edit.setFocus),
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
        self.comments.library = library
        self.close_call()

    def close_call(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())
        self.call = None
        self.comments.set_call(None, 0.0)

    def open_call(self, call_id: int, at: float = 0.0) -> None:
        """Show a call; the waveform appears when its peaks are ready (cached after import)."""
        self.player.stop()
        same = self.call is not None and self.call.id == call_id
        self._load(call_id)
        row = self.call.row
        if not same:
            self.comments.set_call(call_id, self.call.transcript.duration)
            self.timeline_model.set_peaks(load_peaks(row["content_hash"]))
            path = Path(row["path"] or "")
            self.audio_available = path.is_file()
            if self.audio_available:
                self.player.setSource(QUrl.fromLocalFile(str(path)))
                self.notice.hide()
                if self.timeline_model.peaks is None:
                    self._peaks_loader.load(call_id, str(path), row["content_hash"])
            else:
                self.player.setSource(QUrl())
                self.notice.setText(
                    f"The recording is no longer at {path}: the review works, but there is no playback "
                    "or waveform. Move it back, or import it again from its new place."
                )
                self.notice.show()
        self.seek(at)
        if at:
            self.timeline.show_time(at)

    def _load(self, call_id: int) -> None:
        self.call = self.library.load_call(call_id)
        row = self.call.row
        t = self.call.transcript
        self.title.setText(f"<b>{row['name']}</b> · {clock(t.duration)} · call #{call_id}")
        self.timeline_model.set_call(self.call, self.settings.agent_share_target)
        overtalk = [(m.start, m.end) for m in self.call.markers if m.kind == "overtalk"]
        self.transcript.set_transcript(t, overtalk)
        self.transcript.highlight_time(self.timeline_model.playhead)
        self.metrics_panel.set_metrics(
            self.call.metrics, t.speakers, self.call.markers, self.settings.agent_share_target
        )
        self.status.setCurrentText(row["review_status"] or "new")
        hint = one_voice_hint(t.speaker_split, self.call.metrics, t.speakers)
        self.voice_notice.setText(hint)
        self.voice_notice.setVisible(bool(hint) and not self.agent_mode)
        self._gaps = quiet_gaps([(s.start, s.end) for s in t.segments], t.duration, SKIP_GAP)
        self.position_label.setText(f"{clock(self.timeline_model.playhead)} / {clock(t.duration)}")

    def _peaks_loaded(self, call_id: int, peaks: Peaks | None) -> None:
        if self.call is not None and self.call.id == call_id and peaks is not None:
            self.timeline_model.set_peaks(peaks)

    def _comments_changed(self, rows: list) -> None:
        self.timeline_model.set_comments(rows)
        if self.call is not None:
            self.callChanged.emit(self.call.id)

    # -- playback ----------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def _media_loading(self) -> bool:
        return self.player.mediaStatus() in (
            QMediaPlayer.MediaStatus.LoadingMedia,
            QMediaPlayer.MediaStatus.NoMedia,
        )

    def toggle_play(self) -> None:
        if self.call is None or not self.audio_available:
            return
        if self.playing or self._play_when_loaded:
            self._play_when_loaded = False
            self.player.pause()
        elif self._media_loading():
            self._play_when_loaded = True  # the player ignores seeks until the file is open
        else:
            if self.player.position() != int(self.timeline_model.playhead * 1000):
                self.player.setPosition(int(self.timeline_model.playhead * 1000))
            self.player.play()

    def _media_status(self, status) -> None:  # noqa: ANN001
        if status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia):
            if abs(self.player.position() - self.timeline_model.playhead * 1000) > 50:
                self.player.setPosition(int(self.timeline_model.playhead * 1000))
            if self._play_when_loaded:
                self._play_when_loaded = False
                self.player.play()

    def seek(self, seconds: float) -> None:
        if self.call is None:
            return
        seconds = max(0.0, min(seconds, self.call.transcript.duration))
        self.timeline_model.set_playhead(seconds)
        self.transcript.highlight_time(seconds)
        self.position_label.setText(f"{clock(seconds)} / {clock(self.call.transcript.duration)}")
        if self.audio_available and not self._media_loading():
            self.player.setPosition(int(seconds * 1000))

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

    def _player_position(self, ms: int) -> None:
        if not self.playing:
            return
        seconds = ms / 1000
        if self.skip_silences.isChecked():
            i = bisect.bisect_right(self._gaps, (seconds, float("inf"))) - 1
            if i >= 0:
                start, end = self._gaps[i]
                if start <= seconds < end - SKIP_LEAD - 0.05:
                    self.player.setPosition(int((end - SKIP_LEAD) * 1000))
                    return
        self.timeline_model.set_playhead(seconds)
        self.transcript.highlight_time(seconds)
        if self.call is not None:
            self.position_label.setText(f"{clock(seconds)} / {clock(self.call.transcript.duration)}")

    def _state_changed(self, _state) -> None:  # noqa: ANN001
        self.play_button.setText("Pause" if self.playing else "Play")

    def _player_error(self, _error, text: str) -> None:  # noqa: ANN001
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

    def comment_here(self) -> int | None:
        """Add a comment at the playhead, or on the selected range (asks for the text)."""
        if self.call is None or self.agent_mode:
            return None
        sel = self.timeline_model.selection
        start, end = sel if sel else (self.timeline_model.playhead, None)
        was_playing = self.playing
        if was_playing:
            self.player.pause()
        try:
            return self.comments.add_with_dialog(start, end)
        except ReviewerError as e:
            QMessageBox.warning(self, "Reviewer", str(e))
            return None
        finally:
            if was_playing:
                self.player.play()

    def swap_roles(self) -> None:
        """Agent becomes customer and customer agent (undoable); every figure follows."""
        if self.call is None:
            return
        call_id = self.call.id
        made: list[SpeakerChange] = []
        if (
            self.correct(lambda: made.append(self.library.swap_roles(call_id, self.settings)))
            and made[0].after
        ):
            self.undo_stack.push(ChangeSpeakers(self, made[0], "Swap roles"))

    def correct(self, work: Callable[[], object]) -> bool:
        """Make a change of the call under review in the library (``work``) under the wait
        cursor, then show the call as the library holds it. Whatever goes wrong (the library
        locked by another program, a disk error) is said in a message; the cursor always comes
        back. Returns whether the change was made."""
        if self.call is None:
            return False
        call_id = self.call.id
        error: Exception | None = None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            work()
            self.speech_changed(call_id)
        except Exception as e:  # a change that fails must leave the review usable
            error = e
        finally:
            QApplication.restoreOverrideCursor()
        if error is not None:
            text = (
                str(error) if isinstance(error, ReviewerError) else f"The change could not be made: {error}."
            )
            QMessageBox.warning(self, "Reviewer", text)
            return False
        return True

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
        self.add_speaker_actions(menu, speech)
        if speech is not None:
            self.add_refusal_actions(menu, (speech.start + speech.end) / 2)

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
        label = next(
            (
                x
                for x in reversed(self.call.transcript.refusal_labels)
                if turn.start - 0.05 <= (x.start + x.end) / 2 <= turn.end + 0.05
            ),
            None,
        )
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
        if self.call is None:
            return False
        call_id = self.call.id
        made: list[RefusalLabelChange] = []
        if not self.correct(
            lambda: made.append(
                self.library.label_refusal(
                    call_id,
                    (turn.start + turn.end) / 2,
                    is_refusal,
                    settings=self.settings,
                    author=self.comments.default_author,
                )
            )
        ):
            return False
        text = {True: "Mark as refusal", False: "Mark as not a refusal", None: "Let Reviewer judge"}[
            is_refusal
        ]
        self.undo_stack.push(LabelRefusal(self, made[0], f"{text} ({clock(turn.start)})"))
        return True

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
        if self.call is None:
            return False
        call_id = self.call.id
        made: list[SpeechChange] = []
        if not self.correct(
            lambda: made.append(
                self.library.reassign_speech(
                    call_id,
                    speaker,
                    start=speech.start,
                    end=speech.end,
                    only_from=speech.speaker,
                    settings=self.settings,
                )
            )
        ):
            return False
        assert self.call is not None
        label = speaker_label(next(s for s in self.call.transcript.speakers if s.id == speaker))
        self.undo_stack.push(ReassignSpeech(self, made[0], speech, f"Said by {label}"))
        return True

    def speech_changed(self, call_id: int) -> None:
        if self.call is not None and self.call.id == call_id:
            self._load(call_id)
            self.callChanged.emit(call_id)

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
        if self.call is None:
            return False
        call_id = self.call.id
        made: list[SpeakerChange] = []
        if not self.correct(
            lambda: made.append(
                self.library.rename_speaker(call_id, label, name=name, role=role, settings=self.settings)
            )
        ):
            return False
        if made[0].after:
            self.undo_stack.push(ChangeSpeakers(self, made[0], f"Name or role of {label}"))
        return True

    def set_review_status(self, status: str) -> None:
        if self.call is None:
            return
        self.library.set_review_status(self.call.id, status)
        self.call.row["review_status"] = status
        self.status.setCurrentText(status)
        self.callChanged.emit(self.call.id)

    def set_agent_mode(self, on: bool) -> None:
        self.agent_mode = on
        self.comments.set_agent_mode(on)
        for w in (self.swap_button, self.rename_button, self.status):
            w.setEnabled(not on)
        self.voice_notice.setVisible(bool(self.voice_notice.text()) and not on)
