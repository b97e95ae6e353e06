"""Repeated refusals: the agent pushing back after the customer asked for something the company
would rather not grant: to cancel, close, downgrade, get a refund or a fee waived, reach a
supervisor, stop a renewal, port a number out, return a product, end a contract early, pause, or
remove a product (the kinds are data: ``resources/requests.toml``).

Which request a customer turn makes is decided by the learned request model (``pushback.
RequestModel``), with the phrase lists of ``phrases.toml`` as a second opinion. Once a customer
turn makes such a request, it is pending until an agent turn complies or the
customer withdraws it. Each agent turn while it is pending is judged by the refusal model
(``pushback.py``): its words, and the conversation around it, above all whether the customer has
to ask again afterwards. A turn judged push-back is a refusal marker that says which request it
follows, what kind of push-back it is and how sure the model is. A coach's label on a turn
("this is a refusal" / "not a refusal") overrides the model for that turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.analysis.pushback import KIND_NAMES, Cues, RefusalModel, RequestModel, context
from reviewer.analysis.text import PhraseSet
from reviewer.analysis.turns import turn_is_backchannel
from reviewer.labels import clock
from reviewer.model import Marker, RefusalLabel, Speaker, Turn
from reviewer.requests import asked
from reviewer.settings import Settings


@dataclass(frozen=True)
class Request:
    kind: str  # an id of resources/requests.toml
    start: float
    text: str


@dataclass(frozen=True)
class Recogniser:
    """Which request a customer's words make: the request model, else (where the model was
    chosen so) the phrase lists, named kinds first."""

    phrases: tuple[tuple[str, PhraseSet], ...]
    model: RequestModel | None

    def kind(self, text: str) -> str | None:
        if self.model is not None:
            found, _ = self.model.recognise(text)
            if found or not self.model.with_phrases:
                return found
        for kind, phrases in self.phrases:
            if phrases.find(text):
                return kind
        return None

    def find(self, text: str) -> str | None:
        """What the refusal model's context asks (``pushback.context``): a request or not."""
        return self.kind(text)


@dataclass(frozen=True)
class RefusalRules:
    recogniser: Recogniser
    cues: Cues

    @classmethod
    def from_settings(cls, settings: Settings) -> RefusalRules:
        p = settings.phrases
        named = tuple((kind, PhraseSet(phrases)) for kind, phrases in p.requests)
        generic = (("cancel", PhraseSet(p.cancel_request)), ("request", PhraseSet(p.other_request)))
        recogniser = Recogniser((*named, *generic), settings.request_model)
        return cls(
            recogniser,
            Cues(
                request=recogniser,
                asks_again=PhraseSet(p.asks_again),
                comply=PhraseSet(p.comply),
                reason=PhraseSet(p.deflect_reason),
                decline=PhraseSet(p.deflect_decline),
                pitch=PhraseSet([*p.deflect_pitch, *p.deflect]),
                withdraw=PhraseSet(p.withdraw),
            ),
        )

    def request(self, text: str) -> str | None:
        return self.recogniser.kind(text)


@dataclass(frozen=True)
class Judgement:
    """What the model made of one agent turn."""

    turn: Turn
    pushback: float  # probability
    complies: float


def _neighbours(turns: Sequence[Turn], roles: dict[str, str]) -> list[tuple[str | None, str | None]]:
    """For each turn: the customer's words since the previous agent turn, and until the next."""
    out: list[tuple[str | None, str | None]] = []
    for i, turn in enumerate(turns):
        if roles.get(turn.speaker) != "agent":
            out.append((None, None))
            continue
        sides = []
        for step in (-1, 1):
            said, j = [], i + step
            while 0 <= j < len(turns) and roles.get(turns[j].speaker) != "agent":
                if roles.get(turns[j].speaker) == "customer":
                    said.append(turns[j].text)
                j += step
            sides.append(" ".join(said[::step]) or None)
        out.append((sides[0], sides[1]))
    return out


def judge(model: RefusalModel, turn: Turn, before: str | None, after: str | None, cues: Cues) -> Judgement:
    probs = model.judge(turn.text, context(turn.text, before, after, cues))
    return Judgement(turn, probs["pushback"], probs["complies"])


