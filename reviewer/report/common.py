"""What the PDF and HTML reports both say, worded once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewer.analysis.pushback import KIND_NAMES
from reviewer.analysis.scoring import found_words
from reviewer.labels import MARKER_NAMES, OUTCOME_NAMES, clock, duration_text, sentiment_change_text
from reviewer.model import Evidence, Marker
from reviewer.report.data import CallReport
from reviewer.report.picture import comment_numbers
from reviewer.requests import asked


def details(r: CallReport) -> list[tuple[str, str]]:
    row = r.row
    customers = [r.who(s.id) for s in r.speakers if s.role == "customer"]
    split = {
        "channels": "by channel (stereo)",
        "diarization": "by voice (mono, diarized)",
        "single": "one speaker",
    }.get(row.speaker_split or "", row.speaker_split or "")
    if row.split_doubt:  # a mono split the diarization itself doubts
        split = f"{split}. {row.split_doubt}"
    return [
        ("File", r.name),
        ("Recorded", _date(row.recorded_at)),
        ("Duration", clock(r.duration)),
        ("Agent", r.agent),
        ("Customer", ", ".join(customers) or "not identified"),
        ("Reviewed by", r.reviewers or "no comments yet"),
        ("Review status", row.review_status or "new"),
        ("Speakers split", split),
        ("Words corrected", r.edited_note or "none: the words as the speech recogniser heard them"),
    ]


def _date(value: str | None) -> str:
    if not value:
        return "unknown"
    return value.replace("T", " ")[:16] + (" UTC" if value.endswith("+00:00") else "")


@dataclass(frozen=True)
class Verdict:
    """The report's first box: the score and its state, or that the call has none."""

    title: str  # "Score 0 / 100 — FAILED (auto-fail: no answer can change it)", "Not scored"
    lines: tuple[str, ...]  # the card and pass mark, where open items could take it, auto-fails
    failing: bool  # failed, or failing so far


def verdict(r: CallReport) -> Verdict:
    s = r.score
    if s is None:
        return Verdict(
            "Not scored",
            ("The library has no scorecard (reviewer scorecard import FILE.toml).", *glance_lines(r)),
            False,
        )
    return Verdict(
        f"Score {s.total:g} / 100 — {s.verdict}",
        (score_heading(r), *s.conditions(), *glance_lines(r)),
        not s.passed,
    )


def glance_lines(r: CallReport) -> list[str]:
    """The call at a glance under the verdict: why the customer called, how it ended (each
    request, with when it was asked), and the customer's sentiment from start to end."""
    out = []
    if r.reason is not None:
        at = f" at {clock(r.reason.start)}" if r.reason.start is not None else ""
        out.append(f"Reason: {r.reason.label} ({r.reason.confidence:.0%}{at})")
    if r.outcomes:
        last = r.outcomes[-1].outcome
        if len(r.outcomes) == 1:  # one request: its outcome is the call's, said once
            o = r.outcomes[0]
            out.append(f"Outcome: {OUTCOME_NAMES.get(last, last)} ({asked(o.kind)} at {clock(o.start)})")
        else:
            each = "; ".join(f"{asked(o.kind)} at {clock(o.start)}: {o.outcome}" for o in r.outcomes)
            out.append(f"Outcome: {OUTCOME_NAMES.get(last, last)} — {each}")
    elif r.sentiment is not None:
        out.append("Outcome: the customer asked for nothing the analysis recognises")
    if r.sentiment is not None:
        c = r.sentiment.customer
        out.append(f"Customer sentiment: {sentiment_change_text(c.start, c.end, c.change)}")
    return out


def share_text(r: CallReport) -> str:
    """The agent's talk share against the call's one target (its scorecard's)."""
    share = r.metrics.agent_talk_share
    if share is None:
        return "No agent identified, so no talk share to measure"
    word = "OVER" if share > r.share_target else "within"
    return f"Agent talked {share:.0%} of the time: {word} the {r.share_target:.0%} target"


@dataclass(frozen=True)
class Finding:
    """A line of Findings: what explains the score, at its time."""

    when: str  # "0:25", "1:10–2:30"; empty for the whole call
    what: str  # "Push-back", "Talk share", "Long monologue", "Failed item" …
    text: str


MOST_OF_A_KIND = 8  # findings of one kind listed before "… and 3 more"


