"""Playing a call: the media player, its rate, skipping silences, and where it is. A QObject
without widgets: the review page shows what it says and tells it where to go."""

from __future__ import annotations

import bisect
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from reviewer.analysis.stretches import quiet_gaps

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
SKIP_GAP = 2.0  # "skip silences" jumps over nobody speaking for at least this long
SKIP_LEAD = 0.3  # ... landing this long before the next speech


class PlaybackController(QObject):
    """The player of the call under review. ``position`` is the playhead (seconds) as the page
    last set it (:meth:`seek`) or as playback moved it; the player follows it when it opens a
    file or starts, because it ignores seeks while the file is still loading."""

    positionChanged = Signal(float)  # the playhead moved by playing (seconds)
    playingChanged = Signal(bool)
    failed = Signal(str)  # playback failed: what the player says

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.audio_output = QAudioOutput(self)
        self.player.setAudioOutput(self.audio_output)
        self.player.setPitchCompensation(True)
        self.player.positionChanged.connect(self._player_position)
        self.player.playbackStateChanged.connect(lambda _state: self.playingChanged.emit(self.playing))
        self.player.errorOccurred.connect(lambda _error, text: self.failed.emit(text))
        self.player.mediaStatusChanged.connect(self._media_status)
        self.available = False  # a recording to play
        self.position = 0.0
        self.skip_silences = False
        self._gaps: list[tuple[float, float]] = []
        self._play_when_loaded = False

    @property
    def playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    @property
    def rate(self) -> float:
        return self.player.playbackRate()

    def set_rate(self, rate: float) -> None:
        self.player.setPlaybackRate(rate)

    def set_skip_silences(self, on: bool) -> None:
        self.skip_silences = on

    def set_source(self, path: Path | None) -> bool:
        """Play ``path`` (None: nothing). Returns whether there is a recording to play."""
        self.available = path is not None
        self.player.setSource(QUrl.fromLocalFile(str(path)) if path is not None else QUrl())
        return self.available

    def set_speech(self, spans: list[tuple[float, float]], duration: float) -> None:
        """Where someone speaks (``spans``) in a call this long: what skipping silences skips."""
        self._gaps = quiet_gaps(spans, duration, SKIP_GAP)

    def stop(self) -> None:
        self.player.stop()

    def play(self) -> None:
        self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def _media_loading(self) -> bool:
        return self.player.mediaStatus() in (
            QMediaPlayer.MediaStatus.LoadingMedia,
            QMediaPlayer.MediaStatus.NoMedia,
        )

    def seek(self, seconds: float) -> None:
        self.position = seconds
        if self.available and not self._media_loading():
            self.player.setPosition(int(seconds * 1000))

    def toggle(self) -> None:
        """Play from ``position``, or pause; a file still loading starts once it has loaded."""
        if not self.available:
            return
        if self.playing or self._play_when_loaded:
            self._play_when_loaded = False
            self.player.pause()
        elif self._media_loading():
            self._play_when_loaded = True  # the player ignores seeks until the file is open
        else:
            if self.player.position() != int(self.position * 1000):
                self.player.setPosition(int(self.position * 1000))
            self.player.play()

    def _media_status(self, status) -> None:  # noqa: ANN001
        if status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia):
            if abs(self.player.position() - self.position * 1000) > 50:
                self.player.setPosition(int(self.position * 1000))
            if self._play_when_loaded:
                self._play_when_loaded = False
                self.player.play()

    def _player_position(self, ms: int) -> None:
        if not self.playing:
            return
        seconds = ms / 1000
        if self.skip_silences:
            i = bisect.bisect_right(self._gaps, (seconds, float("inf"))) - 1
            if i >= 0:
                start, end = self._gaps[i]
                if start <= seconds < end - SKIP_LEAD - 0.05:
                    self.player.setPosition(int((end - SKIP_LEAD) * 1000))
                    return
        self.position = seconds
        self.positionChanged.emit(seconds)
