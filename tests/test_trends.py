"""Trends without Qt, as ``reviewer trends`` and the dashboard read them: the library's figures per
period with the calls behind each row, the metrics (one registry for the dashboard and the
command's table), an agent's values against the team's, the trends PDF (fpdf2) and CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

# Three ISO weeks of 2026: W10 (2 March), W11, W12. Maria is away in W11.
CALLS = [
    # name, agent, recorded at, refusals
    ("maria-1.wav", "Maria", "2026-03-02T09:00:00+00:00", 1),
    ("maria-2.wav", "Maria", "2026-03-04T11:00:00+00:00", 3),
    ("sam-1.wav", "Sam", "2026-03-03T10:00:00+00:00", 1),
    ("sam-2.wav", "Sam", "2026-03-10T10:00:00+00:00", 0),
    ("sam-3.wav", "Sam", "2026-03-12T14:00:00+00:00", 2),
    ("maria-3.wav", "Maria", "2026-03-17T09:30:00+00:00", 0),
    ("sam-4.wav", "Sam", "2026-03-18T16:00:00+00:00", 2),
]


def build_library(location: Path | str, folder: Path, settings) -> dict[str, int]:
    """A library of short two-channel calls by Maria and Sam over three weeks (transcripts made
    up and analysed by the real analysis; the audio files, said to be in ``folder``, are not
    needed for trends)."""
    from reviewer.actions.calls import store_derived
    from reviewer.analysis import analyse_transcript
    from reviewer.library import open_library
    from reviewer.library.store import ms, now
    from reviewer.model import Speaker, Transcript, Word

    lines = [
        ("S1", "thank you for calling Northwind Cable how can I help"),
        ("S2", "I would like to cancel my internet please"),
        ("S1", "I can help with that let me pull up the account"),
        ("S2", "thanks"),
    ]
    ids = {}
    with open_library(location) as library, library.write() as db:
        for n, (name, agent, when, refusals) in enumerate(CALLS):
            words, t = [], 0.5
            for speaker, text in lines:
                for w in text.split():
                    words.append(Word(t, t + 0.3, w, speaker, 0.95))
                    t += 0.35
                t += 0.8 + n * 0.1
            speakers = [Speaker("S1", "agent", agent, 0), Speaker("S2", "customer", "", 1)]
            transcript, analysis = analyse_transcript(
                Transcript(t + 1, 2, "channels", speakers, words, []), settings
            )
            row = {
                "content_hash": f"{n:064x}",
                "name": name,
                "path": str(folder / name),
                "size": 1000,
                "recorded_at": when,
                "imported_at": now(),
                "duration_ms": ms(transcript.duration),
                "channels": 2,
                "source_channels": 2,
                "source_rate": 16000,
                "dual_mono": 0,
                "speaker_split": "channels",
                "language": "en",
                "model": "test",
                "review_status": "new",
            }
            call_id = library.insert_call(row, transcript)
            store_derived(library, call_id, transcript, analysis)
            # The refusals the analysis counted, set outright so the figures are known here.
            db.execute("UPDATE calls SET refusal_count = ? WHERE id = ?", [refusals, call_id])
            ids[name] = call_id
    return ids


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )


@pytest.fixture()
def trends_library(tmp_path, settings, library_location):
    location = library_location("trends")
    return location, build_library(location, tmp_path, settings)


def test_trend_calls_are_the_calls_behind_each_row(tmp_path, settings, library_location):
    from reviewer.library import open_library
    from reviewer.library.trends import period_span

    path = library_location("core")
    ids = build_library(path, tmp_path, settings)
    with open_library(path) as library:
        for agent in (None, "Maria", "maria"):
            for r in library.trends(agent=agent):
                assert len(library.trend_calls(r.period, agent=agent)) == r.calls
        assert library.trend_calls("2026-W10", agent="Maria") == [ids["maria-1.wav"], ids["maria-2.wav"]]
        oldest_first = [ids[name] for name, *_ in sorted(CALLS, key=lambda c: c[2])]
        assert library.trend_calls("2026-03", by="month") == oldest_first
        assert library.trend_calls("2026-W11", agent="Maria") == []
    assert period_span(["2025-W52", "2026-W02", "undated"], "week") == ["2025-W52", "2026-W01", "2026-W02"]
    assert period_span(["2025-11", "2026-01"], "month") == ["2025-11", "2025-12", "2026-01"]
    assert period_span(["undated"], "week") == []


def test_reviewer_trends_writes_csv_for_the_agent_and_the_team(tmp_path, settings, library_location):
    path = library_location("cli")
    build_library(path, tmp_path, settings)
    out = tmp_path / "maria trends.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            "--library",
            str(path),
            "trends",
            "--agent",
            "Maria",
            "--csv",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "5 rows (the team and Maria)" in proc.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(r["group"], r["period"]) for r in rows][-2:] == [("agent", "2026-W10"), ("agent", "2026-W12")]
    assert set(rows[0]) >= {
        "refusals_per_call",
        "agent_talk_share",
        "longest_silence",
        "tracker_hits_per_call",
    }


def test_the_figures_put_an_agent_against_the_team_period_by_period(trends_library):
    from reviewer.labels import period_label
    from reviewer.library import open_library
    from reviewer.report.trend_figures import metric_named
    from reviewer.trends import load_trends

    location, ids = trends_library
    with open_library(location) as library:
        t = load_trends(library, "Maria", "week")
    assert t.periods == t.dated == ["2026-W10", "2026-W11", "2026-W12"]
    assert [m.label for m in t.metrics][:16] == [
        "Mean score",
        "Pass rate",
        "Refusals per call",
        "Agent talk share",
        "Longest silence (mean per call)",
        "Tracked phrases per call",
        # The call at a glance: how the customer's requests ended, their mood.
        "Requests done",
        "Requests retained (took an offer)",
        "Requests refused",
        "Requests escalated",
        "Requests left unresolved",
        "Requests withdrawn",
        "Asked to cancel or close, left with it done",
        "Customer sentiment change (mean, end − start)",
        "Customer requests",
        "Calls",
    ]
    # Then the default scorecard's sections, each followed by its items (those with a value).
    sections_and_items = [m.label for m in t.metrics[16:]]
    assert sections_and_items[0] == "Section: Make leaving easy"
    assert sections_and_items[1].startswith("Item: No push-back after the customer asks to leave")
    assert sections_and_items[2] == "Section: Listen"
    assert t.first_valued().key == "mean_score"  # every call is scored on the default card
    refusals = metric_named("refusals_per_call", t.metrics)
    assert [t.value(refusals, p, "team") for p in t.periods] == [1.67, 1.0, 1.0]
    assert [t.value(refusals, p, "agent") for p in t.periods] == [2.0, None, 0.0]  # a gap, not a zero
    assert [t.cell(p, refusals) for p in t.periods] == ["2.00 (1.67)", "– (1.00)", "0.00 (1.00)"]
    assert t.cell("2026-W10", metric_named("calls")) == "2 (3)"
    assert t.cell("2026-W10", metric_named("agent_talk_share")).endswith("%)")
    assert (t.team_call_count(), t.agent_call_count()) == (7, 3)
    assert t.calls("2026-W10", "agent") == [ids["maria-1.wav"], ids["maria-2.wav"]]
    assert period_label("2026-W10") == "2 – 8 Mar 2026" and period_label("2026-03") == "Mar 2026"
    assert period_label("2026-W49") == "30 Nov – 6 Dec 2026"
    assert period_label("2026-W01") == "29 Dec 2025 – 4 Jan 2026" and period_label("undated") == "Undated"
    assert t.span == "2 Mar – 22 Mar 2026"
    with pytest.raises(Exception, match=r"No trend metric 'talk' \(metrics: mean_score, pass_rate, "):
        metric_named("talk")


def test_the_metrics_registry_gives_reviewer_trends_its_table(trends_library):
    """``reviewer trends`` prints the table the registry lays out, byte for byte."""
    from reviewer.library import open_library
    from reviewer.report.trend_figures import table_lines

    location, _ = trends_library
    with open_library(location) as library:
        rows = library.trends(agent="Maria")
    lines = table_lines(rows)
    assert lines[0] == (
        "period           calls  score passed refusals/call agent share longest silence tracked/call"
    )
    assert lines[1].split() == [
        "2",
        "–",
        "8",
        "Mar",
        "2026",
        "2",
        "83",
        "100%",
        "2.00",
        "70%",
        "0.9",
        "s",
        "0.00",
    ]
    proc = cli("--library", str(location), "trends", "--agent", "Maria")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[: len(lines) + 1] == ["Trends for agent Maria, by week", *lines]
    assert out[len(lines) + 1] == "" and out[len(lines) + 2].startswith("The call at a glance: ")
    assert out[len(lines) + 3 :] == table_lines(rows, "glance")


def test_the_trends_pdf_has_the_title_the_chart_of_the_metric_and_every_period(trends_library):
    from reviewer.library import open_library
    from reviewer.trends import library_trends_pdf

    location, _ = trends_library
    with open_library(location) as library:
        data = library_trends_pdf(library, agent="Maria", by="week", metric="refusals_per_call")
        team = library_trends_pdf(library, by="month")  # the first metric with a value: the score
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    text = " ".join(page.extract_text().split())
    assert text.startswith(
        "Trends: Maria against the team By week, 2 Mar – 22 Mar 2026: 3 calls by Maria, 7 by the team."
    )
    # The chart: its title, legend, axes and their ticks.
    assert "Refusals per call — Maria against the team, by week" in text
    assert "Team Maria" in text and "Refusals / call" in text
    assert "Week of the recording (Monday to Sunday)" in text and "9 – 15 Mar 2026" in text
    for tick in ("0.0", "0.5", "1.0", "1.5", "2.0", "2.5"):
        assert tick in text
    # Its lines: the team's grey and dashed, Maria's blue.
    drawn = page.get_contents().get_data().decode("latin-1")
    assert "0.4196 0.4196 0.4196 RG" in drawn  # the team's grey line
    assert "0.1843 0.4353 0.702 rg" in drawn  # Maria's blue points
    assert "[4.535 2.835] 0.000 d" in drawn  # the team's dashes
    # The table: every period, Maria's value with the team's in brackets, the metric charted marked.
    assert "Period Score Pass rate ▸ Refusals / call Agent talk" in text
    assert "2 – 8 Mar 2026 83 (83) 100% (100%) 2.00 (1.67)" in text
    assert "9 – 15 Mar 2026 – (83) – (100%) – (1.00)" in text
    assert "Item:" not in text and "Listen" not in text  # a section or item only when charted
    assert "1 (2)" in text and "page 1 of 1" in text
    team_text = " ".join(PdfReader(io.BytesIO(team)).pages[0].extract_text().split())
    assert "Trends: The team" in team_text and "Mean score — the team, by month" in team_text
    assert "Mar 2026 83 100%" in team_text and "By month, Mar 2026: 7 calls by the team." in team_text


def row(period: str, calls: int, refusals: float):
    """A period's row with its calls and refusals per call (the other figures as none or 0)."""
    from reviewer.model import TrendRow

    return TrendRow(period, calls, refusals, None, 0.0, 0.0, None, None)


