"""Who is who and the review's steps: `profile` (your name and role), `people` (the library's
people; a coach or QA lead gives roles), `review` (a call's review status; submit, acknowledge)
and `inbox` (what waits for you across calls)."""

from __future__ import annotations

import argparse

from reviewer import actions
from reviewer.cli.common import EXIT_OK, clock, library_for, print_json
from reviewer.errors import ReviewerError


def cmd_profile(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        if args.name or args.role:
            current = actions.review.me(library)
            name = args.name or (current.name if current else "")
            role = args.role or (current.role if current else "")
            if not role:
                raise ReviewerError("Say your role too (--role coach, qa-lead or agent).")
            person = actions.review.set_profile(library, name, role)
        else:
            person = actions.review.me(library)
        login = library.login
    if args.json:
        print_json(person.as_dict() if person else {"login": login, "name": None, "role": None})
        return EXIT_OK
    if person is None:
        print(f"{login} has no profile in this library: reviewer profile --name NAME --role ROLE")
    else:
        print(f"{person.name} ({actions.review.role_name(person.role)}), login {person.login}")
    return EXIT_OK


def cmd_people(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        if args.action == "set":
            if not args.login or not args.role:
                raise ReviewerError("reviewer people set LOGIN --role ROLE [--name NAME]")
            actions.review.set_person(library, args.login, args.name, args.role)
        people = library.people()
    if args.json:
        print_json([p.as_dict() for p in people])
        return EXIT_OK
    for p in people:
        print(f"{p.login:<16} {p.name:<20} {actions.review.role_name(p.role)}")
    if not people:
        print("No one yet: each person's first start (or reviewer profile) adds them.")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        if args.action == "submit":
            state = actions.review.submit_review(library, call_id)
        elif args.action == "acknowledge":
            state = actions.review.acknowledge_review(library, call_id)
        else:
            state = actions.review.review_state(library, call_id)
        changes = library.score_changes(call_id)
    if args.json:
        print_json({**state.as_dict(), "changes": [c.as_dict() for c in changes]})
        return EXIT_OK
    line = f"#{call_id}: {state.status}"
    if state.submitted_by:
        line += f", submitted by {state.submitted_by} ({state.submitted_at})"
    if state.acknowledged_by:
        line += f", acknowledged by {state.acknowledged_by} ({state.acknowledged_at})"
    print(line)
    for c in changes:
        change = f"{c.item_id} {c.old_value or '–'} → {c.new_value or '–'}"
        print(f"  {c.changed_at} {c.person}: {change} ({c.reason})")
    return EXIT_OK


def cmd_inbox(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        entries = actions.review.inbox(library, args.agent)
        if args.mark_read and entries:
            actions.review.mark_read(library, [e.key for e in entries if e.unread])
    if args.json:
        print_json([e.as_dict() for e in entries])
        return EXIT_OK
    if not entries:
        print("Nothing waiting for you.")
    for e in entries:
        where = (
            f"#{e.call_id}"
            + (f" at {clock(e.at)}" if e.at else "")
            + (f" [{e.item_id}]" if e.item_id else "")
        )
        print(f"{'●' if e.unread else ' '} {(e.when or '')[:16]:<16} {where:<22} {e.who}: {e.text}")
    return EXIT_OK


# -- parsers --------------------------------------------------------------------------------


def _profile_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "profile",
        help="who you are in this library: your name and role (coach, qa-lead, agent)",
        description="Without options: your profile. With --name and --role: set it (on a shared "
        "library your login is the database user, and a role other than agent is given by a coach "
        "or QA lead: reviewer people set).",
    )
    p.add_argument("--name", metavar="NAME", help="what your comments and answers are signed with")
    p.add_argument("--role", metavar="ROLE", help="coach, qa-lead or agent")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_profile)


def _people_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("people", help="the library's people and their roles; a coach or QA lead sets them")
    p.add_argument("action", nargs="?", choices=["list", "set"], default="list")
    p.add_argument("login", nargs="?", help="the person's login (on a shared library: database user)")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--role", metavar="ROLE", help="coach, qa-lead or agent")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_people)


def _review_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="a call's review: status, submit (a coach), acknowledge (the agent)",
        description="status: where the review stands (new, in review, submitted, acknowledged) and "
        "the logged changes since it was submitted. submit: the coach's score becomes final (every "
        "item answered first; a later change needs --reason). acknowledge: the agent has read it.",
    )
    p.add_argument("action", choices=["status", "submit", "acknowledge"])
    p.add_argument("call")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review)


def _inbox_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inbox",
        help="what waits for you: open disputes and agents' replies, or your submitted reviews",
    )
    p.add_argument("--agent", metavar="NAME", help="an agent's inbox (default: yours)")
    p.add_argument("--mark-read", action="store_true", help="mark every line read")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inbox)


PARSERS = {
    "profile": _profile_parser,
    "people": _people_parser,
    "review": _review_parser,
    "inbox": _inbox_parser,
}
