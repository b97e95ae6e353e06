"""Train the refusal model on the corpus's development split and measure it on the test split.

    .venv/bin/python bench/refusals.py            # cross-validate on dev, train, write the model, score test
    .venv/bin/python bench/refusals.py --score    # only score the committed model
    .venv/bin/python bench/refusals.py --mistakes # also list every test turn it gets wrong

Tuning (the regularisation and both thresholds) uses only the development split, by 5-fold
cross-validation that keeps each scenario whole; the test split, written by other authors
(resources/pushback/README.md), is scored once with the chosen model. The scripted calls of
tests/scripts.py and bench/eval_scripts.py are scored too, as text, against their truth.
Results go to bench/results/refusals.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from reviewer import embedding  # noqa: E402
from reviewer import refusal_training as rt  # noqa: E402
from reviewer.analysis.pushback import CONTEXT, CONVERSATION, HINTS  # noqa: E402
from reviewer.settings import load_settings  # noqa: E402

MODEL = ROOT / "resources" / "refusal_model.json"
REQUEST_MODEL = ROOT / "resources" / "request_model.json"
# BANKING77 (shared/data/intents, CC-BY-4.0): written bank customer queries. Its account closing and
# refund intents teach the request model more ways to ask; a sample of the intents a bank gladly
# serves teaches it what is not such a request. Intents about disputed charges are left out (they
# may or may not ask for money back).
BANKING77 = ROOT.parent / "shared" / "data" / "intents" / "banking77" / "train.csv"
BANKING77_KINDS = {"terminate_account": "close", "request_refund": "refund"}
BANKING77_UNSURE = {
    "cancel_transfer",
    "Refund_not_showing_up",
    "transaction_charged_twice",
    "extra_charge_on_statement",
    "card_payment_fee_charged",
    "transfer_fee_charged",
    "cash_withdrawal_charge",
    "exchange_charge",
    "top_up_by_card_charge",
    "top_up_by_bank_transfer_charge",
    "card_payment_not_recognised",
    "direct_debit_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "reverted_card_payment?",
    "top_up_reverted",
    "wrong_amount_of_cash_received",
    "card_payment_wrong_exchange_rate",
    "wrong_exchange_rate_for_cash_withdrawal",
    "declined_transfer",
    "declined_card_payment",
}
RESULTS = ROOT / "bench" / "results" / "refusals.json"


def scripted_dialogues() -> list[dict]:
    """The scripted calls the first wave was built on, as corpus dialogues (truth: refusal=)."""
    import eval_scripts
    import scripts

    calls = {"tests/PUSHBACK_CALL": scripts.PUSHBACK_CALL, "tests/CLEAN_CALL": scripts.CLEAN_CALL}
    for name in dir(eval_scripts):
        value = getattr(eval_scripts, name)
        if name.isupper() and isinstance(value, list) and value and hasattr(value[0], "speaker"):
            calls[f"bench/{name}"] = value
    out = []
    for name, lines in calls.items():
        turns = []
        for line in lines:
            if line.speaker == "hold":
                continue
            turn = {"role": line.speaker, "text": line.text}
            if line.speaker == "agent":
                turn["label"] = "pushback" if line.refusal else "other"
                turn["kind"] = "scripted" if line.refusal else ""
            turns.append(turn)
        out.append({"scenario": name, "turns": turns})
    return out


def show(title: str, s: rt.Score) -> dict:
    print(
        f"\n{title}: recall {s.recall:.3f}, precision {s.precision:.3f}, F1 {s.f1:.3f} "
        f"(TP {s.tp}, FN {s.fn}, FP {s.fp})"
    )
    print(f"  {'label / push-back kind':32} {'marked':>7} {'not':>5}")
    for name, hit, miss in s.table():
        print(f"  {name:32} {hit:7d} {miss:5d}")
    if s.kind_accuracy is not None:
        print(f"  kind of push-back named right on {s.kind_accuracy:.0%} of the found ones")
    if s.kinds_text and s.kinds_text != s.kinds:
        print(f"  (the text-only kind model, the fallback without the encoder: {s.kind_accuracy_text:.0%})")
    return {
        "recall": round(s.recall, 3),
        "precision": round(s.precision, 3),
        "f1": round(s.f1, 3),
        "tp": s.tp,
        "fn": s.fn,
        "fp": s.fp,
        "by_label": {name: {"marked": hit, "not": miss} for name, hit, miss in s.table()},
        "kind_accuracy": s.kind_accuracy,
        "kind_accuracy_text_only": s.kind_accuracy_text,
        "kinds": {f"{a} -> {b}": n for (a, b), n in sorted(s.kinds.items())},
    }


SIGNALS = {  # model: the context features held at zero
    "words only": CONTEXT,
    "words + phrase hints": CONVERSATION,
    "words + conversation": HINTS,
    "everything": (),
}


def ablation(dev: list, test: list, base) -> None:
    """Each model trained without some context features (held at zero in training and use)."""
    import reviewer.analysis.pushback as pushback
    import reviewer.analysis.refusals as refusals

    chosen = json.loads(MODEL.read_text())
    full = pushback.context
    for name, off in SIGNALS.items():
        drop = [pushback.CONTEXT.index(f) for f in off]

        def masked(*a, drop=drop, **k):
            return [0.0 if i in drop else v for i, v in enumerate(full(*a, **k))]

        refusals.context = rt.context = masked
        c, t, ct = chosen["C"], chosen["threshold"], chosen["comply_threshold"]
        cv = rt.cross_validate(dev, base, c=c, thresholds=(t,), comply_thresholds=(ct,))[(t, ct)]
        doc = rt.fit_json(
            rt.examples(dev, base), c=c, threshold=t, comply_threshold=ct, trained_on="ablation"
        )
        model = rt.RefusalModel.from_json(doc)
        s = rt.score(test, replace(base, refusal_model=model))
        print(
            f"| {name} | {cv.recall:.3f} | {cv.precision:.3f} | {cv.f1:.3f} | {s.recall:.3f} | "
            f"{s.precision:.3f} | {s.f1:.3f} |",
            flush=True,
        )
    refusals.context = rt.context = full


def banking77(per_intent: int = 8) -> list:
    """BANKING77's closing and refund queries, and ``per_intent`` of each intent a bank gladly
    serves as "none"; empty where the shared data is not beside the project."""
    import csv
    from collections import defaultdict

    if not BANKING77.is_file():
        return []
    by: dict[str, list[str]] = defaultdict(list)
    with BANKING77.open(newline="") as f:
        for row in csv.DictReader(f):
            by[row["category"]].append(row["text"])
    out = []
    for intent, texts in sorted(by.items()):
        if intent in BANKING77_KINDS:
            out += [rt.RequestExample(t, BANKING77_KINDS[intent], f"b77-{intent}") for t in texts]
        elif intent not in BANKING77_UNSURE:
            out += [rt.RequestExample(t, "none", f"b77-{intent}") for t in texts[:per_intent]]
    return out


def show_requests(title: str, s: rt.RequestScore) -> dict:
    print(
        f"\n{title}: request turns recognised {s.recall:.3f}, precision {s.precision:.3f}, F1 {s.f1:.3f}"
        + (f", kind right on {s.kind_accuracy:.0%} of the recognised" if s.kind_accuracy is not None else "")
    )
    kinds = sorted({t for t, _ in s.rows} - {"none"})
    print(f"  {'request kind':18} {'turns':>5} {'found':>5} {'kind right':>10}")
    by_kind = {}
    for k in kinds:
        n = sum(v for (t, _), v in s.rows.items() if t == k)
        found = sum(v for (t, f), v in s.rows.items() if t == k and f != "none")
        right = s.rows[(k, k)]
        by_kind[k] = {"turns": n, "found": found, "kind_right": right}
        print(f"  {k:18} {n:5d} {found:5d} {right:10d}")
    false = sum(v for (t, f), v in s.rows.items() if t == "none" and f != "none")
    print(f"  {'none':18} {sum(v for (t, _), v in s.rows.items() if t == 'none'):5d} {false:5d} (false)")
    return {
        "recall": round(s.recall, 3),
        "precision": round(s.precision, 3),
        "f1": round(s.f1, 3),
        "kind_accuracy": None if s.kind_accuracy is None else round(s.kind_accuracy, 3),
        "by_kind": by_kind,
        "false_on_none": false,
    }


def search(cross_validate, line: str) -> tuple[tuple, object]:
    """Each regularisation C's cross-validated scores (``cross_validate(c)`` gives a score per
    setting pair), printed one a line; the best F1, the smaller C on a tie."""
    grid = {}
    for c in (4.0, 16.0):
        for key, s in cross_validate(c).items():
            grid[(c, *key)] = s
            kind = f" kind {s.kind_accuracy:.3f}" if s.kind_accuracy is not None else ""
            text = getattr(s, "kind_accuracy_text", None)
            kind += f" (text-only {text:.3f})" if text is not None and s.kinds != s.kinds_text else ""
            print(
                line.format(*key, c=c)
                + f"  recall {s.recall:.3f} precision {s.precision:.3f} F1 {s.f1:.3f}{kind}"
            )
    return max(grid.items(), key=lambda kv: (kv[1].f1, -kv[0][0]))


def train_request_model(dev: list, base, results: dict) -> None:
    """Cross-validate the request model on dev's customer turns, write the chosen one."""
    examples = rt.request_examples(dev)
    extra = banking77()
    embed = embedding.encoder() is not None
    (c, t, phrases, emb), best = search(
        lambda c: rt.cross_validate_requests(
            examples, base, extra=extra, c=c, thresholds=(0.3, 0.4, 0.5, 0.6), embed=embed
        ),
        "requests dev CV  C={c:<5} threshold={0:.2f} phrases={1!s:5} embedding={2!s:5}",
    )
    results["requests_chosen"] = {
        "C": c,
        "threshold": t,
        "with_phrases": phrases,
        "embedding": emb,
        "banking77": len(extra),
    }
    results["requests_dev_cv"] = show_requests(
        f"requests, dev 5-fold CV, C={c} threshold={t} phrases={phrases} embedding={emb}", best
    )
    digest = rt.corpus_digest(rt.corpus_files("dev"))
    doc = rt.fit_request_json(
        [*examples, *extra],
        c=c,
        threshold=t,
        with_phrases=phrases,
        trained_on=f"resources/pushback/dev sha256:{digest}" + (" and BANKING77" if extra else ""),
        embed=emb,
    )
    REQUEST_MODEL.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"\nwrote {REQUEST_MODEL.relative_to(ROOT)} ({REQUEST_MODEL.stat().st_size // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--score", action="store_true", help="score the committed models only")
    parser.add_argument("--mistakes", action="store_true", help="list the test turns it gets wrong")
    parser.add_argument(
        "--ablation", action="store_true", help="what each kind of signal adds (dev CV and test, not written)"
    )
    parser.add_argument(
        "--part", metavar="NAME", help="score only this test part (e.g. t5: test/t5.json and its render)"
    )
    args = parser.parse_args()
    embedding.CACHE_SIZE = 200_000  # every corpus text stays encoded for the whole run
    dev_files, test_files = rt.corpus_files("dev"), rt.corpus_files("test")
    if args.part:
        test_files = [f for f in test_files if f.name in (f"{args.part}.json", f"asr-{args.part}.json")]
    dev, test = rt.load_dialogues(dev_files), rt.load_dialogues(test_files)
    results: dict = {"dev_dialogues": len(dev), "test_dialogues": len(test)}
    if not args.score and not args.ablation:
        train_request_model(dev, load_settings(refusal_model=False, request_model=False), results)
    base = load_settings(refusal_model=False)
    if args.ablation:
        ablation(dev, test, base)
        return

    if not args.score:
        embed = embedding.encoder() is not None
        (c, t, ct), best = search(
            lambda c: rt.cross_validate(
                dev, base, c=c, thresholds=(0.3, 0.4, 0.5), comply_thresholds=(0.7, 0.9), embed=embed
            ),
            "dev CV  C={c:<5} threshold={0:.2f} comply={1:.2f}",
        )
        # Judging each sentence of a turn not judged push-back whole (mixed turns): kept only if
        # it helps on dev too.
        by_sentence = rt.cross_validate(
            dev, base, c=c, thresholds=(t,), comply_thresholds=(ct,), sentences=True
        )[(t, ct)]
        print(
            f"dev CV  the same, sentences judged too: recall {by_sentence.recall:.3f} "
            f"precision {by_sentence.precision:.3f} F1 {by_sentence.f1:.3f}"
        )
        sentences = by_sentence.f1 > best.f1
        if sentences:
            best = by_sentence
        # The kind of push-back with the sentence embedding, kept where it names more kinds right.
        kind_embedding = embed and (best.kind_accuracy or 0) > (best.kind_accuracy_text or 0)
        results["chosen"] = {
            "C": c,
            "threshold": t,
            "comply_threshold": ct,
            "sentences": sentences,
            "kind_embedding": kind_embedding,
            "kind_dev_cv": best.kind_accuracy,
            "kind_dev_cv_text_only": best.kind_accuracy_text,
        }
        results["dev_cv"] = show(f"dev, 5-fold CV, chosen C={c} threshold={t} comply={ct}", best)
        digest = rt.corpus_digest(dev_files)
        doc = rt.fit_json(
            rt.examples(dev, base),
            c=c,
            threshold=t,
            comply_threshold=ct,
            trained_on=f"resources/pushback/dev sha256:{digest}",
            embed=kind_embedding,
        )
        doc["sentences"] = sentences
        MODEL.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
        print(f"\nwrote {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size // 1024} KiB)")

    settings = load_settings()
    mistakes: list = []
    results["test"] = show("TEST split (never tuned on)", rt.score(test, settings, mistakes))
    written = [d for d in test if not d["source"].split("/")[-1].startswith("asr-")]
    heard = [d for d in test if d["source"].split("/")[-1].startswith("asr-")]
    results["test_written"] = show("test, written text", rt.score(written, settings))
    if heard:
        results["test_asr"] = show("test, spoken by espeak-ng and transcribed", rt.score(heard, settings))
    noisy = [d for d in test if d.get("noisy")]
    if noisy:
        results["test_noisy"] = show(
            "test, noisy transcript-like text (written so)", rt.score(noisy, settings)
        )
    labelled = [d for d in test if any(x.get("request") for x in d["turns"] if x["role"] == "customer")]
    results["test_requests"] = show_requests(
        "TEST requests (customer turns)", rt.score_requests(rt.request_examples(labelled), settings)
    )
    found, asked = rt.dialogue_requests_found(labelled, settings)
    results["test_requests"]["dialogues_found"] = [found, asked]
    print(f"  dialogues whose request is recognised at least once: {found} of {asked} ({found / asked:.0%})")
    outcomes = ROOT / "resources" / "pushback" / "outcomes" / "test.json"
    if outcomes.is_file():
        # Each distinct request, as an author who wrote none of the dialogues listed them (O1).
        by_kind, hit, missed = rt.labelled_requests_found(test, json.loads(outcomes.read_text()), settings)
        n, k = sum(by_kind.values()), sum(hit.values())
        if n:
            results["test_requests"]["requests_found"] = [k, n]
            results["test_requests"]["requests_found_by_kind"] = {
                x: [hit[x], by_kind[x]] for x in sorted(by_kind)
            }
            print(
                f"  requests (O1's list, each from its first turn to the one that settles it) recognised: "
                f"{k} of {n} ({k / n:.1%}); missed: {', '.join(f'{d} {x}' for d, x in missed) or 'none'}"
            )
    results["scripted_calls"] = show(
        "scripted calls (tests/, bench/eval_scripts.py)", rt.score(scripted_dialogues(), settings)
    )
    phrases_only = replace(settings, refusal_model=None)
    results["test_phrases_only"] = show(
        "test, phrase lists alone (the old way)", rt.score(test, phrases_only)
    )
    if args.mistakes:
        print("\ntest mistakes:")
        for scenario, truth, hit, text in mistakes:
            print(f"  {'FP' if hit else 'FN'} {scenario:28} {truth:28} {text[:110]}")
    out = RESULTS.with_name(f"refusals-{args.part}.json") if args.part else RESULTS
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
