"""Data exports: the whole call as JSON, its markers and comments as CSV, and the batch summary
(one row per call) that a QA team sorts in a spreadsheet. Times are in seconds, and in CSV also
as mm:ss; CSV is UTF-8 with a byte-order mark so spreadsheet programs read names correctly."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

from reviewer.analysis.reasons import reason_dict
from reviewer.document import marker_dicts, outcome_dicts, sentiment_dict, talk_stats, turn_dicts
from reviewer.labels import MARKER_NAMES, mmss
from reviewer.report.data import CallReport, producer


def _s(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def call_json(r: CallReport) -> dict[str, Any]:
    m = r.metrics
    row = r.row
    return {
        "format": "reviewer-call",
        "format_version": 1,
        "exported_by": producer(),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "redacted": r.redacted,
        "redaction": _redaction_doc(r),
        "transcript_edited": bool(r.edits),
        "transcript_edits": [
            {
                "start": e.start,
                "end": e.end,
                "author": e.author,
                "created_at": e.created_at,
                **({} if r.redacted else {"text": e.text, "heard": e.original}),
            }
            for e in r.edits
        ],
        "call": {
            "id": r.id,
            "name": r.name,
            "path": row.path,
            "recorded_at": row.recorded_at,
            "imported_at": row.imported_at,
            "duration": r.duration,
            "channels": row.channels,
            "speaker_split": row.speaker_split,
            **({"split_note": row.split_doubt} if row.split_doubt else {}),
            "language": row.language,
            "model": row.model,
            "review_status": row.review_status,
            "content_hash": row.content_hash,
        },
        "speakers": [
            {
                "id": s.id,
                "role": s.role,
                "name": s.name,
                "channel": s.channel,
                "label": r.who(s.id),
                **stats,
                "words_per_minute": round(stats["words_per_minute"], 1),
            }
            for s in r.speakers
            for stats in [talk_stats(s.id, m)]
        ],
        "metrics": {
            "agent_talk_share": m.agent_talk_share,
            "agent_talk_share_target": r.share_target,
            "agent_talk_share_verdict": r.share_verdict,
            "refusal_count": m.refusal_count,
            "longest_monologue": m.longest_monologue,
            "longest_silence": m.longest_silence,
            "overtalk_seconds": _s(m.overtalk_seconds),
            "overtalk_count": m.overtalk_count,
            "response_gap_median": _s(m.response_gap_median),
            "response_gap_mean": _s(m.response_gap_mean),
            "response_gap_count": m.response_gap_count,
        },
        "turns": turn_dicts(r.turns, 3),
        "words": [
            {
                "speaker": w.speaker,
                "start": _s(w.start, 3),
                "end": _s(w.end, 3),
                "text": w.text,
                "probability": _s(w.probability, 3),
            }
            for w in r.words
        ],
        "markers": marker_dicts(r.markers, 3),
        "comments": [
            {
                "id": c.id,
                "start": c.start,
                "end": c.end,
                "author": c.author,
                "category": c.category,
                "text": c.text,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
                "acknowledged_at": c.acknowledged_at,
                "reply": c.reply,
            }
            for c in r.comments
        ],
        "scorecard": None if r.score is None else _score_doc(r.score),
        "reason": reason_dict(r.reason, 3),
        "outcome": r.outcomes[-1].outcome if r.outcomes else (None if r.sentiment is None else ""),
        "outcomes": outcome_dicts(r.outcomes, 3),
        "sentiment": None if r.sentiment is None else sentiment_dict(r.sentiment, 3),
    }


def _redaction_doc(r: CallReport) -> dict[str, Any] | None:
    """What a redacted export hid: the summary its notice prints and each span (never the text)."""
    if not r.redacted:
        return None
    spans = [
        {"start": s.start, "end": s.end, "kind": s.kind, "speaker": s.speaker, "source": s.source}
        for s in r.hidden
    ]
    return {"summary": r.redaction_summary, "spans": spans}


def _score_doc(score) -> dict[str, Any]:  # noqa: ANN001 - library.scorecards.CallScore
    doc = score.to_dict()
    for item in doc["items"]:
        item["evidence"] = [{"start": _s(e["start"]), "end": _s(e["end"])} for e in item["evidence"]]
    return doc


def json_bytes(r: CallReport) -> bytes:
    return (json.dumps(call_json(r), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


EVENT_COLUMNS = [
    "call_id",
    "call",
    "type",
    "kind",
    "start",
    "start_s",
    "end",
    "end_s",
    "duration_s",
    "speaker",
    "role",
    "author",
    "text",
    "reply",
]


def events(r: CallReport) -> list[dict[str, Any]]:
    """One row per marker and comment, in time order."""
    rows = []
    for k in r.markers:
        rows.append(
            {
                "type": "marker",
                "kind": k.kind,
                "label": MARKER_NAMES.get(k.kind, k.kind),
                "start": k.start,
                "end": k.end,
                "speaker": k.speaker or "",
                "role": r.role(k.speaker),
                "author": "",
                "text": k.text,
                "reply": "",
            }
        )
    for c in r.comments:
        rows.append(
            {
                "type": "comment",
                "kind": c.category,
                "label": c.category,
                "start": c.start,
                "end": c.end,
                "speaker": "",
                "role": "",
                "author": c.author or "",
                "text": c.text,
                "reply": c.reply or "",
            }
        )
    rows.sort(key=lambda e: (e["start"], e["type"] != "marker"))
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:  # noqa: ANN401 - any cell
    """A cell a spreadsheet cannot run: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a ``'`` before it (OWASP's advice on CSV injection); numbers, and text
    that is just a number ("-3", "+1.5"), stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def events_csv(r: CallReport) -> bytes:
    rows = []
    for e in events(r):
        end = e["end"]
        rows.append(
            {
                **e,
                "call_id": r.id,
                "call": r.name,
                "start": mmss(e["start"]),
                "start_s": round(e["start"], 2),
                "end": mmss(end),
                "end_s": "" if end is None else round(end, 2),
                "duration_s": "" if end is None else round(end - e["start"], 2),
            }
        )
    return _csv(EVENT_COLUMNS, rows)


