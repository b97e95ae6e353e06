"""What the PDF and HTML reports both say, worded once."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.labels import MARKER_NAMES, clock, duration_text
from reviewer.report.data import CallReport
from reviewer.report.picture import comment_numbers


def details(r: CallReport) -> list[tuple[str, str]]:
    row = r.row
    customers = [r.who(s.id) for s in r.speakers if s.role == "customer"]
    split = {
        "channels": "by channel (stereo)",
        "diarization": "by voice (mono, diarized)",
        "single": "one speaker",
    }.get(row.get("speaker_split") or "", row.get("speaker_split") or "")
    return [
        ("File", r.name),
        ("Recorded", _date(row.get("recorded_at"))),
        ("Duration", clock(r.duration)),
        ("Agent", r.agent),
        ("Customer", ", ".join(customers) or "not identified"),
        ("Reviewed by", r.reviewers or "no comments yet"),
        ("Review status", row.get("review_status") or "new"),
        ("Speakers split", split),
    ]


def _date(value: str | None) -> str:
    if not value:
        return "unknown"
    return value.replace("T", " ")[:16] + (" UTC" if value.endswith("+00:00") else "")


def verdict(r: CallReport) -> str:
    share = r.metrics.agent_talk_share
    if share is None:
        return "Agent talk share: no agent identified"
    word = "OVER" if share > r.share_target else "within"
    return f"Agent talked {share:.0%} of the time: {word} the {r.share_target:.0%} target"


def metrics(r: CallReport) -> list[tuple[str, str]]:
    m = r.metrics
    out = []
    share = m.agent_talk_share
    out.append(
        (
            "Agent talk share",
            "no agent identified"
            if share is None
            else f"{share:.0%} ({r.share_verdict} {r.share_target:.0%}); customer {1 - share:.0%}",
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
        by_cat[c["category"]] = by_cat.get(c["category"], 0) + 1
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
        note = c.get("author") or ""
        if c.get("reply"):
            note += f" · agent replied: {c['reply']}"
        elif c.get("acknowledged_at"):
            note += " · acknowledged by the agent"
        items.append(
            (
                c["start"],
                1,
                Line(
                    "comment",
                    c["start"],
                    c["end"],
                    f"Comment {numbers[c['id']]}",
                    c["text"],
                    c["category"],
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
    result: str  # "yes", "4", "na", "–" (not answered)
    points: str  # "2/2"
    evidence: str  # times, "0:11, 0:20"
    note: str  # what the rule found, an override, a dispute


def score_heading(r: CallReport) -> str:
    s = r.score
    if s is None:
        return ""
    verdict = "PASSED" if s.passed else "FAILED"
    extra = "" if s.complete else " (manual items not yet answered)"
    fail = f"; auto-fail: {', '.join(s.auto_failed)}" if s.auto_failed else ""
    return f"{s.card} v{s.version}: {s.total:g} / 100, {verdict} (pass mark {s.pass_mark:g}){fail}{extra}"


def score_lines(r: CallReport) -> list[ScoreLine]:
    """The scorecard's items as the reports list them."""
    if r.score is None:
        return []
    out = []
    for i in r.score.items:
        notes = []
        if i.detail:
            notes.append(i.detail)
        if i.override:
            o = i.override
            notes.append(f"Overridden by {o['grader']} (rule said {i.auto_result or '–'}): {o['reason']}")
        if i.answered_by:
            notes.append(f"Answered by {i.answered_by['grader']}")
        if i.auto_fail:
            notes.append("Auto-fail item")
        if i.dispute:
            d = i.dispute
            reply = f"; reply: {d['reply']}" if d["reply"] else ""
            notes.append(f"Disputed by {d['author']} ({d['status']}): {d['text']}{reply}")
        times = ", ".join(clock(e["start"]) for e in i.evidence[:8]) + (" …" if len(i.evidence) > 8 else "")
        out.append(
            ScoreLine(
                i.section,
                i.text,
                i.kind,
                "–"
                if i.result is None
                else i.result.upper()
                if i.result in ("yes", "no", "na")
                else i.result,
                "" if i.points is None else f"{i.points:g}/{i.max_points:g}",
                times,
                "\n".join(notes),
            )
        )
    return out
