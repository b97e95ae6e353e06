"""`reviewer` commands for QA scorecards: scorecard, score, dispute, calibration. Thin: the
library does the work (reviewer.library.scorecards)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reviewer import actions, labels
from reviewer.cli.common import EXIT_OK, counting_progress, end_progress, library_for, print_json
from reviewer.errors import ReviewerError
from reviewer.resources import resource


def cmd_scorecard(args: argparse.Namespace) -> int:
    from reviewer.analysis.scoring import MEASURES

    with library_for(args) as library:
        if args.action == "list":
            cards = actions.scores.scorecards(library)
            if args.json:
                print_json([c.as_dict() for c in cards])
                return EXIT_OK
            if not cards:
                print("No scorecards: reviewer scorecard import FILE.toml")
            bundled = actions.scores.bundled_card_update(library)
            for c in cards:
                default = "  (default)" if c.default else ""
                print(
                    f"{c.name} v{c.version}: {c.sections} sections, {c.items} items "
                    f"({c.automatic} automatic), pass mark {c.pass_mark:g}{default}"
                )
                if c.name == bundled:
                    print(
                        "  This Reviewer ships a newer version of it: `reviewer scorecard import bundled` "
                        "stores it as a new version and scores every call with it."
                    )
            return EXIT_OK
        if args.action == "import":
            if not args.target:
                raise ReviewerError("reviewer scorecard import needs the FILE.toml (or bundled).")
            path = resource("scorecards", "default.toml") if args.target == "bundled" else Path(args.target)
            card, created = actions.scores.import_scorecard(
                library, path, counting_progress(args, "scoring calls")
            )
            end_progress(args)
            if created:
                calls = library.db.execute("SELECT count(*) FROM calls").fetchone()[0]
                print(f"Scorecard {card.name!r} v{card.version} stored; {calls} call(s) scored with it.")
            else:
                print(f"Scorecard {card.name!r} v{card.version} is already the same; nothing changed.")
            return EXIT_OK
        if args.action == "rescore":
            calls = actions.scores.rescore(library, args.target, counting_progress(args, "scoring calls"))
            end_progress(args)
            print(f"Scored {calls} call(s) again.")
            return EXIT_OK
        if args.action == "default":
            actions.scores.set_default_scorecard(library, args.target or "")
            print(f"{args.target!r} is now the default scorecard.")
            return EXIT_OK
        card = actions.scores.scorecard(library, args.target, args.version)
        if args.action == "export":
            if not args.out:
                raise ReviewerError("reviewer scorecard export needs -o FILE.toml.")
            text = actions.scores.scorecard_source(library, card.name, card.version)
            _write_text(Path(args.out), text)
            print(f"Wrote {card.name!r} v{card.version} to {args.out}")
            return EXIT_OK
    # show
    if args.json:
        print_json({"version": card.version, **card.to_dict()})
        return EXIT_OK
    print(f"{card.name} v{card.version}  (pass mark {card.pass_mark:g})")
    if card.description:
        print(f"  {card.description}")
    for s in card.sections:
        print(f"\n  {s.title} [{s.id}], weight {s.weight:g}")
        for i in s.items:
            how = f"auto: {i.rule.describe()}" if i.rule else "manual"
            flag = ", AUTO-FAIL" if i.auto_fail else ""
            kind = f"{i.type} {i.points}" if i.type == "points" else i.type
            print(f"    {i.id:<20} {kind:<8} w{i.max_points:g}{flag}  {i.text}")
            print(f"    {'':<20} {how}")
    if args.action == "show" and args.rules:
        print("\nRules:")
        for m, params in MEASURES.items():
            print(f"  {m}: " + "; ".join(f"{k} = {what}" for k, (_, what) in params.items()))
    return EXIT_OK


def _write_text(path: Path, text: str) -> None:
    """Write whole or not at all."""
    if path.is_dir():
        raise ReviewerError(f"{path} is a folder; give a file name ending in .toml.")
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_text(text, "utf-8")
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ReviewerError(f"{path}: cannot be written ({e.strerror or e}).") from None


def score_json(score) -> dict[str, Any]:  # noqa: ANN001 - library.scorecards.CallScore
    doc = score.to_dict()
    for item in doc["items"]:
        item["evidence"] = [
            {"start": round(e["start"], 2), "end": round(e["end"], 2)} for e in item["evidence"]
        ]
    return doc


def cmd_score(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        if args.item or args.set is not None or args.clear:
            if not args.item:
                raise ReviewerError("Say which item (--item ID) to --set.")
            if args.set is None and not args.clear:
                raise ReviewerError("Give the item's answer with --set VALUE (or --clear).")
            actions.scores.answer_item(
                library,
                call_id,
                args.item,
                None if args.clear else args.set,
                reason=args.reason or "",
                grader=args.grader,
                card=args.card,
            )
        score = actions.scores.score(
            library, call_id, args.card, grader=args.grader if args.view_grader else None
        )
        name = library.call_row(call_id).name
    if args.json:
        print_json(score_json(score))
        return EXIT_OK
    print(f"#{call_id} {name}: {score.headline()}")
    print(f"  {score.how_reached()}")
    section = None
    for i in score.items:
        if i.section != section:
            section = i.section
            print(f"  {section}")
        result = "–" if i.result is None else i.result
        pts = "" if i.points is None else f"{i.points:g}/{i.max_points:g}"
        times = ", ".join(labels.clock(e.start) for e in i.evidence[:6])
        print(f"    {i.id:<20} {i.kind:<6} {result:<4} {pts:<7} {i.text}")
        if i.detail:
            print(f"    {'':<20} {i.detail}" + (f"  at {times}" if times else ""))
        if i.override:
            o = i.override
            print(f"    {'':<20} overridden by {o.grader}: {o.value} ({o.reason})")
        if i.answered_by:
            print(f"    {'':<20} answered by {i.answered_by.grader}")
        if i.dispute:
            d = i.dispute
            reply = f"; {d.resolved_by}: {d.reply}" if d.reply else ""
            print(f"    {'':<20} dispute by {d.author} ({d.status}): {d.text}{reply}")
    return EXIT_OK


def cmd_dispute(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        if (args.accept or args.reject or args.text is not None) and not args.item:
            raise ReviewerError("Say which item (--item ID) the dispute is about.")
        if args.accept or args.reject:
            value = actions.scores.resolve_dispute(
                library,
                call_id,
                args.item,
                accept=bool(args.accept),
                text=args.text or "",
                grader=args.grader,
                card=args.card,
            )
            print(
                f"Dispute of {args.item!r} accepted: the item is now {value!r}."
                if args.accept
                else f"Dispute of {args.item!r} rejected."
            )
            return EXIT_OK
        if args.text is None:
            open_ = library.disputes(call_id)
            if args.json:
                print_json([d.as_dict() for d in open_])
                return EXIT_OK
            for d in open_:
                print(f"{d.item:<20} {d.status:<9} {d.author}: {d.text}")
            if not open_:
                print("No disputes on this call.")
            return EXIT_OK
        actions.scores.dispute_item(
            library,
            call_id,
            args.item,
            args.text,
            author=args.author,
            value=args.value,
            card=args.card,
        )
        print(f"Disputed {args.item!r}; a coach will accept or reject it.")
    return EXIT_OK


def cmd_calibration(args: argparse.Namespace) -> int:
    with library_for(args) as library:
        call_id = library.resolve(args.call)
        doc = actions.scores.calibration(library, call_id, args.card)
    if args.json:
        print_json(doc.as_dict())
        return EXIT_OK
    graders = doc.graders
    print(f"Calibration of call #{call_id}, {doc.card} v{doc.version}: {len(graders)} grader(s)")
    if not graders:
        print("  No one has graded this call yet (reviewer score CALL --item ID --set VALUE --grader NAME).")
        return EXIT_OK
    print(f"  {'item':<20} {'auto':<5} " + " ".join(f"{g[:10]:<10}" for g in graders))
    for i in doc.items:
        mark = "≠" if i.differs else " "
        cells = " ".join(f"{(i.answers[g] or '–') + ('*' if i.answered[g] else ''):<10}" for g in graders)
        print(f"{mark} {i.id:<20} {(i.auto or '–'):<5} {cells}")
    print(f"  {'total':<20} {'':<5} " + " ".join(f"{doc.totals[g].total:<10g}" for g in graders))
    print(f"  {doc.differences} item(s) differ; * marks a grader's own answer (else the rule's).")
    return EXIT_OK


# -- parsers --------------------------------------------------------------------------------


def _scorecard_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scorecard",
        help="QA scorecards: list, show, import, export, default, rescore",
        description="A scorecard is a TOML template of weighted sections and items (yes/no, 1-5 "
        "scale, points), with a pass mark, auto-fail items and rules that score items "
        "automatically. Importing a changed scorecard makes a new version and scores every call; "
        "rescore scores every call again (calls stored before a scorecard existed).",
    )
    p.add_argument("action", choices=["list", "show", "import", "export", "default", "rescore"])
    p.add_argument(
        "target",
        nargs="?",
        metavar="NAME|FILE",
        help="a scorecard name, or the file to import (import bundled: the card this Reviewer ships)",
    )
    p.add_argument("-o", "--out", metavar="FILE.toml", help="where export writes")
    p.add_argument("--version", type=int, help="an older version (show, export)")
    p.add_argument("--rules", action="store_true", help="show: list the rules items can use")
    p.add_argument("--json", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_scorecard)


def _score_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="a call's QA score; answer or override an item",
        description="Without --item: the call's score on the default scorecard (or --card): total, "
        "pass or fail, each item's result with the rule's evidence, overrides and disputes. With "
        "--item ID --set VALUE: a grader's answer (yes/no/na, 1-5, points); an automatic item's "
        "override needs --reason. --clear takes the grader's answer back.",
    )
    p.add_argument("call")
    p.add_argument("--card", metavar="NAME", help="a scorecard other than the default")
    p.add_argument("--item", metavar="ID")
    p.add_argument("--set", metavar="VALUE")
    p.add_argument("--clear", action="store_true", help="take the grader's answer to --item back")
    p.add_argument("--reason", metavar="TEXT")
    p.add_argument("--grader", metavar="NAME", help="who grades (default: your profile's name)")
    p.add_argument(
        "--view-grader",
        action="store_true",
        help="show the score as --grader answered it (else the latest answers)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)


def _dispute_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dispute",
        help="an agent disputes a score item; a coach accepts or rejects",
        description="With --text alone: dispute the item (an agent's note, and --value for the "
        "answer they think is right). With --accept or --reject: the coach resolves the open "
        "dispute; accepting changes the item. Without --text or a decision: the call's disputes.",
    )
    p.add_argument("call")
    p.add_argument("--item", metavar="ID")
    p.add_argument("--text", metavar="TEXT")
    p.add_argument("--value", metavar="VALUE", help="the answer the agent asks for")
    decide = p.add_mutually_exclusive_group()
    decide.add_argument("--accept", action="store_true")
    decide.add_argument("--reject", action="store_true")
    p.add_argument("--author", metavar="NAME", help="who disputes (default: your user name)")
    p.add_argument("--grader", metavar="NAME", help="who resolves (default: your user name)")
    p.add_argument("--card", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_dispute)


def _calibration_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibration", help="each grader's answers on a call side by side, and where they differ"
    )
    p.add_argument("call")
    p.add_argument("--card", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calibration)


PARSERS = {
    "scorecard": _scorecard_parser,
    "score": _score_parser,
    "dispute": _dispute_parser,
    "calibration": _calibration_parser,
}
