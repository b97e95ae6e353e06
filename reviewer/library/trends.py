"""Trends: the library's calls grouped by week or month, for an agent or the whole team, with
what a coach follows over time (refusals per call, agent talk share, long silences, tracked
phrases, QA scores)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

from reviewer.errors import ReviewerError
from reviewer.labels import day_label
from reviewer.model import CallSummary, TrendRow

PERIODS = ("week", "month")
# The requests the seeds' story is about: "asked to cancel (or close), left with it done".
LEAVING = ("cancel", "close")
# How a request may end (analysis.outcome; labels.OUTCOME_NAMES), as TrendRow's rates name them.
OUTCOME_RATES = ("done", "retained", "refused", "escalated", "unresolved", "withdrawn")


def period_of(stamp: str | None, by: str) -> str:
    """2026-W48 or 2026-11 for an ISO date-time; "undated" without one."""
    if not stamp:
        return "undated"
    when = datetime.fromisoformat(stamp)
    if by == "month":
        return f"{when.year}-{when.month:02d}"
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def in_range(stamp: str | None, since: date | None, until: date | None) -> bool:
    """Whether a call recorded at ``stamp`` falls in ``since``-``until`` (days, both included;
    either open where None). Without a range every call does; with one, an undated call doesn't."""
    if since is None and until is None:
        return True
    if not stamp:
        return False
    day = datetime.fromisoformat(stamp).date()
    return (since is None or day >= since) and (until is None or day <= until)


