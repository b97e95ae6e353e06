"""The call's data: small typed values shared by every room. Times are in seconds (float)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal["agent", "customer", "unknown"]
MarkerKind = Literal["refusal", "long_monologue", "long_silence", "overtalk"]
SpeakerSplit = Literal["channels", "diarization", "single"]


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    speaker: str
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    """A stretch of speech activity by one speaker (from channel energy or diarization)."""

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: float
    end: float
    text: str
    word_count: int = 0

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Speaker:
    id: str  # "S1", "S2", ...
    role: Role = "unknown"
    name: str = ""
    channel: int | None = None  # 0/1 for a stereo split


@dataclass(frozen=True)
class Marker:
    kind: MarkerKind
    start: float
    end: float
    speaker: str | None
    text: str
    # Refusals: how sure the model is (1.0 where a coach said so), the kind of push-back
    # (see analysis.pushback.KINDS) and the request it follows (resources/requests.toml).
    confidence: float | None = None
    category: str = ""
    request: str = ""
    request_start: float | None = None  # when the customer made that request (seconds)


@dataclass(frozen=True)
class RefusalLabel:
    """A coach's word on the agent turn at this moment: a refusal or not, whatever the model says."""

    start: float
    end: float
    is_refusal: bool
    author: str = ""


@dataclass(frozen=True)
class SpeakerMetrics:
    speaker: str
    talk_seconds: float
    words: int
    words_per_minute: float


@dataclass(frozen=True)
class SharePoint:
    """Agent talk share in a window centred on ``time``; None where nobody spoke."""

    time: float
    share: float | None


@dataclass(frozen=True)
class Metrics:
    speakers: tuple[SpeakerMetrics, ...]
    agent_talk_share: float | None
    agent_share_series: tuple[SharePoint, ...]
    refusal_count: int
    longest_monologue: float
    longest_silence: float
    overtalk_seconds: float
    overtalk_count: int
    response_gap_median: float | None
    response_gap_mean: float | None
    response_gap_count: int


@dataclass(frozen=True)
class CallReason:
    """Why the customer called (``analysis.reasons``): a reason of the team's list, or "other",
    how sure, and the customer's turn that shows it (None for "other" with no turn)."""

    name: str
    label: str
    confidence: float  # 0..1
    method: str  # "embedding" (sentence similarity) | "phrases" (the text-only fallback)
    start: float | None = None
    end: float | None = None
    speaker: str = ""
    text: str = ""


@dataclass(frozen=True)
class TurnSentiment:
    """How a speaker comes across in one turn (``analysis.sentiment``)."""

    start: float
    end: float
    speaker: str
    label: str  # negative | neutral | positive
    score: float  # P(positive) - P(negative), in [-1, 1]


@dataclass(frozen=True)
class SentimentTrend:
    """One party's mean score over the first and the last third of their turns, and the change
    in words: better | same | worse ("" where the party said nothing)."""

    role: str
    start: float | None
    end: float | None
    change: str


@dataclass(frozen=True)
class Sentiment:
    turns: tuple[TurnSentiment, ...]
    customer: SentimentTrend
    agent: SentimentTrend
    method: str  # "sentence embeddings" | "text only"
    note: str = ""  # said once where the text-only fallback was used


@dataclass(frozen=True)
class RequestOutcome:
    """How one customer request ended (``analysis.outcome``): done, retained, withdrawn, refused,
    escalated or unresolved, and the turn that shows it."""

    kind: str  # an id of resources/requests.toml
    start: float  # the customer's turn that made the request
    outcome: str
    evidence_start: float
    evidence_end: float
    evidence_speaker: str
    evidence: str  # the words of that turn
    why: str = ""  # what the analysis went by


@dataclass(frozen=True)
class Analysis:
    markers: tuple[Marker, ...]
    metrics: Metrics
    reason: CallReason | None = None  # None: not judged (no customer turn, or no reasons list)
    sentiment: Sentiment | None = None
    outcomes: tuple[RequestOutcome, ...] = ()


@dataclass
class Transcript:
    """What the speech stages produce for one call, before analysis."""

    duration: float
    channels: int
    speaker_split: SpeakerSplit
    speakers: list[Speaker]
    words: list[Word]
    segments: list[Segment]
    turns: list[Turn] = field(default_factory=list)
    language: str | None = None
    model: str = ""
    # Mono calls: where diarization heard both parties at once, which Whisper's single word
    # stream cannot show; ``speaker`` is whoever came in second. Empty for stereo calls, whose
    # words already overlap where the parties do.
    overlaps: list[Segment] = field(default_factory=list)
    # A coach's labels on agent turns (refusal or not), which the analysis obeys.
    refusal_labels: list[RefusalLabel] = field(default_factory=list)
    # Mono calls: why the split between the voices is doubtful ("" where it is not), in words.
    split_doubt: str = ""


