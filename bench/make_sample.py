"""Regenerate resources/sample/sample_call.mp3: a short stereo retention call (agent left).

python bench/make_sample.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from callgen import render, write_encoded  # noqa: E402
from scripts import SAMPLE_CALL  # noqa: E402

if __name__ == "__main__":
    call = render(SAMPLE_CALL, stereo=True)
    out = ROOT / "resources" / "sample" / "sample_call.mp3"
    write_encoded(out, call.audio, codec="mp3", bit_rate=64000)
    print(f"{out}: {call.duration:.1f} s, agent share {call.agent_share():.3f}")
