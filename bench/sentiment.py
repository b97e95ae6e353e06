"""Train the sentiment model on the development dialogues and measure it.

    .venv/bin/python bench/sentiment.py          # dev CV, train, write resources/sentiment_model.json; HVB
    .venv/bin/python bench/sentiment.py --score  # measure the committed model only (no dev CV)
    .venv/bin/python bench/sentiment.py --test   # also score the TEST split (resources/sentiment/test), once
    .venv/bin/python bench/sentiment.py --cost   # time and memory added to a 10-minute call

Every turn of ``resources/sentiment/dev/*.json`` (format and authors: resources/sentiment/README.md)
is an example, agent and customer alike. The settings (regularisation C, the sentence embedding's
weight, and the trend's margin) are chosen by 5-fold cross-validation that keeps each dialogue
whole, on macro-F1 over customer turns (the margin on the customers' trajectory accuracy). The
test split, written by an author who saw none of this, is scored with the committed model as a
call gets it (``analysis.sentiment``: its turns, its backchannel rule, its trend). The six Harper
Valley calls' per-utterance ``emotion`` (its authors' own model) are a reference, not truth:
agreement is reported. Results go to bench/results/sentiment.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer import embedding  # noqa: E402
from reviewer import refusal_training as rt  # noqa: E402
from reviewer.analysis import sentiment as sm  # noqa: E402
from reviewer.model import Speaker, Transcript, Word  # noqa: E402
from reviewer.settings import load_settings  # noqa: E402

MODEL = ROOT / "resources" / "sentiment_model.json"
DEV = ROOT / "resources" / "sentiment" / "dev"
TEST = ROOT / "resources" / "sentiment" / "test"
HVB = ROOT.parent / "shared" / "data" / "real-calls" / "hvb"
RESULTS = ROOT / "bench" / "results" / "sentiment.json"
CLASSES = sm.CLASSES
MARGINS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)


def load(folder: Path) -> list[dict]:
    out = []
    for path in sorted(folder.glob("*.json")):
        for d in json.loads(path.read_text()):
            out.append({**d, "source": path.name, "scenario": f"{path.stem}:{d.get('scenario', len(out))}"})
    return out


def rows(dialogues: list[dict]) -> list[tuple[str, str, str, str]]:
    """(text, label, role, dialogue) of every labelled turn."""
    return [
        (t["text"], t["sentiment"], t["role"], d["scenario"])
        for d in dialogues
        for t in d["turns"]
        if t.get("sentiment") in CLASSES and t["role"] in ("agent", "customer")
    ]


def fit_json(examples: list, *, c: float, scale: float | None, margin: float, trained_on: str) -> dict:
    """The model's JSON: TF-IDF words and characters (as the request model), a balanced logistic
    regression over them, and (``scale`` not None) one over them and the sentence embedding."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [sm.sentiment_text(e[0]) for e in examples]
    y = [e[1] for e in examples]
    words = TfidfVectorizer(analyzer=rt.word_ngrams, sublinear_tf=True, min_df=2)
    chars = TfidfVectorizer(analyzer=rt.char_ngrams, sublinear_tf=True, min_df=2)
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    plain = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, y)
    doc: dict = {
        "format": 1,
        "C": c,
        "trained_on": trained_on,
        "examples": dict(Counter(y)),
        "margin": margin,
        "words": rt._vocab_json(words),
        "chars": rt._vocab_json(chars),
        "linear": rt._linear_json(plain),
    }
    if scale is not None:
        enc = embedding.encoder()
        x_emb = hstack([x, csr_matrix(enc.encode([e[0] for e in examples]) * scale)]).tocsr()
        emb = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x_emb, y)
        doc["embedding"] = {"name": embedding.NAME, "scale": scale, "linear": rt._linear_json(emb)}
    return doc


