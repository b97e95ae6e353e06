"""Who is who, and where each review stands: the library's people (login, name, role), each
call's submitted review and the agent's acknowledgement, the log of changes made to a score
after it was submitted, and what each person has read of their inbox. Reads return the records
of :mod:`reviewer.model`; the rules (who may do what, what a status follows) live in
``reviewer.actions.review``."""

from __future__ import annotations

from typing import Any

from reviewer.library.calls import now
from reviewer.model import Person, ReviewState, ScoreChange

#: each person's role: what they may do is decided in ``actions.review``
PERSON_ROLES = ("coach", "qa lead", "agent")


class PeopleMixin:
    """Library methods on people, reviews and read marks."""

    db: Any
    login: str

    # -- people ------------------------------------------------------------------------------

    def people(self) -> list[Person]:
        return [
            Person(r["login"], r["name"], r["role"])
            for r in self.db.query("SELECT login, name, role FROM people ORDER BY name, login")
        ]

    def person(self, login: str) -> Person | None:
        row = self.db.execute("SELECT login, name, role FROM people WHERE login = ?", [login]).fetchone()
        return Person(*row) if row else None

    def put_person(self, login: str, name: str, role: str) -> None:
        """Inside a write transaction: the person with this login, added or changed."""
        if self.db.execute("SELECT 1 FROM people WHERE login = ?", [login]).fetchone():
            self.db.execute("UPDATE people SET name = ?, role = ? WHERE login = ?", [name, role, login])
        else:
            self.db.execute(
                "INSERT INTO people (login, name, role, created_at) VALUES (?, ?, ?, ?)",
                [login, name, role, now()],
            )

    # -- reviews -----------------------------------------------------------------------------

    def review_state(self, call_id: int) -> ReviewState:
        status = self.db.execute("SELECT review_status FROM calls WHERE id = ?", [call_id]).fetchone()
        row = self.db.execute(
            "SELECT submitted_by, submitted_at, acknowledged_by, acknowledged_at FROM reviews "
            "WHERE call_id = ?",
            [call_id],
        ).fetchone()
        return ReviewState(call_id, (status[0] if status else None) or "new", *(row or (None,) * 4))

    def put_review_status(self, call_id: int, status: str) -> None:
        """Inside a write transaction: the call's review status (the caller checks the step)."""
        self.db.execute("UPDATE calls SET review_status = ? WHERE id = ?", [status, call_id])

    def mark_submitted(self, call_id: int, by: str) -> None:
        """Inside a write transaction: the review submitted by ``by`` now (acknowledgement reset)."""
        self.db.execute("DELETE FROM reviews WHERE call_id = ?", [call_id])
        self.db.execute(
            "INSERT INTO reviews (call_id, submitted_by, submitted_at) VALUES (?, ?, ?)",
            [call_id, by, now()],
        )
        self.put_review_status(call_id, "submitted")

    def mark_acknowledged(self, call_id: int, by: str) -> None:
        self.db.execute(
            "UPDATE reviews SET acknowledged_by = ?, acknowledged_at = ? WHERE call_id = ?",
            [by, now(), call_id],
        )
        self.put_review_status(call_id, "acknowledged")

    def submitted_reviews(self) -> list[ReviewState]:
        """Every submitted (or acknowledged) review, newest first."""
        rows = self.db.execute(
            "SELECT r.call_id, c.review_status, r.submitted_by, r.submitted_at, r.acknowledged_by, "
            "r.acknowledged_at FROM reviews r JOIN calls c ON c.id = r.call_id "
            "ORDER BY r.submitted_at DESC, r.call_id DESC"
        ).fetchall()
        return [ReviewState(*r) for r in rows]

    def log_score_change(
        self,
        call_id: int,
        card: str,
        item_id: str,
        person: str,
        old: str | None,
        new: str | None,
        reason: str,
    ) -> None:
        """Inside a write transaction: a change of a submitted score, with who and why."""
        self.db.execute(
            "INSERT INTO score_changes (call_id, card, item_id, person, old_value, new_value, reason, "
            "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [call_id, card, item_id, person, old, new, reason, now()],
        )

    def score_changes(self, call_id: int) -> list[ScoreChange]:
        rows = self.db.execute(
            "SELECT call_id, card, item_id, person, old_value, new_value, reason, changed_at "
            "FROM score_changes WHERE call_id = ? ORDER BY id",
            [call_id],
        ).fetchall()
        return [ScoreChange(*r) for r in rows]

    # -- read marks ---------------------------------------------------------------------------

    def read_entries(self, login: str) -> set[str]:
        return {
            r[0] for r in self.db.execute("SELECT entry FROM read_marks WHERE login = ?", [login]).fetchall()
        }

    def mark_read(self, login: str, entries: list[str]) -> None:
        """Inside a write transaction: these inbox entries read by ``login``."""
        seen = self.read_entries(login)
        stamp = now()
        self.db.executemany(
            "INSERT INTO read_marks (login, entry, read_at) VALUES (?, ?, ?)",
            [[login, e, stamp] for e in dict.fromkeys(entries) if e not in seen],
        )

    def answered_comments(self) -> list[dict[str, Any]]:
        """Comments an agent acknowledged or replied to: id, call, time, author, reply, when."""
        return list(
            self.db.query(
                "SELECT id, call_id, start_ms, author, text, reply, acknowledged_at, updated_at "
                "FROM comments WHERE reply IS NOT NULL AND reply <> '' ORDER BY updated_at DESC, id DESC"
            )
        )

    def all_disputes(self) -> list[dict[str, Any]]:
        """Every dispute of every call, newest first (the inbox reads them)."""
        return list(
            self.db.query(
                "SELECT id, call_id, card, item_id, author, text, status, reply, resolved_by, created_at, "
                "resolved_at FROM disputes ORDER BY coalesce(resolved_at, created_at) DESC, id DESC"
            )
        )
