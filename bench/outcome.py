"""How each customer request ended (``analysis.outcome``), measured on the push-back corpus and the
scripted calls.

    .venv/bin/python bench/outcome.py             # dev: against outcomes derived from the corpus's labels
    .venv/bin/python bench/outcome.py --mistakes  # also list the requests it gets wrong
    .venv/bin/python bench/outcome.py --derived   # print dev's derived outcomes (for checking by hand)
    .venv/bin/python bench/outcome.py --test      # also score the TEST labels, once
    .venv/bin/python bench/outcome.py --only-test --test --half tune   # O1's half the rules are chosen on
    .venv/bin/python bench/outcome.py --only-test --test --half held   # O1's held-out half: once per design
    .venv/bin/python bench/outcome.py --blind FILE  # a blind set in one file (below), nothing else

A blind set (``--blind``) is ONE JSON file: an array of dialogues in the corpus format (turn labels
as in resources/pushback/test/*.json; only ``role`` and ``text`` are read, ``start``/``end`` where
given), each also carrying ``"requests": [{"kind", "first_turn", "outcome", "evidence_turn",
"note"}]`` and maybe ``"noisy": true``. It prints the score per request, per call, the confusion by
outcome, and written against noisy dialogues; results go to bench/results/outcome-blind.json.

O1 (``outcomes/test.json``) has been scored twice, so it is development data now, split in two by
scenario (``o1_half``: a fixed seed; a spoken render goes with its written dialogue): the rules are
chosen on dev and the ``tune`` half; the ``held`` half is reported once per design settled on.

Dev truth is derived from the corpus's own labels by ``derived_outcomes`` (the rule is written
there): a request opens on a customer turn labelled with a request kind, the agent's "complies"
grants it, "withdraws" drops it, push-back never granted is a refusal. The rule uses the analysis'
phrase lists only to tell a hand-on (transfer) from other compliance and an accepted offer from
another withdrawal. ``resources/pushback/outcomes/dev-checked.json`` holds requests checked by hand
(by the model's builder). The test truth, ``resources/pushback/outcomes/test.json``, was written by
an author who labelled the test dialogues' requests and saw nothing of this. The analysis runs as
a call gets it: the dialogue's turns through ``refusals`` and ``outcomes``. Results go to
bench/results/outcome.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from sentiment import encoder_cache  # noqa: E402  (bench/sentiment.py)

from reviewer import refusal_training as rt  # noqa: E402
from reviewer.analysis.outcome import ACCEPTS, OFFERS, OUTCOMES, _hands_on, outcomes  # noqa: E402
from reviewer.analysis.refusals import refusals  # noqa: E402
from reviewer.settings import load_settings  # noqa: E402

OUT = ROOT / "resources" / "pushback" / "outcomes"
RESULTS = ROOT / "bench" / "results" / "outcome.json"
GENERIC = ("cancel", "other", "request")
SEEN: dict[tuple[str, str], list] = {}  # each dialogue's analysed requests, once per run
CACHE: list[Path] = []  # where the encoder's vectors are kept between runs (--encoder-cache)


def derived_outcomes(d: dict) -> list[dict]:
    """The dev rule: each request (kind, first_turn, outcome, evidence_turn; turns counted from 0)
    from the corpus's labels. A customer turn labelled with a request kind opens one (the same
    kind, or a generic one, asked again keeps the first); an agent "complies" makes it done, or
    escalated where it hands the request on; push-back "needs someone else" or any turn that
    hands it on (a transfer, a ticket) escalates it; the customer's "withdraws" makes it retained
    where an offer was made and the words accept it (a supervisor request granted is escalated),
    refused where the last push-back said it
    cannot be done or blamed a policy (the customer gives in to a denial), else withdrawn. Still
    pending at the end: unresolved where the last push-back stalls, refused where any push-back
    came, else unresolved."""
    out, pending, settled = [], None, set()

    def close(outcome: str, at: int) -> None:
        nonlocal pending
        out.append({**pending["req"], "outcome": outcome, "evidence_turn": at})
        if outcome in ("done", "retained", "escalated"):
            settled.add(pending["req"]["kind"])
        pending = None

    def left_open(at: int) -> None:
        pb = pending["pushback"]
        if pb and pb[-1][1] == "stalls":
            close("unresolved", pb[-1][0])
        elif pb:
            close("refused", pb[-1][0])
        else:
            close("unresolved", at)

    for i, t in enumerate(d["turns"]):
        if t["role"] == "customer":
            kind = rt.CORPUS_KINDS.get(t.get("request", "none"), t.get("request", "none"))
            if pending and t.get("withdraws"):
                pb = pending["pushback"]
                if pending["offer"] and ACCEPTS.find(t["text"]):
                    close("retained", i)
                elif pb and pb[-1][1] in ("impossible", "blames_other"):
                    close("refused", pb[-1][0])
                else:
                    close("withdrawn", i)
                continue
            if kind in ("none", ""):
                continue
            if pending is None:
                if kind not in settled:
                    pending = {"req": {"kind": kind, "first_turn": i}, "pushback": [], "offer": False}
            elif kind not in (*GENERIC, pending["req"]["kind"]):
                left_open(i)
                pending = {"req": {"kind": kind, "first_turn": i}, "pushback": [], "offer": False}
            continue
        if pending is None:
            continue
        label = t.get("label")
        if label == "complies":
            handed = _hands_on(t["text"]) or pending["req"]["kind"] == "supervisor"
            close("escalated" if handed else "done", i)
        elif _hands_on(t["text"]) and (label != "pushback" or t.get("kind") == "needs_someone_else"):
            close("escalated", i)
        elif label == "pushback":
            pending["pushback"].append((i, t.get("kind", "")))
            pending["offer"] = pending["offer"] or t.get("kind") == "pitch" or bool(OFFERS.find(t["text"]))
    if pending is not None:
        left_open(len(d["turns"]) - 1)
    return out


HALF_SEED = 30  # O1's split: fixed once, never chosen by its score


def o1_half(truth_keys) -> dict[str, str]:  # noqa: ANN001
    """Each O1 key's half, "tune" or "held": the scenarios (a spoken render with its written one)
    sorted, shuffled with a fixed seed, the first half "tune"."""
    scenarios = sorted({k.split(":")[-1] for k in truth_keys})
    random.Random(HALF_SEED).shuffle(scenarios)
    tune = set(scenarios[: len(scenarios) // 2])
    return {k: "tune" if k.split(":")[-1] in tune else "held" for k in truth_keys}


def blind(path: Path, settings, mistakes: list | None) -> dict:  # noqa: ANN001
    """Score a blind set given as one file (the format is in this module's docstring)."""
    data = json.loads(Path(path).read_text())
    if isinstance(data, dict):  # tolerate {"dialogues": [...]} or a mapping of scenario to dialogue
        data = data.get("dialogues") or list(data.values())
    dialogues, truth = [], {}
    for i, d in enumerate(data):
        scenario = str(d.get("scenario") or d.get("id") or f"blind-{i:04d}")
        d = {**d, "scenario": f"{i:04d}:{scenario}", "source": f"blind/{Path(path).name}"}
        for line in d["turns"]:
            line.setdefault("text", "")
            line["role"] = "agent" if str(line.get("role", "")).lower().startswith("a") else "customer"
        dialogues.append(d)
        truth[d["scenario"]] = [
            {**r, "kind": r.get("kind", ""), "first_turn": int(r.get("first_turn", -1))}
            for r in d.get("requests") or []
        ]
    results = {"file": str(path), "dialogues": len(dialogues)}
    results["all"] = compare(dialogues, truth, settings, mistakes)
    show(f"BLIND {Path(path).name}, all", results["all"], confusion=True)
    for part, keep in (("written", False), ("noisy", True)):
        some = [d for d in dialogues if bool(d.get("noisy")) == keep]
        if some:
            results[part] = compare(some, truth, settings)
            show(f"BLIND, {part} ({len(some)} dialogues)", results[part], confusion=True)
    return results


def key(d: dict) -> str:
    """A dialogue's key in the outcome labels: its scenario, prefixed by its file for an ASR render."""
    name = d.get("source", "").split("/")[-1]
    return f"{name}:{d['scenario']}" if name.startswith("asr-") else d["scenario"]


def analysed(d: dict, settings) -> list[dict]:  # noqa: ANN001
    """The analysis' requests of a dialogue (first_turn, evidence_turn as indexes of its turns)."""
    turns = rt.dialogue_turns(d)
    markers = refusals(rt.SPEAKERS, turns, settings)
    at = {round(t.start, 3): i for i, t in enumerate(turns)}
    return [
        {
            "kind": o.kind,
            "first_turn": at.get(o.start, -1),
            "outcome": o.outcome,
            "evidence_turn": at.get(o.evidence_start, -1),
            "why": o.why,
        }
        for o in outcomes(rt.SPEAKERS, turns, settings, markers)
    ]


def compare(
    dialogues: list[dict], truth: dict[str, list[dict]], settings, mistakes: list | None = None
) -> dict:  # noqa: ANN001
    """Per request: the analysis' request made at the same turn (else the nearest of its kind
    within three turns) against the truth ("missed" where none). Per call: the last request's."""
    req: Counter = Counter()
    call: Counter = Counter()
    extra = 0
    for d in dialogues:
        want = truth.get(key(d))
        if want is None:
            continue
        got = SEEN.get((d.get("source", ""), d["scenario"])) or analysed(d, settings)
        SEEN[(d.get("source", ""), d["scenario"])] = got
        if CACHE and sum(call.values()) % 20 == 19:
            encoder_cache(CACHE[0], save=True)
        used: set[int] = set()
        for w in want:
            cands = [
                (abs(g["first_turn"] - w["first_turn"]), j)
                for j, g in enumerate(got)
                if j not in used
                and (
                    g["first_turn"] == w["first_turn"]
                    or (g["kind"] == w["kind"] and abs(g["first_turn"] - w["first_turn"]) <= 3)
                )
            ]
            if cands:
                j = min(cands)[1]
                used.add(j)
                found = got[j]["outcome"]
            else:
                found = "missed"
            req[(w["outcome"], found)] += 1
            if mistakes is not None and found != w["outcome"]:
                mistakes.append((d["scenario"], w, got))
        extra += len(got) - len(used)
        call[(want[-1]["outcome"] if want else "", got[-1]["outcome"] if got else "")] += 1
    return {
        "requests": table(req),
        "calls": table(call),
        "requests_found_but_not_in_truth": extra,
    }


def table(pairs: Counter) -> dict:
    n = sum(pairs.values())
    right = sum(v for (a, b), v in pairs.items() if a == b)
    per = {}
    for k in (*OUTCOMES, ""):
        row = {b: v for (a, b), v in pairs.items() if a == k}
        if row:
            per[k or "(no request)"] = {"n": sum(row.values()), "right": row.get(k, 0), "as": row}
    return {"n": n, "accuracy": round(right / n, 3) if n else None, "by_outcome": per}


def show(title: str, s: dict, confusion: bool = True) -> None:
    r, c = s["requests"], s["calls"]
    print(f"{title}: requests {r['accuracy']} (n {r['n']}), calls {c['accuracy']} (n {c['n']})")
    if confusion:
        print("    truth        right / n   found as")
        for k, row in r["by_outcome"].items():
            print(f"    {k:11} {row['right']:>3} / {row['n']:<3} {row['as']}")


def print_mistakes(mistakes: list) -> None:
    for scenario, want, got in mistakes:
        print(
            f"  {scenario:44} truth {want}  got "
            f"{[(g['kind'], g['first_turn'], g['outcome'], g['evidence_turn']) for g in got]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mistakes", action="store_true")
    parser.add_argument("--derived", action="store_true")
    parser.add_argument("--only-test", action="store_true", help="score the test labels alone")
    parser.add_argument(
        "--checked-only", action="store_true", help="dev: only the dialogues checked by hand (a busy machine)"
    )
    parser.add_argument("--test", action="store_true", help="score the test labels (O1)")
    parser.add_argument("--half", choices=("tune", "held"), help="score only this half of O1 (see o1_half)")
    parser.add_argument("--blind", type=Path, help="score a blind set given as one JSON file")
    parser.add_argument(
        "--encoder-cache", type=Path, help="keep the encoder's vectors in this file between runs"
    )
    args = parser.parse_args()
    from reviewer import embedding

    embedding.CACHE_SIZE = 200_000
    encoder_cache(args.encoder_cache)
    if args.encoder_cache:
        CACHE.append(args.encoder_cache)
    settings = load_settings()
    results: dict = {}
    mistakes: list = []
    if args.blind:
        results = blind(args.blind, settings, mistakes)
        if args.mistakes:
            print_mistakes(mistakes)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.with_name("outcome-blind.json").write_text(json.dumps(results, indent=1) + "\n")
        encoder_cache(args.encoder_cache, save=True)
        return
    if not args.only_test:
        dev = [
            d
            for d in rt.load_dialogues(rt.corpus_files("dev"))
            if not d["source"].split("/")[-1].startswith("asr-")
        ]
        results["dev_dialogues"] = len(dev)
        checked = OUT / "dev-checked.json"
        if args.checked_only:
            dev = [d for d in dev if d["scenario"] in json.loads(checked.read_text())]
            results["dev_dialogues"] = len(dev)
        derived = {d["scenario"]: derived_outcomes(d) for d in dev}
        if args.derived:
            for d in dev:
                for r in derived[d["scenario"]]:
                    ev = d["turns"][r["evidence_turn"]]
                    print(
                        f"{d['scenario']:44} {r['kind']:14} t{r['first_turn']:<3} {r['outcome']:10} "
                        f"t{r['evidence_turn']:<3} {ev['role'][0]}: {ev['text'][:90]}"
                    )
        print("dev derived outcomes:", dict(Counter(r["outcome"] for rs in derived.values() for r in rs)))
        results["dev_derived"] = compare(dev, derived, settings, mistakes)
        show("dev, against outcomes derived from the corpus's labels", results["dev_derived"])
        if checked.exists():
            truth = {k: v["requests"] for k, v in json.loads(checked.read_text()).items()}
            results["dev_checked"] = compare(dev, truth, settings)
            show(f"dev, {len(truth)} dialogues checked by hand", results["dev_checked"])
        scripted_truth = OUT / "scripted.json"
        if scripted_truth.exists():
            import refusals as bench_refusals

            scripted = bench_refusals.scripted_dialogues()
            truth = {k: v["requests"] for k, v in json.loads(scripted_truth.read_text()).items()}
            results["scripted"] = compare(scripted, truth, settings, mistakes)
            show("scripted calls (labelled by the model's builder)", results["scripted"])
    if args.test:
        # O1 labelled t1-t5 and their renders, in dev since the retrain of 2026-12-08.
        test = rt.load_dialogues([*rt.corpus_files("dev"), *rt.corpus_files("test")])
        truth = {k: v["requests"] for k, v in json.loads((OUT / "test.json").read_text()).items()}
        label = "O1, written and ASR renders (an independent author's labels)"
        if args.half:
            half = o1_half(truth)
            truth = {k: v for k, v in truth.items() if half[k] == args.half}
            label = f"O1, the {args.half} half ({len(truth)} dialogues)"
        results["test"] = compare(test, truth, settings, mistakes)
        show(label, results["test"])
        for part, keep in (("written", False), ("asr", True)):
            some = [d for d in test if d["source"].split("/")[-1].startswith("asr-") == keep]
            results[f"test_{part}"] = compare(some, truth, settings)
            show(f"TEST, {part}", results[f"test_{part}"])
    if args.mistakes:
        print_mistakes(mistakes)
    RESULTS.parent.mkdir(exist_ok=True)
    out = (
        RESULTS.with_name(f"outcome-test{'-' + args.half if args.half else ''}.json")
        if args.only_test
        else RESULTS
    )
    out.write_text(json.dumps(results, indent=1) + "\n")
    encoder_cache(args.encoder_cache, save=True)


if __name__ == "__main__":
    main()