def macro(pairs: list[tuple[str, str]]) -> dict:
    """Macro-F1 and each class's precision, recall and F1 over (truth, predicted) pairs."""
    out: dict = {"n": len(pairs), "accuracy": round(sum(a == b for a, b in pairs) / max(1, len(pairs)), 3)}
    f1s = []
    for k in CLASSES:
        tp = sum(a == k == b for a, b in pairs)
        fp = sum(b == k != a for a, b in pairs)
        fn = sum(a == k != b for a, b in pairs)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f)
        out[k] = {"n": tp + fn, "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}
    out["macro_f1"] = round(float(np.mean(f1s)), 3)
    out["confusion"] = {f"{a}->{b}": n for (a, b), n in sorted(Counter(pairs).items())}
    return out


SPEAKERS = (Speaker("S1", "agent"), Speaker("S2", "customer"))
ROLES = {s.id: s.role for s in SPEAKERS}
TRENDS = tuple((m, by) for by in ("score", "label") for m in MARGINS)


def judge_calls(dialogues: list[dict], model: sm.SentimentModel, settings) -> list:  # noqa: ANN001
    """Each dialogue as the analysis sees it: (dialogue, its turns, their labels, its Sentiment)."""
    out = []
    for d in dialogues:
        turns = rt.dialogue_turns(d)
        out.append(
            (
                d,
                turns,
                [t.get("sentiment", "") for t in d["turns"]],
                sm.sentiment(SPEAKERS, turns, settings, model),
            )
        )
    return out


def score_calls(judged: list, settings, margin: float | None = None, by: str | None = None) -> dict:  # noqa: ANN001
    """Per-turn labels against the truth, and the customer's trend (the call's own, or recomputed
    with ``margin`` and ``by``) against the dialogue's trajectory."""
    customer, agent, noisy, clean, traj = [], [], [], [], []
    for d, turns, labels, s in judged:
        ordered = sorted(turns, key=lambda t: (t.start, t.end))
        for turn, got, truth in zip(ordered, s.turns, labels, strict=True):
            if truth not in CLASSES:
                continue
            pair = (truth, got.label)
            if turn.speaker == "S2":
                customer.append(pair)
                (noisy if d.get("noisy") else clean).append(pair)
            else:
                agent.append(pair)
        change = s.customer.change
        if margin is not None:
            change = sm.party_trend(ordered, s.turns, ROLES, settings, "customer", margin, by).change
        if d.get("customer_trajectory") in ("better", "same", "worse"):
            traj.append((d["customer_trajectory"], change))
    return {
        "customer_turns": macro(customer),
        "customer_turns_noisy": macro(noisy),
        "customer_turns_clean": macro(clean),
        "agent_turns": macro(agent),
        "trajectory": {
            "n": len(traj),
            "accuracy": round(sum(a == b for a, b in traj) / max(1, len(traj)), 3),
            "confusion": {f"{a}->{b}": n for (a, b), n in sorted(Counter(traj).items())},
        },
    }


def as_a_call(dialogues: list[dict], model: sm.SentimentModel, settings) -> dict:  # noqa: ANN001
    """Score dialogues as the analysis sees them: per-turn labels and the customer's trend."""
    return score_calls(judge_calls(dialogues, model, settings), settings)


def cross_validate(dialogues: list[dict], settings, c: float, scale: float | None, folds: int = 5) -> dict:  # noqa: ANN001
    """Held-out judgements of every dialogue, pooled over the folds, scored per (margin, trend by)."""
    groups = sorted({d["scenario"] for d in dialogues})
    order = list(np.random.default_rng(0).permutation(groups))
    fold_of = {g: i % folds for i, g in enumerate(order)}
    judged = []
    for k in range(folds):
        train = [d for d in dialogues if fold_of[d["scenario"]] != k]
        held = [d for d in dialogues if fold_of[d["scenario"]] == k]
        model = sm.SentimentModel.from_json(
            fit_json(rows(train), c=c, scale=scale, margin=0.2, trained_on="cv")
        )
        judged += judge_calls(held, model, settings)
    return {(m, by): score_calls(judged, settings, m, by) for m, by in TRENDS}


def merge(scores: list[dict]) -> dict:
    """Pool per-fold scores by re-deriving from their confusion counts."""
    out: dict = {}
    for key in ("customer_turns", "customer_turns_noisy", "customer_turns_clean", "agent_turns"):
        pairs = []
        for s in scores:
            for ab, n in s[key]["confusion"].items():
                a, b = ab.split("->")
                pairs += [(a, b)] * n
        out[key] = macro(pairs)
    traj = Counter()
    for s in scores:
        traj.update(s["trajectory"]["confusion"])
    n = sum(traj.values())
    right = sum(v for k, v in traj.items() if k.split("->")[0] == k.split("->")[1])
    out["trajectory"] = {"n": n, "accuracy": round(right / max(1, n), 3), "confusion": dict(traj)}
    return out


def hvb(model: sm.SentimentModel) -> dict:
    """Agreement with the Harper Valley corpus's own per-utterance emotion (its authors' model)
    on the six calls with audio: the human transcript of each utterance with words in it."""
    pairs: dict[str, list] = {"caller": [], "agent": []}
    corr: dict[str, list] = {"caller": [], "agent": []}
    calls = sorted(HVB.glob("*.json"))
    for path in calls:
        for u in json.loads(path.read_text()):
            text = " ".join(w for w in u.get("human_transcript", "").split() if not w.startswith("["))
            if not text or not u.get("emotion"):
                continue
            theirs = max(u["emotion"], key=u["emotion"].get)
            ((label, score),) = model.judge([text])
            pairs[u["speaker_role"]].append((theirs, label))
            corr[u["speaker_role"]].append((u["emotion"]["positive"] - u["emotion"]["negative"], score))
    out: dict = {"calls": len(calls)}
    for role, p in pairs.items():
        if not p:
            continue
        a, b = np.array(corr[role]).T
        out[role] = {
            **macro(p),
            "kappa": round(kappa(p), 3),
            "score_correlation": round(float(np.corrcoef(a, b)[0, 1]), 3),
        }
    return out


def kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in CLASSES) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 0.0


