"""Writing a recording again, whole or a stretch of it, with chosen spans replaced by a tone or by
silence on every channel. Decoding and encoding are PyAV's (its own FFmpeg).

The recording is read at its own sample rate and channels and written block by block as it is
decoded, so an hour-long call never sits in memory; outside the spans a wav copy of a 16-bit
recording is sample for sample the original. Files are written to a temporary file beside the
target and renamed into place: a failure or a cancel leaves nothing half-written."""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from reviewer.errors import ReviewerError
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress

# suffix -> (container, codec, fixed output rate or None, bit rate per channel or None, MIME type)
AUDIO_FORMATS: dict[str, tuple[str, str, int | None, int | None, str]] = {
    ".wav": ("wav", "pcm_s16le", None, None, "audio/wav"),
    ".mp3": ("mp3", "libmp3lame", None, 48_000, "audio/mpeg"),
    ".ogg": ("ogg", "libopus", 48_000, 32_000, "audio/ogg"),
}
MODES = ("tone", "silence")
TONE_HZ = 1000.0
TONE_LEVEL = 0.1  # peak, -20 dBFS: plainly a bleep, never loud
RAMP_S = 0.005  # the tone fades in and out this fast, so the cut does not click


def audio_suffix(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in AUDIO_FORMATS:
        raise ReviewerError(
            f"{Path(path).name}: audio is written as {', '.join(AUDIO_FORMATS)}; choose one of those."
        )
    return suffix


def tone(n: int, rate: int, offset: int = 0, span_length: int | None = None) -> np.ndarray:
    """``n`` samples of the bleep, starting ``offset`` samples into a span ``span_length`` long
    (the fades are at the span's ends, wherever a block cuts it)."""
    i = np.arange(offset, offset + n, dtype=np.float64)
    out = TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * i / rate)
    ramp = max(1, int(RAMP_S * rate))
    env = np.minimum(1.0, (i + 1) / ramp)
    if span_length is not None:
        env = np.minimum(env, np.maximum(0.0, (span_length - i) / ramp))
    return (out * env).astype(np.float32)


def mask_block(
    block: np.ndarray, first: int, rate: int, spans: list[tuple[int, int]], mode: str = "tone"
) -> None:
    """Replace, in place, what of ``spans`` (sample indices, end exclusive) falls in ``block``
    ((channels, n) holding samples ``first`` ...), on every channel."""
    n = block.shape[1]
    for a, b in spans:
        lo, hi = max(a, first), min(b, first + n)
        if lo >= hi:
            continue
        if mode == "silence":
            block[:, lo - first : hi - first] = 0.0
        else:
            block[:, lo - first : hi - first] = tone(hi - lo, rate, lo - a, b - a)[None, :]


