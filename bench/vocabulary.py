"""Team vocabulary and hold music: what Whisper writes with and without them.

    .venv/bin/python bench/vocabulary.py            # names, real calls and hold music (~10 min on 2 cores)
    .venv/bin/python bench/vocabulary.py --names    # the names only
    .venv/bin/python bench/vocabulary.py --hold     # the hold music only
    .venv/bin/python bench/vocabulary.py --names --real-only   # the real calls' names only

Names: three calls spoken by espeak-ng that use ten unusual product, place and person names, at
16 kHz and through the phone-line simulation, and the six real HarperValleyBank calls in
``../shared/data/real-calls/hvb`` (each side transcribed alone, as a stereo call is), whose team
vocabulary is the bank's name and its agents' first names. Each is transcribed with no
vocabulary, with the vocabulary as faster-whisper's ``hotwords`` and as its ``initial_prompt``,
and Reviewer's way ("keep": the plain pass with the hotwords pass's vocabulary words put in,
``reviewer.asr.transcribe.keep_vocabulary`` over the first two; its time is theirs added).
Scored: the share of the names' occurrences written right, and the word error rate of everything
else (reference words that are not a name; insertions next to a name count as the name's).

Hold music: a call with a minute of music on hold (synthesised with SoX, tests/holdmusic.py)
between two spoken parts, at three loudnesses, plain and through the phone line; the words
written inside the music and the WER of the speech either side, with the call cut at the hold
(Reviewer's way: parts apart wherever nobody speaks for 30 s) and as one stretch (as before).

Markdown on stdout, JSON in bench/results/vocabulary.json. Never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]
HVB = ROOT.parent / "shared" / "data" / "real-calls" / "hvb"

from callgen import RATE, Line, render, speak, telephone  # noqa: E402
from truth import norm_words  # noqa: E402

# Ten names no dictionary has: the company, two plans, a router, two competitors, a town and
# three people (agents and a customer).
NAMES = (
    "Quorvia",
    "Zentrix",
    "Fibrelux",
    "Nimbra Max",
    "Skyvane",
    "Velocitel",
    "Brackwater",
    "Siobhan",
    "Tarquin",
    "Okonkwo",
)
CALLS = {
    "upgrade": [
        Line("agent", "Thank you for calling Quorvia, my name is Siobhan, how can I help you today?"),
        Line("customer", "Hi Siobhan. I am on the Zentrix plan and my Fibrelux router keeps dropping."),
        Line("agent", "I am sorry about that. Is the Fibrelux router the white one or the black one?"),
        Line("customer", "The black one. Honestly Skyvane offered me a better deal last week."),
        Line("agent", "I understand. I can move you to Nimbra Max, which is faster than Zentrix."),
        Line("customer", "Is Nimbra Max available in Brackwater? I live right by the station."),
        Line("agent", "Yes, Brackwater has full coverage. I will send you a new Fibrelux router too."),
        Line("customer", "Great, thank you Siobhan."),
    ],
    "complaint": [
        Line("agent", "Quorvia support, this is Tarquin speaking."),
        Line("customer", "Hello Tarquin, my name is Grace Okonkwo, account ending four five one."),
        Line("agent", "Thank you Mrs Okonkwo. What can I do for you?"),
        Line("customer", "Velocitel charges less than Quorvia for the same speed, so I want to leave."),
        Line(
            "agent", "Before you go, Velocitel has no coverage in Brackwater, and Nimbra Max is half price."
        ),
        Line("customer", "Half price? Then I will stay with Quorvia for now, Tarquin."),
        Line("agent", "Wonderful. I have noted it on your account, Mrs Okonkwo."),
    ],
    "transfer": [
        Line("agent", "Good morning, Quorvia, Siobhan here."),
        Line("customer", "Hi, Tarquin told me to ask for you about my Zentrix bill."),
        Line(
            "agent", "Of course. Your Zentrix bill includes the Fibrelux rental and one Skyvane transfer fee."
        ),
        Line("customer", "Why would I pay a Skyvane fee? I never used Skyvane or Velocitel."),
        Line("agent", "You are right, I removed it. Anything else today?"),
        Line("customer", "No, that is all. Thanks Siobhan."),
    ],
}
# The bank's team vocabulary: its name and its agents' first names (customers' names are not in
# it: a team cannot list its callers).
HVB_VOCABULARY = ("Harper Valley", "Jennifer", "Linda", "Michael", "James", "Elizabeth")


def name_tokens(text_words: list[str], names: tuple[str, ...]) -> list[str]:
    """The normalized words with each name's words replaced by one token ``name<i>``."""
    patterns = sorted(((norm_words(n), i) for i, n in enumerate(names)), key=lambda p: -len(p[0]))
    out, k = [], 0
    while k < len(text_words):
        for words, i in patterns:
            if words and text_words[k : k + len(words)] == words:
                out.append(f"name{i}")
                k += len(words)
                break
        else:
            out.append(text_words[k])
            k += 1
    return out


