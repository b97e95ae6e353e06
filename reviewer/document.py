"""The JSON document `reviewer analyze --json` prints (and `show --json`): times in seconds."""

from __future__ import annotations

from typing import Any

from reviewer.model import Analysis, Transcript


def call_document(transcript: Transcript, analysis: Analysis, **extra: Any) -> dict[str, Any]:
    m = analysis.metrics
    per_speaker = {s.speaker: s for s in m.speakers}
    total_talk = sum(s.talk_seconds for s in m.speakers)
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
                "talk_seconds": round(per_speaker[s.id].talk_seconds, 2) if s.id in per_speaker else 0.0,
                "talk_share": round(per_speaker[s.id].talk_seconds / total_talk, 4)
                if s.id in per_speaker and total_talk > 0
                else None,
                "words": per_speaker[s.id].words if s.id in per_speaker else 0,
                "words_per_minute": round(per_speaker[s.id].words_per_minute) if s.id in per_speaker else 0,
            }
            for s in transcript.speakers
        ],
        "agent_talk_share": m.agent_talk_share,
        "turns": [
            {"speaker": t.speaker, "start": round(t.start, 2), "end": round(t.end, 2), "text": t.text}
            for t in transcript.turns
        ],
        "markers": [
            {
                "kind": k.kind,
                "start": round(k.start, 2),
                "end": round(k.end, 2),
                "speaker": k.speaker,
                "text": k.text,
            }
            for k in analysis.markers
        ],
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
