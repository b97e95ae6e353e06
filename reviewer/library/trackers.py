"""Phrase trackers in the library: their definitions, and their hits in every call, kept up to
date whenever a call is stored or re-analysed and re-applied to every call when a tracker
changes (from the stored turns: nothing is transcribed again)."""

from __future__ import annotations

import json
from collections.abc import Callable

from reviewer.analysis.trackers import Tracker, TrackerHit, tracker_hits
from reviewer.errors import ReviewerError
from reviewer.library.calls import ms, now, sec
from reviewer.model import Speaker, Transcript, Turn


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

    def add_tracker(
        self,
        tracker: Tracker,
        progress: Callable[[int, int], None] | None = None,
        *,
        replacing: str | None = None,
    ) -> int:
        """Store ``tracker`` (replacing one of the same name, and the tracker named ``replacing``
        when it is renamed) and find its hits in every call, in one transaction: an exception
        from ``progress`` (a cancel) rolls all of it back. Returns the number of hits."""
        problems = tracker.problems()
        if problems:
            raise ReviewerError(f"Tracker {tracker.name!r}: " + "; ".join(problems) + ".")
        with self.write() as db:
            names = list(dict.fromkeys(n for n in (tracker.name, replacing) if n is not None))
            for name in names:
                db.execute("DELETE FROM trackers WHERE name = ?", [name])
                db.execute("DELETE FROM tracker_hits WHERE tracker = ?", [name])
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
            found = self._apply_tracker(tracker, progress)
            for name in names:  # scorecards whose rules use it score every call again
                self._rescore_tracker_rules(name, progress)
            return found

    def _apply_tracker(self, tracker: Tracker, progress: Callable[[int, int], None] | None) -> int:
        """Inside the caller's transaction: ``tracker``'s hits in every call, from the stored
        turns. Every call's turns come in one query ordered by call (the turns' index gives that
        order without sorting) and every speaker in another, rather than two queries per call:
        10 000 calls take seconds (bench/trackers.py)."""
        db = self.db
        calls = db.execute("SELECT id, duration_ms FROM calls ORDER BY id").fetchall()
        speakers: dict[int, list[Speaker]] = {}
        for call_id, label, role, name, channel in db.execute(
            "SELECT call_id, label, role, name, channel FROM speakers ORDER BY call_id, id"
        ):
            speakers.setdefault(call_id, []).append(Speaker(label, role or "unknown", name or "", channel))
        turn_rows = db.execute(
            "SELECT call_id, speaker, start_ms, end_ms, text FROM turns ORDER BY call_id, start_ms, id"
        )
        pending = next(turn_rows, None)
        found: list[tuple] = []
        for i, (call_id, duration_ms) in enumerate(calls):
            while pending is not None and pending[0] < call_id:  # turns of no call (never expected)
                pending = next(turn_rows, None)
            turns = []
            while pending is not None and pending[0] == call_id:
                turns.append(Turn(pending[1], sec(pending[2]), sec(pending[3]), pending[4]))
                pending = next(turn_rows, None)
            for h in tracker_hits([tracker], speakers.get(call_id, []), turns, sec(duration_ms) or 0.0):
                found.append((call_id, h.tracker, ms(h.start), ms(h.end), h.speaker, h.phrase, h.text))
            if progress:
                progress(i + 1, len(calls))
        db.executemany(
            "INSERT INTO tracker_hits (call_id, tracker, start_ms, end_ms, speaker, phrase, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            found,
        )
        return len(found)

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

    def tracker_call_counts(self) -> dict[str, int]:
        """How many calls each tracker was heard in (trackers heard nowhere are left out)."""
        sql = "SELECT tracker, count(DISTINCT call_id) FROM tracker_hits GROUP BY tracker"
        return {str(name): int(n) for name, n in self.db.execute(sql).fetchall()}

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

    def replace_tracker_hits(self, call_id: int, hits: list[TrackerHit]) -> None:
        """Inside a write transaction: this call's tracker hits become ``hits``."""
        self.db.execute("DELETE FROM tracker_hits WHERE call_id = ?", [call_id])
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
