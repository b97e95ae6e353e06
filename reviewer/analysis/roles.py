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

_NAME = r"([A-Za-z][a-z]*(?:[-'][A-Za-z][a-z]+)?)"
# Strong forms: whatever word follows is the name, unless it is not a name at all.
_STRONG = [
    re.compile(
        r"\bmy name(?:'s| is)\s+(?:um\s+|uh\s+)?(?:(?:dr|mr|mrs|ms|miss|mister)\.?\s+)?" + _NAME, re.I
    ),
    re.compile(
        r"\b(?:you're|you are|you've been)\s+(?:speaking|talking|chatting)\s+(?:with|to)\s+" + _NAME, re.I
    ),
]
# Weaker forms: the word must look like a name (capitalised, or a known first name).
_WEAK = [
    re.compile(r"\bthis is\s+" + _NAME + r"(?:\s+([A-Za-z]+))?(?:\s+([A-Za-z]+))?", re.I),
    re.compile(
        r"(?:^|[,.!?]\s*|\b(?:hi|hello|hey|morning|afternoon|evening)\s+)"
        + _NAME
        + r"\s+(?:speaking|here)\b",
        re.I,
    ),
    re.compile(
        r"\b(?:i'm|i am|it's|it is)\s+"
        + _NAME
        + r"(?=\s*(?:[,.!?]|$|\s+(?:from|with|at|on|in|and|speaking|here|over)\b))",
        re.I,
    ),
    re.compile(r"\byou(?:'ve| have) reached\s+" + _NAME + r"(?=\s+(?:at|in|from|on|with)\b)", re.I),
]
# Words that follow these forms without being anyone's name.
_NOT_NAMES = frozenset(
    """a an the and or but so um uh just not no yes here there this that it its your our my their his her
    calling speaking from with at on in to for of about regarding concerning going glad happy sorry afraid
    sure able unable back still now today currently really very also only customer customers care
    service services support billing account accounts sales team department desk line office help
    reception member members agent representative rep advisor adviser specialist manager supervisor
    technician important available new call calls following following-up follow following regarding
    good great fine well okay ok right hi hello hey welcome thanks thank please
    i i'm you you're we we're they they're he he's she she's who who's everyone everybody someone""".split()
)
# A word after a name that makes it a company or a department, not a person.
_COMPANY_WORDS = frozenset(
    """bank banking cable mobile wireless telecom insurance energy power gas electric water utilities
    airlines airways air health healthcare medical dental clinic pharmacy home homes credit union
    financial finance capital card cards group inc ltd llc co company corporation services service
    solutions systems support customer care billing sales team department store stores shop market
    motors auto autos realty properties hotel hotels resorts travel fitness gym club streaming media
    news network networks communications internet broadband security alarm storage software cloud
    labs tech technologies savings loans mortgage lending trust partners associates logistics express
    delivery foods kitchen pharmaceuticals university college school academy""".split()
)


_CUE_AFTER = re.compile(r"\s+(?:from|with|at|speaking|here)\b", re.I)


def _looks_like_name(word: str, text: str, end: int, first_names: frozenset[str]) -> bool:
    """``word`` (ending at ``end`` in ``text``) is a person's name: capitalised, a known first
    name, or (in a lower-case transcript) followed by "from", "speaking", "here" ..."""
    if word.lower() in _NOT_NAMES or len(word) < 2:
        return False
    if word.upper() in first_names or re.split("[-']", word)[0].upper() in first_names:
        return True
    if word[0].isupper() and not text.isupper():
        return True
    return bool(_CUE_AFTER.match(text, end))


def _title(word: str) -> str:
    """mary-kate -> Mary-Kate, d'andre -> D'Andre, ELIZABETH -> Elizabeth."""
    if word.isupper():
        word = word.lower()
    word = "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
    head, sep, tail = word.partition("'")
    return head + sep + tail[:1].upper() + tail[1:] if sep and len(head) == 1 else word


def name_in(text: str, first_names: frozenset[str] = frozenset()) -> str:
    """The first name an agent introduces themselves with in ``text``, or ""."""
    for pattern in _STRONG:
        if (m := pattern.search(text)) and m.group(1).lower() not in _NOT_NAMES:
            return _title(m.group(1))
    candidates = []
    for pattern in _WEAK:
        for m in pattern.finditer(text):
            word = m.group(1)
            if not _looks_like_name(word, text, m.end(1), first_names):
                continue
            if pattern is _WEAK[0]:  # this is X [Y [Z]]
                following = []  # the words up to "from", "speaking" ...: part of the name
                for w in m.groups()[1:]:
                    if not w or w.lower() in ("from", "with", "at", "on", "in"):
                        break
                    following.append(w)
                words = [w.lower() for w in following]
                if any(w in _COMPANY_WORDS for w in words[:2]) or word.lower() in _COMPANY_WORDS:
                    continue  # "this is Northwind Cable", "this is Harper Valley Bank"
                if following and following[0][0].isupper() and words[1:2] != ["speaking"]:
                    if not (len(words) > 1 and words[1] == "here") and word.upper() not in first_names:
                        continue  # "this is Harper Valley, how can I help": a company
                    if words[0] not in ("speaking", "here") and text[m.end(1) : m.end(1) + 1] != ",":
                        if not (len(words) > 1 and words[1] in ("speaking", "here")):
                            continue
            candidates.append((m.start(), word))
    return _title(min(candidates)[1]) if candidates else ""


def introduced_name(turns: Sequence[Turn], speaker: str, first_names: frozenset[str] = frozenset()) -> str:
    """The name a speaker gives in the opening ("... my name is Ryan"), or ""."""
    opening = [t for t in turns if t.speaker == speaker]
    if not opening:
        return ""
    for t in opening:
        if t.start - opening[0].start > OPENING_SECONDS:
            break
        if name := name_in(t.text, first_names):
            return name
    return ""


def name_agent(
    speakers: Sequence[Speaker], turns: Sequence[Turn], first_names: frozenset[str] = frozenset()
) -> list[Speaker]:
    """Give an unnamed agent the name they introduce themselves with, so agents can find
    their own calls; a name the user set is kept."""
    return [
        replace(s, name=introduced_name(turns, s.id, first_names)) if s.role == "agent" and not s.name else s
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
