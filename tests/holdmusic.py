"""Hold music synthesised with SoX (Debian's ``sox``): a looping I–vi–IV–V of plucked chords with a
bass line, a melody on top and a wordless "ooh–aah" vocal line (a sawtooth through vowel formants,
with chorus), a little reverb, as a phone system plays it to a caller on hold. Silero VAD hears
parts of the vocal line as speech and passes them to Whisper."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

RATE = 16_000
# (bass, chord tones, melody of four notes, vocal note), two seconds a bar.
BARS = (
    ("C2", ("C4", "E4", "G4"), ("E5", "G5", "C6", "G5"), "E4"),
    ("A1", ("A3", "C4", "E4"), ("E5", "C5", "A4", "C5"), "C4"),
    ("F1", ("F3", "A3", "C4"), ("F5", "A5", "C6", "A5"), "A3"),
    ("G1", ("G3", "B3", "D4"), ("D5", "B4", "G4", "B4"), "B3"),
)
BAR_SECONDS = 2.0
# Formants (Hz) of the sung vowels, one vowel a bar in turn.
VOWELS = ((270, 2290, 3010), (730, 1090, 2440), (300, 870, 2240))


def have_sox() -> bool:
    return shutil.which("sox") is not None


def _chain(parts: list[list[str]]) -> list[str]:
    out: list[str] = []
    for i, part in enumerate(parts):
        out += ([":"] if i else []) + part
    return out


def _sox(*args: str) -> None:
    subprocess.run(["sox", "-q", *args], check=True, capture_output=True)


def hold_music(seconds: float, *, level_db: float = -6.0, vocal: float = 2.0) -> np.ndarray:
    """``seconds`` of music, mono float32 at 16 kHz, peaking at ``level_db`` dBFS."""
    bars = int(np.ceil(seconds / BAR_SECONDS))
    length = f"{BAR_SECONDS:g}"
    chords, melody, voice = [], [], []
    for i in range(bars):
        bass, tones, notes, sung = BARS[i % len(BARS)]
        chord = ["synth", length, "pluck", bass]
        for tone in tones:
            chord += ["synth", length, "pluck", "mix", tone]
        chords.append(chord)
        step = BAR_SECONDS / len(notes)
        melody += [
            ["synth", f"{step:g}", "triangle", n, "fade", "q", "0.02", f"{step:g}", "0.15"] for n in notes
        ]
        voice.append(["synth", length, "sawtooth", sung, "fade", "q", "0.15", length, "0.3"])
    new = ["-n", "-r", str(RATE), "-c", "1", "-b", "16"]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        _sox(*new, str(t / "chords.wav"), *_chain(chords))
        _sox(*new, str(t / "melody.wav"), *_chain(melody))
        layers = ["-v", "1.0", str(t / "chords.wav"), "-v", "0.5", str(t / "melody.wav")]
        if vocal:
            _sox(*new, str(t / "source.wav"), *_chain(voice), "vol", "0.5")
            sung = []
            for b in range(bars):  # one vowel a bar: its three formants, mixed
                bar = t / f"bar{b}.wav"
                start = f"{b * BAR_SECONDS:g}"
                formants = []
                for k, f in enumerate(VOWELS[b % len(VOWELS)]):
                    out = t / f"bar{b}-f{k}.wav"
                    _sox(
                        str(t / "source.wav"),
                        str(out),
                        "trim",
                        start,
                        length,
                        "bandpass",
                        str(f),
                        f"{max(60, f // 8)}h",
                        "gain",
                        str(-6 * k),
                    )
                    formants.append(str(out))
                _sox("-m", *formants, str(bar))
                sung.append(str(bar))
            _sox(
                *sung,
                str(t / "vocal.wav"),
                "tremolo",
                "5.5",
                "20",
                "chorus",
                "0.7",
                "0.9",
                "55",
                "0.4",
                "0.25",
                "2",
                "-t",
            )
            layers += ["-v", f"{vocal:g}", str(t / "vocal.wav")]
        _sox(
            "-m",
            *layers,
            str(t / "music.wav"),
            "reverb",
            "40",
            "trim",
            "0",
            f"{seconds:g}",
            "gain",
            "-n",
            f"{level_db:g}",
        )
        with wave.open(str(t / "music.wav")) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return pcm.astype(np.float32) / 32768.0
