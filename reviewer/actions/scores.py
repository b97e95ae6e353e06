"""QA scorecards as operations: versioned templates (parsed here, stored as their TOML text by the
library), every call scored automatically when it is stored or re-analysed, coaches' answers and
overrides (kept per grader, surviving re-analysis), agents' disputes, and calibration between
graders. The rules of scoring live in ``analysis.scoring``; the rows in ``library.scorecards``."""

from __future__ import annotations

import json
import tomllib
import weakref
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from reviewer.analysis.scoring import (
    NA,
    CallFacts,
    Scorecard,
    ScorecardError,
    auto_answer,
    evaluate,
    parse_scorecard,
    total,
)
from reviewer.errors import ReviewerError
from reviewer.library import Library
from reviewer.library.scorecards import AUTO
from reviewer.model import (
    Analysis,
    Calibration,
    CalibrationItem,
    CallScore,
    Evidence,
    GraderTotal,
    ItemScore,
    PersonAnswer,
    ScoreAnswer,
    ScorecardSummary,
    SectionScore,
    Transcript,
)
from reviewer.settings import Settings, load_settings

Progress = Callable[[int, int], None] | None


# -- templates ---------------------------------------------------------------------------------


def load_scorecard_text(text: str, source: str) -> Scorecard:
    """A template from TOML text; ReviewerError naming ``source`` and the problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ReviewerError(f"{source}: not valid TOML ({e}).") from None
    try:
        return parse_scorecard(doc, source)
    except ScorecardError as e:
        raise ReviewerError(f"{e}.") from None


def scorecard_toml(card: Scorecard) -> str:
    """A template as TOML (what ``load_scorecard_text`` reads back)."""
    doc = card.to_dict()
    lines = [f"name = {_toml(doc['name'])}"]
    if "description" in doc:
        lines.append(f"description = {_toml(doc['description'])}")
    lines.append(f"pass_mark = {_toml(doc['pass_mark'])}")
    for s in doc["sections"]:
        lines += ["", "[[sections]]", f"id = {_toml(s['id'])}", f"title = {_toml(s['title'])}"]
        lines.append(f"weight = {_toml(s['weight'])}")
        for i in s["items"]:
            lines += ["", "[[sections.items]]"]
            lines += [f"{k} = {_toml(v)}" for k, v in i.items()]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


@lru_cache(maxsize=256)
def _parsed(name: str, version: int, source: str) -> Scorecard:
    """A stored version parsed once: a version never changes once stored, so its text is its key."""
    card = load_scorecard_text(source, f"scorecard {name!r} v{version}")
    return Scorecard(card.name, card.sections, card.pass_mark, card.description, version)


def card_name(library: Library, name: str | None = None) -> str:
    """``name`` if the library has it, else the default scorecard's; a clear error otherwise."""
    if name is None:
        default = library.default_card()
        if default is None:
            raise ReviewerError("The library has no scorecard (reviewer scorecard import FILE.toml).")
        return default
    if not library.has_scorecard(name):
        names = ", ".join(library.scorecard_names()) or "none"
        raise ReviewerError(f"No scorecard named {name!r} (scorecards: {names}).")
    return name


def scorecard(library: Library, name: str | None = None, version: int | None = None) -> Scorecard:
    name = card_name(library, name)
    found = library.scorecard_text(name, version)
    if found is None:
        raise ReviewerError(f"Scorecard {name!r} has no version {version}.")
    return _parsed(name, *found)


def scorecard_source(library: Library, name: str | None = None, version: int | None = None) -> str:
    name = card_name(library, name)
    found = library.scorecard_text(name, version)
    if found is None:
        raise ReviewerError(f"Scorecard {name!r} has no version {version}.")
    return found[1]


def scorecards(library: Library) -> list[ScorecardSummary]:
    """Each scorecard's latest version: name, version, whether it is the default, its counts."""
    default = library.default_card()
    out = []
    for row in library.latest_scorecards():
        card = _parsed(row.name, row.version, row.source)
        out.append(
            ScorecardSummary(
                name=row.name,
                version=row.version,
                default=bool(default == row.name),
                sections=len(card.sections),
                items=len(card.items()),
                automatic=sum(1 for _, i in card.items() if i.automatic),
                pass_mark=card.pass_mark,
                created_at=row.created_at,
            )
        )
    return out