def findings(r: CallReport) -> list[Finding]:
    """What explains the verdict, in the order a coach goes through it: each push-back with the
    request it followed, talk share against the target, long stretches and overtalk, then the
    scorecard's failed items."""
    out: list[Finding] = []

    def some(kind: str, what: str, text: Callable[[Marker], str], *, moment: bool = False) -> None:
        """Each marker of ``kind`` at its time (``moment``: where it starts) or span."""
        found = r.markers_of(kind)
        out.extend(
            Finding(clock(m.start) if moment else span(m.start, m.end), what, text(m))
            for m in found[:MOST_OF_A_KIND]
        )
        if len(found) > MOST_OF_A_KIND:
            out.append(Finding("", what, f"… and {len(found) - MOST_OF_A_KIND} more in the transcript"))

    def length(m: Marker) -> str:
        return duration_text(m.end - m.start)

    some("refusal", "Push-back", pushback_text, moment=True)
    out.append(Finding("", "Talk share", share_text(r)))
    some(
        "long_monologue",
        "Long monologue",
        lambda m: f"{r.who(m.speaker)} talked for {length(m)} without a reply",
    )
    some("long_silence", "Long silence / hold", lambda m: f"Nobody spoke for {length(m)}")
    some(
        "overtalk",
        "Overtalk",
        lambda m: (
            f"{r.who(m.speaker)} talked over the other side for {length(m)}"
            if m.speaker
            else f"Both talked at once for {length(m)}"
        ),
    )
    for i in r.score.items if r.score else ():
        if i.points != 0 or not i.max_points:
            continue  # answered and not its worst, N/A, or not answered yet
        why = found_words(i.detail) if i.kind == "auto" and not i.override else ""
        who = i.person.grader if i.person else None
        out.append(
            Finding(
                _times(i.evidence, most=3),
                "Failed item",
                f"“{i.text}”"
                + (" (auto-fail)" if i.auto_fail else "")
                + (f": {why}" if why else "")
                + (f"; answered {_result(i.result)} by {who}" if who else ""),
            )
        )
    return out


def pushback_text(m: Marker) -> str:
    """A push-back as Findings tells it: "after the customer asked to cancel at 0:06; pitches
    an offer: “But we can give you three months free…”"."""
    at = m.request_start
    after = (
        f"after the customer {asked(m.request)}" + (f" at {clock(at)}" if at is not None else "")
        if m.request
        else "marked by a coach, with no request before it"
    )
    kind = KIND_NAMES.get(m.category, m.category.replace("_", " "))
    said = m.text.partition(": ")[2].strip()
    if len(said) > 90:
        said = said[:88].rsplit(" ", 1)[0] + " …"
    return after + (f"; {kind}" if kind else "") + (f": “{said}”" if said else "")


def metrics(r: CallReport) -> list[tuple[str, str]]:
    m = r.metrics
    out = []
    share = m.agent_talk_share
    # Against its target in Findings: the target is printed once.
    out.append(
        (
            "Agent talk share",
            "no agent identified" if share is None else f"{share:.0%}; customer {1 - share:.0%}",
        )
    )
    for role, name in (("agent", "Agent"), ("customer", "Customer")):
        talk, wpm = r.speaker_metrics(role)
        if talk is not None:
            out.append((f"{name} talk time", f"{duration_text(talk)}, {wpm:.0f} words per minute"))
    refusals = r.markers_of("refusal")
    at = ", ".join(clock(k.start) for k in refusals[:8]) + (" …" if len(refusals) > 8 else "")
    out.append(("Refusals / push-back", f"{m.refusal_count}" + (f" (at {at})" if refusals else "")))
    monologues = r.markers_of("long_monologue")
    out.append(
        ("Longest monologue", f"{duration_text(m.longest_monologue)} ({len(monologues)} over the limit)")
    )
    silences = r.markers_of("long_silence")
    out.append(
        ("Longest silence / hold", f"{duration_text(m.longest_silence)} ({len(silences)} over the limit)")
    )
    out.append(
        (
            "Overtalk",
            f"{m.overtalk_count} time{'s' if m.overtalk_count != 1 else ''}, {m.overtalk_seconds:.1f} s",
        )
    )
    gap = m.response_gap_median
    out.append(
        (
            "Agent response gap",
            "—" if gap is None else f"median {gap:.1f} s over {m.response_gap_count} replies",
        )
    )
    by_cat: dict[str, int] = {}
    for c in r.comments:
        by_cat[c.category] = by_cat.get(c.category, 0) + 1
    out.append(
        (
            "Coach's comments",
            f"{len(r.comments)}"
            + (f" ({', '.join(f'{n} {k}' for k, n in by_cat.items())})" if by_cat else ""),
        )
    )
    return out


def span(start: float, end: float | None) -> str:
    return clock(start) + (f"–{clock(end)}" if end is not None and end - start >= 1 else "")


@dataclass(frozen=True)
class Line:
    """A transcript line: a turn, or a marker or comment placed at its time."""

    kind: str  # "turn", "marker", "comment"
    start: float
    end: float | None
    who: str  # speaker label, marker name or "Comment 2"
    text: str
    role: str = ""  # the speaker's role, the marker's kind or the comment's category
    note: str = ""  # the author and reply of a comment


