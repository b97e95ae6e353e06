"""Schema and migrations. Times are integer milliseconds: no float drift between transcript,
timeline and comments. Never edit a migration that has shipped; add a new one."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from reviewer.library.backend import PgDatabase

migrations = Migrations("reviewer")


@migrations()
def m001_initial(db: Database) -> None:
    db["calls"].create(
        {
            "id": int,
            "content_hash": str,
            "name": str,
            "path": str,
            "size": int,
            "recorded_at": str,
            "imported_at": str,
            "duration_ms": int,
            "channels": int,
            "source_channels": int,
            "source_rate": int,
            "dual_mono": int,
            "speaker_split": str,
            "language": str,
            "model": str,
            "agent_talk_share": float,
            "refusal_count": int,
            "longest_monologue_ms": int,
            "longest_silence_ms": int,
            "overtalk_ms": int,
            "overtalk_count": int,
            "response_gap_median_ms": int,
            "review_status": str,
            "metrics_json": str,
        },
        pk="id",
        not_null={"content_hash", "name", "duration_ms"},
        defaults={"review_status": "new"},
    )
    db["calls"].create_index(["content_hash"], unique=True)
    db["speakers"].create(
        {"id": int, "call_id": int, "label": str, "role": str, "name": str, "channel": int},
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "label"},
    )
    db["speakers"].create_index(["call_id", "label"], unique=True)
    for table, extra in (
        ("turns", {"text": str}),
        ("words", {"text": str, "probability": float}),
        ("segments", {}),
        ("markers", {"kind": str, "text": str}),
    ):
        db[table].create(
            {"id": int, "call_id": int, "speaker": str, "start_ms": int, "end_ms": int, **extra},
            pk="id",
            foreign_keys=[("call_id", "calls", "id")],
            not_null={"call_id", "start_ms"},
        )
        db[table].create_index(["call_id", "start_ms"])
    db["comments"].create(
        {
            "id": int,
            "call_id": int,
            "start_ms": int,
            "end_ms": int,
            "author": str,
            "category": str,
            "text": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "start_ms", "text", "category"},
    )
    db["comments"].create_index(["call_id", "start_ms"])
    db["turns"].enable_fts(["text"], create_triggers=True, tokenize="porter")


@migrations()
def m002_comment_acknowledgement(db: Database) -> None:
    """Agents acknowledge a coach's comment and may reply (agent self-review)."""
    db["comments"].add_column("acknowledged_at", str)
    db["comments"].add_column("reply", str)


@migrations()
def m003_agent_lookup_index(db: Database) -> None:
    """The library list finds each call's agent from this index alone."""
    db["speakers"].create_index(["role", "call_id", "name", "label"], index_name="idx_speakers_agent")


@migrations()
def m004_heard_overlaps(db: Database) -> None:
    """Where diarization heard both parties of a mono call at once: kept with the words, since a
    role change re-runs the analysis that turns them into overtalk markers."""
    db["overlaps"].create(
        {"id": int, "call_id": int, "speaker": str, "start_ms": int, "end_ms": int},
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "start_ms"},
    )
    db["overlaps"].create_index(["call_id", "start_ms"])


@migrations()
def m005_refusal_labels(db: Database) -> None:
    """A coach's word on whether an agent turn is a refusal, kept by time (it outlives the
    turns, which a correction of who said what rebuilds); and each refusal marker's
    confidence, kind of push-back and the request it follows."""
    db["refusal_labels"].create(
        {
            "id": int,
            "call_id": int,
            "start_ms": int,
            "end_ms": int,
            "is_refusal": int,
            "author": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "start_ms", "end_ms", "is_refusal"},
    )
    db["refusal_labels"].create_index(["call_id", "start_ms"])
    db["markers"].add_column("confidence", float)
    db["markers"].add_column("category", str)
    db["markers"].add_column("request", str)


@migrations()
def m006_phrase_trackers(db: Database) -> None:
    """Phrase trackers (a named list of phrases, a side, an optional window) and their hits per call."""
    db["trackers"].create(
        {
            "id": int,
            "name": str,
            "phrases": str,
            "side": str,
            "within_first_ms": int,
            "within_last_ms": int,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "phrases", "side"},
    )
    db["trackers"].create_index(["name"], unique=True)
    db["tracker_hits"].create(
        {
            "id": int,
            "call_id": int,
            "tracker": str,
            "start_ms": int,
            "end_ms": int,
            "speaker": str,
            "phrase": str,
            "text": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "tracker", "start_ms"},
    )
    db["tracker_hits"].create_index(["call_id", "start_ms"])
    db["tracker_hits"].create_index(["tracker"])


