"""How each customer request ended: done, retained, withdrawn, refused, escalated or unresolved,
with the turn that shows it. The call's outcome is its last request's.

It follows the refusal analysis (``refusals.py``) through the call: the same recogniser opens a
request, the refusal model judges each agent turn while it is pending, and the push-back markers it
made (a coach's labels included) are the push-back. On top of those signals:

- **one request, asked in other words**: while a request is pending and nothing has settled it,
  a request of another kind is the same one asked again ("cancel", then "close the account"; "stop
  the renewal", then "take me off auto-pay"; the recogniser's kinds for one wish vary), except a
  supervisor asked for (a request of its own; the one pending ends as it stands) and a lesser ask
  after a flat denial or a policy ("then can you at least…": a new request). A supervisor request
  still open when the agent grants the first request after all leaves that one done and itself
  withdrawn;
- **escalated**: an agent turn hands the request on (a transfer, a supervisor fetched, a ticket or
  complaint opened for someone else to decide), said as a commitment, not as a refusal; a
  supervisor asked for who comes on the line ("I'm the team supervisor") is that request's
  escalation, and the request under it goes on with them;
- **done**: an agent turn grants it: a sentence of it says so (``GRANTS``: "I've cancelled…",
  "that's done", "your confirmation number is…"), even beside push-back in the same turn; in a
  turn without push-back, a comply phrase of the refusal analysis, or the refusal model finds it
  complying (at its own threshold, or
  above push-back and at least 0.5; at least 0.25 where the customer's next words thank or ask
  what happens next). Not where the customer's next words ask for it again;
- **retained**: the agent offered something (push-back that pitches or names an offer, or words
  that make an offer on their own, ``OFFERED``) and the customer accepts it: a plain yes as the
  first answer, or accepting words (``ACCEPTS``) anywhere later while the request is pending;
- **withdrawn**: the customer drops it (the phrase list ``withdraw``, "never mind", "don't close it
  yet", "forget the cancelling part") with no offer taken; **refused** where they give up after a
  flat denial or a policy;
- an offer is no grant: where the agent offers something instead (or explains an offer the
  customer asked about), only words that say it is done count, not the model's hearing of a
  grant; the agent carrying out an offer the customer just took makes the request **retained**;
  a customer's "Oh good, thanks. And while I have you…" after a grant takes it and turns to
  another matter;
- at the call's end a request still pending is **refused** where the agent pushed back on it
  (unless the last push-back only stalls or a call back is promised: **unresolved**), and
  **unresolved** where nothing was said to it.
"""

from __future__ import annotations