def test_a_long_span_goes_on_pages_of_its_own_with_the_header_repeated():
    from reviewer.library.trends import period_span
    from reviewer.report.trend_figures import METRICS, Trends, metric_named
    from reviewer.report.trends import trends_pdf

    weeks = period_span(["2025-W01", "2026-W10"], "week")
    team = {p: row(p, 10 + n % 7, n % 3 / 2) for n, p in enumerate(weeks)}
    t = Trends("week", None, team, {}, weeks, metrics=list(METRICS[2:3] + METRICS[6:]))
    reader = PdfReader(io.BytesIO(trends_pdf(t, metric_named("calls"), "Team")))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) == 3
    assert "Trends: The team, by week (continued) Period Refusals / call ▸ Calls" in pages[1]
    assert all(f"page {n} of 3" in text for n, text in enumerate(pages, 1))
    assert "30 Dec 2024 – 5 Jan 2025 0.00 10" in pages[0] and "2 – 8 Mar 2026 " in pages[2]


def test_a_line_breaks_where_a_period_has_no_value_on_the_dashboard_and_in_the_pdf():
    """One home for the runs both charts draw: the agent is away in W11 and W13 (no row), the
    team in none; the undated period is never on the line."""
    from reviewer.report.trend_figures import Trends, metric_named

    weeks = ["2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14", "undated"]
    team = {p: row(p, 2, 0.5) for p in weeks}
    mine = {p: row(p, 1, 1.0) for p in ("2026-W10", "2026-W12", "2026-W14")}
    mine["undated"] = row("undated", 1, 3.0)
    t = Trends("week", "Maria", team, mine, weeks)
    metric = metric_named("refusals_per_call")
    assert t.runs(metric, "agent") == [[(0, 1.0)], [(2, 1.0)], [(4, 1.0)]]
    assert t.runs(metric, "team") == [[(0, 0.5), (1, 0.5), (2, 0.5), (3, 0.5), (4, 0.5)]]
    assert Trends("week", None, {}, {}, []).runs(metric, "team") == []


