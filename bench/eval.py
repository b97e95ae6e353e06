"""Accuracy and speed of the whole pipeline on calls it was never tuned on.

    .venv/bin/python bench/eval.py                 # everything (about 10 minutes on 2 cores)
    .venv/bin/python bench/eval.py --quick         # skip the 10-minute calls
    .venv/bin/python bench/eval.py --real-only     # only the real recordings (a minute)
    .venv/bin/python bench/eval.py --model small   # the same with another Whisper model

Writes a Markdown table to stdout and JSON to bench/results/eval-<model>.json. Never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from callgen import Call, render, telephone, write_encoded, write_mulaw, write_wav  # noqa: E402
from eval_scripts import SCENARIOS, VOICES_A, long_call  # noqa: E402
from truth import (  # noqa: E402
    POCKETSPHINX_DATA,
    corpus_wer,
    diarization_error_rate,
    norm_words,
    read_speech,
    refusal_scores,
    role_of,
    rttm_turns,
    speaker_confusion,
    true_silences,
    wer,
)


def true_monologues(call: Call, minimum: float = 30.0, max_pause: float = 10.0) -> list[tuple[float, float]]:
    out, group = [], []
    for u in sorted(call.utterances, key=lambda u: u.start):
        if group and (u.speaker != group[0].speaker or u.start - group[-1].end >= max_pause):
            out.append(group)
            group = []
        group.append(u)
    if group:
        out.append(group)
    return [(g[0].start, g[-1].end) for g in out if g[-1].end - g[0].start >= minimum]


def true_overtalk(call: Call, minimum: float = 1.0) -> list[tuple[float, float]]:
    spans = []
    us = sorted(call.utterances, key=lambda u: u.start)
    for i, a in enumerate(us):
        for b in us[i + 1 :]:
            if b.start >= a.end:
                break
            if b.speaker != a.speaker and min(a.end, b.end) - b.start >= minimum:
                spans.append((b.start, min(a.end, b.end)))
    return spans


def edge_error(truth: list[tuple[float, float]], found: list[tuple[float, float]]) -> float | None:
    """Largest start/end error over the true spans (each matched to the nearest found one)."""
    if not truth:
        return None
    if not found:
        return float("inf")
    worst = 0.0
    for s, e in truth:
        best = min(found, key=lambda f: abs(f[0] - s) + abs(f[1] - e))
        worst = max(worst, abs(best[0] - s), abs(best[1] - e))
    return round(worst, 2)


def score(call: Call, result, settings) -> dict:
    kinds = lambda k: [(m.start, m.end) for m in result.analysis.markers if m.kind == k]  # noqa: E731
    recall, precision = refusal_scores(call, result)
    ref = " ".join(u.text for u in call.utterances)
    hyp = " ".join(w.text for w in sorted(result.transcript.words, key=lambda w: w.start))
    share = result.analysis.metrics.agent_talk_share
    agent_ok = role_of(result, "S1") in ("agent", "customer")
    return {
        "duration": round(call.duration, 1),
        "split": result.transcript.speaker_split,
        "share_truth": round(call.agent_share(), 3),
        "share_found": None if share is None else round(share, 3),
        "share_error_points": None if share is None else round(abs(share - call.agent_share()) * 100, 1),
        "refusals_truth": sum(u.refusal for u in call.utterances),
        "refusals_found": result.analysis.metrics.refusal_count,
        "refusal_recall": round(recall, 2),
        "refusal_precision": round(precision, 2),
        "silence_edge_error": edge_error(true_silences(call, settings.silence_min), kinds("long_silence")),
        "silences_found": len(kinds("long_silence")),
        "monologue_edge_error": edge_error(true_monologues(call), kinds("long_monologue")),
        "monologues_found": len(kinds("long_monologue")),
        "overtalk_truth": len(true_overtalk(call)),
        "overtalk_found": len(kinds("overtalk")),
        "overtalk_edge_error": edge_error(true_overtalk(call), kinds("overtalk")),
        "speaker_confusion": round(speaker_confusion(call, result), 3) if agent_ok else None,
        "wer": round(wer(ref, hyp), 3),
        "seconds": round(sum(result.timings.values()), 1),
        "timings": {k: round(v, 2) for k, v in result.timings.items()},
    }


def real_speech(asr) -> list[dict]:
    """Real recordings with reference transcripts, at 16 kHz and through the phone-line simulation.

    pyannote's sample is 30 s of two people talking (87 words, with DER against its reference
    turns); pocketsphinx-testdata adds 11 recordings of read speech (96 words), when installed.
    """
    import importlib.util

    from reviewer.audio import decode
    from reviewer.pipeline import PipelineOptions, process_file

    folder = Path(importlib.util.find_spec("pyannote.audio").submodule_search_locations[0]) / "sample"
    reference = " ".join(
        line.split(maxsplit=5)[5] for line in (folder / "sample.stm").read_text().splitlines()
    )
    sample = decode(folder / "sample.wav").samples
    recordings = [("pyannote sample (conversation)", sample, reference)]
    if POCKETSPHINX_DATA.is_dir():
        recordings += read_speech()
    else:
        print(
            "pocketsphinx-testdata is not installed (sudo apt-get install pocketsphinx-testdata):"
            " real speech is pyannote's sample only",
            file=sys.stderr,
        )
    options = PipelineOptions(asr=asr)
    rows = []
    process_file(folder / "sample.wav", options)  # models loaded before timing
    with tempfile.TemporaryDirectory() as tmp:
        for line in ("16 kHz", "phone line 8 kHz mu-law"):
            pairs, seconds, conversation_seconds = [], 0.0, 0.0
            for name, audio, ref in recordings:
                path = Path(tmp) / "real.wav"
                if line == "16 kHz":
                    write_wav(path, audio)
                else:
                    write_mulaw(path, telephone(audio))
                t = time.perf_counter()
                result = process_file(path, options)
                elapsed = time.perf_counter() - t
                seconds += elapsed
                hyp = " ".join(w.text for w in result.transcript.words)
                pairs.append((ref, hyp))
                if name.startswith("pyannote"):
                    conversation_seconds = elapsed
                    der = diarization_error_rate(
                        rttm_turns(folder / "sample.rttm"),
                        result.transcript.segments,
                        result.transcript.duration,
                    )
                    rows.append(
                        {
                            "call": f"{name}, {line}",
                            "words": len(norm_words(ref)),
                            "wer": round(wer(ref, hyp), 3),
                            "der": round(der, 3),
                            "split": result.transcript.speaker_split,
                            "seconds": round(elapsed, 1),
                        }
                    )
            if len(pairs) > 1:
                rows.append(
                    {
                        "call": f"read speech ({len(pairs) - 1} recordings), {line}",
                        "words": sum(len(norm_words(r)) for r, _ in pairs[1:]),
                        "wer": round(corpus_wer(pairs[1:]), 3),
                        "seconds": round(seconds - conversation_seconds, 1),
                    }
                )
                rows.append(
                    {
                        "call": f"all real speech, {line}",
                        "words": sum(len(norm_words(r)) for r, _ in pairs),
                        "wer": round(corpus_wer(pairs), 3),
                        "seconds": round(seconds, 1),
                    }
                )
            for (name, _, _), (r, h) in zip(recordings, pairs, strict=True):
                print(f"{name}, {line}: WER {wer(r, h):.3f} | {h}", file=sys.stderr, flush=True)
    return rows


def timed_cli(path: Path, model: str | None) -> float:
    """Wall time of `reviewer analyze` in a fresh process: imports and model load included."""
    cmd = [sys.executable, "-m", "reviewer", "analyze", str(path), "--json", "-q"]
    if model:
        cmd += ["--model", model]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=os.environ.copy())
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 10-minute calls")
    parser.add_argument("--real-only", action="store_true", help="only the real recordings")
    parser.add_argument("--model", default=None, help="Whisper model (default: the embedded base)")
    parser.add_argument(
        "--segmentation-step", type=float, default=None, help="diarization window step (default: Reviewer's)"
    )
    parser.add_argument("--vad-threshold", type=float, default=None, help="Silero VAD threshold")
    parser.add_argument("--speech-pad", type=int, default=None, help="VAD padding in ms")
    args = parser.parse_args()

    from reviewer.asr.transcribe import AsrOptions
    from reviewer.pipeline import PipelineOptions, process_file
    from reviewer.settings import load_settings

    settings = load_settings()
    from reviewer.speakers.diarize import DiarizationOptions

    diarization = DiarizationOptions()
    if args.segmentation_step:
        diarization = DiarizationOptions(segmentation_step=args.segmentation_step)
    vad = {"vad_threshold": args.vad_threshold, "speech_pad_ms": args.speech_pad}
    asr = AsrOptions(model=args.model, **{k: v for k, v in vad.items() if v is not None})
    options = PipelineOptions(asr=asr, diarization=diarization, settings=settings)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = []
        for name, (lines, voices) in ({} if args.real_only else SCENARIOS).items():
            stereo = render(lines, stereo=True, voices=voices)
            mono = render(lines, stereo=False, voices=voices)
            cases.append((f"{name}: stereo wav", stereo, write_wav(tmp / f"{name}-st.wav", stereo.audio)))
            cases.append(
                (
                    f"{name}: mono phone 8 kHz mu-law",
                    mono,
                    write_mulaw(tmp / f"{name}-8k.wav", telephone(mono.audio)),
                )
            )
            dual = np.concatenate([mono.audio, mono.audio])
            cases.append(
                (
                    f"{name}: dual-mono mp3",
                    mono,
                    write_encoded(tmp / f"{name}-dual.mp3", dual, codec="mp3", bit_rate=64000),
                )
            )
        long_paths = {}
        if not (args.quick or args.real_only):
            long_lines = long_call(10.0)
            long_stereo = render(long_lines, stereo=True, voices=VOICES_A)
            long_mono = render(long_lines, stereo=False, voices=VOICES_A)
            long_paths = {
                "10-minute call: stereo m4a": (
                    long_stereo,
                    write_encoded(tmp / "long-st.m4a", long_stereo.audio, codec="aac", bit_rate=96000),
                ),
                "10-minute call: mono mp3": (
                    long_mono,
                    write_encoded(tmp / "long-mono.mp3", long_mono.audio, codec="mp3", bit_rate=64000),
                ),
            }
        cases += [(name, call, path) for name, (call, path) in long_paths.items()]
        if cases:
            process_file(cases[0][2], options)  # warm the models once
        for name, call, path in cases:
            result = process_file(path, options)
            row = {"call": name, **score(call, result, settings)}
            rows.append(row)
            print(f"{name}: {json.dumps(row)}", file=sys.stderr, flush=True)
        cli_times = {}
        if not (args.quick or args.real_only):
            for name, (_, path) in long_paths.items():
                cli_times[name] = round(timed_cli(path, args.model), 1)
                print(f"{name}: fresh `reviewer analyze` {cli_times[name]} s", file=sys.stderr, flush=True)
    real = real_speech(asr)

    print(
        f"# Reviewer evaluation, model {args.model or 'base (embedded)'}, "
        f"{platform.machine()} {os.cpu_count()} cores\n"
    )
    cols = [
        "call",
        "split",
        "share_error_points",
        "refusals_truth",
        "refusals_found",
        "refusal_recall",
        "refusal_precision",
        "silence_edge_error",
        "monologue_edge_error",
        "overtalk_truth",
        "overtalk_found",
        "overtalk_edge_error",
        "speaker_confusion",
        "wer",
        "seconds",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join("–" if r.get(c) is None else str(r.get(c)) for c in cols) + " |")
    print("\n| real speech | words | WER | DER | split | seconds |\n|---|---|---|---|---|---|")
    for r in real:
        cells = [r["call"], r["words"], r["wer"], r.get("der", "–"), r.get("split", "–"), r["seconds"]]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    for name, seconds in cli_times.items():
        print(f"\n{name}: `reviewer analyze` in a fresh process: {seconds} s")
    step = f"-step{args.segmentation_step:g}" if args.segmentation_step else ""
    step += "".join(f"-{k}{v:g}" for k, v in vad.items() if v is not None)
    step += "-real" if args.real_only else ""
    out = ROOT / "bench" / "results" / f"eval-{args.model or 'base'}{step}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "model": args.model or "base",
                "calls": rows,
                "real": real,
                "cli_seconds": cli_times,
                "cores": os.cpu_count(),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
