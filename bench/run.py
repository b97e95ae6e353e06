"""Reviewer against its floor, its throughput per stage, its memory, and the library at scale.

    .venv/bin/python bench/run.py              # 1- and 10-minute calls, 3 and 2 runs each, and the
                                               #   10 000-call library: about 25 minutes on 2 cores
    .venv/bin/python bench/run.py --full       # adds the 60-minute calls (about 1 hour more)
    .venv/bin/python bench/run.py --minutes 1 --reps 1 --no-library   # a 3-minute smoke run

Calls: the bundled sample call (a real two-channel recording, 95 s) cut or repeated end to end to
1, 10 and 60 minutes, as stereo and as a mono mix of the same audio. For each call, bare
faster-whisper (``bench/measure.py bare``: the same model and decoding settings, on the file) and
Reviewer's whole analyze (``bench/measure.py reviewer``: decode, channel split or diarization,
transcription, analysis; then storing) run alternately, each in a fresh process, ``--reps`` times.
The ratio is Reviewer's median work time over bare faster-whisper's; model loading is reported
apart. Real-time factor = processing seconds / audio seconds, per stage. Peak RSS is the
process's maximum resident memory, models included.

The library: 10 000 calls generated from the scripted dialogues of bench/eval_scripts.py and the
test calls (about 45 turns and 800 words each, 40 agents, comments on a third of them), then the
core queries and the app's table model are timed (median of 7; ms).

Writes a Markdown report to stdout, bench/results/run.json (the latest run) and
bench/results/run-<date>-<time>.json (each run kept). Never pass/fail.
Targets (issue 5): ratio ≤ 1.15 stereo, ≤ 1.4 mono; a 10-minute call in ≤ 90 s; peak RSS ≤ 2 GB at
60 minutes; every library operation < 100 ms."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
WORK = Path(tempfile.mkdtemp(prefix="reviewer-bench-run-"))
SAMPLE = ROOT / "resources" / "sample" / "sample_call.mp3"
sys.path[:0] = [str(ROOT / "tests"), str(HERE)]  # the test suite's call writer and dialogues

from callgen import write_wav  # noqa: E402


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    py = platform.python_version()
    return f"{cpu or platform.processor()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {py}"


def build_calls(minutes: list[float]) -> dict[tuple[float, str], Path]:
    from reviewer.asr.transcribe import quietest_moment
    from reviewer.audio.decode import SAMPLE_RATE, decode

    audio = decode(SAMPLE).samples
    calls = {}
    for m in minutes:
        n = int(m * 60 * SAMPLE_RATE)
        reps = -(-n // audio.shape[1])
        long = np.concatenate([audio] * reps, axis=1)
        # End in the quietest tenth of a second of the last 5 s, as a call ends after its last
        # words: a cut through a word leaves a fragment Whisper decodes again and again at rising
        # temperatures (2 s more for bare and Reviewer alike on the 1-minute call).
        search = 5 * SAMPLE_RATE
        long = long[:, : n - search + quietest_moment(long[:, n - search : n].mean(axis=0), 0, search)]
        calls[(m, "stereo")] = write_wav(WORK / f"call-{m:g}min-stereo.wav", long, SAMPLE_RATE)
        calls[(m, "mono")] = write_wav(
            WORK / f"call-{m:g}min-mono.wav", long.mean(axis=0, keepdims=True), SAMPLE_RATE
        )
    return calls


# -- short calls: voicemails, dropped calls, IVR stubs ------------------------------------------

SHORT_PHRASES = [
    "Hello?",
    "Hi, it's Maria, please call me back.",
    "Thank you for calling, please hold.",
    "Press one for billing.",
    "Sorry, wrong number.",
    "Can you hear me?",
    "Goodbye.",
    "Hi, this is Tom from the bank.",
    "Yes, that's right.",
    "I'll call back later, thanks.",
    "Your call is important to us.",
    "Hello, anyone there?",
]


def build_short_calls(folder: Path, count: int = 100, seed: int = 3) -> list[Path]:
    """``count`` calls of 0.5-3 s: espeak-ng phrases (mono, or stereo with one or both sides
    speaking) and stretches cut from the bundled sample call, as a library's voicemails, dropped
    calls and IVR stubs are."""
    from callgen import RATE, speak

    from reviewer.audio.decode import decode

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sample = decode(SAMPLE).samples
    clips = {(p, who): speak(p, who) for p in SHORT_PHRASES for who in ("agent", "customer")}
    out = []
    for i in range(count):
        seconds = float(rng.uniform(0.5, 3.0))
        n = int(seconds * RATE)
        kind = i % 4
        if kind == 3:  # real speech cut from the sample call, stereo or its mono mix
            a = int(rng.integers(0, sample.shape[1] - n))
            audio = sample[:, a : a + n]
            if i % 8 == 3:
                audio = audio.mean(axis=0, keepdims=True)
        else:
            phrase = SHORT_PHRASES[int(rng.integers(len(SHORT_PHRASES)))]
            who = "agent" if i % 2 else "customer"
            clip = clips[(phrase, who)][: max(0, n - RATE // 10)]
            track = np.zeros(n, np.float32)
            at = int(rng.integers(0, n - len(clip) + 1))
            track[at : at + len(clip)] = clip
            track += rng.normal(0, 0.002, n).astype(np.float32)
            if kind == 0:
                audio = track[None, :]
            else:  # stereo: the other side silent but for line noise (kind 1) or speaking too
                other = rng.normal(0, 0.002, n).astype(np.float32)
                if kind == 2:
                    reply = clips[("Yes, that's right.", "agent" if who == "customer" else "customer")]
                    reply = reply[: max(0, n - at - len(clip))]
                    other[n - len(reply) :] += reply
                audio = np.stack([track, other] if who == "agent" else [other, track])
        out.append(write_wav(folder / f"short-{i:03d}.wav", np.clip(audio, -1, 1), RATE))
    return out


def short_bench(count: int, device: str) -> dict:
    folder = WORK / "short"
    build_short_calls(folder, count)
    out = measure("short", folder, device, "--results", str(HERE / "results" / "short-calls.json"))
    print(
        f"  {out['files']} short calls: {out['per_file_s']:.2f} s and {out['per_file_cpu_s']:.2f} CPU s "
        f"per file after {out['load_s']:.1f} s of model loading; {out['imported']} imported, "
        f"{out['failed']} failed",
        file=sys.stderr,
    )
    return out


def measure(mode: str, path: Path, device: str, *extra: str) -> dict:
    env = {**os.environ, "PYANNOTE_METRICS_ENABLED": "false", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), mode, str(path), "--device", device, *extra],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} {path.name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pipeline_bench(
    minutes: list[float], reps: dict[float, int], device: str, only: str | None = None
) -> list[dict]:
    rows = []
    for (m, layout), path in build_calls(minutes).items():
        if only and layout != only:
            continue
        with wave.open(str(path)) as w:
            duration = w.getnframes() / w.getframerate()  # ends in a pause just before m minutes
        runs: dict[str, list[dict]] = {"bare": [], "reviewer": []}
        for i in range(reps[m]):
            order = ("bare", "reviewer") if i % 2 == 0 else ("reviewer", "bare")
            for mode in order:
                r = measure(mode, path, device)
                runs[mode].append(r)
                print(
                    f"  {m:g} min {layout} {mode:<8} run {i + 1}: {r['work_s']:.1f} s work, "
                    f"{r['load_s']:.1f} s load, {r['peak_rss_mb']:.0f} MB",
                    file=sys.stderr,
                    flush=True,
                )
        bare = statistics.median(r["work_s"] for r in runs["bare"])
        rev = statistics.median(r["work_s"] for r in runs["reviewer"])
        stages = {
            k: statistics.median(r["stages"].get(k, 0.0) for r in runs["reviewer"])
            for k in ("decode", "transcribe", "speakers", "analysis", "store")
        }
        rows.append(
            {
                "minutes": m,
                "layout": layout,
                "reps": reps[m],
                "bare_s": round(bare, 2),
                "reviewer_s": round(rev, 2),
                "ratio": round(rev / bare, 3),
                "bare_runs": [round(r["work_s"], 2) for r in runs["bare"]],
                "reviewer_runs": [round(r["work_s"], 2) for r in runs["reviewer"]],
                "reviewer_with_store_s": round(rev + stages["store"], 2),
                "load_bare_s": round(statistics.median(r["load_s"] for r in runs["bare"]), 2),
                "load_reviewer_s": round(statistics.median(r["load_s"] for r in runs["reviewer"]), 2),
                "rtf_total": round((rev + stages["store"]) / duration, 4),
                "rtf_stages": {k: round(v / duration, 4) for k, v in stages.items()},
                "peak_rss_mb_bare": round(max(r["peak_rss_mb"] for r in runs["bare"])),
                "peak_rss_mb_reviewer": round(max(r["peak_rss_mb"] for r in runs["reviewer"])),
                "words_bare": runs["bare"][0]["words"],
                "words_reviewer": runs["reviewer"][0]["words"],
            }
        )
    return rows


# -- the library at scale -------------------------------------------------------------------


def _script_pool() -> list[list[tuple[str, str]]]:
    """Dialogues as (role, text) lines: the benchmark scenarios and the test calls."""
    import eval_scripts
    import scripts

    pool = []
    for script in [
        *(s for s, _ in eval_scripts.SCENARIOS.values()),
        scripts.PUSHBACK_CALL,
        scripts.CLEAN_CALL,
    ]:
        lines = [
            (line.speaker, line.text)
            for line in script
            if line.speaker in ("agent", "customer") and line.text
        ]
        pool.append(lines)
    return pool


AGENTS = [f"Agent{i:02d}" for i in range(40)]
FIRST = ["Sam", "Ryan", "Maria", "Ana", "Lee", "Priya", "Tom", "Jo", "Kim", "Alex"]


def build_library(path: Path | str, calls: int = 10_000) -> dict:
    from reviewer.actions.calls import store_derived
    from reviewer.analysis import analyse_transcript
    from reviewer.library import open_library
    from reviewer.library.store import ms, now
    from reviewer.model import Speaker, Transcript, Word
    from reviewer.settings import load_settings

    settings = load_settings()
    pool = _script_pool()
    rng = np.random.default_rng(47)
    # A few dozen distinct analysed transcripts, reused with other names (analysis is the
    # expensive part and its results are what the rows hold).
    templates = []
    for _ in range(36):
        lines = []
        while len(lines) < 45:
            lines += pool[int(rng.integers(len(pool)))]
        lines = lines[: int(rng.integers(35, 56))]
        words, t = [], 0.5
        for role, text in lines:
            speaker = "S1" if role == "agent" else "S2"
            for w in text.split():
                d = 0.25 + 0.1 * rng.random()
                words.append(Word(t, t + d, w, speaker, 0.9))
                t += d + 0.05
            t += 0.4 + 1.5 * rng.random()
        transcript = Transcript(
            t + 1, 2, "channels", [Speaker("S1", channel=0), Speaker("S2", channel=1)], words, []
        )
        templates.append(analyse_transcript(transcript, settings))
    t0 = time.perf_counter()
    with open_library(path) as library:
        with library.write() as db:
            for i in range(calls):
                transcript, analysis = templates[i % len(templates)]
                row = {
                    "content_hash": f"{i:064x}",
                    "name": f"{2026 - i % 2}-{1 + i % 12:02d}-{1 + i % 28:02d} call {i:05d}.wav",
                    "path": f"/calls/{i:05d}.wav",
                    "size": 1_000_000,
                    "recorded_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00",
                    "imported_at": now(),
                    "duration_ms": ms(transcript.duration),
                    "channels": 2,
                    "source_channels": 2,
                    "source_rate": 8000,
                    "dual_mono": 0,
                    "speaker_split": "channels",
                    "language": "en",
                    "model": "bench",
                    "review_status": ("new", "in review", "reviewed")[i % 3],
                }
                agent = f"{FIRST[i % len(FIRST)]} {AGENTS[i % len(AGENTS)]}"
                speakers = [Speaker("S1", "agent", agent, 0), Speaker("S2", "customer", "", 1)]
                call_id = library.insert_call(row, replace(transcript, speakers=speakers))
                store_derived(library, call_id, replace(transcript, speakers=speakers), analysis)
                if i % 3 == 0:
                    db["comments"].insert(
                        {
                            "call_id": call_id,
                            "start_ms": 5000,
                            "end_ms": None,
                            "author": "coach",
                            "category": "improve",
                            "text": "Acknowledge the request first.",
                            "created_at": now(),
                            "updated_at": now(),
                        }
                    )
    build_s = time.perf_counter() - t0
    with open_library(path) as library:
        turns = library.db.execute("SELECT count(*) FROM turns").fetchone()[0]
        words = library.db.execute("SELECT count(*) FROM words").fetchone()[0]
        if library.is_shared:
            library.db.execute("ANALYZE")  # what autovacuum would have done by the time coaches look
            size = library.db.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
            ).fetchone()[0]
        else:
            size = Path(path).stat().st_size
    return {
        "calls": calls,
        "turns": turns,
        "words": words,
        "build_s": round(build_s, 1),
        "size_mb": round(int(size) / 2**20),
    }


def timed(fn, repeats: int = 7) -> float:
    fn()  # warm: the first run after building is not what a user who opens the app sees twice
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(out), 1)


def library_bench(location: str | None = None) -> dict:
    """The 10 000-call library in a SQLite file, or (``location``) in a PostgreSQL database."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["REVIEWER_CONFIG_DIR"] = str(WORK / "config")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from reviewer.library import open_library
    from reviewer.ui.library_page import CallsModel

    path = location or WORK / "library-10k.sqlite"
    built = build_library(path)
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - the model needs one
    lib = open_library(path)
    rows = lib.list_calls(brief=True)
    model = CallsModel()
    model.set_rows(rows)

    def first_open():
        with open_library(path) as fresh:
            fresh_rows = fresh.list_calls(brief=True)
        m = CallsModel()
        m.set_rows(fresh_rows)
        m.sort(1, Qt.SortOrder.DescendingOrder)

    def sort_share():
        model.sort(4, Qt.SortOrder.DescendingOrder)
        model.sort(1, Qt.SortOrder.DescendingOrder)

    def filter_text():
        model.set_text("Agent17")
        model.set_text("")

    def open_and_list():
        with open_library(path) as fresh:
            fresh.list_calls(brief=True)

    times = {
        "open library and list (core)": timed(open_and_list),
        "open: library, list, table model, sorted (app)": timed(first_open),
        "list calls (core query, the app's columns)": timed(lambda: lib.list_calls(brief=True)),
        "list calls (core query, every column: reviewer calls)": timed(lib.list_calls),
        "sort by talk share, then by date (app table)": timed(sort_share),
        "sort by talk share (core query)": timed(
            lambda: lib.list_calls(order_by="agent_talk_share desc", brief=True)
        ),
        "filter by name or agent (app table)": timed(filter_text),
        "filter by agent (core)": timed(lambda: lib.select_calls(agent="Sam Agent00")),
        "search 'cancel my internet' (common, top 50)": timed(lambda: lib.search("cancel my internet")),
        "search 'refund' (top 50)": timed(lambda: lib.search("refund")),
        "search 'loyalty rewards' (rare)": timed(lambda: lib.search("loyalty rewards")),
        "calls saying 'cancel' (all, for export)": timed(lambda: lib.calls_saying("cancel")),
        "open one call (load_call)": timed(lambda: lib.load_call(5000)),
    }
    lib.close()
    return {"library": built, "ms": times}


