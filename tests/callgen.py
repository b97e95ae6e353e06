"""Synthetic two-party calls with known truth, spoken by espeak-ng (a Debian package).

A call is a list of :class:`Line`; each line is spoken by the agent or the customer, after a pause
(or overlapping the previous line, for overtalk), or is a hold: a stretch of silence or quiet
music. The renderer returns the audio (stereo: agent left, customer right; or mono) and the exact
intervals of speech, so tests and benchmarks can score talk share, markers and attribution.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16_000
# (voice, words per minute, pitch 0-99): two clearly different people, as on a real call.
VOICES = {"agent": ("en-us", 165, 30), "customer": ("en-gb-x-rp+f3", 150, 80)}


@dataclass(frozen=True)
class Line:
    speaker: str  # "agent" | "customer" | "hold"
    text: str = ""
    pause: float = 0.5  # seconds of silence before this line starts ...
    overlap: float = 0.0  # ... or, if > 0, start this long before the previous line ends
    hold: float = 0.0  # for speaker == "hold": its length
    music: float = 0.0  # for a hold: level of hold music on the agent's side (0 = silence)
    refusal: bool = False  # truth: the agent pushes back here


@dataclass(frozen=True)
class Utterance:
    speaker: str
    start: float
    end: float
    text: str
    refusal: bool = False


@dataclass
class Call:
    audio: np.ndarray  # (channels, n) float32 at RATE
    utterances: list[Utterance]
    holds: list[tuple[float, float]]

    @property
    def duration(self) -> float:
        return self.audio.shape[1] / RATE

    def talk_seconds(self, speaker: str) -> float:
        return sum(u.end - u.start for u in self.utterances if u.speaker == speaker)

    def agent_share(self) -> float:
        a, c = self.talk_seconds("agent"), self.talk_seconds("customer")
        return a / (a + c)


def speak(text: str, speaker: str, voices: dict | None = None) -> np.ndarray:
    voice, speed, pitch = (voices or VOICES)[speaker]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "line.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(out), text],
            check=True,
            capture_output=True,
        )
        with wave.open(str(out)) as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    signal = pcm.astype(np.float32) / 32768.0
    if rate != RATE:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(RATE, rate)
        signal = resample_poly(signal, RATE // g, rate // g).astype(np.float32)
    # Trim espeak's own leading and trailing silence so the truth is exact.
    loud = np.flatnonzero(np.abs(signal) > 0.01)
    return signal[loud[0] : loud[-1] + 1] * 0.8 if len(loud) else signal


def hold_music(seconds: float, level: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    if level <= 0:
        return np.zeros_like(t, dtype=np.float32)
    tone = np.sin(2 * np.pi * 440 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t))
    return (level * tone).astype(np.float32)


def render(
    lines: list[Line], *, stereo: bool = True, noise: float = 0.002, seed: int = 7, voices: dict | None = None
) -> Call:
    clips: list[tuple[str, float, np.ndarray, Line]] = []
    cursor = 0.6
    prev_end = 0.0
    holds = []
    for line in lines:
        if line.speaker == "hold":
            start = prev_end + line.pause
            holds.append((start, start + line.hold))
            if line.music > 0:
                clips.append(("music", start, hold_music(line.hold, line.music), line))
            prev_end = start + line.hold
            continue
        clip = speak(line.text, line.speaker, voices)
        start = prev_end - line.overlap if line.overlap > 0 else prev_end + line.pause
        start = max(start, cursor if not clips else 0.0)
        clips.append((line.speaker, start, clip, line))
        prev_end = max(prev_end, start + len(clip) / RATE)
    total = int((prev_end + 1.0) * RATE)
    tracks = {"agent": np.zeros(total, np.float32), "customer": np.zeros(total, np.float32)}
    utterances = []
    for speaker, start, clip, line in clips:
        i = int(round(start * RATE))
        if speaker == "music":
            tracks["agent"][i : i + len(clip)] += clip
            continue
        tracks[speaker][i : i + len(clip)] += clip
        utterances.append(Utterance(speaker, i / RATE, (i + len(clip)) / RATE, line.text, line.refusal))
    rng = np.random.default_rng(seed)
    if stereo:
        audio = np.stack([tracks["agent"], tracks["customer"]])
    else:
        audio = (tracks["agent"] + tracks["customer"])[None, :]
    audio = audio + rng.normal(0, noise, audio.shape).astype(np.float32)
    utterances.sort(key=lambda u: u.start)
    return Call(np.clip(audio, -1, 1).astype(np.float32), utterances, holds)


def write_wav(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    """16-bit PCM wav; ``audio`` is (channels, n) at ``rate``."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").T.copy()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(audio.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


def write_encoded(
    path: Path,
    audio: np.ndarray,
    *,
    codec: str,
    rate: int = RATE,
    bit_rate: int | None = None,
    from_rate: int = RATE,
    container: str | None = None,
) -> Path:
    """Encode ``audio`` (channels, n) at ``from_rate`` with PyAV (mp3, aac, libopus, libvorbis,
    flac, pcm_s16le, pcm_mulaw ...) at ``rate``; 1, 2 or 6 (5.1) channels."""
    import av

    layout = LAYOUTS[audio.shape[0]]
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = layout
        if bit_rate:
            stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
        frame_len = 1024
        pcm = np.ascontiguousarray(audio.astype(np.float32))
        for i in range(0, pcm.shape[1], frame_len * 8):
            chunk = np.ascontiguousarray(pcm[:, i : i + frame_len * 8])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = from_rate
            for f in resampler.resample(frame):
                for packet in stream.encode(f):
                    out.mux(packet)
        for f in resampler.resample(None):
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def telephone(audio: np.ndarray) -> np.ndarray:
    """8 kHz narrowband (300-3400 Hz), as a phone line carries it; returned at 8 kHz."""
    from scipy.signal import butter, resample_poly, sosfiltfilt

    narrow = resample_poly(audio, 1, 2, axis=-1)
    sos = butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")
    return np.clip(sosfiltfilt(sos, narrow, axis=-1), -1, 1).astype(np.float32)


def write_mulaw(path: Path, audio8k: np.ndarray) -> Path:
    return write_encoded(path, audio8k, codec="pcm_mulaw", rate=8000, from_rate=8000, container="wav")
