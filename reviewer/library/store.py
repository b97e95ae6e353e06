"""The library of calls: import (atomic, deduplicated by content), list, show, roles, comments,
search. One connection per Library; write transactions take the write lock up front
(BEGIN IMMEDIATE) and wait for other writers, so two processes can share a library."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from reviewer import paths
from reviewer.analysis import analyse_transcript
from reviewer.analysis.roles import swap_roles
from reviewer.errors import CallNotFoundError, ReviewerError
from reviewer.labels import clock
from reviewer.library.schema import SCHEMA_VERSION, apply_migrations
from reviewer.model import (
    Analysis,
    Marker,
    Metrics,
    RefusalLabel,
    Segment,
    SharePoint,
    Speaker,
    SpeakerMetrics,
    Transcript,
    Turn,
    Word,
)
from reviewer.settings import Settings

COMMENT_CATEGORIES = ("praise", "improve", "compliance", "other")
REVIEW_STATUSES = ("new", "in review", "reviewed")
BUSY_TIMEOUT_S = 60.0


def ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(round(seconds * 1000))


def sec(milliseconds: int | None) -> float | None:
    return None if milliseconds is None else milliseconds / 1000.0


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class StoredCall:
    """A call as the library holds it, with everything needed to show or re-analyse it: the
    ``calls`` row, and the transcript, markers and metrics as the analysis made them."""

    row: dict[str, Any]
    transcript: Transcript
    markers: list[Marker]
    metrics: Metrics

    @property
    def id(self) -> int:
        return int(self.row["id"])


@dataclass(frozen=True)
class SpeechChange:
    """A correction of who said what, with what undoing it needs: the moved words' speakers
    before it and the speaker it added, if any (never the whole list of speakers, so an undo
    keeps the roles and names set after it)."""

    call_id: int
    word_speakers: dict[int, str]  # each moved word's id → its speaker before
    added: str | None  # the label of the speaker it added for a voice diarization missed
    start: float
    end: float
    speaker: str  # who the words went to

    @property
    def words(self) -> int:
        return len(self.word_speakers)


@dataclass(frozen=True)
class SpeakerChange:
    """A change of roles or names: each speaker it changed, as before and as after (undo puts
    back ``before`` on those speakers only; redo, ``after``)."""

    call_id: int
    before: tuple[Speaker, ...]
    after: tuple[Speaker, ...]


@dataclass(frozen=True)
class RefusalLabelChange:
    """A coach's label on one agent turn, with the labels it replaced (for undo)."""

    call_id: int
    turn: Turn
    before: list[RefusalLabel]
    after: RefusalLabel | None


def speaker_display(s: Speaker) -> str:
    """S2 (customer, Dana): how a speaker is named in messages."""
    details = ", ".join(x for x in (s.role if s.role != "unknown" else "", s.name) if x)
    return f"{s.id} ({details})" if details else s.id


def next_label(speakers: list[Speaker]) -> str:
    numbers = [int(s.id[1:]) for s in speakers if s.id[1:].isdigit()]
    return f"S{max(numbers, default=0) + 1}"


def _new_speaker(label: str, speakers: list[Speaker]) -> Speaker:
    """A voice diarization missed: with one party's role known, the other one."""
    roles = {s.role for s in speakers}
    role = "unknown"
    if "agent" in roles and "customer" not in roles:
        role = "customer"
    elif "customer" in roles and "agent" not in roles:
        role = "agent"
    return Speaker(label, role)


def _moved(t: Transcript, ids: list[int], moved: dict[int, str], speakers: list[Speaker]) -> Transcript:
    """``t`` with the words whose id (``ids`` in word order) is in ``moved`` given to their new
    speaker, and ``speakers`` as the call's speakers."""
    words = [replace(w, speaker=moved[i]) if i in moved else w for i, w in zip(ids, t.words, strict=True)]
    return replace(t, words=words, speakers=speakers)


