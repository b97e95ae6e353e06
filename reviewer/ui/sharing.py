"""Sharing safely from the app (issue 20): the redaction preview (what redacted audio hides in a
call, on its timeline; hide a selection too or stop hiding a span, undoable), exporting redacted
audio, cutting coaching clips into playlists, and the playlists window that plays a playlist clip
after clip and exports it. The work is the core's (:mod:`reviewer.report.audio`,
:mod:`reviewer.report.clips`, the library); exports run through the app's worker
(:mod:`reviewer.ui.worker`) with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer import actions
from reviewer.analysis.scoring import share_target
from reviewer.audio.peaks import load_peaks
from reviewer.errors import ReviewerError
from reviewer.labels import duration_text, parse_time
from reviewer.library.clips import check_range
from reviewer.model import Clip, Comment, DeletedClip, RedactionEdit, StoredCall
from reviewer.progress import CancelToken, Progress
from reviewer.settings import Settings
from reviewer.ui.library_worker import LatestReads, LibraryWorker
from reviewer.ui.style import MARKER_NAMES, clock, speaker_label
from reviewer.ui.tables import ok_cancel
from reviewer.ui.timeline import TimelineModel, TimelineWidget
from reviewer.ui.undo import LibraryCommand
from reviewer.ui.worker import Job, Worker

if TYPE_CHECKING:
    from reviewer.library.store import Library
    from reviewer.report.redaction import RedactionSpan


# -- undoable changes --------------------------------------------------------------------------



def own_undo(window: QWidget) -> tuple[QUndoStack, QToolButton, QToolButton]:
    """A window's own undo stack (Ctrl+Z and Ctrl+Shift+Z inside it step through what it changed,
    never the review's) and its Undo and Redo buttons."""
    stack = QUndoStack(window)
    undo, redo = stack.createUndoAction(window, "Undo"), stack.createRedoAction(window, "Redo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    window.addActions([undo, redo])
    undo_button, redo_button = QToolButton(), QToolButton()
    undo_button.setDefaultAction(undo)
    redo_button.setDefaultAction(redo)
    return stack, undo_button, redo_button

class _SharingCommand(LibraryCommand):
    """A change of redactions or clips, made already on the library thread when it is pushed
    (see :class:`LibraryCommand`); undo and redo go through :meth:`SharingController.change`."""

    def __init__(self, sharing: SharingController, text: str) -> None:
        super().__init__(text)
        self.sharing = sharing

    def _stack(self) -> QUndoStack:
        return self.sharing.undo_stack

    def _replay(self, work: Callable[[Library], Any], *, undone: bool) -> None:
        self.sharing.change(work, self._made, failed=lambda: self._leave(undone=undone))

    def _made(self, result: Any) -> None:  # noqa: ANN401
        """On the UI thread, once an undo or redo was made: what the command keeps of it."""


class _RedactionChange(_SharingCommand):
    """A change to what a call's redacted audio hides: ``edit`` put in (``added``) or taken out;
    undo does the other (the edit keeps its number)."""

    def __init__(
        self,
        sharing: SharingController,
        stack: QUndoStack,
        call_id: int,
        text: str,
        edit: RedactionEdit,
        *,
        added: bool,
    ) -> None:
        super().__init__(sharing, text)
        self.stack, self.call_id, self.edit, self.added = stack, call_id, edit, added

    def _stack(self) -> QUndoStack:
        return self.stack  # the redaction preview's own: not the call's corrections and scores

    def _put(self, library: Library) -> RedactionEdit:
        return replace(self.edit, id=library.restore_redaction_edit(self.edit))

    def _take(self, library: Library) -> RedactionEdit:
        return library.delete_redaction_edit(self.edit.id)

    def _redo(self, library: Library) -> RedactionEdit:
        return self._put(library) if self.added else self._take(library)

    def _undo(self, library: Library) -> RedactionEdit:
        return self._take(library) if self.added else self._put(library)

    def _made(self, result: RedactionEdit) -> None:
        self.edit = result
        self.sharing.redactions_changed(self.call_id)


class _AddClip(_SharingCommand):
    """A new clip; undo deletes it (from its playlists too), redo puts it back as it was."""

    def __init__(self, sharing: SharingController, clip_id: int, title: str) -> None:
        super().__init__(sharing, f"Clip {title!r}")
        self.clip_id = clip_id
        self.saved: DeletedClip | None = None

    def _undo(self, library: Library) -> DeletedClip:
        return library.delete_clip(self.clip_id)

    def _redo(self, library: Library) -> int:
        assert self.saved is not None
        return library.restore_clip(self.saved)

    def _made(self, result: DeletedClip | int) -> None:
        if isinstance(result, DeletedClip):
            self.saved = result
        else:
            self.clip_id = result
        self.sharing.clips_changed()


class _EditClip(_SharingCommand):
    """A clip's range, title or note changed from ``was`` to ``now``; undo puts ``was`` back."""

    def __init__(self, sharing: SharingController, was: Clip, now: Clip) -> None:
        super().__init__(sharing, f"Edit clip {now.title!r}")
        self.was, self.now = was, now

    @staticmethod
    def _put(library: Library, clip: Clip) -> Clip:
        return library.update_clip(clip.id, start=clip.start, end=clip.end, title=clip.title, note=clip.note)

    def _redo(self, library: Library) -> Clip:
        return self._put(library, self.now)

    def _undo(self, library: Library) -> Clip:
        return self._put(library, self.was)

    def _made(self, result: Clip) -> None:
        self.sharing.clips_changed()


class _DeleteClip(_AddClip):
    """A clip deleted (from its playlists too); undo puts it back where it was: an added clip the
    other way round."""

    def __init__(self, sharing: SharingController, deleted: DeletedClip) -> None:
        _SharingCommand.__init__(self, sharing, f"Delete clip {deleted.clip.title!r}")
        self.clip_id = deleted.clip.id
        self.saved: DeletedClip | None = deleted

    _redo, _undo = _AddClip._undo, _AddClip._redo


class _MoveClip(_SharingCommand):
    """A clip moved from place ``was`` to place ``to`` of a playlist (0 the first); undo moves it
    back. On the playlists window's own undo stack."""

    def __init__(self, window: PlaylistsWindow, name: str, clip: Clip, was: int, to: int) -> None:
        super().__init__(window.sharing, f"Move {clip.title!r} to {to + 1}")
        self.window, self.name, self.clip_id, self.was, self.to = window, name, clip.id, was, to

    def _stack(self) -> QUndoStack:
        return self.window.undo_stack

    def _redo(self, library: Library) -> int:
        library.move_in_playlist(self.name, self.clip_id, self.to)
        return self.to

    def _undo(self, library: Library) -> int:
        library.move_in_playlist(self.name, self.clip_id, self.was)
        return self.was

    def _made(self, result: int) -> None:
        self.window.show_moved(self.name, result)


# -- the redaction preview ---------------------------------------------------------------------


class RedactionPreview(QDialog):
    """The call's timeline with what redacted audio hides, hatched; the spans in a list."""

    def __init__(self, sharing: SharingController, call_id: int, seen: PreviewRead) -> None:
        super().__init__(sharing.window)
        self.sharing, self.call_id = sharing, call_id
        settings, stored = sharing.settings, seen.call
        self.duration_ms = int(stored.row.duration_ms)
        self.who = {sp.id: speaker_label(sp) for sp in stored.transcript.speakers}
        self.setWindowTitle(f"Redaction preview · {stored.row.name}")
        self.resize(1000, 560)
        self.timeline_model = TimelineModel(self)
        self.timeline_model.set_call(stored, seen.share_target)
        self.timeline_model.set_peaks(seen.peaks)
        self.timeline = TimelineWidget(self.timeline_model)
        self.timeline.seekRequested.connect(self.timeline_model.set_playhead)
        self.timeline_model.selectionChanged.connect(self._selection_changed)
        how = "a tone" if settings.redact_mode == "tone" else "silence"
        self.info = QLabel(
            f"Hatched: replaced by {how} on every channel, {settings.redact_margin:g} s more each side "
            "(settings.toml [redaction]). Drag on the timeline to select a stretch to hide too."
        )
        self.info.setWordWrap(True)
        self.summary = QLabel()  # what every redacted export of the call will say it hid
        self.summary.setAccessibleName("What redaction hides")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Time", "What", "Who", "Found by"])
        self.table.setAccessibleName("Redacted spans")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._row_chosen)
        self.hide_button = QPushButton("&Hide the selection")
        self.hide_button.clicked.connect(self.hide_selection)
        self.remove_button = QPushButton("&Stop hiding this span")
        self.remove_button.clicked.connect(self.remove_selected)
        # Its own undo: what the preview changed, never the review's answers or corrections.
        self.undo_stack, self.undo_button, self.redo_button = own_undo(self)
        # Hearing it: the redacted audio rendered as the export renders it, into Reviewer's own
        # cache, on a worker of its own (progress and cancel), played from the playhead.
        self.play_button = QPushButton("▶ &Play redacted")
        self.play_button.setAccessibleName("Play the redacted audio")
        self.play_button.setToolTip("Hear the call as the redacted export will sound, from the playhead")
        self.play_button.clicked.connect(self.play)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.render_bar = QProgressBar()
        self.render_bar.setAccessibleName("Preparing the redacted audio")
        self.render_bar.setRange(0, 100)
        self.render_bar.setFormat("Preparing the redacted audio… %p %")
        self.render_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_render)
        self.cancel_button.hide()
        self.hearing = QLabel("")
        self.hearing.setAccessibleName("Playing")
        self.player = QMediaPlayer(self)
        self.audio_output = QAudioOutput(self)
        self.player.setAudioOutput(self.audio_output)
        self.player.positionChanged.connect(self._position)
        self.player.mediaStatusChanged.connect(self._media_status)
        self.player.playbackStateChanged.connect(lambda _state: self._enable_play())
        self.render_worker = Worker(self, name="reviewer-redaction-preview", newest_wins=True)
        self.render_job: Job | None = None
        self.rendered: Path | None = None  # the redacted audio of the spans shown; None: to render
        self._start_ms: int | None = None  # where to play from once the player has loaded it
        self.export_button = QPushButton("&Export redacted audio…")
        self.export_button.clicked.connect(lambda: sharing.export_redacted_audio({call_id: stored.row.name}))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for b in (self.hide_button, self.remove_button, self.undo_button, self.redo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.summary)
        layout.addWidget(self.timeline)
        layout.addWidget(self.table, 1)
        hear = QHBoxLayout()
        for w in (self.play_button, self.stop_button, self.render_bar, self.cancel_button):
            hear.addWidget(w)
        hear.addWidget(self.hearing, 1)
        layout.addLayout(hear)
        layout.addLayout(buttons)
        self.spans: list[RedactionSpan] = []
        self._show_spans(seen.spans)

    def refresh(self) -> None:
        """Read the call's spans again (on the library thread) and show them."""
        from reviewer.report.redaction import call_redactions

        call_id, settings = self.call_id, self.sharing.settings
        self.sharing.reads.read(
            "preview spans", lambda library: call_redactions(library, call_id, settings), self._show_spans
        )

    def _show_spans(self, spans: list[RedactionSpan]) -> None:
        from reviewer.report.audio import padded
        from reviewer.report.redaction import hidden_summary

        s = self.sharing.settings
        if self.spans != spans:
            self._forget_rendered()  # what was rendered hides other spans: render it again
        self.spans = spans
        self.summary.setText(f"Every redacted export of this call: {hidden_summary(self.spans)}.")
        hidden = padded(self.spans, s.redact_margin, self.duration_ms)
        self.timeline_model.set_redactions([(a / 1000, b / 1000) for a, b in hidden])
        self.table.setRowCount(len(self.spans))
        for i, span in enumerate(self.spans):
            values = (
                f"{clock(span.start, tenths=True)}–{clock(span.end, tenths=True)}",
                span.kind,
                self.who.get(span.speaker, span.speaker or ""),
                "the transcript" if span.source == "found" else "you",
            )
            for col, text in enumerate(values):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self._selection_changed()
        self._row_chosen()

    def _selection_changed(self) -> None:
        self.hide_button.setEnabled(self.timeline_model.selection is not None)

    # hearing the redacted audio

    def preview_file(self) -> Path:
        """Where the preview's redacted audio goes: Reviewer's cache, owner-only, one per call."""
        from reviewer.paths import cache_dir, ensure_private_dir

        folder = ensure_private_dir(cache_dir() / "redaction preview")
        return folder / f"call {self.call_id}.wav"

    def play(self) -> None:
        """Play the redacted audio from the playhead (two seconds before it, to hear what leads
        in); rendered first where the spans changed since (or never were)."""
        self._start_ms = max(0, int(self.timeline_model.playhead * 1000) - 2000)
        if self.rendered is not None and self.rendered.is_file():
            self._load_and_play()
            return
        if self.render_job is not None and self.render_job.running():
            return
        out = self.preview_file()
        library_path, settings, call_id = self.sharing._library_path(), self.sharing.settings, self.call_id

        def work(progress: Callable[[Progress], None], cancel: CancelToken) -> str:
            from reviewer.library import open_library
            from reviewer.report.audio import export_audio

            with open_library(library_path) as library:
                export_audio(library, settings, [call_id], out, redact=True, progress=progress, cancel=cancel)
            return str(out)

        job = self.render_worker.start(work, unexpected="The redacted audio could not be prepared")
        self.render_job = job
        self.render_bar.setValue(0)
        self.render_bar.show()
        self.cancel_button.show()
        self.hearing.setText("")
        job.progress.connect(lambda p: self.render_bar.setValue(int(p.fraction * 100)))
        job.finished.connect(self._rendered)
        job.cancelled.connect(lambda: self._render_ended("Cancelled: nothing to play yet."))
        job.failed.connect(lambda text: self._render_ended(text))
        self._enable_play()

    def cancel_render(self) -> None:
        if self.render_job is not None:
            self.render_job.cancel()

    def _rendered(self, path: str) -> None:
        self._render_ended("")
        self.rendered = Path(path)
        self._load_and_play()

    def _render_ended(self, text: str) -> None:
        self.render_job = None
        self.render_bar.hide()
        self.cancel_button.hide()
        self.hearing.setText(text)
        self._enable_play()

    def _load_and_play(self) -> None:
        assert self.rendered is not None
        url = QUrl.fromLocalFile(str(self.rendered))
        if self.player.source() == url and self.player.mediaStatus() in (
            QMediaPlayer.MediaStatus.LoadedMedia,
            QMediaPlayer.MediaStatus.BufferedMedia,
            QMediaPlayer.MediaStatus.EndOfMedia,
        ):
            self.player.setPosition(self._start_ms or 0)
            self._start_ms = None
        else:
            self.player.setSource(url)
        self.player.play()
        self.hearing.setText("Playing the redacted audio (as the export will sound)")

    def _media_status(self, status) -> None:  # noqa: ANN001
        if status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia):
            if self._start_ms is not None:
                self.player.setPosition(self._start_ms)
                self._start_ms = None
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.hearing.setText("")

    def _position(self, ms: int) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState and self._start_ms is None:
            self.timeline_model.set_playhead(ms / 1000)

    def stop(self) -> None:
        self.player.stop()
        self.hearing.setText("")

    def _enable_play(self) -> None:
        rendering = self.render_job is not None and self.render_job.running()
        playing = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setEnabled(not rendering)
        self.stop_button.setEnabled(playing)

    def _forget_rendered(self) -> None:
        """The spans changed: the audio rendered before no longer hides what the export would."""
        if hasattr(self, "player"):
            self.player.stop()
            self.player.setSource(QUrl())
            self.hearing.setText("")
        if self.rendered is not None:
            from reviewer.report.audio import side_file

            self.rendered.unlink(missing_ok=True)
            side_file(self.rendered).unlink(missing_ok=True)
        self.rendered = None

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001
        """The render stops, the player too, and the redacted audio leaves the cache."""
        self.render_worker.cancel_all()
        self._forget_rendered()
        super().closeEvent(event)

    def _row_chosen(self) -> None:
        row = self.table.currentRow() if self.table.selectedItems() else -1
        self.remove_button.setEnabled(0 <= row < len(self.spans))
        if 0 <= row < len(self.spans):
            self.timeline_model.set_playhead(self.spans[row].start)

    def hide_selection(self) -> None:
        sel = self.timeline_model.selection
        if sel is None:
            return
        a, b = sel
        self.sharing.change_redaction(
            self.undo_stack,
            self.call_id,
            f"Hide {clock(a)}–{clock(b)}",
            start=round(a, 3),
            end=round(b, 3),
            action="add",
        )
        self.timeline_model.set_selection(None)

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.spans):
            return
        span = self.spans[row]
        text = f"Stop hiding {span.kind} at {clock(span.start)}"
        if span.source == "added":
            self.sharing.take_back_redaction(self.undo_stack, self.call_id, text, span.start_ms, span.end_ms)
        else:
            self.sharing.change_redaction(
                self.undo_stack, self.call_id, text, start=span.start, end=span.end, action="remove"
            )


