"""The figures of trends as the dashboard, its PDF and ``reviewer trends`` show them: the metrics
a period row of ``Library.trends`` carries (one registry: each metric's key, its names in the
dashboard and in the command's table, its unit and format), and :class:`Trends`, the team's and
one agent's rows per period with the calls behind them (made by :func:`reviewer.trends.load_trends`).
No Qt and no library: the app, the command line and the reports read it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reviewer.errors import ReviewerError
from reviewer.labels import day_label, period_label, periods_label
from reviewer.model import CallSummary, TrendRow

# -- what a period row carries ----------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One key of ``Library.trends``'s rows and how to show it (``scale`` and ``unit`` when
    shown; the CSV and JSON keep the library's values)."""

    key: str
    label: str  # the dashboard's list of metrics, the chart's title
    short: str  # the periods table's column, the chart's axis
    column: str = ""  # the column of ``reviewer trends``'s table (the key where empty)
    width: int = 0  # that column's width (its name's where 0)
    scale: float = 1.0
    unit: str = ""
    digits: int = 2
    top: float | None = None  # a fixed top for the chart's axis (percentages, scores)
    signed: bool = False  # shown with its sign (+0.12): a change
    # The periods table it belongs to: "" the calls' own figures, "glance" the call at a glance
    # (how the customer's requests ended, their sentiment change); a table shows one at a time.
    group: str = ""

    def read(self, row: TrendRow | None) -> Any:  # noqa: ANN401 - a number or None
        """The metric's value in a period row (None for a period without one, or without calls)."""
        return None if row is None else row.value(self.key)

    @property
    def of_scorecard(self) -> bool:
        """A scorecard section's or item's (the table shows these only while charted)."""
        return self.key.startswith(("section:", "item:"))

    def text(self, value: Any) -> str:  # noqa: ANN401 - a number or None
        if value is None:
            return "–"
        return f"{value * self.scale:{'+' if self.signed else ''}.{self.digits}f}{self.unit}"

    def shown(self, value: Any) -> float | None:  # noqa: ANN401 - a number or None
        return None if value is None else float(value) * self.scale

    @property
    def heading(self) -> str:
        return self.column or self.key

    @property
    def axis_title(self) -> str:
        unit = self.unit.strip()
        return self.short + (f" ({unit})" if unit else "")


METRICS = (
    Metric("mean_score", "Mean score", "Score", "score", width=6, digits=0, top=100),
    Metric("pass_rate", "Pass rate", "Pass rate", "passed", scale=100, unit="%", digits=0, top=100),
    Metric("refusals_per_call", "Refusals per call", "Refusals / call", "refusals/call"),
    Metric(
        "agent_talk_share",
        "Agent talk share",
        "Agent talk",
        "agent share",
        scale=100,
        unit="%",
        digits=0,
        top=100,
    ),
    Metric(
        "longest_silence",
        "Longest silence (mean per call)",
        "Longest silence",
        "longest silence",
        unit=" s",
        digits=1,
    ),
    Metric("tracker_hits_per_call", "Tracked phrases per call", "Tracked / call", "tracked/call"),
    # The call at a glance: how the customer's requests ended (shares of the period's requests,
    # a coach's corrections included) and how the customer's mood moved.
    *(
        Metric(f"{key}_rate", label, short, key, scale=100, unit="%", digits=0, top=100, group="glance")
        for key, label, short in (
            ("done", "Requests done", "Done"),
            ("retained", "Requests retained (took an offer)", "Retained"),
            ("refused", "Requests refused", "Refused"),
            ("escalated", "Requests escalated", "Escalated"),
            ("unresolved", "Requests left unresolved", "Unresolved"),
            ("withdrawn", "Requests withdrawn", "Withdrawn"),
        )
    ),
    Metric(
        "cancel_done_rate",
        "Asked to cancel or close, left with it done",
        "Cancel done",
        "cancel done",
        scale=100,
        unit="%",
        digits=0,
        top=100,
        group="glance",
    ),
    Metric(
        "mean_sentiment_change",
        "Customer sentiment change (mean, end − start)",
        "Sentiment change",
        "mood change",
        digits=2,
        signed=True,
        group="glance",
    ),
    Metric("requests", "Customer requests", "Requests", "requests", digits=0, group="glance"),
    Metric("calls", "Calls", "Calls", "calls", digits=0),
)


