"""`reviewer` commands over many calls: trends (by week or month) and phrase trackers."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from reviewer import actions
from reviewer.cli.common import EXIT_OK, counting_progress, end_progress, library_for, print_json
from reviewer.errors import ReviewerError
from reviewer.labels import plural
from reviewer.report.trend_figures import METRICS as METRIC_LIST


def cmd_trends(args: argparse.Namespace) -> int:
    from reviewer.report.trend_figures import dates_chosen, score_lines, table_lines
    from reviewer.trends import score_names, trend_rows

    since, until = args.since, args.until
    if args.pdf:
        from reviewer.report import write_atomic
        from reviewer.trends import library_trends_pdf

        with library_for(args) as library:
            data = library_trends_pdf(
                library, agent=args.agent, by=args.by, metric=args.metric or "", since=since, until=until
            )
        write_atomic(Path(args.pdf), data)
        print(f"Wrote {args.pdf} ({'agent ' + args.agent if args.agent else 'the team'}, by {args.by}).")
        return EXIT_OK
    if args.metric:
        raise ReviewerError("--metric says what --pdf charts: give --pdf FILE too.")
    with library_for(args) as library:
        rows = trend_rows(library, agent=args.agent, by=args.by, since=since, until=until)
        team = trend_rows(library, by=args.by, since=since, until=until) if args.csv and args.agent else None
        named = score_names(library) if args.items else {}
    if args.csv:
        from reviewer.report import write_atomic
        from reviewer.report.trends import trends_csv

        data = trends_csv(team, rows, args.agent) if team is not None else trends_csv(rows)
        write_atomic(Path(args.csv), data)
        who = f"the team and {args.agent}" if team is not None else "the team"
        print(f"Wrote {args.csv}: {plural(len(rows) + len(team or []), 'row')} ({who}).")
        return EXIT_OK
    if args.json:
        print_json([r.as_dict() for r in rows], ensure_ascii=True)
        return EXIT_OK
    who = f"agent {args.agent}" if args.agent else "the team"
    dates = f", {dates_chosen(since, until)}" if since or until else ""
    if not rows:
        print(f"No calls by {who}{dates}.")
        return EXIT_OK
    if args.items:
        if not named:
            raise ReviewerError("The library has no scorecard (reviewer scorecard import FILE.toml).")
        print(
            f"Scorecard trends for {who}, by {args.by}{dates}: each section's and item's mean % of its points"
        )
        for line in score_lines(rows, named):
            print(line)
        return EXIT_OK
    print(f"Trends for {who}, by {args.by}{dates}")
    for line in table_lines(rows):
        print(line)
    if any(r.requests or r.mean_sentiment_change is not None for r in rows):
        print()
        print(
            "The call at a glance: the customer's requests, the share of them that ended each way, "
            "of those to cancel or close the share done, and the customer's mean sentiment change "
            "(end − start, -2 to +2)"
        )
        for line in table_lines(rows, "glance"):
            print(line)
    return EXIT_OK


def _day(text: str) -> date:
    """A day given on the command line: 2026-03-01."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (use 2026-03-01)") from None


def cmd_tracker(args: argparse.Namespace) -> int:
    from reviewer.analysis.trackers import Tracker, tracker_line

    with library_for(args) as library:
        if args.action == "list":
            trackers = library.trackers()
            if not trackers:
                print(
                    "No trackers yet: reviewer tracker add NAME --phrase P [--phrase P ...], or a concept "
                    'tracker: reviewer tracker add NAME --example "..." --example "..." --example "..."'
                )
            for t in trackers:
                print(tracker_line(t))
            return EXIT_OK
        if not args.name:
            raise ReviewerError(f"reviewer tracker {args.action} needs the tracker's NAME.")
        if args.action == "remove":
            actions.trackers.remove_tracker(library, args.name)
            print(f"Removed the tracker {args.name!r} and its hits.")
            return EXIT_OK
        if args.within_first is not None and args.within_last is not None:
            raise ReviewerError("Give --within-first or --within-last, not both.")
        tracker = Tracker(
            args.name,
            tuple(args.phrase or ()),
            args.side,
            args.within_first,
            args.within_last,
            tuple(args.example or ()),
            args.threshold,
        )
        hits = actions.trackers.add_tracker(library, tracker, counting_progress(args, "applying to calls"))
        calls = len(library.calls_with_tracker(args.name))
    end_progress(args)
    print(f"Tracker {args.name!r}: {plural(hits, 'hit')} in {plural(calls, 'call')}.")
    return EXIT_OK


# -- parsers --------------------------------------------------------------------------------


def _tracker_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tracker",
        help="trackers: phrases or concepts (example sentences) to find in every call (list, add, remove)",
        description="A tracker is a named list of phrases (plain words, or the phrases.toml syntax: "
        "cancel* for stems, (a|b) for either, ~ for a few words between) said by the agent, the "
        "customer or either, optionally only in the first or last seconds. A concept tracker is given "
        "by three or more example sentences instead of (or beside) phrases: a turn matches when it "
        "comes close enough in meaning to one of them (--threshold, a similarity; `reviewer tracker "
        "list` shows each tracker's), so it also finds what was said in other words. Adding or changing one "
        "finds its hits in every call in the library from the stored transcripts.",
    )
    p.add_argument("action", choices=["list", "add", "remove"])
    p.add_argument("name", nargs="?")
    p.add_argument("--phrase", action="append", metavar="P", help="a phrase to find; repeat for more")
    p.add_argument(
        "--example",
        action="append",
        metavar="SENTENCE",
        help="an example sentence of a concept tracker; give three or more",
    )
    p.add_argument(
        "--threshold",
        type=float,
        metavar="S",
        help="how close in meaning a turn must come to an example (0-1; higher finds fewer)",
    )
    p.add_argument("--side", choices=["agent", "customer", "both"], default="both")
    p.add_argument("--within-first", type=float, metavar="S", help="only in the first S seconds")
    p.add_argument("--within-last", type=float, metavar="S", help="only in the last S seconds")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_tracker)


def _trends_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trends",
        help="the team's or an agent's calls by week or month: scores (by section and item too), "
        "refusals, talk share, silences, phrases, how requests ended and the customer's mood",
    )
    p.add_argument("--agent", metavar="NAME", help="only this agent's calls")
    p.add_argument("--by", choices=["week", "month"], default="week")
    p.add_argument(
        "--from",
        dest="since",
        type=_day,
        metavar="DAY",
        help="only calls recorded on or after DAY (2026-03-01)",
    )
    p.add_argument(
        "--to", dest="until", type=_day, metavar="DAY", help="only calls recorded on or before DAY"
    )
    p.add_argument(
        "--items",
        action="store_true",
        help="the default scorecard's sections and items instead: each one's mean %% of its points, "
        "per period",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", metavar="FILE", help="write the rows (with --agent, the team's too) as CSV")
    p.add_argument(
        "--pdf", metavar="FILE", help="write the dashboard's page: a chart of --metric and the periods' table"
    )
    p.add_argument(
        "--metric",
        metavar="KEY",
        help="what --pdf charts: "
        + ", ".join(m.key for m in METRIC_LIST)
        + ", section:ID or item:ID of the default scorecard (default: the first with values)",
    )
    p.set_defaults(func=cmd_trends)


PARSERS = {
    "tracker": _tracker_parser,
    "trends": _trends_parser,
}