def _turn_at(turns: list[Turn], t: float, *, not_by: str) -> Turn | None:
    """The turn of someone other than ``not_by`` under time ``t`` (the shortest, where a
    backchannel sits inside a longer turn), or the nearest one within half a second."""
    others = [x for x in turns if x.speaker != not_by]
    under = [x for x in others if x.start - 0.05 <= t <= x.end + 0.05]
    if under:
        return min(under, key=lambda x: x.duration)
    near = [x for x in others if min(abs(x.start - t), abs(x.end - t)) <= 0.5]
    return min(near, key=lambda x: min(abs(x.start - t), abs(x.end - t)), default=None)


def stored_metrics(row: dict[str, Any]) -> Metrics:
    """A call's metrics from its ``calls`` row: the columns plus ``metrics_json`` (what
    ``_store_derived`` writes)."""
    doc = json.loads(row.get("metrics_json") or "{}")
    return Metrics(
        speakers=tuple(SpeakerMetrics(**s) for s in doc.get("speakers", [])),
        agent_talk_share=row["agent_talk_share"],
        agent_share_series=tuple(SharePoint(t, s) for t, s in doc.get("agent_share_series", [])),
        refusal_count=row["refusal_count"] or 0,
        longest_monologue=sec(row["longest_monologue_ms"]) or 0.0,
        longest_silence=sec(row["longest_silence_ms"]) or 0.0,
        overtalk_seconds=doc.get("overtalk_seconds", 0.0),
        overtalk_count=row["overtalk_count"] or 0,
        response_gap_median=sec(row["response_gap_median_ms"]),
        response_gap_mean=doc.get("response_gap_mean"),
        response_gap_count=doc.get("response_gap_count", 0),
    )


def open_library(path: str | Path | None = None) -> Library:
    return Library(Path(path) if path else paths.default_library())


