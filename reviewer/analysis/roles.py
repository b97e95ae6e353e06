"""Which speaker is the agent: greeting and self-introduction phrases, who answers first, and
the channel convention where the user set one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from reviewer.analysis.text import PhraseSet
from reviewer.model import Speaker, Turn
from reviewer.settings import Settings

OPENING_SECONDS = 60.0  # greetings count double in the first minute
_INTRODUCTION = re.compile(
    r"\b(?:my name is|my name's|you're speaking (?:with|to)|you are speaking (?:with|to))\s+"
    r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
    r"|\bthis is ([A-Z][a-z]+)(?=,| speaking| here)"
)


def introduced_name(turns: Sequence[Turn], speaker: str) -> str:
    """The name a speaker gives in the opening ("... my name is Ryan"), or ""."""
    opening = [t for t in turns if t.speaker == speaker]
    if not opening:
        return ""
    for t in opening:
        if t.start - opening[0].start > OPENING_SECONDS:
            break
        if m := _INTRODUCTION.search(t.text):
            return m.group(1) or m.group(2)
    return ""


def name_agent(speakers: Sequence[Speaker], turns: Sequence[Turn]) -> list[Speaker]:
    """Give an unnamed agent the name they introduce themselves with, so agents can find
    their own calls; a name the user set is kept."""
    return [
        replace(s, name=introduced_name(turns, s.id)) if s.role == "agent" and not s.name else s
        for s in speakers
    ]


def assign_roles(speakers: Sequence[Speaker], turns: Sequence[Turn], settings: Settings) -> list[Speaker]:
    speakers = list(speakers)
    if not speakers:
        return speakers
    by_channel = {s.channel: s for s in speakers if s.channel is not None}
    if settings.agent_channel in ("left", "right") and len(by_channel) == 2:
        agent_channel = 0 if settings.agent_channel == "left" else 1
        return [replace(s, role="agent" if s.channel == agent_channel else "customer") for s in speakers]
    agent_cues = PhraseSet(settings.phrases.agent)
    customer_cues = PhraseSet(settings.phrases.customer)
    first_start = {
        s.id: min((t.start for t in turns if t.speaker == s.id), default=float("inf")) for s in speakers
    }
    scores: dict[str, float] = {}
    evidence: dict[str, int] = {}
    for s in speakers:
        score = 0.0
        hits = 0
        for t in turns:
            if t.speaker != s.id:
                continue
            weight = 2.0 if t.start - first_start[s.id] <= OPENING_SECONDS else 1.0
            a, c = agent_cues.count(t.text), customer_cues.count(t.text)
            score += weight * (a - c)
            hits += a + c
        scores[s.id] = score
        evidence[s.id] = hits
    first = min(first_start, key=first_start.get)
    if first_start[first] != float("inf"):
        scores[first] += 0.5  # on inbound calls the agent answers
    if len(speakers) == 1:
        role = (
            "agent"
            if scores[speakers[0].id] > 0.5
            else "customer"
            if scores[speakers[0].id] < 0
            else "unknown"
        )
        return [replace(speakers[0], role=role)]
    agent = max(speakers, key=lambda s: (scores[s.id], -first_start[s.id]))
    return [replace(s, role="agent" if s.id == agent.id else "customer") for s in speakers]


def swap_roles(speakers: Sequence[Speaker]) -> list[Speaker]:
    """Agent becomes customer and vice versa (the coach's correction)."""
    flip = {"agent": "customer", "customer": "agent", "unknown": "unknown"}
    roles = [s.role for s in speakers]
    if "agent" not in roles and len(speakers) == 2:
        return [replace(speakers[0], role="agent"), replace(speakers[1], role="customer")]
    return [replace(s, role=flip[s.role]) for s in speakers]
