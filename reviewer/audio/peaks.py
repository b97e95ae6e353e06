"""Waveform peaks for the timeline: min/max per 10 ms, computed once per recording and cached.

A 60-minute call is 360 000 bins a channel, stored as int8 (about 1.4 MB for stereo); the
timeline reads coarser levels of a min/max pyramid, so painting never touches samples."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reviewer import paths

BINS_PER_SECOND = 100


@dataclass(frozen=True)
class Peaks:
    """``levels[k]`` has shape (channels, n_k, 2): min and max in -1..1 over bins of
    ``2**k / BINS_PER_SECOND`` seconds."""

    levels: tuple[np.ndarray, ...]

    @property
    def loudest(self) -> float:
        """The largest absolute peak (for scaling quiet recordings to a readable waveform)."""
        top = self.levels[-1]
        return float(max(np.abs(top).max(), 1e-3))

    @property
    def channels(self) -> int:
        return int(self.levels[0].shape[0])

    @property
    def duration(self) -> float:
        return self.levels[0].shape[1] / BINS_PER_SECOND

    def columns(self, channel: int, start: float, seconds_per_column: float, count: int) -> np.ndarray:
        """Min/max for ``count`` screen columns from ``start``: shape (count, 2), zeros past the end."""
        level = 0
        while level + 1 < len(self.levels) and (2 ** (level + 1)) / BINS_PER_SECOND <= seconds_per_column:
            level += 1
        data = self.levels[level][channel]
        bin_seconds = (2**level) / BINS_PER_SECOND
        edges = np.floor((start + np.arange(count + 1) * seconds_per_column) / bin_seconds).astype(np.int64)
        edges = np.clip(edges, 0, len(data))
        out = np.zeros((count, 2), dtype=np.float32)
        lo, hi = edges[:-1], np.maximum(edges[1:], edges[:-1] + 1)
        valid = lo < len(data)
        if not valid.any():
            return out
        idx = np.flatnonzero(valid)
        lo_v, hi_v = lo[idx], np.minimum(hi[idx], len(data))
        # reduceat reduces data[i_k:i_k+1]; a final index stops the last column at its own end.
        starts = lo_v if hi_v[-1] >= len(data) else np.append(lo_v, hi_v[-1])
        mins = np.minimum.reduceat(data[:, 0], starts)[: len(lo_v)]
        maxs = np.maximum.reduceat(data[:, 1], starts)[: len(lo_v)]
        # Where a column is narrower than a bin, that one bin is shown.
        single = hi_v - lo_v <= 1
        mins[single] = data[lo_v[single], 0]
        maxs[single] = data[lo_v[single], 1]
        out[idx, 0] = mins
        out[idx, 1] = maxs
        return out


def compute_peaks(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Base level from (channels, n) float samples: (channels, bins, 2) int8. Whole bins are read
    in place; only the last, partial bin is copied (an hour of stereo is 460 MB)."""
    samples = np.atleast_2d(samples)
    per_bin = sample_rate // BINS_PER_SECOND
    whole = samples.shape[1] // per_bin
    frames = samples[:, : whole * per_bin].reshape(samples.shape[0], whole, per_bin)
    out = np.stack([frames.min(axis=2), frames.max(axis=2)], axis=2)
    if samples.shape[1] > whole * per_bin:
        tail = np.zeros((samples.shape[0], per_bin), dtype=np.float32)
        tail[:, : samples.shape[1] - whole * per_bin] = samples[:, whole * per_bin :]
        last = np.stack([tail.min(axis=1), tail.max(axis=1)], axis=1)[:, None, :]
        out = np.concatenate([out, last], axis=1)
    return np.clip(np.round(out * 127), -127, 127).astype(np.int8)


def build_pyramid(base: np.ndarray, min_bins: int = 512) -> Peaks:
    levels = [base.astype(np.float32) / 127.0]
    while levels[-1].shape[1] > min_bins:
        prev = levels[-1]
        if prev.shape[1] % 2:
            prev = np.concatenate([prev, prev[:, -1:]], axis=1)
        pairs = prev.reshape(prev.shape[0], -1, 2, 2)
        levels.append(np.stack([pairs[:, :, :, 0].min(axis=2), pairs[:, :, :, 1].max(axis=2)], axis=2))
    return Peaks(tuple(levels))


def cache_path(content_hash: str) -> Path:
    return paths.data_dir() / "peaks" / f"{content_hash}.npy"


def save_peaks(content_hash: str, base: np.ndarray) -> Path:
    """Write atomically: a reader never sees half a file."""
    target = cache_path(content_hash)
    paths.ensure_private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.save(f, base)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def load_peaks(content_hash: str) -> Peaks | None:
    """The cached peaks, or None when they are missing or unreadable (then recompute)."""
    try:
        base = np.load(cache_path(content_hash), allow_pickle=False)
    except (OSError, ValueError):
        return None
    if base.ndim != 3 or base.shape[2] != 2 or base.dtype != np.int8:
        return None
    return build_pyramid(base)


def peaks_for_file(path: str | Path, content_hash: str) -> Peaks:
    """Decode ``path`` and cache its peaks (for calls imported before peaks existed)."""
    from reviewer.audio.decode import SAMPLE_RATE, decode

    audio = decode(path)
    base = compute_peaks(audio.samples, SAMPLE_RATE)
    save_peaks(content_hash, base)
    return build_pyramid(base)