class Library:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        paths.ensure_private_dir(self.path.parent)
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self.db = Database(conn)
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Only a library that needs migrating takes the write lock here: reading (calls, show,
            # the app's list) never waits for a long import in another process.
            if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                with self.write():
                    apply_migrations(self.db)
        except sqlite3.DatabaseError as e:
            raise ReviewerError(f"{self.path} is not a usable Reviewer library ({e}).") from None
        try:
            self.path.chmod(0o600)
        except OSError:
            pass

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction: all or nothing, visible to others only once committed."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- calls ----------------------------------------------------------------------------

    def find_hash(self, digest: str) -> int | None:
        row = self.db.execute("SELECT id FROM calls WHERE content_hash = ?", [digest]).fetchone()
        return int(row[0]) if row else None

    def add_call(
        self,
        path: Path,
        digest: str,
        transcript: Transcript,
        analysis: Analysis,
        *,
        source_channels: int,
        source_rate: int,
        dual_mono: bool,
    ) -> tuple[int, bool]:
        """Store a processed call in one transaction. Returns (id, created); an existing call
        with the same content is left as it is."""
        stat = path.stat()
        try:
            with self.write() as db:
                existing = self.find_hash(digest)
                if existing is not None:
                    return existing, False
                row = {
                    "content_hash": digest,
                    "name": path.name,
                    "path": str(path.resolve()),
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
                }
                return self.insert_call(db, row, transcript, analysis), True
        except sqlite3.IntegrityError:
            # Another process stored the same audio first.
            existing = self.find_hash(digest)
            if existing is None:
                raise
            return existing, False

    def insert_call(
        self, db: Database, row: dict[str, Any], transcript: Transcript, analysis: Analysis
    ) -> int:
        """The rows of one call (its ``calls`` row given), inside the caller's transaction."""
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
        self._store_derived(call_id, transcript, analysis)
        return int(call_id)

    def _store_derived(self, call_id: int, transcript: Transcript, analysis: Analysis) -> None:
        """Turns, segments, markers and metrics: everything recomputed after a role change."""
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

    # What the app's library list shows; `calls` on the command line gets every column but the
    # metrics document (reading fewer columns is a third faster on 10 000 calls).
    BRIEF_COLUMNS = (
        "id, name, path, recorded_at, imported_at, duration_ms, agent_talk_share, refusal_count, "
        "longest_monologue_ms, longest_silence_ms, review_status"
    )
    LIST_COLUMNS = (
        "id, content_hash, name, path, size, recorded_at, imported_at, duration_ms, channels, "
        "source_channels, source_rate, dual_mono, speaker_split, language, model, agent_talk_share, "
        "refusal_count, longest_monologue_ms, longest_silence_ms, overtalk_ms, overtalk_count, "
        "response_gap_median_ms, review_status"
    )

    def list_calls(
        self, *, order_by: str = "imported_at desc, id desc", brief: bool = False
    ) -> list[dict[str, Any]]:
        """Every call with its metrics, comment count and agent (``brief``: just what the app's
        list shows). Joins rather than a subquery per row (bench/run.py times 10 000 calls)."""
        wanted = self.BRIEF_COLUMNS if brief else self.LIST_COLUMNS
        columns = ", ".join(f"c.{c.strip()}" for c in wanted.split(","))
        order = ", ".join(self._sort_key(part) for part in order_by.split(","))
        sql = f"""
            SELECT {columns}, coalesce(k.n, 0) AS comment_count, a.agent
            FROM calls c
            LEFT JOIN (SELECT call_id, count(*) AS n FROM comments GROUP BY call_id) k ON k.call_id = c.id
            LEFT JOIN (SELECT call_id, min(coalesce(nullif(name, ''), label)) AS agent FROM speakers
                       WHERE role = 'agent' GROUP BY call_id) a ON a.call_id = c.id
            ORDER BY {order}"""
        cursor = self.db.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

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
        return f"c.{words[0]} {direction}"

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
            "SELECT id FROM calls WHERE name LIKE ? ESCAPE '\\' OR content_hash LIKE ? ESCAPE '\\'",
            [like, like.lower()],
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if len(rows) > 1:
            raise CallNotFoundError(
                f"{text!r} matches {len(rows)} calls; use the call's number (reviewer calls)."
            )
        raise CallNotFoundError(f"No call {text!r} in the library {self.path} (reviewer calls lists them).")

    def call_row(self, call_id: int) -> dict[str, Any]:
        row = self.db.execute("SELECT * FROM calls WHERE id = ?", [call_id]).fetchone()
        if row is None:
            raise CallNotFoundError(f"No call #{call_id} in the library.")
        cols = [d[0] for d in self.db.execute("SELECT * FROM calls LIMIT 0").description]
        return dict(zip(cols, row, strict=True))

    def load_call(self, call_id: int) -> StoredCall:
        row = self.call_row(call_id)
        speakers = self._speakers(call_id)
        words = [
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
            Marker(
                r["kind"],
                sec(r["start_ms"]),
                sec(r["end_ms"]),
                r["speaker"],
                r["text"] or "",
                r["confidence"],
                r["category"] or "",
                r["request"] or "",
            )
            for r in self.db.query("SELECT * FROM markers WHERE call_id = ? ORDER BY start_ms, id", [call_id])
        ]
        transcript = Transcript(
            sec(row["duration_ms"]),
            row["channels"],
            row["speaker_split"],
            speakers,
            words,
            segments,
            turns,
            row["language"],
            row["model"] or "",
            overlaps,
            self.refusal_labels(call_id),
        )
        return StoredCall(row, transcript, markers, stored_metrics(row))

    def refusal_labels(self, call_id: int) -> list[RefusalLabel]:
        sql = "SELECT * FROM refusal_labels WHERE call_id = ? ORDER BY id"
        return [
            RefusalLabel(sec(r["start_ms"]), sec(r["end_ms"]), bool(r["is_refusal"]), r["author"] or "")
            for r in self.db.query(sql, [call_id])
        ]

    def _speakers(self, call_id: int) -> list[Speaker]:
        return [
            Speaker(r["label"], r["role"] or "unknown", r["name"] or "", r["channel"])
            for r in self.db.query("SELECT * FROM speakers WHERE call_id = ? ORDER BY id", [call_id])
        ]

    def _word_ids(self, call_id: int) -> list[int]:
        """The ids of a call's words, in the order ``load_call`` gives the words."""
        sql = "SELECT id FROM words WHERE call_id = ? ORDER BY start_ms, id"
        return [int(i) for (i,) in self.db.execute(sql, [call_id])]

    def _spans(self, table: str, call_id: int) -> list[Segment]:
        """A call's rows of ``segments`` or ``overlaps`` (table names are ours, never input)."""
        return [
            Segment(sec(r["start_ms"]), sec(r["end_ms"]), r["speaker"])
            for r in self.db.query(
                f"SELECT * FROM {table} WHERE call_id = ? ORDER BY start_ms, id", [call_id]
            )
        ]

    # -- roles ----------------------------------------------------------------------------

    def set_speakers(self, call_id: int, speakers: list[Speaker], settings: Settings) -> SpeakerChange:
        """Store corrected roles or names and re-analyse the call with them, atomically. Returns
        what changed (for undo)."""
        with self.write():
            t = self.load_call(call_id).transcript
            before = {s.id: s for s in t.speakers}
            changed = [s for s in speakers if s.id in before and s != before[s.id]]
            self._reanalyse(call_id, replace(t, speakers=speakers), {}, settings)
            return SpeakerChange(call_id, tuple(before[s.id] for s in changed), tuple(changed))

    def restore_speakers(self, change: SpeakerChange, settings: Settings, *, undo: bool = True) -> None:
        """Undo (or, with ``undo=False``, redo) a change of roles or names: the role and name of
        each speaker it changed, as before it (after it); every other speaker as it is now."""
        wanted = {s.id: s for s in (change.before if undo else change.after)}
        with self.write():
            t = self.load_call(change.call_id).transcript
            speakers = [
                replace(s, role=wanted[s.id].role, name=wanted[s.id].name) if s.id in wanted else s
                for s in t.speakers
            ]
            self._reanalyse(change.call_id, replace(t, speakers=speakers), {}, settings)

    def _reanalyse(
        self, call_id: int, transcript: Transcript, moved: dict[int, str], settings: Settings
    ) -> None:
        """Inside a write transaction: store the call's speakers as ``transcript`` has them and
        the new speaker of each moved word (word id → label; ``transcript``'s words already say
        so), then recompute turns, markers and metrics from ``transcript``."""
        db = self.db
        db.conn.executemany(
            "UPDATE words SET speaker = ? WHERE id = ? AND call_id = ?",
            [(label, word_id, call_id) for word_id, label in moved.items()],
        )
        db.execute("DELETE FROM speakers WHERE call_id = ?", [call_id])
        db["speakers"].insert_all(
            {"call_id": call_id, "label": s.id, "role": s.role, "name": s.name, "channel": s.channel}
            for s in transcript.speakers
        )
        transcript, analysis = analyse_transcript(transcript, settings)
        self._store_derived(call_id, transcript, analysis)

    def swap_roles(self, call_id: int, settings: Settings) -> SpeakerChange:
        with self.write():
            self.call_row(call_id)  # a clear error for a call that is not there
            speakers = swap_roles(self._speakers(call_id))
            return self.set_speakers(call_id, speakers, settings)

    def rename_speaker(
        self,
        call_id: int,
        label: str,
        *,
        name: str | None = None,
        role: str | None = None,
        settings: Settings,
    ) -> SpeakerChange:
        self.call_row(call_id)  # a clear error for a call that is not there
        speakers = self._speakers(call_id)
        if label not in {s.id for s in speakers}:
            raise ReviewerError(
                f"Call #{call_id} has no speaker {label} (it has {', '.join(s.id for s in speakers)})."
            )
        if role is not None and role not in ("agent", "customer", "unknown"):
            raise ReviewerError(f"Unknown role {role!r}: use agent, customer or unknown.")
        updated = []
        for s in speakers:
            if s.id == label:
                s = replace(s, name=s.name if name is None else name, role=s.role if role is None else role)
            elif role == "agent" and s.role == "agent":
                s = replace(s, role="customer")  # one agent per call
            updated.append(s)
        return self.set_speakers(call_id, updated, settings)

    def speaker_ref(self, call_id: int, ref: str) -> str:
        """The label of a call's speaker named by label (S2), role (customer) or name; a label
        one past the call's last (S3 on a call with S1 and S2) names a new speaker."""
        self.call_row(call_id)  # a clear error for a call that is not there
        speakers = self._speakers(call_id)
        text = ref.strip()
        for field in ("id", "role", "name"):
            found = [s.id for s in speakers if str(getattr(s, field)).casefold() == text.casefold()]
            if len(found) == 1:
                return found[0]
        new = next_label(speakers)
        if text.upper() == new:
            return new
        names = ", ".join(speaker_display(s) for s in speakers)
        raise ReviewerError(
            f"Call #{call_id} has no speaker {ref!r}: it has {names}; {new} would be a new one."
        )

    def reassign_speech(
        self,
        call_id: int,
        speaker: str,
        *,
        start: float,
        end: float | None = None,
        only_from: str | None = None,
        settings: Settings,
    ) -> SpeechChange:
        """Correct who said what: the words whose middle lies between ``start`` and ``end`` (only
        ``only_from``'s, when given; without ``end``, the words of another speaker's turn at
        ``start``) become ``speaker``'s (a label of the call, or the next new label for a voice
        diarization missed), and the call is re-analysed, all in one transaction. Returns what
        to restore to undo it."""
        with self.write():
            t = self.load_call(call_id).transcript
            before = list(t.speakers)
            labels = [s.id for s in before]
            if speaker not in labels and speaker != next_label(before):
                raise ReviewerError(f"Call #{call_id} has no speaker {speaker}.")
            if end is None:
                turn = _turn_at(t.turns, start, not_by=speaker)
                if turn is None:
                    raise ReviewerError(
                        f"No one but {speaker} speaks at {clock(start)} in call #{call_id}; "
                        "give a range with --to to move a stretch of speech."
                    )
                start, end, only_from = turn.start, turn.end, turn.speaker
            elif end <= start:
                raise ReviewerError("The end of the stretch must come after its start.")
            ids = self._word_ids(call_id)
            low, high = start - 0.001, end + 0.001
            previous = {
                word_id: w.speaker
                for word_id, w in zip(ids, t.words, strict=True)
                if low <= (w.start + w.end) / 2 <= high
                and w.speaker != speaker
                and (only_from is None or w.speaker == only_from)
            }
            if not previous:
                raise ReviewerError(
                    f"Nothing to change: no words of another speaker between {clock(start)} and "
                    f"{clock(end)} in call #{call_id}."
                )
            added = None if speaker in labels else speaker
            after = before if added is None else before + [_new_speaker(speaker, before)]
            moved = dict.fromkeys(previous, speaker)
            self._reanalyse(call_id, _moved(t, ids, moved, after), moved, settings)
            return SpeechChange(call_id, previous, added, start, end, speaker)

    def restore_speech(self, change: SpeechChange, settings: Settings) -> None:
        """Undo ``reassign_speech``: the words it moved (those still with the speaker it gave
        them to) go back to whoever said them before; a speaker it added goes once no words are
        left with it. Roles and names stay as they are now."""
        with self.write():
            t = self.load_call(change.call_id).transcript
            ids = self._word_ids(change.call_id)
            now_with = dict(zip(ids, (w.speaker for w in t.words), strict=True))
            back = {i: was for i, was in change.word_speakers.items() if now_with.get(i) == change.speaker}
            left = {now_with[i] for i in now_with if i not in back}
            speakers = [s for s in t.speakers if s.id != change.added or s.id in left]
            self._reanalyse(change.call_id, _moved(t, ids, back, speakers), back, settings)

    # -- refusal labels ---------------------------------------------------------------------

    def label_refusal(
        self, call_id: int, at: float, is_refusal: bool | None, *, settings: Settings, author: str = ""
    ) -> RefusalLabelChange:
        """A coach's word on the agent turn at ``at``: a refusal (True), not one (False), or the
        model decides again (None). The call is re-analysed at once; returns what undoes it."""
        with self.write() as db:
            t = self.load_call(call_id).transcript
            agents = {s.id for s in t.speakers if s.role == "agent"}
            turn = _turn_at([x for x in t.turns if x.speaker in agents], at, not_by="")
            if turn is None:
                raise ReviewerError(
                    f"The agent is not speaking at {clock(at)} in call #{call_id}; "
                    "give a moment inside one of the agent's turns."
                )
            before = [
                lab
                for lab in t.refusal_labels
                if turn.start - 0.05 <= (lab.start + lab.end) / 2 <= turn.end + 0.05
            ]
            after = None if is_refusal is None else RefusalLabel(turn.start, turn.end, is_refusal, author)
            self._replace_labels(db, call_id, turn.start, turn.end, [after] if after else [])
            labels = [lab for lab in t.refusal_labels if lab not in before] + ([after] if after else [])
            self._reanalyse(call_id, replace(t, refusal_labels=labels), {}, settings)
            return RefusalLabelChange(call_id, turn, before, after)

    def restore_refusal_label(self, change: RefusalLabelChange, settings: Settings) -> None:
        """Undo ``label_refusal``: the labels on that turn as they were."""
        with self.write() as db:
            t = self.load_call(change.call_id).transcript
            self._replace_labels(db, change.call_id, change.turn.start, change.turn.end, change.before)
            t = replace(t, refusal_labels=self.refusal_labels(change.call_id))
            self._reanalyse(change.call_id, t, {}, settings)

    def _replace_labels(
        self, db: Database, call_id: int, start: float, end: float, labels: list[RefusalLabel]
    ) -> None:
        """The labels whose moment lies in ``start``-``end`` become ``labels``."""
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

    # -- comments ---------------------------------------------------------------------------

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
        self.check_comment(sec(row["duration_ms"]), start, end, text, category)
        stamp = now()
        with self.write() as db:
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
                    }
                )
                .last_pk
            )

    def update_comment(self, comment_id: int, **changes: Any) -> None:
        current = self.comment(comment_id)
        row = self.call_row(current["call_id"])
        start = changes.get("start", current["start"])
        end = changes.get("end", current["end"])
        text = changes.get("text", current["text"])
        category = changes.get("category", current["category"])
        self.check_comment(sec(row["duration_ms"]), start, end, text, category)
        update = {
            "start_ms": ms(start),
            "end_ms": ms(end),
            "text": text.strip(),
            "category": category,
            "updated_at": now(),
        }
        for key in ("author", "reply", "acknowledged_at"):
            if key in changes:
                update[key] = changes[key]
        with self.write() as db:
            db["comments"].update(comment_id, update)

    def restore_comment(self, comment: dict[str, Any]) -> int:
        """Put back a deleted comment exactly as it was (undo), under its old number when free."""
        fields = (
            "call_id start_ms end_ms author category text created_at updated_at acknowledged_at reply"
        ).split()
        row = {k: comment.get(k) for k in fields}
        with self.write() as db:
            taken = db.execute("SELECT 1 FROM comments WHERE id = ?", [comment["id"]]).fetchone()
            if not taken:
                row["id"] = comment["id"]
            return int(db["comments"].insert(row).last_pk)

    def delete_comment(self, comment_id: int) -> dict[str, Any]:
        current = self.comment(comment_id)
        with self.write() as db:
            db["comments"].delete(comment_id)
        return current

    def comment(self, comment_id: int) -> dict[str, Any]:
        rows = list(self.db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
        if not rows:
            raise ReviewerError(f"No comment #{comment_id}.")
        return _comment(rows[0])

    def comments(self, call_id: int) -> list[dict[str, Any]]:
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

    def set_review_status(self, call_id: int, status: str) -> None:
        if status not in REVIEW_STATUSES:
            raise ReviewerError(f"Unknown review status {status!r}: use one of {', '.join(REVIEW_STATUSES)}.")
        self.call_row(call_id)
        with self.write() as db:
            db.execute("UPDATE calls SET review_status = ? WHERE id = ?", [status, call_id])

    def agents(self) -> list[str]:
        """The agents' names (or speaker labels) across the library, for agent self-review."""
        rows = self.db.execute(
            "SELECT DISTINCT coalesce(nullif(name, ''), label) FROM speakers WHERE role = 'agent' ORDER BY 1"
        ).fetchall()
        return [r[0] for r in rows]

    # -- search -----------------------------------------------------------------------------

    def search(self, text: str, limit: int = 50) -> list[dict[str, Any]]:
        """Transcript turns matching ``text`` (all its words, stemmed), best first."""
        terms = re.findall(r"\w+", text.lower())
        if not terms:
            return []
        query = " ".join(f'"{t}"' for t in terms)
        sql = """
            SELECT t.call_id, c.name, t.speaker, t.start_ms, t.end_ms, t.text,
                   (SELECT role FROM speakers s WHERE s.call_id = t.call_id AND s.label = t.speaker) AS role
            FROM turns_fts f JOIN turns t ON t.rowid = f.rowid JOIN calls c ON c.id = t.call_id
            WHERE turns_fts MATCH ? ORDER BY f.rank LIMIT ?"""
        return [dict(r) for r in self.db.query(sql, [query, limit])]

    def calls_saying(self, text: str) -> list[int]:
        """Every call whose transcript matches ``text`` (as :meth:`search`), most recent first."""
        terms = re.findall(r"\w+", text.lower())
        if not terms:
            return []
        query = " ".join(f'"{t}"' for t in terms)
        sql = """
            SELECT DISTINCT t.call_id FROM turns_fts f JOIN turns t ON t.rowid = f.rowid
            JOIN calls c ON c.id = t.call_id WHERE turns_fts MATCH ?
            ORDER BY c.imported_at DESC, c.id DESC"""
        return [int(r[0]) for r in self.db.execute(sql, [query]).fetchall()]

    def select_calls(
        self,
        refs: list[str] | None = None,
        *,
        search: str | None = None,
        agent: str | None = None,
        status: str | None = None,
    ) -> list[int]:
        """Calls by reference (see :meth:`resolve`), or all calls, narrowed by a transcript search,
        the agent's name and the review status: how QA picks a week of calls to export."""
        rows = self.list_calls(brief=True)
        ids = [self.resolve(r) for r in refs] if refs else [int(r["id"]) for r in rows]
        if search:
            saying = set(self.calls_saying(search))
            ids = [i for i in ids if i in saying]
        if agent:
            by_agent = {int(r["id"]) for r in rows if (r["agent"] or "").casefold() == agent.casefold()}
            ids = [i for i in ids if i in by_agent]
        if status:
            if status not in REVIEW_STATUSES:
                raise ReviewerError(
                    f"Unknown review status {status!r}: use one of {', '.join(REVIEW_STATUSES)}."
                )
            with_status = {int(r["id"]) for r in rows if r["review_status"] == status}
            ids = [i for i in ids if i in with_status]
        return list(dict.fromkeys(ids))


def _comment(r: dict[str, Any]) -> dict[str, Any]:
    out = dict(r)
    out["start"] = sec(r["start_ms"])
    out["end"] = sec(r["end_ms"])
    return out