def check_range(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and until < since:
        raise ReviewerError(f"The range ends ({day_label(until)}) before it starts ({day_label(since)}).")


class TrendsMixin:
    def trends(
        self,
        *,
        agent: str | None = None,
        by: str = "week",
        since: date | None = None,
        until: date | None = None,
    ) -> list[TrendRow]:
        """One row per period (by the call's recording date), oldest first, of the calls
        recorded from ``since`` to ``until`` (days, both included; all where None): calls,
        refusals per call, mean agent talk share, mean longest silence (s), tracker hits per
        call, the default scorecard's mean score and pass rate (None where no call is
        scored), and the call at a glance: the customer's requests, the share of them that
        ended each way (a coach's corrections included) and of those to cancel or close that
        ended done, and the customer's mean sentiment change (None where there is none)."""
        if by not in PERIODS:
            raise ReviewerError(f"Group trends by week or month, not {by!r}.")
        check_range(since, until)
        rows = self.list_calls(order_by="recorded_at asc, id asc")
        if agent:
            theirs = set(self.select_calls(agent=agent))  # the library's one rule for "by this agent"
            rows = [r for r in rows if r.id in theirs]
            if not rows:
                known = ", ".join(self.agents()) or "none yet"
                raise ReviewerError(f"No calls by an agent named {agent!r} (agents: {known}).")
        rows = [r for r in rows if in_range(r.recorded_at, since, until)]
        hits = dict(self.db.execute("SELECT call_id, count(*) FROM tracker_hits GROUP BY call_id").fetchall())
        asked, moods = self._glance_figures()
        groups: dict[str, list[CallSummary]] = {}
        for r in rows:
            groups.setdefault(period_of(r.recorded_at, by), []).append(r)
        out = []
        for period, calls in groups.items():
            shares = [r.agent_talk_share for r in calls if r.agent_talk_share is not None]
            scored = [r for r in calls if r.score is not None]
            scores = [r.score for r in scored]
            out.append(
                TrendRow(
                    period=period,
                    calls=len(calls),
                    refusals_per_call=round(fmean(r.refusal_count or 0 for r in calls), 2),
                    agent_talk_share=round(fmean(shares), 3) if shares else None,
                    longest_silence=round(fmean((r.longest_silence_ms or 0) / 1000 for r in calls), 1),
                    tracker_hits_per_call=round(fmean(hits.get(r.id, 0) for r in calls), 2),
                    mean_score=round(fmean(scores), 1) if scores else None,
                    pass_rate=round(fmean(r.passed or 0 for r in scored), 3) if scored else None,
                    **_glance_row(
                        [a for r in calls for a in asked.get(r.id, [])],
                        [moods[r.id] for r in calls if r.id in moods],
                    ),
                )
            )
        return out

    def _glance_figures(self) -> tuple[dict[int, list[tuple[str, str]]], dict[int, float]]:
        """Every call's requests as (kind, outcome), and its customer's sentiment change (end
        minus start, where both are known), in two reads."""
        asked: dict[int, list[tuple[str, str]]] = {}
        for call_id, kind, outcome in self.db.execute(
            "SELECT call_id, kind, outcome FROM request_outcomes ORDER BY call_id, start_ms, id"
        ).fetchall():
            asked.setdefault(int(call_id), []).append((str(kind), str(outcome)))
        moods: dict[int, float] = {}
        for call_id, doc in self.db.execute(
            "SELECT id, glance_json FROM calls WHERE glance_json IS NOT NULL"
        ).fetchall():
            customer = (json.loads(doc).get("sentiment") or {}).get("customer") or {}
            if customer.get("start") is not None and customer.get("end") is not None:
                moods[int(call_id)] = customer["end"] - customer["start"]
        return asked, moods

    def trend_calls(self, period: str, *, agent: str | None = None, by: str = "week") -> list[int]:
        """The calls behind one row of :meth:`trends`: the ids of the team's (or the agent's)
        calls recorded in ``period``, oldest first; none for a period without calls."""
        return self.calls_by_period(agent=agent, by=by).get(period, [])

    def calls_by_period(
        self,
        *,
        agent: str | None = None,
        by: str = "week",
        since: date | None = None,
        until: date | None = None,
    ) -> dict[str, list[int]]:
        """Every period of :meth:`trends` with its calls' ids, oldest first (one pass, for the
        dashboard, which lists a period's calls on a click)."""
        if by not in PERIODS:
            raise ReviewerError(f"Group trends by week or month, not {by!r}.")
        rows = self.list_calls(order_by="recorded_at asc, id asc", brief=True)
        theirs = set(self.select_calls(agent=agent)) if agent else None
        out: dict[str, list[int]] = {}
        for r in rows:
            if (theirs is None or r.id in theirs) and in_range(r.recorded_at, since, until):
                out.setdefault(period_of(r.recorded_at, by), []).append(int(r.id))
        return out

    def card_answers(self, card: str) -> dict[int, tuple[int, list[tuple[str, str, str | None]]]]:
        """Every scored call's answers to ``card`` in one read, for trends by item and section:
        call id -> (the version it is scored with, [(item id, grader, value)] oldest first)."""
        versions = {
            int(c): int(v)
            for c, v in self.db.execute(
                "SELECT call_id, version FROM call_scores WHERE card = ?", [card]
            ).fetchall()
        }
        out: dict[int, tuple[int, list[tuple[str, str, str | None]]]] = {
            c: (v, []) for c, v in versions.items()
        }
        for call_id, version, item_id, grader, value in self.db.execute(
            "SELECT call_id, version, item_id, grader, value FROM score_answers WHERE card = ? "
            "ORDER BY created_at, id",
            [card],
        ).fetchall():
            if versions.get(int(call_id)) == int(version):
                out[int(call_id)][1].append((str(item_id), str(grader), value))
        return out


def _glance_row(asked: list[tuple[str, str]], moods: list[float]) -> dict[str, Any]:
    """TrendRow's figures of the call at a glance from a period's requests (kind, outcome) and
    its calls' customer sentiment changes."""
    outcomes = [o for _, o in asked]
    leaving = [o for k, o in asked if k in LEAVING]
    out: dict[str, Any] = {"requests": len(asked)}
    for name in OUTCOME_RATES:
        out[f"{name}_rate"] = round(outcomes.count(name) / len(outcomes), 3) if outcomes else None
    out["cancel_done_rate"] = round(leaving.count("done") / len(leaving), 3) if leaving else None
    out["mean_sentiment_change"] = round(fmean(moods), 3) if moods else None
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
