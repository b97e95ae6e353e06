"""The calls of the library: storing a processed call (with what its analysis derived), listing,
resolving a reference, loading a call back as the analysis types, and its review status."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from reviewer.errors import CallNotFoundError, ReviewerError
from reviewer.model import (
    Analysis,
    CallReason,
    CallRow,
    CallSummary,
    GlanceCorrection,
    Marker,
    Metrics,
    RefusalLabel,
    RequestOutcome,
    Segment,
    Sentiment,
    SentimentTrend,
    SharePoint,
    Speaker,
    SpeakerMetrics,
    StoredCall,
    Transcript,
    TranscriptEdit,
    Turn,
    TurnSentiment,
    Word,
)

REVIEW_STATUSES = ("new", "in review", "submitted", "acknowledged")
#: library_settings' key, set once no call waits to be judged at a glance (a call is stored with it)
GLANCE_CAUGHT_UP = "glance_caught_up"
#: The glance's rules as a call is judged by them today. Raise it when the reason, outcome or
#: sentiment analysis changes what it finds: calls judged under older rules are judged again by
#: the catch-up, except where their review is submitted (a submitted verdict is never moved by a
#: rule update; a re-analysis of that call, which a coach asks for, judges it anew).
#: 2: outcomes of 2026-12-07 (a grant after push-back, one request asked in other words).
#: 3: outcomes of 2026-12-07, later (a second request beside one in progress, the same request asked
#: again after a digression, a customer who will call back, a hand-on past a "but").
#: 4: the same day, an offer taken in loose words ("okay yeah lets do that", "I'll stay").
#: 5: the same day, a supervisor request the request model is unsure of opens no escalation.
#: 6: 2026-12-08, an offer is no grant ("and set up a reminder"), nor is the agent explaining one the
#: customer asked about; carrying out an offer the customer just took is retained; "don't close it
#: yet" and "forget the cancelling part" are withdrawn; "Perfect, thanks. And while I have you…"
#: after a grant does not undo it; a supervisor coming on the line is the supervisor request's
#: escalation, and the request under it goes on with them.
GLANCE_RULES = 6
_GLANCE_PREFIX = f'{{"rules": {GLANCE_RULES},'


def ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(round(seconds * 1000))


def sec(milliseconds: int | None) -> float | None:
    return None if milliseconds is None else milliseconds / 1000.0


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# The columns of a CallRow, in its order (a column a later migration adds is read by name).
CALL_ROW_COLUMNS = ", ".join(f.name for f in fields(CallRow))


def marker_from_row(r: dict[str, Any]) -> Marker:
    """A ``markers`` row as the Marker the analysis made."""
    return Marker(
        r["kind"],
        sec(r["start_ms"]),
        sec(r["end_ms"]),
        r["speaker"],
        r["text"] or "",
        r["confidence"],
        r["category"] or "",
        r["request"] or "",
        sec(r["request_ms"]),
    )


def edits_to_json(edits: tuple[TranscriptEdit, ...]) -> str | None:
    """Edits an edit grew over, as the ``replaced`` column keeps them (None: none)."""
    if not edits:
        return None
    return json.dumps(
        [
            {
                "start_ms": e.start_ms,
                "end_ms": e.end_ms,
                "text": e.text,
                "speaker": e.speaker,
                "author": e.author,
                "created_at": e.created_at,
                "original": e.original,
                "replaced": json.loads(edits_to_json(e.replaced) or "[]"),
            }
            for e in edits
        ]
    )


def edits_from_json(text: str | None, call_id: int) -> tuple[TranscriptEdit, ...]:
    def edit(d: dict[str, Any]) -> TranscriptEdit:
        inner = tuple(edit(x) for x in d.get("replaced", []))
        fields_ = {k: d.get(k) for k in ("start_ms", "end_ms", "text", "speaker", "created_at")}
        return TranscriptEdit(
            0,
            call_id,
            **fields_,
            author=d.get("author") or "",
            original=d.get("original") or "",
            replaced=inner,
        )

    return tuple(edit(d) for d in json.loads(text)) if text else ()


def stored_metrics(row: CallRow) -> Metrics:
    """A call's metrics from its ``calls`` row: the columns plus ``metrics_json`` (what
    ``_store_derived`` writes)."""
    doc = json.loads(row.metrics_json or "{}")
    return Metrics(
        speakers=tuple(SpeakerMetrics(**s) for s in doc.get("speakers", [])),
        agent_talk_share=row.agent_talk_share,
        agent_share_series=tuple(SharePoint(t, s) for t, s in doc.get("agent_share_series", [])),
        refusal_count=row.refusal_count or 0,
        longest_monologue=sec(row.longest_monologue_ms) or 0.0,
        longest_silence=sec(row.longest_silence_ms) or 0.0,
        overtalk_seconds=doc.get("overtalk_seconds", 0.0),
        overtalk_count=row.overtalk_count or 0,
        response_gap_median=sec(row.response_gap_median_ms),
        response_gap_mean=doc.get("response_gap_mean"),
        response_gap_count=doc.get("response_gap_count", 0),
    )


def glance_document(reason: CallReason | None, sentiment: Sentiment | None) -> str:
    """What ``calls.glance_json`` keeps: the reason (times in milliseconds) and both parties'
    sentiment trends with how they were judged."""
    doc: dict[str, Any] = {"rules": GLANCE_RULES, "reason": None, "sentiment": None}  # rules first
    if reason is not None:
        doc["reason"] = {
            "name": reason.name,
            "label": reason.label,
            "confidence": reason.confidence,
            "method": reason.method,
            "start_ms": ms(reason.start),
            "end_ms": ms(reason.end),
            "speaker": reason.speaker,
            "text": reason.text,
        }
    if sentiment is not None:
        doc["sentiment"] = {
            "method": sentiment.method,
            "note": sentiment.note,
            **{
                t.role: {"start": t.start, "end": t.end, "change": t.change}
                for t in (sentiment.customer, sentiment.agent)
            },
        }
    return json.dumps(doc)


def stored_reason(row: CallRow) -> CallReason | None:
    """A call's reason from its ``calls`` row (None: not judged, or not stored yet)."""
    r = json.loads(row.glance_json or "{}").get("reason")
    if not r:
        return None
    return CallReason(
        r["name"],
        r["label"],
        r["confidence"],
        r["method"],
        sec(r["start_ms"]),
        sec(r["end_ms"]),
        r["speaker"],
        r["text"],
    )