def kind_of(model: RefusalModel, text: str) -> str:
    """The likeliest kind of push-back of a turn that pushes back."""
    kinds = model.kinds(text)
    return max(kinds, key=kinds.get)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def sentences(turn: Turn) -> list[Turn]:
    """The turn's sentences as turns of their own, their times shared out by length (Whisper
    merges a compliant line and a pitch into one turn: each is judged on its own)."""
    parts = [p for p in _SENTENCE_END.split(turn.text.strip()) if p.strip()]
    if len(parts) < 2:
        return []
    total = sum(len(p) for p in parts)
    out, at = [], turn.start
    for part in parts:
        end = at + (turn.end - turn.start) * len(part) / total
        out.append(Turn(turn.speaker, at, end, part, len(part.split())))
        at = end
    return out


def labels_on(turn: Turn, labels: Sequence[RefusalLabel]) -> list[RefusalLabel]:
    """The coach's labels whose moment lies in this turn (labels are kept by time, so they
    outlive the turns that a correction of who said what rebuilds), oldest first."""
    return [lab for lab in labels if turn.start - 0.05 <= (lab.start + lab.end) / 2 <= turn.end + 0.05]


def label_for(turn: Turn, labels: Sequence[RefusalLabel]) -> RefusalLabel | None:
    """The coach's word on this turn: the latest of its labels."""
    hits = labels_on(turn, labels)
    return hits[-1] if hits else None


def refusals(
    speakers: Sequence[Speaker],
    turns: Sequence[Turn],
    settings: Settings,
    labels: Sequence[RefusalLabel] = (),
) -> list[Marker]:
    roles = {s.id: s.role for s in speakers}
    rules = RefusalRules.from_settings(settings)
    model = settings.refusal_model
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    around = _neighbours(ordered, roles)
    pending: Request | None = None
    markers: list[Marker] = []
    if rules.recogniser.model is not None:  # the customer's words in one batch, not turn by turn
        said = [t.text for t in ordered if roles.get(t.speaker) == "customer"]
        rules.recogniser.model.prepare(said + [x for pair in around for x in pair if x])

    def mark(turn: Turn, confidence: float | None, why: str, kind: str, part: Turn | None = None) -> None:
        after = ""  # a coach may mark a turn with no request pending
        if pending:
            after = f" after the customer {asked(pending.kind)} at {clock(pending.start)}"
        span = part or turn  # the sentence that pushes back, where the turn also complies
        markers.append(
            Marker(
                "refusal",
                round(span.start, 3),
                round(span.end, 3),
                turn.speaker,
                f"Push-back #{len(markers) + 1} ({why}){after}: {span.text}",
                confidence=None if confidence is None else round(confidence, 3),
                category=kind,
                request=pending.kind if pending else "",
                request_start=round(pending.start, 3) if pending else None,
            )
        )

    for turn, (before, after) in zip(ordered, around, strict=True):
        role = roles.get(turn.speaker)
        if role == "customer":
            if turn_is_backchannel(turn, settings):
                continue
            if pending and rules.cues.withdraw.find(turn.text):
                pending = None
                continue
            kind = rules.request(turn.text)
            # Asked again (or in general words): the request stays the one first made.
            if kind and (pending is None or kind not in ("cancel", "request", pending.kind)):
                pending = Request(kind, turn.start, turn.text)
            continue
        if role != "agent":
            continue
        label = label_for(turn, labels)
        if label is not None and label.is_refusal:
            kind = kind_of(model, turn.text) if model else ""
            mark(turn, 1.0, f"marked by the coach{', ' + KIND_NAMES[kind] if kind else ''}", kind)
            continue
        if not pending or turn_is_backchannel(turn, settings):
            continue
        if model is None:  # phrases only (a broken or missing model file)
            if rules.cues.comply.find(turn.text):
                pending = None
            elif label is None and rules.cues.deflects(turn.text):
                mark(turn, None, "phrase match", "")
            continue
        j = judge(model, turn, before, after, rules.cues)
        part = None
        if j.pushback < model.threshold and model.sentences:
            parts = [judge(model, s, before, after, rules.cues) for s in sentences(turn)]
            pushing = max(parts, key=lambda x: x.pushback, default=None)
            if pushing is not None and pushing.pushback >= model.threshold:
                j, part = pushing, pushing.turn
        if label is None and j.pushback >= model.threshold:
            kind = kind_of(model, j.turn.text)
            why = f"{KIND_NAMES.get(kind, kind)}, {j.pushback:.0%} sure"
            mark(turn, j.pushback, why, kind, part)
        elif j.complies >= model.comply_threshold or rules.cues.comply.find(turn.text):
            pending = None
    return markers
