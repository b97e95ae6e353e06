"""`reviewer` commands about Reviewer itself: gui (the desktop app, which the command line is
handed and never imports), paths, models, audio-root and train-refusals."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Protocol

from reviewer.cli.common import EXIT_FAILED, EXIT_OK, library_for, settings_for
from reviewer.errors import ReviewerError


class DesktopApp(Protocol):
    """What `reviewer gui` needs of the desktop app (:mod:`reviewer.ui.app` is one): the command
    line is given it by the `reviewer` entry point (:mod:`reviewer.app_entry`) and never imports
    the app itself."""

    def has_display(self) -> bool: ...

    def run(
        self,
        *,
        library: str | None,
        open_file: str | None,
        settings_file: Path | None,
        phrases_file: Path | None,
        model: str | None,
    ) -> int: ...


def cmd_gui(args: argparse.Namespace, app: DesktopApp | None) -> int:
    if app is None:
        raise ReviewerError(
            "The desktop app opens from the reviewer command (reviewer.app_entry), not from reviewer.cli."
        )
    if not app.has_display():
        print(
            "reviewer: no display to open the app on (DISPLAY is not set). The command line works "
            "without one: reviewer --help",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if getattr(args, "file", None) and not Path(args.file).is_file():
        raise ReviewerError(f"{args.file}: file not found")
    return app.run(
        library=args.library,
        open_file=getattr(args, "file", None),
        settings_file=args.settings,
        phrases_file=args.phrases,
        model=getattr(args, "model", None),
    )


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
        with library_for(args) as library:
            extra.extend(library_dialogues(library, library.select_calls()))
    if not extra:
        raise ReviewerError(
            "No labelled calls to learn from: label refusals (reviewer refusal, or R in the app) and "
            "use --from-library, or name files written by reviewer export --labels."
        )
    paths.ensure_private_dir(target.parent)
    stats = train_team_model(extra, settings_for(args), target)
    print(
        f"Trained on {stats['examples']} agent turns, {stats['yours']} of them from your "
        f"{stats['calls']} labelled calls ({stats['your_pushback']} refusals); wrote {target}. "
        "New imports and corrections use it; `reviewer train-refusals --reset` goes back."
    )
    return EXIT_OK


def cmd_audio_root(args: argparse.Namespace) -> int:
    """Show or set the library's audio root (the team's share). Audio imported from elsewhere is
    copied under it; each machine may mount it elsewhere ([library] audio_root in settings.toml)."""
    with library_for(args) as library:
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


# -- parsers --------------------------------------------------------------------------------


def _train_refusals_parser(sub: argparse._SubParsersAction) -> None:
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


def _gui_parser(sub: argparse._SubParsersAction) -> None:
    # No func: main runs cmd_gui with the app the entry point handed it.
    p = sub.add_parser("gui", help="open the desktop app (the default with no command)")
    p.add_argument("file", nargs="?", help="a recording to open (imported first if new)")
    p.add_argument("--model", help="Whisper model for imports made in the app")


def _paths_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("paths", help="where the library, models and config live")
    p.set_defaults(func=cmd_paths)


def _audio_root_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audio-root",
        help="where a shared library keeps its calls' audio (a team share), so any machine plays them",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("folder", nargs="?", type=Path, help="the folder; imports copy their audio under it")
    g.add_argument("--clear", action="store_true", help="keep audio where it was imported from again")
    p.set_defaults(func=cmd_audio_root)


def _models_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the embedded speech models (assembling them if needed)")
    p.add_argument("--verify", action="store_true", help="check every model file's checksum")
    p.set_defaults(func=cmd_models)


PARSERS = {
    "train-refusals": _train_refusals_parser,
    "gui": _gui_parser,
    "paths": _paths_parser,
    "audio-root": _audio_root_parser,
    "models": _models_parser,
}
