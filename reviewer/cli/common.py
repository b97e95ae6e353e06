"""What every `reviewer` command shares: exit codes, times in and out, the library and settings
the global options name, JSON and `wrote …` output, and the progress shown on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewer import labels
from reviewer.model import Comment

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


def library_for(args: argparse.Namespace):  # noqa: ANN201 - a Library, imported lazily
    """The library ``--library`` names (or the configured one), to use in a ``with`` block."""
    from reviewer.actions.library import open_library

    return open_library(args.library)


def settings_for(args: argparse.Namespace):  # noqa: ANN201 - a Settings, imported lazily
    """The settings, with ``--settings``, ``--phrases`` and ``--reasons`` over the defaults."""
    from reviewer.settings import load_settings

    return load_settings(args.settings, args.phrases, reasons_file=getattr(args, "reasons", None))


def print_json(
    doc: Any,  # noqa: ANN401 - any JSON document
    *,
    indent: int | None = 1,
    ensure_ascii: bool = False,
    default: Callable[[Any], Any] | None = None,
) -> None:
    """``doc`` as JSON on stdout, and a newline."""
    json.dump(doc, sys.stdout, indent=indent, ensure_ascii=ensure_ascii, default=default)
    sys.stdout.write("\n")


def wrote_lines(args: argparse.Namespace) -> Callable[[Path], None]:
    """A ``wrote PATH`` line on stderr per file an export writes, unless ``-q``."""

    def written(path: Path) -> None:
        if not args.quiet:
            print(f"wrote {path}", file=sys.stderr, flush=True)

    return written


def shows_progress(args: argparse.Namespace) -> bool:
    """Counting progress goes to a terminal only, and not with ``-q``."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def counting_progress(args: argparse.Namespace, doing: str) -> Callable[[int, int], None]:
    """A ``doing: done/total`` line on stderr, rewritten in place (see :func:`shows_progress`);
    :func:`end_progress` ends it."""

    def report(done: int, total: int) -> None:
        if shows_progress(args):
            print(f"\r{doing}: {done}/{total}", end="", file=sys.stderr, flush=True)

    return report


def end_progress(args: argparse.Namespace) -> None:
    if shows_progress(args):
        print(file=sys.stderr)


def comment_json(c: Comment) -> dict[str, Any]:
    """A comment as `show --json` and `comments --json` print it."""
    return {
        k: getattr(c, k)
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
    }


class Bar:
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

    def update(self, index: int, path: Path, p) -> None:  # noqa: ANN001 - a reviewer.progress.Progress
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
