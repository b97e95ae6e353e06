"""The JSON document `reviewer analyze --json` prints (and `show --json`): times in seconds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from reviewer.analysis.reasons import reason_dict
from reviewer.model import Analysis, Marker, Metrics, RequestOutcome, Sentiment, StoredCall, Transcript, Turn


class StoredCalls(Protocol):
    """Where stored calls come from (``reviewer.library.Library``)."""

    def load_call(self, call_id: int) -> StoredCall: ...


# A separated mono call where one voice holds this much of the talk may be two voices heard as
# one (two similar voices defeat the speaker split): the app and `reviewer show` say how to correct it.
ONE_VOICE_SHARE = 0.9
# ... and so may one that holds less, but still this much, with a long monologue: on real calls a
# voice that absorbs the other shows as one side lecturing for minutes.
UNCERTAIN_SHARE = 0.85
ONE_VOICE_MIN_TALK = 20.0  # seconds of talk before that is worth saying


def one_voice(
    split: str, talk: dict[str, float], longest_monologue: float = 0.0, monologue_min: float = 30.0
) -> tuple[str, float] | None:
    """(speaker, share) when a diarized call's talk (seconds by speaker) is nearly all one voice,
    or mostly one voice with a monologue of at least ``monologue_min``: the split is uncertain."""
    total = sum(talk.values())
    if split != "diarization" or total < ONE_VOICE_MIN_TALK:
        return None
    label, most = max(talk.items(), key=lambda kv: kv[1])
    share = most / total
    uncertain = share >= UNCERTAIN_SHARE and longest_monologue >= monologue_min
    return (label, share) if share >= ONE_VOICE_SHARE or uncertain else None


def talk_stats(speaker_id: str, metrics: Metrics) -> dict[str, Any]:
    """One speaker's talk time, share of all talk, words and speaking rate (unrounded), zeros for
    a speaker who never spoke; what the JSON document and the JSON export both report."""
    per_speaker = {s.speaker: s for s in metrics.speakers}
    total_talk = sum(s.talk_seconds for s in metrics.speakers)
    s = per_speaker.get(speaker_id)
    if s is None:
        return {"talk_seconds": 0.0, "talk_share": None, "words": 0, "words_per_minute": 0.0}
    return {
        "talk_seconds": round(s.talk_seconds, 2),
        "talk_share": round(s.talk_seconds / total_talk, 4) if total_talk > 0 else None,
        "words": s.words,
        "words_per_minute": s.words_per_minute,
    }


def turn_dicts(turns: Iterable[Turn], digits: int = 2) -> list[dict[str, Any]]:
    """Turns as JSON objects, times in seconds rounded to ``digits``."""
    return [
        {"speaker": t.speaker, "start": round(t.start, digits), "end": round(t.end, digits), "text": t.text}
        for t in turns
    ]


REFUSAL_DETAILS = ("confidence", "category", "request", "request_start")


def marker_dict(m: Marker, digits: int = 2) -> dict[str, Any]:
    """A marker as a JSON object: times rounded to ``digits``; a refusal also says how sure the
    model is, the kind of push-back and the request it follows (see analysis.refusals)."""
    out: dict[str, Any] = {
        "kind": m.kind,
        "start": round(m.start, digits),
        "end": round(m.end, digits),
        "speaker": m.speaker,
        "text": m.text,
    }
    if m.kind == "refusal":
        out.update({k: getattr(m, k) for k in REFUSAL_DETAILS})
    return out


def marker_dicts(markers: Iterable[Marker], digits: int = 2) -> list[dict[str, Any]]:
    """Markers as JSON objects (see ``marker_dict``)."""
    return [marker_dict(k, digits) for k in markers]


def sentiment_dict(s: Sentiment, digits: int = 2) -> dict[str, Any]:
    """Each turn's sentiment (label, score in [-1, 1]) and each party's trend (start and end:
    the mean score of the first and the last third of their turns; change: better | same | worse)."""
    return {
        "method": s.method,
        **({"note": s.note} if s.note else {}),
        "customer": {"start": s.customer.start, "end": s.customer.end, "change": s.customer.change},
        "agent": {"start": s.agent.start, "end": s.agent.end, "change": s.agent.change},
        "turns": [
            {
                "speaker": t.speaker,
                "start": round(t.start, digits),
                "end": round(t.end, digits),
                "label": t.label,
                "score": t.score,
            }
            for t in s.turns
        ],
    }


def outcome_dicts(found: Iterable[RequestOutcome], digits: int = 2) -> list[dict[str, Any]]:
    """Each customer request: its kind, when it was made, how it ended and the turn that shows it."""
    return [
        {
            "request": o.kind,
            "start": round(o.start, digits),
            "outcome": o.outcome,
            "evidence": {
                "speaker": o.evidence_speaker,
                "start": round(o.evidence_start, digits),
                "end": round(o.evidence_end, digits),
                "text": o.evidence,
            },
            "why": o.why,
        }
        for o in found
    ]


def call_document(transcript: Transcript, analysis: Analysis, **extra: Any) -> dict[str, Any]:
    m = analysis.metrics
    doc: dict[str, Any] = {
        "duration": round(transcript.duration, 3),
        "channels": transcript.channels,
        "speaker_split": transcript.speaker_split,
        "speakers": [
            {
                "id": s.id,
                "role": s.role,
                **({"name": s.name} if s.name else {}),
                **({"channel": s.channel} if s.channel is not None else {}),
                **stats,
                "words_per_minute": round(stats["words_per_minute"]),
            }
            for s in transcript.speakers
            for stats in [talk_stats(s.id, m)]
        ],
        "agent_talk_share": m.agent_talk_share,
        "turns": turn_dicts(transcript.turns),
        "markers": marker_dicts(analysis.markers),
        "reason": reason_dict(analysis.reason),
        "metrics": {
            "refusal_count": m.refusal_count,
            "longest_monologue": m.longest_monologue,
            "longest_silence": m.longest_silence,
            "overtalk_seconds": m.overtalk_seconds,
            "overtalk_count": m.overtalk_count,
            "response_gap_median": m.response_gap_median,
            "response_gap_mean": m.response_gap_mean,
            "response_gap_count": m.response_gap_count,
            "agent_talk_share_series": [{"time": p.time, "share": p.share} for p in m.agent_share_series],
        },
        "language": transcript.language,
        "model": transcript.model,
    }
    if transcript.split_doubt:  # the split between the voices is uncertain (speakers.profiles)
        doc["split_note"] = transcript.split_doubt
    if analysis.sentiment is not None:
        doc["sentiment"] = sentiment_dict(analysis.sentiment)
    if analysis.sentiment is not None or analysis.outcomes:
        doc["outcomes"] = outcome_dicts(analysis.outcomes)
        doc["outcome"] = analysis.outcomes[-1].outcome if analysis.outcomes else None
    doc.update(extra)
    return doc


def stored_document(library: StoredCalls, call_id: int) -> dict[str, Any]:
    """The same document for a call in the library, with its id, name and path: its reason,
    sentiment and request outcomes as the library keeps them."""
    stored = library.load_call(call_id)
    row = stored.row
    doc = call_document(stored.transcript, stored.analysis)
    doc.update({"id": row.id, "name": row.name, "path": row.path, "imported_at": row.imported_at})
    doc["transcript_edits"] = len(stored.transcript.edits)  # a coach's corrections of what was said
    return doc