def save_scorecard(
    library: Library, card: Scorecard, *, source: str | None = None, progress: Progress = None
) -> tuple[Scorecard, bool]:
    """Store ``card`` as a new version of its name (the first version for a new name) and score
    every call with it, in one transaction. A template the same as the latest version changes
    nothing. Returns the stored card and whether a version was made."""
    text = source if source is not None else scorecard_toml(card)
    if library.has_scorecard(card.name):
        latest = scorecard(library, card.name)
        if latest.to_dict() == card.to_dict():
            return latest, False
    with library.write():
        version = library.insert_scorecard(card.name, text)
        stored = Scorecard(card.name, card.sections, card.pass_mark, card.description, version)
        _rescore(library, stored, progress)
    return stored, True


def import_scorecard(library: Library, path: Path, progress: Progress = None) -> tuple[Scorecard, bool]:
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ReviewerError(f"{path}: cannot be read ({getattr(e, 'strerror', None) or e}).") from None
    card = load_scorecard_text(text, str(path))
    return save_scorecard(library, card, source=text, progress=progress)


def set_default_scorecard(library: Library, name: str) -> None:
    library.set_default_scorecard(card_name(library, name))


def rescore(library: Library, name: str | None = None, progress: Progress = None) -> int:
    """Score every call again with ``name``'s latest version (every scorecard without a name),
    from the stored analysis: for calls stored before the scorecard existed. Returns the number
    of calls."""
    names = [card_name(library, name)] if name else library.scorecard_names()
    with library.write():
        for n in names:
            _rescore(library, scorecard(library, n), progress)
    return len(library.call_ids())


def rescore_tracker_rules(library: Library, tracker: str, progress: Progress = None) -> None:
    """Inside the caller's transaction (a tracker added, changed or removed): every call again
    with each scorecard whose rules use it (``progress`` per call, and per scorecard)."""
    for n in library.scorecard_names():
        card = scorecard(library, n)
        if tracker in card.trackers_used():
            _rescore(library, card, progress)


def bundled_card_update(library: Library) -> str | None:
    """The name of the library's card when it is a card an earlier Reviewer shipped
    (``resources/scorecards/shipped/``) and this one ships another version of it, else None. A
    library keeps its card until someone imports the new one, so a QA team's scores never change
    under it; a card the team edited is theirs, and never offered an update."""
    from reviewer.resources import resource

    def card(path: Path) -> Scorecard:
        return load_scorecard_text(path.read_text("utf-8"), path.name)

    bundled = card(resource("scorecards", "default.toml"))
    if not library.has_scorecard(bundled.name):
        return None
    mine = scorecard(library, bundled.name).to_dict()
    shipped = [card(p).to_dict() for p in sorted(resource("scorecards", "shipped").glob("*.toml"))]
    return bundled.name if mine != bundled.to_dict() and mine in shipped else None


# -- automatic scoring ---------------------------------------------------------------------------

_settings: weakref.WeakKeyDictionary[Library, Settings] = weakref.WeakKeyDictionary()


def _facts(
    library: Library, call_id: int, transcript: Transcript, analysis: Analysis, trackers: list[str]
) -> CallFacts:
    """What the rules read of a call, judged with the user's settings (the talk-share target a
    card's rule takes from them is the one the app and the reports show), not the defaults."""
    if library not in _settings:
        _settings[library] = load_settings(refusal_model=False, request_model=False)
    return CallFacts(
        transcript,
        analysis.markers,
        analysis.metrics,
        library.tracker_hits(call_id),
        trackers,
        settings=_settings[library],
        outcomes=analysis.outcomes,
        sentiment=analysis.sentiment,
    )


def _rescore(library: Library, card: Scorecard, progress: Progress) -> None:
    """Inside the caller's transaction: automatic answers and totals of every call for ``card``."""
    ids = library.call_ids()
    trackers = [t.name for t in library.trackers()]
    for n, call_id in enumerate(ids, 1):
        stored = library.load_call(call_id)
        facts = _facts(library, call_id, stored.transcript, stored.analysis, trackers)
        _store_auto(library, call_id, card, facts)
        if progress:
            progress(n, len(ids))


def store_auto_scores(library: Library, call_id: int, transcript: Transcript, analysis: Analysis) -> None:
    """Inside the caller's transaction (a call stored or re-analysed): every scorecard's
    automatic answers for this call, anew; people's answers stay."""
    names = library.scorecard_names()
    if not names:
        return
    trackers = [t.name for t in library.trackers()]
    facts = _facts(library, call_id, transcript, analysis, trackers)
    for name in names:
        _store_auto(library, call_id, scorecard(library, name), facts)


