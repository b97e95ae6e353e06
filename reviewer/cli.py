"""The `reviewer` command: a thin front door onto the pipeline and the library."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from reviewer import __version__, labels
from reviewer.errors import Cancelled, ReviewerError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


def clock(seconds: float | None) -> str:
    """A time as the app and the reports show it (:func:`reviewer.labels.clock`); a dash for none."""
    return labels.clock(seconds) or "–"


def parse_time(text: str) -> float:
    """'83', '83.5', '1:23', '1:02:03' -> seconds (:func:`reviewer.labels.parse_time`), for argparse."""
    try:
        return labels.parse_time(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


# -- helpers ------------------------------------------------------------------------------


def _pipeline_options(args: argparse.Namespace):
    from reviewer.asr.transcribe import AsrOptions
    from reviewer.pipeline import PipelineOptions
    from reviewer.settings import load_settings
    from reviewer.speakers.diarize import DiarizationOptions

    vad = {} if args.vad_threshold is None else {"vad_threshold": args.vad_threshold}
    return PipelineOptions(
        asr=AsrOptions(
            **vad,
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
        settings=load_settings(args.settings, args.phrases),
    )


def _library(args: argparse.Namespace):
    from reviewer.library import open_library

    return open_library(args.library)


def _settings(args: argparse.Namespace):
    from reviewer.settings import load_settings

    return load_settings(args.settings, args.phrases)


class _Bar:
    """A progress line on stderr: a tqdm bar on a terminal, plain lines otherwise."""

    STAGE_SPAN = {
        "decode": (0.0, 0.05),
        "transcribe": (0.05, 0.7),
        "speakers": (0.7, 0.95),
        "analyse": (0.95, 0.98),
        "store": (0.98, 1.0),
    }

    def __init__(self, total_files: int, quiet: bool) -> None:
        self.total = total_files
        self.quiet = quiet
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=total_files * 100,
                unit="%",
                file=sys.stderr,
                leave=False,
                bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
            )

    def update(self, index: int, path: Path, p) -> None:
        if self.bar is None:
            return
        lo, hi = self.STAGE_SPAN.get(p.stage, (0, 1))
        done = (index + lo + (hi - lo) * p.fraction) * 100
        self.bar.set_description_str(f"[{index + 1}/{self.total}] {path.name[:40]}: {p.stage}")
        self.bar.n = int(done)
        self.bar.refresh()

    def write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        elif not self.quiet:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# -- commands -------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from reviewer.importer import expand_paths, import_files
    from reviewer.progress import CancelToken

    files = expand_paths(args.paths)
    if not files:
        print("reviewer: no audio files found in " + ", ".join(args.paths), file=sys.stderr)
        return EXIT_FAILED
    options = _pipeline_options(args)
    cancel = CancelToken()
    bar = _Bar(len(files), args.quiet)
    counts, report = _outcome_lines(len(files), bar)

    with _library(args) as library:
        try:
            import_files(files, library, options, progress=bar.update, on_outcome=report, cancel=cancel)
        finally:
            bar.close()
    return _import_summary(counts)


def _outcome_lines(total: int, bar: _Bar):
    """A line per file as import and batch print them, and the counts for the summary."""
    counts = {"imported": 0, "duplicate": 0, "failed": 0}

    def report(index, outcome):
        counts[outcome.status] += 1
        mark = {"imported": "imported", "duplicate": "skipped", "failed": "FAILED"}[outcome.status]
        bar.write(f"[{index + 1}/{total}] {outcome.path}: {mark}: {outcome.message}")

    return counts, report


def _import_summary(counts: dict[str, int]) -> int:
    summary = f"{counts['imported']} imported, {counts['duplicate']} already there, {counts['failed']} failed"
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
    bar = _Bar(len(files), quiet=True)  # no bar: the work runs in other processes
    bar.quiet = args.quiet  # but a line per file, as import prints them
    counts, report = _outcome_lines(len(files), bar)
    with _library(args) as library:
        run_batch(
            files,
            library,
            options,
            cluster=Cluster(args.cluster),
            workers=args.workers,
            gpus_per_worker=args.gpus_per_worker,
            on_outcome=report,
        )
    return _import_summary(counts)


def cmd_analyze(args: argparse.Namespace) -> int:
    from reviewer.document import call_document
    from reviewer.pipeline import process_file

    bar = _Bar(1, args.quiet or not sys.stderr.isatty())
    try:
        result = process_file(
            args.file, _pipeline_options(args), progress=lambda p: bar.update(0, Path(args.file), p)
        )
    finally:
        bar.close()
    doc = call_document(result.transcript, result.analysis)
    if args.json:
        json.dump(doc, sys.stdout, indent=1 if args.pretty else None, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_summary(Path(args.file).name, doc)
    return EXIT_OK


def _print_summary(name: str, doc: dict[str, Any], comments: list[dict[str, Any]] | None = None) -> None:
    from reviewer.document import one_voice

    roles = {s["id"]: s for s in doc["speakers"]}

    def who(label):
        s = roles.get(label)
        if s is None:
            return "—"
        return f"{s.get('name') or label} ({s['role']})"

    share = doc["agent_talk_share"]
    m = doc["metrics"]
    print(f"{name}  {clock(doc['duration'])}  {doc['channels']} ch, speakers by {doc['speaker_split']}")
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
    if heard:
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
            span = clock(c["start"]) + (f"–{clock(c['end'])}" if c["end"] is not None else "")
            print(f"    #{c['id']} {span:<11} {c['category']:<10} {c['author'] or ''}: {c['text']}")
    print("  transcript:")
    for t in doc["turns"]:
        print(f"    {clock(t['start'])}  {who(t['speaker'])}: {t['text']}")


def cmd_calls(args: argparse.Namespace) -> int:
    with _library(args) as library:
        rows = library.list_calls()
    if args.json:
        json.dump(rows, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
        return EXIT_OK
    if not rows:
        print("The library is empty: reviewer import FILE_OR_FOLDER adds calls.")
        return EXIT_OK
    print(
        f"{'#':>4}  {'name':<32} {'length':>7} {'agent':<10} {'talk':>5} {'refus.':>6} "
        f"{'monol.':>6} {'silence':>7} {'notes':>5} {'score':>6}"
    )
    for r in rows:
        share = "–" if r["agent_talk_share"] is None else f"{r['agent_talk_share']:.0%}"
        score = "–" if r["score"] is None else f"{r['score']:.0f}" + _score_mark(r)
        if r["open_disputes"]:
            score += f" ({r['open_disputes']} disputed)"
        print(
            f"{r['id']:>4}  {r['name'][:32]:<32} {clock(r['duration_ms'] / 1000):>7} "
            f"{(r['agent'] or '–')[:10]:<10} {share:>5} {r['refusal_count'] or 0:>6} "
            f"{clock((r['longest_monologue_ms'] or 0) / 1000):>6} "
            f"{clock((r['longest_silence_ms'] or 0) / 1000):>7} {r['comment_count']:>5} {score:>6}"
        )
    return EXIT_OK


def _score_mark(row: dict) -> str:
    """Nothing for a pass, ✗ for a fail, ? while items are still to answer (provisional)."""
    if not row.get("score_final", 1):
        return "?"
    return "" if row["passed"] else "✗"


def cmd_show(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    with _library(args) as library:
        call_id = library.resolve(args.call)
        doc = stored_document(library, call_id)
        comments = library.comments(call_id)
        hits = library.tracker_hits(call_id)
        score = library.score(call_id) if library.scorecards() else None
    if args.json:
        doc["comments"] = [_comment_json(c) for c in comments]
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
        json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_summary(f"#{doc['id']} {doc['name']}", doc, comments)
        if score is not None:
            print(f"  score: {score.headline()} (`reviewer score` lists the items)")
        if hits:
            print("  tracked phrases:")
            for h in hits:
                print(f"    {clock(h.start)}  {h.tracker:<20} {h.speaker:<4} {h.text[:90]}")
    return EXIT_OK


def cmd_trends(args: argparse.Namespace) -> int:
    with _library(args) as library:
        rows = library.trends(agent=args.agent, by=args.by)
        team = library.trends(by=args.by) if args.csv and args.agent else None
    if args.csv:
        from reviewer.report import write_atomic
        from reviewer.report.trends import trends_csv

        data = trends_csv(team, rows, args.agent) if team is not None else trends_csv(rows)
        write_atomic(Path(args.csv), data)
        who = f"the team and {args.agent}" if team is not None else "the team"
        print(f"Wrote {args.csv}: {len(rows) + len(team or [])} rows ({who}).")
        return EXIT_OK
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    who = f"agent {args.agent}" if args.agent else "the team"
    print(f"Trends for {who}, by {args.by}")
    head = (
        "period",
        "calls",
        "score",
        "passed",
        "refusals/call",
        "agent share",
        "longest silence",
        "tracked/call",
    )
    print(
        f"{head[0]:<10} {head[1]:>5} {head[2]:>6} {head[3]:>6} {head[4]:>13} {head[5]:>11} {head[6]:>15} "
        f"{head[7]:>12}"
    )
    for r in rows:
        share = "–" if r["agent_talk_share"] is None else f"{r['agent_talk_share']:.0%}"
        score = "–" if r["mean_score"] is None else f"{r['mean_score']:.0f}"
        passed = "–" if r["pass_rate"] is None else f"{r['pass_rate']:.0%}"
        print(
            f"{r['period']:<10} {r['calls']:>5} {score:>6} {passed:>6} {r['refusals_per_call']:>13.2f} "
            f"{share:>11} {r['longest_silence']:>13.1f} s {r['tracker_hits_per_call']:>12.2f}"
        )
    return EXIT_OK


def cmd_tracker(args: argparse.Namespace) -> int:
    from reviewer.analysis.trackers import Tracker

    with _library(args) as library:
        if args.action == "list":
            trackers = library.trackers()
            if not trackers:
                print("No trackers yet: reviewer tracker add NAME --phrase P [--phrase P ...]")
            for t in trackers:
                window = (
                    f", first {t.within_first:g} s"
                    if t.within_first
                    else f", last {t.within_last:g} s"
                    if t.within_last
                    else ""
                )
                print(f"{t.name}: {' | '.join(t.phrases)}  ({t.side}{window})")
            return EXIT_OK
        if not args.name:
            raise ReviewerError(f"reviewer tracker {args.action} needs the tracker's NAME.")
        if args.action == "remove":
            library.remove_tracker(args.name)
            print(f"Removed the tracker {args.name!r} and its hits.")
            return EXIT_OK
        if args.within_first is not None and args.within_last is not None:
            raise ReviewerError("Give --within-first or --within-last, not both.")
        tracker = Tracker(args.name, tuple(args.phrase or ()), args.side, args.within_first, args.within_last)

        def progress(done: int, total: int) -> None:
            if not args.quiet and sys.stderr.isatty():
                print(f"\rapplying to calls: {done}/{total}", end="", file=sys.stderr, flush=True)

        hits = library.add_tracker(tracker, progress)
        calls = len(library.calls_with_tracker(args.name))
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    plural = lambda n, word: f"{n} {word}" + ("s" if n != 1 else "")  # noqa: E731
    print(f"Tracker {args.name!r}: {plural(hits, 'hit')} in {plural(calls, 'call')}.")
    return EXIT_OK


def cmd_roles(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    settings = _settings(args)
    with _library(args) as library:
        call_id = library.resolve(args.call)
        if args.swap:
            library.swap_roles(call_id, settings)
        if args.speaker:
            library.rename_speaker(call_id, args.speaker, name=args.name, role=args.role, settings=settings)
        elif args.name or args.role:
            raise ReviewerError("--name and --role need --speaker (for example --speaker S2).")
        doc = stored_document(library, call_id)
    _print_speakers(doc)
    return EXIT_OK


def cmd_reassign(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    settings = _settings(args)
    with _library(args) as library:
        call_id = library.resolve(args.call)
        speaker = library.speaker_ref(call_id, args.speaker)
        change = library.reassign_speech(call_id, speaker, start=args.at, end=args.to, settings=settings)
        doc = stored_document(library, call_id)
    words = f"{change.words} word" + ("s" if change.words != 1 else "")
    print(f"{words} between {clock(change.start)} and {clock(change.end)} now said by {speaker}")
    _print_speakers(doc)
    return EXIT_OK


def cmd_refusal(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    settings = _settings(args)
    is_refusal = {"yes": True, "no": False, "auto": None}[args.is_refusal]
    with _library(args) as library:
        call_id = library.resolve(args.call)
        change = library.label_refusal(
            call_id, args.at, is_refusal, settings=settings, author=args.author or labels.user_name()
        )
        doc = stored_document(library, call_id)
    said = {True: "a refusal", False: "not a refusal", None: "for the model to judge again"}[is_refusal]
    turn = change.turn
    print(f"The agent's turn {clock(turn.start)}–{clock(turn.end)} is now {said}: {turn.text[:80]}")
    for m in doc["markers"]:
        if m["kind"] == "refusal":
            print(f"  {clock(m['start'])}  {m['text'][:100]}")
    print(f"refusals: {doc['metrics']['refusal_count']}")
    return EXIT_OK


def cmd_train_refusals(args: argparse.Namespace) -> int:
    from reviewer import paths
    from reviewer.refusal_training import library_dialogues, train_team_model

    target = paths.config_dir() / "refusal_model.json"
    if args.reset:
        target.unlink(missing_ok=True)
        print(f"Removed {target}; the bundled refusal model is used again.")
        return EXIT_OK
    extra = []
    for path in args.files:
        try:
            extra.extend(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as e:
            raise ReviewerError(f"{path}: not a refusal-label file ({e}).") from None
    if args.from_library:
        with _library(args) as library:
            extra.extend(library_dialogues(library, library.select_calls()))
    if not extra:
        raise ReviewerError(
            "No labelled calls to learn from: label refusals (reviewer refusal, or R in the app) and "
            "use --from-library, or name files written by reviewer export --labels."
        )
    paths.ensure_private_dir(target.parent)
    stats = train_team_model(extra, _settings(args), target)
    print(
        f"Trained on {stats['examples']} agent turns, {stats['yours']} of them from your "
        f"{stats['calls']} labelled calls ({stats['your_pushback']} refusals); wrote {target}. "
        "New imports and corrections use it; `reviewer train-refusals --reset` goes back."
    )
    return EXIT_OK


def _print_speakers(doc: dict[str, Any]) -> None:
    for s in doc["speakers"]:
        label = f"{s['id']} {s.get('name', '')}".strip()
        print(f"{label:<20} {s['role']:<9} talks {clock(s['talk_seconds'])}")
    share = "–" if doc["agent_talk_share"] is None else f"{doc['agent_talk_share']:.0%}"
    print(f"agent talk share: {share}; refusals: {doc['metrics']['refusal_count']}")


def _comment_json(c: dict[str, Any]) -> dict[str, Any]:
    return {
        k: c[k]
        for k in (
            "id",
            "start",
            "end",
            "author",
            "category",
            "text",
            "created_at",
            "updated_at",
            "acknowledged_at",
            "reply",
        )
        if k in c
    }


def cmd_comment(args: argparse.Namespace) -> int:
    with _library(args) as library:
        call_id = library.resolve(args.call)
        comment_id = library.add_comment(
            call_id,
            start=args.at,
            end=args.to,
            text=args.text,
            author=args.author or labels.user_name(),
            category=args.category,
        )
    span = clock(args.at) + (f"–{clock(args.to)}" if args.to is not None else "")
    print(f"comment #{comment_id} added to call #{call_id} at {span}")
    return EXIT_OK


def cmd_comments(args: argparse.Namespace) -> int:
    with _library(args) as library:
        call_id = library.resolve(args.call)
        comments = library.comments(call_id)
    if args.json:
        json.dump([_comment_json(c) for c in comments], sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    if not comments:
        print(f"No comments on call #{call_id} yet.")
    for c in comments:
        span = clock(c["start"]) + (f"–{clock(c['end'])}" if c["end"] is not None else "")
        print(f"#{c['id']:<4} {span:<11} {c['category']:<10} {c['author'] or '–':<12} {c['text']}")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    with _library(args) as library:
        hits = library.search(args.text, limit=args.limit)
    if args.json:
        json.dump(hits, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    if not hits:
        print(f"Nothing in the library says {args.text!r}.")
        return EXIT_FAILED
    for h in hits:
        who = h["role"] or h["speaker"]
        # the turn with the words that matched in [brackets]
        print(f"#{h['call_id']} {h['name']}  {clock(h['start_ms'] / 1000)}  {who}: {h['snippet']}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from reviewer.report import export_calls
    from reviewer.report.export import FORMATS, parse_formats

    if _wants_audio(args):
        return cmd_export_audio(args)
    if args.labels:
        formats = []
    elif args.format:
        formats = parse_formats(args.format)
    else:
        suffix = Path(args.out).suffix.lower()
        formats = [f for f, (s, _) in FORMATS.items() if s == suffix and f != "summary"][:1]
        if not formats:
            raise ReviewerError(f"Say which format with --format ({', '.join(FORMATS)}).")
    if not (args.calls or args.all or args.search or args.agent or args.status):
        raise ReviewerError(
            "Name the calls to export, or choose them with --all, --search, --agent or --status."
        )
    settings = _settings(args)
    with _library(args) as library:
        call_ids = library.select_calls(args.calls, search=args.search, agent=args.agent, status=args.status)
        if not call_ids:
            raise ReviewerError("No call in the library matches that choice; nothing was exported.")
        if args.labels:
            return _export_labels(library, call_ids, Path(args.out))

        def written(path: Path) -> None:
            if not args.quiet:
                print(f"wrote {path}", file=sys.stderr, flush=True)

        paths = export_calls(
            library, settings, call_ids, formats, args.out, redact=args.redact, written=written
        )
    where = paths[0] if len(paths) == 1 else Path(args.out)
    calls = f"{len(call_ids)} call{'s' if len(call_ids) != 1 else ''}"
    print(f"Exported {calls} to {where}" + (" (redacted)" if args.redact else ""))
    return EXIT_OK


def _export_labels(library, call_ids: list[int], out: Path) -> int:  # noqa: ANN001
    from reviewer.refusal_training import library_dialogues
    from reviewer.report.export import write_atomic

    dialogues = library_dialogues(library, call_ids)
    if not dialogues:
        raise ReviewerError(
            "None of those calls has a refusal label yet (reviewer refusal, or R in the app)."
        )
    write_atomic(out, (json.dumps(dialogues, indent=1, ensure_ascii=False) + "\n").encode())
    labelled = sum(1 for d in dialogues for t in d["turns"] if "label" in t)
    print(f"Wrote {labelled} labelled agent turns from {len(dialogues)} calls to {out}")
    return EXIT_OK


# -- redacted audio, clips and playlists (issue 20) ----------------------------------------


def _wants_audio(args: argparse.Namespace) -> bool:
    """``export -f audio``, or no --format and --out ending in .wav, .mp3 or .ogg."""
    from reviewer.audio.redact import AUDIO_FORMATS

    if args.labels:
        return False
    asked = [f for item in (args.format or []) for f in item.replace(",", " ").lower().split()]
    if "audio" in asked:
        if len(set(asked)) > 1:
            raise ReviewerError(
                "Export audio on its own (-f audio), and the other formats in a second export."
            )
        return True
    return not asked and Path(args.out).suffix.lower() in AUDIO_FORMATS


def cmd_export_audio(args: argparse.Namespace) -> int:
    from reviewer.report.audio import export_audio

    if not (args.calls or args.all or args.search or args.agent or args.status):
        raise ReviewerError(
            "Name the calls to export, or choose them with --all, --search, --agent or --status."
        )
    settings = _settings(args)
    with _library(args) as library:
        call_ids = library.select_calls(args.calls, search=args.search, agent=args.agent, status=args.status)
        if not call_ids:
            raise ReviewerError("No call in the library matches that choice; nothing was exported.")

        def written(path: Path) -> None:
            if not args.quiet:
                print(f"wrote {path}", file=sys.stderr, flush=True)

        paths = export_audio(library, settings, call_ids, args.out, redact=args.redact, written=written)
    audio = [p for p in paths if not p.name.endswith(".redactions.json")]
    how = f" (redacted: {settings.redact_mode}, spans listed beside it)" if args.redact else ""
    print(f"Exported the recording of {len(audio)} call{'s' if len(audio) != 1 else ''} to "
          f"{audio[0] if len(audio) == 1 else Path(args.out)}{how}")  # fmt: skip
    return EXIT_OK


def cmd_redaction(args: argparse.Namespace) -> int:
    from reviewer.report.redaction import call_redactions, hidden_summary

    settings = _settings(args)
    with _library(args) as library:
        call_id = library.resolve(args.call)
        if args.action in ("add", "remove") and args.at is None:
            raise ReviewerError(f"reviewer redaction {args.action} needs --at (and --to for add).")
        if args.action == "add":
            if args.to is None:
                raise ReviewerError("reviewer redaction add needs --to: the end of the stretch to hide.")
            library.add_redaction_edit(call_id, args.at, args.to, "add")
        elif args.action == "remove":
            spans = call_redactions(library, call_id, settings)
            hit = next((s for s in spans if s.start - 0.001 <= args.at <= s.end + 0.001), None)
            if hit is None:
                raise ReviewerError(
                    f"Nothing is hidden at {clock(args.at)}; `reviewer redaction {args.call}` lists it."
                )
            if hit.source == "added":
                edit = next(
                    e for e in library.redaction_edits(call_id)
                    if e["action"] == "add" and (e["start_ms"], e["end_ms"]) == (hit.start_ms, hit.end_ms)
                )  # fmt: skip
                library.delete_redaction_edit(edit["id"])
            else:
                library.add_redaction_edit(call_id, hit.start, hit.end, "remove")
        elif args.action == "reset":
            for e in library.redaction_edits(call_id):
                library.delete_redaction_edit(e["id"])
        spans = call_redactions(library, call_id, settings)
    if args.json:
        json.dump([{"start": s.start, "end": s.end, "kind": s.kind, "speaker": s.speaker, "source": s.source}
                   for s in spans], sys.stdout, indent=1)  # fmt: skip
        sys.stdout.write("\n")
        return EXIT_OK
    if not spans:
        print(f"Nothing to hide in call #{call_id}.")
        return EXIT_OK
    for s in spans:
        print(f"{clock(s.start)}–{clock(s.end)}  {s.kind:<22} {s.speaker or '':<4} {s.source}")
    print(hidden_summary(spans))
    return EXIT_OK


def cmd_clip(args: argparse.Namespace) -> int:
    with _library(args) as library:
        call_id = library.resolve(args.call)
        start, end = args.at, args.to
        if args.comment is not None:
            c = library.comment(args.comment)
            if c["call_id"] != call_id:
                raise ReviewerError(f"Comment #{args.comment} is not on call #{call_id}.")
            if c["end"] is None:
                raise ReviewerError(
                    f"Comment #{args.comment} is at one moment; a clip needs a range (--at, --to)."
                )
            start, end = c["start"], c["end"]
        elif args.marker:
            if start is None:
                raise ReviewerError("--marker needs --at: a time inside the marker.")
            m = library.marker_at(call_id, start)
            start, end = m["start"], m["end"]
        if start is None or end is None:
            raise ReviewerError(
                "A clip needs --at and --to (or --comment ID with a range, or --marker --at T)."
            )
        clip_id = library.add_clip(
            call_id, start=start, end=end, title=args.title or "", note=args.note or "",
            author=labels.user_name(), playlist=args.playlist,
        )  # fmt: skip
    where = f" in the playlist {args.playlist!r}" if args.playlist else ""
    print(f"clip #{clip_id} of call #{call_id}, {clock(start)}–{clock(end)}{where}")
    return EXIT_OK


def _print_clips(clips: list[dict[str, Any]]) -> None:
    for n, c in enumerate(clips, 1):
        span = f"{clock(c['start'])}–{clock(c['end'])}"
        print(f"{n:>3}. #{c['id']:<4} {c['title'][:40]:<40} {c['call_name'][:28]:<28} {span}")
        if c["note"]:
            print(f"       {c['note'][:100]}")


def cmd_playlist(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _library(args) as library:
        if args.action == "list":
            rows = library.playlists()
            if not rows:
                print("No playlists yet: reviewer clip CALL --at T --to T --title TEXT --playlist NAME")
            for r in rows:
                plural = "s" if r["clips"] != 1 else " "
                print(f"{r['name']:<32} {r['clips']:>3} clip{plural}  {clock(r['seconds'])}")
            return EXIT_OK
        if not args.name:
            raise ReviewerError(f"reviewer playlist {args.action} needs the playlist's NAME.")
        if args.action == "show":
            clips = library.playlist_clips(args.name)
            print(f"{args.name}: {len(clips)} clip{'s' if len(clips) != 1 else ''}")
            _print_clips(clips)
        elif args.action == "delete":
            library.delete_playlist(args.name)
            print(f"Deleted the playlist {args.name!r}; its clips are kept.")
        elif args.action in ("add", "remove"):
            if args.clip is None:
                raise ReviewerError(f"reviewer playlist {args.action} needs --clip ID.")
            library.clip(args.clip)
            if args.action == "add":
                library.add_to_playlist(args.name, args.clip)
            else:
                library.remove_from_playlist(args.name, args.clip)
            print(f"clip #{args.clip} {'added to' if args.action == 'add' else 'taken out of'} {args.name!r}")
        elif args.action == "export":
            from reviewer.report.clips import export_playlist

            if not args.out:
                raise ReviewerError("reviewer playlist export needs -o DIR or -o FILE.html.")

            def written(path: Path) -> None:
                if not args.quiet:
                    print(f"wrote {path}", file=sys.stderr, flush=True)

            paths = export_playlist(
                library, settings, args.name, args.out, redact=args.redact, written=written
            )
            print(
                f"Exported the playlist {args.name!r} to {args.out}" + (" (redacted)" if args.redact else "")
            )
            return EXIT_OK if paths else EXIT_FAILED
    return EXIT_OK


def _add_share_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = sub.add_parser(
        "clip",
        help="cut a coaching clip from a call (a range with a title and a note), into a playlist",
    )
    p.add_argument("call")
    p.add_argument("--at", type=parse_time, help="start (1:23 or 83)")
    p.add_argument("--to", type=parse_time, help="end")
    p.add_argument("--comment", type=int, metavar="ID", help="instead of --at/--to: a comment's range")
    p.add_argument(
        "--marker", action="store_true", help="instead of --to: the marker (refusal, monologue ...) at --at"
    )
    p.add_argument("--title", required=True)
    p.add_argument("--note", help="what the trainee should notice")
    p.add_argument("--playlist", metavar="NAME", help="add it to this playlist (made if new)")
    p.set_defaults(func=cmd_clip)

    p = sub.add_parser(
        "playlist",
        help="playlists of coaching clips: list, show, export (HTML page or folder), add, remove, delete",
        description="export NAME -o FILE.html writes one self-contained page with every clip's audio; "
        "-o DIR a folder of mp3 clips with playlist.csv. --redact bleeps in the audio and masks in "
        "the text what `reviewer redaction CALL` lists for each clip's call.",
    )
    p.add_argument("action", choices=["list", "show", "export", "add", "remove", "delete"])
    p.add_argument("name", nargs="?")
    p.add_argument("--out", "-o", metavar="PATH")
    p.add_argument("--redact", action="store_true")
    p.add_argument("--clip", type=int, metavar="ID", help="for add and remove")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_playlist)

    p = sub.add_parser(
        "redaction",
        help="what every redacted export of a call hides: list, add or remove a span, reset",
        description="Lists the spans every `--redact` export of the call hides, text and audio alike "
        "(found in the transcript: card numbers, expiry dates, security codes, e-mail addresses, "
        "dates of birth, social security numbers, phone and other long numbers, your listed words; "
        "or added). add --at --to hides a stretch too; remove --at takes out the span there; reset "
        "forgets every change.",
    )
    p.add_argument("call")
    p.add_argument("action", nargs="?", default="list", choices=["list", "add", "remove", "reset"])
    p.add_argument("--at", type=parse_time)
    p.add_argument("--to", type=parse_time)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_redaction)


def cmd_gui(args: argparse.Namespace) -> int:
    from reviewer.ui.app import has_display, run

    if not has_display():
        print(
            "reviewer: no display to open the app on (DISPLAY is not set). The command line works "
            "without one: reviewer --help",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if getattr(args, "file", None) and not Path(args.file).is_file():
        raise ReviewerError(f"{args.file}: file not found")
    return run(
        library=args.library,
        open_file=getattr(args, "file", None),
        settings_file=args.settings,
        phrases_file=args.phrases,
        model=getattr(args, "model", None),
    )


def cmd_audio_root(args: argparse.Namespace) -> int:
    """Show or set the library's audio root (the team's share). Audio imported from elsewhere is
    copied under it; each machine may mount it elsewhere ([library] audio_root in settings.toml)."""
    with _library(args) as library:
        if args.folder is not None or args.clear:
            library.set_audio_root(None if args.clear else args.folder)
        own = library.library_setting("audio_root")
        here = library.audio_root()
        if own is None:
            print("No audio root: each call's audio stays where it was imported from.")
        else:
            print(f"audio root: {own}")
            if here is not None and str(here) != own:
                print(f"on this machine: {here}  ([library] audio_root in settings.toml)")
    return EXIT_OK


def cmd_paths(args: argparse.Namespace) -> int:
    """Every place Reviewer writes (and where its defaults are read from)."""
    from reviewer import paths
    from reviewer.library.backend import display_location, library_location
    from reviewer.library.store import configured_library
    from reviewer.resources import resources_dir

    library = library_location(args.library) or configured_library() or paths.default_library()
    if isinstance(library, Path):
        print(f"library:   {library}  (with -wal/-shm beside it while open)")
    else:
        print(
            f"library:   {display_location(library)}  (a shared PostgreSQL library: nothing on this machine)"
        )
    print(f"data:      {paths.data_dir()}  (waveform peaks of imported calls, peaks/)")
    print(f"models:    {paths.models_dir()}  (the embedded speech model, assembled once)")
    print(f"config:    {paths.config_dir()}  (ui.ini; settings.toml, phrases.toml override the defaults)")
    print(f"cache:     {paths.cache_dir()}  (caches of matplotlib and torch, kept here instead of your home)")
    print(f"defaults:  {resources_dir()}  (read only)")
    print("exports:   only where you ask (reviewer export -o, File > Export)")
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from reviewer.asr.store import DEFAULT_MODEL, embedded_model_dir, embedded_names

    names = embedded_names()
    for name in names:
        folder = embedded_model_dir(name, verify=args.verify)
        mark = " (default)" if name == DEFAULT_MODEL else ""
        print(f"whisper-{name}{mark}: {folder}" + ("  verified" if args.verify else ""))
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer",
        description="Review and coach customer-service calls, offline. With no command, the desktop "
        "app opens (or, with no display, this help).",
    )
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    parser.add_argument(
        "--library",
        metavar="PATH|URL",
        help="the library: a SQLite file, or a team's postgresql://user@host/db (default: [library] "
        "location in settings.toml, else library.sqlite in your data folder)",
    )
    parser.add_argument("--settings", metavar="TOML", type=Path, help="analysis thresholds to use")
    parser.add_argument("--phrases", metavar="TOML", type=Path, help="phrase lists to use")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def processing(p: argparse.ArgumentParser) -> None:
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
        g.add_argument(
            "--beam-size", type=int, default=5, help="decoding beam (default: 5; 1 is ~20%% faster)"
        )
        g.add_argument(
            "--vad-threshold",
            type=_probability,
            metavar="P",
            help="speech probability (0-1) from which audio is passed to Whisper "
            "(default: 0.35; higher skips more noise, and more quiet speech)",
        )
        g.add_argument(
            "--speakers", type=int, default=2, help="speakers in mono calls (default: 2; 0 = detect)"
        )
        g.add_argument(
            "--diarization",
            metavar="PIPELINE",
            help="a pyannote pipeline folder or hub name "
            "instead of the bundled one (HF_TOKEN for gated ones)",
        )
        p.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    p = sub.add_parser("import", help="add recordings (files or folders) to the library")
    p.add_argument("paths", nargs="+", metavar="PATH")
    processing(p)
    p.set_defaults(func=cmd_import)

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
    processing(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("analyze", help="run the whole pipeline on a file without touching the library")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the analysis as one JSON object")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    processing(p)
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("calls", help="list the calls in the library with key metrics")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calls)

    p = sub.add_parser("show", help="a call's metrics, markers, comments and transcript")
    p.add_argument("call", help="call number, name or hash prefix")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("roles", help="show or correct who is the agent; analysis follows")
    p.add_argument("call")
    p.add_argument("--swap", action="store_true", help="swap agent and customer")
    p.add_argument("--speaker", help="the speaker to change (S1, S2 ...)")
    p.add_argument("--name", help="a name for --speaker")
    p.add_argument("--role", choices=["agent", "customer", "unknown"], help="a role for --speaker")
    p.set_defaults(func=cmd_roles)

    p = sub.add_parser(
        "reassign",
        help="correct who said what; analysis follows",
        description="Give speech to another speaker where the speaker split got it wrong: the "
        "turn under --at, or every word between --at and --to. --speaker takes a label (S2), a "
        "role (customer) or a name; the next new label (S3 on a call with S1 and S2) adds a "
        "speaker for a voice the split missed.",
    )
    p.add_argument("call")
    p.add_argument("--at", required=True, type=parse_time, help="a time in the turn (1:23 or 83)")
    p.add_argument("--to", type=parse_time, help="end of a stretch: every word from --at to here")
    p.add_argument("--speaker", required=True, help="who said it: S2, customer, agent or a name")
    p.set_defaults(func=cmd_reassign)

    p = sub.add_parser("comment", help="add time-stamped feedback to a call")
    p.add_argument("call")
    p.add_argument("--at", required=True, type=parse_time, help="when (1:23 or 83)")
    p.add_argument("--to", type=parse_time, help="end of a range (optional)")
    p.add_argument("--text", required=True)
    p.add_argument("--author", help="who says it (default: your user name)")
    p.add_argument("--category", default="other", choices=["praise", "improve", "compliance", "other"])
    p.set_defaults(func=cmd_comment)

    p = sub.add_parser("comments", help="a call's comments in time order")
    p.add_argument("call")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_comments)

    p = sub.add_parser("search", help="full-text search over all transcripts")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "export",
        help="annotated reports (PDF, HTML) and data (CSV, JSON, SRT, VTT, summary CSV) for QA",
        description="Export calls for people who never open Reviewer. One call and one format "
        "with --out FILE writes that file; otherwise --out is a folder with one file per call "
        "and format, named after the recording, plus summary.csv for the summary format.",
    )
    p.add_argument("calls", nargs="*", metavar="CALL", help="call numbers, names or hash prefixes")
    p.add_argument(
        "--format",
        "-f",
        action="append",
        metavar="FORMAT",
        help="pdf, html, csv, json, srt, vtt or summary; repeat or comma-separate for several; "
        "or audio (the recording as .wav, .mp3 or .ogg; with --redact, bleeped) "
        "(default: from --out's suffix)",
    )
    p.add_argument("--out", "-o", required=True, metavar="PATH", help="a file, or a folder for several")
    p.add_argument(
        "--redact", action="store_true", help="hide what `reviewer redaction CALL` lists, in every format"
    )
    p.add_argument("--all", action="store_true", help="every call in the library")
    p.add_argument("--search", metavar="TEXT", help="only calls whose transcript says TEXT")
    p.add_argument("--agent", metavar="NAME", help="only calls taken by this agent")
    p.add_argument("--status", choices=["new", "in review", "reviewed"], help="only calls with this status")
    p.add_argument("-q", "--quiet", action="store_true", help="don't list the files written")
    p.add_argument(
        "--labels",
        action="store_true",
        help="instead: the chosen calls' refusal labels as one JSON file, in the format "
        "reviewer train-refusals learns from",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "refusal",
        help="say whether an agent turn is a refusal; analysis follows",
        description="A coach's word on the agent's turn at --at: a refusal (yes), not one (no), or "
        "back to the model's judgement (auto). It is kept in the library, survives re-analysis "
        "and role changes, and counts at once.",
    )
    p.add_argument("call")
    p.add_argument("--at", required=True, type=parse_time, help="a time in the agent's turn (1:23 or 83)")
    p.add_argument("--is", dest="is_refusal", required=True, choices=["yes", "no", "auto"])
    p.add_argument("--author", help="who says it (default: your user name)")
    p.set_defaults(func=cmd_refusal)

    p = sub.add_parser(
        "train-refusals",
        help="retrain the refusal model with your team's labelled calls",
        description="Trains the refusal model on the bundled corpus plus your labelled calls "
        "(--from-library, or files from reviewer export --labels) and saves it in your config "
        "folder, where it replaces the bundled model for new analyses.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="label files from reviewer export --labels")
    p.add_argument("--from-library", action="store_true", help="every labelled call in the library")
    p.add_argument("--reset", action="store_true", help="remove your model; use the bundled one again")
    p.set_defaults(func=cmd_train_refusals)

    p = sub.add_parser("gui", help="open the desktop app (the default with no command)")
    p.add_argument("file", nargs="?", help="a recording to open (imported first if new)")
    p.add_argument("--model", help="Whisper model for imports made in the app")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser(
        "tracker",
        help="phrase trackers: phrases to find in every call (list, add, remove)",
        description="A tracker is a named list of phrases (plain words, or the phrases.toml syntax: "
        "cancel* for stems, (a|b) for either, ~ for a few words between) said by the agent, the "
        "customer or either, optionally only in the first or last seconds. Adding or changing one "
        "finds its hits in every call in the library from the stored transcripts.",
    )
    p.add_argument("action", choices=["list", "add", "remove"])
    p.add_argument("name", nargs="?")
    p.add_argument("--phrase", action="append", metavar="P", help="a phrase to find; repeat for more")
    p.add_argument("--side", choices=["agent", "customer", "both"], default="both")
    p.add_argument("--within-first", type=float, metavar="S", help="only in the first S seconds")
    p.add_argument("--within-last", type=float, metavar="S", help="only in the last S seconds")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_tracker)

    p = sub.add_parser(
        "trends",
        help="the team's or an agent's calls by week or month: refusals, talk share, silences, phrases",
    )
    p.add_argument("--agent", metavar="NAME", help="only this agent's calls")
    p.add_argument("--by", choices=["week", "month"], default="week")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", metavar="FILE", help="write the rows (with --agent, the team's too) as CSV")
    p.set_defaults(func=cmd_trends)

    from reviewer import cli_scores

    cli_scores.add_parsers(sub)

    p = sub.add_parser("paths", help="where the library, models and config live")
    p.set_defaults(func=cmd_paths)

    p = sub.add_parser(
        "audio-root",
        help="where a shared library keeps its calls' audio (a team share), so any machine plays them",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("folder", nargs="?", type=Path, help="the folder; imports copy their audio under it")
    g.add_argument("--clear", action="store_true", help="keep audio where it was imported from again")
    p.set_defaults(func=cmd_audio_root)

    p = sub.add_parser("models", help="list the embedded speech models (assembling them if needed)")
    p.add_argument("--verify", action="store_true", help="check every model file's checksum")
    p.set_defaults(func=cmd_models)
    _add_share_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        from reviewer.ui.app import has_display

        if not has_display():
            parser.print_help()
            return EXIT_OK
        args.func = cmd_gui
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        return args.func(args)
    except ReviewerError as e:
        if isinstance(e, Cancelled):
            print("reviewer: cancelled; nothing half-done was kept", file=sys.stderr)
            return EXIT_CANCELLED
        print(f"reviewer: {e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(
            "\nreviewer: interrupted; calls already stored are safe, the current one was not kept",
            file=sys.stderr,
        )
        return EXIT_CANCELLED
    except BrokenPipeError:
        return EXIT_OK
