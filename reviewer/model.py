"""The call's data: small typed values shared by every room. Times are in seconds (float)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
class Analysis:
    markers: tuple[Marker, ...]
    metrics: Metrics


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