def _store_auto(library: Library, call_id: int, card: Scorecard, facts: CallFacts) -> None:
    answers = []
    for _, item in card.items():
        if item.rule is None:
            continue
        finding = evaluate(item.rule, facts)
        evidence = [[round(s, 3), round(e, 3)] for s, e in finding.evidence]
        answers.append((item.id, auto_answer(item, finding), finding.detail, evidence))
    library.replace_auto_answers(call_id, card.name, card.version, answers)
    _refresh_total(library, call_id, card)


def _refresh_total(library: Library, call_id: int, card: Scorecard) -> None:
    """The call's current total for ``card`` (people's latest answers over the rules')."""
    chosen: dict[str, str | None] = {}
    auto: dict[str, str | None] = {}
    for item_id, grader, value in library.answer_values(call_id, card.name, card.version):
        (auto if grader == AUTO else chosen)[item_id] = value
    t = total(card, {**auto, **chosen})
    library.store_total(call_id, card.name, card.version, t.total, t.passed, t.complete, t.auto_failed)


# -- a call's score ------------------------------------------------------------------------------


def call_card_version(library: Library, call_id: int, name: str) -> int:
    """The version of ``name`` the call was last scored with (its latest)."""
    version = library.scored_version(call_id, name)
    return version if version is not None else scorecard(library, name).version


def call_card(library: Library, call_id: int) -> Scorecard | None:
    """The default scorecard's version this call is scored with; None without scorecards."""
    name = library.default_card()
    return scorecard(library, name, call_card_version(library, call_id, name)) if name else None


def score(
    library: Library,
    call_id: int,
    card: str | None = None,
    *,
    grader: str | None = None,
    version: int | None = None,
) -> CallScore:
    """The call's score: each item's answer is the grader's (``grader``) or the latest any person
    gave (no grader), else the rule's; with the evidence the rule found."""
    library.call_row(call_id)  # a clear error for a call that is not there
    name = card_name(library, card)
    version = version if version is not None else call_card_version(library, call_id, name)
    template = scorecard(library, name, version)
    answers: dict[str, dict[str, ScoreAnswer]] = {}
    for r in library.answer_rows(call_id, name, version):
        answers.setdefault(r.item_id, {})[r.grader] = r
    disputes = {d.item: d for d in library.disputes(call_id, card=name, version=version)}
    items = []
    chosen: dict[str, str | None] = {}
    for section, item in template.items():
        by = answers.get(item.id, {})
        auto = by.get(AUTO)
        people = {g: r for g, r in by.items() if g != AUTO}
        person = people.get(grader) if grader else (list(people.values())[-1] if people else None)
        value = person.value if person else (auto.value if auto else None)
        chosen[item.id] = value
        said = (
            PersonAnswer(person.value, person.reason or "", person.grader, person.created_at)
            if person
            else None
        )
        items.append(
            ItemScore(
                item.id,
                section.title,
                item.text,
                item.type,
                "auto" if item.automatic else "manual",
                value,
                item.points_for(value),
                item.max_points,
                item.auto_fail,
                _evidence(auto),
                (auto.detail or "") if auto else "",
                auto.value if auto else None,
                said if item.automatic else None,
                None if item.automatic else said,
                disputes.get(item.id),
            )
        )
    t = total(template, chosen)
    return CallScore(
        call_id,
        name,
        version,
        template.pass_mark,
        t.total,
        t.passed,
        t.complete,
        list(t.auto_failed),
        grader,
        items,
        t.state,
        t.verdict(template.pass_mark),
        t.unanswered,
        t.lowest,
        t.highest,
        tuple(SectionScore(x.title, x.weight, x.got, x.most, x.percent) for x in t.sections),
        library.review_state(call_id),
    )