SUMMARY_COLUMNS = [
    "call_id",
    "call",
    "recorded_at",
    "imported_at",
    "duration",
    "duration_s",
    "agent",
    "review_status",
    "agent_talk_share",
    "agent_talk_share_target",
    "talk_share_verdict",
    "agent_talk_s",
    "customer_talk_s",
    "agent_words_per_minute",
    "customer_words_per_minute",
    "refusals",
    "long_monologues",
    "longest_monologue_s",
    "long_silences",
    "longest_silence_s",
    "overtalk_count",
    "overtalk_s",
    "response_gap_median_s",
    "reason",
    "reason_confidence",
    "outcome",
    "outcomes",
    "customer_sentiment_start",
    "customer_sentiment_end",
    "customer_sentiment_change",
    "agent_sentiment_change",
    "comments",
    "comments_praise",
    "comments_improve",
    "comments_compliance",
    "comments_other",
    "acknowledged",
    "scorecard",
    "score",
    "score_passed",
    "score_complete",
    "speaker_split",
    "transcript_edited",
    "transcript_edits",
    "path",
]


def summary_row(r: CallReport) -> dict[str, Any]:
    m = r.metrics
    agent_talk, agent_wpm = r.speaker_metrics("agent")
    customer_talk, customer_wpm = r.speaker_metrics("customer")
    row = {
        "call_id": r.id,
        "call": r.name,
        "recorded_at": r.row.recorded_at or "",
        "imported_at": r.row.imported_at or "",
        "duration": mmss(r.duration),
        "duration_s": round(r.duration, 1),
        "agent": r.agent,
        "review_status": r.row.review_status or "",
        "agent_talk_share": "" if m.agent_talk_share is None else round(m.agent_talk_share, 3),
        "agent_talk_share_target": r.share_target,
        "talk_share_verdict": r.share_verdict,
        "agent_talk_s": "" if agent_talk is None else round(agent_talk, 1),
        "customer_talk_s": "" if customer_talk is None else round(customer_talk, 1),
        "agent_words_per_minute": "" if agent_wpm is None else round(agent_wpm),
        "customer_words_per_minute": "" if customer_wpm is None else round(customer_wpm),
        "refusals": m.refusal_count,
        "long_monologues": len(r.markers_of("long_monologue")),
        "longest_monologue_s": round(m.longest_monologue, 1),
        "long_silences": len(r.markers_of("long_silence")),
        "longest_silence_s": round(m.longest_silence, 1),
        "overtalk_count": m.overtalk_count,
        "overtalk_s": round(m.overtalk_seconds, 1),
        "response_gap_median_s": "" if m.response_gap_median is None else round(m.response_gap_median, 2),
        **glance_columns(r),
        "comments": len(r.comments),
        "acknowledged": sum(1 for c in r.comments if c.acknowledged_at),
        "speaker_split": r.row.speaker_split or "",
        "transcript_edited": "yes" if r.edits else "no",
        "transcript_edits": len(r.edits),
        "path": r.row.path or "",
    }
    for category in ("praise", "improve", "compliance", "other"):
        row[f"comments_{category}"] = sum(1 for c in r.comments if c.category == category)
    s = r.score
    if s is not None:
        row["scorecard"] = f"{s.card} v{s.version}"
        row["score"] = s.total
        row["score_passed"] = "yes" if s.passed else "no"
        row["score_complete"] = "yes" if s.complete else "no"
        for item in s.items:  # one column per item: its answer
            row[f"item:{item.id}"] = "" if item.result is None else item.result
    return row


def glance_columns(r: CallReport) -> dict[str, Any]:
    """The call at a glance as summary columns (empty where it was not judged)."""
    reason, feeling = r.reason, r.sentiment
    c = feeling.customer if feeling is not None else None
    return {
        "reason": reason.label if reason else "",
        "reason_confidence": round(reason.confidence, 2) if reason else "",
        "outcome": r.outcomes[-1].outcome if r.outcomes else "",
        "outcomes": "; ".join(f"{o.kind}: {o.outcome}" for o in r.outcomes),
        "customer_sentiment_start": "" if c is None or c.start is None else round(c.start, 2),
        "customer_sentiment_end": "" if c is None or c.end is None else round(c.end, 2),
        "customer_sentiment_change": c.change if c else "",
        "agent_sentiment_change": feeling.agent.change if feeling else "",
    }


def summary_csv(rows: list[dict[str, Any]]) -> bytes:
    """The summary, with a column per scorecard item after the fixed columns (in the order
    the items first appear)."""
    items = list(dict.fromkeys(k for r in rows for k in r if k.startswith("item:")))
    return _csv([*SUMMARY_COLUMNS, *items], rows)
