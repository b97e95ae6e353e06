"""The call's data: small typed values shared by every room. Times are in seconds (float)."""

from __future__ import annotations

import bisect
from collections.abc import Container, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
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
class TranscriptEdit:
    """A coach's correction of what was said: the words whose middle lies between ``start_ms``
    and ``end_ms`` (only ``speaker``'s, where set and they still have words there) read as
    ``text`` (nothing: they go). Kept by time, so it outlives the words it replaced: a correction
    of who said them, a re-analysis, a new transcription that still has words there.
    ``original`` is what the speech recogniser had heard there when it was made."""

    id: int
    call_id: int
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None
    author: str = ""
    created_at: str | None = None
    original: str = ""
    replaced: tuple[TranscriptEdit, ...] = ()  # earlier edits it grew over (undoing it restores them)

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def end(self) -> float:
        return self.end_ms / 1000

    def covers(self, word: Word) -> bool:
        """Whether ``word``'s middle lies in this edit's span (a millisecond's leeway)."""
        middle = (word.start + word.end) / 2
        return self.start - 0.001 <= middle <= self.end + 0.001


class WordsByTime:
    """Words found by the time of their middle (by bisection), as edits pick them."""

    def __init__(self, words: Sequence[Word]) -> None:
        self.words = words
        self._keys = sorted(((w.start + w.end) / 2, i) for i, w in enumerate(words))
        self._middles = [m for m, _ in self._keys]

    def under(self, start: float, end: float) -> list[int]:
        """The indices, in order, of the words whose middle lies in ``start``-``end`` (a
        millisecond's leeway, as ``TranscriptEdit.covers``)."""
        lo = bisect.bisect_left(self._middles, start - 0.001)
        hi = bisect.bisect_right(self._middles, end + 0.001)
        return sorted(i for _, i in self._keys[lo:hi])

    def replaced_by(self, edit: TranscriptEdit, taken: Container[int] = ()) -> list[int]:
        """The words ``edit`` replaces (none of ``taken``): those under it, only its speaker's
        where it has one and they still have words there."""
        under = [i for i in self.under(edit.start, edit.end) if i not in taken]
        if edit.speaker is not None and any(self.words[i].speaker == edit.speaker for i in under):
            under = [i for i in under if self.words[i].speaker == edit.speaker]
        return under


def edited_words(words: Sequence[Word], edits: Sequence[TranscriptEdit]) -> list[Word]:
    """``words`` (in time order) with each edit's text in place of the words it covers: the new
    words spread over the time those took, in proportion to their length, each said by whoever
    said the replaced word under its middle. An edit with no words left under it changes nothing;
    where two edits cover one word, the earlier-made one has it."""
    if not edits:
        return list(words)
    index = WordsByTime(words)
    taken: dict[int, TranscriptEdit] = {}  # word index → the edit that replaces it
    replaced: dict[int, list[Word]] = {}  # edit id → the words it replaces
    for edit in sorted(edits, key=lambda e: e.id):
        under = index.replaced_by(edit, taken)
        for i in under:
            taken[i] = edit
        replaced[edit.id] = [words[i] for i in under]
    out: list[Word] = []
    done: set[int] = set()
    for i, w in enumerate(words):
        edit = taken.get(i)
        if edit is None:
            out.append(w)
        elif edit.id not in done:
            done.add(edit.id)
            out.extend(_spread(edit.text, replaced[edit.id]))
    out.sort(key=lambda w: w.start)  # stable: words of one time keep their order
    return out


def _spread(text: str, replaced: list[Word]) -> list[Word]:
    tokens = text.split()
    if not tokens:
        return []
    a, b = min(w.start for w in replaced), max(w.end for w in replaced)
    total = sum(len(t) for t in tokens)
    new: list[Word] = []
    done = 0
    for token in tokens:
        start = a + (b - a) * done / total
        done += len(token)
        end = a + (b - a) * done / total
        middle = (start + end) / 2
        said = min(
            replaced,
            key=lambda w: (
                0.0 if w.start <= middle <= w.end else min(abs(w.start - middle), abs(w.end - middle))
            ),
        )
        new.append(Word(round(start, 3), round(end, 3), token, said.speaker, 1.0))
    return new


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
    # A coach's corrections of what was said, kept by time; ``words`` has them in place.
    edits: list[TranscriptEdit] = field(default_factory=list)
    # The words as the speech recogniser heard them (who said them as corrected), where
    # ``edits`` changed some; None where ``words`` are those.
    heard: list[Word] | None = None

    @property
    def heard_words(self) -> list[Word]:
        """The words as heard (the library's rows, in their order), edits or not."""
        return self.words if self.heard is None else self.heard

    def with_heard(self, words: Sequence[Word], **changes: Any) -> Transcript:  # noqa: ANN401
        """This transcript with ``words`` as heard (and ``changes``: ``edits``, ``speakers``…),
        its ``words`` those with the edits in place."""
        edits = list(changes.pop("edits", self.edits))
        return replace(
            self,
            **changes,
            edits=edits,
            heard=list(words) if edits else None,
            words=edited_words(words, edits),
        )


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
class Evidence:
    """A stretch of the call (seconds) where a score item's rule found what it looks for."""

    start: float
    end: float


@dataclass(frozen=True)
class PersonAnswer:
    """A person's answer to a score item: an override of the rule's (automatic items) or the
    answer a manual item waits for; ``at`` is when it was given."""

    value: str | None
    reason: str
    grader: str
    at: str | None