# -- clips -------------------------------------------------------------------------------------


class ClipDialog(QDialog):
    """Title, note, playlist and range for a new clip; the range starts as ``start``-``end`` and
    can be typed (1:23.4 or 83.4), checked against the call's length ``duration`` (seconds).
    Given a ``clip``, it edits that clip (range, title, note) and offers to delete it
    (``deleteRequested``)."""

    deleteRequested = Signal()

    def __init__(
        self,
        parent: QWidget,
        start: float,
        end: float,
        playlists: list[str],
        title: str = "",
        *,
        duration: float | None = None,
        clip: Clip | None = None,
    ) -> None:
        super().__init__(parent)
        self.clip = clip
        if clip is not None:
            start, end, title = clip.start, clip.end, clip.title
        self.setWindowTitle("Edit coaching clip" if clip is not None else "New coaching clip")
        self.duration = duration if duration is not None else end
        self._shown = {"start": (clock(start, tenths=True), start), "end": (clock(end, tenths=True), end)}
        self.start_edit = QLineEdit(self._shown["start"][0])
        self.start_edit.setAccessibleName("Clip start")
        self.end_edit = QLineEdit(self._shown["end"][0])
        self.end_edit.setAccessibleName("Clip end")
        for edit in (self.start_edit, self.end_edit):
            edit.setMaximumWidth(90)
            edit.setToolTip("A time in the call: 1:23.4 or 83.4")
            edit.textEdited.connect(lambda _text: self._range_changed())
        self.length = QLabel()
        self.length.setAccessibleName("Clip length")
        span = QHBoxLayout()
        span.addWidget(self.start_edit)
        span.addWidget(QLabel("to"))
        span.addWidget(self.end_edit)
        span.addWidget(self.length, 1)
        self.title = QLineEdit(title)
        self.title.setAccessibleName("Clip title")
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Note for the trainee")
        self.note.setFixedHeight(80)
        self.playlist = QComboBox()
        self.playlist.setEditable(True)
        self.playlist.addItems(playlists)
        self.playlist.setAccessibleName("Playlist")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout(self)
        form.addRow("&Range", span)
        form.labelForField(span).setBuddy(self.start_edit)
        form.addRow("&Title", self.title)
        form.addRow("&Note", self.note)
        if clip is None:
            form.addRow("&Playlist", self.playlist)
        else:
            self.note.setPlainText(clip.note)
            self.playlist.hide()  # its playlists keep it: the Playlists window moves it
        form.addRow(self.error)
        buttons = ok_cancel(self)
        self.delete_button: QPushButton | None = None
        if clip is not None:
            self.delete_button = buttons.addButton("&Delete clip", buttons.ButtonRole.DestructiveRole)
            self.delete_button.setAccessibleName("Delete this clip")
            self.delete_button.clicked.connect(self._delete)
        form.addRow(buttons)
        self._range_changed()

    def _delete(self) -> None:
        self.deleteRequested.emit()
        self.reject()

    @property
    def start(self) -> float:
        return self._time("start", self.start_edit)

    @property
    def end(self) -> float:
        return self._time("end", self.end_edit)

    def _time(self, field: str, edit: QLineEdit) -> float:
        """The time typed (the one offered, to the millisecond, while its text is unchanged);
        ReviewerError with a sentence for text that is not a time."""
        text, value = self._shown[field]
        if edit.text() == text:
            return value
        try:
            return parse_time(edit.text())
        except ValueError as e:
            raise ReviewerError(str(e)) from None

    def _checked_range(self) -> tuple[float, float]:
        start, end = self.start, self.end
        check_range(self.duration, start, end)
        return start, end

    def _range_changed(self) -> None:
        """The clip's length as typed, or what is wrong with the range (the call's length said)."""
        try:
            start, end = self._checked_range()
        except ReviewerError as e:
            self.length.setText("")
            self.error.setText(str(e))
            self.error.show()
            return
        self.error.hide()
        self.length.setText(f"{duration_text(end - start)} of {clock(self.duration)}")

    def values(self) -> dict[str, Any]:
        playlist = self.playlist.currentText().strip()
        return {
            "start": self.start,
            "end": self.end,
            "title": self.title.text(),
            "note": self.note.toPlainText(),
            "playlist": playlist or None,
        }

    def accept(self) -> None:
        try:
            self._checked_range()
        except ReviewerError as e:
            self.error.setText(str(e))
            self.error.show()
            return
        if not self.title.text().strip():
            self.error.setText("A clip needs a title.")
            self.error.show()
            return
        super().accept()