def item_percents(library: Library) -> tuple[Scorecard | None, dict[int, dict[str, float | None]]]:
    """For trends by item and section: the default scorecard (its latest version, which names
    them) and each scored call's percent of the points of every section ("section:ID") and item
    ("item:ID"), by the version the call is scored with and the answers that count (a person's
    latest over the rule's), as :func:`score` counts them; None for N/A or unanswered."""
    name = library.default_card()
    if name is None:
        return None, {}
    out: dict[int, dict[str, float | None]] = {}
    cards: dict[int, Scorecard | None] = {}
    seen: dict[tuple, dict[str, float | None]] = {}  # the same answers give the same percents
    for call_id, (version, answers) in library.card_answers(name).items():
        if version not in cards:
            try:
                cards[version] = scorecard(library, name, version)
            except ReviewerError:
                cards[version] = None
        template = cards[version]
        if template is None:
            continue
        auto: dict[str, str | None] = {}
        chosen: dict[str, str | None] = {}
        for item_id, grader, value in answers:
            (auto if grader == AUTO else chosen)[item_id] = value
        chosen = {**auto, **chosen}
        key = (version, tuple(sorted(chosen.items(), key=lambda kv: kv[0])))
        if key not in seen:
            values: dict[str, float | None] = {}
            # Unanswered items as N/A: a section counts neither (the same percents), and the
            # total need not try what answers to come could make of them.
            answered = {i.id: chosen.get(i.id) or NA for _, i in template.items()}
            for section in total(template, answered).sections:
                values[f"section:{section.id}"] = section.percent
            for _, item in template.items():
                points = item.points_for(chosen.get(item.id))
                values[f"item:{item.id}"] = (
                    round(100 * points / item.max_points, 1)
                    if points is not None and item.max_points
                    else None
                )
            seen[key] = values
        out[call_id] = seen[key]
    return scorecard(library, name), out


def _evidence(auto: ScoreAnswer | None) -> tuple[Evidence, ...]:
    spans = json.loads(auto.evidence_json or "[]") if auto else []
    return tuple(Evidence(s, e) for s, e in spans)


# -- people's answers ----------------------------------------------------------------------------


def answer_item(
    library: Library,
    call_id: int,
    item_id: str,
    value: str | None,
    *,
    reason: str = "",
    grader: str | None = None,
    card: str | None = None,
) -> ScoreAnswer | None:
    """A person's answer to an item (``value`` None: take theirs back, so the rule's or another
    grader's answer counts again). Overriding an automatic item needs a reason. Returns the
    grader's previous answer (for undo: ``restore_answer``)."""
    from reviewer.actions import review

    library.call_row(call_id)
    review.require_grader(library, "answer or override score items")
    grader = review.signature(library, grader)
    if not grader or grader == AUTO:
        raise ReviewerError("Say who is grading (a grader name other than 'auto').")
    state = library.review_state(call_id)
    name = card_name(library, card)
    version = call_card_version(library, call_id, name)
    template = scorecard(library, name, version)
    try:
        item = template.item(item_id)
        if value is not None:
            value = item.normalise(value)
    except ScorecardError as e:
        raise ReviewerError(str(e)) from None
    if value is not None and item.automatic and not reason.strip():
        raise ReviewerError(f"Overriding the automatic item {item_id!r} needs a reason (--reason).")
    if state.final and not reason.strip():
        raise ReviewerError(
            f"The review of call #{call_id} was submitted: changing {item_id!r} now needs a reason "
            "(--reason), which is logged."
        )
    with library.write():
        library.touch_call(call_id)
        previous = library.answer_row(call_id, name, version, item_id, grader)
        before = current_answers(library, call_id, name, version).get(item_id) if state.final else None
        library.put_answer(call_id, name, version, item_id, grader, value, reason.strip())
        _refresh_total(library, call_id, template)
        if state.final:
            after = current_answers(library, call_id, name, version).get(item_id)
            library.log_score_change(call_id, name, item_id, grader, before, after, reason.strip())
        else:
            review.started(library, call_id)
    return previous


def current_answers(library: Library, call_id: int, card: str, version: int) -> dict[str, str | None]:
    """Each answered item's answer as it counts now (the latest person's, else the rule's)."""
    auto: dict[str, str | None] = {}
    person: dict[str, str | None] = {}
    for i, grader, value in library.answer_values(call_id, card, version):
        (auto if grader == AUTO else person)[i] = value
    return {i: person[i] if person.get(i) is not None else auto.get(i) for i in {*auto, *person}}


def restore_answer(
    library: Library, call_id: int, card: str, item_id: str, grader: str, previous: ScoreAnswer | None
) -> None:
    """Put back what ``answer_item`` returned (an undo)."""
    version = call_card_version(library, call_id, card)
    with library.write():
        library.touch_call(call_id)
        value = previous.value if previous else None
        library.put_answer(
            call_id, card, version, item_id, grader, value, previous.reason if previous else ""
        )
        _refresh_total(library, call_id, scorecard(library, card, version))