def postgres_bench(url: str) -> dict:
    import uuid

    import psycopg

    server = None
    if url == "local":
        sys.path.insert(0, str(HERE.parent / "tests"))
        import pg_server

        server = pg_server.start()
        url = server.url
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        out = library_bench(f"{url}{sep}options=-csearch_path%3D{schema}")
        out["server"] = psycopg.connect(url).info.parameter_status("server_version")
        return out
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        if server is not None:
            server.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="include the 60-minute calls")
    p.add_argument(
        "--minutes", help="comma-separated call lengths in minutes (default 1,10; 1,10,60 with --full)"
    )
    p.add_argument(
        "--reps", type=int, help="runs of each side per call (default 3 for 1 min, 2 for 10, 1 for 60)"
    )
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--layout", choices=["stereo", "mono"], help="only the stereo or only the mono calls")
    p.add_argument("--no-library", action="store_true", help="skip the 10 000-call library")
    p.add_argument("--no-pipeline", action="store_true", help="skip the pipeline runs")
    p.add_argument(
        "--short",
        type=int,
        metavar="N",
        help="only N short calls (0.5-3 s: voicemails, dropped calls, IVR stubs; 100 in issue 31) "
        "imported in one process: seconds and CPU seconds per file after the models load",
    )
    p.add_argument(
        "--postgres",
        metavar="URL",
        help="also build the 10 000-call library on this PostgreSQL server (a new schema in its "
        "database) and time it beside SQLite; 'local' starts a throwaway server (tests/pg_server.py)",
    )
    args = p.parse_args()
    minutes = (
        [float(x) for x in args.minutes.split(",")]
        if args.minutes
        else ([1, 10, 60] if args.full else [1, 10])
    )
    reps = {m: args.reps or (3 if m <= 1 else 2 if m <= 10 else 1) for m in minutes}
    os.environ["REVIEWER_DATA_DIR"] = str(WORK / "data")
    result: dict = {"machine": machine(), "device": args.device, "date": time.strftime("%Y-%m-%d %H:%M")}
    if args.device == "cuda":
        import torch

        result["machine"] += f", GPU {torch.cuda.get_device_name(0)}"
    if args.short:
        result["short"] = short_bench(args.short, args.device)
        report(result)
        return
    if not args.no_pipeline:
        result["pipeline"] = pipeline_bench(minutes, reps, args.device, args.layout)
    if not args.no_library:
        result["library"] = library_bench()
        if args.postgres:
            result["library_postgres"] = postgres_bench(args.postgres)
    report(result)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    text = json.dumps(result, indent=1) + "\n"
    (out / "run.json").write_text(text)  # the latest run
    (out / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)  # and every run kept


