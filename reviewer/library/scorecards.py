"""QA scorecards in the library: versioned templates, every call scored automatically when it is
stored or re-analysed, coaches' answers and overrides (kept per grader, surviving re-analysis),
agents' disputes, and calibration between graders."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from reviewer.analysis.scoring import (
    NA,
    CallFacts,
    Item,
    Scorecard,
    ScorecardError,
    auto_answer,
    evaluate,
    parse_scorecard,
    total,
)
from reviewer.errors import ReviewerError
from reviewer.library.calls import now
from reviewer.model import Analysis, CallScore, ItemScore, Transcript

AUTO = "auto"  # the grader name of the rules


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


class ScorecardsMixin:
    db: Database

    # -- templates ---------------------------------------------------------------------------

    def scorecards(self) -> list[dict[str, Any]]:
        """Each scorecard's latest version: name, version, is_default, items, created_at."""
        sql = """SELECT name, max(version) AS version FROM scorecards GROUP BY name ORDER BY name"""
        out = []
        for name, version in self.db.execute(sql).fetchall():
            card = self.scorecard(name, version)
            row = self.db.execute(
                "SELECT is_default, created_at FROM scorecards WHERE name = ? AND version = ?",
                [name, version],
            ).fetchone()
            out.append(
                {
                    "name": name,
                    "version": version,
                    "default": bool(self._default_card() == name),
                    "sections": len(card.sections),
                    "items": len(card.items()),
                    "automatic": sum(1 for _, i in card.items() if i.automatic),
                    "pass_mark": card.pass_mark,
                    "created_at": row[1],
                }
            )
        return out

    def _default_card(self) -> str | None:
        row = self.db.execute(
            "SELECT name FROM scorecards WHERE is_default = 1 ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row:
            return str(row[0])
        row = self.db.execute("SELECT name FROM scorecards ORDER BY id LIMIT 1").fetchone()
        return str(row[0]) if row else None

    def card_name(self, name: str | None = None) -> str:
        """``name`` if the library has it, else the default scorecard's; a clear error otherwise."""
        if name is None:
            default = self._default_card()
            if default is None:
                raise ReviewerError("The library has no scorecard (reviewer scorecard import FILE.toml).")
            return default
        if self.db.execute("SELECT 1 FROM scorecards WHERE name = ?", [name]).fetchone() is None:
            names = ", ".join(c["name"] for c in self.scorecards()) or "none"
            raise ReviewerError(f"No scorecard named {name!r} (scorecards: {names}).")
        return name

    def scorecard(self, name: str | None = None, version: int | None = None) -> Scorecard:
        name = self.card_name(name)
        if version is None:
            row = self.db.execute(
                "SELECT version, source FROM scorecards WHERE name = ? ORDER BY version DESC LIMIT 1", [name]
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT version, source FROM scorecards WHERE name = ? AND version = ?", [name, version]
            ).fetchone()
            if row is None:
                raise ReviewerError(f"Scorecard {name!r} has no version {version}.")
        key = (name, int(row[0]), row[1])
        cache = self.__dict__.setdefault("_parsed_cards", {})  # versions never change once stored
        if key not in cache:
            card = load_scorecard_text(row[1], f"scorecard {name!r} v{row[0]}")
            cache[key] = Scorecard(card.name, card.sections, card.pass_mark, card.description, int(row[0]))
        return cache[key]

    def scorecard_source(self, name: str | None = None, version: int | None = None) -> str:
        name = self.card_name(name)
        card = self.scorecard(name, version)
        row = self.db.execute(
            "SELECT source FROM scorecards WHERE name = ? AND version = ?", [name, card.version]
        ).fetchone()
        return str(row[0])

    def save_scorecard(
        self,
        card: Scorecard,
        *,
        source: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[Scorecard, bool]:
        """Store ``card`` as a new version of its name (the first version for a new name) and
        score every call with it, in one transaction. A template the same as the latest version
        changes nothing. Returns the stored card and whether a version was made."""
        text = source if source is not None else scorecard_toml(card)
        exists = self.db.execute("SELECT 1 FROM scorecards WHERE name = ?", [card.name]).fetchone()
        if exists:
            latest = self.scorecard(card.name)
            if latest.to_dict() == card.to_dict():
                return latest, False
        with self.write() as db:
            row = db.execute("SELECT max(version) FROM scorecards WHERE name = ?", [card.name]).fetchone()
            version = (row[0] or 0) + 1
            first = db.execute("SELECT count(*) FROM scorecards").fetchone()[0] == 0
            db["scorecards"].insert(
                {
                    "name": card.name,
                    "version": version,
                    "source": text,
                    "is_default": int(first),
                    "created_at": now(),
                }
            )
            stored = Scorecard(card.name, card.sections, card.pass_mark, card.description, version)
            self._rescore(stored, progress)
        return stored, True

    def import_scorecard(
        self, path: Path, progress: Callable[[int, int], None] | None = None
    ) -> tuple[Scorecard, bool]:
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ReviewerError(f"{path}: cannot be read ({getattr(e, 'strerror', None) or e}).") from None
        card = load_scorecard_text(text, str(path))
        return self.save_scorecard(card, source=text, progress=progress)

    def set_default_scorecard(self, name: str) -> None:
        name = self.card_name(name)
        with self.write() as db:
            db.execute("UPDATE scorecards SET is_default = CASE WHEN name = ? THEN 1 ELSE 0 END", [name])

    def rescore(self, name: str | None = None, progress: Callable[[int, int], None] | None = None) -> int:
        """Score every call again with ``name``'s latest version (every scorecard without a
        name), from the stored analysis: for calls stored before the scorecard existed. Returns
        the number of calls."""
        names = [self.card_name(name)] if name else [c["name"] for c in self.scorecards()]
        with self.write():
            for n in names:
                self._rescore(self.scorecard(n), progress)
        return int(self.db.execute("SELECT count(*) FROM calls").fetchone()[0])

    def _facts(self, call_id: int, transcript: Transcript, markers, metrics, trackers) -> CallFacts:  # noqa: ANN001
        """What the rules read of a call, judged with the user's settings (the talk-share target a
        card's rule takes from them is the one the app and the reports show), not the defaults."""
        if "_scoring_settings" not in self.__dict__:
            from reviewer.settings import load_settings

            self.__dict__["_scoring_settings"] = load_settings(refusal_model=False, request_model=False)
        settings = self.__dict__["_scoring_settings"]
        return CallFacts(
            transcript, markers, metrics, self.tracker_hits(call_id), trackers, settings=settings
        )

    def _rescore(self, card: Scorecard, progress: Callable[[int, int], None] | None) -> None:
        """Inside the caller's transaction: automatic answers and totals of every call for ``card``."""
        ids = [int(r[0]) for r in self.db.execute("SELECT id FROM calls ORDER BY id").fetchall()]
        trackers = [t.name for t in self.trackers()]
        for n, call_id in enumerate(ids, 1):
            stored = self.load_call(call_id)
            facts = self._facts(call_id, stored.transcript, stored.markers, stored.metrics, trackers)
            self._store_auto(call_id, card, facts)
            if progress:
                progress(n, len(ids))

    def _rescore_tracker_rules(
        self, tracker: str, progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Inside the caller's transaction (a tracker added, changed or removed): every call
        again with each scorecard whose rules use it (``progress`` per call, and per scorecard)."""
        for c in self.scorecards():
            card = self.scorecard(c["name"])
            if tracker in card.trackers_used():
                self._rescore(card, progress)

    # -- automatic scoring -------------------------------------------------------------------

    def store_auto_scores(self, call_id: int, transcript: Transcript, analysis: Analysis) -> None:
        """Inside the caller's transaction (a call stored or re-analysed): every scorecard's
        automatic answers for this call, anew; people's answers stay."""
        names = [r[0] for r in self.db.execute("SELECT DISTINCT name FROM scorecards").fetchall()]
        if not names:
            return
        facts = self._facts(
            call_id, transcript, analysis.markers, analysis.metrics, [t.name for t in self.trackers()]
        )
        for name in names:
            self._store_auto(call_id, self.scorecard(name), facts)

    def _store_auto(self, call_id: int, card: Scorecard, facts: CallFacts) -> None:
        db = self.db
        db.execute(
            "DELETE FROM score_answers WHERE call_id = ? AND card = ? AND version = ? AND grader = ?",
            [call_id, card.name, card.version, AUTO],
        )
        stamp = now()
        rows = []
        for _, item in card.items():
            if item.rule is None:
                continue
            finding = evaluate(item.rule, facts)
            evidence = json.dumps([[round(s, 3), round(e, 3)] for s, e in finding.evidence])
            value = auto_answer(item, finding)
            rows.append(
                (call_id, card.name, card.version, item.id, AUTO, value, "", finding.detail, evidence, stamp)
            )
        # Plain SQL: this runs for every call stored, and for every call when a card changes.
        db.executemany(
            "INSERT INTO score_answers (call_id, card, version, item_id, grader, value, reason, detail, "
            "evidence_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self._refresh_total(call_id, card)

    def _refresh_total(self, call_id: int, card: Scorecard) -> None:
        """The call's current total for ``card`` (people's latest answers over the rules')."""
        chosen: dict[str, str | None] = {}
        auto: dict[str, str | None] = {}
        for item_id, grader, value in self.db.execute(
            "SELECT item_id, grader, value FROM score_answers WHERE call_id = ? AND card = ? AND version = ? "
            "ORDER BY created_at, id",
            [call_id, card.name, card.version],
        ).fetchall():
            (auto if grader == AUTO else chosen)[item_id] = value
        t = total(card, {**auto, **chosen})
        self.db.execute(
            "INSERT INTO call_scores "
            "(call_id, card, version, total, passed, complete, auto_failed, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id, card) DO UPDATE SET "
            "version = excluded.version, total = excluded.total, passed = excluded.passed, "
            "complete = excluded.complete, auto_failed = excluded.auto_failed, "
            "updated_at = excluded.updated_at",
            [
                call_id,
                card.name,
                card.version,
                t.total,
                int(t.passed),
                int(t.complete),
                ",".join(t.auto_failed),
                now(),
            ],
        )

    # -- a call's score ----------------------------------------------------------------------

    def call_card_version(self, call_id: int, name: str) -> int:
        """The version of ``name`` the call was last scored with (its latest)."""
        row = self.db.execute(
            "SELECT version FROM call_scores WHERE call_id = ? AND card = ?", [call_id, name]
        ).fetchone()
        return int(row[0]) if row else self.scorecard(name).version

    def bundled_card_update(self) -> str | None:
        """The name of the library's card when it is a card an earlier Reviewer shipped
        (``resources/scorecards/shipped/``) and this one ships another version of it, else None.
        A library keeps its card until someone imports the new one, so a QA team's scores never
        change under it; a card the team edited is theirs, and never offered an update."""
        from reviewer.resources import resource

        def card(path: Path) -> Scorecard:
            return load_scorecard_text(path.read_text("utf-8"), path.name)

        bundled = card(resource("scorecards", "default.toml"))
        if not self.db.execute("SELECT 1 FROM scorecards WHERE name = ?", [bundled.name]).fetchone():
            return None
        mine = self.scorecard(bundled.name).to_dict()
        shipped = [card(p).to_dict() for p in sorted(resource("scorecards", "shipped").glob("*.toml"))]
        return bundled.name if mine != bundled.to_dict() and mine in shipped else None

    def call_card(self, call_id: int) -> Scorecard | None:
        """The default scorecard's version this call is scored with; None without scorecards."""
        name = self._default_card()
        return self.scorecard(name, self.call_card_version(call_id, name)) if name else None

    def score(
        self, call_id: int, card: str | None = None, *, grader: str | None = None, version: int | None = None
    ) -> CallScore:
        """The call's score: each item's answer is the grader's (``grader``) or the latest any
        person gave (no grader), else the rule's; with the evidence the rule found."""
        self.call_row(call_id)  # a clear error for a call that is not there
        name = self.card_name(card)
        version = version if version is not None else self.call_card_version(call_id, name)
        template = self.scorecard(name, version)
        answers: dict[str, dict[str, dict[str, Any]]] = {}
        for r in self.db.query(
            "SELECT * FROM score_answers WHERE call_id = ? AND card = ? AND version = ? "
            "ORDER BY created_at, id",
            [call_id, name, version],
        ):
            answers.setdefault(r["item_id"], {})[r["grader"]] = r
        disputes = {
            r["item_id"]: r
            for r in self.db.query(
                "SELECT * FROM disputes WHERE call_id = ? AND card = ? AND version = ? ORDER BY id",
                [call_id, name, version],
            )
        }
        items = []
        chosen: dict[str, str | None] = {}
        for section, item in template.items():
            by = answers.get(item.id, {})
            auto = by.get(AUTO)
            people = {g: r for g, r in by.items() if g != AUTO}
            person = people.get(grader) if grader else (list(people.values())[-1] if people else None)
            value = person["value"] if person else (auto["value"] if auto else None)
            chosen[item.id] = value
            said = (
                {
                    "value": person["value"],
                    "reason": person["reason"] or "",
                    "grader": person["grader"],
                    "at": person["created_at"],
                }
                if person
                else None
            )
            dispute = disputes.get(item.id)
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
                    [{"start": s, "end": e} for s, e in json.loads(auto["evidence_json"] or "[]")]
                    if auto
                    else [],
                    (auto["detail"] or "") if auto else "",
                    auto["value"] if auto else None,
                    said if item.automatic else None,
                    None if item.automatic else said,
                    _dispute_doc(dispute) if dispute else None,
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
            [
                {"title": x.title, "weight": x.weight, "got": x.got, "most": x.most, "percent": x.percent}
                for x in t.sections
            ],
        )

    # -- people's answers --------------------------------------------------------------------

    def answer_item(
        self,
        call_id: int,
        item_id: str,
        value: str | None,
        *,
        reason: str = "",
        grader: str = "coach",
        card: str | None = None,
    ) -> dict[str, Any] | None:
        """A person's answer to an item (``value`` None: take theirs back, so the rule's or
        another grader's answer counts again). Overriding an automatic item needs a reason.
        Returns the grader's previous answer (for undo: ``restore_answer``)."""
        self.call_row(call_id)
        grader = grader.strip()
        if not grader or grader == AUTO:
            raise ReviewerError("Say who is grading (a grader name other than 'auto').")
        name = self.card_name(card)
        version = self.call_card_version(call_id, name)
        template = self.scorecard(name, version)
        try:
            item = template.item(item_id)
            if value is not None:
                value = item.normalise(value)
        except ScorecardError as e:
            raise ReviewerError(str(e)) from None
        if value is not None and item.automatic and not reason.strip():
            raise ReviewerError(f"Overriding the automatic item {item_id!r} needs a reason (--reason).")
        with self.write():
            self.touch_call(call_id)
            previous = self._answer_row(call_id, name, version, item_id, grader)
            self._put_answer(call_id, name, version, item_id, grader, value, reason.strip())
            self._refresh_total(call_id, template)
        return previous

    def restore_answer(
        self, call_id: int, card: str, item_id: str, grader: str, previous: dict[str, Any] | None
    ) -> None:
        """Put back what ``answer_item`` returned (an undo)."""
        version = self.call_card_version(call_id, card)
        with self.write():
            self.touch_call(call_id)
            value = previous["value"] if previous else None
            self._put_answer(
                call_id, card, version, item_id, grader, value, previous["reason"] if previous else ""
            )
            self._refresh_total(call_id, self.scorecard(card, version))

    def _answer_row(self, call_id: int, card: str, version: int, item_id: str, grader: str) -> dict | None:
        rows = list(
            self.db.query(
                "SELECT value, reason, created_at FROM score_answers WHERE call_id = ? AND card = ? "
                "AND version = ? AND item_id = ? AND grader = ?",
                [call_id, card, version, item_id, grader],
            )
        )
        return rows[0] if rows else None

    def _put_answer(
        self, call_id: int, card: str, version: int, item_id: str, grader: str, value: str | None, reason: str
    ) -> None:
        self.db.execute(
            "DELETE FROM score_answers "
            "WHERE call_id = ? AND card = ? AND version = ? AND item_id = ? AND grader = ?",
            [call_id, card, version, item_id, grader],
        )
        if value is not None:
            self.db["score_answers"].insert(
                {
                    "call_id": call_id,
                    "card": card,
                    "version": version,
                    "item_id": item_id,
                    "grader": grader,
                    "value": value,
                    "reason": reason,
                    "detail": "",
                    "evidence_json": "[]",
                    "created_at": now(),
                }
            )

    # -- disputes ----------------------------------------------------------------------------

    def dispute_item(
        self,
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
        name = self.card_name(card)
        version = self.call_card_version(call_id, name)
        try:
            item = self.scorecard(name, version).item(item_id)
            if value is not None:
                value = item.normalise(value)
        except ScorecardError as e:
            raise ReviewerError(str(e)) from None
        if self._open_dispute(call_id, name, item_id) is not None:
            raise ReviewerError(f"Item {item_id!r} already has an open dispute on this call.")
        with self.write() as db:
            self.touch_call(call_id)
            return int(
                db["disputes"]
                .insert(
                    {
                        "call_id": call_id,
                        "card": name,
                        "version": version,
                        "item_id": item_id,
                        "author": author.strip() or "agent",
                        "text": text.strip(),
                        "value": value,
                        "status": "open",
                        "created_at": now(),
                    }
                )
                .last_pk
            )

    def _open_dispute(self, call_id: int, card: str, item_id: str) -> dict[str, Any] | None:
        rows = list(
            self.db.query(
                "SELECT * FROM disputes WHERE call_id = ? AND card = ? AND item_id = ? AND status = 'open'",
                [call_id, card, item_id],
            )
        )
        return rows[0] if rows else None

    def resolve_dispute(
        self,
        call_id: int,
        item_id: str,
        *,
        accept: bool,
        text: str = "",
        grader: str = "coach",
        card: str | None = None,
    ) -> str | None:
        """The coach accepts an open dispute (the item takes the agent's answer, or the other
        answer of a yes/no item, as the coach's override) or rejects it with a reply. Returns
        the item's answer after an accept."""
        name = self.card_name(card)
        dispute = self._open_dispute(call_id, name, item_id)
        if dispute is None:
            raise ReviewerError(f"Item {item_id!r} has no open dispute on this call.")
        version = int(dispute["version"])
        template = self.scorecard(name, version)
        item = template.item(item_id)
        value = None
        if accept:
            value = dispute["value"]
            if value is None:
                current = next(
                    i.result for i in self.score(call_id, name, version=version).items if i.id == item_id
                )
                if item.type != "yesno":
                    raise ReviewerError(
                        f"The dispute of {item_id!r} names no answer; set one with "
                        f"reviewer score CALL --item {item_id} --set VALUE."
                    )
                value = "no" if current == "yes" else "yes"
        with self.write() as db:
            self.touch_call(call_id)
            if accept:
                reason = f"Dispute by {dispute['author']} accepted: {dispute['text']}"
                if text.strip():
                    reason += f" ({text.strip()})"
                self._put_answer(call_id, name, version, item_id, grader, value, reason)
                self._refresh_total(call_id, template)
            db["disputes"].update(
                dispute["id"],
                {
                    "status": "accepted" if accept else "rejected",
                    "reply": text.strip(),
                    "resolved_by": grader,
                    "resolved_at": now(),
                },
            )
        return value

    def disputes(self, call_id: int | None = None, status: str | None = None) -> list[dict[str, Any]]:
        where, args = [], []
        if call_id is not None:
            where.append("call_id = ?")
            args.append(call_id)
        if status is not None:
            where.append("status = ?")
            args.append(status)
        sql = "SELECT * FROM disputes" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [_dispute_doc(r) for r in self.db.query(sql, args)]

    # -- calibration -------------------------------------------------------------------------

    def calibration(self, call_id: int, card: str | None = None) -> dict[str, Any]:
        """Each person who graded the call, side by side with the rules: their answer per item
        (the rule's where they gave none), their totals, and the items where they differ."""
        name = self.card_name(card)
        version = self.call_card_version(call_id, name)
        graders = [
            r[0]
            for r in self.db.execute(
                "SELECT grader FROM score_answers "
                "WHERE call_id = ? AND card = ? AND version = ? AND grader != ? "
                "GROUP BY grader ORDER BY grader",
                [call_id, name, version, AUTO],
            ).fetchall()
        ]
        views = {g: self.score(call_id, name, grader=g, version=version) for g in graders}
        base = self.score(call_id, name, version=version)
        items = []
        for n, item in enumerate(base.items):
            answers = {g: views[g].items[n].result for g in graders}
            own = {
                g: (views[g].items[n].override or views[g].items[n].answered_by or {}).get("grader") == g
                for g in graders
            }
            items.append(
                {
                    "id": item.id,
                    "section": item.section,
                    "text": item.text,
                    "kind": item.kind,
                    "auto": item.auto_result,
                    "answers": answers,
                    "answered": own,
                    "differs": len(set(answers.values())) > 1,
                }
            )
        return {
            "call_id": call_id,
            "card": name,
            "version": version,
            "graders": graders,
            "totals": {g: {"total": v.total, "passed": v.passed} for g, v in views.items()},
            "items": items,
            "differences": sum(1 for i in items if i["differs"]),
        }


def _dispute_doc(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "call_id": r["call_id"],
        "card": r["card"],
        "version": r["version"],
        "item": r["item_id"],
        "author": r["author"],
        "text": r["text"],
        "value": r["value"],
        "status": r["status"],
        "reply": r["reply"] or "",
        "resolved_by": r["resolved_by"] or "",
        "created_at": r["created_at"],
        "resolved_at": r["resolved_at"] or "",
    }


__all__ = [
    "AUTO",
    "NA",
    "CallScore",
    "Item",
    "ItemScore",
    "ScorecardsMixin",
    "load_scorecard_text",
    "scorecard_toml",
]