import dataclasses
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
# A supervisor or manager coming on the line: the supervisor asked for has come.
SUPERVISOR_HERE = PhraseSet(
    [
        "(i am|i will be) (the|a|your) ~ (supervisor|manager|team lead)",
        "(supervisor|manager|team lead) speaking",
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
# Offer words that make an offer on their own, in a turn the refusal analysis did not find pushing
# back ("would you like…" and "how about…" are as often a procedural question there).
OFFERED = PhraseSet(
    [
        "(i|we) (can|could|would|will) (offer|give you|knock|credit|discount|comp|throw in)",
        "(percent off|half price|half off|free month*|months free)",
        "what i (can|could) do (is|for you)",
        "here is (something|what) i (can|could) do",
        "i (can|could) (switch|move|put|take|change|bump|drop) you (to|down|over|onto|on)",
        "instead of (cancel*|closing|leaving|a refund|refunding)",
    ]
)
# A customer taking an offer.
ACCEPTS = PhraseSet(
    [
        "(do|try|take) (that|it|this|the) ~ (instead|then|one)",
        "(let us|lets) (do|try|go with) (that|it|this|the)",
        "i will (take|try|go with) (it|that|this|the|them|those)",
        "i will (keep|stay) ~ (with|on|then|instead)",
        "i will (keep|stick with|stay with|stay on) (it|that|this|the|my|premium|plus|what)",
        "i will stay",
        "(go on|go ahead|do it|do that) then",
        "that is (actually |much |a lot )?(better|cheaper|a better deal)",
        "(do not|no need to) (cancel|close) ~ (then|after all)?",
        "(the|that|this) (credit|offer|deal|discount|option|plan|one) (works|is fine|will do|sounds good)",
        "(that|this|it) (sounds|works|is) (good|great|better|perfect)",
        "(sounds|that is) (like a )?(good|great|fair) (deal|offer)",
        "(yes|yeah|yep|sure|okay|alright|fine) (please|let us|go ahead|do it|do that|why not|that works)",
        "go ahead (with|and apply|and add) ~ (that|it|the|this)",
        "(sign me up|i am in)",
        "(switch|move) me (to|over to|onto) (that|it|this)",
        "(put|apply|add) (that|it|the|this) ~ (on|to) (my|the) (account|plan|bill|card)",
        "(fine|okay|ok|alright) (keep|leave) (it|me|my) ~ then",
        "(will not|not going to|do not need to) (cancel|switch|close|leave|downgrade)",
    ]
)
# An agent saying the thing asked for is done (generic speech acts of a grant, said as done or
# being done now). Checked sentence by sentence, so a grant followed by a pitch still counts.
_DONE_VERBS = (
    "(cancel*|clos*|process*|remov*|waiv*|revers*|refund*|credit*|switch*|turn*|submit*|stop*|end*|"
    "issu*|generat*|creat*|appl*|chang*|mov*|lodg*|paus*|downgrad*|disconnect*|terminat*|deactivat*|"
    "unsubscrib*|took|taken|taking|put|putting|set|sent|sending|approv*|scheduled|booked|refunded)"
)
GRANTS = PhraseSet(
    [
        "i (have|had|just|now|have just|have now|have gone ahead and|went ahead and|have already|already) ~ "
        + _DONE_VERBS,
        f"i am (now )?{_DONE_VERBS} ~ (now|through|today|for you|right now|off|in|that|it|this|your|the)",
        "(has|have|is|are) (been|now) ~ (cancel*|closed|processed|removed|waived|reversed|refunded|credited|"
        "switched|turned off|submitted|approved|stopped|ended|terminated|deactivated|disconnected|paused|"
        "downgraded|changed|applied|taken off|issued|generated|done|complete*|confirmed|off)",
        "(that is|it is|all|you are|we are|and) (all )?(done|sorted|taken care of|complete|off)",
        "(that is|it is|all|you are|we are) (all )?set",  # not "and set up a reminder"
        "(okay|ok|alright|right|all right|great|and) (that is )?done",
        "^done",
        "(confirmation|reference|cancellation|authori[sz]ation|rma|case) (number|code|id) (is|will be)",
        "(your|the) (confirmation|reference) ~ (is|number)",
        "(good news|you are all set|all sorted)",
        "(auto renew*|autorenew*|renewal|auto pay|autopay|the fee|the charge) (is|are|has been) (now )?"
        "(off|removed|cancel*|stopped|waived|reversed|turned off|disabled)",
        "(you will|you are going to|you should) (get|receive|see) (a|an|the|your) ~"
        " (refund|credit|confirmation|email confirming|letter confirming|final bill)",
        "i (will|can|am going to|shall) (do|process|put|get) (that|it|this) ~"
        " (for you|now|through|in|today|right)",
        "(of course|certainly|absolutely|sure|no problem)( i| let me)? ~ (cancel*|process*|remov*|waiv*|"
        "switch*|stop*|close*|refund*|credit*|turn*)",
    ]
)
# The customer's next words taking a turn as done: thanks, relief, a question on what follows.
THANKS = PhraseSet(
    [
        "(thank you|thanks|cheers|appreciate it|appreciate that|perfect|great|lovely|brilliant|awesome|"
        "wonderful|finally|cool|excellent)",
        "that is (all|everything) i (needed|wanted)",
        "(how long|when) (will|does|do|would|should|until|is)",
        "(can i|could i|will i|do i) (get|have) (that|it|a confirmation|an email) ~"
        " (in writing|by email|emailed)?",
    ]
)
_YES = re.compile(
    r"^(yes|yeah|yep|yup|sure|okay|alright|fine|ok|please|absolutely|definitely|that would be)\b"
)
_NO = re.compile(r"^(no|nope|nah|not really|i do not|no thanks|no thank you)\b")
# Below this probability of "supervisor" the request model's pick of it is mostly wrong: on the
# corpus's written customer turns, 26 of the 28 turns it named a supervisor request under 0.3 asked
# for none ("I'm a member, I play on Tuesday nights", "I just need it on hold").
WEAK = 0.3
# The customer holding off or dropping the request ("then don't close it yet", "forget the cancelling
# part"): withdrawn, even where they say they will call back.
# Requests whose grant is said as an offer would be ("I will credit your card", "I can move you
# down to Basic"): the model's hearing of a grant still counts there.
_OFFER_IS_GRANT = frozenset({"refund", "fee_waiver", "downgrade"})
# Requests to leave or to have less: one family of ``_FAMILIES`` below, and what "don't cancel it yet"
# holds off.
_LEAVE = frozenset({"cancel", "close", "downgrade", "stop_renewal", "port_out", "end_contract"})
_LEAVING = _LEAVE | {"pause"}
HOLDS_OFF = (
    (
        PhraseSet(
            [
                "(do not|dont|no need to|hold off on|let us not|lets not) (cancel*|clos*)"
                " (it|that|this|my|the) ~ (yet|for now|just yet|right now)",
                "(forget|scrap|skip) (about )?(the )?(cancel*|clos*)",
            ]
        ),
        _LEAVING,
    ),
    (
        PhraseSet(["(forget|scrap|skip) (about )?(the )?(refund*|money back)"]),
        frozenset({"refund", "fee_waiver"}),
    ),
    (PhraseSet(["(forget|scrap|skip) (about )?(the )?(return*|exchang*)"]), frozenset({"return_exchange"})),
)


def _holds_off(kind: str, text: str) -> bool:
    """The customer holding off or dropping ``kind`` in so many words."""
    return any(kind in kinds and phrases.find(text) for phrases, kinds in HOLDS_OFF)


# The customer saying they will try again later: the request is left open, not dropped.
CALLER_LATER = PhraseSet(
    [
        "i (will|shall|am going to|have to|need to|can) (call|ring|phone|try|check) ~"
        " (back|again|later|tomorrow|monday|tuesday|wednesday|thursday|friday|next|then|on the)",
        "i (will|shall) (wait|watch|look out) (for|and see|until)",
    ]
)


@dataclass
class _Pending:
    kind: str
    turn: Turn
    pushback: list[tuple[Turn, str]] = field(default_factory=list)  # (turn, kind of push-back)
    offer_open: bool = False  # the customer has not answered that offer yet
    later: Turn | None = None  # the latest agent turn that put it off
    before: int | None = None  # the request this one replaced (its index in the results), left open
    offers: list[Turn] = field(default_factory=list)  # every agent turn that offered something instead


_CLAUSES = re.compile(r"(?<=[.!?])\s+|[,;]?\s+\b(?:but|however|though|although)\b\s+", re.IGNORECASE)


def _supervisor_here(text: str) -> bool:
    """A supervisor or manager saying they are on the line, in a clause that does not deny it."""
    return any(
        SUPERVISOR_HERE.find(clause) and not _DENIED.search(normalize(clause))
        for clause in _CLAUSES.split(text)
    )


def _hands_on(text: str) -> bool:
    """An agent handing the request on, in a clause that does not deny it ("I can't refund it
    myself, but I'm opening a case with the refunds team" hands it on)."""
    for clause in _CLAUSES.split(text):
        if HANDS_ON.find(clause) and not _DENIED.search(normalize(clause)):
            return True
    return False


_SENTENCES = re.compile(r"(?<=[.!?])\s+")
# A sentence that says a grant is not (yet) happening: a denial, a condition, a hold, a note.
_NOT_GRANTED = re.compile(
    r"\b(can not|cannot|unable|not able|not possible|no way|not allowed|unfortunately|afraid|before (i|we)|"
    r"if you|hold|a note|not yet|would have to|need to|have to)\b"
)


# The customer settling for less after a flat denial: "then can you at least...", "fine, instead...".
FALLBACK = PhraseSet(
    [
        "at least",
        "instead",
        "(fine|okay|ok|alright|well) then",
        "in that case",
        "(can|could) you just",
    ]
)


# Kinds of request that are one family: a different kind of the same family, asked while a request is
# pending, is as often the same request in other words ("cancel" after "end my contract"); across
# families it is a second request ("can you waive the fee too?" while a cancellation goes through).
_FAMILIES = (
    _LEAVE | frozenset({"pause", "remove_product"}),
    frozenset({"refund", "fee_waiver"}),
)
# Push-back that denies the request outright, as against arguing or pitching around it.
DENIALS = ("impossible", "blames_other", "needs_someone_else")


def _family(kind: str) -> frozenset[str] | None:
    return next((f for f in _FAMILIES if kind in f), None)


def _continues(pending: _Pending, then: str, text: str) -> bool:
    """Whether a request of kind ``then``, made while ``pending`` is unsettled, is the same
    request asked in other words: not a supervisor (a request of its own), not one of another
    family made before the agent pushed back on the first, nor a lesser one the customer settles
    for after the agent said it cannot be done ("then just cancel it", "at least waive the fee")."""
    if then == "supervisor" or then == pending.kind:
        return then == pending.kind
    if pending.pushback and pending.pushback[-1][1] in DENIALS and FALLBACK.find(text):
        return False
    if then == "cancel" or pending.pushback:
        # "cancel" is said of many things ("cancel the fee", "cancel that order"), and a customer
        # pushed back on says the same request many ways
        return True
    one, other = _family(pending.kind), _family(then)
    return one is None or other is None or one is other


def _about_offer(text: str, rules: RefusalRules) -> bool:
    """A customer's question about an offer ("three months free, and then?"): not an answer to it
    yet, so the offer stays open."""
    return text.rstrip().endswith("?") and not rules.request(text) and not _NO.match(normalize(text))


_RELIEF = re.compile(
    r"^(oh |ah |okay |well )?(good|great|perfect|lovely|brilliant|awesome|wonderful|fantastic|"
    r"thank you|thanks|cheers|excellent|cool|nice|fine)\b"
)
# Words that turn to another matter.
ANOTHER_MATTER = PhraseSet(
    [
        "while i (have|have got|got) you",
        "while i am (on the phone|on the line|here|at it)",
        "(one more|another|other|separate) (thing|question|issue|matter)",
        "(also|separately|unrelated|on another note)",
    ]
)


_BUT = re.compile(r"^(but|still|however|it still|that still|and yet)\b")


def _takes_it(text: str, kind: str, rules: RefusalRules) -> bool:
    """The customer's next words open by taking the grant of ``kind`` and turn to another matter
    ("Oh good. That was easy. And while I've got you…", "Thank you. I should just cancel the Pass
    too"): not the same request asked again. ("Thanks. But it still shows active, can you cancel
    it?" does ask again.)"""
    first, *rest = _SENTENCES.split(text.strip(), maxsplit=1)
    norm = normalize(first)
    if not rest or len(norm.split()) > 5 or not _RELIEF.match(norm):
        return False
    if _BUT.match(normalize(rest[0])):
        return False
    other = rules.request(rest[0])
    return bool(ANOTHER_MATTER.find(rest[0])) or (other is not None and other not in (GENERIC, kind))


def _left_open(request: _Pending, last: Turn) -> tuple[str, Turn, str]:
    """How a request ends that is still pending when another kind of request replaces it, or when
    the call ends (``last``: its last turn): the outcome, the turn that shows it, why."""
    if request.later is not None and (
        not request.pushback or request.later.start >= request.pushback[-1][0].start
    ):
        return "unresolved", request.later, "put off to later"
    if request.pushback and request.pushback[-1][1] == "stalls":
        return "unresolved", request.pushback[-1][0], "the last push-back stalls"
    if request.pushback:
        return "refused", request.pushback[-1][0], "pushed back and never granted"
    return "unresolved", last, "nothing granted it or refused it"


def _grants(text: str, phrases: PhraseSet = GRANTS) -> bool:
    """An agent sentence that does what was asked, said as done or being done now."""
    for sentence in _SENTENCES.split(text):
        if phrases.find(sentence) and not _NOT_GRANTED.search(normalize(sentence)):
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
    asked = rules.recogniser.model  # the request model (None: the phrase lists alone)
    model = settings.refusal_model
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    around = _neighbours(ordered, roles)
    refusals = [m for m in markers if m.kind == "refusal"]
    out: list[RequestOutcome] = []
    settled: set[str] = set()  # kinds already granted or handed on: asked again, it is a check
    pending: _Pending | None = None
    carried: list[_Pending] = []  # requests nothing was said to when another one was made
    # Requests left open when another kind was asked for: asked for again, the same request goes on.
    left: dict[str, tuple[int, _Pending]] = {}
    dropped: set[int] = set()  # indexes in ``out`` of requests that went on later
    last_said: Turn | None = None  # the customer's latest turn that was more than a backchannel

    def resume(kind: str) -> _Pending | None:
        if kind not in left:
            return None
        index, request = left.pop(kind)
        dropped.add(index)
        return request

    def record(request: _Pending, outcome: str, turn: Turn, why: str) -> None:
        out.append(
            RequestOutcome(
                request.kind,
                round(request.turn.start, 3),
                outcome,
                round(turn.start, 3),
                round(turn.end, 3),
                turn.speaker,
                turn.text,
                why,
            )
        )
        if outcome in ("done", "retained", "escalated"):
            settled.add(request.kind)

    def close(outcome: str, turn: Turn, why: str) -> None:
        nonlocal pending
        assert pending is not None
        record(pending, outcome, turn, why)
        if outcome in ("done", "escalated") and carried:
            # The requests carried beside this one go the same way: granted or handed on together.
            for other in carried:
                why = "granted with the later request" if outcome == "done" else "handed on with it"
                record(other, outcome, turn, why)
            carried.clear()
        pending = None

    def asks_again(text: str | None) -> bool:
        """The customer's words ask for the pending request again: it was not granted. (A plain "no"
        is not: it answers "anything else?" as often as it refuses.)"""
        if not text or pending is None or _takes_it(text, pending.kind, rules):
            return False
        again = rules.request(text)
        return bool(rules.cues.asks_again.find(text) or again in ("cancel", GENERIC, pending.kind))

    def request_of(text: str) -> str | None:
        """The request a customer turn makes. A supervisor the request model is unsure of (its
        request probability spread thin over every kind) is no request of its own: it goes on with
        the one pending, if any, rather than opening an escalation."""
        kind = rules.request(text)
        if kind == "supervisor" and asked is not None and asked.probabilities(text).get(kind, 1.0) < WEAK:
            return GENERIC if pending is not None else None
        return kind

    def accepts(text: str) -> bool:
        return (
            bool(ACCEPTS.find(text))
            and not rules.cues.asks_again.find(text)
            and not _NO.match(normalize(text))
        )

    for turn, (before, after) in zip(ordered, around, strict=True):
        role = roles.get(turn.speaker)
        if role == "customer":
            norm = normalize(turn.text)
            if pending is not None and pending.offer_open:
                # The first answer to an offer: words that take it, or a plain yes. (The request
                # model hears "let's do that" as a request as often as not: words that take the
                # offer outweigh it.)
                if accepts(turn.text) or (
                    not asks_again(turn.text) and _YES.match(norm) and not rules.request(turn.text)
                ):
                    close("retained", turn, "took the offer")
                    continue
                if not turn_is_backchannel(turn, settings) and not _about_offer(turn.text, rules):
                    pending.offer_open = False
            if turn_is_backchannel(turn, settings):
                continue
            last_said = turn
            if pending is not None and pending.offers and accepts(turn.text) and not rules.request(turn.text):
                close("retained", turn, "took the offer")  # the offer taken later in the call
                continue
            if pending is not None and not pending.offers and _holds_off(pending.kind, turn.text):
                dropped_kind = pending.kind
                close("withdrawn", turn, "held off the request for now")
                # "Don't cancel it yet, I want last month refunded first": that one is asked now.
                other = request_of(turn.text)
                if other and other != GENERIC and _family(other) is not _family(dropped_kind):
                    if other not in settled:
                        pending = resume(other) or _Pending(other, turn)
                continue
            if pending is not None and CALLER_LATER.find(turn.text):
                pending.later = turn  # the customer will try again later: left open
                continue
            if pending is not None and rules.cues.withdraw.find(turn.text):
                denied = [t for t, k in pending.pushback if k in DENIALS]
                if pending.offers and ACCEPTS.find(turn.text):
                    close("retained", turn, "took the offer")
                elif denied:
                    close("refused", denied[-1], "gave up after it was denied")
                else:
                    close("withdrawn", turn, "dropped the request")
                continue
            kind = request_of(turn.text)
            if not kind:
                continue
            if pending is None:
                if kind not in settled:
                    pending = resume(kind) or _Pending(kind, turn)
            elif kind not in (GENERIC, pending.kind) and not _continues(pending, kind, turn.text):
                if pending.pushback or pending.later is not None or kind == "supervisor":
                    old = pending
                    close(*_left_open(pending, turn))
                    left[old.kind] = (len(out) - 1, old)
                    pending = resume(kind) or _Pending(kind, turn, before=len(out) - 1)
                else:  # nothing said to it yet: it goes on beside the new one (granted with it, or not)
                    carried.append(pending)
                    pending = resume(kind) or _Pending(kind, turn)
            continue
        if role != "agent" or pending is None or turn_is_backchannel(turn, settings):
            continue
        pushed = [m for m in refusals if turn.start - 1e-3 <= m.start and m.end <= turn.end + 1e-3]
        if _hands_on(turn.text):
            close("escalated", turn, "handed on")
            continue
        if pending.kind == "supervisor" and not pushed and _supervisor_here(turn.text):
            # (not "I'm the supervisor for this queue, so I'm who you'd be escalated to": push-back)
            under = pending.before
            close("escalated", turn, "a supervisor came on the line")
            if under is not None and under not in dropped and out[under].outcome in ("refused", "unresolved"):
                # The request the supervisor was asked for goes on with the supervisor, who may
                # grant it (in this very turn or later).
                pending = resume(out[under].kind)
                if pending is not None and _grants(turn.text):
                    close("done", turn, "the supervisor granted it")
            continue
        said = _grants(turn.text) or (not pushed and _grants(turn.text, rules.cues.comply))
        j = judge(model, turn, before, after, rules.cues) if model is not None else None
        # An agent making an offer, or explaining one the customer has not answered yet, is not
        # granting the request, whatever the model hears in it: only grant words count there.
        offering = (
            pending.offer_open or bool(OFFERED.find(turn.text))
        ) and pending.kind not in _OFFER_IS_GRANT
        if not said and j is not None and not pushed and not offering:
            said = j.complies >= model.comply_threshold or (j.complies >= 0.5 and j.complies > j.pushback)
            # A weaker grant the customer's next words take as done (thanks, what happens next).
            said = said or (
                j.complies >= 0.25
                and j.complies > j.pushback
                and bool(after)
                and bool(THANKS.find(after or ""))
            )
        if (
            said
            and pending.kind == "supervisor"
            and pending.before is not None
            and pending.before not in dropped
            and out[pending.before].outcome in ("refused", "unresolved")
            and _grants(turn.text)
        ):
            # Asked for a supervisor over a request the agent then grants after all: that request
            # is done, and the supervisor was not needed.
            first = out[pending.before]
            out[pending.before] = dataclasses.replace(
                first,
                outcome="done",
                evidence_start=round(turn.start, 3),
                evidence_end=round(turn.end, 3),
                evidence_speaker=turn.speaker,
                evidence=turn.text,
                why="granted after the customer asked for a supervisor",
            )
            settled.add(first.kind)
            close("withdrawn", turn, "the request it was about was granted instead")
            continue
        if (
            said
            and pending.offers
            and last_said is not None
            and last_said.start > pending.offers[-1].start
            and accepts(last_said.text)
            and not rules.request(last_said.text)
        ):
            # The agent carries out what the customer just took: the offer, not the request.
            close("retained", last_said, "took the offer")
            continue
        if said and not asks_again(after):
            if pending.kind == "supervisor":
                close("escalated", turn, "the agent fetched someone else")
            else:
                close("done", turn, "the agent granted it")
            continue
        if pushed:
            pending.pushback.append((turn, pushed[-1].category))
        if (pushed and (pushed[-1].category == "pitch" or OFFERS.find(turn.text))) or OFFERED.find(turn.text):
            pending.offer_open = True
            pending.offers.append(turn)
        if LATER.find(turn.text):
            pending.later = turn
    if pending is not None and ordered:
        close(*_left_open(pending, ordered[-1]))
    for other in carried:  # carried beside a request that was neither granted nor handed on
        record(other, *_left_open(other, ordered[-1]))
    return tuple(sorted((o for i, o in enumerate(out) if i not in dropped), key=lambda o: o.start))


def call_outcome(found: Sequence[RequestOutcome]) -> str:
    """The call's outcome: its last request's ("" where the customer asked for nothing)."""
    return found[-1].outcome if found else ""