def ten_minute_transcript() -> Transcript:
    """The push-back corpus's written dev dialogues end to end until 10 minutes (every turn's text
    different: no help from the encoder's cache across repeats), as a two-channel call's words."""
    words: list[Word] = []
    at = 0.0
    for d in rt.load_dialogues(rt.corpus_files("dev")):
        if d["source"].split("/")[-1].startswith("asr-"):
            continue
        for turn in rt.dialogue_turns(d):
            parts = turn.text.split()
            step = (turn.end - turn.start) / len(parts)
            start = at + turn.start
            words += [
                Word(start + i * step, start + (i + 1) * step, w, turn.speaker) for i, w in enumerate(parts)
            ]
        at = words[-1].end + 1.5
        if at >= 600:
            break
    return Transcript(at, 2, "channels", list(SPEAKERS), words, [])


def cost_run(glance: bool) -> dict:
    """One process: the 10-minute call's analysis, with or without sentiment and outcomes."""
    import os
    import resource as res
    import time

    import reviewer.analysis as analysis
    from reviewer.analysis import analyse_transcript

    settings = load_settings()
    transcript = ten_minute_transcript()
    enc = embedding.encoder()  # loaded by the request model either way; its load is not analysis
    settings.request_model.prepare(["warm up"])
    counted = {"texts": 0, "batches": 0}
    engine = enc._engine

    class Counting:
        def query(self, texts):  # noqa: ANN001, ANN202
            counted["texts"] += len(texts)
            counted["batches"] += 1
            return engine.query(texts)

    enc._engine = Counting()
    if not glance:
        analysis.call_sentiment = lambda *a, **k: None
        analysis.request_outcomes = lambda *a, **k: ()
    else:
        sm.bundled_model()  # loading the model file is part of the cost: timed apart
    base_rss = int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
    t = time.perf_counter()
    transcript, result = analyse_transcript(transcript, settings)
    seconds = time.perf_counter() - t
    peak = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
    turns = transcript.turns
    return {
        "glance": glance,
        "turns": len(turns),
        "unique_turn_texts": len({t.text for t in turns}),
        "texts_encoded": counted["texts"],
        "encoder_batches": counted["batches"],
        "analysis_s": round(seconds, 2),
        "rss_before_analysis_mb": round(base_rss),
        "peak_rss_mb": round(peak),
        "outcomes": [o.outcome for o in result.outcomes],
        "pid": os.getpid(),
        "maxrss": res.getrusage(res.RUSAGE_SELF).ru_maxrss // 1024,
    }


def cost(reps: int = 2) -> dict:
    """Fresh processes, alternately without and with sentiment and outcomes."""
    import subprocess

    runs: dict[str, list] = {"without": [], "with": []}
    for _ in range(reps):
        for mode in ("without", "with"):
            out = subprocess.run(
                [sys.executable, __file__, "--cost-run", mode], capture_output=True, text=True, check=True
            ).stdout
            runs[mode].append(json.loads(out.strip().splitlines()[-1]))
    med = {m: float(np.median([r["analysis_s"] for r in rs])) for m, rs in runs.items()}
    peak = {m: float(np.median([r["peak_rss_mb"] for r in rs])) for m, rs in runs.items()}
    return {
        "runs": runs,
        "analysis_s": med,
        "added_s": round(med["with"] - med["without"], 2),
        "peak_rss_mb": peak,
        "added_peak_mb": round(peak["with"] - peak["without"]),
    }


def line(title: str, s: dict) -> None:
    c = s["customer_turns"]
    print(
        f"{title}: customer macro-F1 {c['macro_f1']:.3f} (n {c['n']}; "
        + " ".join(f"{k[:3]} {c[k]['f1']:.2f}" for k in CLASSES)
        + f"), noisy {s['customer_turns_noisy']['macro_f1']:.3f}, agent {s['agent_turns']['macro_f1']:.3f}, "
        f"trajectory {s['trajectory']['accuracy']:.3f} (n {s['trajectory']['n']})"
    )


