"""QA scorecards' rows: versioned templates (their TOML text), every call's automatic and people's
answers per grader, its totals, and agents' disputes. Parsing, scoring and totals are the
application's (``reviewer.actions.scores``); here they are only stored and read back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from reviewer.library.calls import now
from reviewer.model import Dispute, ScoreAnswer

AUTO = "auto"  # the grader name of the rules


@dataclass(frozen=True)
class StoredScorecard:
    """One stored version of a scorecard template."""

    name: str
    version: int
    source: str  # the TOML text
    created_at: str


class ScorecardsMixin:
    db: Database

    # -- templates ---------------------------------------------------------------------------

    def scorecard_names(self) -> list[str]:
        return [str(r[0]) for r in self.db.execute("SELECT DISTINCT name FROM scorecards ORDER BY name")]

    def has_scorecard(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM scorecards WHERE name = ?", [name]).fetchone() is not None

    def latest_scorecards(self) -> list[StoredScorecard]:
        """Each scorecard's latest version, by name."""
        sql = """SELECT s.name, s.version, s.source, s.created_at FROM scorecards s
                 JOIN (SELECT name, max(version) AS version FROM scorecards GROUP BY name) latest
                   ON latest.name = s.name AND latest.version = s.version
                 ORDER BY s.name"""
        return [StoredScorecard(n, int(v), src, at) for n, v, src, at in self.db.execute(sql).fetchall()]

    def scorecard_text(self, name: str, version: int | None = None) -> tuple[int, str] | None:
        """(version, TOML text) of ``name``'s ``version`` (its latest without one); None if none."""
        if version is None:
            row = self.db.execute(
                "SELECT version, source FROM scorecards WHERE name = ? ORDER BY version DESC LIMIT 1", [name]
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT version, source FROM scorecards WHERE name = ? AND version = ?", [name, version]
            ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def default_card(self) -> str | None:
        row = self.db.execute(
            "SELECT name FROM scorecards WHERE is_default = 1 ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row:
            return str(row[0])
        row = self.db.execute("SELECT name FROM scorecards ORDER BY id LIMIT 1").fetchone()
        return str(row[0]) if row else None

    def insert_scorecard(self, name: str, source: str) -> int:
        """Inside a write transaction: a new version of ``name`` (the first scorecard of the
        library becomes its default). Returns the version."""
        db = self.db
        row = db.execute("SELECT max(version) FROM scorecards WHERE name = ?", [name]).fetchone()
        version = (row[0] or 0) + 1
        first = db.execute("SELECT count(*) FROM scorecards").fetchone()[0] == 0
        db["scorecards"].insert(
            {
                "name": name,
                "version": version,
                "source": source,
                "is_default": int(first),
                "created_at": now(),
            }
        )
        return version

    def set_default_scorecard(self, name: str) -> None:
        with self.write() as db:
            db.execute("UPDATE scorecards SET is_default = CASE WHEN name = ? THEN 1 ELSE 0 END", [name])

    # -- answers and totals ------------------------------------------------------------------

    def replace_auto_answers(
        self, call_id: int, card: str, version: int, answers: Iterable[tuple[str, str | None, str, list]]
    ) -> None:
        """Inside a write transaction: the rules' answers for a call and card version become
        ``answers`` (item id, value, what was found in words, evidence spans)."""
        db = self.db
        db.execute(
            "DELETE FROM score_answers WHERE call_id = ? AND card = ? AND version = ? AND grader = ?",
            [call_id, card, version, AUTO],
        )
        stamp = now()
        # Plain SQL: this runs for every call stored, and for every call when a card changes.
        db.executemany(
            "INSERT INTO score_answers (call_id, card, version, item_id, grader, value, reason, detail, "
            "evidence_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (call_id, card, version, item_id, AUTO, value, "", detail, json.dumps(evidence), stamp)
                for item_id, value, detail, evidence in answers
            ],
        )

    def answer_values(self, call_id: int, card: str, version: int) -> list[tuple[str, str, str | None]]:
        """(item id, grader, value) of every answer to the call's card version, oldest first."""
        return [
            (str(i), str(g), v)
            for i, g, v in self.db.execute(
                "SELECT item_id, grader, value FROM score_answers WHERE call_id = ? AND card = ? "
                "AND version = ? ORDER BY created_at, id",
                [call_id, card, version],
            ).fetchall()
        ]

    def answer_rows(self, call_id: int, card: str, version: int) -> list[ScoreAnswer]:
        """Every answer to the call's card version (every grader's), oldest first."""
        return [
            _answer(r)
            for r in self.db.query(
                "SELECT * FROM score_answers WHERE call_id = ? AND card = ? AND version = ? "
                "ORDER BY created_at, id",
                [call_id, card, version],
            )
        ]

    def answer_row(
        self, call_id: int, card: str, version: int, item_id: str, grader: str
    ) -> ScoreAnswer | None:
        rows = list(
            self.db.query(
                "SELECT * FROM score_answers WHERE call_id = ? AND card = ? "
                "AND version = ? AND item_id = ? AND grader = ?",
                [call_id, card, version, item_id, grader],
            )
        )
        return _answer(rows[0]) if rows else None

    def put_answer(
        self, call_id: int, card: str, version: int, item_id: str, grader: str, value: str | None, reason: str
    ) -> None:
        """Inside a write transaction: ``grader``'s answer to the item (None: none)."""
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

    def graders(self, call_id: int, card: str, version: int) -> list[str]:
        """Everyone but the rules who answered an item of the call's card version, by name."""
        return [
            str(r[0])
            for r in self.db.execute(
                "SELECT grader FROM score_answers "
                "WHERE call_id = ? AND card = ? AND version = ? AND grader != ? "
                "GROUP BY grader ORDER BY grader",
                [call_id, card, version, AUTO],
            ).fetchall()
        ]

    def store_total(
        self,
        call_id: int,
        card: str,
        version: int,
        total: float,
        passed: bool,
        complete: bool,
        auto_failed: Sequence[str],
    ) -> None:
        """Inside a write transaction: the call's current total for the card."""
        self.db.execute(
            "INSERT INTO call_scores "
            "(call_id, card, version, total, passed, complete, auto_failed, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id, card) DO UPDATE SET "
            "version = excluded.version, total = excluded.total, passed = excluded.passed, "
            "complete = excluded.complete, auto_failed = excluded.auto_failed, "
            "updated_at = excluded.updated_at",
            [call_id, card, version, total, int(passed), int(complete), ",".join(auto_failed), now()],
        )

    def scored_version(self, call_id: int, card: str) -> int | None:
        """The version of ``card`` the call was last scored with; None if never."""
        row = self.db.execute(
            "SELECT version FROM call_scores WHERE call_id = ? AND card = ?", [call_id, card]
        ).fetchone()
        return int(row[0]) if row else None

    # -- disputes ----------------------------------------------------------------------------

    def add_dispute(
        self, call_id: int, card: str, version: int, item_id: str, author: str, text: str, value: str | None
    ) -> int:
        """Inside a write transaction: an open dispute. Returns its id."""
        return int(
            self.db["disputes"]
            .insert(
                {
                    "call_id": call_id,
                    "card": card,
                    "version": version,
                    "item_id": item_id,
                    "author": author,
                    "text": text,
                    "value": value,
                    "status": "open",
                    "created_at": now(),
                }
            )
            .last_pk
        )

    def open_dispute(self, call_id: int, card: str, item_id: str) -> Dispute | None:
        rows = list(
            self.db.query(
                "SELECT * FROM disputes WHERE call_id = ? AND card = ? AND item_id = ? AND status = 'open'",
                [call_id, card, item_id],
            )
        )
        return _dispute(rows[0]) if rows else None

    def close_dispute(self, dispute_id: int, status: str, reply: str, grader: str) -> None:
        """Inside a write transaction: a dispute accepted or rejected, with the coach's reply."""
        self.db["disputes"].update(
            dispute_id, {"status": status, "reply": reply, "resolved_by": grader, "resolved_at": now()}
        )

    def disputes(
        self,
        call_id: int | None = None,
        status: str | None = None,
        *,
        card: str | None = None,
        version: int | None = None,
    ) -> list[Dispute]:
        where, args = [], []
        for column, value in (("call_id", call_id), ("status", status), ("card", card), ("version", version)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM disputes" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [_dispute(r) for r in self.db.query(sql, args)]


def _answer(r: dict[str, Any]) -> ScoreAnswer:
    return ScoreAnswer(
        int(r["id"]),
        int(r["call_id"]),
        r["card"],
        int(r["version"]),
        r["item_id"],
        r["grader"],
        r["value"],
        r["reason"],
        r["detail"],
        r["evidence_json"],
        r["created_at"],
    )


def _dispute(r: dict[str, Any]) -> Dispute:
    return Dispute(
        id=r["id"],
        call_id=r["call_id"],
        card=r["card"],
        version=r["version"],
        item=r["item_id"],
        author=r["author"],
        text=r["text"],
        value=r["value"],
        status=r["status"],
        reply=r["reply"] or "",
        resolved_by=r["resolved_by"] or "",
        created_at=r["created_at"],
        resolved_at=r["resolved_at"] or "",
    )
