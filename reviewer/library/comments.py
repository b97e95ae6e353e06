"""Comments on calls: add, edit, delete and restore (undo), checked against the call. Each
comment is read back as a :class:`~reviewer.model.Comment`."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from reviewer.errors import ReviewerError
from reviewer.labels import clock
from reviewer.library.calls import ms, now, sec
from reviewer.model import Comment

COMMENT_CATEGORIES = ("praise", "improve", "compliance", "other")


class CommentsMixin:
    """Library methods on comments."""

    db: Database
    user: str

    def add_comment(
        self,
        call_id: int,
        *,
        start: float,
        end: float | None = None,
        text: str,
        author: str = "",
        category: str = "other",
    ) -> int:
        row = self.call_row(call_id)
        self.check_comment(row.duration, start, end, text, category)
        stamp = now()
        with self.write() as db:
            # a coach's first comment puts a new call in review (m015's statuses)
            db.execute(
                "UPDATE calls SET review_status = 'in review' WHERE id = ? AND review_status = 'new'",
                [call_id],
            )
            return int(
                db["comments"]
                .insert(
                    {
                        "call_id": call_id,
                        "start_ms": ms(start),
                        "end_ms": ms(end),
                        "author": author,
                        "category": category,
                        "text": text.strip(),
                        "created_at": stamp,
                        "updated_at": stamp,
                        "changed_by": self.user,
                    }
                )
                .last_pk
            )

    def update_comment(self, comment_id: int, *, expected_version: int | None = None, **changes: Any) -> int:
        """Change a comment. With ``expected_version`` (the version the change was made on), a
        comment someone else changed or deleted meanwhile is left as it is and ConflictError
        says who. Returns the comment's new version."""
        with self.write() as db:
            version = self.check_comment_version(comment_id, expected_version)
            current = self.comment(comment_id)
            row = self.call_row(current.call_id)
            start = changes.get("start", current.start)
            end = changes.get("end", current.end)
            text = changes.get("text", current.text)
            category = changes.get("category", current.category)
            self.check_comment(row.duration, start, end, text, category)
            update = {
                "start_ms": ms(start),
                "end_ms": ms(end),
                "text": text.strip(),
                "category": category,
                "updated_at": now(),
                "version": version + 1,
                "changed_by": self.user,
            }
            for key in ("author", "reply", "acknowledged_at"):
                if key in changes:
                    update[key] = changes[key]
            db["comments"].update(comment_id, update)
        return version + 1

    def restore_comment(self, comment: Comment) -> int:
        """Put back a deleted comment exactly as it was (undo), under its old number when free."""
        c = comment
        row: dict[str, Any] = {
            "call_id": c.call_id,
            "start_ms": ms(c.start),
            "end_ms": ms(c.end),
            "author": c.author,
            "category": c.category,
            "text": c.text,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "acknowledged_at": c.acknowledged_at,
            "reply": c.reply,
            "version": c.version or 1,
            "changed_by": c.changed_by,
        }
        with self.write() as db:
            taken = db.execute("SELECT 1 FROM comments WHERE id = ?", [c.id]).fetchone()
            if not taken:
                row["id"] = c.id
            return int(db["comments"].insert(row).last_pk)

    def delete_comment(self, comment_id: int, *, expected_version: int | None = None) -> Comment:
        with self.write() as db:
            self.check_comment_version(comment_id, expected_version)
            current = self.comment(comment_id)
            db["comments"].delete(comment_id)
        return current

    def comment(self, comment_id: int) -> Comment:
        rows = list(self.db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
        if not rows:
            raise ReviewerError(f"No comment #{comment_id}.")
        return _comment(rows[0])

    def comments(self, call_id: int) -> list[Comment]:
        return [
            _comment(r)
            for r in self.db.query(
                "SELECT * FROM comments WHERE call_id = ? ORDER BY start_ms, id", [call_id]
            )
        ]

    @staticmethod
    def check_comment(duration: float, start: float, end: float | None, text: str, category: str) -> None:
        """Raise ReviewerError with the reason if a comment cannot go on a call this long."""
        if not text or not text.strip():
            raise ReviewerError("A comment needs some text.")
        if category not in COMMENT_CATEGORIES:
            raise ReviewerError(f"Unknown category {category!r}: use one of {', '.join(COMMENT_CATEGORIES)}.")
        if start < 0 or start > duration + 0.001:
            raise ReviewerError(f"{clock(start)} is outside the call (0:00–{clock(duration)}).")
        if end is not None and (end <= start or end > duration + 0.001):
            raise ReviewerError(
                f"A range must end after it starts and within the call (ends {clock(duration)})."
            )


def _comment(r: dict[str, Any]) -> Comment:
    return Comment(
        id=int(r["id"]),
        call_id=int(r["call_id"]),
        start=sec(r["start_ms"]),
        end=sec(r["end_ms"]),
        text=r["text"],
        category=r["category"],
        author=r.get("author"),
        created_at=r.get("created_at"),
        updated_at=r.get("updated_at"),
        acknowledged_at=r.get("acknowledged_at"),
        reply=r.get("reply"),
        version=int(r.get("version") or 1),
        changed_by=r.get("changed_by"),
    )
