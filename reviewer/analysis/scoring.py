"""QA scorecards: a template of weighted sections and items (yes/no, a 1–5 scale or points), some
scored automatically by a rule over what Reviewer measures, a pass mark and auto-fail items;
and the arithmetic that turns answers into a call's score. Pure: no I/O, no Qt.

A template is a dict (read from TOML by the library)::

    name = "Retention basics"
    pass_mark = 80
    [[sections]]
    id = "leaving"
    title = "Make leaving easy"
    weight = 40                      # section weights add up to 100
    [[sections.items]]
    id = "no-pushback"
    text = "No push-back after the customer asks to cancel"
    type = "yesno"                   # yesno | scale | points
    weight = 2                       # within the section; a points item has `points = N` instead
    auto_fail = true                 # failing it fails the whole call
    rule = { measure = "refusals", request = ["cancel", "close"], max = 0 }

Items without a rule are answered by a coach. See ``MEASURE_REGISTRY`` for the rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from reviewer.analysis.stretches import monologues, silences
from reviewer.analysis.trackers import SIDES, Tracker, TrackerHit, tracker_hits, tracker_problems
from reviewer.analysis.turns import speech_runs
from reviewer.labels import OUTCOME_NAMES, SENTIMENT_CHANGES, plural
from reviewer.model import Marker, Metrics, RequestOutcome, Sentiment, Transcript
from reviewer.requests import ANY, describe_kinds, request_kinds
from reviewer.settings import Settings

ITEM_TYPES = ("yesno", "scale", "points")
NA = "na"


class ScorecardError(ValueError):
    """A scorecard template or an answer that cannot be used; the message says why."""


def request_filter(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The request kinds a refusal rule counts push-backs after; () for any request."""
    value = params.get("request") or ()
    kinds = (value,) if isinstance(value, str) else tuple(value)
    return () if ANY in kinds else kinds


@dataclass(frozen=True)
class Rule:
    measure: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def describe(self, settings: Settings | None = None) -> str:
        """The rule in a coach's words. ``settings`` gives the targets a rule takes from them
        (the talk-share target); without them such a rule says "the target"."""
        return measure_named(self.measure).describe(self.params, settings)