def score(pairs: list[tuple[str, str]], names: tuple[str, ...]) -> dict:
    """Names' occurrences written right, and the WER of every other word (see the docstring)."""
    import jiwer

    hits = total = errors = others = 0
    for ref, hyp in pairs:
        r = name_tokens(norm_words(ref), names)
        h = name_tokens(norm_words(hyp), names)
        if not r:
            continue
        if not h:
            h = ["<nothing>"]
        out = jiwer.process_words(" ".join(r), " ".join(h))
        is_name = [w.startswith("name") and w[4:].isdigit() for w in r]
        for chunk in out.alignments[0]:
            if chunk.type == "insert":
                k = chunk.ref_start_idx
                beside = [j for j in (k - 1, k) if 0 <= j < len(r)]
                if not any(is_name[j] for j in beside):
                    errors += chunk.hyp_end_idx - chunk.hyp_start_idx
                continue
            for j in range(chunk.ref_start_idx, chunk.ref_end_idx):
                if is_name[j]:
                    total += 1
                    hits += chunk.type == "equal"
                else:
                    others += 1
                    errors += chunk.type != "equal"
    return {
        "names": total,
        "names_right": hits,
        "names_share": round(hits / total, 3) if total else None,
        "other_words": others,
        "other_wer": round(errors / others, 4) if others else None,
    }


def hvb_sides() -> list[tuple[str, np.ndarray, str]]:
    """(name, 16 kHz audio, reference) for each side of each HarperValleyBank call."""
    from reviewer.audio import decode

    out = []
    for meta in sorted(HVB.glob("*.json")):
        turns = json.loads(meta.read_text())
        for role in ("agent", "caller"):
            text = " ".join(
                re.sub(r"\[[^\]]*\]|<[^>]*>", " ", t["human_transcript"])
                for t in sorted(turns, key=lambda t: t["offset_ms"])
                if t["speaker_role"] == role
            )
            audio = decode(HVB / f"{meta.stem}.{role}.flac").samples.mean(axis=0)
            out.append((f"{meta.stem[:8]} {role}", audio.astype(np.float32), text))
    return out


def names_bench(model, options, real_only: bool = False) -> list[dict]:  # noqa: ANN001
    from scipy.signal import resample_poly

    from reviewer.asr.transcribe import keep_vocabulary, transcribe

    sets = []
    spoken = []
    for name, lines in {} if real_only else CALLS.items():
        call = render(lines, stereo=False)
        ref = " ".join(u.text for u in call.utterances)
        spoken.append((name, call.audio[0], ref))
    phone = [(n, resample_poly(telephone(a[None])[0], 2, 1).astype(np.float32), r) for n, a, r in spoken]
    if spoken:
        sets.append(("espeak-ng calls, 16 kHz", spoken, NAMES))
        sets.append(("espeak-ng calls, phone line", phone, NAMES))
    if HVB.is_dir():
        sets.append(("HarperValleyBank real calls (12 sides)", hvb_sides(), HVB_VOCABULARY))
    rows = []
    for title, recordings, names in sets:
        configs = [
            ("none", replace(options, vocabulary=())),
            ("hotwords", replace(options, vocabulary=names, vocabulary_as="hotwords")),
            ("initial_prompt", replace(options, vocabulary=names, vocabulary_as="prompt")),
        ]
        words_of: dict[str, list] = {}
        for label, o in configs:
            t = time.perf_counter()
            words_of[label] = [transcribe(model, audio, o, language="en")[0] for _, audio, _ in recordings]
            seconds[label] = time.perf_counter() - t
            rows.append(row(title, label, recordings, words_of[label], names, seconds[label]))
        # Reviewer's way ("keep"): the plain pass, with the vocabulary's words of the hotwords pass
        kept = [
            keep_vocabulary(plain, hinted, names)
            for plain, hinted in zip(words_of["none"], words_of["hotwords"], strict=True)
        ]
        both = seconds["none"] + seconds["hotwords"]
        rows.append(row(title, "keep (plain + hotwords' terms)", recordings, kept, names, both))
    return rows


