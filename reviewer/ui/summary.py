"""The Summary tab a call opens on: the verdict and the moments that matter, every line with a
time a link that seeks the player. Its lines are made from the view the library thread read
(``review_page.load_review``): nothing here reads the library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from reviewer.analysis import CORRECTED
from reviewer.analysis.pushback import KIND_NAMES
from reviewer.labels import (
    MARKER_NAMES,
    OUTCOME_NAMES,
    clock,
    duration_text,
    sentiment_change_text,
    signed,
    speaker_label,
)
from reviewer.model import CallScore, Comment, StoredCall
from reviewer.requests import asked

LONGEST = 3  # stretches of each kind the summary lists
QUOTE = 80  # characters of a turn quoted


@dataclass(frozen=True)
class SummaryLine:
    """One line of the summary: at ``time`` (a link that seeks; None: no moment), its words,
    and further moments it names (words, time), each a link too."""

    time: float | None
    text: str
    also: tuple[tuple[str, float], ...] = ()
    # What a coach may correct here: "reason", or the outcome of the request made at ``time``.
    fix: str = ""

    def plain(self) -> str:
        """The line as a person reads it: "0:14 Agent pushes back … (request at 0:06)"."""
        at = f"{clock(self.time)} " if self.time is not None else ""
        extra = "".join(f" ({words} {clock(t)})" for words, t in self.also)
        return f"{at}{self.text}{extra}"


Section = tuple[str, list[SummaryLine]]


def quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[: QUOTE - 2].rsplit(' ', 1)[0]} …”" if len(text) > QUOTE else f"“{text}”"


def summary_sections(
    call: StoredCall, score: CallScore | None, target: float, comments: Sequence[Comment]
) -> list[Section]:
    """What the Summary tab says of a call, section by section."""
    t = call.transcript
    names = {s.id: speaker_label(s) for s in t.speakers}
    customer = {s.id for s in t.speakers if s.role == "customer"}
    out: list[Section] = []

    if score is None:
        out.append(("Score", [SummaryLine(None, "No scorecard in this library.")]))
    else:
        out.append(
            ("Score", [SummaryLine(None, score.headline())])
        )  # its state in words, as the Scorecard tab

    share = call.metrics.agent_talk_share
    if share is None:
        talk = "No agent identified: say who the agent is (Speakers…) to see the talk share."
    else:
        verdict = "over" if share > target else "within"
        talk = (
            f"Agent {share:.0%} of the talk, customer {1 - share:.0%}: {verdict} the target of {target:.0%}"
        )
    out.append(("Talk share", [SummaryLine(None, talk)]))

    reason = call.reason
    if reason is None:
        why = [SummaryLine(None, "Not judged (no customer turn, or no list of reasons).")]
    elif reason.method == CORRECTED:
        why = [SummaryLine(reason.start, f"{reason.label} (corrected by a coach)", fix="reason")]
    elif reason.start is not None:
        why = [
            SummaryLine(
                reason.start, f"{reason.label} ({reason.confidence:.0%}): {quote(reason.text)}", fix="reason"
            )
        ]
    else:
        why = [SummaryLine(None, f"{reason.label} (no opening turn matched a reason)", fix="reason")]
    out.append(("Reason", why))

    if not call.outcomes:
        ended = [SummaryLine(None, "The customer asked for nothing the analysis recognises.")]
    else:
        last = call.outcomes[-1].outcome
        ended = [SummaryLine(None, f"The call: {OUTCOME_NAMES.get(last, last)}")]
        ended += [
            SummaryLine(
                o.start,
                f"{asked(o.kind).capitalize()}: {OUTCOME_NAMES.get(o.outcome, o.outcome)}"
                + (f" ({o.why})" if o.why.startswith("corrected by") else ""),
                ((f"shown by {quote(o.evidence)} at", o.evidence_start),) if o.evidence else (),
                fix="outcome",
            )
            for o in call.outcomes
        ]
    out.append(("Outcome", ended))

    feeling = call.sentiment
    if feeling is None:
        felt = [SummaryLine(None, "Not judged yet.")]
    else:
        c = feeling.customer
        theirs = [s for s in feeling.turns if s.speaker in customer]
        felt = [SummaryLine(None, f"Customer {sentiment_change_text(c.start, c.end, c.change)}")]
        if theirs:
            low = min(theirs, key=lambda s: s.score)
            felt.append(
                SummaryLine(theirs[0].start, f"First words: {theirs[0].label} ({signed(theirs[0].score)})")
            )
            if low.score < 0:
                felt.append(SummaryLine(low.start, f"Lowest: {low.label} ({signed(low.score)})"))
            felt.append(
                SummaryLine(theirs[-1].start, f"Last words: {theirs[-1].label} ({signed(theirs[-1].score)})")
            )
    out.append(("Customer sentiment", felt))

    refusals = [m for m in call.markers if m.kind == "refusal"]
    pushed = []
    for m in refusals:
        kind = KIND_NAMES.get(m.category, m.category.replace("_", " ")) or "pushes back"
        sure = f" ({m.confidence:.0%})" if m.confidence is not None else ""
        said = m.text.partition(": ")[2].strip()
        text = f"{names.get(m.speaker, m.speaker or 'Agent')}: {kind}{sure}" + (
            f" {quote(said)}" if said else ""
        )
        after = (
            ((f"after the customer {asked(m.request)} at", m.request_start),)
            if m.request and m.request_start is not None
            else ()
        )
        pushed.append(SummaryLine(m.start, text, after))
    out.append((f"Push-back ({len(refusals)})", pushed or [SummaryLine(None, "None found.")]))

    stretches = []
    for kind in ("long_monologue", "long_silence"):
        found = sorted(
            (m for m in call.markers if m.kind == kind), key=lambda m: m.start - (m.end or m.start)
        )
        for m in found[:LONGEST]:
            who = f" by {names.get(m.speaker, m.speaker)}" if m.speaker else ""
            stretches.append(
                SummaryLine(
                    m.start, f"{MARKER_NAMES[kind]}{who}, {duration_text((m.end or m.start) - m.start)}"
                )
            )
    out.append(("Longest stretches", stretches or [SummaryLine(None, "None over the thresholds.")]))

    noted = [
        SummaryLine(c.start, f"[{c.category}] {c.author + ': ' if c.author else ''}{c.text}")
        for c in sorted(comments, key=lambda c: c.start)
    ]
    out.append(
        (f"Comments ({len(noted)})", noted or [SummaryLine(None, "None yet (C comments at the playhead).")])
    )
    return out


def _link(seconds: float, words: str) -> str:
    return f'<a href="seek:{seconds:.3f}">{escape(words)}</a>'


def summary_html(sections: Sequence[Section]) -> str:
    parts = []
    for title, lines in sections:
        parts.append(f"<h4 style='margin:8px 0 2px 0'>{escape(title)}</h4>")
        for line in lines:
            at = _link(line.time, clock(line.time)) + "&nbsp; " if line.time is not None else ""
            extra = "".join(f" ({escape(words)} {_link(t, clock(t))})" for words, t in line.also)
            if line.fix:
                where = "reason" if line.fix == "reason" else f"outcome:{line.time:.3f}"
                extra += f' &nbsp;<a href="fix:{where}" style="color:#555">correct…</a>'
            parts.append(f"<div style='margin-left:8px'>{at}{escape(line.text)}{extra}</div>")
    return "".join(parts)


class SummaryPanel(QWidget):
    """The call at a glance; a click on a time seeks (``seekRequested``)."""

    seekRequested = Signal(float)
    # A coach asks to correct the reason (None) or the outcome of the request made at a time.
    correctRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Call summary")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Call summary")
        self.browser.anchorClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self.sections: list[Section] = []

    def show_summary(self, sections: list[Section]) -> None:
        self.sections = sections
        bar = self.browser.verticalScrollBar()
        kept = bar.value()
        self.browser.setHtml(summary_html(sections))
        bar.setValue(kept)

    def clear(self) -> None:
        self.sections = []
        self.browser.clear()

    def lines(self) -> list[str]:
        """Every line as a person reads it, under its section's title."""
        return [f"{title}: {line.plain()}" for title, lines in self.sections for line in lines]

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("seek:"):
            self.seekRequested.emit(float(text.removeprefix("seek:")))
        elif text == "fix:reason":
            self.correctRequested.emit(None)
        elif text.startswith("fix:outcome:"):
            self.correctRequested.emit(float(text.removeprefix("fix:outcome:")))