class PlaylistsWindow(QDialog):
    """Every playlist; a playlist's clips; play them one after another; export them."""

    def __init__(self, sharing: SharingController) -> None:
        super().__init__(sharing.window)
        self.sharing = sharing
        self.setWindowTitle("Playlists")
        self.resize(900, 480)
        self.lists = QListWidget()
        self.lists.setAccessibleName("Playlists")
        self.lists.currentTextChanged.connect(self._show)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Clip", "Call", "Time", "Note"])
        self.table.setAccessibleName("Clips")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.play_from(row))
        self.play_button = QPushButton("▶ Play all")
        self.play_button.clicked.connect(lambda: self.play_from(0))
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.clicked.connect(self.stop)
        self.now_playing = QLabel("")
        self.now_playing.setAccessibleName("Now playing")
        self.redact = QCheckBox("Redact (bleep and mask what each call's redaction preview lists)")
        self.redact.setChecked(True)
        self.page_button = QPushButton("Export &page…")
        self.page_button.clicked.connect(lambda: self.export(page=True))
        self.folder_button = QPushButton("Export &folder…")
        self.folder_button.clicked.connect(lambda: self.export(page=False))
        self.up_button = QPushButton("Move &up")
        self.up_button.setAccessibleName("Move the clip up")
        self.up_button.clicked.connect(lambda: self.move_clip(-1))
        self.down_button = QPushButton("Move &down")
        self.down_button.setAccessibleName("Move the clip down")
        self.down_button.clicked.connect(lambda: self.move_clip(1))
        self.table.itemSelectionChanged.connect(self._enable_moves)
        # Its own undo: the playlists' order, never the call under review's answers or comments.
        self.undo_stack, self.undo_button, self.redo_button = own_undo(self)
        self._selected_after: int | None = None  # the row to select once a move is shown
        self.take_out_button = QPushButton("Take clip out")
        self.take_out_button.clicked.connect(self.take_out)
        self.delete_button = QPushButton("Delete playlist")
        self.delete_button.clicked.connect(self.delete_playlist)

        self.player = QMediaPlayer(self)
        self.audio_output = QAudioOutput(self)
        self.player.setAudioOutput(self.audio_output)
        self.player.positionChanged.connect(self._position)
        self.player.mediaStatusChanged.connect(self._media_status)
        self.clips: list[Clip] = []
        self.index = -1  # the clip playing; -1: none
        self._pending_start: int | None = None
        self._settled = False  # the player reports positions in the clip (not from before the seek)

        top = QHBoxLayout()
        top.addWidget(self.lists, 1)
        top.addWidget(self.table, 3)
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.stop_button)
        transport.addWidget(self.now_playing, 1)
        for b in (self.up_button, self.down_button, self.undo_button, self.redo_button):
            transport.addWidget(b)
        share = QHBoxLayout()
        share.addWidget(self.redact)
        share.addStretch(1)
        for b in (self.take_out_button, self.delete_button, self.page_button, self.folder_button):
            share.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addLayout(transport)
        layout.addLayout(share)
        self.refresh()

    @property
    def name(self) -> str | None:
        item = self.lists.currentItem()
        return item.text() if item else None

    def refresh(self) -> None:
        """Read the playlists and the chosen one's clips again (on the library thread)."""
        current = self.name

        def read(library: Library) -> tuple[list[str], list[Clip]]:
            names = [p.name for p in library.playlists()]
            shown = current if current in names else (names[0] if names else None)
            return names, library.playlist_clips(shown) if shown else []

        self.sharing.reads.read("playlists", read, lambda value: self._show_lists(current, *value))

    def _show_lists(self, current: str | None, names: list[str], clips: list[Clip]) -> None:
        self.sharing.reads.drop("playlist clips")  # the whole window was read anew
        self.lists.blockSignals(True)
        self.lists.clear()
        self.lists.addItems(names)
        if names:
            self.lists.setCurrentRow(names.index(current) if current in names else 0)
        self.lists.blockSignals(False)
        self.stop()
        self._show_clips(self.name, clips)

    def _show(self, name: str | None) -> None:
        """Another playlist picked: its clips, read on the library thread."""
        self.stop()
        if name is None:
            self._show_clips(None, [])
            return
        self.sharing.reads.read(
            "playlist clips",
            lambda library: library.playlist_clips(name),
            lambda clips: self._show_clips(name, clips),
        )

    def _show_clips(self, name: str | None, clips: list[Clip]) -> None:
        self.clips = clips
        self.table.setRowCount(len(self.clips))
        for i, c in enumerate(self.clips):
            values = (c.title, c.call_name, f"{clock(c.start)}–{clock(c.end)}", c.note)
            for col, text in enumerate(values):
                self.table.setItem(i, col, QTableWidgetItem(text))
        for b in (self.play_button, self.page_button, self.folder_button, self.take_out_button):
            b.setEnabled(bool(self.clips))
        self.delete_button.setEnabled(name is not None)
        row, self._selected_after = self._selected_after, None
        if row is not None and 0 <= row < len(self.clips):
            self.table.selectRow(row)
        self._enable_moves()

    # reordering

    def _enable_moves(self) -> None:
        row = self.table.currentRow() if self.table.selectedItems() else -1
        self.up_button.setEnabled(0 < row < len(self.clips))
        self.down_button.setEnabled(0 <= row < len(self.clips) - 1)

    def move_clip(self, step: int) -> None:
        """Move the selected clip ``step`` places (-1 up, 1 down), undoably; kept in the library."""
        row = self.table.currentRow() if self.table.selectedItems() else -1
        name, to = self.name, row + step
        if name is None or not 0 <= row < len(self.clips) or not 0 <= to < len(self.clips):
            return
        clip = self.clips[row]
        self.stop()

        def made(was: int) -> None:
            self.undo_stack.push(_MoveClip(self, name, clip, was, to))
            self.show_moved(name, to)

        self.sharing.change(lambda library: library.move_in_playlist(name, clip.id, to), made)

    def show_moved(self, name: str, row: int) -> None:
        """A clip of ``name`` now at ``row``: the playlist shown again with it selected."""
        if self.name != name:
            return
        self._selected_after = row
        self._show(name)

    # playing clip after clip

    @property
    def playing(self) -> bool:
        return self.index >= 0

    def play_from(self, index: int) -> None:
        self.index = index - 1
        self.next_clip()

    def next_clip(self) -> None:
        self.index += 1
        while (
            0 <= self.index < len(self.clips) and not Path(self.clips[self.index].call_path or "").is_file()
        ):
            self.index += 1  # a recording that moved away: its clip is skipped
        if not 0 <= self.index < len(self.clips):
            self.stop()
            return
        clip = self.clips[self.index]
        self._settled = False
        self.table.selectRow(self.index)
        n = len(self.clips)
        self.now_playing.setText(f"Playing {self.index + 1} of {n}: {clip.title} ({clip.call_name})")
        url = QUrl.fromLocalFile(str(clip.call_path))
        if self.player.source() == url and self.player.mediaStatus() in (
            QMediaPlayer.MediaStatus.LoadedMedia,
            QMediaPlayer.MediaStatus.BufferedMedia,
            QMediaPlayer.MediaStatus.EndOfMedia,
        ):
            self.player.setPosition(clip.start_ms)
            self.player.play()
        else:
            self._pending_start = clip.start_ms
            self.player.setSource(url)
            self.player.play()

    def stop(self) -> None:
        self.index = -1
        self._pending_start = None
        self.player.stop()
        self.now_playing.setText("")

    def _media_status(self, status) -> None:  # noqa: ANN001
        if status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia):
            if self._pending_start is not None:
                self.player.setPosition(self._pending_start)
                self._pending_start = None
                self.player.play()
        elif status == QMediaPlayer.MediaStatus.EndOfMedia and self.playing:
            self.next_clip()

    def _position(self, ms: int) -> None:
        if not self.playing or self._pending_start is not None:
            return
        clip = self.clips[self.index]
        if not self._settled:  # a position from before the seek to this clip
            self._settled = clip.start_ms - 300 <= ms <= clip.end_ms
            return
        if ms >= clip.end_ms:
            self.next_clip()

    # editing and exporting

    def take_out(self) -> None:
        row = self.table.currentRow()
        name = self.name
        if name and 0 <= row < len(self.clips):
            clip_id = self.clips[row].id
            self.sharing.change(
                lambda library: library.remove_from_playlist(name, clip_id), lambda _: self._show(name)
            )

    def delete_playlist(self) -> None:
        if self.name is None:
            return
        answer = QMessageBox.question(
            self, "Delete playlist", f"Delete the playlist {self.name!r}? Its clips stay."
        )
        if answer == QMessageBox.StandardButton.Yes:
            name = self.name
            self.sharing.change(lambda library: library.delete_playlist(name), lambda _: self.refresh())

    def export(self, *, page: bool, out: Path | None = None) -> Job | None:
        if self.name is None:
            return None
        if out is None:
            if page:
                path, _ = QFileDialog.getSaveFileName(
                    self, "Export the playlist as a page", f"{self.name}.html", "Web page (*.html)"
                )
            else:
                path = QFileDialog.getExistingDirectory(self, "Export the playlist into a folder")
            if not path:
                return None
            out = Path(path)
        return self.sharing.export_playlist(self.name, out, redact=self.redact.isChecked())

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001
        self.stop()
        super().closeEvent(event)


