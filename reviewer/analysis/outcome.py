"""How each customer request ended: done, retained, withdrawn, refused, escalated or unresolved,
with the turn that shows it. The call's outcome is its last request's.

It follows the refusal analysis (``refusals.py``) through the call: the same recogniser opens a
request (and keeps one asked again as the one first made), the refusal model judges each agent
turn while it is pending, and the push-back markers it made (a coach's labels included) are the
push-back. On top of those signals:

- **escalated**: an agent turn hands the request on (a transfer, a supervisor fetched, a ticket or
  complaint opened for someone else to decide), said as a commitment, not as a refusal;
- **retained**: the agent offered something (push-back of the kind "pitches an offer", or offer
  words) and the customer's next words accept it;
- **withdrawn**: the customer drops it (the phrase list ``withdraw``, "never mind") with no offer
  taken;
- **done**: an agent turn complies (the phrase list, or the refusal model's "complies": at its
  own threshold, or above push-back and at least 0.5, then undone if the customer's next words ask
  for it again); a supervisor request granted is escalated;
- at the call's end a request still pending is **refused** where the agent pushed back on it
  (unless the last push-back only stalls or a call back is promised: **unresolved**), and
  **unresolved** where nothing was said to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewer.analysis.refusals import RefusalRules, _neighbours, judge
from reviewer.analysis.text import PhraseSet, normalize
from reviewer.analysis.turns import turn_is_backchannel
from reviewer.labels import OUTCOME_NAMES
from reviewer.model import Marker, RequestOutcome, Speaker, Turn
from reviewer.requests import GENERIC
from reviewer.settings import Settings

OUTCOMES = tuple(OUTCOME_NAMES)  # done, retained, withdrawn, refused, escalated, unresolved

# An agent handing the request on: to another person, team or a formal ticket.
_TEAM = "(supervisor|manager|team|department|specialist|lead|desk|office|unit|colleague)"
HANDS_ON = PhraseSet(
    [
        "(transfer|transferring|connect|connecting|put|putting|patch|patching) you ~ (to|through|with|over)",
        "(transfer*|escalat*|forward*|pass*|hand*|send*|refer*) (this|it|that|your|the|you) ~ (to|over|on|up)"
        f" ~ {_TEAM}",
        "(i|i will|i am going to|let me|i have|i am|i can) (escalat*|go ahead and escalat*)",
        "(get|grab|bring|fetch) (a|my|the|you) ~ (supervisor|manager|team lead|lead)",
        "(get|put) (her|him|them|someone) on (the line)?",
        "(see|check) who is (free|available)",
        "(supervisor|manager|team lead) (will|is going to|can) (call|contact|get back|review|reach|look)",
        "(open*|rais*|fil*|log*|submit*|creat*|put in|putting in) (a|an) ~"
        " (complaint|ticket|case|dispute|investigation|claim|request|exception)",
        "(let me|i will|i am going to|i can) (transfer|connect|put you through|get you over)",
        f"(ask|have|get) (our|the|my) ~ {_TEAM} (to )?(review|look|decide|approve)",
    ]
)
# ... but not where the same sentence says it cannot be done.
_DENIED = re.compile(r"\b(not|never|unable|no one|nobody|no way|cannot)\b")
# An agent promising to come back to it later, or asking the customer to: the request is left open.
LATER = PhraseSet(
    [
        "call (us|me|back) ~ (back|later|tomorrow|next|again|in)",
        "(will|would|can) (call|email|get back to|contact|reach) you ~"
        " (back|later|tomorrow|next|within|once|when|by)",
        "(wait|give it) ~ (days|weeks|hours|business days)",
        "(check|try) (back|again) (later|tomorrow|next)",
    ]
)
# An agent offering something instead of what was asked.
OFFERS = PhraseSet(
    [
        "(i|we) (can|could|would|will) (offer|give you|knock|credit|discount|comp|throw in)",
        "(discount|promotion*|promo|percent off|half price|half off|free month*|months free|loyalty)",
        "(how|what) about",
        "would you (like|consider|be interested|prefer)",
        "instead of",
        "(rather than|alternatively)",
    ]
)
# A customer taking an offer.
ACCEPTS = PhraseSet(
    [
        "(do|try|take) (that|it|this|the) ~ (instead|then|one)",
        "let us (do|try|go with) (that|it|this|the)",
        "i will (take|try|go with) (it|that|this|the|them|those)",
        "i will (keep|stay) ~ (with|on|then|instead)",
        "(that|this|it) (sounds|works|is) (good|great|better|perfect)",
        "(sounds|that is) (like a )?(good|great|fair) (deal|offer)",
        "(yes|yeah|yep|sure|okay|alright|fine) (please|let us|go ahead|do it|do that|why not|that works)",
        "go ahead (with|and apply|and add) ~ (that|it|the|this)",
        "(sign me up|i am in)",
        "(will not|not going to|do not need to) (cancel|switch|close|leave|downgrade)",
    ]
)
_YES = re.compile(
    r"^(yes|yeah|yep|yup|sure|okay|alright|fine|ok|please|absolutely|definitely|that would be)\b"
)
_NO = re.compile(r"^(no|nope|nah|not really|i do not|no thanks|no thank you)\b")


@dataclass
class _Pending:
    kind: str
    turn: Turn
    pushback: list[tuple[Turn, str]] = field(default_factory=list)  # (turn, kind of push-back)
    offer: Turn | None = None  # the latest agent turn that offered something instead
    offer_open: bool = False  # the customer has not answered that offer yet
    later: Turn | None = None  # the latest agent turn that put it off


def _hands_on(text: str) -> bool:
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if HANDS_ON.find(sentence) and not _DENIED.search(normalize(sentence)):
            return True
    return False


def outcomes(
    speakers: Sequence[Speaker],
    turns: Sequence[Turn],
    settings: Settings,
    markers: Sequence[Marker],
) -> tuple[RequestOutcome, ...]:
    """Each customer request's outcome, in the order they were made; ``markers`` are the call's
    markers (its refusals are the push-back the outcome goes by)."""
    roles = {s.id: s.role for s in speakers}
    rules = RefusalRules.from_settings(settings)
    model = settings.refusal_model
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    around = _neighbours(ordered, roles)
    refusals = [m for m in markers if m.kind == "refusal"]
    out: list[RequestOutcome] = []
    settled: set[str] = set()  # kinds already granted or handed on: asked again, it is a check
    pending: _Pending | None = None
    # A request granted by a turn the model was less sure of (complies above push-back, under the
    # refusal model's own threshold): asked again in the customer's next words, it was not done.
    tentative: _Pending | None = None

    def close(outcome: str, turn: Turn, why: str) -> None:
        nonlocal pending
        assert pending is not None
        out.append(
            RequestOutcome(
                pending.kind,
                round(pending.turn.start, 3),
                outcome,
                round(turn.start, 3),
                round(turn.end, 3),
                turn.speaker,
                turn.text,
                why,
            )
        )
        if outcome in ("done", "retained", "escalated"):
            settled.add(pending.kind)
        pending = None

    def left_open(last: Turn) -> None:
        """A request still pending when it is replaced by another, or when the call ends."""
        assert pending is not None
        if pending.later is not None and (
            not pending.pushback or pending.later.start >= pending.pushback[-1][0].start
        ):
            close("unresolved", pending.later, "put off to later")
        elif pending.pushback and pending.pushback[-1][1] == "stalls":
            close("unresolved", pending.pushback[-1][0], "the last push-back stalls")
        elif pending.pushback:
            close("refused", pending.pushback[-1][0], "pushed back and never granted")
        else:
            close("unresolved", last, "nothing granted it or refused it")

    for turn, (before, after) in zip(ordered, around, strict=True):
        role = roles.get(turn.speaker)
        if role == "customer" and tentative is not None and not turn_is_backchannel(turn, settings):
            again = rules.request(turn.text)
            if rules.cues.asks_again.find(turn.text) or again in ("cancel", GENERIC, tentative.kind):
                out.pop()
                settled.discard(tentative.kind)
                pending, tentative = tentative, None
                continue
            tentative = None
        if role == "customer":
            if pending is not None and pending.offer_open:
                norm = normalize(turn.text)
                asks = rules.request(turn.text) or rules.cues.asks_again.find(turn.text)
                if not _NO.match(norm) and not asks and (ACCEPTS.find(turn.text) or _YES.match(norm)):
                    close("retained", turn, "took the offer")
                    continue
                if not turn_is_backchannel(turn, settings):
                    pending.offer_open = False
            if turn_is_backchannel(turn, settings):
                continue
            if pending is not None and rules.cues.withdraw.find(turn.text):
                if pending.offer is not None and ACCEPTS.find(turn.text):
                    close("retained", turn, "took the offer")
                else:
                    close("withdrawn", turn, "dropped the request")
                continue
            kind = rules.request(turn.text)
            if not kind:
                continue
            if pending is None:
                if kind not in settled:
                    pending = _Pending(kind, turn)
            elif kind not in ("cancel", GENERIC, pending.kind):
                left_open(turn)
                pending = _Pending(kind, turn)
            continue
        if role != "agent" or pending is None or turn_is_backchannel(turn, settings):
            continue
        pushed = [m for m in refusals if turn.start - 1e-3 <= m.start and m.end <= turn.end + 1e-3]
        if _hands_on(turn.text):
            close("escalated", turn, "handed on")
            continue
        if pushed:
            kind = pushed[-1].category
            pending.pushback.append((turn, kind))
            if kind == "pitch" or OFFERS.find(turn.text):
                pending.offer, pending.offer_open = turn, True
            if LATER.find(turn.text):
                pending.later = turn
            continue
        complies = rules.cues.comply.find(turn.text) is not None
        unsure = False
        if not complies and model is not None:
            j = judge(model, turn, before, after, rules.cues)
            complies = j.complies >= model.comply_threshold
            unsure = not complies and j.complies >= 0.5 and j.complies > j.pushback
            complies = complies or unsure
        if complies and unsure:
            tentative = pending
        if complies:  # a supervisor fetched is the request handed on
            if pending.kind == "supervisor":
                close("escalated", turn, "the agent fetched someone else")
            else:
                close("done", turn, "the agent granted it")
            continue
        if OFFERS.find(turn.text):
            pending.offer, pending.offer_open = turn, True
        if LATER.find(turn.text):
            pending.later = turn
    if pending is not None and ordered:
        left_open(ordered[-1])
    return tuple(out)


def call_outcome(found: Sequence[RequestOutcome]) -> str:
    """The call's outcome: its last request's ("" where the customer asked for nothing)."""
    return found[-1].outcome if found else ""