def phrase_words(phrases: Sequence[str], most: int = 3) -> str:
    """Phrases as a coach reads them, not as patterns: "this is ~ (speaking|from)" becomes
    “this is … speaking/from”, "thank* you" “thank you”."""

    def words(pattern: str) -> str:
        text = re.sub(
            r"\(([^()]*)\)\??", lambda m: "/".join(x.strip() for x in m.group(1).split("|")), pattern
        )
        text = text.replace("~", "…").replace("*", "")
        return " ".join(text.split())

    shown = [f"“{words(x)}”" for x in phrases[:most]]
    more = len(phrases) - most
    return " or ".join(shown) + (f" (or {more} more)" if more > 0 else "")


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    type: str = "yesno"
    weight: float = 1.0
    points: int = 0  # the most a "points" item gives
    auto_fail: bool = False
    na_allowed: bool = True
    rule: Rule | None = None
    #: what each answer means ("5": "Named the customer's situation and ..."), for the grader;
    #: keys are answers as stored ("yes", "no", "1".."5", points); some or all of them
    guidance: tuple[tuple[str, str], ...] = ()

    def guidance_for(self, value: str) -> str:
        """What an answer means, from the card ("" where it says nothing)."""
        return dict(self.guidance).get(value, "")

    @property
    def max_points(self) -> float:
        return float(self.points) if self.type == "points" else float(self.weight)

    @property
    def automatic(self) -> bool:
        return self.rule is not None

    def values(self) -> list[str]:
        """The answers this item takes, best first."""
        if self.type == "yesno":
            out = ["yes", "no"]
        elif self.type == "scale":
            out = ["5", "4", "3", "2", "1"]
        else:
            out = [str(n) for n in range(self.points, -1, -1)]
        return [*out, NA] if self.na_allowed else out

    def best(self) -> str:
        return self.values()[0]

    def worst(self) -> str:
        return [v for v in self.values() if v != NA][-1]

    def normalise(self, value: str) -> str:
        """An answer as stored ("yes", "3", "na"); ScorecardError naming what it takes."""
        v = str(value).strip().lower()
        v = {"y": "yes", "true": "yes", "pass": "yes", "n": "no", "false": "no", "fail": "no"}.get(v, v)
        v = {"n/a": NA, "none": NA}.get(v, v)
        if self.type == "yesno" and v in ("1", "0"):
            v = "yes" if v == "1" else "no"
        if v not in self.values():
            raise ScorecardError(f"Item {self.id!r} takes {', '.join(self.values())}, not {value!r}.")
        return v

    def points_for(self, value: str | None) -> float | None:
        """Points an answer earns; None for N/A or no answer."""
        if value is None or value == NA:
            return None
        if self.type == "yesno":
            return self.max_points if value == "yes" else 0.0
        if self.type == "scale":
            return round(self.weight * (int(value) - 1) / 4, 3)
        return float(int(value))

    def fails(self, value: str | None) -> bool:
        """Whether an answer is the failing one (for auto-fail items)."""
        return value is not None and value != NA and value == self.worst()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Scorecard:
    name: str
    sections: tuple[Section, ...]
    pass_mark: float = 80.0
    description: str = ""
    version: int = 0  # given by the library when stored

    def items(self) -> list[tuple[Section, Item]]:
        return [(s, i) for s in self.sections for i in s.items]

    def item(self, item_id: str) -> Item:
        for _, i in self.items():
            if i.id == item_id:
                return i
        ids = ", ".join(i.id for _, i in self.items())
        raise ScorecardError(f"Scorecard {self.name!r} has no item {item_id!r} (items: {ids}).")

    def trackers_used(self) -> set[str]:
        return {i.rule.params["tracker"] for _, i in self.items() if i.rule and i.rule.measure == "tracker"}

    def to_dict(self) -> dict[str, Any]:
        """The template as a TOML-ready dict (what ``parse_scorecard`` reads)."""
        doc: dict[str, Any] = {"name": self.name}
        if self.description:
            doc["description"] = self.description
        doc["pass_mark"] = _num(self.pass_mark)
        doc["sections"] = []
        for s in self.sections:
            items = []
            for i in s.items:
                d: dict[str, Any] = {"id": i.id, "text": i.text, "type": i.type}
                if i.type == "points":
                    d["points"] = i.points
                else:
                    d["weight"] = _num(i.weight)
                if i.auto_fail:
                    d["auto_fail"] = True
                if not i.na_allowed:
                    d["na_allowed"] = False
                if i.rule:
                    d["rule"] = {"measure": i.rule.measure, **dict(i.rule.params)}
                if i.guidance:
                    d["guidance"] = dict(i.guidance)
                items.append(d)
            doc["sections"].append({"id": s.id, "title": s.title, "weight": _num(s.weight), "items": items})
        return doc


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def parse_scorecard(doc: Mapping[str, Any], source: str = "scorecard") -> Scorecard:
    """A template from its dict form, checked whole; ScorecardError naming ``source`` and the
    first problem. Nothing half-checked gets through."""

    def fail(problem: str) -> ScorecardError:
        return ScorecardError(f"{source}: {problem}")

    if not isinstance(doc, Mapping):
        raise fail("a scorecard is a table with a name, a pass mark and sections")
    unknown = set(doc) - {"name", "description", "pass_mark", "sections", "version"}
    if unknown:
        raise fail(
            f"unknown key {sorted(unknown)[0]!r} (a scorecard has name, description, pass_mark, sections)"
        )
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("the scorecard needs a name")
    pass_mark = doc.get("pass_mark", 80)
    if not _is_number(pass_mark) or not 0 <= pass_mark <= 100:
        raise fail(f"the pass mark must be a number from 0 to 100, not {pass_mark!r}")
    sections_doc = doc.get("sections")
    if not isinstance(sections_doc, list) or not sections_doc:
        raise fail("the scorecard needs at least one section ([[sections]])")
    sections = []
    seen_items: set[str] = set()
    seen_sections: set[str] = set()
    for n, sd in enumerate(sections_doc, 1):
        if not isinstance(sd, Mapping):
            raise fail(f"section {n} is not a table")
        sid = str(sd.get("id") or f"section-{n}")
        where = f"section {sid!r}"
        unknown = set(sd) - {"id", "title", "weight", "items"}
        if unknown:
            raise fail(
                f"{where}: unknown key {sorted(unknown)[0]!r} (a section has id, title, weight, items)"
            )
        if sid in seen_sections:
            raise fail(f"duplicate section id {sid!r}")
        seen_sections.add(sid)
        weight = sd.get("weight")
        if not _is_number(weight) or weight <= 0:
            raise fail(f"{where}: the weight must be a positive number, not {weight!r}")
        items_doc = sd.get("items")
        if not isinstance(items_doc, list) or not items_doc:
            raise fail(f"{where} has no items ([[sections.items]])")
        items = []
        for m, idoc in enumerate(items_doc, 1):
            item = _parse_item(idoc, f"{where}, item {m}", fail)
            if item.id in seen_items:
                raise fail(f"duplicate item id {item.id!r}")
            seen_items.add(item.id)
            items.append(item)
        sections.append(Section(sid, str(sd.get("title") or sid), float(weight), tuple(items)))
    total = sum(s.weight for s in sections)
    if not math.isclose(total, 100.0, abs_tol=0.01):
        weights = " + ".join(f"{_num(s.weight)}" for s in sections)
        raise fail(f"the section weights add up to {_num(round(total, 2))} ({weights}), not 100")
    return Scorecard(name.strip(), tuple(sections), float(pass_mark), str(doc.get("description") or ""))


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _parse_item(doc: object, where: str, fail: Any) -> Item:  # noqa: ANN401 - the error factory
    if not isinstance(doc, Mapping):
        raise fail(f"{where} is not a table")
    iid = doc.get("id")
    if not isinstance(iid, str) or not iid.strip():
        raise fail(f"{where} needs an id")
    iid = iid.strip()
    where = f"item {iid!r}"
    allowed = {"id", "text", "type", "weight", "points", "auto_fail", "na_allowed", "rule", "guidance"}
    unknown = set(doc) - allowed
    if unknown:
        raise fail(f"{where}: unknown key {sorted(unknown)[0]!r} (an item has {', '.join(sorted(allowed))})")
    text = doc.get("text")
    if not isinstance(text, str) or not text.strip():
        raise fail(f"{where} needs a text (the question a grader answers)")
    kind = doc.get("type", "yesno")
    if kind not in ITEM_TYPES:
        raise fail(f"{where}: the type must be one of {', '.join(ITEM_TYPES)}, not {kind!r}")
    weight = doc.get("weight", 1)
    if not _is_number(weight) or weight <= 0:
        raise fail(f"{where}: the weight must be a positive number, not {weight!r}")
    points = doc.get("points", 0)
    if kind == "points":
        if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 100:
            raise fail(f"{where}: a points item needs points = a whole number from 1 to 100")
        weight = points
    for key in ("auto_fail", "na_allowed"):
        if key in doc and not isinstance(doc[key], bool):
            raise fail(f"{where}: {key} is true or false, not {doc[key]!r}")
    rule = _parse_rule(doc["rule"], where, fail) if "rule" in doc else None
    item = Item(iid, text.strip(), kind, float(weight), int(points) if kind == "points" else 0)
    guidance = _parse_guidance(doc.get("guidance", {}), item, bool(doc.get("na_allowed", True)), where, fail)
    return Item(
        iid,
        text.strip(),
        kind,
        float(weight),
        int(points) if kind == "points" else 0,
        bool(doc.get("auto_fail", False)),
        bool(doc.get("na_allowed", True)),
        rule,
        guidance,
    )


