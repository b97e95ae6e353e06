"""Write a mono mix of a recording (both channels summed) as 16 kHz 16-bit WAV, for the smoke test:
a mono call is split by diarization instead of by channel.

    build/bundle-venv/bin/python packaging/mono_mix.py resources/sample/sample_call.mp3 mono.wav

Run with the bundle's build environment (PyAV and NumPy, both Reviewer dependencies).
"""

import sys
import wave

import av
import numpy as np


def main(source: str, target: str) -> None:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
    chunks = []
    with av.open(source) as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    samples = np.concatenate(chunks).astype("<i2")
    with wave.open(target, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())


if __name__ == "__main__":
    main(*sys.argv[1:3])