def encoder_cache(path: Path | None, save: bool = False) -> None:
    """Keep the sentence encoder's vectors between runs (a file of text → vector), to rerun a
    measurement on a busy machine without encoding every text again; the vectors are the
    encoder's own."""
    import pickle

    from reviewer import embedding

    enc = embedding.encoder()
    if path is None or enc is None:
        return
    if save:
        path.write_bytes(pickle.dumps(dict(enc._cache)))
    elif path.exists():
        enc._cache.update(pickle.loads(path.read_bytes()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--score", action="store_true", help="measure the committed model only")
    parser.add_argument(
        "--test", action="store_true", help="score the test split (once, when the model is fixed)"
    )
    parser.add_argument("--cost", action="store_true", help="time and memory added to a 10-minute call")
    parser.add_argument("--cost-run", choices=["with", "without"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--encoder-cache", type=Path, help="keep the encoder's vectors in this file between runs"
    )
    args = parser.parse_args()
    if args.cost_run:
        print(json.dumps(cost_run(args.cost_run == "with")))
        return
    if args.cost:
        c = cost()
        print(json.dumps({k: v for k, v in c.items() if k != "runs"}))
        for mode, rs in c["runs"].items():
            for r in rs:
                print(mode, {k: v for k, v in r.items() if k not in ("outcomes", "pid")})
        old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        RESULTS.write_text(json.dumps({**old, "cost_10_minutes": c}, indent=1) + "\n")
        return
    embedding.CACHE_SIZE = 200_000
    encoder_cache(args.encoder_cache)
    settings = load_settings()
    dev = load(DEV)
    results: dict = {"dev_dialogues": len(dev), "dev_files": sorted({d["source"] for d in dev})}
    if RESULTS.exists() and args.score:
        results = {**json.loads(RESULTS.read_text()), **results}
    if not args.score:
        embed = embedding.encoder() is not None
        grid = {}
        for c in (4.0, 16.0):
            for scale in (None, 4.0, 8.0) if embed else (None,):
                for trend, s in cross_validate(dev, settings, c, scale).items():
                    grid[(c, scale, trend)] = s
                    if trend == (0.2, "score"):
                        line(f"dev CV C={c:<4} embedding×{scale}", s)
        # The turns' settings on macro-F1 over customer turns, then the trend on trajectories.
        c, scale, _ = max(grid, key=lambda k: (grid[k]["customer_turns"]["macro_f1"], -k[0]))
        margin, by = max(
            TRENDS, key=lambda t: (grid[(c, scale, t)]["trajectory"]["accuracy"], -abs(t[0] - 0.2))
        )
        for t in TRENDS:
            acc = grid[(c, scale, t)]["trajectory"]["accuracy"]
            print(f"  trend by {t[1]:5} margin {t[0]:.2f}: trajectory {acc:.3f}")
        best = grid[(c, scale, (margin, by))]
        text_only = max(
            ((k, v) for k, v in grid.items() if k[1] is None and k[2] == (margin, by)),
            key=lambda kv: kv[1]["customer_turns"]["macro_f1"],
        )
        line(f"chosen C={c} embedding×{scale} margin={margin} by {by}", best)
        line(f"text-only, best C={text_only[0][0]}", text_only[1])
        results["chosen"] = {"C": c, "embedding_scale": scale, "margin": margin, "trend_by": by}
        results["dev_cv"] = best
        results["dev_cv_text_only"] = text_only[1]
        digest = rt.corpus_digest(sorted(DEV.glob("*.json")))
        doc = fit_json(
            rows(dev), c=c, scale=scale, margin=margin, trained_on=f"resources/sentiment/dev sha256:{digest}"
        )
        MODEL.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
        print(f"wrote {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size // 1024} KiB)")
    model = sm.SentimentModel.from_json(json.loads(MODEL.read_text()))
    results["hvb"] = hvb(model)
    for role in ("caller", "agent"):
        h = results["hvb"].get(role)
        if h:
            print(
                f"HVB {role}: agreement {h['accuracy']:.3f} kappa {h['kappa']:.3f} "
                f"macro-F1 {h['macro_f1']:.3f} score r {h['score_correlation']:.3f} (n {h['n']})"
            )
    if args.test:
        test = load(TEST)
        results["test_files"] = sorted({d["source"] for d in test})
        results["test"] = as_a_call(test, model, settings)
        line("TEST (scored once)", results["test"])
        results["test_text_only"] = as_a_call(test, model.without_embedding(), settings)
        line("TEST, text-only fallback", results["test_text_only"])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    encoder_cache(args.encoder_cache, save=True)


if __name__ == "__main__":
    main()