def report(result: dict) -> None:
    print(f"# bench/run.py — {result['machine']}, device {result['device']}, {result['date']}\n")
    if "short" in result:
        r = result["short"]
        print(
            f"Short calls: {r['files']} files, {r['per_file_s']:.2f} s and {r['per_file_cpu_s']:.2f} CPU s "
            f"per file after the models load ({r['load_s']:.1f} s); {r['imported']} imported, "
            f"{r['failed']} failed, peak RSS {r['peak_rss_mb']:.0f} MB\n"
        )
    if "pipeline" in result:
        print(
            "| call | runs | bare faster-whisper | Reviewer analyze | ratio | + store | RTF | decode | ASR | "
            "speakers | analysis | store | peak RSS bare / Reviewer | model load bare / Reviewer |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in result["pipeline"]:
            s = r["rtf_stages"]
            print(
                f"| {r['minutes']:g} min {r['layout']} | {r['reps']} | {r['bare_s']:.1f} s | "
                f"{r['reviewer_s']:.1f} s | "
                f"**{r['ratio']:.2f}** | {r['reviewer_with_store_s']:.1f} s | {r['rtf_total']:.3f} | "
                f"{s['decode']:.4f} | {s['transcribe']:.3f} | {s['speakers']:.3f} | {s['analysis']:.4f} | "
                f"{s['store']:.4f} | {r['peak_rss_mb_bare']} / {r['peak_rss_mb_reviewer']} MB | "
                f"{r['load_bare_s']:.1f} / {r['load_reviewer_s']:.1f} s |"
            )
        print()
    if "library" in result:
        lib = result["library"]["library"]
        print(
            f"Library: {lib['calls']} calls, {lib['turns']} turns, {lib['words']} words, {lib['size_mb']} MB "
            f"(built in {lib['build_s']} s)\n"
        )
        pg = result.get("library_postgres")
        if pg:
            p = pg["library"]
            print(
                f"PostgreSQL {pg.get('server', '')}: {p['size_mb']} MB (built in {p['build_s']} s), "
                "on a Unix socket of this machine\n"
            )
            print("| operation | SQLite median ms | PostgreSQL median ms |\n|---|---|---|")
            for name, v in result["library"]["ms"].items():
                print(f"| {name} | {v} | {pg['ms'].get(name, '')} |")
        else:
            print("| operation | median ms |\n|---|---|")
            for name, v in result["library"]["ms"].items():
                print(f"| {name} | {v} |")


if __name__ == "__main__":
    main()
