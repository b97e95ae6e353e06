"""Names, colours and time formats the app and the reports share, so a QA lead reading a report
sees the words and colours the coach saw in the app. Every colour also has a label or a shape:
reports must read in black and white."""

from __future__ import annotations

import math


def plural(n: int, word: str) -> str:
    """ "1 call", "2 calls"; "stretch" takes "es"."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}" + ("es" if word.endswith(("ch", "sh", "s", "x")) else "s")


ROLE_NAMES = {"agent": "Agent", "customer": "Customer", "unknown": "Speaker"}
# Every meaning its own colour, told apart by colour-blind eyes: the Okabe–Ito palette (roles,
# markers, talk share) and Paul Tol's muted one (comments, sentiment), never one colour for two
# meanings; each also has a shape or a labelled row, so a black-and-white print reads too.
ROLE_COLOURS = {"agent": "#0072B2", "customer": "#E69F00", "unknown": "#7f7f7f"}
MARKER_NAMES = {
    "refusal": "Refusal",
    "long_monologue": "Long monologue",
    "long_silence": "Long silence / hold",
    "overtalk": "Overtalk",
}
MARKER_PLURALS = {
    "refusal": "Refusals",
    "long_monologue": "Long monologues",
    "long_silence": "Long silences / holds",
    "overtalk": "Overtalk",
}
MARKER_COLOURS = {
    "refusal": "#D55E00",
    "long_monologue": "#CC79A7",
    "long_silence": "#999999",
    "overtalk": "#F0E442",
}
CATEGORY_COLOURS = {
    "praise": "#009E73",
    "improve": "#882255",
    "compliance": "#332288",
    "other": "#999933",
}
SHARE_COLOURS = {"within": "#56B4E9", "over": "#000000"}  # the agent's talk share against its target
SENTIMENT_COLOURS = {"negative": "#CC6677", "neutral": "#BBBBBB", "positive": "#44AA99"}
CLIP_COLOUR = "#AA4499"  # a coaching clip on the timeline (Tol's purple: no other meaning has it)

# The call at a glance (analysis.outcome, analysis.sentiment), in the words every front door uses.
OUTCOME_NAMES = {
    "done": "done",
    "retained": "retained (took an offer)",
    "withdrawn": "withdrawn",
    "refused": "refused",
    "escalated": "escalated",
    "unresolved": "unresolved",
}
SENTIMENT_CHANGES = ("better", "same", "worse")


def signed(score: float) -> str:
    """A sentiment score as every front door prints it: "+0.31", "−0.42" (a true minus)."""
    return f"{score:+.2f}".replace("-", "−")


def sentiment_change_text(start: float | None, end: float | None, change: str) -> str:
    """A party's sentiment from the first third of their turns to the last: "−0.42 → +0.31
    (better)"; "—" where they said nothing."""
    if start is None or end is None or not change:
        return "—"
    return f"{signed(start)} → {signed(end)} ({change})"


def clock(seconds: float | None, *, tenths: bool = False) -> str:
    """1:05, 1:02:03; with tenths 1:05.3; empty for no time. Rounds to the nearest second (or
    tenth), halves up, so one moment reads the same in the CLI, the app and every report, and a
    time shown with tenths parses back (:func:`parse_time`) to the tenth it showed."""
    if seconds is None:
        return ""
    if tenths:
        whole, frac = divmod(_nearest(seconds, 10), 10)
        return f"{_hms(whole)}.{frac}"
    return _hms(_nearest(seconds, 1))


def mmss(seconds: float | None) -> str:
    """Zero-padded minutes and seconds (75:03) that sort as text in a spreadsheet; rounded as
    :func:`clock` rounds."""
    if seconds is None:
        return ""
    m, s = divmod(_nearest(seconds, 1), 60)
    return f"{m:02d}:{s:02d}"


def parse_time(text: str) -> float:
    """'83', '83.5', '1:23', '1:02:03.4' -> seconds; ValueError with a sentence for anything else."""
    try:
        parts = [float(p) for p in text.strip().split(":")]
    except ValueError:
        raise ValueError(f"{text!r} is not a time (use 1:23 or 83)") from None
    if not 1 <= len(parts) <= 3 or any(not 0 <= p < float("inf") for p in parts):
        raise ValueError(f"{text!r} is not a time (use 1:23 or 83)")
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def _nearest(seconds: float, per_second: int) -> int:
    """``seconds`` in whole units of 1/``per_second`` s, to the nearest, halves up; never negative.
    The 1e-9 absorbs binary fractions: 1.15 is stored as 1.149999…, and still reads 1.2."""
    return int(math.floor(max(0.0, seconds) * per_second + 0.5 + 1e-9))


def _hms(total: int) -> str:
    m, s = divmod(total, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_label(period: str) -> str:
    """A period of trends in dates a person reads: an ISO week (2026-W49) as its Monday to its
    Sunday, "30 Nov – 6 Dec 2026" ("7 – 13 Dec 2026" within a month, "29 Dec 2025 – 4 Jan 2026"
    across a year); a month (2026-12) as "Dec 2026"; "undated" as "Undated"."""
    if period == "undated":
        return "Undated"
    if "-W" in period:
        return days_label(*period_days(period))
    year, month = period.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def periods_label(first: str, last: str) -> str:
    """The periods from ``first`` to ``last`` in dates: "2 Mar – 22 Mar 2026" for weeks (the
    first's Monday to the last's Sunday), "Mar – May 2026" for months."""
    if first == last:
        return period_label(first)
    if "-W" in first:
        return days_label(period_days(first)[0], period_days(last)[1], whole=True)
    a, b = period_label(first).split(), period_label(last).split()
    return f"{a[0]} – {b[0]} {b[1]}" if a[1] == b[1] else f"{' '.join(a)} – {' '.join(b)}"


def period_days(period: str):  # noqa: ANN201 - (datetime.date, datetime.date)
    """The first and the last day of an ISO week (2026-W49) or a month (2026-12)."""
    from datetime import date, timedelta

    if "-W" in period:
        year, week = period.split("-W")
        first = date.fromisocalendar(int(year), int(week), 1)
        return first, first + timedelta(days=6)
    year, month = (int(x) for x in period.split("-"))
    after = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, 1), after - timedelta(days=1)


def days_label(first, last, *, whole: bool = False) -> str:  # noqa: ANN001 - datetime.date
    """ "30 Nov – 6 Dec 2026", "7 – 13 Dec 2026" ("7 Dec – 13 Dec 2026" with ``whole``),
    "29 Dec 2025 – 4 Jan 2026": the year said once where both days share it."""
    end = day_label(last)
    if first.year != last.year:
        return f"{day_label(first)} – {end}"
    if first.month != last.month or whole:
        return f"{first.day} {MONTHS[first.month - 1]} – {end}"
    return f"{first.day} – {end}"


def day_label(day) -> str:  # noqa: ANN001 - a datetime.date
    """6 Dec 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def duration_text(seconds: float | None) -> str:
    """'12.5 s' or '3 min 05 s'; a dash for none."""
    if seconds is None:
        return "—"
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:02.0f} s"


def speaker_label(speaker) -> str:  # noqa: ANN001 - a reviewer.model.Speaker
    role = ROLE_NAMES.get(speaker.role, "Speaker")
    return f"{role} ({speaker.name})" if speaker.name else f"{role} {speaker.id}"


def user_name() -> str:
    """Who signs a comment when no author is given: the login name, or nothing where the system
    has none (getpass raises in some containers and services whose user has no passwd entry)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