def _parse_guidance(
    doc: object,
    item: Item,
    na_allowed: bool,
    where: str,
    fail: Any,  # noqa: ANN401 - the error factory
) -> tuple[tuple[str, str], ...]:
    """``guidance = { 1 = "...", 3 = "...", 5 = "..." }`` (or yes/no): what each answer means,
    in the item's order of answers (best first)."""
    if not isinstance(doc, Mapping):
        raise fail(f'{where}: guidance is a table of answer = "what it means"')
    values = Item(item.id, item.text, item.type, item.weight, item.points, na_allowed=na_allowed).values()
    found = {}
    for key, text in doc.items():
        value = {"n/a": NA, "y": "yes", "n": "no"}.get(str(key).strip().lower(), str(key).strip().lower())
        if value not in values:
            raise fail(
                f"{where}: guidance for {key!r}, which is not one of its answers ({', '.join(values)})"
            )
        if not isinstance(text, str) or not text.strip():
            raise fail(f"{where}: the guidance for {key!r} must be text")
        found[value] = " ".join(text.split())
    return tuple((v, found[v]) for v in values if v in found)


def _parse_rule(doc: object, where: str, fail: Any) -> Rule:  # noqa: ANN401 - the error factory
    names = ", ".join(MEASURE_REGISTRY)
    if not isinstance(doc, Mapping) or "measure" not in doc:
        raise fail(f"{where}: a rule is a table with a measure ({names})")
    name = doc["measure"]
    if name not in MEASURE_REGISTRY:
        raise fail(f"{where}: unknown rule {name!r} (rules: {names})")
    measure = MEASURE_REGISTRY[name]
    params = {k: v for k, v in doc.items() if k != "measure"}
    for key, value in params.items():
        if key not in measure.params:
            raise fail(f"{where}: the {name} rule has no {key!r} (it takes {', '.join(measure.params)})")
        kinds = measure.params[key][0]
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and kinds is not bool)
        if not ok:
            raise fail(f"{where}: {name}.{key} must be {_type_name(kinds)}, not {value!r}")
        if _is_number(value) and value < 0:
            raise fail(f"{where}: {name}.{key} cannot be negative")
    needed = measure.required
    if needed and not any(k in params for k in needed):
        raise fail(f"{where}: the {name} rule needs {' or '.join(needed)}")
    side = params.get("side")
    if side is not None and side not in measure.sides:
        raise fail(f"{where}: side must be one of {', '.join(measure.sides)}, not {side!r}")
    if "min" in params and "max" in params and params["min"] > params["max"]:
        raise fail(f"{where}: {name} min is above its max")
    problem = measure.check(params) if measure.check else None
    if problem:
        raise fail(f"{where}: {problem}")
    return Rule(name, dict(params))