def score_metric(key: str, title: str) -> Metric:
    """The metric of a scorecard section ("section:ID") or item ("item:ID") called ``title``:
    its calls' mean percent of its points."""
    kind = "Section" if key.startswith("section:") else "Item"
    short = title if len(title) <= 28 else title[:27].rstrip() + "…"
    return Metric(key, f"{kind}: {title}", short, key, scale=1, unit="%", digits=0, top=100)


def available_metrics(rows: list[TrendRow], named: dict[str, str] | None = None) -> list[Metric]:
    """The metrics the rows carry: the known ones in METRICS's order (scores first, once the
    library gives them), then the scorecard's sections and items that have a value (``named``:
    their keys and titles, in the card's order), then any other number, named from its key."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r.keys() if k not in keys]
    named = named or {}
    known = {m.key: m for m in METRICS}
    out = [m for m in METRICS if m.key in keys]
    valued = {k for r in rows for k, v in r.scores.items() if v is not None}
    out += [score_metric(k, title) for k, title in named.items() if k in valued]
    for k in keys:
        if k in known or k in named or k == "period":
            continue
        if any(isinstance(r.value(k), int | float) and not isinstance(r.value(k), bool) for r in rows):
            name = k.replace("_", " ").capitalize()
            out.append(Metric(k, name, name))
    return out


def axis_scale(values: list[float], metric: Metric) -> tuple[float, float, float]:
    """A chart's value axis: its bottom, top and step, from 0 (or below, for negative values)
    to the metric's fixed top, or to a round number above the highest value. The charts draw a
    little past both ends (:data:`AXIS_PAD`), so a point at 0 or at the top sits inside the
    plot, whole, not on its edge."""
    low = min(0.0, *values) if values else 0.0
    if metric.top is not None:
        high = float(metric.top)
        return low, high, _nice((high - low) / 5)
    high = max(0.0, max(values) * 1.1 if values else 1.0) or 1.0  # 0 inside, below values too
    step = _nice((high - low) / 5)
    if metric.digits == 0:
        step = max(step, 1.0)  # whole numbers: no steps between them
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


AXIS_PAD = 0.04  # of the axis's span, drawn below its bottom and above its top


def _nice(x: float) -> float:
    """The round step (1, 2, 2.5 or 5 times a power of ten) at or above ``x``."""
    power = 10 ** math.floor(math.log10(x))
    return next(n * power for n in (1, 2, 2.5, 5, 10) if x <= n * power * (1 + 1e-9))


def metric_named(key: str, metrics: list[Metric] | tuple[Metric, ...] = METRICS) -> Metric:
    """The metric of ``key``; ReviewerError naming the ones there are."""
    for m in metrics:
        if m.key == key:
            return m
    raise ReviewerError(f"No trend metric {key!r} (metrics: {', '.join(m.key for m in metrics)}).")


def table_lines(rows: list[TrendRow], group: str = "") -> list[str]:
    """``reviewer trends``'s table of ``rows``: the period (in dates), the calls, then each known
    metric of ``group`` (the calls' own figures, or "glance": the call at a glance), each in its
    column."""
    columns = sorted(
        (m for m in METRICS if m.group == group or m.key == "calls"), key=lambda m: m.key != "calls"
    )  # the count of calls first
    labels = [period_label(r.period) for r in rows]
    width = max([len("period"), *map(len, labels)])

    def line(first: str, cells: list[str]) -> str:
        return f"{first:<{width}}" + "".join(
            f" {text:>{m.width or len(m.heading)}}" for m, text in zip(columns, cells, strict=True)
        )

    return [line("period", [m.heading for m in columns])] + [
        line(label, [m.text(m.read(r)) for m in columns]) for r, label in zip(rows, labels, strict=True)
    ]


def score_lines(rows: list[TrendRow], named: dict[str, str]) -> list[str]:
    """``reviewer trends --items``: each section of the scorecard and, under it, each item (the
    ``named`` keys and titles, in the card's order), with its mean percent per period (the
    periods across, in dates)."""
    heads = [period_label(r.period) for r in rows]

    def short(title: str) -> str:
        return title if len(title) <= 56 else title[:55].rstrip() + "…"

    titles = {k: ("" if k.startswith("section:") else "  ") + short(t) for k, t in named.items()}
    width = max([len("section / item"), *(len(t) for t in titles.values())])
    widths = [max(len(h), 4) for h in heads]

    def line(first: str, cells: list[str]) -> str:
        return f"{first:<{width}}" + "".join(f"  {c:>{w}}" for c, w in zip(cells, widths, strict=True))

    def cell(v: float | None) -> str:
        return "–" if v is None else f"{v:.0f}%"

    return [line("section / item", heads)] + [
        line(title, [cell(r.scores.get(k)) for r in rows]) for k, title in titles.items()
    ]


def dates_chosen(since: date | None, until: date | None) -> str:
    """The range of recording days chosen, in words ("from 1 Mar 2026 to 15 Mar 2026", "from 1 Mar
    2026", "up to 15 Mar 2026"); empty for all of them."""
    if since and until:
        return f"from {day_label(since)} to {day_label(until)}"
    if since:
        return f"from {day_label(since)}"
    return f"up to {day_label(until)}" if until else ""


# -- the figures of a dashboard ---------------------------------------------------------------


@dataclass
class Trends:
    """What the dashboard shows for one choice of agent, period length and dates."""

    by: str
    agent: str | None
    team: dict[str, TrendRow]  # period -> the team's row
    mine: dict[str, TrendRow]  # period -> the agent's row (empty for the team's dashboard)
    periods: list[str]  # every period from the first call to the last, empty ones too; undated last
    team_calls: dict[str, list[int]] = field(default_factory=dict)
    agent_calls: dict[str, list[int]] = field(default_factory=dict)
    call_rows: dict[int, CallSummary] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)
    since: date | None = None  # the dates chosen (None: from the first call, to the last)
    until: date | None = None
    first_day: date | None = None  # the library's first and last recording days (any range)
    last_day: date | None = None

    @property
    def dated(self) -> list[str]:
        return [p for p in self.periods if p != "undated"]

    def calls(self, period: str, who: str) -> list[int]:
        return (self.agent_calls if who == "agent" else self.team_calls).get(period, [])

    def value(self, metric: Metric, period: str, who: str) -> float | None:
        """The metric as charted for the agent's or the team's row of ``period``."""
        return metric.shown(metric.read((self.mine if who == "agent" else self.team).get(period)))

    def runs(self, metric: Metric, who: str) -> list[list[tuple[int, float]]]:
        """The metric's line for the agent (``who`` "agent") or the team over the dated periods,
        as the dashboard and the trends PDF draw it: runs of (index in :attr:`dated`, value),
        broken where a period has no value (a gap in the line). Empty runs are left out."""
        runs: list[list[tuple[int, float]]] = [[]]
        for i, p in enumerate(self.dated):
            v = self.value(metric, p, who)
            if v is None:
                if runs[-1]:
                    runs.append([])
            else:
                runs[-1].append((i, v))
        return [r for r in runs if r]

    def cell(self, period: str, metric: Metric) -> str:
        """A cell of the periods table: the team's value, or on an agent's dashboard the agent's
        with the team's in brackets ("2.00 (1.67)", "– (1.00)" where the agent has no call)."""
        team = metric.text(metric.read(self.team.get(period)))
        if not self.agent:
            return team
        return f"{metric.text(metric.read(self.mine.get(period)))} ({team})"

    def table_metrics(self, charted: str) -> list[Metric]:
        """The periods table's columns: the metrics of the charted one's group (the calls' own
        figures, or the call at a glance's) with the count of calls, and of the scorecard's
        sections and items only the one charted (there are many)."""
        chosen = next((m for m in self.metrics if m.key == charted), None)
        group = chosen.group if chosen else ""
        return [
            m
            for m in self.metrics
            if m.key == charted or (not m.of_scorecard and (m.group == group or m.key == "calls"))
        ]

    def first_valued(self) -> Metric | None:
        """The first metric the team has a value of (the score, once calls are scored)."""
        valued = [m for m in self.metrics if any(m.read(r) is not None for r in self.team.values())]
        return next(iter(valued), None)

    def team_call_count(self) -> int:
        return sum(r.calls for r in self.team.values())

    def agent_call_count(self) -> int:
        return sum(r.calls for r in self.mine.values())

    def calls_in(self, period: str, who: str) -> int:
        row = (self.mine if who == "agent" else self.team).get(period)
        return row.calls if row else 0

    @property
    def span(self) -> str:
        """The periods charted, in dates: "2 Mar – 22 Mar 2026" (the first period's first day
        to the last period's last), "Mar – May 2026", or "undated"."""
        return periods_label(self.dated[0], self.dated[-1]) if self.dated else "undated"