seconds: dict[str, float] = {}


def row(title: str, label: str, recordings: list, words: list, names: tuple[str, ...], secs: float) -> dict:
    pairs = [(ref, " ".join(w.text for w in ws)) for (_, _, ref), ws in zip(recordings, words, strict=True)]
    out = {"set": title, "vocabulary": label, **score(pairs, names), "seconds": round(secs, 1)}
    print(json.dumps(out), file=sys.stderr, flush=True)
    for (n, _, _), (_, hyp) in zip(recordings, pairs, strict=True):
        print(f"   {n}: {hyp}", file=sys.stderr, flush=True)
    return out


def hold_bench(model, options) -> list[dict]:  # noqa: ANN001
    from holdmusic import hold_music
    from scipy.signal import resample_poly
    from truth import wer

    from reviewer.asr.transcribe import transcribe

    before = "Thank you for calling Quorvia. Let me check your account, please hold for a moment."
    after = "Thanks for holding. I found the problem, your router will be replaced this week."
    gap = np.zeros(RATE // 2, np.float32)
    a, b = speak(before, "agent"), speak(after, "agent")
    rows = []
    for level in (-14.0, -6.0, -1.0):
        music = hold_music(60.0, level_db=level)
        audio = np.concatenate([gap, a, gap, music, gap, b, gap])
        audio += np.random.default_rng(1).normal(0, 0.002, audio.shape).astype(np.float32)
        m0 = (2 * len(gap) + len(a)) / RATE
        m1 = m0 + 60.0
        phone = resample_poly(telephone(audio[None])[0], 2, 1).astype(np.float32)
        for line, signal in (("16 kHz", audio), ("phone line", phone)):
            for way, o in (
                ("cut at the hold (now)", options),
                ("one stretch (before)", replace(options, hold_gap=1e9)),
            ):
                t = time.perf_counter()
                words, _ = transcribe(model, signal, o, language="en")
                inside = [w for w in words if w.end > m0 + 0.3 and w.start < m1 - 0.3]
                said = " ".join(w.text for w in words if w not in inside)
                row = {
                    "music": f"{level:g} dBFS",
                    "line": line,
                    "transcribed": way,
                    "words_in_music": " ".join(f"{w.text}@{w.start:.1f}s" for w in inside) or "none",
                    "speech_wer": round(wer(f"{before} {after}", said), 3),
                    "seconds": round(time.perf_counter() - t, 1),
                }
                rows.append(row)
                print(json.dumps(row), "|", said, file=sys.stderr, flush=True)
    return rows


def table(rows: list[dict]) -> str:
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join("–" if r[c] is None else str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", action="store_true", help="the names only")
    parser.add_argument("--hold", action="store_true", help="the hold music only")
    parser.add_argument("--real-only", action="store_true", help="names: the real calls only")
    parser.add_argument("--model", default=None, help="Whisper model (default: the embedded base)")
    args = parser.parse_args()
    from reviewer.asr.transcribe import AsrOptions, load_model

    options = AsrOptions(model=args.model, vocabulary=())
    model, name = load_model(options)
    result: dict = {"model": name}
    if not args.hold:
        result["names"] = names_bench(model, options, args.real_only)
        print(f"# Team vocabulary, {name}\n\n{table(result['names'])}\n")
    if not args.names:
        result["hold"] = hold_bench(model, options)
        print(f"# A minute of hold music, {name}\n\n{table(result['hold'])}\n")
    out = ROOT / "bench" / "results" / "vocabulary.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