@dataclass(frozen=True)
class VoiceSample:
    """One piece of an agent's voice profile (biometric data, kept only in the library): the
    mean CAM++ embedding of ``windows`` windows over ``seconds`` of their speech in one call."""

    id: int
    name: str
    embedding: tuple[float, ...]
    windows: int
    seconds: float
    call_id: int | None = None
    source: str = ""  # "channel" (a stereo call's agent side) | "selection" (a marked stretch)
    created_at: str = ""


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
class Comment:
    """A coach's time-stamped comment on a call, as the library holds it: at a moment
    (``end`` None) or on a range (seconds), the agent's acknowledgement and reply, and the
    version a change of it must be made on (a shared library refuses an edit of an old copy)."""

    id: int
    call_id: int
    start: float
    end: float | None
    text: str
    category: str = "other"  # praise | improve | compliance | other
    author: str | None = ""
    created_at: str | None = None
    updated_at: str | None = None
    acknowledged_at: str | None = None
    reply: str | None = None
    version: int = 1
    changed_by: str | None = None


@dataclass(frozen=True)
class ItemScore:
    id: str
    section: str
    text: str
    type: str
    kind: str  # auto | manual
    result: str | None  # yes / no / 1-5 / points / na; None: not answered yet
    points: float | None
    max_points: float
    auto_fail: bool = False
    evidence: list[dict[str, float]] = field(default_factory=list)
    detail: str = ""  # what the rule found, in words
    auto_result: str | None = None
    override: dict[str, str] | None = None  # a person's answer to an automatic item
    answered_by: dict[str, str] | None = None  # a person's answer to a manual item
    dispute: dict[str, Any] | None = None  # the item's latest dispute


@dataclass(frozen=True)
class CallScore:
    call_id: int
    card: str
    version: int
    pass_mark: float
    total: float
    passed: bool
    complete: bool
    auto_failed: list[str]
    grader: str | None
    items: list[ItemScore]
    # complete | provisional | auto-failed (analysis.scoring.Total.state), and the verdict in
    # words: never a bare PASSED or FAILED while an answer to come could change it.
    state: str = "complete"
    verdict: str = ""
    unanswered: int = 0
    lowest: float = 0.0  # where the unanswered items could still take the total
    highest: float = 0.0
    # Each section: title, weight (of 100), points got and most, percent (None: nothing answered).
    sections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def auto_failed_texts(self) -> list[str]:
        """The failed auto-fail items, by their text (what a coach reads), not their id."""
        texts = {i.id: i.text for i in self.items}
        return [texts.get(i, i) for i in self.auto_failed]

    def conditions(self) -> list[str]:
        """What stands beside the verdict: where the answers to come could still take the total
        ("could end 40–100"), and each failed auto-fail item by its text."""
        out = []
        if self.state == "provisional" and self.lowest != self.highest:
            out.append(f"could end {self.lowest:g}–{self.highest:g}")
        out += [f"auto-fail: “{t}”" for t in self.auto_failed_texts]
        return out

    def headline(self) -> str:
        """One line every front door prints: "Customer care v2: 88 / 100, PROVISIONAL: 2 items
        to answer; passes so far (pass mark 75)", with the failed auto-fail items by text."""
        return f"{self.card} v{self.version}: {self.total:g} / 100, {self.verdict} " + "; ".join(
            [f"(pass mark {self.pass_mark:g})", *self.conditions()]
        )

    def how_reached(self) -> str:
        """How the total was reached, section by section: "Make leaving easy 35 × 100 % + Listen
        30 × 67 % … = 88" (sections with nothing answered left out)."""
        parts = [
            f"{s['title']} {s['weight']:g} × {s['percent']:g} %"
            for s in self.sections
            if s["percent"] is not None
        ]
        skipped = [s["title"] for s in self.sections if s["percent"] is None]
        weights = sum(s["weight"] for s in self.sections if s["percent"] is not None)
        text = " + ".join(parts)
        if weights and weights != 100:
            text = f"({text}) ÷ {weights:g} × 100"
        text += f" = {self.total:g}" if not self.auto_failed else " → 0 (an auto-fail item failed)"
        if skipped:
            text += f"; not yet counted: {', '.join(skipped)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Tracker:
    """A named list of phrases a coach wants to know were said, or a concept given by example
    sentences, said in other words too (``analysis.trackers``)."""

    name: str
    phrases: tuple[str, ...]
    side: str = "both"  # agent | customer | both
    within_first: float | None = None  # seconds from the start of the call
    within_last: float | None = None  # seconds before its end
    examples: tuple[str, ...] = ()  # a concept tracker's example sentences (three or more)
    threshold: float | None = None  # similarity a turn needs to match them; None: the default


@dataclass(frozen=True)
class TrackerHit:
    tracker: str
    start: float
    end: float
    speaker: str
    phrase: str
    text: str