# -- disputes ------------------------------------------------------------------------------------


def dispute_item(
    library: Library,
    call_id: int,
    item_id: str,
    text: str,
    *,
    author: str = "agent",
    value: str | None = None,
    card: str | None = None,
) -> int:
    """An agent disputes an item's result with a note (and the answer they think is right)."""
    if not text.strip():
        raise ReviewerError("A dispute needs a note saying why (--text).")
    name = card_name(library, card)
    version = call_card_version(library, call_id, name)
    try:
        item = scorecard(library, name, version).item(item_id)
        if value is not None:
            value = item.normalise(value)
    except ScorecardError as e:
        raise ReviewerError(str(e)) from None
    from reviewer.actions import review

    author = review.signature(library, author if author != "agent" else None)
    if library.open_dispute(call_id, name, item_id) is not None:
        raise ReviewerError(f"Item {item_id!r} already has an open dispute on this call.")
    with library.write():
        library.touch_call(call_id)
        return library.add_dispute(
            call_id, name, version, item_id, author.strip() or "agent", text.strip(), value
        )


def resolve_dispute(
    library: Library,
    call_id: int,
    item_id: str,
    *,
    accept: bool,
    text: str = "",
    grader: str | None = None,
    card: str | None = None,
) -> str | None:
    """The coach accepts an open dispute (the item takes the agent's answer, or the other answer
    of a yes/no item, as the coach's override) or rejects it with a reply. Returns the item's
    answer after an accept. On a submitted review an accepted dispute is a logged change."""
    from reviewer.actions import review

    review.require_grader(library, "decide disputes")
    grader = review.signature(library, grader)
    name = card_name(library, card)
    dispute = library.open_dispute(call_id, name, item_id)
    if dispute is None:
        raise ReviewerError(f"Item {item_id!r} has no open dispute on this call.")
    version = int(dispute.version)
    template = scorecard(library, name, version)
    item = template.item(item_id)
    value = None
    if accept:
        value = dispute.value
        if value is None:
            current = next(
                i.result for i in score(library, call_id, name, version=version).items if i.id == item_id
            )
            if item.type != "yesno":
                raise ReviewerError(
                    f"The dispute of {item_id!r} names no answer; set one with "
                    f"reviewer score CALL --item {item_id} --set VALUE."
                )
            value = "no" if current == "yes" else "yes"
    with library.write():
        library.touch_call(call_id)
        if accept:
            reason = f"Dispute by {dispute.author} accepted: {dispute.text}"
            if text.strip():
                reason += f" ({text.strip()})"
            before = current_answers(library, call_id, name, version).get(item_id)
            library.put_answer(call_id, name, version, item_id, grader, value, reason)
            _refresh_total(library, call_id, template)
            if library.review_state(call_id).final:
                library.log_score_change(call_id, name, item_id, grader, before, value, reason)
        library.close_dispute(dispute.id, "accepted" if accept else "rejected", text.strip(), grader)
    return value


# -- calibration ---------------------------------------------------------------------------------


def calibration(library: Library, call_id: int, card: str | None = None) -> Calibration:
    """Each person who graded the call, side by side with the rules: their answer per item (the
    rule's where they gave none), their totals, and the items where they differ."""
    name = card_name(library, card)
    version = call_card_version(library, call_id, name)
    graders = library.graders(call_id, name, version)
    views = {g: score(library, call_id, name, grader=g, version=version) for g in graders}
    base = score(library, call_id, name, version=version)
    items = []
    for n, item in enumerate(base.items):
        answers = {g: views[g].items[n].result for g in graders}
        own = {g: (p := views[g].items[n].person) is not None and p.grader == g for g in graders}
        items.append(
            CalibrationItem(
                id=item.id,
                section=item.section,
                text=item.text,
                kind=item.kind,
                auto=item.auto_result,
                answers=answers,
                answered=own,
                differs=len(set(answers.values())) > 1,
            )
        )
    return Calibration(
        call_id=call_id,
        card=name,
        version=version,
        graders=graders,
        totals={g: GraderTotal(v.total, v.passed) for g, v in views.items()},
        items=items,
        differences=sum(1 for i in items if i.differs),
    )
