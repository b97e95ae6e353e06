"""The JSON document `reviewer analyze --json` prints (and `show --json`): times in seconds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from reviewer.model import Analysis, Marker, Metrics, StoredCall, Transcript, Turn


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
    doc.update(extra)
    return doc


def stored_document(library: StoredCalls, call_id: int) -> dict[str, Any]:
    """The same document for a call in the library, with its id, name and path."""
    stored = library.load_call(call_id)
    row = stored.row
    doc = call_document(stored.transcript, Analysis(tuple(stored.markers), stored.metrics))
    doc.update({"id": row.id, "name": row.name, "path": row.path, "imported_at": row.imported_at})
    return doc
