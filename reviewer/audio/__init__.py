"""Audio: decoding (PyAV), channel analysis and waveform peaks. No Qt."""

from reviewer.audio.decode import SAMPLE_RATE, DecodedAudio, decode

__all__ = ["SAMPLE_RATE", "DecodedAudio", "decode"]
