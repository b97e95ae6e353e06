"""Repeated refusals: the agent pushing back after the customer asked to cancel, stop or leave.

Once a customer turn asks to cancel (or asks for something the agent may decline), every agent
turn that deflects, questions the reason, declines or pitches is a refusal, until an agent turn
complies or the customer withdraws the request. A call where the agent simply complies has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.analysis.text import PhraseSet
from reviewer.analysis.turns import turn_is_backchannel
from reviewer.model import Marker, Speaker, Turn
from reviewer.settings import Settings


@dataclass(frozen=True)
class RefusalRules:
    cancel_request: PhraseSet
    other_request: PhraseSet
    comply: PhraseSet
    deflect: PhraseSet
    withdraw: PhraseSet

    @classmethod
    def from_settings(cls, settings: Settings) -> RefusalRules:
        p = settings.phrases
        return cls(
            PhraseSet(p.cancel_request),
            PhraseSet(p.other_request),
            PhraseSet(p.comply),
            PhraseSet(p.deflect),
            PhraseSet(p.withdraw),
        )


def refusals(speakers: Sequence[Speaker], turns: Sequence[Turn], settings: Settings) -> list[Marker]:
    roles = {s.id: s.role for s in speakers}
    rules = RefusalRules.from_settings(settings)
    pending: str | None = None  # what the customer asked for, while unresolved
    markers: list[Marker] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        role = roles.get(turn.speaker)
        if turn_is_backchannel(turn, settings):
            continue
        if role == "customer":
            if pending and rules.withdraw.find(turn.text):
                pending = None
                continue
            asked = rules.cancel_request.find(turn.text) or rules.other_request.find(turn.text)
            if asked:
                pending = "cancel" if rules.cancel_request.find(turn.text) else "request"
        elif role == "agent" and pending:
            if rules.comply.find(turn.text):
                pending = None
                continue
            phrase = rules.deflect.find(turn.text)
            if phrase:
                n = len(markers) + 1
                what = "cancel" if pending == "cancel" else "request"
                markers.append(
                    Marker(
                        "refusal",
                        round(turn.start, 3),
                        round(turn.end, 3),
                        turn.speaker,
                        f"Push-back #{n} after the {what}: {turn.text}",
                    )
                )
    return markers
