"""The trends of a library, as the dashboard and ``reviewer trends`` show them: each period's
figures for the team or one agent over a chosen range of dates, the default scorecard's sections
and items among them (:func:`trend_rows`), the team's and an agent's together
(:func:`load_trends`), and their PDF (:func:`library_trends_pdf`, for ``reviewer trends --pdf
FILE``). No Qt: the app and the command line both call it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from statistics import fmean

from reviewer import actions
from reviewer.errors import ReviewerError
from reviewer.library.store import Library
from reviewer.library.trends import period_of, period_span
from reviewer.model import TrendRow
from reviewer.report.trend_figures import Trends, available_metrics, metric_named
from reviewer.report.trends import trends_pdf


def score_names(library: Library) -> dict[str, str]:
    """The default scorecard's sections and items, "section:ID" and "item:ID", with their titles
    (each section, then its items), in the card's order; empty without a scorecard."""
    name = library.default_card()
    if name is None:
        return {}
    card = actions.scores.scorecard(library, name)
    out: dict[str, str] = {}
    for section in card.sections:
        out[f"section:{section.id}"] = section.title
        for item in section.items:
            out[f"item:{item.id}"] = item.text
    return out


def trend_rows(
    library: Library,
    *,
    agent: str | None = None,
    by: str = "week",
    since: date | None = None,
    until: date | None = None,
    percents: dict[int, dict[str, float | None]] | None = None,
    calls: dict[str, list[int]] | None = None,
) -> list[TrendRow]:
    """``Library.trends`` with each period's mean percent of every section and item of the
    default scorecard (``percents``: the calls' own, and ``calls``: each period's calls, where
    already read)."""
    rows = library.trends(agent=agent, by=by, since=since, until=until)
    if percents is None:
        percents = actions.scores.item_percents(library)[1]
    if not percents:
        return rows
    if calls is None:
        calls = library.calls_by_period(agent=agent, by=by, since=since, until=until)
    keys = list(dict.fromkeys(k for values in percents.values() for k in values))
    out = []
    for row in rows:
        theirs = [percents[c] for c in calls.get(row.period, []) if c in percents]
        scores = {}
        for k in keys:
            values = [v for p in theirs if (v := p.get(k)) is not None]
            scores[k] = round(fmean(values), 1) if values else None
        out.append(replace(row, scores=scores))
    return out


def load_trends(
    library: Library, agent: str | None, by: str, since: date | None = None, until: date | None = None
) -> Trends:
    """The team's rows and calls per period and, for an agent, theirs, recorded from ``since``
    to ``until`` (all where None)."""
    percents = actions.scores.item_percents(library)[1]
    team_calls = library.calls_by_period(by=by, since=since, until=until)
    agent_calls = library.calls_by_period(agent=agent, by=by, since=since, until=until) if agent else {}
    team_rows = trend_rows(library, by=by, since=since, until=until, percents=percents, calls=team_calls)
    mine_rows = (
        trend_rows(
            library, agent=agent, by=by, since=since, until=until, percents=percents, calls=agent_calls
        )
        if agent
        else []
    )
    call_rows = {r.id: r for r in library.list_calls(brief=True)}
    days = sorted(datetime.fromisoformat(r.recorded_at).date() for r in call_rows.values() if r.recorded_at)
    # The axis runs over the dates chosen, empty weeks at either end too.
    ends = [period_of(d.isoformat(), by) for d in (since, until) if d is not None and team_rows]
    periods = period_span([r.period for r in team_rows] + ends, by)
    if any(r.period == "undated" for r in team_rows):
        periods.append("undated")
    return Trends(
        by=by,
        agent=agent,
        team={r.period: r for r in team_rows},
        mine={r.period: r for r in mine_rows},
        periods=periods,
        team_calls=team_calls,
        agent_calls=agent_calls,
        call_rows=call_rows,
        metrics=available_metrics(team_rows + mine_rows, score_names(library)),
        since=since,
        until=until,
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
    )


def library_trends_pdf(
    library: Library,
    *,
    agent: str | None = None,
    by: str = "week",
    metric: str = "",
    since: date | None = None,
    until: date | None = None,
) -> bytes:
    """The trends PDF of ``agent`` against the team (the team alone where None) by week or month,
    over ``since``-``until`` (all dates where None), charting the metric of key ``metric``
    (where empty, the first the team has a value of: the score, once calls are scored), as the
    dashboard's Export PDF draws it. ReviewerError for an unknown agent or metric, or no calls."""
    t = load_trends(library, agent, by, since, until)
    if not t.team:
        if since or until:
            raise ReviewerError("No calls were recorded in those dates.")
        raise ReviewerError("No calls yet: import calls to see their trends.")
    chosen = metric_named(metric, t.metrics) if metric else t.first_valued() or t.metrics[0]
    return trends_pdf(t, chosen, agent or "Team")
