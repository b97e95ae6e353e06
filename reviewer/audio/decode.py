"""Decode any common call format to 16 kHz float32, keeping the channels.

PyAV brings its own FFmpeg, so wav, mp3, m4a/aac, ogg/opus, flac and the audio track of
mp4/mkv all decode without a system ffmpeg.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reviewer.errors import BadAudioError
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress

SAMPLE_RATE = 16_000
MIN_DURATION = 0.5  # seconds; anything shorter cannot be a call
SILENCE_PEAK = 1e-4  # below this absolute peak the file is digital silence
# A stated length is trusted for up to four hours of samples; a longer one (perhaps a damaged
# header) starts there and grows as the audio really comes.
MAX_PREALLOCATED = 4 * 3600 * SAMPLE_RATE


@dataclass
class DecodedAudio:
    samples: np.ndarray  # (channels, n) float32 at SAMPLE_RATE; 1 or 2 channels
    source_channels: int
    source_rate: int
    dual_mono: bool = False  # two channels carrying one signal, folded to one

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return self.samples.shape[1] / SAMPLE_RATE

    def mono(self) -> np.ndarray:
        if self.channels == 1:
            return self.samples[0]
        return self.samples.mean(axis=0, dtype=np.float32)


def decode(
    path: str | Path,
    *,
    dual_mono_correlation: float = 0.98,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> DecodedAudio:
    """Decode ``path``; raises :class:`BadAudioError` with a reason a user understands."""
    import av  # PyAV is light, but keep --help instant

    path = Path(path)
    if not path.exists():
        raise BadAudioError(path, "file not found")
    if path.is_dir():
        raise BadAudioError(path, "is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise BadAudioError(path, "file is empty (0 bytes)")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as e:
        raise BadAudioError(path, f"not a readable audio file ({_ffmpeg_reason(e)})") from None
    with container:
        if not container.streams.audio:
            raise BadAudioError(path, "contains no audio track")
        stream = container.streams.audio[0]
        source_channels = int(stream.codec_context.channels or 1)
        source_rate = int(stream.codec_context.sample_rate or stream.rate or 0)
        # Calls are one or two parties: keep 1 or 2 channels; fold surround mixes to mono.
        layout = "stereo" if source_channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        expected = _expected_seconds(container, stream)
        size = None
        if expected is None or expected > SCAN_FIRST_SECONDS:
            # A long recording is read twice, never held twice: once to find its length and
            # loudness (a silent one is refused without holding hours of zeros), then into an
            # array of exactly that length (no growing copies where the header was wrong).
            scanned = _scan(path, layout, cancel)
            if scanned is not None:
                size, loudest = scanned
                if size >= MIN_DURATION * SAMPLE_RATE and loudest < SILENCE_PEAK:
                    raise BadAudioError(path, "is silent: the recording holds no sound at all")
        buffer = SampleBuffer(1 if layout == "mono" else 2, expected, size)
        decoded_seconds = 0.0
        error: str | None = None
        try:
            for i, frame in enumerate(container.decode(stream)):
                for out in resampler.resample(frame):
                    buffer.append(out.to_ndarray())
                if i % 200 == 0:
                    cancel.check()
                    if frame.time is not None and expected:
                        decoded_seconds = float(frame.time)
                        progress(Progress("decode", min(1.0, decoded_seconds / expected)))
            for out in resampler.resample(None):
                buffer.append(out.to_ndarray())
        except av.FFmpegError as e:
            # A file cut short (an interrupted recording) still holds what came before the cut.
            error = _ffmpeg_reason(e)
    if not buffer.size:
        if error:
            raise BadAudioError(path, f"not a readable audio file ({error})")
        raise BadAudioError(path, "contains no audio samples (empty recording)")
    samples = buffer.samples()
    duration = samples.shape[1] / SAMPLE_RATE
    if duration < MIN_DURATION:
        raise BadAudioError(path, f"too short to be a call ({duration:.1f} s of audio)")
    if error and duration < 0.9 * (expected or 0):
        raise BadAudioError(
            path, f"corrupt or truncated after {duration:.0f} s of {expected:.0f} s ({error})"
        )
    # A WAV cut short (copied half-way) decodes without an error: its header says how long it was.
    stated = wav_stated_seconds(path)
    if stated and duration < 0.9 * stated:
        raise BadAudioError(
            path, f"truncated after {duration:.0f} s of {stated:.0f} s (the file ends before its header says)"
        )
    if peak(samples) < SILENCE_PEAK:
        raise BadAudioError(path, "is silent: the recording holds no sound at all")
    audio = DecodedAudio(samples, source_channels=source_channels, source_rate=source_rate)
    progress(Progress("decode", 1.0))
    return fold_dual_mono(audio, dual_mono_correlation)


# A stated length beyond this is a streaming writer's placeholder, not a length.
MAX_STATED_SECONDS = 12 * 3600


def wav_stated_seconds(path: Path) -> float | None:
    """How long a RIFF/WAVE file's header says its audio is (its ``data`` chunk's size over the
    ``fmt`` chunk's byte rate); None for other files, and for the placeholder sizes (0, 0xFFFFFFFF)
    streaming writers leave."""
    try:
        with path.open("rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    byte_rate, at = 0, 12
    while at + 8 <= len(head):
        kind, size = head[at : at + 4], int.from_bytes(head[at + 4 : at + 8], "little")
        if kind == b"fmt " and at + 20 <= len(head):
            byte_rate = int.from_bytes(head[at + 16 : at + 20], "little")
        elif kind == b"data":
            if not byte_rate or size in (0, 0xFFFFFFFF):
                return None
            seconds = size / byte_rate
            return seconds if seconds < MAX_STATED_SECONDS else None
        at += 8 + size + (size & 1)
    return None


# Recordings longer than this (or of unknown length) are scanned before they are decoded.
SCAN_FIRST_SECONDS = 3600.0


def _scan(path: Path, layout: str, cancel: CancelToken) -> tuple[int, float] | None:
    """(samples at 16 kHz, absolute peak) of the audio track, decoded as :func:`decode` decodes
    it but not kept; None where it cannot be read to the end (decode then says why)."""
    import av

    count, loudest = 0, 0.0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
            # The frames one by one, then None to flush the resampler.
            for i, frame in enumerate(itertools.chain(container.decode(stream), [None])):
                for out in resampler.resample(frame):
                    block = out.to_ndarray()
                    if block.size:
                        count += block.shape[1]
                        loudest = max(loudest, peak(block))
                if i % 200 == 0:
                    cancel.check()
    except av.FFmpegError:
        return None
    return count, loudest


class SampleBuffer:
    """Decoded 16 kHz samples written into one array sized from the stream's stated length, so
    an hour-long call is never held twice (as a list of frames and their concatenation). A
    stated length can be wrong or missing: the array then grows by half again as needed."""

    def __init__(self, channels: int, expected_seconds: float | None, exact: int | None = None) -> None:
        stated = int((expected_seconds or 0.0) * SAMPLE_RATE * 1.01) + SAMPLE_RATE
        size = exact if exact else min(stated, MAX_PREALLOCATED)
        self._data = np.empty((channels, size), np.float32)
        self.size = 0

    def append(self, block: np.ndarray) -> None:
        n = block.shape[1]
        if self.size + n > self._data.shape[1]:
            grown = np.empty(
                (self._data.shape[0], max(self.size + n, self._data.shape[1] * 3 // 2)), np.float32
            )
            grown[:, : self.size] = self._data[:, : self.size]
            self._data = grown
        self._data[:, self.size : self.size + n] = block
        self.size += n

    def samples(self) -> np.ndarray:
        """The samples decoded, C-contiguous (channels, n). Stereo rows are moved up in place to
        close the unused gap after each; a copy only when much of the array went unused."""
        channels, capacity = self._data.shape
        n = self.size
        if channels == 1 or n == capacity:
            return self._data[:, :n]
        if n < 0.9 * capacity:
            return self._data[:, :n].copy()
        flat = self._data.reshape(-1)
        for c in range(1, channels):
            shift = c * (capacity - n)  # how far row c moves down
            start = c * capacity
            # Front to back in blocks no longer than the shift: no block overwrites its own source.
            for a in range(0, n, shift):
                b = min(n, a + shift)
                flat[start - shift + a : start - shift + b] = flat[start + a : start + b]
        return flat[: channels * n].reshape(channels, n)


def fold_dual_mono(audio: DecodedAudio, min_correlation: float) -> DecodedAudio:
    """Two channels with the same signal (or one channel dead) are a mono call."""
    if audio.channels != 2:
        return audio
    left, right = audio.samples
    peak_l, peak_r = peak(left), peak(right)
    if peak_l < SILENCE_PEAK or peak_r < SILENCE_PEAK:
        live = left if peak_l >= peak_r else right
        return DecodedAudio(live[None, :].copy(), audio.source_channels, audio.source_rate, True)
    step = max(1, audio.samples.shape[1] // 2_000_000)  # subsample long calls
    corr = float(np.corrcoef(left[::step], right[::step])[0, 1])
    if np.isfinite(corr) and corr >= min_correlation:
        return DecodedAudio(audio.mono()[None, :], audio.source_channels, audio.source_rate, True)
    return audio


def peak(samples: np.ndarray) -> float:
    """The largest absolute sample, without an absolute-valued copy of an hour of audio."""
    return float(max(samples.max(), -samples.min()))


def _expected_seconds(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000
    return None


def _ffmpeg_reason(e: Exception) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return text.strip().rstrip(".").split(":")[0] if text else type(e).__name__