def stored_sentiment(row: CallRow, turns: list[TurnSentiment]) -> Sentiment | None:
    """A call's sentiment: its turns' rows and the trends of its ``calls`` row."""
    s = json.loads(row.glance_json or "{}").get("sentiment")
    if not s:
        return None

    def trend(role: str) -> SentimentTrend:
        t = s.get(role) or {}
        return SentimentTrend(role, t.get("start"), t.get("end"), t.get("change", ""))

    return Sentiment(tuple(turns), trend("customer"), trend("agent"), s["method"], s.get("note", ""))


def call_record(
    path: Path,
    digest: str,
    stored_path: str,
    transcript: Transcript,
    *,
    source_channels: int,
    source_rate: int,
    dual_mono: bool,
) -> dict[str, Any]:
    """The ``calls`` row of a call heard from the file at ``path``, new in the library."""
    stat = path.stat()
    row = {
        "content_hash": digest,
        "name": path.name,
        "path": stored_path,
        "size": stat.st_size,
        "recorded_at": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
        "imported_at": now(),
        "duration_ms": ms(transcript.duration),
        "channels": transcript.channels,
        "source_channels": source_channels,
        "source_rate": source_rate,
        "dual_mono": int(dual_mono),
        "speaker_split": transcript.speaker_split,
        "language": transcript.language,
        "model": transcript.model,
        "review_status": "new",
        "split_doubt": transcript.split_doubt or None,
    }
    return row


