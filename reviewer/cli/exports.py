"""`reviewer` commands that make files for people who never open Reviewer: export (reports, data,
audio, refusal labels), redaction (what a redacted export hides), clip and playlist."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer import actions
from reviewer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    clock,
    library_for,
    parse_time,
    print_json,
    settings_for,
    wrote_lines,
)
from reviewer.errors import ReviewerError
from reviewer.library.calls import REVIEW_STATUSES
from reviewer.model import Clip
from reviewer.report.formats import EXPORT_FORMATS, FORMATS, format_for_suffix, parse_formats

if TYPE_CHECKING:
    from reviewer.actions.exports import Unmasked


def cmd_export(args: argparse.Namespace) -> int:
    from reviewer.actions.exports import export_calls, unmasked

    if _wants_audio(args):
        return cmd_export_audio(args)
    if args.labels:
        formats = []
    elif args.format:
        formats = parse_formats(args.format)
    else:
        guessed = format_for_suffix(Path(args.out).suffix)
        if guessed is None:
            raise ReviewerError(f"Say which format with --format ({', '.join(FORMATS)}).")
        formats = [guessed.name]
    _require_a_choice(args)
    settings = settings_for(args)
    with library_for(args) as library:
        call_ids = _chosen_calls(library, args)
        if args.labels:
            return _export_labels(library, settings, call_ids, args)
        paths = export_calls(
            library,
            settings,
            call_ids,
            formats,
            args.out,
            redact=args.redact,
            private=not args.shared_modes,
            written=wrote_lines(args),
        )
        held = None if args.redact else unmasked(library, settings, call_ids)
    where = paths[0] if len(paths) == 1 else Path(args.out)
    calls = f"{len(call_ids)} call{'s' if len(call_ids) != 1 else ''}"
    print(f"Exported {calls} to {where}" + (" (redacted)" if args.redact else " (not redacted)"))
    _warn_unmasked(where, held)
    return EXIT_OK


def _warn_unmasked(where: object, held: Unmasked | None) -> None:
    """Say on stderr, in one line, what an unredacted export holds that redaction would hide:
    "holds unmasked 1 card number; in comments and notes: 1 e-mail address"."""
    from reviewer.report.redaction import counted

    if not held:
        return
    said = counted(list(held.said))
    notes = f"in comments and notes: {counted(list(held.notes))}" if held.notes else ""
    print(
        f"reviewer: warning: {where} is not redacted (--no-redact) and holds unmasked "
        f"{'; '.join(part for part in (said, notes) if part)}; leave out --no-redact to hide them.",
        file=sys.stderr,
        flush=True,
    )


def _require_a_choice(args: argparse.Namespace) -> None:
    if not (args.calls or args.all or args.search or args.agent or args.status):
        raise ReviewerError(
            "Name the calls to export, or choose them with --all, --search, --agent or --status."
        )


def _chosen_calls(library, args: argparse.Namespace) -> list[int]:  # noqa: ANN001 - a Library
    call_ids = library.select_calls(args.calls, search=args.search, agent=args.agent, status=args.status)
    if not call_ids:
        raise ReviewerError("No call in the library matches that choice; nothing was exported.")
    return call_ids


def _export_labels(library, settings, call_ids: list[int], args: argparse.Namespace) -> int:  # noqa: ANN001
    """The chosen calls' refusal labels in the corpus format, redacted unless --no-redact."""
    import json

    from reviewer.actions.exports import LabelledCalls, Unmasked, check_not_a_recording
    from reviewer.refusal_training import library_dialogues
    from reviewer.report.export import write_atomic

    out = Path(args.out)
    check_not_a_recording(library, [out])
    calls = LabelledCalls(library, settings, redact=args.redact)
    dialogues = library_dialogues(calls, call_ids)
    if not dialogues:
        raise ReviewerError(
            "None of those calls has a refusal label yet (reviewer refusal, or R in the app)."
        )
    data = (json.dumps(dialogues, indent=1, ensure_ascii=False) + "\n").encode()
    write_atomic(out, data, private=not args.shared_modes)
    labelled = sum(1 for d in dialogues for t in d["turns"] if "label" in t)
    how = " (redacted)" if args.redact else " (not redacted)"
    print(f"Wrote {labelled} labelled agent turns from {len(dialogues)} calls to {out}{how}")
    _warn_unmasked(out, None if args.redact else Unmasked(tuple(calls.kinds)))
    return EXIT_OK


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
    from reviewer.actions.exports import export_audio, unmasked

    _require_a_choice(args)
    settings = settings_for(args)
    with library_for(args) as library:
        call_ids = _chosen_calls(library, args)
        paths = export_audio(
            library,
            settings,
            call_ids,
            args.out,
            redact=args.redact,
            private=not args.shared_modes,
            written=wrote_lines(args),
        )
        held = None if args.redact else unmasked(library, settings, call_ids, notes=False)
    audio = [p for p in paths if not p.name.endswith(".redactions.json")]
    how = f" (redacted: {settings.redact_mode}, spans listed beside it)" if args.redact else " (not redacted)"
    where = audio[0] if len(audio) == 1 else Path(args.out)
    print(f"Exported the recording of {len(audio)} call{'s' if len(audio) != 1 else ''} to {where}{how}")
    _warn_unmasked(where, held)
    return EXIT_OK