def _type_name(kinds: type | tuple[type, ...]) -> str:
    names = {int: "a whole number", float: "a number", str: "text", bool: "true or false", list: "a list"}
    if isinstance(kinds, tuple):
        return "a number"
    return names.get(kinds, kinds.__name__)


def _phrase_tracker(name: str, params: Mapping[str, Any]) -> Tracker:
    return Tracker(
        name,
        tuple(params["phrases"]),
        params.get("side", "agent"),
        params.get("within_first"),
        params.get("within_last"),
    )


# -- automatic results -----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What a rule found on one call: passed (None where the rule does not apply), the moments
    that show it, and a line a coach reads."""

    passed: bool | None
    evidence: tuple[tuple[float, float], ...]
    detail: str


@dataclass(frozen=True)
class CallFacts:
    """What the rules look at: the call as the analysis left it, and its tracker hits."""

    transcript: Transcript
    markers: Sequence[Marker]
    metrics: Metrics
    hits: Sequence[TrackerHit] = ()
    trackers: Sequence[str] = ()  # the names of the library's trackers
    settings: Settings = field(default_factory=Settings)
    outcomes: Sequence[RequestOutcome] = ()  # how each request ended (analysis.outcome)
    sentiment: Sentiment | None = None  # None: not judged

    @cached_property
    def runs(self) -> list:
        """Each speaker's speech runs (shared by the stretch rules)."""
        return speech_runs(self.transcript.words, self.settings)


def evaluate(rule: Rule, facts: CallFacts) -> Finding:
    return measure_named(rule.measure).evaluate(rule, facts)


# -- the measures: each one object, read by the parser, ``evaluate``, the scorecard editor and
# `reviewer scorecard show --rules` ------------------------------------------------------------

Kinds = type | tuple[type, ...]


@dataclass(frozen=True)
class Measure:
    """What a rule measures: its name in a template, its label in the scorecard editor, the
    parameters a template may give it (type and what it means; every rule is "passes when ..."),
    and how it is described to a coach and judged on a call."""

    name: str
    label: str
    params: Mapping[str, tuple[Kinds, str]]
    describe: Callable[[Mapping[str, Any], Settings | None], str]
    evaluate: Callable[[Rule, CallFacts], Finding]
    required: tuple[str, ...] = ()  # a rule gives at least one of these
    sides: tuple[str, ...] = ()  # whose speech its ``side`` may name
    check: Callable[[Mapping[str, Any]], str | None] | None = None  # a problem the types miss


def _roles(facts: CallFacts) -> dict[str, str]:
    return {s.id: s.role for s in facts.transcript.speakers}


def _describe_refusals(p: Mapping[str, Any], settings: Settings | None) -> str:
    limit = int(p.get("max", 0))
    what = "no push-back" if limit == 0 else f"at most {plural(limit, 'push-back')}"
    return f"{what} after {describe_kinds(request_filter(p))}"


def _check_refusals(p: Mapping[str, Any]) -> str | None:
    if "request" not in p:
        return None
    value = p["request"]
    kinds = [value] if isinstance(value, str) else value
    known = [ANY, *request_kinds()]
    if not kinds or not all(isinstance(k, str) for k in kinds):
        return f"refusals.request is a request kind or a list of them ({', '.join(known)})"
    for k in kinds:
        if k not in known:
            return f"unknown request {k!r} (requests: {', '.join(known)})"
    return None


def _evaluate_refusals(rule: Rule, facts: CallFacts) -> Finding:
    kinds = request_filter(rule.params)
    found = [k for k in facts.markers if k.kind == "refusal" and (not kinds or k.request in kinds)]
    limit = int(rule.params.get("max", 0))
    return Finding(
        len(found) <= limit,
        _spans(found),
        f"{plural(len(found), 'push-back')} after {describe_kinds(kinds)}, at most {limit} wanted",
    )


def _between(what: str, unit: str, p: Mapping[str, Any]) -> str:
    lo, hi = p.get("min"), p.get("max")
    if lo is not None and hi is not None:
        return f"{what} {lo:g}–{hi:g}{unit}"
    return f"{what} {'at least' if lo is not None else 'at most'} {lo if lo is not None else hi:g}{unit}"


def _describe_talk_share(p: Mapping[str, Any], settings: Settings | None) -> str:
    if p.get("min") is None and p.get("max") is None:
        if settings is None:
            return "agent talk share within the talk-share target"
        return f"agent talk share at most {settings.agent_share_target * 100:g} % (the talk-share target)"
    return _between("agent talk share", " %", p)


def _check_talk_share(p: Mapping[str, Any]) -> str | None:
    if any(p.get(k, 0) > 100 for k in ("min", "max")):
        return "agent talk share is in percent, 0 to 100"
    return None


