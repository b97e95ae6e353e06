"""The rows a correction of a stored call changes: its speakers, the speaker of moved words, a
coach's refusal labels and corrections of what was said. The corrections themselves (what moves,
what undoes it, re-analysis) are the application's (``reviewer.actions``)."""

from __future__ import annotations

from sqlite_utils import Database

from reviewer.library.calls import edits_to_json, ms, now
from reviewer.model import RefusalLabel, Speaker, TranscriptEdit


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

    def add_transcript_edit(self, edit: TranscriptEdit) -> TranscriptEdit:
        """Inside a write transaction: store ``edit`` (its id and, if it has none, its time are
        the library's); returns it as stored."""
        row = {
            "call_id": edit.call_id,
            "start_ms": edit.start_ms,
            "end_ms": edit.end_ms,
            "text": edit.text,
            "speaker": edit.speaker,
            "author": edit.author,
            "created_at": edit.created_at or now(),
            "original": edit.original,
        }
        new_id = self.db["transcript_edits"].insert({**row, "replaced": edits_to_json(edit.replaced)}).last_pk
        return TranscriptEdit(int(new_id), **row, replaced=edit.replaced)

    def delete_transcript_edits(self, call_id: int, ids: list[int]) -> int:
        """Inside a write transaction: delete those of a call's edits; returns how many were there."""
        gone = 0
        for edit_id in ids:
            cursor = self.db.execute(
                "DELETE FROM transcript_edits WHERE id = ? AND call_id = ?", [edit_id, call_id]
            )
            gone += max(cursor.rowcount, 0)
        return gone
