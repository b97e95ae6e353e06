"""Which channel is speaking when, for stereo recordings (one party per channel).

Each short frame is labelled by channel energy: a channel is active when it is well above its
own noise floor and not just a faint copy (bleed, echo) of the other channel. Overtalk, where
both parties really speak, keeps both channels active.
"""

from __future__ import annotations

import numpy as np

FRAME = 0.02  # seconds
ABOVE_FLOOR_DB = 12.0  # a channel speaks when this far above its noise floor ...
BLEED_DB = 15.0  # ... and no more than this far below the other channel


def frame_energy_db(signal: np.ndarray, sample_rate: int, frame: float = FRAME) -> np.ndarray:
    n = int(sample_rate * frame)
    usable = (len(signal) // n) * n
    frames = signal[:usable].reshape(-1, n)
    power = np.empty(len(frames))
    block = 3000  # frames: a minute at a time, so an hour-long call needs no hour-long float64 copies
    for a in range(0, len(frames), block):
        part = frames[a : a + block].astype(np.float64)
        power[a : a + block] = np.mean(part * part, axis=1)
    return 10.0 * np.log10(power + 1e-12)


def channel_activity(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Boolean (channels, frames) activity per FRAME for a (channels, n) recording."""
    energy = np.stack([frame_energy_db(ch, sample_rate) for ch in samples])
    floor = np.percentile(energy, 10, axis=1, keepdims=True)
    loud = energy > floor + ABOVE_FLOOR_DB
    if samples.shape[0] == 2:
        louder_other = energy[::-1] - energy > BLEED_DB
        loud &= ~louder_other
    # Close small gaps (plosives, short pauses) so the mask does not chop words.
    return np.stack([_close(row, 8) for row in loud])


def mask_to_channel(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Each channel with the other party's bleed silenced, ready for per-channel transcription."""
    active = channel_activity(samples, sample_rate)
    return np.stack([masked_channel(samples, sample_rate, c, active) for c in range(samples.shape[0])])


def masked_channel(samples: np.ndarray, sample_rate: int, channel: int, active: np.ndarray) -> np.ndarray:
    """One channel with its silent stretches (``active`` False, short gaps closed) faded out over
    20 ms. Works a minute at a time, so an hour-long call needs no hour-long gain arrays."""
    n = int(sample_rate * FRAME)
    frames = _close(active[channel], 25).astype(np.float32)
    kernel = np.ones(n, dtype=np.float32) / n
    total = samples.shape[1]
    out = np.empty(total, dtype=np.float32)
    block = n * 3000  # 60 s
    for a in range(0, total, block):
        b = min(a + block, total)
        lo, hi = max(a - n, 0), b + n  # a frame of context each side for the fades
        first = lo // n
        gain = np.repeat(frames[first : -(-hi // n)], n)[lo - first * n : hi - first * n]
        if len(gain) < hi - lo:
            gain = np.concatenate([gain, np.zeros(hi - lo - len(gain), np.float32)])
        gain = np.convolve(gain, kernel, mode="same")
        out[a:b] = samples[channel, a:b] * gain[a - lo : b - lo]
    return out


def _close(mask: np.ndarray, width: int) -> np.ndarray:
    """Morphological closing: fill False runs shorter than ``width`` frames between True runs."""
    if not mask.any():
        return mask
    out = mask.copy()
    idx = np.flatnonzero(mask)
    gaps = np.diff(idx)
    for start, gap in zip(idx[:-1], gaps, strict=True):
        if 1 < gap <= width:
            out[start : start + gap] = True
    return out