def _evaluate_talk_share(rule: Rule, facts: CallFacts) -> Finding:
    share = facts.metrics.agent_talk_share
    if share is None:
        return Finding(None, (), "no agent speech to measure")
    pct = share * 100
    ok = rule.params.get("min", 0) <= pct <= share_limit(rule, facts.settings) * 100
    return Finding(ok, (), f"agent talk share {pct:.0f} % ({rule.describe(facts.settings)})")


def _describe_silence(p: Mapping[str, Any], settings: Settings | None) -> str:
    return f"no silence or hold over {p['max']:g} s"


def _evaluate_silence(rule: Rule, facts: CallFacts) -> Finding:
    limit = float(rule.params["max"])
    found, longest = silences(facts.runs, facts.settings.replace(silence_min=max(limit, 0.001)))
    over = [k for k in found if k.end - k.start > limit]
    return Finding(not over, _spans(over), f"longest silence {longest:.0f} s, {limit:g} s allowed")


def _describe_monologue(p: Mapping[str, Any], settings: Settings | None) -> str:
    side = p.get("side", "both")
    return f"no {'' if side == 'both' else side + ' '}monologue over {p['max']:g} s"


def _evaluate_monologue(rule: Rule, facts: CallFacts) -> Finding:
    limit = float(rule.params["max"])
    side = rule.params.get("side", "both")
    roles = _roles(facts)
    found, _ = monologues(facts.runs, facts.settings.replace(monologue_min=max(limit, 0.001)))
    over = [
        k for k in found if k.end - k.start > limit and (side == "both" or roles.get(k.speaker or "") == side)
    ]
    longest = max((k.end - k.start for k in over), default=0.0)
    detail = f"{plural(len(over), 'monologue')} over {limit:g} s" + (
        f", longest {longest:.0f} s" if over else ""
    )
    return Finding(not over, _spans(over), detail)


def _describe_overtalk(p: Mapping[str, Any], settings: Settings | None) -> str:
    return f"at most {p.get('max', 0)} overtalk stretches"


def _evaluate_overtalk(rule: Rule, facts: CallFacts) -> Finding:
    found = [k for k in facts.markers if k.kind == "overtalk"]
    limit = int(rule.params.get("max", 0))
    return Finding(
        len(found) <= limit,
        _spans(found),
        f"{plural(len(found), 'overtalk stretch')}, at most {limit} wanted",
    )


def _describe_response_gap(p: Mapping[str, Any], settings: Settings | None) -> str:
    return f"median response gap at most {p['max']:g} s"


def _evaluate_response_gap(rule: Rule, facts: CallFacts) -> Finding:
    gap = facts.metrics.response_gap_median
    if gap is None:
        return Finding(None, (), "no agent replies to measure")
    limit = rule.params["max"]
    return Finding(gap <= float(limit), (), f"median response gap {gap:.1f} s, {limit:g} s allowed")


def _describe_words_per_minute(p: Mapping[str, Any], settings: Settings | None) -> str:
    return _between(f"{p.get('side', 'agent')} words per minute", " wpm", p)


def _evaluate_words_per_minute(rule: Rule, facts: CallFacts) -> Finding:
    p = rule.params
    side = p.get("side", "agent")
    ids = {sid for sid, role in _roles(facts).items() if role == side}
    rates = [s for s in facts.metrics.speakers if s.speaker in ids and s.talk_seconds > 0]
    if not rates:
        return Finding(None, (), f"no {side} speech to measure")
    words = sum(s.words for s in rates)
    seconds = sum(s.talk_seconds for s in rates)
    wpm = words / seconds * 60
    ok = p.get("min", 0) <= wpm <= p.get("max", math.inf)
    return Finding(ok, (), f"{side} speaks {wpm:.0f} words per minute ({rule.describe()})")


def _describe_tracker(p: Mapping[str, Any], settings: Settings | None) -> str:
    return f"tracker {p['tracker']!r} {'said' if p.get('said', True) else 'not said'}"


def _evaluate_tracker(rule: Rule, facts: CallFacts) -> Finding:
    name = rule.params["tracker"]
    if name not in facts.trackers:
        return Finding(None, (), f"no tracker named {name!r} in this library")
    return _said(rule, [h for h in facts.hits if h.tracker == name])


def _describe_phrase(p: Mapping[str, Any], settings: Settings | None) -> str:
    window = ""
    if p.get("within_first") is not None:
        window = f" in the first {p['within_first']:g} s"
    elif p.get("within_last") is not None:
        window = f" in the last {p['within_last']:g} s"
    side = p.get("side", "agent")
    who = "someone" if side == "both" else f"the {side}"
    verb = "says" if p.get("said", True) else "never says"
    return f"{who} {verb}{window}: " + phrase_words(p["phrases"])


