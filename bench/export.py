"""How long exports take on a 60-minute call (the bundled sample call tiled to an hour, as in
bench/ui.py) with 40 comments, per format, and the summary over that call plus the sample.

    .venv/bin/python bench/export.py        # about a minute on 2 cores

Writes a Markdown table to stdout and JSON to bench/results/export.json. Never pass/fail."""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ui  # noqa: E402 - sets up the isolated data folder and builds the hour-long call

FORMATS = ["pdf", "html", "csv", "json", "srt", "vtt"]


def main() -> None:
    from reviewer.actions.exports import export_calls
    from reviewer.library import open_library
    from reviewer.settings import load_settings

    settings = load_settings()
    out = ui.WORK / "exports"
    rows = []
    with open_library(ui.WORK / "library.sqlite") as library:
        call_id, duration, n_words = ui.build_long_call(library, settings)
        for k in range(40):
            library.add_comment(
                call_id,
                start=k * 90.0,
                end=k * 90.0 + 20,
                text=f"Comment {k}: ask, don't pitch.",
                category="improve",
            )
        turns = len(library.load_call(call_id).transcript.turns)
        for fmt in FORMATS:
            for redact in (False, True):
                times = []
                for _ in range(3):
                    t = time.perf_counter()
                    (path,) = export_calls(library, settings, [call_id], [fmt], out, redact=redact)
                    times.append(time.perf_counter() - t)
                rows.append(
                    {
                        "format": fmt,
                        "redact": redact,
                        "seconds_median": round(statistics.median(times), 3),
                        "size_kb": round(path.stat().st_size / 1024),
                    }
                )
    result = {
        "machine": f"{platform.machine()} {platform.processor() or ''}, python {platform.python_version()}",
        "call_minutes": round(duration / 60, 1),
        "words": n_words,
        "turns": turns,
        "comments": 40,
        "rows": rows,
    }
    print(f"60-minute call: {n_words} words, {turns} turns, 40 comments\n")
    print("| format | redacted | time (median of 3) | size |\n|---|---|---|---|")
    for r in rows:
        redacted = "yes" if r["redact"] else "no"
        print(f"| {r['format']} | {redacted} | {r['seconds_median']:.2f} s | {r['size_kb']} KB |")
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "export.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