@migrations()
def m007_scorecards(db: Database) -> None:
    """QA scorecards (each version's TOML kept whole), every answer to an item per call, card
    version and grader ("auto" for the rules), each call's current total per card, and agents'
    disputes of items. The default scorecard is stored as version 1."""
    db["scorecards"].create(
        {"id": int, "name": str, "version": int, "source": str, "is_default": int, "created_at": str},
        pk="id",
        not_null={"name", "version", "source"},
    )
    db["scorecards"].create_index(["name", "version"], unique=True)
    db["score_answers"].create(
        {
            "id": int,
            "call_id": int,
            "card": str,
            "version": int,
            "item_id": str,
            "grader": str,
            "value": str,
            "reason": str,
            "detail": str,
            "evidence_json": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "card", "version", "item_id", "grader"},
    )
    db["score_answers"].create_index(["call_id", "card", "version", "item_id", "grader"], unique=True)
    db["call_scores"].create(
        {
            "call_id": int,
            "card": str,
            "version": int,
            "total": float,
            "passed": int,
            "complete": int,
            "auto_failed": str,
            "updated_at": str,
        },
        pk=("call_id", "card"),
        foreign_keys=[("call_id", "calls", "id")],
    )
    db["disputes"].create(
        {
            "id": int,
            "call_id": int,
            "card": str,
            "version": int,
            "item_id": str,
            "author": str,
            "text": str,
            "value": str,
            "status": str,
            "reply": str,
            "resolved_by": str,
            "created_at": str,
            "resolved_at": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "card", "item_id", "text", "status"},
    )
    db["disputes"].create_index(["call_id", "status"])
    from reviewer.resources import resource

    db["scorecards"].insert(
        {
            "name": _default_card_name(resource("scorecards", "default.toml").read_text("utf-8")),
            "version": 1,
            "source": resource("scorecards", "default.toml").read_text("utf-8"),
            "is_default": 1,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )


def _default_card_name(source: str) -> str:
    return str(tomllib.loads(source)["name"])


@migrations()
def m008_clips(db: Database) -> None:
    """Coaching clips (a stretch of a call with a title and a note), named playlists of clips
    across calls, and a coach's changes to what redacted audio hides in a call (spans added,
    spans the finder found taken out)."""
    db["clips"].create(
        {
            "id": int,
            "call_id": int,
            "start_ms": int,
            "end_ms": int,
            "title": str,
            "note": str,
            "author": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "start_ms", "end_ms", "title"},
    )
    db["clips"].create_index(["call_id", "start_ms"])
    db["playlists"].create({"id": int, "name": str, "created_at": str}, pk="id", not_null={"name"})
    db["playlists"].create_index(["name"], unique=True)
    db["playlist_clips"].create(
        {"id": int, "playlist_id": int, "clip_id": int, "position": int},
        pk="id",
        foreign_keys=[("playlist_id", "playlists", "id"), ("clip_id", "clips", "id")],
        not_null={"playlist_id", "clip_id", "position"},
    )
    db["playlist_clips"].create_index(["playlist_id", "position"])
    db["playlist_clips"].create_index(["clip_id"])
    db["redaction_edits"].create(
        {"id": int, "call_id": int, "start_ms": int, "end_ms": int, "action": str, "created_at": str},
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "start_ms", "end_ms", "action"},
    )
    db["redaction_edits"].create_index(["call_id", "start_ms"])


@migrations()
def m009_shared_library(db: Database) -> None:
    """Several apps on one library: a version on each call and comment, with who changed it last,
    so an edit made on an old copy is refused rather than overwriting someone's change; a serial
    that every write moves on, which apps watch to refresh; and the library's own settings (the
    team's audio folder)."""
    for table in ("calls", "comments"):
        db[table].add_column("version", int, not_null_default=1)
        db[table].add_column("changed_by", str)
    db["calls"].add_column("changed_at", str)
    db["library_state"].create({"id": int, "serial": int}, pk="id", not_null={"serial"})
    db["library_state"].insert({"id": 1, "serial": 0})
    db["library_settings"].create({"key": str, "value": str}, pk="key", not_null={"value"})


@migrations()
def m010_refusal_request_time(db: Database) -> None:
    """When the customer made the request a refusal follows (integer milliseconds), so a report
    says "after the customer asked to cancel at 0:06" without reading it back out of the
    marker's words. Markers stored before have none until the call is analysed again."""
    db["markers"].add_column("request_ms", int)


@migrations()
def m011_voice_profiles(db: Database) -> None:
    """Agents' voice profiles (biometric data, off until a coach turns them on): a sample of an
    agent's voice per call or marked stretch (the mean CAM++ embedding, as JSON), never exported;
    and a mono call's doubt about its split between the voices, in words."""
    db["voice_samples"].create(
        {
            "id": int,
            "name": str,
            "embedding": str,
            "windows": int,
            "seconds": float,
            "call_id": int,
            "source": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "embedding"},
    )
    db["voice_samples"].create_index(["name"])
    db["calls"].add_column("split_doubt", str)


@migrations()
def m012_concept_trackers(db: Database) -> None:
    """Concept trackers: a tracker's example sentences (a JSON list, NULL for a phrase tracker)
    and its own similarity threshold (NULL: the default)."""
    db["trackers"].add_column("examples", str)
    db["trackers"].add_column("threshold", float)