def cmd_redaction(args: argparse.Namespace) -> int:
    from reviewer.report.redaction import call_redactions, hidden_summary

    settings = settings_for(args)
    with library_for(args) as library:
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
                    if e.action == "add" and (e.start_ms, e.end_ms) == (hit.start_ms, hit.end_ms)
                )  # fmt: skip
                library.delete_redaction_edit(edit.id)
            else:
                library.add_redaction_edit(call_id, hit.start, hit.end, "remove")
        elif args.action == "reset":
            for e in library.redaction_edits(call_id):
                library.delete_redaction_edit(e.id)
        spans = call_redactions(library, call_id, settings)
    if args.json:
        print_json([{"start": s.start, "end": s.end, "kind": s.kind, "speaker": s.speaker, "source": s.source}
                    for s in spans], ensure_ascii=True)  # fmt: skip
        return EXIT_OK
    if not spans:
        print(f"Nothing to hide in call #{call_id}.")
        return EXIT_OK
    for s in spans:
        print(f"{clock(s.start)}–{clock(s.end)}  {s.kind:<22} {s.speaker or '':<4} {s.source}")
    print(hidden_summary(spans))
    return EXIT_OK


def cmd_clip(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        start, end = args.at, args.to
        if args.comment is not None:
            c = library.comment(args.comment)
            if c.call_id != call_id:
                raise ReviewerError(f"Comment #{args.comment} is not on call #{call_id}.")
            if c.end is None:
                raise ReviewerError(
                    f"Comment #{args.comment} is at one moment; a clip needs a range (--at, --to)."
                )
            start, end = c.start, c.end
        elif args.marker:
            if start is None:
                raise ReviewerError("--marker needs --at: a time inside the marker.")
            m = library.marker_at(call_id, start)
            start, end = m.start, m.end
        if start is None or end is None:
            raise ReviewerError(
                "A clip needs --at and --to (or --comment ID with a range, or --marker --at T)."
            )
        clip_id = library.add_clip(
            call_id, start=start, end=end, title=args.title or "", note=args.note or "",
            author=actions.review.signature(library), playlist=args.playlist,
        )  # fmt: skip
    where = f" in the playlist {args.playlist!r}" if args.playlist else ""
    print(f"clip #{clip_id} of call #{call_id}, {clock(start)}–{clock(end)}{where}")
    return EXIT_OK


def _print_clips(clips: list[Clip]) -> None:
    for n, c in enumerate(clips, 1):
        span = f"{clock(c.start)}–{clock(c.end)}"
        print(f"{n:>3}. #{c.id:<4} {c.title[:40]:<40} {c.call_name[:28]:<28} {span}")
        if c.note:
            print(f"       {c.note[:100]}")


def cmd_playlist(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    with library_for(args) as library:
        if args.action == "list":
            rows = library.playlists()
            if not rows:
                print("No playlists yet: reviewer clip CALL --at T --to T --title TEXT --playlist NAME")
            for r in rows:
                plural = "s" if r.clips != 1 else " "
                print(f"{r.name:<32} {r.clips:>3} clip{plural}  {clock(r.seconds)}")
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
        elif args.action == "move":
            if args.clip is None or args.to is None:
                raise ReviewerError("reviewer playlist move needs --clip ID and --to N (1 is the first).")
            if args.to < 1:
                raise ReviewerError(f"--to counts from 1 (the first clip), not {args.to}.")
            library.move_in_playlist(args.name, args.clip, args.to - 1)
            clips = library.playlist_clips(args.name)
            place = next(n for n, c in enumerate(clips, 1) if c.id == args.clip)
            print(f"clip #{args.clip} is now {place} of {len(clips)} in {args.name!r}")
            _print_clips(clips)
        elif args.action == "export":
            from reviewer.actions.exports import export_playlist, unmasked_in_playlist

            if not args.out:
                raise ReviewerError("reviewer playlist export needs -o DIR or -o FILE.html.")
            paths = export_playlist(
                library,
                settings,
                args.name,
                args.out,
                redact=args.redact,
                private=not args.shared_modes,
                written=wrote_lines(args),
            )
            held = None if args.redact else unmasked_in_playlist(library, settings, args.name)
            print(
                f"Exported the playlist {args.name!r} to {args.out}"
                + (" (redacted)" if args.redact else " (not redacted)")
            )
            _warn_unmasked(args.out, held)
            return EXIT_OK if paths else EXIT_FAILED
    return EXIT_OK


# -- parsers --------------------------------------------------------------------------------


def _titles(kind: str) -> str:
    """The titles of the formats of one kind: "PDF, HTML"."""
    return ", ".join(f.title for f in EXPORT_FORMATS if f.kind == kind)


def _one_of(names: list[str]) -> str:
    """Names in a sentence: "pdf, html or summary"."""
    return ", ".join(names[:-1]) + " or " + names[-1]


def _sharing_options(p: argparse.ArgumentParser, what: str) -> None:
    """Redacted unless --no-redact: an export is shared, and a card number read aloud is in it."""
    p.add_argument("--redact", dest="redact", action="store_true", default=True, help=what)
    p.add_argument(
        "--no-redact",
        dest="redact",
        action="store_false",
        help="keep card numbers, e-mails, dates of birth ... as said (a line on stderr says what is left in)",
    )
    p.add_argument(
        "--shared-modes",
        action="store_true",
        help="give new files and folders the permissions your umask gives (often 0644 and 0755) "
        "instead of owner-only (0600 and 0700)",
    )


def _export_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help=f"annotated reports ({_titles('report')}) and data ({_titles('data')}) for QA",
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
        help=f"{_one_of(list(FORMATS))}; repeat or comma-separate for several; "
        "or audio (the recording as .wav, .mp3 or .ogg; bleeped unless --no-redact) "
        "(default: from --out's suffix)",
    )
    p.add_argument("--out", "-o", required=True, metavar="PATH", help="a file, or a folder for several")
    _sharing_options(p, "hide what `reviewer redaction CALL` lists, in every format (the default)")
    p.add_argument("--all", action="store_true", help="every call in the library")
    p.add_argument("--search", metavar="TEXT", help="only calls whose transcript says TEXT")
    p.add_argument("--agent", metavar="NAME", help="only calls taken by this agent")
    p.add_argument(
        "--status",
        choices=list(REVIEW_STATUSES),
        help="only calls with this status",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="don't list the files written")
    p.add_argument(
        "--labels",
        action="store_true",
        help="instead: the chosen calls' refusal labels as one JSON file, in the format "
        "reviewer train-refusals learns from (redacted as every export, unless --no-redact)",
    )
    p.set_defaults(func=cmd_export)


def _clip_parser(sub: argparse._SubParsersAction) -> None:
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


def _playlist_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "playlist",
        help="playlists of coaching clips: list, show, export (HTML page or folder), add, remove, move, "
        "delete",
        description="export NAME -o FILE.html writes one self-contained page with every clip's audio; "
        "-o DIR a folder of mp3 clips with playlist.csv. The audio is bleeped and the text masked where "
        "`reviewer redaction CALL` lists it for each clip's call, unless --no-redact.",
    )
    p.add_argument("action", choices=["list", "show", "export", "add", "remove", "move", "delete"])
    p.add_argument("name", nargs="?")
    p.add_argument("--out", "-o", metavar="PATH")
    _sharing_options(p, "bleep in the audio and mask in the text what each clip's call hides (the default)")
    p.add_argument("--clip", type=int, metavar="ID", help="for add, remove and move")
    p.add_argument(
        "--to", type=int, metavar="N", help="for move: the clip's new place in the playlist (1 is the first)"
    )
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_playlist)


def _redaction_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "redaction",
        help="what every redacted export of a call hides: list, add or remove a span, reset",
        description="Lists the spans every redacted export of the call hides, text and audio alike "
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


PARSERS = {
    "export": _export_parser,
    "clip": _clip_parser,
    "playlist": _playlist_parser,
    "redaction": _redaction_parser,
}
