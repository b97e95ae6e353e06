"""Trackers' rows (phrase and concept trackers): their definitions, and their hits in every call.
Finding the hits is the application's (``reviewer.actions.trackers``, and ``actions.calls`` when
a call is stored)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from reviewer.library.calls import ms, now, sec
from reviewer.model import Speaker, Tracker, TrackerHit, Turn


class TrackersMixin:
    def trackers(self) -> list[Tracker]:
        return [
            Tracker(
                r["name"],
                tuple(json.loads(r["phrases"])),
                r["side"],
                sec(r["within_first_ms"]),
                sec(r["within_last_ms"]),
                tuple(json.loads(r["examples"])) if r.get("examples") else (),
                r.get("threshold"),
            )
            for r in self.db.query("SELECT * FROM trackers ORDER BY name")
        ]

    def insert_tracker(self, tracker: Tracker) -> None:
        """Inside a write transaction: a tracker's definition (its hits come separately)."""
        self.db["trackers"].insert(
            {
                "name": tracker.name,
                "phrases": json.dumps(list(tracker.phrases)),
                "side": tracker.side,
                "within_first_ms": ms(tracker.within_first),
                "within_last_ms": ms(tracker.within_last),
                "examples": json.dumps(list(tracker.examples)) if tracker.examples else None,
                "threshold": tracker.threshold,
                "created_at": now(),
            }
        )

    def delete_tracker(self, name: str) -> bool:
        """Inside a write transaction: a tracker and its hits gone. False if there was none."""
        if self.db.execute("SELECT 1 FROM trackers WHERE name = ?", [name]).fetchone() is None:
            self.db.execute("DELETE FROM tracker_hits WHERE tracker = ?", [name])
            return False
        self.db.execute("DELETE FROM trackers WHERE name = ?", [name])
        self.db.execute("DELETE FROM tracker_hits WHERE tracker = ?", [name])
        return True

    def call_turns(
        self, only: Sequence[int] | None = None
    ) -> tuple[int, Iterator[tuple[int, list[Speaker], list[Turn], float]]]:
        """How many calls there are, and each call's speakers, turns and duration in id order
        (``only``: just the calls of those ids). Every call's turns come in one query ordered by
        call (the turns' index gives that order without sorting) and every speaker in another,
        rather than two queries per call: 10 000 calls take seconds (bench/trackers.py)."""
        db = self.db
        where, params = "", []
        if only is not None:
            where, params = f"WHERE {{}} IN ({', '.join('?' * len(only)) or 'NULL'})", [int(i) for i in only]
        calls = db.execute(
            f"SELECT id, duration_ms FROM calls {where.format('id')} ORDER BY id", params
        ).fetchall()
        speakers: dict[int, list[Speaker]] = {}
        for call_id, label, role, name, channel in db.execute(
            f"SELECT call_id, label, role, name, channel FROM speakers {where.format('call_id')} "
            "ORDER BY call_id, id",
            params,
        ):
            speakers.setdefault(call_id, []).append(Speaker(label, role or "unknown", name or "", channel))

        def each() -> Iterator[tuple[int, list[Speaker], list[Turn], float]]:
            turn_rows = db.execute(
                f"SELECT call_id, speaker, start_ms, end_ms, text FROM turns {where.format('call_id')} "
                "ORDER BY call_id, start_ms, id",
                params,
            )
            pending = next(turn_rows, None)
            for call_id, duration_ms in calls:
                while pending is not None and pending[0] < call_id:  # turns of no call (never expected)
                    pending = next(turn_rows, None)
                turns = []
                while pending is not None and pending[0] == call_id:
                    turns.append(Turn(pending[1], sec(pending[2]), sec(pending[3]), pending[4]))
                    pending = next(turn_rows, None)
                yield call_id, speakers.get(call_id, []), turns, sec(duration_ms) or 0.0

        return len(calls), each()

    def add_tracker_hits(self, hits: Iterable[tuple[int, TrackerHit]]) -> None:
        """Inside a write transaction: hits (call id, hit) added, in one statement."""
        self.db.executemany(
            "INSERT INTO tracker_hits (call_id, tracker, start_ms, end_ms, speaker, phrase, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(c, h.tracker, ms(h.start), ms(h.end), h.speaker, h.phrase, h.text) for c, h in hits],
        )

    def replace_tracker_hits(self, call_id: int, hits: list[TrackerHit]) -> None:
        """Inside a write transaction: this call's tracker hits become ``hits``."""
        self.db.execute("DELETE FROM tracker_hits WHERE call_id = ?", [call_id])
        self.add_tracker_hits((call_id, h) for h in hits)

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
