"""The trends of a library, as the dashboard and ``reviewer trends`` show them: the team's figures
per period and one agent's (:func:`load_trends`), and their PDF (:func:`library_trends_pdf`, for
``reviewer trends --pdf FILE``). No Qt: the app and the command line both call it."""

from __future__ import annotations

from reviewer.errors import ReviewerError
from reviewer.library.store import Library
from reviewer.library.trends import period_span
from reviewer.report.trend_figures import Trends, available_metrics, metric_named
from reviewer.report.trends import trends_pdf


def load_trends(library: Library, agent: str | None, by: str) -> Trends:
    """The team's rows and calls per period and, for an agent, theirs."""
    team_rows = library.trends(by=by)
    mine_rows = library.trends(agent=agent, by=by) if agent else []
    periods = period_span([r["period"] for r in team_rows], by)
    if any(r["period"] == "undated" for r in team_rows):
        periods.append("undated")
    return Trends(
        by=by,
        agent=agent,
        team={r["period"]: r for r in team_rows},
        mine={r["period"]: r for r in mine_rows},
        periods=periods,
        team_calls=library.calls_by_period(by=by),
        agent_calls=library.calls_by_period(agent=agent, by=by) if agent else {},
        call_rows={r.id: r for r in library.list_calls(brief=True)},
        metrics=available_metrics(team_rows + mine_rows),
    )


def library_trends_pdf(
    library: Library, *, agent: str | None = None, by: str = "week", metric: str = ""
) -> bytes:
    """The trends PDF of ``agent`` against the team (the team alone where None) by week or month,
    charting the metric of key ``metric`` (where empty, the first the team has a value of: the
    score, once calls are scored), as the dashboard's Export PDF draws it. ReviewerError for an
    unknown agent or metric, or a library without calls."""
    t = load_trends(library, agent, by)
    if not t.periods:
        raise ReviewerError("No calls yet: import calls to see their trends.")
    chosen = metric_named(metric, t.metrics) if metric else t.first_valued() or t.metrics[0]
    return trends_pdf(t, chosen, agent or "Team")