class CallsMixin:
    """Library methods on calls (the connection and transactions are the Library's)."""

    db: Database
    path: str | Path
    shown: str

    def find_hash(self, digest: str) -> int | None:
        row = self.db.execute("SELECT id FROM calls WHERE content_hash = ?", [digest]).fetchone()
        return int(row[0]) if row else None

    def call_ids(self) -> list[int]:
        """Every call's id, in order."""
        return [int(r[0]) for r in self.db.execute("SELECT id FROM calls ORDER BY id").fetchall()]

    def insert_call(self, row: dict[str, Any], transcript: Transcript) -> int:
        """Inside the caller's write transaction: a call as it was heard, its ``calls`` row (see
        ``call_record``) and its speakers, words and overlaps; what the analysis derives goes in
        with ``store_analysis``."""
        db = self.db
        call_id = db["calls"].insert(row).last_pk
        db["speakers"].insert_all(
            {"call_id": call_id, "label": s.id, "role": s.role, "name": s.name, "channel": s.channel}
            for s in transcript.speakers
        )
        db["words"].insert_all(
            {
                "call_id": call_id,
                "speaker": w.speaker,
                "start_ms": ms(w.start),
                "end_ms": ms(w.end),
                "text": w.text,
                "probability": round(w.probability, 3),
            }
            for w in transcript.words
        )
        db["overlaps"].insert_all(
            {"call_id": call_id, "speaker": o.speaker, "start_ms": ms(o.start), "end_ms": ms(o.end)}
            for o in transcript.overlaps
        )
        return int(call_id)

    def store_analysis(self, call_id: int, transcript: Transcript, analysis: Analysis) -> None:
        """Inside the caller's write transaction: what the analysis derived from a call (turns,
        segments, markers and metrics), anew."""
        db = self.db
        for table in ("turns", "segments", "markers"):
            db.execute(f"DELETE FROM {table} WHERE call_id = ?", [call_id])
        db["turns"].insert_all(
            {
                "call_id": call_id,
                "speaker": t.speaker,
                "start_ms": ms(t.start),
                "end_ms": ms(t.end),
                "text": t.text,
            }
            for t in transcript.turns
        )
        db["segments"].insert_all(
            {"call_id": call_id, "speaker": s.speaker, "start_ms": ms(s.start), "end_ms": ms(s.end)}
            for s in transcript.segments
        )
        db["markers"].insert_all(
            {
                "call_id": call_id,
                "kind": m.kind,
                "speaker": m.speaker,
                "start_ms": ms(m.start),
                "end_ms": ms(m.end),
                "text": m.text,
                "confidence": m.confidence,
                "category": m.category,
                "request": m.request,
                "request_ms": None if m.request_start is None else ms(m.request_start),
            }
            for m in analysis.markers
        )
        m = analysis.metrics
        metrics_doc = {
            "speakers": [vars(s) for s in m.speakers],
            "agent_share_series": [[p.time, p.share] for p in m.agent_share_series],
            "overtalk_seconds": m.overtalk_seconds,
            "response_gap_mean": m.response_gap_mean,
            "response_gap_count": m.response_gap_count,
        }
        db["calls"].update(
            call_id,
            {
                "agent_talk_share": m.agent_talk_share,
                "refusal_count": m.refusal_count,
                "longest_monologue_ms": ms(m.longest_monologue),
                "longest_silence_ms": ms(m.longest_silence),
                "overtalk_ms": ms(m.overtalk_seconds),
                "overtalk_count": m.overtalk_count,
                "response_gap_median_ms": ms(m.response_gap_median),
                "metrics_json": json.dumps(metrics_doc),
            },
        )
        self.store_glance(call_id, analysis)

    def store_glance(self, call_id: int, analysis: Analysis) -> None:
        """Inside the caller's write transaction: the call at a glance as ``analysis`` judged it
        (its reason, each turn's sentiment and the trends, each request's outcome), anew."""
        db = self.db
        for table in ("turn_sentiments", "request_outcomes"):
            db.execute(f"DELETE FROM {table} WHERE call_id = ?", [call_id])
        feeling = analysis.sentiment
        if feeling is not None:
            db["turn_sentiments"].insert_all(
                {
                    "call_id": call_id,
                    "speaker": t.speaker,
                    "start_ms": ms(t.start),
                    "end_ms": ms(t.end),
                    "label": t.label,
                    "score": t.score,
                }
                for t in feeling.turns
            )
        db["request_outcomes"].insert_all(
            {
                "call_id": call_id,
                "kind": o.kind,
                "start_ms": ms(o.start),
                "outcome": o.outcome,
                "evidence_start_ms": ms(o.evidence_start),
                "evidence_end_ms": ms(o.evidence_end),
                "evidence_speaker": o.evidence_speaker,
                "evidence": o.evidence,
                "why": o.why,
            }
            for o in analysis.outcomes
        )
        reason = analysis.reason
        db["calls"].update(
            call_id,
            {
                "reason": reason.name if reason else None,
                "reason_label": reason.label if reason else None,
                "outcome": analysis.outcomes[-1].outcome if analysis.outcomes else "",
                "sentiment_change": feeling.customer.change if feeling else None,
                "glance_json": glance_document(reason, feeling),
            },
        )

    def glance_corrections(self, call_id: int) -> list[GlanceCorrection]:
        """A coach's corrections of the call's reason and its requests' outcomes."""
        sql = "SELECT * FROM glance_corrections WHERE call_id = ? ORDER BY id"
        return [
            GlanceCorrection(sec(r["request_ms"]), r["value"], r["label"] or "", r["author"] or "")
            for r in self.db.query(sql, [call_id])
        ]

    def replace_glance_correction(
        self, call_id: int, request_start: float | None, correction: GlanceCorrection | None
    ) -> None:
        """Inside a write transaction: the correction of the reason (``request_start`` None) or of
        the request made then becomes ``correction`` (None: none, the analysis judges)."""
        if request_start is None:
            self.db.execute(
                "DELETE FROM glance_corrections WHERE call_id = ? AND request_ms IS NULL", [call_id]
            )
        else:
            self.db.execute(
                "DELETE FROM glance_corrections WHERE call_id = ? AND request_ms = ?",
                [call_id, ms(request_start)],
            )
        if correction is not None:
            self.db["glance_corrections"].insert(
                {
                    "call_id": call_id,
                    "request_ms": ms(request_start),
                    "value": correction.value,
                    "label": correction.label,
                    "author": correction.author,
                    "created_at": now(),
                }
            )

    def unglanced_calls(self) -> list[int]:
        """The calls to judge at a glance, in order: those stored before the library kept it
        (m014), and those judged under older rules (``GLANCE_RULES``) whose review is not
        submitted."""
        sql = (
            "SELECT id FROM calls WHERE glance_json IS NULL OR (glance_json NOT LIKE ? "
            "AND COALESCE(review_status, 'new') NOT IN ('submitted', 'acknowledged')) ORDER BY id"
        )
        return [int(r[0]) for r in self.db.execute(sql, [_GLANCE_PREFIX + "%"]).fetchall()]

    def glance_caught_up(self) -> bool:
        """Whether a catch-up under today's rules found no call left to judge at a glance: since
        every call is stored with it, the calls need not be searched again (one lookup by key)."""
        return self.library_setting(GLANCE_CAUGHT_UP) == str(GLANCE_RULES)  # type: ignore[attr-defined]

    def set_glance_caught_up(self) -> None:
        """No call is left to judge under today's rules (inside the caller's write transaction,
        or one of its own)."""
        self.set_library_setting(GLANCE_CAUGHT_UP, str(GLANCE_RULES))  # type: ignore[attr-defined]

    def turn_sentiments(self, call_id: int) -> list[TurnSentiment]:
        sql = "SELECT * FROM turn_sentiments WHERE call_id = ? ORDER BY start_ms, id"
        return [
            TurnSentiment(sec(r["start_ms"]), sec(r["end_ms"]), r["speaker"], r["label"], r["score"])
            for r in self.db.query(sql, [call_id])
        ]

    def request_outcomes(self, call_id: int) -> list[RequestOutcome]:
        sql = "SELECT * FROM request_outcomes WHERE call_id = ? ORDER BY start_ms, id"
        return [
            RequestOutcome(
                r["kind"],
                sec(r["start_ms"]),
                r["outcome"],
                sec(r["evidence_start_ms"]),
                sec(r["evidence_end_ms"]),
                r["evidence_speaker"] or "",
                r["evidence"] or "",
                r["why"] or "",
            )
            for r in self.db.query(sql, [call_id])
        ]

    # What the app's library list shows; `calls` on the command line gets every column but the
    # metrics document (reading fewer columns is a third faster on 10 000 calls).
    BRIEF_COLUMNS = (
        "id, name, path, recorded_at, imported_at, duration_ms, agent_talk_share, refusal_count, "
        "longest_monologue_ms, longest_silence_ms, review_status, reason, reason_label, outcome, "
        "sentiment_change"
    )
    LIST_COLUMNS = (
        "id, content_hash, name, path, size, recorded_at, imported_at, duration_ms, channels, "
        "source_channels, source_rate, dual_mono, speaker_split, language, model, agent_talk_share, "
        "refusal_count, longest_monologue_ms, longest_silence_ms, overtalk_ms, overtalk_count, "
        "response_gap_median_ms, review_status, reason, reason_label, outcome, sentiment_change"
    )

    def list_calls(
        self,
        *,
        order_by: str = "imported_at desc, id desc",
        brief: bool = False,
        reason: str | None = None,
        outcome: str | None = None,
        sentiment_change: str | None = None,
    ) -> list[CallSummary]:
        """Every call with its metrics, comment count, tracker hit count (``tracker_hits``) and
        agent (``brief``: just what the app's list shows); only those with the ``reason`` (its
        name or label, any case), call ``outcome`` or customer ``sentiment_change`` where given.
        Joins rather than a subquery per row (bench/run.py times 10 000 calls)."""
        where, params = [], []
        if reason is not None:
            where.append("(lower(c.reason) = ? OR lower(c.reason_label) = ?)")
            params += [reason.strip().lower()] * 2
        if outcome is not None:
            where.append("c.outcome = ?")
            params.append(outcome)
        if sentiment_change is not None:
            where.append("c.sentiment_change = ?")
            params.append(sentiment_change)
        wanted = self.BRIEF_COLUMNS if brief else self.LIST_COLUMNS
        columns = ", ".join(f"c.{c.strip()}" for c in wanted.split(","))
        order = ", ".join(self._sort_key(part) for part in order_by.split(","))
        sql = f"""
            SELECT {columns}, coalesce(k.n, 0) AS comment_count, coalesce(h.n, 0) AS tracker_hits, a.agent,
                   s.total AS score, s.passed AS passed,
                   CASE WHEN s.complete = 1 OR s.auto_failed <> '' THEN 1 ELSE 0 END AS score_final,
                   coalesce(d.n, 0) AS open_disputes
            FROM calls c
            LEFT JOIN (SELECT call_id, count(*) AS n FROM comments GROUP BY call_id) k ON k.call_id = c.id
            LEFT JOIN (SELECT call_id, count(*) AS n FROM tracker_hits GROUP BY call_id) h ON h.call_id = c.id
            LEFT JOIN call_scores s ON s.call_id = c.id AND s.card = (
                SELECT name FROM scorecards ORDER BY is_default DESC, id LIMIT 1)
            LEFT JOIN (SELECT call_id, count(*) AS n FROM disputes WHERE status = 'open' GROUP BY call_id) d
                ON d.call_id = c.id
            LEFT JOIN (SELECT call_id, min(coalesce(nullif(name, ''), label)) AS agent FROM speakers
                       WHERE role = 'agent' GROUP BY call_id) a ON a.call_id = c.id
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY {order}"""
        cursor = self.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [CallSummary(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def _sort_key(self, part: str) -> str:
        """One term of ``list_calls``'s order: a column of the calls table, then asc or desc.
        Anything else is refused, never put into the SQL."""
        words = part.split()
        columns = {c.strip() for c in self.LIST_COLUMNS.split(",")}
        if not 1 <= len(words) <= 2 or words[0] not in columns:
            names = ", ".join(sorted(columns))
            raise ReviewerError(f"Cannot sort calls by {part.strip()!r}: use one of {names}.")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise ReviewerError(f"Cannot sort calls by {part.strip()!r}: use asc or desc after the column.")
        # NULLs where SQLite puts them (first going up), on PostgreSQL too
        return f"c.{words[0]} {direction} NULLS {'FIRST' if direction == 'asc' else 'LAST'}"

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM calls LIMIT 1").fetchone() is None

    def resolve(self, ref: str | int) -> int:
        """A call by id, exact name, or unique prefix of its name or content hash."""
        text = str(ref).strip()
        if text.isdigit():
            row = self.db.execute("SELECT id FROM calls WHERE id = ?", [int(text)]).fetchone()
            if row:
                return int(row[0])
        rows = self.db.execute("SELECT id FROM calls WHERE name = ?", [text]).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            "SELECT id FROM calls WHERE lower(name) LIKE ? ESCAPE '\\' OR content_hash LIKE ? ESCAPE '\\'",
            [like.lower(), like.lower()],
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if len(rows) > 1:
            raise CallNotFoundError(
                f"{text!r} matches {len(rows)} calls; use the call's number (reviewer calls)."
            )
        raise CallNotFoundError(f"No call {text!r} in the library {self.shown} (reviewer calls lists them).")

    def call_row(self, call_id: int) -> CallRow:
        cursor = self.db.execute(f"SELECT {CALL_ROW_COLUMNS} FROM calls WHERE id = ?", [call_id])
        row = cursor.fetchone()
        if row is None:
            raise CallNotFoundError(f"No call #{call_id} in the library.")
        return CallRow(*row)

    def load_call(self, call_id: int) -> StoredCall:
        row = self.call_row(call_id)
        speakers = self.speakers(call_id)
        heard = [
            Word(sec(r["start_ms"]), sec(r["end_ms"]), r["text"], r["speaker"], r["probability"] or 0.0)
            for r in self.db.query("SELECT * FROM words WHERE call_id = ? ORDER BY start_ms, id", [call_id])
        ]
        turns = [
            Turn(r["speaker"], sec(r["start_ms"]), sec(r["end_ms"]), r["text"], len(r["text"].split()))
            for r in self.db.query("SELECT * FROM turns WHERE call_id = ? ORDER BY start_ms, id", [call_id])
        ]
        segments = self._spans("segments", call_id)
        overlaps = self._spans("overlaps", call_id)
        markers = [
            marker_from_row(r)
            for r in self.db.query("SELECT * FROM markers WHERE call_id = ? ORDER BY start_ms, id", [call_id])
        ]
        transcript = Transcript(
            sec(row.duration_ms),
            row.channels,
            row.speaker_split,
            speakers,
            heard,
            segments,
            turns,
            row.language,
            row.model or "",
            overlaps,
            self.refusal_labels(call_id),
            row.split_doubt or "",
        ).with_heard(heard, edits=self.transcript_edits(call_id))
        return StoredCall(
            row,
            transcript,
            markers,
            stored_metrics(row),
            stored_reason(row),
            stored_sentiment(row, self.turn_sentiments(call_id)),
            tuple(self.request_outcomes(call_id)),
        )

    def refusal_labels(self, call_id: int) -> list[RefusalLabel]:
        sql = "SELECT * FROM refusal_labels WHERE call_id = ? ORDER BY id"
        return [
            RefusalLabel(sec(r["start_ms"]), sec(r["end_ms"]), bool(r["is_refusal"]), r["author"] or "")
            for r in self.db.query(sql, [call_id])
        ]

    def transcript_edits(self, call_id: int) -> list[TranscriptEdit]:
        """A call's corrections of what was said, in the order they were made."""
        sql = "SELECT * FROM transcript_edits WHERE call_id = ? ORDER BY id"
        return [
            TranscriptEdit(
                r["id"],
                r["call_id"],
                r["start_ms"],
                r["end_ms"],
                r["text"],
                r["speaker"] or None,
                r["author"] or "",
                r["created_at"],
                r["original"] or "",
                edits_from_json(r["replaced"], call_id),
            )
            for r in self.db.query(sql, [call_id])
        ]

    def speakers(self, call_id: int) -> list[Speaker]:
        return [
            Speaker(r["label"], r["role"] or "unknown", r["name"] or "", r["channel"])
            for r in self.db.query("SELECT * FROM speakers WHERE call_id = ? ORDER BY id", [call_id])
        ]

    def word_ids(self, call_id: int) -> list[int]:
        """The ids of a call's words, in the order ``load_call`` gives the words."""
        sql = "SELECT id FROM words WHERE call_id = ? ORDER BY start_ms, id"
        return [int(i) for (i,) in self.db.execute(sql, [call_id])]

    def _spans(self, table: str, call_id: int) -> list[Segment]:
        """A call's rows of ``segments`` or ``overlaps`` (table names are ours, never input)."""
        return [
            Segment(sec(r["start_ms"]), sec(r["end_ms"]), r["speaker"])
            for r in self.db.query(
                f'SELECT * FROM "{table}" WHERE call_id = ? ORDER BY start_ms, id', [call_id]
            )
        ]

    def set_review_status(self, call_id: int, status: str) -> None:
        if status not in REVIEW_STATUSES:
            raise ReviewerError(f"Unknown review status {status!r}: use one of {', '.join(REVIEW_STATUSES)}.")
        self.call_row(call_id)
        with self.write() as db:
            self.touch_call(call_id)
            db.execute("UPDATE calls SET review_status = ? WHERE id = ?", [status, call_id])

    def agents(self) -> list[str]:
        """The agents' names (or speaker labels) across the library, for agent self-review."""
        rows = self.db.execute(
            "SELECT DISTINCT coalesce(nullif(name, ''), label) FROM speakers WHERE role = 'agent' ORDER BY 1"
        ).fetchall()
        return [r[0] for r in rows]