def _check_phrase(p: Mapping[str, Any]) -> str | None:
    phrases = p["phrases"]
    if not phrases or not all(isinstance(x, str) and x.strip() for x in phrases):
        return "phrase.phrases must be a list of phrases"
    if "within_first" in p and "within_last" in p:
        return "give within_first or within_last, not both"
    problems = tracker_problems(_phrase_tracker("phrase", p))
    return problems[0] if problems else None


def _evaluate_phrase(rule: Rule, facts: CallFacts) -> Finding:
    t = facts.transcript
    return _said(
        rule, tracker_hits([_phrase_tracker("phrase", rule.params)], t.speakers, t.turns, t.duration)
    )


def _said(rule: Rule, hits: Sequence[TrackerHit]) -> Finding:
    """A tracker or phrase rule's finding from the hits it found."""
    said = bool(hits)
    spans = tuple((h.start, h.end) for h in hits)
    what = ("said once" if len(hits) == 1 else f"said {len(hits)} times") if said else "not said"
    return Finding(said == bool(rule.params.get("said", True)), spans, f"{what}; wanted: {rule.describe()}")


DEFAULT_OUTCOMES = ("done", "escalated")  # what an outcome rule passes, unless it says


def _outcome_list(p: Mapping[str, Any]) -> tuple[str, ...]:
    value = p.get("ends", DEFAULT_OUTCOMES)
    return (value,) if isinstance(value, str) else tuple(value)