def write_audio(
    source: str | Path,
    target: str | Path,
    *,
    spans_ms: Iterable[tuple[int, int]] = (),
    mode: str = "tone",
    start_ms: int = 0,
    end_ms: int | None = None,
    private: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Path:
    """Write ``source`` (from ``start_ms`` to ``end_ms``) to ``target``, in the format its suffix
    names, with ``spans_ms`` (times in the recording) masked. Nothing is left at ``target``
    unless the whole file was written; an existing file there is replaced only then. A new file is
    owner-only (0600) when ``private``; a full disk or a read-only folder is one sentence."""
    target = Path(target)
    suffix = audio_suffix(target)
    _refuse_original(source, target)
    folder = target.parent
    if not folder.is_dir():
        raise ReviewerError(f"{folder}: no such folder; nothing was written.")
    tmp = None
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        tmp = folder / f".{target.name}.{secrets.token_hex(4)}.part"
        fd = os.open(tmp, flags, 0o600 if private else 0o666)
        with os.fdopen(fd, "wb", buffering=0) as f:  # PyAV buffers; a failed write shows at once
            sink = _Sink(f)
            encode_audio(
                source,
                sink,
                suffix,
                spans_ms=spans_ms,
                mode=mode,
                start_ms=start_ms,
                end_ms=end_ms,
                progress=progress,
                cancel=cancel,
            )
            sink.check()
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        tmp = None
    except PermissionError:
        raise ReviewerError(f"{folder} is read-only for you; nothing was written.") from None
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ReviewerError(
                f"No space left on the disk of {folder} while writing {target.name}; "
                "the partial file was removed."
            ) from None
        if e.errno == errno.EROFS:
            raise ReviewerError(f"{folder} is on a read-only disk; nothing was written.") from None
        raise ReviewerError(f"Could not write {target} ({e.strerror or e}); nothing was written.") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return target


class _Sink:
    """The file PyAV writes into, that keeps a failed write (a full disk) to raise once the
    encoder is done, instead of raising inside FFmpeg's callback (where PyAV drops it and prints
    a traceback per packet)."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.error: OSError | None = None

    def write(self, data: bytes) -> int:
        if self.error is None:
            try:
                return self.f.write(data)
            except OSError as e:
                self.error = e
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.error is None:
            try:
                return self.f.seek(offset, whence)
            except OSError as e:
                self.error = e
        return 0

    def tell(self) -> int:
        try:
            return self.f.tell()
        except OSError as e:
            self.error = self.error or e
            return 0

    def seekable(self) -> bool:
        return True

    def check(self) -> None:
        if self.error is not None:
            raise self.error


def audio_bytes(
    source: str | Path,
    suffix: str = ".mp3",
    *,
    spans_ms: Iterable[tuple[int, int]] = (),
    mode: str = "tone",
    start_ms: int = 0,
    end_ms: int | None = None,
    cancel: CancelToken = NEVER_CANCELLED,
) -> bytes:
    """The same, as bytes in memory (a clip to embed in a page)."""
    import io

    buf = io.BytesIO()
    encode_audio(
        source, buf, suffix, spans_ms=spans_ms, mode=mode, start_ms=start_ms, end_ms=end_ms, cancel=cancel
    )
    return buf.getvalue()


def encode_audio(
    source: str | Path,
    sink: BinaryIO,
    suffix: str,
    *,
    spans_ms: Iterable[tuple[int, int]] = (),
    mode: str = "tone",
    start_ms: int = 0,
    end_ms: int | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> None:
    import av

    if mode not in MODES:
        raise ReviewerError(f"Unknown redaction mode {mode!r}: use {' or '.join(MODES)}.")
    container_name, codec, fixed_rate, bit_rate, _mime = AUDIO_FORMATS[suffix]
    source = Path(source)
    if not source.is_file():
        raise ReviewerError(f"{source}: the recording is not there; move it back or import it again.")
    try:
        src = av.open(str(source), metadata_errors="ignore")
    except av.FFmpegError as e:
        raise ReviewerError(f"{source}: not a readable recording ({e}).") from None
    with src:
        if not src.streams.audio:
            raise ReviewerError(f"{source}: contains no audio track.")
        stream = src.streams.audio[0]
        rate = int(stream.codec_context.sample_rate or stream.rate)
        channels = int(stream.codec_context.channels or 1)
        layout = {1: "mono", 2: "stereo"}.get(channels, stream.codec_context.layout.name)
        out_layout = layout if (channels <= 2 or suffix == ".wav") else "stereo"
        out_rate = fixed_rate or rate
        expected = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0
        first = int(round(start_ms * rate / 1000))
        last = None if end_ms is None else int(round(end_ms * rate / 1000))
        spans = sorted((int(round(a * rate / 1000)), int(round(b * rate / 1000))) for a, b in spans_ms)
        with av.open(sink, "w", format=container_name) as out:
            ostream = out.add_stream(codec, rate=out_rate)
            ostream.layout = out_layout
            if bit_rate:
                ostream.bit_rate = bit_rate * (1 if out_layout == "mono" else 2)
            decoder = av.AudioResampler(format="fltp", layout=layout, rate=rate)
            encoder = av.AudioResampler(format=ostream.format.name, layout=out_layout, rate=out_rate)
            pos = 0

            def emit(block: np.ndarray | None) -> None:
                frames = [None]
                if block is not None:
                    frame = av.AudioFrame.from_ndarray(
                        np.ascontiguousarray(block), format="fltp", layout=layout
                    )
                    frame.sample_rate = rate
                    frames = [frame]
                for f in frames:
                    for g in encoder.resample(f):
                        for packet in ostream.encode(g):
                            out.mux(packet)

            def feed(block: np.ndarray) -> bool:
                """Mask and encode what of ``block`` is wanted; True once past the end."""
                nonlocal pos
                n = block.shape[1]
                lo, hi = max(pos, first), pos + n if last is None else min(pos + n, last)
                if lo < hi:
                    part = block[:, lo - pos : hi - pos].copy()
                    mask_block(part, lo, rate, spans, mode)
                    emit(part)
                pos += n
                return last is not None and pos >= last

            done = False
            for i, frame in enumerate(src.decode(stream)):
                if i % 100 == 0:
                    cancel.check()
                    if expected:
                        progress(Progress("audio", min(1.0, pos / rate / expected)))
                if any(feed(piece.to_ndarray()) for piece in decoder.resample(frame)):
                    done = True
                    break
            if not done:
                for piece in decoder.resample(None):
                    feed(piece.to_ndarray())
            emit(None)
            for packet in ostream.encode(None):
                out.mux(packet)
    if pos <= first:
        raise ReviewerError(f"{source}: nothing to write from {start_ms / 1000:.1f} s on.")
    progress(Progress("audio", 1.0))


def _refuse_original(source: str | Path, target: Path) -> None:
    try:
        same = Path(source).resolve() == target.resolve() or (
            target.exists() and os.path.samefile(source, target)
        )
    except OSError:
        same = False
    if same:
        raise ReviewerError(f"{target} is the original recording; Reviewer never overwrites it.")