def test_the_trends_core_needs_no_qt():
    code = (
        "import sys, reviewer.trends, reviewer.report.trends, reviewer.report.trend_figures; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_reviewer_trends_writes_the_dashboard_page_as_a_pdf(trends_library, tmp_path):
    """`reviewer trends --pdf` writes the page the dashboard's Export PDF writes, charting --metric."""
    location, _ = trends_library
    out = tmp_path / "maria.pdf"
    proc = cli(
        "--library", str(location), "trends", "--agent", "Maria", "--pdf", str(out), "--metric", "pass_rate"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"Wrote {out} (agent Maria, by week).\n"
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert text.startswith("Trends: Maria against the team") and "Pass rate — Maria against the team" in text
    wrong = cli("--library", str(location), "trends", "--pdf", str(tmp_path / "x.pdf"), "--metric", "talk")
    assert wrong.returncode != 0 and "No trend metric 'talk'" in wrong.stderr
    assert not (tmp_path / "x.pdf").exists()
    alone = cli("--library", str(location), "trends", "--metric", "pass_rate")
    assert alone.returncode != 0 and "give --pdf FILE too" in alone.stderr


def test_reviewer_trends_from_to_keeps_the_calls_recorded_in_those_days(trends_library):
    location, _ = trends_library
    proc = cli(
        "--library", str(location), "trends", "--agent", "Sam", "--from", "2026-03-03", "--to", "2026-03-12"
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Trends for agent Sam, by week, from 3 Mar 2026 to 12 Mar 2026"
    assert [line.split()[:6] for line in lines[2:4]] == [
        ["2", "–", "8", "Mar", "2026", "1"],
        ["9", "–", "15", "Mar", "2026", "2"],
    ]
    rows = json.loads(cli("--library", str(location), "trends", "--json", "--from", "2026-03-09").stdout)
    assert [(r["period"], r["dates"], r["calls"]) for r in rows] == [
        ("2026-W11", "9 – 15 Mar 2026", 2),
        ("2026-W12", "16 – 22 Mar 2026", 2),
    ]
    month = cli("--library", str(location), "trends", "--by", "month", "--to", "2026-03-04")
    assert month.stdout.splitlines()[2].split()[:3] == ["Mar", "2026", "3"]  # 2, 3 and 4 March
    wrong = cli("--library", str(location), "trends", "--from", "2026-03-13", "--to", "2026-03-12")
    assert (
        wrong.returncode == 1
        and "The range ends (12 Mar 2026) before it starts (13 Mar 2026)" in wrong.stderr
    )
    bad = cli("--library", str(location), "trends", "--from", "March")
    assert bad.returncode == 2 and "'March' is not a day (use 2026-03-01)" in bad.stderr
    none = cli("--library", str(location), "trends", "--from", "2027-01-01")
    assert none.returncode == 0 and none.stdout == "No calls by the team, from 1 Jan 2027.\n"


def test_reviewer_trends_items_follows_each_section_and_item_of_the_scorecard(trends_library, tmp_path):
    from reviewer import actions
    from reviewer.library import open_library

    location, ids = trends_library
    with open_library(location) as library:  # a coach answers "Acknowledged the customer's situation"
        actions.scores.answer_item(library, ids["maria-1.wav"], "empathy", "5", grader="Dana")
        actions.scores.answer_item(library, ids["maria-2.wav"], "empathy", "3", grader="Dana")
    proc = cli("--library", str(location), "trends", "--items", "--agent", "Maria")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        "Scorecard trends for agent Maria, by week: each section's and item's mean % of its points"
    )
    assert lines[1].split()[-10:] == ["2", "–", "8", "Mar", "2026", "16", "–", "22", "Mar", "2026"]
    table = {
        line.split("  ")[0].strip() or line.split("  ")[1].strip(): line.split()[-2:] for line in lines[2:]
    }
    assert table["Acknowledged the customer's situation"] == ["75%", "–"]
    assert table["The agent leaves the customer room to talk (agent talk…"] == ["0%", "0%"]
    # A section: the mean of what each call's own score gives it (the review's Score tab).
    with open_library(location) as library:
        listen = [
            next(x.percent for x in actions.scores.score(library, ids[name]).sections if x.title == "Listen")
            for name in ("maria-1.wav", "maria-2.wav", "maria-3.wav")
        ]
    w10 = round((listen[0] + listen[1]) / 2, 1)
    assert listen[0] != listen[1] and table["Listen"] == [f"{w10:.0f}%", f"{listen[2]:.0f}%"]
    rows = json.loads(cli("--library", str(location), "trends", "--json", "--agent", "Maria").stdout)
    assert [(r["item:empathy"], r["section:listen"]) for r in rows] == [(75.0, w10), (None, listen[2])]
    out = tmp_path / "empathy.pdf"
    pdf = cli("--library", str(location), "trends", "--pdf", str(out), "--metric", "item:empathy")
    assert pdf.returncode == 0, pdf.stderr
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "Item: Acknowledged the customer's situation — the team, by week" in text
    assert (
        "Calls ▸ Acknowledged the customer's…" in text
        and "2 – 8 Mar 2026 84 100% 1.67 70% 1.0 s 0.00 3 75%" in text
    )


def test_reviewer_trends_follows_how_requests_ended_and_the_customers_mood(
    trends_library, tmp_path, settings
):
    """The call at a glance over time: each period's requests, the share that ended each way (a
    coach's corrections included), "asked to cancel, left with it done", the mood's mean change."""
    from reviewer import actions
    from reviewer.library import open_library

    location, ids = trends_library
    ended = {"maria-1.wav": "done", "maria-2.wav": "retained", "sam-1.wav": "done", "sam-2.wav": "refused"}
    with open_library(location) as library:  # every call asks to cancel; the analysis left each unresolved
        for name, outcome in ended.items():
            (asked,) = library.load_call(ids[name]).outcomes
            actions.corrections.correct_glance(library, ids[name], asked.start, outcome, settings=settings)
        moods = []
        for call_id in ids.values():
            customer = library.load_call(call_id).sentiment.customer
            moods.append(customer.end - customer.start)
    mood = round(sum(moods) / len(moods), 3)

    rows = json.loads(cli("--library", str(location), "trends", "--agent", "Maria", "--json").stdout)
    assert [
        (r["period"], r["requests"], r["done_rate"], r["retained_rate"], r["cancel_done_rate"]) for r in rows
    ] == [
        ("2026-W10", 2, 0.5, 0.5, 0.5),
        ("2026-W12", 1, 0.0, 0.0, 0.0),
    ]
    assert rows[1]["unresolved_rate"] == 1.0 and rows[0]["refused_rate"] == 0.0
    assert rows[0]["mean_sentiment_change"] == pytest.approx(mood, abs=0.002)

    text = cli("--library", str(location), "trends").stdout.splitlines()
    glance = text[text.index("") + 2 :]
    assert glance[0].split() == [
        "period", "calls", "done", "retained", "refused", "escalated", "unresolved", "withdrawn",
        "cancel", "done", "mood", "change", "requests",
    ]  # fmt: skip
    shown = f"{mood:+.2f}"
    cells = [line.split()[5:] for line in glance[1:]]  # after the period's dates
    assert cells == [
        ["3", "67%", "33%", "0%", "0%", "0%", "0%", "67%", shown, "3"],
        ["2", "0%", "0%", "50%", "0%", "50%", "0%", "0%", shown, "2"],
        ["2", "0%", "0%", "0%", "0%", "100%", "0%", "0%", shown, "2"],
    ]  # fmt: skip

    out = tmp_path / "cancel done.pdf"
    proc = cli(
        "--library",
        str(location),
        "trends",
        "--agent",
        "Sam",
        "--pdf",
        str(out),
        "--metric",
        "cancel_done_rate",
    )
    assert proc.returncode == 0, proc.stderr
    page = " ".join(PdfReader(str(out)).pages[0].extract_text().split())
    assert "Asked to cancel or close, left with it done — Sam against the team, by week" in page
    # The table holds the call at a glance's figures with the one charted marked.
    assert (
        "Period Done Retained Refused Escalated Unresolved Withdrawn ▸ Cancel done Sentiment change" in page
    )
    assert "2 – 8 Mar 2026 100% (67%) 0% (33%) 0% (0%)" in page
    assert "Refusals / call" not in page

    csv_file = tmp_path / "trends.csv"
    assert cli("--library", str(location), "trends", "--csv", str(csv_file)).returncode == 0
    team = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    assert [(r["period"], r["done_rate"], r["cancel_done_rate"]) for r in team] == [
        ("2026-W10", "0.667", "0.667"),
        ("2026-W11", "0.0", "0.0"),
        ("2026-W12", "0.0", "0.0"),
    ]
