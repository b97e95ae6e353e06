"""Everything one export needs about a call, read from the library once (and redacted there when
asked), so every format shows the same call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from reviewer import __version__
from reviewer.analysis.scoring import share_target
from reviewer.labels import speaker_label
from reviewer.model import (
    CallReason,
    CallRow,
    CallScore,
    Comment,
    Marker,
    Metrics,
    RequestOutcome,
    Sentiment,
    Speaker,
    TranscriptEdit,
    Turn,
    Word,
)
from reviewer.report.redact import mask_text
from reviewer.report.redaction import (
    RedactionSpan,
    call_redactions,
    hidden_summary,
    mask_markers,
    mask_transcript,
)
from reviewer.report.source import CallSource
from reviewer.settings import Settings


@dataclass(frozen=True)
class CallReport:
    row: CallRow
    speakers: list[Speaker]
    turns: list[Turn]
    words: list[Word]
    markers: list[Marker]
    comments: list[Comment]
    metrics: Metrics
    share_target: float
    redacted: bool
    peaks: np.ndarray | None = None  # (channels, columns, 2) min/max in -1..1 for the picture
    score: CallScore | None = None  # the default scorecard's result (None: the library has none)
    hidden: tuple[RedactionSpan, ...] = ()  # redacted: the spans hidden (report.redaction)
    masked_in_notes: tuple[str, ...] = ()  # redacted: the kinds masked in comments, notes and names
    masked_names: tuple[tuple[str, str], ...] = ()  # redacted: (speaker, kind) masked in a name
    edits: tuple[TranscriptEdit, ...] = ()  # a coach's corrections of what was said (in the words)

    @property
    def edited_note(self) -> str:
        """That the transcript was edited, by whom, in words ("" where it reads as heard)."""
        if not self.edits:
            return ""
        n = len(self.edits)
        who = sorted({e.author for e in self.edits if e.author})
        by = f" by {', '.join(who)}" if who else ""
        fixes = f"{n} correction{'s' if n != 1 else ''}"
        return f"Transcript edited{by}: {fixes} of what the speech recogniser heard"

    # The call at a glance as the library keeps it (None / empty: not judged); the turns they
    # quote masked as the transcript is, when redacted.
    reason: CallReason | None = None
    sentiment: Sentiment | None = None
    outcomes: tuple[RequestOutcome, ...] = ()

    @property
    def redaction_summary(self) -> str:
        """What redaction hid, in words ("" when not redacted)."""
        return hidden_summary(list(self.hidden), list(self.masked_in_notes)) if self.redacted else ""

    rules: dict[str, str] = field(default_factory=dict)  # each automatic item's rule, in words

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def name(self) -> str:
        return self.row.name

    @property
    def duration(self) -> float:
        return self.row.duration

    def speaker(self, label: str | None) -> Speaker | None:
        return next((s for s in self.speakers if s.id == label), None)

    def who(self, label: str | None) -> str:
        s = self.speaker(label)
        return speaker_label(s) if s else (label or "")

    def role(self, label: str | None) -> str:
        s = self.speaker(label)
        return s.role if s else ""

    @property
    def agent(self) -> str:
        agents = [s.name or s.id for s in self.speakers if s.role == "agent"]
        return ", ".join(agents) if agents else "not identified"

    @property
    def reviewers(self) -> str:
        names = sorted({c.author for c in self.comments if c.author})
        return ", ".join(names)

    def speaker_metrics(self, role: str):
        """(talk seconds, words per minute) summed over the speakers with ``role``."""
        ids = {s.id for s in self.speakers if s.role == role}
        found = [m for m in self.metrics.speakers if m.speaker in ids]
        if not found:
            return None, None
        talk = sum(m.talk_seconds for m in found)
        words = sum(m.words for m in found)
        return talk, (words / (talk / 60) if talk > 0 else 0.0)

    def markers_of(self, kind: str) -> list[Marker]:
        return [m for m in self.markers if m.kind == kind]

    @property
    def share_verdict(self) -> str:
        share = self.metrics.agent_talk_share
        if share is None:
            return "no agent identified"
        return "over target" if share > self.share_target else "within target"


def load_report(
    library: CallSource, call_id: int, settings: Settings, *, redact: bool = False, peaks_columns: int = 0
) -> CallReport:
    """The call as the library holds it now. ``redact`` masks what the call's redaction hides
    (``report.redaction.call_redactions``: the same spans its redacted audio hides) in the words,
    turns and markers, and what the finders find in comments, replies, scorecard notes and the
    speakers' names. ``peaks_columns`` > 0 also reads the cached waveform."""
    stored = library.load_call(call_id)
    t = stored.transcript
    row = stored.row
    markers = list(stored.markers)  # a refusal keeps its confidence, kind and request (JSON export)
    comments = library.comments(call_id)
    turns, words, speakers = list(t.turns), list(t.words), list(t.speakers)
    scored = library.call_score(call_id)
    score, card = scored if scored is not None else (None, None)
    hidden: list[RedactionSpan] = []
    in_notes: list[str] = []
    in_names: list[tuple[str, str]] = []
    reason, outcomes = stored.reason, stored.outcomes
    if redact:
        hidden = call_redactions(library, call_id, settings, words=words)
        turns, words, quoted = mask_transcript(turns, words, hidden)
        markers = mask_markers(markers, quoted)
        said = {(t.speaker, round(t.start, 2)): t.text for t in turns}  # each turn as masked

        def as_masked(speaker: str, start: float | None) -> str:
            return said.get((speaker, round(start or 0.0, 2)), "")

        if reason is not None and reason.text:
            reason = replace(reason, text=as_masked(reason.speaker, reason.start))
        outcomes = tuple(
            replace(o, evidence=as_masked(o.evidence_speaker, o.evidence_start)) for o in outcomes
        )

        def mask(text: str | None) -> str | None:
            if not text:
                return text
            masked, kinds = mask_text(text, settings.redact_words)
            in_notes.extend(kinds)
            return masked

        comments = [replace(c, text=mask(c.text) or "", reply=mask(c.reply)) for c in comments]
        for i, s in enumerate(speakers):
            if s.name:
                name, kinds = mask_text(s.name, settings.redact_words)
                speakers[i] = replace(s, name=name)
                in_names += [(s.id, kind) for kind in kinds]
        in_notes += [kind for _, kind in in_names]
        if score is not None:
            score = replace(
                score,
                items=[
                    replace(
                        i,
                        detail=mask(i.detail) or "",
                        override=i.override and replace(i.override, reason=mask(i.override.reason) or ""),
                        dispute=i.dispute
                        and replace(
                            i.dispute, text=mask(i.dispute.text) or "", reply=mask(i.dispute.reply) or ""
                        ),
                    )
                    for i in score.items
                ],
            )
    rules = {i.id: i.rule.describe(settings) for _, i in card.items() if i.rule} if card else {}
    peaks = None
    if peaks_columns > 0 and row.content_hash:
        from reviewer.audio.peaks import load_peaks

        pyramid = load_peaks(row.content_hash)
        duration = row.duration
        if pyramid is not None and duration > 0:
            per_column = duration / peaks_columns
            columns = [pyramid.columns(c, 0.0, per_column, peaks_columns) for c in range(pyramid.channels)]
            peaks = np.clip(np.stack(columns) / pyramid.loudest, -1.0, 1.0)
    return CallReport(
        row=row,
        speakers=speakers,
        turns=turns,
        words=words,
        markers=markers,
        comments=comments,
        metrics=stored.metrics,
        share_target=share_target(card, settings),  # the card's: one number in every part
        redacted=redact,
        peaks=peaks,
        score=score,
        hidden=tuple(hidden),
        masked_in_notes=tuple(in_notes),
        masked_names=tuple(in_names),
        rules=rules,
        edits=tuple(t.edits),
        reason=reason,
        sentiment=stored.sentiment,
        outcomes=tuple(outcomes),
    )


def producer() -> str:
    return f"Reviewer {__version__}"
