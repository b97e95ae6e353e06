"""How the desktop app feels: time to open a 60-minute call, timeline paint time at full and deep
zoom, and the longest stall of the UI thread while a call is imported.

    .venv/bin/python bench/ui.py            # about 2 minutes on 2 cores

The 60-minute call is the bundled sample call's audio and real transcript repeated end to end
(38 times), stored as an import stores it, with its analysis run by the real code. Runs offscreen;
writes a Markdown table to stdout and JSON to bench/results/ui.json. Never pass/fail.
Targets (issue 3): open < 1 s, paint < 16 ms, stall < 100 ms.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from reviewer import actions

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="reviewer-bench-ui-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["REVIEWER_DATA_DIR"] = str(WORK / "data")
os.environ["REVIEWER_CONFIG_DIR"] = str(WORK / "config")

SAMPLE = ROOT / "resources" / "sample" / "sample_call.mp3"
TARGET_MINUTES = 60


def build_long_call(library, settings, result=None) -> tuple[int, float, int]:
    """Tile the sample call to an hour: audio (wav), words, analysis, peaks. ``result``: the
    sample call already processed (``process_file(SAMPLE)``), to build it in several libraries.
    Returns (call id, duration, word count)."""
    from reviewer.analysis import analyse_transcript
    from reviewer.audio.decode import SAMPLE_RATE, decode
    from reviewer.audio.peaks import compute_peaks, save_peaks
    from reviewer.library.store import content_hash
    from reviewer.model import Transcript, Word
    from reviewer.pipeline import process_file

    result = result or process_file(SAMPLE)
    audio = decode(SAMPLE).samples
    one = audio.shape[1] / SAMPLE_RATE
    copies = int(np.ceil(TARGET_MINUTES * 60 / one))
    path = WORK / "hour_call.wav"
    pcm = (np.clip(audio.T, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        for _ in range(copies):
            w.writeframes(pcm.tobytes())
    t = result.transcript
    words = [
        Word(w.start + k * one, w.end + k * one, w.text, w.speaker, w.probability)
        for k in range(copies)
        for w in t.words
    ]
    long = Transcript(copies * one, 2, "channels", t.speakers, words, [], language="en", model=t.model)
    long, analysis = analyse_transcript(long, settings)
    digest = content_hash(path)
    call_id, _ = actions.calls.store_call(
        library, path, digest, long, analysis, source_channels=2, source_rate=SAMPLE_RATE, dual_mono=False
    )
    save_peaks(digest, np.concatenate([compute_peaks(audio, SAMPLE_RATE)] * copies, axis=1))
    return call_id, long.duration, len(words)


def main() -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.library import open_library
    from reviewer.settings import load_settings
    from reviewer.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    settings = load_settings()
    library_path = WORK / "library.sqlite"
    with open_library(library_path) as library:
        t0 = time.perf_counter()
        call_id, duration, n_words = build_long_call(library, settings)
        build_s = time.perf_counter() - t0
    window = MainWindow(settings, library_path=library_path, first_run_sample=False)
    window.resize(1400, 900)
    window.show()
    for _ in range(5):
        app.processEvents()

    # -- open: from the click to the review painted ---------------------------------------
    opens = []
    for _ in range(5):
        window.show_library()
        app.processEvents()
        window.review_page.close_call()
        t = time.perf_counter()
        window.open_call(call_id)
        window.repaint()
        app.processEvents()
        opens.append(time.perf_counter() - t)

    # -- corrections: say who said a turn (and undo it), swap roles; each re-analyses the call
    from reviewer.ui.transcript import Speech

    page = window.review_page
    turns = [t for t in page.call.transcript.turns if t.speaker == "S2" and t.word_count > 5]
    turn = turns[len(turns) // 2]
    reassigns, undos, swaps = [], [], []
    for _ in range(3):
        t = time.perf_counter()
        assert page.reassign(Speech(turn.start, turn.end, turn.speaker, turn.word_count), "S1")
        app.processEvents()
        reassigns.append(time.perf_counter() - t)
        t = time.perf_counter()
        page.undo_stack.undo()
        app.processEvents()
        undos.append(time.perf_counter() - t)
        t = time.perf_counter()
        page.swap_roles()
        app.processEvents()
        swaps.append(time.perf_counter() - t)
    if len(swaps) % 2:  # roles back as they were
        page.swap_roles()

    # -- timeline paint ---------------------------------------------------------------------
    timeline = window.review_page.timeline

    def paint_ms(repeats: int, invalidate: bool) -> list[float]:
        out = []
        for _ in range(repeats):
            if invalidate:
                timeline._cache = None
            t = time.perf_counter()
            timeline.repaint()
            out.append((time.perf_counter() - t) * 1000)
        return out

    timeline.fit()
    full = paint_ms(30, True)
    playhead_only = paint_ms(30, False)
    timeline.zoom(1e9, anchor_time=duration / 2)  # as deep as it goes
    deep_span = timeline.visible[1] - timeline.visible[0]
    deep = paint_ms(30, True)
    timeline.fit()

    # -- the UI thread while a call is imported -------------------------------------------------
    window.show_library()
    ticks: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    beat = QTimer()
    beat.setInterval(5)
    beat.timeout.connect(lambda: ticks.append(clock.nsecsElapsed() / 1e6))
    beat.start()
    done = []
    window.importer.finished.connect(lambda c: done.append(c))
    window.importer.failed.connect(lambda m: done.append(m))
    window.import_paths([SAMPLE])
    t = time.perf_counter()
    while not done and time.perf_counter() - t < 600:
        app.processEvents()
        time.sleep(0.001)
    import_s = time.perf_counter() - t
    after = time.perf_counter()
    while time.perf_counter() - after < 1.0:  # what the window does once the import has ended
        app.processEvents()
        time.sleep(0.001)
    beat.stop()
    gaps = np.diff(ticks) if len(ticks) > 1 else np.array([0.0])
    window.close()

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "call_minutes": round(duration / 60, 1),
        "call_words": n_words,
        "build_seconds": round(build_s, 1),
        "open_seconds": {"median": round(statistics.median(opens), 3), "max": round(max(opens), 3)},
        "who_said_it_seconds": {
            "median": round(statistics.median(reassigns), 3),
            "max": round(max(reassigns), 3),
        },
        "who_said_it_undo_seconds": {
            "median": round(statistics.median(undos), 3),
            "max": round(max(undos), 3),
        },
        "swap_roles_seconds": {"median": round(statistics.median(swaps), 3), "max": round(max(swaps), 3)},
        "paint_ms_full_zoom": {
            "median": round(statistics.median(full), 2),
            "p90": round(float(np.percentile(full, 90)), 2),
            "max": round(max(full), 2),
            "all": [round(x, 1) for x in full],
        },
        "paint_ms_deep_zoom": {
            "median": round(statistics.median(deep), 2),
            "p90": round(float(np.percentile(deep, 90)), 2),
            "max": round(max(deep), 2),
            "visible_seconds": round(deep_span, 2),
        },
        "paint_ms_playhead_only": {
            "median": round(statistics.median(playhead_only), 2),
            "max": round(max(playhead_only), 2),
        },
        "import": {
            "seconds": round(import_s, 1),
            "outcome": str(done[0]) if done else "timeout",
            "longest_stall_ms": round(float(gaps.max()), 1),
            "p99_gap_ms": round(float(np.percentile(gaps, 99)), 1),
        },
    }
    out = ROOT / "bench" / "results" / "ui.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"Machine: {results['machine']}; a {results['call_minutes']}-minute call, {n_words} words\n")
    print("| measure | median | p90 | worst | target |")
    print("|---|---|---|---|---|")
    o = results["open_seconds"]
    print(f"| open the call (s) | {o['median']} | | {o['max']} | < 1 |")
    for key, what in (
        ("who_said_it_seconds", "say who said a turn (s)"),
        ("who_said_it_undo_seconds", "undo that (s)"),
        ("swap_roles_seconds", "swap roles (s)"),
    ):
        print(f"| {what} | {results[key]['median']} | | {results[key]['max']} | < 1 |")
    f, d, ph = results["paint_ms_full_zoom"], results["paint_ms_deep_zoom"], results["paint_ms_playhead_only"]
    print(f"| timeline paint, whole call (ms) | {f['median']} | {f['p90']} | {f['max']} | < 16 |")
    print(
        f"| timeline paint, {d['visible_seconds']} s visible (ms) | {d['median']} | {d['p90']} "
        f"| {d['max']} | < 16 |"
    )
    print(f"| timeline repaint, playhead moved (ms) | {ph['median']} | | {ph['max']} | < 16 |")
    imp = results["import"]
    print(
        f"| UI-thread gap during a {imp['seconds']} s import (ms) | | p99 {imp['p99_gap_ms']} "
        f"| {imp['longest_stall_ms']} | < 100 |"
    )


if __name__ == "__main__":
    main()
