"""Analysis: pure, typed functions over words, turns and speakers. No audio, models, I/O or Qt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reviewer.analysis.outcome import outcomes as request_outcomes
from reviewer.analysis.reasons import call_reason
from reviewer.analysis.refusals import refusals
from reviewer.analysis.roles import assign_roles, name_agent
from reviewer.analysis.sentiment import sentiment as call_sentiment
from reviewer.analysis.stretches import monologues, overtalk, silences
from reviewer.analysis.talk import (
    agent_share,
    response_gaps,
    share_series,
    speaker_metrics,
    summarize_gaps,
)
from reviewer.analysis.turns import activity, build_turns, speech_runs
from reviewer.model import (
    Analysis,
    CallReason,
    GlanceCorrection,
    Metrics,
    RefusalLabel,
    Segment,
    Speaker,
    Transcript,
    Turn,
    Word,
)
from reviewer.settings import Settings

__all__ = ["analyse_transcript", "analyze", "at_a_glance", "build_turns", "corrected", "speech_runs"]


def analyze(
    speakers: Sequence[Speaker],
    words: Sequence[Word],
    turns: Sequence[Turn],
    duration: float,
    settings: Settings,
    overlaps: Sequence[Segment] = (),
    refusal_labels: Sequence[RefusalLabel] = (),
) -> Analysis:
    """Markers and metrics for one call; ``overlaps`` are the spans where diarization heard both
    parties of a mono call at once (see ``Transcript.overlaps``); ``refusal_labels`` a coach's
    word on agent turns, which overrides the refusal model."""
    runs = speech_runs(words, settings)
    silence_markers, longest_silence = silences(runs, settings)
    monologue_markers, longest_monologue = monologues(runs, settings)
    overtalk_markers, overtalk_seconds = overtalk(runs, settings, overlaps)
    # Sentiment first: it encodes every turn in one batch, and the request model's look-ups of
    # the customer's turns are then served by the encoder's cache.
    feeling = call_sentiment(speakers, turns, settings)
    refusal_markers = refusals(speakers, turns, settings, refusal_labels)
    gaps = response_gaps(speakers, turns, settings)
    median_gap, mean_gap = summarize_gaps(gaps)
    share = agent_share(speakers, runs)
    markers = sorted(
        [*refusal_markers, *monologue_markers, *silence_markers, *overtalk_markers],
        key=lambda m: (m.start, m.end, m.kind),
    )
    metrics = Metrics(
        speakers=tuple(speaker_metrics(speakers, runs, words)),
        agent_talk_share=round(share, 4) if share is not None else None,
        agent_share_series=tuple(share_series(speakers, runs, duration, settings)),
        refusal_count=len(refusal_markers),
        longest_monologue=round(longest_monologue, 3),
        longest_silence=round(longest_silence, 3),
        overtalk_seconds=round(overtalk_seconds, 3),
        overtalk_count=len(overtalk_markers),
        response_gap_median=median_gap,
        response_gap_mean=mean_gap,
        response_gap_count=len(gaps),
    )
    found = request_outcomes(speakers, turns, settings, refusal_markers)
    reason = call_reason(speakers, turns, settings.reasons) if settings.reasons else None
    return Analysis(tuple(markers), metrics, reason, feeling, found)


def analyse_transcript(transcript: Transcript, settings: Settings) -> tuple[Transcript, Analysis]:
    """Turns, roles (unless already set) and analysis for a transcript; pure."""
    turns = build_turns(transcript.words, settings)
    speakers = transcript.speakers
    if all(s.role == "unknown" for s in speakers):
        speakers = name_agent(assign_roles(speakers, turns, settings), turns, settings.first_names)
    runs = speech_runs(transcript.words, settings)
    transcript = replace(
        transcript, speakers=list(speakers), segments=activity(runs, transcript.overlaps), turns=turns
    )
    return transcript, analyze(
        speakers,
        transcript.words,
        turns,
        transcript.duration,
        settings,
        transcript.overlaps,
        transcript.refusal_labels,
    )


def at_a_glance(transcript: Transcript, analysis: Analysis, settings: Settings) -> Analysis:
    """``analysis`` with the call at a glance judged again from the transcript's turns and the
    stored refusals: its reason (where ``settings`` has a reasons list), its sentiment and each
    request's outcome (what a call stored before the library kept them lacks)."""
    t = transcript
    return replace(
        analysis,
        reason=call_reason(t.speakers, t.turns, settings.reasons) if settings.reasons else None,
        sentiment=call_sentiment(t.speakers, t.turns, settings),
        outcomes=request_outcomes(t.speakers, t.turns, settings, analysis.markers),
    )


CORRECTED = "coach"  # the method of a reason a coach gave


def corrected(analysis: Analysis, corrections: Sequence[GlanceCorrection]) -> Analysis:
    """``analysis`` with a coach's corrections over what it judged: the reason (keeping the turn
    that showed the judged one, sure as the coach is), and the outcome of each request made at a
    correction's moment (within a tenth of a second: the turn's start, as stored)."""
    reason, outcomes = analysis.reason, list(analysis.outcomes)
    for c in corrections:
        who = f"corrected by {c.author}" if c.author else "corrected by a coach"
        if c.request_start is None:
            base = reason or CallReason(c.value, c.label, 1.0, CORRECTED)
            reason = replace(base, name=c.value, label=c.label or c.value, confidence=1.0, method=CORRECTED)
            continue
        for i, o in enumerate(outcomes):
            if abs(o.start - c.request_start) <= 0.1:
                outcomes[i] = replace(o, outcome=c.value, why=who)
    return replace(analysis, reason=reason, outcomes=tuple(outcomes))
