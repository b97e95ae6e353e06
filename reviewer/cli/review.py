"""`reviewer` commands that correct and comment on a call: roles, reassign, refusal, comment,
comments. Each correction is the library's; analysis follows it there."""

from __future__ import annotations

import argparse
from typing import Any

from reviewer import actions
from reviewer.cli.common import (
    EXIT_OK,
    clock,
    comment_json,
    library_for,
    parse_time,
    print_json,
    settings_for,
)
from reviewer.errors import ReviewerError


def cmd_roles(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    settings = settings_for(args)
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        if args.swap:
            actions.corrections.swap_roles(library, call_id, settings)
        if args.speaker:
            actions.corrections.rename_speaker(
                library, call_id, args.speaker, name=args.name, role=args.role, settings=settings
            )
        elif args.name or args.role:
            raise ReviewerError("--name and --role need --speaker (for example --speaker S2).")
        doc = stored_document(library, call_id)
    _print_speakers(doc)
    return EXIT_OK


def cmd_reassign(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    settings = settings_for(args)
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        speaker = actions.corrections.speaker_ref(library, call_id, args.speaker)
        change = actions.corrections.reassign_speech(
            library, call_id, speaker, start=args.at, end=args.to, settings=settings
        )
        doc = stored_document(library, call_id)
    words = f"{change.words} word" + ("s" if change.words != 1 else "")
    print(f"{words} between {clock(change.start)} and {clock(change.end)} now said by {speaker}")
    _print_speakers(doc)
    return EXIT_OK


def cmd_refusal(args: argparse.Namespace) -> int:
    from reviewer.document import stored_document

    settings = settings_for(args)
    is_refusal = {"yes": True, "no": False, "auto": None}[args.is_refusal]
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        author = actions.review.signature(library, args.author)
        change = actions.corrections.label_refusal(
            library, call_id, args.at, is_refusal, settings=settings, author=author
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


def _print_speakers(doc: dict[str, Any]) -> None:
    for s in doc["speakers"]:
        label = f"{s['id']} {s.get('name', '')}".strip()
        print(f"{label:<20} {s['role']:<9} talks {clock(s['talk_seconds'])}")
    share = "–" if doc["agent_talk_share"] is None else f"{doc['agent_talk_share']:.0%}"
    print(f"agent talk share: {share}; refusals: {doc['metrics']['refusal_count']}")


def cmd_comment(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        comment_id = library.add_comment(
            call_id,
            start=args.at,
            end=args.to,
            text=args.text,
            author=actions.review.signature(library, args.author),
            category=args.category,
        )
    span = clock(args.at) + (f"–{clock(args.to)}" if args.to is not None else "")
    print(f"comment #{comment_id} added to call #{call_id} at {span}")
    return EXIT_OK


def cmd_comments(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        comments = library.comments(call_id)
    if args.json:
        print_json([comment_json(c) for c in comments])
        return EXIT_OK
    if not comments:
        print(f"No comments on call #{call_id} yet.")
    for c in comments:
        span = clock(c.start) + (f"–{clock(c.end)}" if c.end is not None else "")
        print(f"#{c.id:<4} {span:<11} {c.category:<10} {c.author or '–':<12} {c.text}")
    return EXIT_OK


# -- parsers --------------------------------------------------------------------------------


def _roles_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("roles", help="show or correct who is the agent; analysis follows")
    p.add_argument("call")
    p.add_argument("--swap", action="store_true", help="swap agent and customer")
    p.add_argument("--speaker", help="the speaker to change (S1, S2 ...)")
    p.add_argument("--name", help="a name for --speaker")
    p.add_argument("--role", choices=["agent", "customer", "unknown"], help="a role for --speaker")
    p.set_defaults(func=cmd_roles)


def _reassign_parser(sub: argparse._SubParsersAction) -> None:
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


def _comment_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("comment", help="add time-stamped feedback to a call")
    p.add_argument("call")
    p.add_argument("--at", required=True, type=parse_time, help="when (1:23 or 83)")
    p.add_argument("--to", type=parse_time, help="end of a range (optional)")
    p.add_argument("--text", required=True)
    p.add_argument("--author", help="who says it (default: your user name)")
    p.add_argument("--category", default="other", choices=["praise", "improve", "compliance", "other"])
    p.set_defaults(func=cmd_comment)


def _comments_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("comments", help="a call's comments in time order")
    p.add_argument("call")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_comments)


def _refusal_parser(sub: argparse._SubParsersAction) -> None:
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


PARSERS = {
    "roles": _roles_parser,
    "reassign": _reassign_parser,
    "comment": _comment_parser,
    "comments": _comments_parser,
    "refusal": _refusal_parser,
}