# -- the controller the main window holds ------------------------------------------------------


@dataclass(frozen=True)
class ReviewSpot:
    """Where the coach is in the call under review: what a redaction preview or a clip starts
    from."""

    call_id: int
    selection: tuple[float, float] | None  # the range dragged on the timeline
    comment: Comment | None  # the comment picked in the list, as the list shows it
    playhead: float


ExportWork = Callable[[Callable[[Progress], None], CancelToken], list[Path]]


@dataclass(frozen=True)
class PreviewRead:
    """What a redaction preview shows, read in one trip on the library thread."""

    call: StoredCall
    share_target: Any  # the call's scorecard's talk-share target (analysis.scoring.share_target)
    peaks: Any  # the waveform's peak pyramid (audio.peaks), None where not cached
    spans: list[RedactionSpan]


class SharingController(QObject):
    """Menus, dialogs and jobs of sharing. What it is given: the dialogs' parent, the window's
    library thread (every read and change of the library runs there) and where the library is,
    the settings, the undo stack the
    review's changes go on, where the coach is in a review (None while no call is under review),
    what File › Export would export, a line for the status bar, and a worker for its exports."""

    clipsChanged = Signal()  # a clip was made, edited or deleted (or that undone)

    def __init__(
        self,
        window: QWidget,
        *,
        library_worker: LibraryWorker,
        library_path: Callable[[], str | Path],
        settings: Settings,
        undo_stack: QUndoStack,
        review_spot: Callable[[], ReviewSpot | None],
        export_targets: Callable[[], dict[int, str]],
        status: Callable[[str, int], None],
        worker: Worker | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window  # the dialogs' parent
        self.library_worker = library_worker
        self.reads = LatestReads(lambda: self.library_worker, self._refused)
        self._library_path = library_path
        self.settings = settings
        self.undo_stack = undo_stack
        self._review_spot = review_spot
        self._export_targets = export_targets
        self._status = status
        self.worker = worker if worker is not None else Worker(self, name="reviewer-share")
        self.preview: RedactionPreview | None = None
        self.playlists_window: PlaylistsWindow | None = None
        self.clip_dialog: ClipDialog | None = None
        self.job: Job | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message: QMessageBox | None = None

    def _refused(self, error: BaseException) -> None:
        QMessageBox.warning(self.window, "Reviewer", str(error))

    def change(
        self,
        work: Callable[[Library], Any],
        made: Callable[[Any], None] | None = None,
        *,
        failed: Callable[[], None] | None = None,
    ) -> None:
        """A change of the library: ``work(library)`` on the library thread, then ``made(result)``
        here; what the library refuses is said, and ``failed()`` called."""

        def refused(error: BaseException) -> None:
            self._refused(error)
            if failed is not None:
                failed()

        self.library_worker.submit(work, made, refused, writes=True)

    def change_redaction(
        self, stack: QUndoStack, call_id: int, text: str, *, start: float, end: float, action: str
    ) -> None:
        """Hide ``start``-``end`` too ("add"), or stop hiding the found spans it covers ("remove");
        undoable on ``stack`` (the preview's) once made."""

        def work(library: Library) -> RedactionEdit:
            edit_id = library.add_redaction_edit(call_id, start, end, action)
            return next(e for e in library.redaction_edits(call_id) if e.id == edit_id)

        def made(edit: RedactionEdit) -> None:
            stack.push(_RedactionChange(self, stack, call_id, text, edit, added=True))
            self.redactions_changed(call_id)

        self.change(work, made)

    def take_back_redaction(
        self, stack: QUndoStack, call_id: int, text: str, start_ms: int, end_ms: int
    ) -> None:
        """Stop hiding a span a coach added (``start_ms``-``end_ms``); undoable on ``stack`` once
        made."""

        def work(library: Library) -> RedactionEdit:
            edit = next(
                (
                    e
                    for e in library.redaction_edits(call_id)
                    if e.action == "add" and (e.start_ms, e.end_ms) == (start_ms, end_ms)
                ),
                None,
            )
            if edit is None:
                raise ReviewerError("That span is no longer hidden (someone changed the call meanwhile).")
            return library.delete_redaction_edit(edit.id)

        def made(edit: RedactionEdit) -> None:
            stack.push(_RedactionChange(self, stack, call_id, text, edit, added=False))
            self.redactions_changed(call_id)

        self.change(work, made)

    def install(self, file_menu: QMenu, after: QAction) -> None:
        audio = QAction("Export &redacted audio…", self.window)
        audio.triggered.connect(lambda: self.export_redacted_audio())
        actions = file_menu.actions()
        following = actions[actions.index(after) + 1] if after in actions[:-1] else None
        file_menu.insertAction(following, audio)
        self.export_audio_action = audio
        menu = QMenu("&Share", self.window)  # the window puts it in its menu bar
        self.menu = menu
        self.preview_action = menu.addAction("Redaction &preview…", self.show_preview)
        self.preview_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        menu.addAction(audio)
        menu.addSeparator()
        self.clip_action = menu.addAction("&Clip from selection, comment or marker…", self.clip_dialog_here)
        self.clip_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.playlists_action = menu.addAction("P&laylists…", self.show_playlists)
        self.playlists_action.setShortcut(QKeySequence("Ctrl+Shift+L"))

    def set_agent_mode(self, on: bool) -> None:
        """Redaction changes, clips and playlists are the coach's, not the agent's in self-review."""
        for action in (self.preview_action, self.clip_action, self.playlists_action):
            action.setEnabled(not on)

    def _spot(self) -> ReviewSpot | None:
        spot = self._review_spot()
        if spot is None:
            QMessageBox.information(self.window, "Reviewer", "Open a call for review first.")
        return spot

    # redaction

    def show_preview(self) -> None:
        """Open the redaction preview of the call under review once the library thread has read
        it (``preview``)."""
        spot = self._spot()
        if spot is None:
            return
        from reviewer.report.redaction import call_redactions

        call_id, settings = spot.call_id, self.settings

        def read(library: Library) -> PreviewRead:
            stored = library.load_call(call_id)
            target = share_target(actions.scores.call_card(library, call_id), settings)
            peaks = load_peaks(stored.row.content_hash)
            return PreviewRead(stored, target, peaks, call_redactions(library, call_id, settings))

        def show(seen: PreviewRead) -> None:
            if self.preview is not None:
                self.preview.close()
            self.preview = RedactionPreview(self, call_id, seen)
            self.preview.show()

        self.reads.read("preview", read, show)

    def redactions_changed(self, call_id: int) -> None:
        if self.preview is not None and self.preview.call_id == call_id:
            self.preview.refresh()

    def export_redacted_audio(
        self, names: dict[int, str] | None = None, out: Path | None = None
    ) -> Job | None:
        names = names if names is not None else self._export_targets()
        if not names:
            QMessageBox.information(self.window, "Export", "There are no calls to export.")
            return None
        if out is None:
            if len(names) == 1:
                stem = Path(next(iter(names.values()))).stem
                path, _ = QFileDialog.getSaveFileName(
                    self.window,
                    "Export redacted audio",
                    f"{stem} (redacted).wav",
                    "Audio (*.wav *.mp3 *.ogg)",
                )
            else:
                path = QFileDialog.getExistingDirectory(self.window, "Export redacted audio into a folder")
            if not path:
                return None
            out = Path(path)
        library_path, settings, ids = self._library_path(), self.settings, list(names)

        def work(progress: Callable[[Progress], None], cancel: CancelToken) -> list[Path]:
            from reviewer.library import open_library
            from reviewer.report.audio import export_audio

            with open_library(library_path) as lib:
                return export_audio(lib, settings, ids, out, redact=True, progress=progress, cancel=cancel)

        return self.run("Exporting redacted audio…", work, out)

    # clips

    def clip_dialog_here(self) -> None:
        """Open the new-clip dialog (``clip_dialog``) on the selection, the comment's range or the
        marker under the playhead, once the library thread has read the playlists (and the
        marker)."""
        spot = self._spot()
        if spot is None:
            return
        call_id = spot.call_id
        chosen: tuple[float, float, str] | None = None
        if spot.selection:
            chosen = (*spot.selection, "")
        elif spot.comment is not None and spot.comment.end is not None:
            comment = spot.comment
            chosen = (comment.start, comment.end, comment.text[:60])
        playhead = spot.playhead

        def read(library: Library) -> tuple[tuple[float, float, str] | None, list[str], float]:
            span = chosen
            if span is None:
                try:
                    marker = library.marker_at(call_id, playhead)
                except ReviewerError:
                    span = None
                else:
                    span = (marker.start, marker.end, MARKER_NAMES.get(marker.kind, marker.kind))
            return span, [p.name for p in library.playlists()], library.call_row(call_id).duration

        def show(value: tuple[tuple[float, float, str] | None, list[str], float]) -> None:
            span, names, duration = value
            if span is None:
                QMessageBox.information(
                    self.window,
                    "Clip",
                    "Drag on the timeline to select the stretch to clip, pick a comment with a range, "
                    "or put the playhead on a marker.",
                )
                return
            start, end, title = span
            dialog = ClipDialog(self.window, start, end, names, title, duration=duration)
            dialog.accepted.connect(lambda: self._add_clip(call_id, dialog))
            self.clip_dialog = dialog
            dialog.open()

        self.reads.read("clip dialog", read, show)

    def _add_clip(self, call_id: int, dialog: ClipDialog) -> None:
        fields = {"call_id": call_id, "author": "", **dialog.values()}

        def made(clip_id: int) -> None:
            self.undo_stack.push(_AddClip(self, clip_id, fields["title"]))
            self.clips_changed()
            where = f" in {fields['playlist']!r}" if fields["playlist"] else ""
            self._status(f"Clip {fields['title']!r} saved{where}", 4000)

        def add(library: Any) -> int:  # noqa: ANN401 - a Library
            fields["author"] = actions.review.signature(library)  # the person's name, not the login
            return library.add_clip(**fields)

        self.change(add, made)

    def edit_clip(self, clip_id: int) -> None:
        """Open the clip dialog on clip ``clip_id`` (``clip_dialog``), once the library thread
        has read it: its range, title and note change undoably, or it is deleted undoably."""
        if not self.clip_action.isEnabled():
            return  # clips are the coach's (an agent's self-review shows them, unchangeable)

        def read(library: Library) -> tuple[Clip, float]:
            clip = library.clip(clip_id)
            return clip, library.call_row(clip.call_id).duration

        def show(value: tuple[Clip, float]) -> None:
            clip, duration = value
            dialog = ClipDialog(self.window, clip.start, clip.end, [], duration=duration, clip=clip)
            dialog.accepted.connect(lambda: self._edit_clip(clip, dialog))
            dialog.deleteRequested.connect(lambda: self.delete_clip(clip.id))
            self.clip_dialog = dialog
            dialog.open()

        self.reads.read("clip dialog", read, show)

    def _edit_clip(self, was: Clip, dialog: ClipDialog) -> None:
        fields = dialog.values()
        now = replace(
            was,
            start_ms=round(fields["start"] * 1000),
            end_ms=round(fields["end"] * 1000),
            title=fields["title"].strip(),
            note=fields["note"].strip(),
        )
        if (now.start_ms, now.end_ms, now.title, now.note) == (was.start_ms, was.end_ms, was.title, was.note):
            return

        def made(_was: Clip) -> None:
            self.undo_stack.push(_EditClip(self, was, now))
            self.clips_changed()
            self._status(f"Clip {now.title!r} changed", 4000)

        self.change(lambda library: _EditClip._put(library, now), made)

    def delete_clip(self, clip_id: int) -> None:
        """Delete a clip (from its playlists too), undoably."""

        def made(deleted: DeletedClip) -> None:
            self.undo_stack.push(_DeleteClip(self, deleted))
            self.clips_changed()
            self._status(f"Clip {deleted.clip.title!r} deleted", 4000)

        self.change(lambda library: library.delete_clip(clip_id), made)

    def clips_changed(self) -> None:
        self.clipsChanged.emit()
        if self.playlists_window is not None:
            self.playlists_window.refresh()

    def show_playlists(self) -> PlaylistsWindow:
        if self.playlists_window is None:
            self.playlists_window = PlaylistsWindow(self)
        self.playlists_window.refresh()
        self.playlists_window.show()
        self.playlists_window.raise_()
        return self.playlists_window

    def export_playlist(self, name: str, out: Path, *, redact: bool) -> Job | None:
        library_path, settings = self._library_path(), self.settings

        def work(progress: Callable[[Progress], None], cancel: CancelToken) -> list[Path]:
            from reviewer.actions.exports import export_playlist
            from reviewer.library import open_library

            with open_library(library_path) as lib:
                return export_playlist(
                    lib, settings, name, out, redact=redact, progress=progress, cancel=cancel
                )

        return self.run(f"Exporting {name}…", work, out)

    # running a job

    def run(self, label: str, work: ExportWork, out: Path) -> Job | None:
        if self.job is not None and self.job.running():
            QMessageBox.information(self.window, "Export", "An export is still running.")
            return None
        job = self.worker.start(
            lambda progress, cancel: [str(p) for p in work(progress, cancel)],
            unexpected="The export failed unexpectedly",
        )
        self.job = job
        progress = QProgressDialog(label, "Cancel", 0, 100, self.window)
        progress.setWindowTitle("Export")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(job.cancel)
        self.progress_dialog = progress
        job.progress.connect(lambda p: progress.setValue(int(p.fraction * 100)))
        job.finished.connect(lambda paths: self._end(f"Exported {len(paths)} file(s) to {out}.", False))
        job.cancelled.connect(lambda: self._end("Export cancelled; nothing half-written was kept.", False))
        job.failed.connect(lambda text: self._end(text, True))
        return job

    def _end(self, text: str, failed: bool) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect()
            self.progress_dialog.close()
            self.progress_dialog = None
        icon = QMessageBox.Icon.Warning if failed else QMessageBox.Icon.Information
        self.message = QMessageBox(icon, "Export failed" if failed else "Export", text, parent=self.window)
        self.message.open()

    def shutdown(self) -> None:
        """Closing the window: the playlist stops playing (its exports stop with the window's
        workers)."""
        if self.playlists_window is not None:
            self.playlists_window.stop()
