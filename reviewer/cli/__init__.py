"""The `reviewer` command line: a thin front door onto the pipeline, the library and the reports.

A module per group of commands owns those commands and their part of the parser (``PARSERS``:
command name -> a function that adds its subparser); :mod:`reviewer.cli.common` holds what they
share. The desktop app is not imported here: the `reviewer` entry point
(:mod:`reviewer.app_entry`) hands :func:`main` a way to find it."""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from reviewer import __version__
from reviewer.cli import admin, calls, edits, exports, people, review, scores, trends, voices
from reviewer.cli.admin import DesktopApp, cmd_gui
from reviewer.cli.common import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from reviewer.errors import Cancelled, ReviewerError

__all__ = ["EXIT_CANCELLED", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

GROUPS = (calls, review, edits, exports, admin, trends, scores, voices, people)

# The order `reviewer --help` lists the commands in. A command missing here is listed after them.
HELP_ORDER = (
    "import",
    "batch",
    "analyze",
    "calls",
    "show",
    "roles",
    "reassign",
    "edit",
    "comment",
    "comments",
    "search",
    "export",
    "refusal",
    "train-refusals",
    "gui",
    "tracker",
    "trends",
    "scorecard",
    "score",
    "dispute",
    "calibration",
    "review",
    "inbox",
    "profile",
    "people",
    "paths",
    "audio-root",
    "models",
    "clip",
    "playlist",
    "redaction",
    "voices",
)


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
    parser.add_argument(
        "--reasons",
        metavar="TOML",
        type=Path,
        help="the team's reasons for calling (replaces the default list)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    adders = {name: add for group in GROUPS for name, add in group.PARSERS.items()}
    for name in [n for n in HELP_ORDER if n in adders] + [n for n in adders if n not in HELP_ORDER]:
        adders[name](sub)
    return parser


def main(argv: list[str] | None = None, *, desktop: Callable[[], DesktopApp] | None = None) -> int:
    """Run the command ``argv`` names (default: ``sys.argv``); its exit code. ``desktop`` finds
    the desktop app, which `reviewer gui` and no command open; without it, no command prints the
    help as where there is no display."""
    parser = build_parser()
    args = parser.parse_args(argv)
    opens_app = args.command in (None, "gui")
    if args.command is None and (desktop is None or not desktop().has_display()):
        parser.print_help()
        return EXIT_OK
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if opens_app:
            return cmd_gui(args, desktop() if desktop is not None else None)
        return args.func(args)
    except ReviewerError as e:
        if isinstance(e, Cancelled):
            print("reviewer: cancelled; nothing half-done was kept", file=sys.stderr)
            return EXIT_CANCELLED
        print(f"reviewer: {e}", file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.DatabaseError as e:  # read from a damaged (or suddenly unwritable) library file
        from reviewer.library.backend import storage_problem
        from reviewer.library.store import configured_library, library_location, paths

        where = library_location(args.library) or configured_library() or paths.default_library()
        problem = storage_problem(e, str(where))
        if problem is None:
            raise
        print(f"reviewer: {problem}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(
            "\nreviewer: interrupted; calls already stored are safe, the current one was not kept",
            file=sys.stderr,
        )
        return EXIT_CANCELLED
    except BrokenPipeError:
        return EXIT_OK
