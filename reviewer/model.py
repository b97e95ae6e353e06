"""The call's data: small typed values shared by every room. Times are in seconds (float)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
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
class GlanceCorrection:
    """A coach's correction of a call's reason (``request_start`` None: ``value`` a reason's
    name, ``label`` its label) or of the outcome of the request made at ``request_start``
    (``value`` an outcome)."""

    request_start: float | None
    value: str
    label: str = ""
    author: str = ""


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

    row: CallRow
    transcript: Transcript
    markers: list[Marker]
    metrics: Metrics
    # What the analysis judged of the call at a glance (m014); calls stored before it have none
    # until they are analysed again (``actions.library.open_library`` catches them up).
    reason: CallReason | None = None
    sentiment: Sentiment | None = None
    outcomes: tuple[RequestOutcome, ...] = ()

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def analysis(self) -> Analysis:
        """What the analysis made of the call, as it was stored."""
        return Analysis(tuple(self.markers), self.metrics, self.reason, self.sentiment, self.outcomes)


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


def _as_dict(value: Any) -> dict[str, Any]:
    """A record's fields as a plain dict, in their declared order (what the CLI prints as JSON)."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


@dataclass(frozen=True)
class CallRow:
    """A call's row of the library's ``calls`` table: where its recording is, how it was heard,
    its headline metrics (times in integer milliseconds, as stored) and its review status."""

    id: int
    content_hash: str
    name: str
    path: str | None
    size: int | None
    recorded_at: str | None
    imported_at: str | None
    duration_ms: int
    channels: int | None
    source_channels: int | None
    source_rate: int | None
    dual_mono: int | None
    speaker_split: str | None
    language: str | None
    model: str | None
    agent_talk_share: float | None
    refusal_count: int | None
    longest_monologue_ms: int | None
    longest_silence_ms: int | None
    overtalk_ms: int | None
    overtalk_count: int | None
    response_gap_median_ms: int | None
    review_status: str | None
    metrics_json: str | None
    version: int = 1
    changed_by: str | None = None
    changed_at: str | None = None
    split_doubt: str | None = None  # a mono split's doubt about itself, in words (m011)
    # The call at a glance (m014; None until the call is analysed with them): the reason's name
    # and label, the call's outcome (its last request's; "" where nothing was asked), the
    # customer's sentiment change (better | same | worse; "" where they said nothing), and the
    # rest of the reason and both parties' trends as a JSON document (``library.calls``).
    reason: str | None = None
    reason_label: str | None = None
    outcome: str | None = None
    sentiment_change: str | None = None
    glance_json: str | None = None

    @property
    def duration(self) -> float:
        """The call's length in seconds."""
        return (self.duration_ms or 0) / 1000

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class CallSummary:
    """One line of the library's list of calls (``Library.list_calls``): the call's columns, how
    many comments and tracked phrases it has, its agent, its score on the default scorecard
    (``score_final`` 0 while items are still to answer) and its open disputes. The app's brief
    list leaves the columns it does not show at None."""

    id: int
    content_hash: str | None = None
    name: str = ""
    path: str | None = None
    size: int | None = None
    recorded_at: str | None = None
    imported_at: str | None = None
    duration_ms: int | None = None
    channels: int | None = None
    source_channels: int | None = None
    source_rate: int | None = None
    dual_mono: int | None = None
    speaker_split: str | None = None
    language: str | None = None
    model: str | None = None
    agent_talk_share: float | None = None
    refusal_count: int | None = None
    longest_monologue_ms: int | None = None
    longest_silence_ms: int | None = None
    overtalk_ms: int | None = None
    overtalk_count: int | None = None
    response_gap_median_ms: int | None = None
    review_status: str | None = None
    comment_count: int = 0
    tracker_hits: int = 0
    agent: str | None = None
    score: float | None = None
    passed: int | None = None
    score_final: int = 1
    open_disputes: int = 0
    reason: str | None = None  # the call at a glance (see CallRow); None until analysed with it
    reason_label: str | None = None
    outcome: str | None = None
    sentiment_change: str | None = None

    def as_dict(self, names: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The fields (only ``names``, in their order, where given) as a plain dict."""
        if names is None:
            return _as_dict(self)
        return {n: getattr(self, n) for n in names}


class MillisecondSpan:
    """A stored span (``start_ms``, ``end_ms``, as the library keeps times) read in seconds."""

    start_ms: int
    end_ms: int

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def end(self) -> float:
        return self.end_ms / 1000


@dataclass(frozen=True)
class Clip(MillisecondSpan):
    """A coaching clip: a stretch of one call with a title and a note, with its call's name and
    recording (where this machine finds it) and, in a playlist, its place there."""

    id: int
    call_id: int
    start_ms: int
    end_ms: int
    title: str
    note: str = ""
    author: str | None = ""
    created_at: str | None = None
    call_name: str = ""
    call_path: str | None = None
    position: int | None = None  # in the playlist it was read from


@dataclass(frozen=True)
class PlaylistPlace:
    """Where a clip stood in a playlist (to put it back after an undone delete)."""

    playlist_id: int
    position: int


@dataclass(frozen=True)
class DeletedClip:
    """A deleted clip with the playlists it was in, for undo."""

    clip: Clip
    playlists: tuple[PlaylistPlace, ...]


@dataclass(frozen=True)
class Playlist:
    """A named, ordered list of clips: how many it holds and how long they play."""

    id: int
    name: str
    created_at: str | None
    clips: int
    seconds: float


@dataclass(frozen=True)
class RedactionEdit(MillisecondSpan):
    """A coach's change to what a call's redacted audio hides: a span added by hand ("add"), or
    the found spans it covers kept audible ("remove")."""

    id: int
    call_id: int
    start_ms: int
    end_ms: int
    action: str  # add | remove
    created_at: str | None = None


@dataclass(frozen=True)
class ScoreAnswer:
    """One grader's answer to one item of a call's scorecard version (``auto``: the rules')."""

    id: int
    call_id: int
    card: str
    version: int
    item_id: str
    grader: str
    value: str | None
    reason: str | None = ""
    detail: str | None = ""
    evidence_json: str | None = "[]"
    created_at: str | None = None


@dataclass(frozen=True)
class Dispute:
    """An agent's dispute of a score item, and the coach's answer once resolved."""

    id: int
    call_id: int
    card: str
    version: int
    item: str
    author: str | None
    text: str
    value: str | None
    status: str  # open | accepted | rejected
    reply: str = ""
    resolved_by: str = ""
    created_at: str | None = None
    resolved_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class SearchHit:
    """A transcript turn matching a search, with its call and the matching words in [brackets]."""

    call_id: int
    name: str
    speaker: str
    start_ms: int
    end_ms: int
    text: str
    role: str | None
    snippet: str

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)