def transcript_lines(r: CallReport) -> list[Line]:
    numbers = comment_numbers(r)
    items: list[tuple[float, int, Line]] = []
    for t in r.turns:
        items.append((t.start, 2, Line("turn", t.start, t.end, r.who(t.speaker), t.text, r.role(t.speaker))))
    for k in r.markers:
        items.append(
            (k.start, 0, Line("marker", k.start, k.end, MARKER_NAMES.get(k.kind, k.kind), k.text, k.kind))
        )
    for c in r.comments:
        note = c.author or ""
        if c.reply:
            note += f" · agent replied: {c.reply}"
        elif c.acknowledged_at:
            note += " · acknowledged by the agent"
        items.append(
            (
                c.start,
                1,
                Line(
                    "comment",
                    c.start,
                    c.end,
                    f"Comment {numbers[c.id]}",
                    c.text,
                    c.category,
                    note,
                ),
            )
        )
    items.sort(key=lambda i: (i[0], i[1]))
    return [line for _, _, line in items]


def legend() -> str:
    return (
        "Dark bars: agent. Light bars: customer. ▼ refusal or push-back. Bands: long monologue, long "
        "silence or hold, overtalk (each on its own row). Numbered flags: the coach's comments below. "
        "Dashed line: the agent talk-share target."
    )


@dataclass(frozen=True)
class ScoreLine:
    section: str
    item: str
    kind: str  # "auto" or "manual"
    result: str  # "YES", "4", "NA", "–" (not answered)
    points: str  # "2/2"
    evidence: str  # times, "0:11, 0:20"
    note: str  # the rule in words and what it found, an override, a dispute


@dataclass(frozen=True)
class ScoreSection:
    """A section of the scorecard table: its title, weight and subtotal, and its items."""

    title: str
    weight: str  # "weight 30"
    points: str  # "4/6"
    subtotal: str  # "67 %", or "nothing answered yet"
    lines: tuple[ScoreLine, ...]


def score_heading(r: CallReport) -> str:
    """The card the call was scored with: "Customer care v1, pass mark 75"."""
    s = r.score
    return f"{s.card} v{s.version}, pass mark {s.pass_mark:g}" if s else ""


def score_how(r: CallReport) -> str:
    return f"How the total was reached: {r.score.how_reached()}" if r.score else ""


def score_sections(r: CallReport) -> list[ScoreSection]:
    """The scorecard's sections and items as the reports list them."""
    if r.score is None:
        return []
    lines = score_lines(r)
    out = []
    for s in r.score.sections:
        out.append(
            ScoreSection(
                s.title,
                f"weight {s.weight:g}",
                f"{s.got:g}/{s.most:g}" if s.most else "",
                "nothing answered yet" if s.percent is None else f"subtotal {s.percent:g} %",
                tuple(line for line in lines if line.section == s.title),
            )
        )
    return out


def score_lines(r: CallReport) -> list[ScoreLine]:
    """The scorecard's items as the reports list them. The Notes say each automatic item's rule
    in a coach's words (from the template, never its phrase patterns) and what it found."""
    if r.score is None:
        return []
    out = []
    for i in r.score.items:
        notes = []
        if i.id in r.rules:
            notes.append(f"Rule: {r.rules[i.id]}")
        if i.detail and found_words(i.detail):
            notes.append(f"Found: {found_words(i.detail)}")
        if i.override:
            o = i.override
            notes.append(f"Overridden by {o.grader} (rule said {i.auto_result or '–'}): {o.reason}")
        if i.answered_by:
            notes.append(f"Answered by {i.answered_by.grader}")
        elif i.kind == "manual":
            notes.append("For a coach to answer")
        if i.auto_fail:
            notes.append("Auto-fail item: failing it fails the call")
        if i.dispute:
            d = i.dispute
            reply = f"; reply: {d.reply}" if d.reply else ""
            notes.append(f"Disputed by {d.author} ({d.status}): {d.text}{reply}")
        out.append(
            ScoreLine(
                i.section,
                i.text,
                i.kind,
                _result(i.result),
                "" if i.points is None else f"{i.points:g}/{i.max_points:g}",
                _times(i.evidence),
                "\n".join(notes),
            )
        )
    return out


def _result(value: str | None) -> str:
    if value is None:
        return "–"
    return value.upper() if value in ("yes", "no", "na") else value


def _times(evidence: Sequence[Evidence], most: int = 8) -> str:
    return ", ".join(clock(e.start) for e in evidence[:most]) + (" …" if len(evidence) > most else "")
