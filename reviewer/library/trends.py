"""Trends: the library's calls grouped by week or month, for an agent or the whole team, with
what a coach follows over time (refusals per call, agent talk share, long silences, tracked
phrases, QA scores)."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from reviewer.errors import ReviewerError
from reviewer.model import CallSummary

PERIODS = ("week", "month")


def period_of(stamp: str | None, by: str) -> str:
    """2026-W48 or 2026-11 for an ISO date-time; "undated" without one."""
    if not stamp:
        return "undated"
    when = datetime.fromisoformat(stamp)
    if by == "month":
        return f"{when.year}-{when.month:02d}"
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


class TrendsMixin:
    def trends(self, *, agent: str | None = None, by: str = "week") -> list[dict[str, Any]]:
        """One row per period (by the call's recording date), oldest first: calls, refusals per
        call, mean agent talk share, mean longest silence (s), tracker hits per call, and the
        default scorecard's mean score and pass rate (None where no call is scored)."""
        if by not in PERIODS:
            raise ReviewerError(f"Group trends by week or month, not {by!r}.")
        rows = self.list_calls(order_by="recorded_at asc, id asc")
        if agent:
            theirs = set(self.select_calls(agent=agent))  # the library's one rule for "by this agent"
            rows = [r for r in rows if r.id in theirs]
            if not rows:
                known = ", ".join(self.agents()) or "none yet"
                raise ReviewerError(f"No calls by an agent named {agent!r} (agents: {known}).")
        hits = dict(self.db.execute("SELECT call_id, count(*) FROM tracker_hits GROUP BY call_id").fetchall())
        groups: dict[str, list[CallSummary]] = {}
        for r in rows:
            groups.setdefault(period_of(r.recorded_at, by), []).append(r)
        out = []
        for period, calls in groups.items():
            shares = [r.agent_talk_share for r in calls if r.agent_talk_share is not None]
            scored = [r for r in calls if r.score is not None]
            scores = [r.score for r in scored]
            out.append(
                {
                    "period": period,
                    "calls": len(calls),
                    "refusals_per_call": round(fmean(r.refusal_count or 0 for r in calls), 2),
                    "agent_talk_share": round(fmean(shares), 3) if shares else None,
                    "longest_silence": round(fmean((r.longest_silence_ms or 0) / 1000 for r in calls), 1),
                    "tracker_hits_per_call": round(fmean(hits.get(r.id, 0) for r in calls), 2),
                    "mean_score": round(fmean(scores), 1) if scores else None,
                    "pass_rate": round(fmean(r.passed or 0 for r in scored), 3) if scored else None,
                }
            )
        return out

    def trend_calls(self, period: str, *, agent: str | None = None, by: str = "week") -> list[int]:
        """The calls behind one row of :meth:`trends`: the ids of the team's (or the agent's)
        calls recorded in ``period``, oldest first; none for a period without calls."""
        return self.calls_by_period(agent=agent, by=by).get(period, [])

    def calls_by_period(self, *, agent: str | None = None, by: str = "week") -> dict[str, list[int]]:
        """Every period of :meth:`trends` with its calls' ids, oldest first (one pass, for the
        dashboard, which lists a period's calls on a click)."""
        if by not in PERIODS:
            raise ReviewerError(f"Group trends by week or month, not {by!r}.")
        rows = self.list_calls(order_by="recorded_at asc, id asc", brief=True)
        theirs = set(self.select_calls(agent=agent)) if agent else None
        out: dict[str, list[int]] = {}
        for r in rows:
            if theirs is None or r.id in theirs:
                out.setdefault(period_of(r.recorded_at, by), []).append(int(r.id))
        return out


def period_span(periods: list[str], by: str) -> list[str]:
    """Every period from the first to the last of ``periods`` (as :func:`period_of` names them),
    the empty ones included, so a chart's axis keeps time evenly; "undated" is left out."""
    dated = sorted(p for p in periods if p != "undated")
    if not dated:
        return []
    first, last = _start_of(dated[0], by), _start_of(dated[-1], by)
    out, when = [], first
    while when <= last:
        out.append(period_of(when.isoformat(), by))
        if by == "month":
            when = when.replace(year=when.year + when.month // 12, month=when.month % 12 + 1)
        else:
            when += timedelta(days=7)
    return out


def _start_of(period: str, by: str) -> datetime:
    if by == "month":
        year, month = period.split("-")
        return datetime(int(year), int(month), 1)
    year, week = period.split("-W")
    return datetime.fromisocalendar(int(year), int(week), 1)
