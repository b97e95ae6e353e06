"""Phrase trackers in the library: their definitions, and their hits in every call, kept up to
date whenever a call is stored or re-analysed and re-applied to every call when a tracker
changes (from the stored turns: nothing is transcribed again)."""

from __future__ import annotations

import json
from collections.abc import Callable

from reviewer.analysis.trackers import Tracker, TrackerHit, tracker_hits
from reviewer.errors import ReviewerError
from reviewer.library.calls import ms, now, sec
from reviewer.model import Transcript, Turn


class TrackersMixin:
    def trackers(self) -> list[Tracker]:
        return [
            Tracker(
                r["name"],
                tuple(json.loads(r["phrases"])),
                r["side"],
                sec(r["within_first_ms"]),
                sec(r["within_last_ms"]),
            )
            for r in self.db.query("SELECT * FROM trackers ORDER BY name")
        ]

    def add_tracker(self, tracker: Tracker, progress: Callable[[int, int], None] | None = None) -> int:
        """Store ``tracker`` (replacing one of the same name) and find its hits in every call, in
        one transaction. Returns the number of hits."""
        problems = tracker.problems()
        if problems:
            raise ReviewerError(f"Tracker {tracker.name!r}: " + "; ".join(problems) + ".")
        with self.write() as db:
            db.execute("DELETE FROM trackers WHERE name = ?", [tracker.name])
            db.execute("DELETE FROM tracker_hits WHERE tracker = ?", [tracker.name])
            db["trackers"].insert(
                {
                    "name": tracker.name,
                    "phrases": json.dumps(list(tracker.phrases)),
                    "side": tracker.side,
                    "within_first_ms": ms(tracker.within_first),
                    "within_last_ms": ms(tracker.within_last),
                    "created_at": now(),
                }
            )
            calls = db.execute("SELECT id, duration_ms FROM calls ORDER BY id").fetchall()
            found = 0
            for i, (call_id, duration_ms) in enumerate(calls):
                turns = [
                    Turn(r["speaker"], sec(r["start_ms"]), sec(r["end_ms"]), r["text"])
                    for r in db.query(
                        "SELECT * FROM turns WHERE call_id = ? ORDER BY start_ms, id", [call_id]
                    )
                ]
                hits = tracker_hits([tracker], self._speakers(call_id), turns, sec(duration_ms) or 0.0)
                self._insert_hits(call_id, hits)
                found += len(hits)
                if progress:
                    progress(i + 1, len(calls))
            self._rescore_tracker_rules(tracker.name)
            return found

    def remove_tracker(self, name: str) -> None:
        with self.write() as db:
            if db.execute("SELECT 1 FROM trackers WHERE name = ?", [name]).fetchone() is None:
                names = ", ".join(t.name for t in self.trackers()) or "none"
                raise ReviewerError(f"No tracker {name!r} (trackers: {names}).")
            db.execute("DELETE FROM trackers WHERE name = ?", [name])
            db.execute("DELETE FROM tracker_hits WHERE tracker = ?", [name])
            self._rescore_tracker_rules(name)

    def calls_with_tracker(self, name: str) -> list[int]:
        sql = "SELECT DISTINCT call_id FROM tracker_hits WHERE tracker = ? ORDER BY call_id"
        return [int(r[0]) for r in self.db.execute(sql, [name]).fetchall()]

    def tracker_hits(self, call_id: int) -> list[TrackerHit]:
        sql = "SELECT * FROM tracker_hits WHERE call_id = ? ORDER BY start_ms, tracker"
        return [
            TrackerHit(
                r["tracker"], sec(r["start_ms"]), sec(r["end_ms"]), r["speaker"], r["phrase"], r["text"]
            )
            for r in self.db.query(sql, [call_id])
        ]

    def _store_tracker_hits(self, call_id: int, transcript: Transcript) -> None:
        """Inside the caller's transaction: this call's hits of every tracker, anew."""
        self.db.execute("DELETE FROM tracker_hits WHERE call_id = ?", [call_id])
        trackers = self.trackers()
        if trackers:
            hits = tracker_hits(trackers, transcript.speakers, transcript.turns, transcript.duration)
            self._insert_hits(call_id, hits)

    def _insert_hits(self, call_id: int, hits: list[TrackerHit]) -> None:
        self.db["tracker_hits"].insert_all(
            {
                "call_id": call_id,
                "tracker": h.tracker,
                "start_ms": ms(h.start),
                "end_ms": ms(h.end),
                "speaker": h.speaker,
                "phrase": h.phrase,
                "text": h.text,
            }
            for h in hits
        )