def _or_words(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _describe_outcome(p: Mapping[str, Any], settings: Settings | None) -> str:
    return f"{describe_kinds(request_filter(p))} ends {_or_words(_outcome_list(p))}"


def _check_outcome(p: Mapping[str, Any]) -> str | None:
    problem = _check_refusals(p)
    if problem:
        return problem.replace("refusals.", "outcome.")
    ends = p.get("ends", DEFAULT_OUTCOMES)
    ends = [ends] if isinstance(ends, str) else ends
    if not ends or not all(e in OUTCOME_NAMES for e in ends):
        return f"outcome.ends is a list of outcomes ({', '.join(OUTCOME_NAMES)})"
    return None


def _evaluate_outcome(rule: Rule, facts: CallFacts) -> Finding:
    kinds = request_filter(rule.params)
    wanted = _outcome_list(rule.params)
    found = [o for o in facts.outcomes if not kinds or o.kind in kinds]
    if not found:
        return Finding(None, (), f"no {describe_kinds(kinds).removeprefix('a ')} in the call")
    missed = [o for o in found if o.outcome not in wanted]
    shown = missed or found
    ended = "; ".join(f"{o.kind}: {o.outcome}" for o in found)
    return Finding(
        not missed,
        tuple((o.evidence_start, o.evidence_end) for o in shown),
        f"ended {ended} ({rule.describe()} wanted)",
    )


def _changes_allowed(p: Mapping[str, Any]) -> tuple[str, ...]:
    value = p.get("allow", ("better", "same"))
    return (value,) if isinstance(value, str) else tuple(value)


def _describe_sentiment(p: Mapping[str, Any], settings: Settings | None) -> str:
    allowed = _changes_allowed(p)
    who = p.get("side", "customer")
    if set(allowed) == {"better", "same"}:
        return f"{who} sentiment did not end worse than it started"
    return f"{who} sentiment ended {_or_words(allowed)} than it started".replace("same than", "the same as")


def _check_sentiment(p: Mapping[str, Any]) -> str | None:
    allowed = p.get("allow", ["better", "same"])
    allowed = [allowed] if isinstance(allowed, str) else allowed
    if not allowed or not all(a in SENTIMENT_CHANGES for a in allowed):
        return f"sentiment.allow is a list of changes ({', '.join(SENTIMENT_CHANGES)})"
    return None


def _evaluate_sentiment(rule: Rule, facts: CallFacts) -> Finding:
    feeling = facts.sentiment
    side = rule.params.get("side", "customer")
    trend = None if feeling is None else feeling.customer if side == "customer" else feeling.agent
    if trend is None or not trend.change or trend.start is None or trend.end is None:
        return Finding(None, (), f"no {side} sentiment judged")
    roles = _roles(facts)
    theirs = [t for t in feeling.turns if roles.get(t.speaker) == side] if feeling else []
    spans = ((theirs[0].start, theirs[0].end), (theirs[-1].start, theirs[-1].end)) if theirs else ()
    return Finding(
        trend.change in _changes_allowed(rule.params),
        spans,
        f"{side} sentiment {trend.start:+.2f} → {trend.end:+.2f}: {trend.change} ({rule.describe()} wanted)",
    )


MEASURE_REGISTRY: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "refusals",
            "refusals",
            {
                "max": (int, "at most this many push-backs (default 0)"),
                "request": (
                    (str, list),
                    "only push-backs after these requests (a list, or one; default any): "
                    + ", ".join([ANY, *request_kinds()]),
                ),
            },
            _describe_refusals,
            _evaluate_refusals,
            check=_check_refusals,
        ),
        Measure(
            "agent_talk_share",
            "agent talk share",
            {
                "min": ((int, float), "agent talk share at least this many percent"),
                "max": (
                    (int, float),
                    "agent talk share at most this many percent (default: the talk-share target in settings)",
                ),
            },
            _describe_talk_share,
            _evaluate_talk_share,
            check=_check_talk_share,
        ),
        Measure(
            "longest_silence",
            "longest silence",
            {"max": ((int, float), "no silence or hold longer than this many seconds")},
            _describe_silence,
            _evaluate_silence,
            required=("max",),
        ),
        Measure(
            "longest_monologue",
            "longest monologue",
            {
                "max": ((int, float), "no monologue longer than this many seconds"),
                "side": (str, "whose monologues: agent, customer or both (default both)"),
            },
            _describe_monologue,
            _evaluate_monologue,
            required=("max",),
            sides=SIDES,
        ),
        Measure(
            "overtalk",
            "overtalk",
            {"max": (int, "at most this many overtalk stretches (default 0)")},
            _describe_overtalk,
            _evaluate_overtalk,
        ),
        Measure(
            "response_gap",
            "response gap",
            {"max": ((int, float), "median agent response gap at most this many seconds")},
            _describe_response_gap,
            _evaluate_response_gap,
            required=("max",),
        ),
        Measure(
            "words_per_minute",
            "words per minute",
            {
                "min": ((int, float), "speaking rate at least this many words per minute"),
                "max": ((int, float), "speaking rate at most this many words per minute"),
                "side": (str, "whose rate: agent or customer (default agent)"),
            },
            _describe_words_per_minute,
            _evaluate_words_per_minute,
            required=("min", "max"),
            sides=("agent", "customer"),
        ),
        Measure(
            "tracker",
            "tracker",
            {
                "tracker": (str, "the name of a phrase tracker"),
                "said": (bool, "passes when it was said (true, default) or not said (false)"),
            },
            _describe_tracker,
            _evaluate_tracker,
            required=("tracker",),
        ),
        Measure(
            "phrase",
            "phrase",
            {
                "phrases": (list, "phrases in the syntax of phrases.toml"),
                "said": (bool, "passes when one was said (true, default) or none was (false)"),
                "side": (str, "who says it: agent, customer or both (default agent)"),
                "within_first": ((int, float), "only in the first this many seconds"),
                "within_last": ((int, float), "only in the last this many seconds"),
            },
            _describe_phrase,
            _evaluate_phrase,
            required=("phrases",),
            sides=SIDES,
            check=_check_phrase,
        ),
        Measure(
            "outcome",
            "outcome of a request",
            {
                "request": (
                    (str, list),
                    "only these requests (a list, or one; default any): "
                    + ", ".join([ANY, *request_kinds()]),
                ),
                "ends": (
                    (str, list),
                    "passes when each such request ends so (default done or escalated): "
                    + ", ".join(OUTCOME_NAMES),
                ),
            },
            _describe_outcome,
            _evaluate_outcome,
            check=_check_outcome,
        ),
        Measure(
            "sentiment",
            "sentiment change",
            {
                "side": (str, "whose sentiment: customer (default) or agent"),
                "allow": (
                    (str, list),
                    "passes when it ended so against its start (default better or same): "
                    + ", ".join(SENTIMENT_CHANGES),
                ),
            },
            _describe_sentiment,
            _evaluate_sentiment,
            sides=("customer", "agent"),
            check=_check_sentiment,
        ),
    )
}
# measure → {parameter: (type, what it means)}, as `reviewer scorecard show --rules` lists them.
MEASURES: dict[str, Mapping[str, tuple[Kinds, str]]] = {n: m.params for n, m in MEASURE_REGISTRY.items()}


def measure_named(name: str) -> Measure:
    """The measure of a rule (a rule is checked against the registry when its template is read)."""
    return MEASURE_REGISTRY[name]


def found_words(detail: str) -> str:
    """What a rule found, from its finding's ``detail``, without the rule the detail repeats
    (a report prints the rule beside it, in words from the template): "said once; wanted: the
    agent says …" is "said once", "agent talk share 59 % (agent talk share at most 60 %)" is
    "agent talk share 59 %". Details stored by older versions named phrases as patterns
    ("this is ~ (speaking|from)") and targets from other settings: both go with the rule."""
    found = detail.split("; wanted:", 1)[0]
    return re.sub(r" \(.*\)$", "", found).strip()


