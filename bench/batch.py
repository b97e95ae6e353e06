"""`reviewer batch` on a local Ray: calls per hour with 1 and 2 workers, against `reviewer import`.

    .venv/bin/python bench/batch.py                   # 4 calls of 95 s: about 6 minutes on 2 cores
    .venv/bin/python bench/batch.py --calls 2 --workers 1   # a smoke run

Calls: the bundled sample call (a real two-channel recording, 95 s), written ``--calls`` times at
slightly different gains so that each is a different call to the library (content hash) with the
same speech. Each configuration imports them all into a fresh library: `reviewer import` in one
process (the models loaded once, all cores), then `reviewer batch --cluster local` with each
``--workers`` count (the machine's cores shared out among the workers). Wall time is end to end,
as a user waits for it: Ray's start, each worker's model loading, the work and the stores; the
steady rate leaves out the time to the first wave of stored calls (start-up, model loading and
the first call on each worker).

Needs Ray (``pip install 'reviewer[cluster]'``). Writes a Markdown table to stdout and
bench/results/batch.json. Never pass/fail."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SAMPLE = ROOT / "resources" / "sample" / "sample_call.mp3"
sys.path[:0] = [str(ROOT / "tests"), str(HERE)]

from callgen import write_wav  # noqa: E402
from run import machine  # noqa: E402


def build_calls(folder: Path, count: int) -> tuple[list[Path], float]:
    from reviewer.audio.decode import SAMPLE_RATE, decode

    audio = decode(SAMPLE).samples
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        write_wav(
            folder / f"call-{i + 1:02d}.wav", (audio * (1.0 - 0.01 * i)).astype(np.float32), SAMPLE_RATE
        )
        for i in range(count)
    ]
    return paths, audio.shape[1] / SAMPLE_RATE


STORES: list[float] = []  # seconds in store_result (one transaction each), this configuration's


def timing_stores() -> None:
    """Times each call's store (the driver's database work) where import and batch make it."""
    import reviewer.batch
    import reviewer.importer

    original = reviewer.importer.store_result

    def store_result(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            STORES.append(time.perf_counter() - t)

    reviewer.importer.store_result = reviewer.batch.store_result = store_result


def timed(run, files: list[Path], workers: int = 1) -> dict:
    """Runs ``run(files, library, on_outcome)`` into a fresh library; wall and steady times. The
    steady rate counts from the first wave of calls stored (one per worker) to the last."""
    from reviewer.library import open_library

    stamps: list[float] = []
    statuses: list[str] = []

    def on_outcome(_index, outcome):
        stamps.append(time.perf_counter())
        statuses.append(outcome.status)
        print(f"    {outcome.path.name}: {outcome.status}: {outcome.message}", file=sys.stderr, flush=True)

    STORES.clear()
    folder = Path(tempfile.mkdtemp(prefix="reviewer-bench-batch-lib-"))
    try:
        with open_library(folder / "library.sqlite") as library:
            t0 = time.perf_counter()
            run(files, library, on_outcome)
            wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if statuses.count("imported") != len(files):
        raise RuntimeError(f"not every call was imported: {statuses}")
    n = len(files)
    steady = (stamps[-1] - stamps[workers - 1]) / (n - workers) if n > workers else None
    return {
        "wall_s": round(wall, 1),
        "first_call_s": round(stamps[0] - t0, 1),
        "calls_per_hour": round(n / wall * 3600, 1),
        "steady_calls_per_hour": round(3600 / steady, 1) if steady else None,
        "store_ms_median": round(statistics.median(STORES) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-import", action="store_true", help="skip the `reviewer import` baseline")
    args = parser.parse_args()

    from reviewer.batch import Cluster, run_batch
    from reviewer.importer import import_files
    from reviewer.pipeline import PipelineOptions

    timing_stores()
    work = Path(tempfile.mkdtemp(prefix="rb-bench-", dir="/tmp" if os.path.isdir("/tmp") else None))
    # Ray's sockets live under Reviewer's cache folder: a short one of the bench's own.
    os.environ["REVIEWER_CACHE_DIR"] = str(work / "cache")
    try:
        files, seconds = build_calls(work / "calls", args.calls)
        options = PipelineOptions()
        rows = []
        if not args.no_import:
            print("  reviewer import", file=sys.stderr, flush=True)
            r = timed(lambda f, lib, cb: import_files(f, lib, options, on_outcome=cb), files)
            rows.append({"how": "reviewer import (one process)", "workers": None, **r})
        for w in args.workers:
            print(f"  reviewer batch --cluster local --workers {w}", file=sys.stderr, flush=True)
            r = timed(
                lambda f, lib, cb, w=w: run_batch(
                    f, lib, options, cluster=Cluster("local"), workers=w, on_outcome=cb
                ),
                files,
                workers=w,
            )
            rows.append({"how": f"reviewer batch --workers {w}", "workers": w, **r})
    finally:
        shutil.rmtree(work, ignore_errors=True)

    result = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "calls": args.calls,
        "call_seconds": round(seconds, 1),
        "rows": rows,
    }
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "batch.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{result['machine']}, {args.calls} calls of {seconds:.0f} s (stereo), {result['date']}, "
        f"load average after {result['load_average_after']}\n"
    )
    print("| how | wall s | first call s | calls/hour | steady calls/hour | audio h per hour | store ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        audio_rate = r["calls_per_hour"] * seconds / 3600
        print(
            f"| {r['how']} | {r['wall_s']} | {r['first_call_s']} | {r['calls_per_hour']} | "
            f"{r['steady_calls_per_hour']} | {audio_rate:.1f} | {r['store_ms_median']} |"
        )


if __name__ == "__main__":
    main()