@migrations()
def m013_transcript_edits(db: Database) -> None:
    """A coach's corrections of what was said, kept by time (a span, and what it reads as, with
    who made it and when, what the speech recogniser had heard there, and the earlier edits it
    grew over, as JSON, for an undo from the command line): the words table keeps
    what was heard, so a correction outlives re-analysis, speaker corrections and a new
    transcription."""
    db["transcript_edits"].create(
        {
            "id": int,
            "call_id": int,
            "start_ms": int,
            "end_ms": int,
            "text": str,
            "speaker": str,
            "author": str,
            "created_at": str,
            "original": str,
            "replaced": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "start_ms", "end_ms", "text"},
    )
    db["transcript_edits"].create_index(["call_id", "start_ms"])


@migrations()
def m014_call_glance(db: Database) -> None:
    """The call at a glance, as the analysis judged it: why the customer called, how each request
    ended (with the turn that shows it) and the call's outcome, each turn's sentiment, and each
    party's sentiment from start to end. The reason, outcome and the customer's change are
    columns of ``calls`` (the library list shows and filters them); the rest of the reason and the
    trends are ``glance_json``, which stays NULL for a call stored before until it is analysed
    again (``actions.library.open_library`` catches those up)."""
    for column in ("reason", "reason_label", "outcome", "sentiment_change", "glance_json"):
        db["calls"].add_column(column, str)
    db["turn_sentiments"].create(
        {
            "id": int,
            "call_id": int,
            "speaker": str,
            "start_ms": int,
            "end_ms": int,
            "label": str,
            "score": float,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "start_ms", "label"},
    )
    db["turn_sentiments"].create_index(["call_id", "start_ms"])
    db["request_outcomes"].create(
        {
            "id": int,
            "call_id": int,
            "kind": str,
            "start_ms": int,
            "outcome": str,
            "evidence_start_ms": int,
            "evidence_end_ms": int,
            "evidence_speaker": str,
            "evidence": str,
            "why": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "kind", "start_ms", "outcome"},
    )
    db["request_outcomes"].create_index(["call_id", "start_ms"])
    # A coach's correction of the reason (request_ms NULL) or of the outcome of the request made
    # at request_ms: kept apart from what the analysis judged, so it survives re-analysis.
    db["glance_corrections"].create(
        {
            "id": int,
            "call_id": int,
            "request_ms": int,
            "value": str,
            "label": str,
            "author": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "value"},
    )
    db["glance_corrections"].create_index(["call_id"])


@migrations()
def m015_review_flow(db: Database) -> None:
    """Who is who and where a review stands: the library's people (a login, the name every
    change is signed with, and a role: coach, QA lead or agent; on a shared library the
    database user is the login); each call's submitted review (who submitted it and when, and
    the agent's acknowledgement); every change of a submitted score, with its reason; and what
    each person has read of their inbox. "reviewed" is now "submitted"."""
    db["people"].create(
        {"login": str, "name": str, "role": str, "created_at": str},
        pk="login",
        not_null={"name", "role"},
    )
    db["reviews"].create(
        {
            "call_id": int,
            "submitted_by": str,
            "submitted_at": str,
            "acknowledged_by": str,
            "acknowledged_at": str,
        },
        pk="call_id",
        foreign_keys=[("call_id", "calls", "id")],
    )
    db["score_changes"].create(
        {
            "id": int,
            "call_id": int,
            "card": str,
            "item_id": str,
            "person": str,
            "old_value": str,
            "new_value": str,
            "reason": str,
            "changed_at": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "card", "item_id", "reason"},
    )
    db["score_changes"].create_index(["call_id"])
    db["read_marks"].create(
        {"login": str, "entry": str, "read_at": str}, pk=("login", "entry"), not_null={"read_at"}
    )
    db.execute("UPDATE calls SET review_status = 'submitted' WHERE review_status = 'reviewed'")


SCHEMA_VERSION = len(migrations._migrations)
PG_MIGRATIONS_TABLE = "reviewer_migrations"


def apply_migrations(db: Database) -> None:
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def pg_schema_version(db: PgDatabase) -> int:
    """How many of the migrations a PostgreSQL library has had (0 for an empty database)."""
    if db.execute("SELECT to_regclass(?)", [PG_MIGRATIONS_TABLE]).fetchone()[0] is None:
        return 0
    return int(db.execute(f"SELECT count(*) FROM {PG_MIGRATIONS_TABLE}").fetchone()[0])


def apply_pg_migrations(db: PgDatabase) -> list[str]:
    """The same migrations on PostgreSQL, each in its own transaction, under a session advisory
    lock: of twenty apps starting at once on a new library, one migrates and the others wait,
    then find nothing left to do. Returns the names applied."""
    applied = []
    with db.session_lock(db.lock_key ^ 0x5EED):
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {PG_MIGRATIONS_TABLE} "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {r[0] for r in db.execute(f"SELECT name FROM {PG_MIGRATIONS_TABLE}").fetchall()}
        for migration in migrations._migrations:
            if migration.name in done:
                continue
            with db.transaction():
                migration.fn(db)  # type: ignore[arg-type]  # PgDatabase speaks the same table calls
                db.execute(
                    f"INSERT INTO {PG_MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                    [migration.name, datetime.now(UTC).isoformat(timespec="seconds")],
                )
            applied.append(migration.name)
    return applied