def share_limit(rule: Rule, settings: Settings) -> float:
    """The most agent talk share (0–1) an agent_talk_share rule allows: its own max, else the
    talk-share target in settings (with only a min, 100 %)."""
    p = rule.params
    if p.get("max") is not None:
        return float(p["max"]) / 100
    return 1.0 if p.get("min") is not None else settings.agent_share_target


def share_target(card: Scorecard | None, settings: Settings) -> float:
    """The talk-share target every view shows for a call: the one its scorecard judges by
    (the first agent_talk_share rule with a limit), else the one in settings. One number for
    one idea: the timeline, Metrics, the reports and the card never disagree."""
    for _, item in card.items() if card else ():
        if item.rule and item.rule.measure == "agent_talk_share" and share_limit(item.rule, settings) < 1:
            return share_limit(item.rule, settings)
    return settings.agent_share_target


def _spans(markers: Sequence[Marker]) -> tuple[tuple[float, float], ...]:
    return tuple((k.start, k.end) for k in markers)


def auto_answer(item: Item, finding: Finding) -> str | None:
    """The answer an automatic item gets from its finding: the best when it passes, the worst
    when it fails, N/A when the rule does not apply (no answer where N/A is not allowed)."""
    if finding.passed is None:
        return NA if item.na_allowed else None
    return item.best() if finding.passed else item.worst()


# -- totals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionTotal:
    """One section's part of the total: its answered points of the most they could be, and the
    share of the total it weighs (0 when nothing in it is answered yet)."""

    id: str
    title: str
    weight: float  # as the template says, out of 100
    got: float
    most: float

    @property
    def percent(self) -> float | None:
        return round(100 * self.got / self.most, 1) if self.most else None


COMPLETE, PROVISIONAL, FINAL_FAIL = "complete", "provisional", "auto-failed"


@dataclass(frozen=True)
class Total:
    total: float  # 0–100
    passed: bool  # the verdict so far (see ``state``)
    complete: bool  # every item answered (N/A counts as answered)
    auto_failed: tuple[str, ...]  # the auto-fail items that failed
    sections: tuple[SectionTotal, ...] = ()
    unanswered: int = 0
    lowest: float = 0.0  # the total the unanswered items could still bring it to, at worst
    highest: float = 0.0  # and at best

    @property
    def state(self) -> str:
        """complete: every item answered; auto-failed: an auto-fail item failed, which no answer
        still to come can undo; provisional: answers to come could change the total."""
        if self.auto_failed:
            return FINAL_FAIL
        return COMPLETE if self.complete else PROVISIONAL

    def verdict(self, pass_mark: float) -> str:
        """The verdict in words, never a bare PASSED or FAILED while it could still change:
        "PASSED", "FAILED", "FAILED (auto-fail: final)", "PROVISIONAL: 2 items to answer;
        passes so far"."""
        if self.state == FINAL_FAIL:
            return "FAILED (auto-fail: no answer can change it)"
        if self.state == COMPLETE:
            return "PASSED" if self.passed else "FAILED"
        so_far = "passes so far" if self.passed else "fails so far"
        if self.lowest >= pass_mark:
            so_far = "passes whatever they say"
        elif self.highest < pass_mark:
            so_far = "fails whatever they say"
        return f"PROVISIONAL: {plural(self.unanswered, 'item')} to answer; {so_far}"


def total(card: Scorecard, answers: Mapping[str, str | None]) -> Total:
    """The call's score from one answer per item id: each section scores the share of its
    answered items' points (N/A and unanswered items left out); sections weigh as the template
    says, those with nothing answered left out; a failed auto-fail item makes the total 0.
    Unanswered items are also tried at their worst and their best (an auto-fail item answered
    worst fails the call), to say how far answers to come could move the total."""
    now = _total(card, answers)
    missing = [i for _, i in card.items() if answers.get(i.id) is None]
    if not missing:
        return now
    worst = _total(card, {**answers, **{i.id: i.worst() for i in missing}})
    best = _total(card, {**answers, **{i.id: i.best() for i in missing}})
    return replace(now, unanswered=len(missing), lowest=worst.total, highest=best.total)


def _total(card: Scorecard, answers: Mapping[str, str | None]) -> Total:
    weighted = 0.0
    weights = 0.0
    complete = True
    failed = []
    sections = []
    for section in card.sections:
        got = most = 0.0
        for item in section.items:
            value = answers.get(item.id)
            if value is None:
                complete = False
            points = item.points_for(value)
            if points is not None:
                got += points
                most += item.max_points
            if item.auto_fail and item.fails(value):
                failed.append(item.id)
        sections.append(SectionTotal(section.id, section.title, section.weight, got, most))
        if most > 0:
            weighted += section.weight * got / most
            weights += section.weight
    score = round(100 * weighted / weights, 1) if weights else 0.0
    if failed:
        score = 0.0
    passed = bool(weights) and not failed and score >= card.pass_mark
    return Total(score, passed, complete, tuple(failed), tuple(sections), 0, score, score)
