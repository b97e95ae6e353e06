"""The rows a correction of a stored call changes: its speakers, the speaker of moved words, and
a coach's refusal labels. The corrections themselves (what moves, what undoes it, re-analysis) are
the application's (``reviewer.actions.corrections``)."""

from __future__ import annotations

from sqlite_utils import Database

from reviewer.library.calls import ms, now
from reviewer.model import RefusalLabel, Speaker


class CorrectionsMixin:
    db: Database

    def store_speakers(self, call_id: int, speakers: list[Speaker], moved: dict[int, str]) -> None:
        """Inside a write transaction: a call's speakers as ``speakers`` has them, and the new
        speaker of each moved word (word id → label)."""
        db = self.db
        db.executemany(
            "UPDATE words SET speaker = ? WHERE id = ? AND call_id = ?",
            [(label, word_id, call_id) for word_id, label in moved.items()],
        )
        db.execute("DELETE FROM speakers WHERE call_id = ?", [call_id])
        db["speakers"].insert_all(
            {"call_id": call_id, "label": s.id, "role": s.role, "name": s.name, "channel": s.channel}
            for s in speakers
        )

    def replace_refusal_labels(
        self, call_id: int, start: float, end: float, labels: list[RefusalLabel]
    ) -> None:
        """Inside a write transaction: the labels whose moment lies in ``start``-``end`` become
        ``labels``."""
        db = self.db
        db.execute(
            "DELETE FROM refusal_labels WHERE call_id = ? AND (start_ms + end_ms) / 2 BETWEEN ? AND ?",
            [call_id, ms(start) - 50, ms(end) + 50],
        )
        db["refusal_labels"].insert_all(
            {
                "call_id": call_id,
                "start_ms": ms(lab.start),
                "end_ms": ms(lab.end),
                "is_refusal": int(lab.is_refusal),
                "author": lab.author,
                "created_at": now(),
            }
            for lab in labels
        )
