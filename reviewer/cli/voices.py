"""`reviewer voices`: agents known by their voice (list, add, remove, enable, disable). Profiles
are biometric data, off until a coach turns them on for the library."""

from __future__ import annotations

import argparse
import sys

from reviewer.cli.common import EXIT_OK, clock, library_for, parse_time, print_json
from reviewer.errors import ReviewerError


def cmd_voices(args: argparse.Namespace) -> int:
    from reviewer.actions import voices

    with library_for(args) as library:
        if args.action == "enable":
            voices.enable(library)
            print("Voice profiles are on for this library.\n" + voices.EXPLANATION)
            return EXIT_OK
        if args.action == "disable":
            kept = len(voices.listed(library))
            delete = args.delete or (
                kept and not args.keep and _ask(f"Delete the {kept} voice profiles too?")
            )
            gone = voices.disable(library, delete=bool(delete))
            print("Voice profiles are off for this library: no voice is matched or kept any more.")
            if gone:
                print(f"Deleted every voice profile ({kept}).")
            elif kept:
                print(
                    f"{kept} voice profiles are still kept: `reviewer voices disable --delete` deletes them."
                )
            return EXIT_OK
        if args.action == "list":
            on = library.voice_profiles_on()
            found = voices.listed(library)
            if args.json:
                print_json(
                    {
                        "enabled": on,
                        "profiles": [
                            {"name": p.name, "calls": p.calls, "seconds": p.seconds, "created": p.created}
                            for p in found
                        ],
                    }
                )
                return EXIT_OK
            print(f"Voice profiles are {'on' if on else 'off'} for this library.")
            if not found:
                print("No voice profiles: reviewer voices add NAME --from-call ID makes one.")
            for p in found:
                calls = f"{p.calls} call{'s' if p.calls != 1 else ''}"
                print(f"  {p.name:<24} {calls}, {clock(p.seconds)} of speech, made {p.created[:10]}")
            return EXIT_OK
        if not args.name:
            raise ReviewerError(f"reviewer voices {args.action} needs the agent's NAME.")
        if args.action == "remove":
            voices.remove(library, args.name)
            if args.json:
                print_json({"removed": args.name})
            else:
                print(f"Deleted the voice profile of {args.name}.")
            return EXIT_OK
        if args.from_call is None:
            raise ReviewerError(
                "reviewer voices add NAME needs --from-call ID (and --start/--end for a stretch)."
            )
        added = voices.add_from_call(library, args.name, args.from_call, args.start, args.end)
    if args.json:
        print_json(
            {"name": added.name, "call": added.call_id, "seconds": added.seconds, "source": added.source}
        )
    else:
        where = "the agent's channel" if added.source == "channel" else "the marked stretch"
        speech = clock(added.seconds)
        print(f"{added.name}'s voice profile: {speech} of speech from {where} of call #{added.call_id}.")
    return EXIT_OK


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _voices_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "voices",
        help="agents known by their voice: profiles (list, add, remove, enable, disable)",
        description="A voice profile is an agent's name and a speaker embedding of their voice; on a "
        "mono call the voice that matches one is that agent, named. Biometric data: off until "
        "`reviewer voices enable`, kept only in the library, never exported. A profile is made from "
        "a stereo call's agent channel (--from-call ID) or a stretch of a call where the agent "
        "speaks (--from-call ID --start S --end E).",
    )
    p.add_argument("action", choices=["list", "add", "remove", "enable", "disable"])
    p.add_argument("name", nargs="?", help="the agent's name (add, remove)")
    p.add_argument("--from-call", metavar="ID", help="the call to take the agent's voice from")
    p.add_argument("--start", type=parse_time, metavar="T", help="start of a stretch where the agent speaks")
    p.add_argument("--end", type=parse_time, metavar="T", help="its end")
    p.add_argument("--delete", action="store_true", help="disable: delete every profile too")
    p.add_argument("--keep", action="store_true", help="disable: keep the profiles without asking")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_voices)


PARSERS = {"voices": _voices_parser}