@dataclass(frozen=True)
class SectionScore:
    """A scorecard section in a call's score: its weight (of 100), the points got and the most it
    could get, and the percent (None: nothing in it answered yet)."""

    title: str
    weight: float
    got: float
    most: float
    percent: float | None


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
    evidence: tuple[Evidence, ...] = ()  # where the rule found it, in time order
    detail: str = ""  # what the rule found, in words
    auto_result: str | None = None
    override: PersonAnswer | None = None  # a person's answer to an automatic item
    answered_by: PersonAnswer | None = None  # a person's answer to a manual item
    dispute: Dispute | None = None  # the item's latest dispute

    @property
    def person(self) -> PersonAnswer | None:
        """A person's answer to the item, whichever kind it is (an override or a manual answer)."""
        return self.override or self.answered_by


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
    sections: tuple[SectionScore, ...] = ()
    # where the call's review stands (draft until a coach submits it; m015)
    review: ReviewState | None = None

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
        parts = [f"{s.title} {s.weight:g} × {s.percent:g} %" for s in self.sections if s.percent is not None]
        skipped = [s.title for s in self.sections if s.percent is None]
        weights = sum(s.weight for s in self.sections if s.percent is not None)
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


@dataclass(frozen=True)
class TrendRow:
    """One period of trends (``Library.trends``): how many calls, what a coach follows over time
    (means per call; None where no call of the period has the value) and, in ``scores``, each
    scorecard section's and item's mean percent of its points, keyed "section:ID" and "item:ID"
    (filled in by ``reviewer.trends``: scoring is not the library's)."""

    period: str  # 2026-W49, 2026-12 or "undated" (labels.period_label says it in dates)
    calls: int
    refusals_per_call: float
    agent_talk_share: float | None
    longest_silence: float
    tracker_hits_per_call: float
    mean_score: float | None
    pass_rate: float | None
    # The call at a glance: the customer's requests, the share of them that ended each way and
    # of those to cancel or close that ended done (None without any), and the customer's mean
    # sentiment change, end minus start, in [-2, 2] (None where no call has one).
    requests: int = 0
    done_rate: float | None = None
    retained_rate: float | None = None
    refused_rate: float | None = None
    escalated_rate: float | None = None
    unresolved_rate: float | None = None
    withdrawn_rate: float | None = None
    cancel_done_rate: float | None = None
    mean_sentiment_change: float | None = None
    scores: dict[str, float | None] = field(default_factory=dict)

    def value(self, key: str) -> Any:  # noqa: ANN401 - a number, or None
        """A figure by its key (a field's name, or a key of ``scores``); None where there is none."""
        if key in self.scores:
            return self.scores[key]
        return getattr(self, key, None) if key not in ("scores", "value", "as_dict") else None

    def keys(self) -> list[str]:
        """The figures' keys in order: the fields, then the sections' and items'."""
        return [f.name for f in fields(self) if f.name != "scores"] + list(self.scores)

    def as_dict(self) -> dict[str, Any]:
        """A flat dict (``reviewer trends --json``, the CSV): the period, its dates in words, the
        figures, then each section's and item's."""
        from reviewer.labels import period_label

        out: dict[str, Any] = {"period": self.period, "dates": period_label(self.period)}
        out.update({k: self.value(k) for k in self.keys() if k != "period"})
        return out


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
class ScorecardSummary:
    """A scorecard's latest version as the list of scorecards shows it."""

    name: str
    version: int
    default: bool  # the library's default card
    sections: int
    items: int
    automatic: int  # items a rule answers
    pass_mark: float
    created_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class CalibrationItem:
    """One item of a calibration: each grader's answer (the rule's where they gave none),
    whether it was their own, and whether the answers differ."""

    id: str
    section: str
    text: str
    kind: str  # auto | manual
    auto: str | None  # what the rule answered
    answers: dict[str, str | None]  # by grader
    answered: dict[str, bool]  # by grader: their own answer, not the rule's
    differs: bool


@dataclass(frozen=True)
class GraderTotal:
    total: float
    passed: bool


@dataclass(frozen=True)
class Calibration:
    """Everyone who graded a call, side by side with the rules (``actions.scores.calibration``)."""

    call_id: int
    card: str
    version: int
    graders: list[str]
    totals: dict[str, GraderTotal]
    items: list[CalibrationItem]
    differences: int  # how many items the graders answer differently

    def as_dict(self) -> dict[str, Any]:
        """What ``reviewer calibration --json`` prints."""
        return asdict(self)


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


@dataclass(frozen=True)
class Person:
    """Someone in the library: the login they are known by (on a shared library the database
    user), the name every change of theirs is signed with, and their role."""

    login: str
    name: str
    role: str  # coach | qa lead | agent

    @property
    def grades(self) -> bool:
        """Whether they may answer, override, decide disputes and submit reviews."""
        return self.role in ("coach", "qa lead")

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class ReviewState:
    """Where a call's review stands: new, in review, submitted, acknowledged (by the agent)."""

    call_id: int
    status: str
    submitted_by: str | None = None
    submitted_at: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None

    @property
    def final(self) -> bool:
        """A submitted score is final: changing it needs a reason and is logged."""
        return self.status in ("submitted", "acknowledged")

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class ScoreChange:
    """A change of a submitted score: the item, who changed it, from what to what, and why."""

    call_id: int
    card: str
    item_id: str
    person: str | None
    old_value: str | None
    new_value: str | None
    reason: str
    changed_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class InboxEntry:
    """A line of someone's inbox: what happened on which call, where to open it (a time in
    seconds and, for a score item, the item), and whether they have read it."""

    key: str  # what the read mark names, e.g. "dispute:12:open"
    kind: str  # dispute | reply | review | decision
    call_id: int
    call_name: str
    at: float
    item_id: str | None
    who: str
    text: str
    when: str | None
    unread: bool

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(self)
