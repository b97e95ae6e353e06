"""`reviewer edit`: correct what a call's transcript says (kept by time beside the words as heard),
list the corrections, take one back, or undo the latest. Analysis follows at once."""

from __future__ import annotations

import argparse
import json

from reviewer import actions
from reviewer.cli.common import EXIT_OK, EXIT_USAGE, library_for, parse_time, settings_for
from reviewer.labels import clock as _clock
from reviewer.model import TranscriptEdit


def clock(seconds: float) -> str:
    """Edits are often a word long: their times in tenths of a second."""
    return _clock(seconds, tenths=True)


def _edit_line(e: TranscriptEdit, heard: str) -> str:
    who = f" by {e.author}" if e.author else ""
    when = f" on {e.created_at[:16].replace('T', ' ')}" if e.created_at else ""
    said = f'"{e.text}"' if e.text else "(words removed)"
    return f'#{e.id}  {clock(e.start)}–{clock(e.end)}  {said}  (heard: "{heard}"){who}{when}'


def cmd_edit(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        if args.list:
            t = library.load_call(call_id).transcript
            if args.json:
                print(
                    json.dumps(
                        [
                            {
                                "id": e.id,
                                "start": e.start,
                                "end": e.end,
                                "text": e.text,
                                "heard": actions.edits.heard_under(t, e),
                                "speaker": e.speaker,
                                "author": e.author,
                                "created_at": e.created_at,
                            }
                            for e in t.edits
                        ],
                        indent=1,
                        ensure_ascii=False,
                    )
                )
            elif not t.edits:
                print(f"Call #{call_id}'s transcript reads as it was heard: no edits.")
            for e in [] if args.json else t.edits:
                print(_edit_line(e, actions.edits.heard_under(t, e)))
            return EXIT_OK
        if args.remove:
            change = actions.edits.remove_edits(library, call_id, args.remove, settings)
            for e in change.removed:
                print(f"Removed edit #{e.id}: {clock(e.start)}–{clock(e.end)} reads as heard again.")
        elif args.undo:
            change = actions.edits.undo_last(library, call_id, settings)
            last = change.removed[0]
            print(f'Undid edit #{last.id} at {clock(last.start)}–{clock(last.end)} ("{last.text}").')
            for e in change.added:
                print(f'  back: #{e.id} {clock(e.start)}–{clock(e.end)} "{e.text}"')
        else:
            if args.at is None or args.text is None:
                print("reviewer edit: give --at (and --to) and --text, or --list, --remove ID or --undo.")
                return EXIT_USAGE
            change = actions.edits.edit_transcript(
                library,
                call_id,
                args.text,
                start=args.at,
                end=args.to,
                speaker=None,
                author=actions.review.signature(library, args.author),
                settings=settings,
            )
            e = change.added[0] if change.added else None
            if e is None:
                print(f"{clock(change.start)}–{clock(change.end)} reads as heard again.")
            else:
                print(
                    f'Edit #{e.id}: {clock(e.start)}–{clock(e.end)} now reads "{e.text}" '
                    f'(heard: "{e.original}").'
                )
                if change.removed:
                    print(f"  (it takes in {len(change.removed)} earlier edit(s) there)")
        row = library.call_row(call_id)
    print(f"refusals: {row.refusal_count}")
    return EXIT_OK


def _edit_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "edit",
        help="correct what the transcript says; analysis, search and exports follow",
        description="Correct what a call's transcript says: the words between --at and --to (without "
        "--to, the whole turn at --at) read as --text (an empty text removes them). The words as "
        "heard are kept; the correction is kept by time and survives re-analysis and corrections of "
        "who said what. Refusals, trackers, scores, search and exports read the edited words at once.",
    )
    p.add_argument("call")
    p.add_argument("--at", type=parse_time, help="where the words start (1:23 or 83)")
    p.add_argument("--to", type=parse_time, help="where they end (default: the end of the turn at --at)")
    p.add_argument("--text", help="what was said there")
    p.add_argument("--author", help="who corrects it (default: your user name)")
    p.add_argument("--list", action="store_true", help="list the call's edits (with --json: as JSON)")
    p.add_argument("--json", action="store_true", help="with --list: the edits as JSON")
    p.add_argument("--remove", type=int, nargs="+", metavar="ID", help="take these edits away")
    p.add_argument("--undo", action="store_true", help="take back the latest edit")
    p.set_defaults(func=cmd_edit)


PARSERS = {"edit": _edit_parser}
