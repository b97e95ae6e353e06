"""The figures of trends as the dashboard, its PDF and ``reviewer trends`` show them: the metrics
a period row of ``Library.trends`` carries (one registry: each metric's key, its names in the
dashboard and in the command's table, its unit and format), and :class:`Trends`, the team's and
one agent's rows per period with the calls behind them (made by :func:`reviewer.trends.load_trends`).
No Qt and no library: the app, the command line and the reports read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewer.errors import ReviewerError
from reviewer.model import CallSummary

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

    def read(self, row: Mapping[str, Any] | None) -> Any:  # noqa: ANN401 - a number or None
        """The metric's value in a period row (None for a period without one, or without calls)."""
        return None if row is None else row.get(self.key)

    def text(self, value: Any) -> str:  # noqa: ANN401 - a number or None
        if value is None:
            return "–"
        return f"{value * self.scale:.{self.digits}f}{self.unit}"

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
    Metric("calls", "Calls", "Calls", "calls", digits=0),
)


def available_metrics(rows: list[dict[str, Any]]) -> list[Metric]:
    """The metrics the rows carry: the known ones in METRICS's order (scores first, once the
    library gives them), then any other number the library adds, named from its key."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    known = {m.key: m for m in METRICS}
    out = [m for m in METRICS if m.key in keys]
    for k in keys:
        if k in known or k == "period":
            continue
        if any(isinstance(r.get(k), int | float) and not isinstance(r.get(k), bool) for r in rows):
            name = k.replace("_", " ").capitalize()
            out.append(Metric(k, name, name))
    return out


def metric_named(key: str, metrics: list[Metric] | tuple[Metric, ...] = METRICS) -> Metric:
    """The metric of ``key``; ReviewerError naming the ones there are."""
    for m in metrics:
        if m.key == key:
            return m
    raise ReviewerError(f"No trend metric {key!r} (metrics: {', '.join(m.key for m in metrics)}).")


def table_lines(rows: list[dict[str, Any]]) -> list[str]:
    """``reviewer trends``'s table of ``rows``: the period, the calls, then each known metric,
    each in its column."""
    columns = sorted(METRICS, key=lambda m: m.key != "calls")  # the count of calls first

    def line(first: str, cells: list[str]) -> str:
        return f"{first:<10}" + "".join(
            f" {text:>{m.width or len(m.heading)}}" for m, text in zip(columns, cells, strict=True)
        )

    return [line("period", [m.heading for m in columns])] + [
        line(r["period"], [m.text(m.read(r)) for m in columns]) for r in rows
    ]


# -- the figures of a dashboard ---------------------------------------------------------------


def period_name(period: str, by: str) -> str:
    return f"week {period}" if by == "week" and period != "undated" else period


@dataclass
class Trends:
    """What the dashboard shows for one choice of agent and period length."""

    by: str
    agent: str | None
    team: dict[str, dict[str, Any]]  # period -> the team's row
    mine: dict[str, dict[str, Any]]  # period -> the agent's row (empty for the team's dashboard)
    periods: list[str]  # every period from the first call to the last, empty ones too; undated last
    team_calls: dict[str, list[int]] = field(default_factory=dict)
    agent_calls: dict[str, list[int]] = field(default_factory=dict)
    call_rows: dict[int, CallSummary] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)

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

    def first_valued(self) -> Metric | None:
        """The first metric the team has a value of (the score, once calls are scored)."""
        valued = [m for m in self.metrics if any(m.read(r) is not None for r in self.team.values())]
        return next(iter(valued), None)

    def team_call_count(self) -> int:
        return sum(r["calls"] for r in self.team.values())

    def agent_call_count(self) -> int:
        return sum(r["calls"] for r in self.mine.values())
