"""`reviewer` commands that bring calls in and look at them: import, batch, analyze, calls, show,
search."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from reviewer import actions, labels
from reviewer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Bar,
    clock,
    comment_json,
    library_for,
    print_json,
)
from reviewer.errors import ReviewerError
from reviewer.labels import OUTCOME_NAMES, SENTIMENT_CHANGES
from reviewer.model import CallSummary


def _pipeline_options(args: argparse.Namespace):  # noqa: ANN202 - a PipelineOptions, imported lazily
    from reviewer.asr.transcribe import AsrOptions
    from reviewer.pipeline import PipelineOptions
    from reviewer.settings import load_settings, parse_vocabulary
    from reviewer.speakers.diarize import DiarizationOptions

    vad = {} if args.vad_threshold is None else {"vad_threshold": args.vad_threshold}
    # None: the settings' [transcription] vocabulary; "" switches it off for this run
    vocabulary = None if args.vocabulary is None else parse_vocabulary(args.vocabulary)
    return PipelineOptions(
        asr=AsrOptions(
            **vad,
            vocabulary=vocabulary,
            model=args.model,
            device=args.device,
            compute_type=args.compute_type,
            language=args.language,
            beam_size=args.beam_size,
        ),
        diarization=DiarizationOptions(
            pipeline=args.diarization,
            num_speakers=args.speakers or None,
            token=os.environ.get("HF_TOKEN"),
            device=args.device,
        ),
        settings=load_settings(args.settings, args.phrases, reasons_file=args.reasons),
    )


def cmd_import(args: argparse.Namespace) -> int:
    from reviewer.importer import expand_paths, import_files
    from reviewer.progress import CancelToken

    files = expand_paths(args.paths)
    if not files:
        print("reviewer: no audio files found in " + ", ".join(args.paths), file=sys.stderr)
        return EXIT_FAILED
    options = _pipeline_options(args)
    cancel = CancelToken()
    bar = Bar(len(files), args.quiet)
    counts, report = _outcome_lines(len(files), bar)

    with library_for(args) as library:
        try:
            import_files(files, library, options, progress=bar.update, on_outcome=report, cancel=cancel)
        finally:
            bar.close()
    return _import_summary(counts, args.quiet)


def _outcome_lines(total: int, bar: Bar):  # noqa: ANN202
    """A line per file as import and batch print them, and the counts for the summary."""
    counts = {"imported": 0, "duplicate": 0, "failed": 0}

    def report(index, outcome):  # noqa: ANN001, ANN202
        counts[outcome.status] += 1
        mark = {"imported": "imported", "duplicate": "skipped", "failed": "FAILED"}[outcome.status]
        line = f"[{index + 1}/{total}] {outcome.path}: {mark}: {outcome.message}"
        if bar.quiet and bar.bar is None and outcome.status == "failed":
            print(line, file=sys.stderr, flush=True)  # -q: errors only, and a failure is one
        else:
            bar.write(line)

    return counts, report


def _import_summary(counts: dict[str, int], quiet: bool = False) -> int:
    """The closing count; with ``-q`` only where something failed (``-q`` prints errors only)."""
    summary = f"{counts['imported']} imported, {counts['duplicate']} already there, {counts['failed']} failed"
    if counts["failed"] or not quiet:
        print(summary, file=sys.stderr)
    return EXIT_FAILED if counts["failed"] else EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from reviewer.batch import Cluster, require_ray, run_batch
    from reviewer.importer import expand_paths

    require_ray()  # before any work: one line on how to install it
    files = expand_paths(args.paths)
    if not files:
        print("reviewer: no audio files found in " + ", ".join(args.paths), file=sys.stderr)
        return EXIT_FAILED
    if args.workers is not None and args.workers < 1 or args.gpus_per_worker < 0:
        raise ReviewerError("--workers must be at least 1 and --gpus-per-worker not negative.")
    options = _pipeline_options(args)
    bar = Bar(len(files), quiet=True)  # no bar: the work runs in other processes
    bar.quiet = args.quiet  # but a line per file, as import prints them
    counts, report = _outcome_lines(len(files), bar)
    with library_for(args) as library:
        run_batch(
            files,
            library,
            options,
            cluster=Cluster(args.cluster),
            workers=args.workers,
            gpus_per_worker=args.gpus_per_worker,
            on_outcome=report,
        )
    return _import_summary(counts, args.quiet)


def cmd_analyze(args: argparse.Namespace) -> int:
    from reviewer.document import call_document
    from reviewer.pipeline import process_file

    bar = Bar(1, args.quiet or not sys.stderr.isatty())
    try:
        result = process_file(
            args.file, _pipeline_options(args), progress=lambda p: bar.update(0, Path(args.file), p)
        )
    finally:
        bar.close()
    doc = call_document(result.transcript, result.analysis)
    if args.json:
        print_json(doc, indent=1 if args.pretty else None)
    else:
        _print_summary(Path(args.file).name, doc)
    return EXIT_OK


def _print_summary(name: str, doc: dict[str, Any], comments: list[dict[str, Any]] | None = None) -> None:
    from reviewer.document import one_voice

    roles = {s["id"]: s for s in doc["speakers"]}

    def who(label):  # noqa: ANN001, ANN202
        s = roles.get(label)
        if s is None:
            return "—"
        return f"{s.get('name') or label} ({s['role']})"

    share = doc["agent_talk_share"]
    m = doc["metrics"]
    print(f"{name}  {clock(doc['duration'])}  {doc['channels']} ch, speakers by {doc['speaker_split']}")
    if reason := doc.get("reason"):
        said = f" at {clock(reason['start'])}: {reason['text'][:80]}" if reason.get("text") else ""
        by = " (by phrases: sentence embeddings are off)" if reason["method"] == "phrases" else ""
        print(f"  reason: {reason['label']} ({reason['confidence']:.0%}){by}{said}")
    if doc.get("outcomes"):
        asked = ", ".join(f"{o['request']} at {clock(o['start'])}: {o['outcome']}" for o in doc["outcomes"])
        print(f"  outcome: {doc['outcome']} ({asked})")
    if (feeling := doc.get("sentiment")) and feeling["customer"]["change"]:
        c = feeling["customer"]
        print(f"  customer sentiment: {c['start']:+.2f} → {c['end']:+.2f} ({c['change']})")
    print(f"  agent talk share: {'–' if share is None else f'{share:.0%}'}")
    for s in doc["speakers"]:
        print(f"  {who(s['id']):<24} talks {clock(s['talk_seconds'])}  {s['words_per_minute']} words/min")
    gap = m["response_gap_median"]
    print(
        f"  refusals: {m['refusal_count']}   longest monologue: {clock(m['longest_monologue'])}   "
        f"longest silence: {clock(m['longest_silence'])}   overtalk: {m['overtalk_count']}x   "
        f"agent response gap: {'–' if gap is None else f'{gap:.1f} s'}"
    )
    heard = one_voice(
        doc["speaker_split"],
        {s["id"]: s["talk_seconds"] for s in doc["speakers"]},
        m["longest_monologue"] or 0.0,
    )
    if doc.get("split_note"):
        print(f"  note: {doc['split_note']}")
    elif heard:
        print(
            f"  note: {heard[0]} holds {heard[1]:.0%} of the talk; if another voice is in there, "
            "say who said what with `reviewer reassign`"
        )
    if doc["markers"]:
        print("  markers:")
        for k in doc["markers"]:
            print(f"    {clock(k['start'])}–{clock(k['end'])}  {k['kind']:<15} {k['text'][:100]}")
    if comments:
        print("  comments:")
        for c in comments:
            span = clock(c.start) + (f"–{clock(c.end)}" if c.end is not None else "")
            print(f"    #{c.id} {span:<11} {c.category:<10} {c.author or ''}: {c.text}")
    print("  transcript:")
    for t in doc["turns"]:
        print(f"    {clock(t['start'])}  {who(t['speaker'])}: {t['text']}")


def cmd_calls(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        rows = library.list_calls(reason=args.reason, outcome=args.outcome, sentiment_change=args.sentiment)
    if args.json:
        print_json([r.as_dict() for r in rows], ensure_ascii=True, default=str)
        return EXIT_OK
    if not rows:
        if args.reason or args.outcome or args.sentiment:
            print("No call in the library matches.")
        else:
            print("The library is empty: reviewer import FILE_OR_FOLDER adds calls.")
        return EXIT_OK
    print(
        f"{'#':>4}  {'name':<32} {'length':>7} {'agent':<10} {'talk':>5} {'refus.':>6} "
        f"{'monol.':>6} {'silence':>7} {'notes':>5} {'score':>6}  {'status':<12} "
        f"{'reason':<18} {'outcome':<10} mood"
    )
    for r in rows:
        share = "–" if r.agent_talk_share is None else f"{r.agent_talk_share:.0%}"
        score = "–" if r.score is None else f"{r.score:.0f}" + _score_mark(r)
        if r.open_disputes:
            score += f" ({r.open_disputes} disputed)"
        print(
            f"{r.id:>4}  {r.name[:32]:<32} {clock(r.duration_ms / 1000):>7} "
            f"{(r.agent or '–')[:10]:<10} {share:>5} {r.refusal_count or 0:>6} "
            f"{clock((r.longest_monologue_ms or 0) / 1000):>6} "
            f"{clock((r.longest_silence_ms or 0) / 1000):>7} {r.comment_count:>5} {score:>6}  "
            f"{r.review_status or 'new':<12} "
            f"{(r.reason_label or '–')[:18]:<18} {(r.outcome or '–'):<10} {r.sentiment_change or '–'}"
        )
    return EXIT_OK


def _score_mark(row: CallSummary) -> str:
    """Nothing for a pass, ✗ for a fail, ? while items are still to answer (provisional)."""
    if not row.score_final:
        return "?"
    return "" if row.passed else "✗"


def cmd_show(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    with library_for(args) as library:
        call_id = library.resolve(args.call)
        doc = stored_document(library, call_id)
        comments = library.comments(call_id)
        hits = library.tracker_hits(call_id)
        score = actions.scores.score(library, call_id) if actions.scores.scorecards(library) else None
    if args.json:
        doc["comments"] = [comment_json(c) for c in comments]
        doc["tracker_hits"] = [
            {
                "tracker": h.tracker,
                "start": round(h.start, 2),
                "end": round(h.end, 2),
                "speaker": h.speaker,
                "phrase": h.phrase,
                "text": h.text,
            }
            for h in hits
        ]
        print_json(doc)
    else:
        _print_summary(f"#{doc['id']} {doc['name']}", doc, comments)
        if score is not None:
            print(f"  score: {score.headline()} (`reviewer score` lists the items)")
        if hits:
            print("  tracked phrases:")
            for h in hits:
                print(f"    {clock(h.start)}  {h.tracker:<20} {h.speaker:<4} {h.text[:90]}")
        if doc["transcript_edits"]:
            fixes = labels.plural(doc["transcript_edits"], "correction")
            print(f"  transcript edited: {fixes} (`reviewer edit {doc['id']} --list`)")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        hits = library.search(args.text, limit=args.limit)
    if args.json:
        print_json([h.as_dict() for h in hits])
        return EXIT_OK
    if not hits:
        print(f"Nothing in the library says {args.text!r}.")
        return EXIT_FAILED
    for h in hits:
        who = h.role or h.speaker
        # the turn with the words that matched in [brackets]
        print(f"#{h.call_id} {h.name}  {clock(h.start)}  {who}: {h.snippet}")
    return EXIT_OK


# -- parsers --------------------------------------------------------------------------------


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _processing(p: argparse.ArgumentParser) -> None:
    """The speech-model options of the commands that run the pipeline, and -q."""
    g = p.add_argument_group("speech models")
    g.add_argument(
        "--model",
        help="Whisper model: base (default, embedded), small, a faster-whisper "
        "model name (needs internet once) or a model folder",
    )
    g.add_argument(
        "--device",
        default="auto",
        choices=["auto", "cpu", "cuda"],
        help="where the speech models run (default: auto, a CUDA GPU where they can run on it)",
    )
    g.add_argument(
        "--compute-type",
        default="auto",
        help="int8, float16, ... (default: int8 on CPU, float16 on CUDA)",
    )
    g.add_argument("--language", help="spoken language code, e.g. en (default: detected)")
    g.add_argument("--beam-size", type=int, default=5, help="decoding beam (default: 5; 1 is ~20%% faster)")
    g.add_argument(
        "--vad-threshold",
        type=_probability,
        metavar="P",
        help="speech probability (0-1) from which audio is passed to Whisper "
        "(default: 0.35; higher skips more noise, and more quiet speech)",
    )
    g.add_argument(
        "--vocabulary",
        metavar='"A,B"',
        help="your team's words for Whisper to spell as you do (products, plans, places, names), "
        "comma-separated; instead of [transcription] vocabulary in settings.toml ('' for none)",
    )
    g.add_argument("--speakers", type=int, default=2, help="speakers in mono calls (default: 2; 0 = detect)")
    g.add_argument(
        "--diarization",
        metavar="PIPELINE",
        help="a pyannote pipeline folder or hub name instead of the bundled one (HF_TOKEN for gated ones)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")


def _import_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="add recordings (files or folders) to the library")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _processing(p)
    p.set_defaults(func=cmd_import)


def _batch_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch", help="import folders on a Ray cluster's workers (pip install 'reviewer[cluster]')"
    )
    p.add_argument("paths", nargs="+", metavar="FOLDER")
    p.add_argument(
        "--cluster",
        default="auto",
        metavar="auto|local|ray://HOST:PORT",
        help="local: a Ray on this machine; auto (default): RAY_ADDRESS if set, else local",
    )
    p.add_argument("--workers", type=int, metavar="N", help="actors, each with the models loaded once")
    p.add_argument("--gpus-per-worker", type=float, default=0.0, metavar="F", help="e.g. 0.5: two per GPU")
    _processing(p)
    p.set_defaults(func=cmd_batch)


def _analyze_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="run the whole pipeline on a file without touching the library")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the analysis as one JSON object")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    _processing(p)
    p.set_defaults(func=cmd_analyze)


def _calls_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calls", help="list the calls in the library with key metrics")
    p.add_argument("--json", action="store_true")
    p.add_argument("--reason", metavar="REASON", help="only calls with this reason (its name or label)")
    p.add_argument(
        "--outcome",
        choices=tuple(OUTCOME_NAMES),
        help="only calls that ended so (their last request's outcome)",
    )
    p.add_argument(
        "--sentiment",
        choices=SENTIMENT_CHANGES,
        help="only calls where the customer's sentiment ended better, the same or worse than it started",
    )
    p.set_defaults(func=cmd_calls)


def _show_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("show", help="a call's metrics, markers, comments and transcript")
    p.add_argument("call", help="call number, name or hash prefix")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)


def _search_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="full-text search over all transcripts")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)


PARSERS = {
    "import": _import_parser,
    "batch": _batch_parser,
    "analyze": _analyze_parser,
    "calls": _calls_parser,
    "show": _show_parser,
    "search": _search_parser,
}
