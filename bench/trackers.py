"""Re-applying a phrase tracker to a 10 000-call library from the stored transcripts.

    .venv/bin/python bench/trackers.py                          # builds the library (a few minutes)
    .venv/bin/python bench/trackers.py --library /tmp/l.sqlite  # reuses (or builds and keeps) one

Changing a tracker re-finds its phrases in every call's stored turns (nothing is transcribed
again) in one transaction; issue 17's target is 10 000 calls in under a minute. The library is
built as bench/run.py builds its 10 000-call library (36 analysed transcripts reused with other
names, about 45 turns each, 40 agents). Because those transcripts repeat, the text normaliser's
cache of whole turns would serve most of them; the "cold" column times the same work with that
cache bypassed, as a library of 10 000 different calls would see it (its cache of single words
starts empty and fills as it goes, as it would on real calls, whose words repeat). Each tracker
is timed with ``Library.add_tracker`` (the app's Trackers dialog and ``reviewer tracker add`` run
the same), ``--reps`` times, median in seconds; then the app's list query with their hits counted.
Never pass/fail."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from reviewer import actions

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TRACKERS = [
    # name, phrases, side, within_first, within_last
    ("apology", ("sorry", "apologi*", "i understand"), "agent", None, None),
    ("cancel request", ("cancel*", "close ~ account", "(stop|end) ~ service"), "customer", None, None),
    ("competitor", ("verizon", "t mobile", "comcast", "other provider*"), "both", None, None),
    ("greeting", ("thank* for calling", "how (can|may) i help"), "agent", 30.0, None),
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--library", type=Path, help="a bench library to reuse; built there when missing")
    p.add_argument("--calls", type=int, default=10_000)
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()

    import run  # bench/run.py: the same 10 000-call library

    from reviewer.analysis import text
    from reviewer.analysis.trackers import Tracker
    from reviewer.library import open_library

    path = args.library or Path(tempfile.mkdtemp(prefix="reviewer-bench-trackers-")) / "library.sqlite"
    if not path.exists():
        print(f"building {args.calls} calls in {path}…", file=sys.stderr, flush=True)
        built = run.build_library(path, args.calls)
        print(f"  built in {built['build_s']} s, {built['size_mb']} MB", file=sys.stderr, flush=True)
    with open_library(path) as library:
        calls = library.db.execute("SELECT count(*) FROM calls").fetchone()[0]
        turns = library.db.execute("SELECT count(*) FROM turns").fetchone()[0]
        for name in [t.name for t in library.trackers()]:
            actions.trackers.remove_tracker(library, name)

        cached_normalize = text.normalize
        print(f"# bench/trackers.py — {run.machine()}, {time.strftime('%Y-%m-%d %H:%M')}\n")
        print(f"Library: {calls} calls, {turns} turns\n")
        print(
            "| tracker | side, window | hits | calls with a hit | median s (normaliser cache) "
            "| median s (cold) |"
        )
        print("|---|---|---|---|---|---|")
        for name, phrases, side, first, last in TRACKERS:
            tracker = Tracker(name, phrases, side, first, last)
            times: dict[str, list[float]] = {"warm": [], "cold": []}
            hits = 0
            for mode in ("warm", "cold"):
                text.normalize = cached_normalize if mode == "warm" else cached_normalize.__wrapped__
                try:
                    for _ in range(args.reps):
                        cached_normalize.cache_clear()
                        text._normal_word.cache_clear()  # the word cache starts empty too
                        t0 = time.perf_counter()
                        hits = actions.trackers.add_tracker(library, tracker)
                        times[mode].append(time.perf_counter() - t0)
                        print(f"  {name} {mode}: {times[mode][-1]:.2f} s", file=sys.stderr, flush=True)
                finally:
                    text.normalize = cached_normalize
            with_hit = len(library.calls_with_tracker(name))
            window = f"first {first:g} s" if first else f"last {last:g} s" if last else "whole call"
            print(
                f"| {name} | {side}, {window} | {hits} | {with_hit} | "
                f"{statistics.median(times['warm']):.2f} | {statistics.median(times['cold']):.2f} |"
            )
        hits = library.db.execute("SELECT count(*) FROM tracker_hits").fetchone()[0]
        with_hits = list_ms(library)
        for name, *_ in TRACKERS:
            actions.trackers.remove_tracker(library, name)
        print(
            f"\nThe app's list of calls (`list_calls(brief=True)`, with each call's tracker hit count), "
            f"median of 7: {with_hits:.0f} ms with these {hits} hits, {list_ms(library):.0f} ms without."
        )


def list_ms(library) -> float:  # noqa: ANN001
    library.list_calls(brief=True)
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        library.list_calls(brief=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
