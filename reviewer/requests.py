"""The kinds of customer request (``resources/requests.toml``): data, not code. The refusal
finding, the scorecard rules, the editor and the reports all name requests from this one list."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from reviewer.resources import resource

ANY = "any"  # a scorecard rule's word for every kind
GENERIC = "request"  # a request recognised but not named


@dataclass(frozen=True)
class RequestKind:
    id: str
    label: str  # what the customer asks to do: "close an account"
    asked: str  # "asked to close the account"
    leaving: bool = False  # leaving the company or getting money back (not a supervisor, not "other")


@cache
def request_kinds() -> dict[str, RequestKind]:
    with resource("requests.toml").open("rb") as f:
        doc = tomllib.load(f)
    return {
        k["id"]: RequestKind(k["id"], k["label"], k["asked"], bool(k.get("leaving", False)))
        for k in doc["kinds"]
    }


def asked(kind: str) -> str:
    """How a marker says the customer asked for it: "asked to cancel"."""
    found = request_kinds().get(kind)
    return found.asked if found else f"asked for {kind.replace('_', ' ')}"


def label(kind: str) -> str:
    found = request_kinds().get(kind)
    return found.label if found else kind.replace("_", " ")


def describe_kinds(kinds: Iterable[str] | None) -> str:
    """Words for a set of kinds (None or empty: every kind): "any request", "a request to
    cancel, close an account or get a refund"."""
    kinds = list(kinds or ())
    if not kinds:
        return "any request"
    names = [label(k) for k in kinds]
    return "a request to " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1])
