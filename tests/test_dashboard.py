"""The trends dashboard through the real main window (pytest-qt, offscreen): an agent against the
team per week, the calls behind a point, agent self-review, and the PDF and CSV exports. The core
it stands on (the figures, the metrics, the PDF, ``reviewer trends``) is tested without Qt in
test_trends.py."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from ui_wait import settled

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from test_trends import build_library  # noqa: E402


@pytest.fixture()
def trends_library(tmp_path, settings, library_location):
    location = library_location("trends")
    return location, build_library(location, tmp_path, settings)


@pytest.fixture()
def window(qtbot, tmp_path, settings, monkeypatch, trends_library):
    from reviewer.ui.main_window import MainWindow

    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(tmp_path / "config"))
    w = MainWindow(settings, library_path=trends_library[0], first_run_sample=False)
    qtbot.addWidget(w)
    w.resize(1280, 820)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def choose_metric(d, key: str) -> None:
    d.metric_box.setCurrentIndex(d.metric_box.findData(key))
    d.metric_box.activated.emit(d.metric_box.currentIndex())


def open_dashboard(w, qtbot, agent: str | None = None, metric: str | None = "refusals_per_call"):
    w.dashboard_action.trigger()  # View › Trends dashboard, as the user does
    settled()
    d = w.dashboard
    assert w.stack.currentWidget() is d
    qtbot.waitUntil(lambda: not d.loading and d.trends is not None, timeout=20_000)
    if agent is not None:
        d.agent_box.setCurrentIndex(d.agent_box.findText(agent))
        d.agent_box.activated.emit(d.agent_box.currentIndex())
        qtbot.waitUntil(lambda: not d.loading and d.trends.agent == agent, timeout=20_000)
    if metric is not None:
        choose_metric(d, metric)
    return d


def series_points(d) -> dict[str, list[tuple[float, float]]]:
    """Each line's points as drawn (the pieces of a line with gaps joined)."""
    out: dict[str, list[tuple[float, float]]] = {}
    for s in d.chart_view.chart().series():
        if s is d.chart_view.highlight:
            continue
        out.setdefault(s.name(), []).extend((p.x(), p.y()) for p in s.points())
    return out


def click_point(qtbot, d, index: int, who: str) -> None:
    pos = d.chart_view.position_of(index, who)
    assert pos is not None
    qtbot.mouseClick(d.chart_view.viewport(), Qt.MouseButton.LeftButton, pos=pos.toPoint())


def listed_names(d) -> list[str]:
    return [r.name for r in d.calls_model.rows]


def cell(d, row: int, header_start: str) -> str:
    m = d.periods_model
    column = next(i for i, h in enumerate(m.headers) if h.startswith(header_start))
    return m.data(m.index(row, column))


def test_the_dashboard_shows_an_agent_against_the_team_week_by_week(window, qtbot):
    d = open_dashboard(window, qtbot, metric=None)
    assert window.windowTitle().startswith("Trends")
    from PySide6.QtGui import QAction

    keys = [a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert keys.count(window.dashboard_action.shortcut().toString()) == 1  # its own shortcut
    assert [d.agent_box.itemText(i) for i in range(d.agent_box.count())] == ["Whole team", "Maria", "Sam"]
    assert d.metric_box.currentText() == "Mean score"  # every call is scored on the default card
    assert d.metric_box.itemText(2) == "Refusals per call"
    choose_metric(d, "refusals_per_call")
    # The team alone: one dashed grey line, a point a week.
    assert series_points(d) == {"Team": [(0, 1.67), (1, 1.0), (2, 1.0)]}
    assert "The team: 7 calls (2 Mar – 22 Mar 2026, 3 weeks)" in d.summary.text()

    d = open_dashboard(window, qtbot, agent="Maria")
    points = series_points(d)
    assert points["Team"] == [(0, 1.67), (1, 1.0), (2, 1.0)]
    assert points["Maria"] == [(0, 2.0), (2, 0.0)]  # nothing in W11: a gap, not a zero
    assert "Maria</b>: 3 calls in 2 of the 3 weeks" in d.summary.text()
    chart = d.chart_view.chart()
    assert "Refusals per call" in chart.title() and "Maria against the team" in chart.title()
    assert [a.titleText() for a in chart.axes(Qt.Orientation.Horizontal)] == [
        "Week of the recording (Monday to Sunday)"
    ]
    weeks = ["2 – 8 Mar 2026", "9 – 15 Mar 2026", "16 – 22 Mar 2026"]  # dates, not 2026-W10
    assert chart.axes(Qt.Orientation.Horizontal)[0].categoriesLabels() == weeks
    legend = [m.label() for m in chart.legend().markers() if m.isVisible()]
    assert legend == ["Team", "Maria"]

    # The table: every period with every metric, Maria's value with the team's in brackets.
    assert [d.periods_model.data(d.periods_model.index(r, 0)) for r in range(3)] == weeks
    assert cell(d, 0, "Refusals") == "2.00 (1.67)"
    assert cell(d, 1, "Refusals") == "– (1.00)"
    assert cell(d, 0, "Calls") == "2 (3)"
    assert cell(d, 0, "Agent talk").endswith("%)")

    # Another metric, and by month.
    choose_metric(d, "calls")
    assert series_points(d)["Maria"] == [(0, 2.0), (2, 1.0)]
    d.by_box.setCurrentIndex(d.by_box.findData("month"))
    d.by_box.activated.emit(d.by_box.currentIndex())
    qtbot.waitUntil(lambda: not d.loading and d.trends.by == "month", timeout=20_000)
    assert d.metric_box.currentData() == "calls"  # the metric chosen stays
    assert series_points(d) == {"Team": [(0, 7.0)], "Maria": [(0, 3.0)]}


def test_clicking_a_point_or_a_period_lists_its_calls_and_opens_one(window, qtbot, trends_library):
    ids = trends_library[1]
    d = open_dashboard(window, qtbot, agent="Maria")
    click_point(qtbot, d, 0, "agent")
    assert listed_names(d) == ["maria-1.wav", "maria-2.wav"]
    assert "2 calls</b> by Maria in 2 – 8 Mar 2026" in d.calls_label.text()
    assert d.periods.selectionModel().selectedRows()[0].row() == 0
    assert list(d.chart_view.highlight.points()) and d.chart_view.highlight.points()[0].x() == 0

    click_point(qtbot, d, 1, "team")  # the team's week without Maria
    assert listed_names(d) == ["sam-2.wav", "sam-3.wav"]
    assert "by the team in 9 – 15 Mar 2026" in d.calls_label.text()

    # A row of the table lists the agent's calls of that period.
    rect = d.periods.visualRect(d.periods_model.index(2, 0))
    qtbot.mouseClick(d.periods.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert listed_names(d) == ["maria-3.wav"]

    # A double click opens it in the review page; Back returns to the dashboard.
    rect = d.calls.visualRect(d.calls_model.index(0, 0))
    qtbot.mouseClick(d.calls.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(d.calls.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.review_page)
    assert window.review_page.call.id == ids["maria-3.wav"]
    assert window.windowTitle().startswith("maria-3.wav")
    assert window.review_page.back_button.text() == "← Trends"
    window.review_page.back_button.click()
    settled()
    assert window.stack.currentWidget() is d
    qtbot.waitUntil(lambda: not d.loading)
    assert d.agent_box.currentText() == "Maria" and listed_names(d) == ["maria-3.wav"]  # as left

    # A click beside the plot changes nothing.
    qtbot.mouseClick(d.chart_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert listed_names(d) == ["maria-3.wav"]


def test_an_agent_in_self_review_sees_only_their_own_dashboard(window, qtbot):
    window.set_viewer("Maria")
    settled()
    d = open_dashboard(window, qtbot)
    assert d.trends.agent == "Maria"
    assert d.agent_box.currentText() == "Maria" and not d.agent_box.isEnabled()
    assert set(series_points(d)) == {"Team", "Maria"}
    # The team's figures are there, but its calls are not listed: a click on the team's point
    # in W10 lists Maria's own calls of that week.
    click_point(qtbot, d, 0, "team")
    assert listed_names(d) == ["maria-1.wav", "maria-2.wav"]
    assert "only your own calls" in d.calls_label.text()
    click_point(qtbot, d, 1, "team")
    assert listed_names(d) == []
    window.set_viewer("")  # back to the coach: the choice is free again
    settled()
    assert d.agent_box.isEnabled()


def test_the_dashboard_exports_its_chart_and_table_to_pdf_and_its_rows_to_csv(
    window, qtbot, tmp_path, monkeypatch
):
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog

    d = open_dashboard(window, qtbot, agent="Maria")
    pdf, table = tmp_path / "out" / "maria.pdf", tmp_path / "out" / "maria.csv"
    answers = iter([(str(pdf), "PDF (*.pdf)"), (str(table), "CSV (*.csv)")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: next(answers))
    d.pdf_button.click()
    settled()
    d.csv_button.click()
    settled()
    assert "Saved" in d.summary.text()

    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Trends: Maria against the team" in text and "page 1 of 1" in text
    assert "Refusals per call" in text  # the chart's title
    for period in ("2 – 8 Mar 2026", "9 – 15 Mar 2026", "16 – 22 Mar 2026"):
        assert period in text
    assert "2.00 (1.67)" in text and "2 (3)" in text  # the table
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape

    with table.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["group"], r["agent"], r["period"], r["calls"]) for r in rows] == [
        ("team", "", "2026-W10", "3"),
        ("team", "", "2026-W11", "2"),
        ("team", "", "2026-W12", "2"),
        ("agent", "Maria", "2026-W10", "2"),
        ("agent", "Maria", "2026-W12", "1"),
    ]
    assert rows[3]["refusals_per_call"] == "2.0"


def test_score_and_pass_rate_come_first_with_a_gap_where_no_call_is_scored(window, qtbot, monkeypatch):
    """Scorecards give each row mean_score and pass_rate; a period without a score is a gap."""
    from reviewer.library.trends import TrendsMixin

    plain = TrendsMixin.trends

    def with_scores(self, **chosen):
        return [
            replace(r, mean_score=None if n == 1 else 60.0 + 10 * n, pass_rate=None if n == 1 else 0.5)
            for n, r in enumerate(plain(self, **chosen))
        ]

    monkeypatch.setattr(TrendsMixin, "trends", with_scores)
    d = open_dashboard(window, qtbot, metric=None)
    labels = [d.metric_box.itemText(i) for i in range(d.metric_box.count())]
    assert labels[:2] == ["Mean score", "Pass rate"]
    d.metric_box.setCurrentIndex(0)
    d.metric_box.activated.emit(0)
    assert series_points(d) == {"Team": [(0, 60.0), (2, 80.0)]}
    d.metric_box.setCurrentIndex(1)
    d.metric_box.activated.emit(1)
    assert series_points(d) == {"Team": [(0, 50.0), (2, 50.0)]}  # shown in per cent
    assert cell(d, 1, "Pass rate") == "–"
    assert cell(d, 0, "Pass rate") == "50%"


def test_arrow_keys_through_the_periods_list_each_periods_calls(window, qtbot):
    d = open_dashboard(window, qtbot, agent="Sam")
    d.periods.setFocus()
    rect = d.periods.visualRect(d.periods_model.index(0, 0))
    qtbot.mouseClick(d.periods.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert listed_names(d) == ["sam-1.wav"]
    qtbot.keyClick(d.periods, Qt.Key.Key_Down)
    assert listed_names(d) == ["sam-2.wav", "sam-3.wav"]
    qtbot.keyClick(d.periods, Qt.Key.Key_Down)
    assert listed_names(d) == ["sam-4.wav"]
    assert "1 call</b> by Sam in 16 – 22 Mar 2026" in d.calls_label.text()


def test_an_empty_library_says_so_and_offers_no_export(make_window, library_location, qtbot):
    w = make_window(library_location("empty"))
    d = open_dashboard(w, qtbot, metric=None)
    assert "No calls yet" in d.summary.text()
    assert not d.pdf_button.isEnabled() and not d.csv_button.isEnabled()
    assert d.agent_box.count() == 1  # the whole team only


def test_without_any_score_the_dashboard_opens_on_a_metric_that_has_values(window, qtbot, monkeypatch):
    from reviewer.library.trends import TrendsMixin

    plain = TrendsMixin.trends

    def unscored(self, **chosen):
        return [replace(r, mean_score=None, pass_rate=None) for r in plain(self, **chosen)]

    monkeypatch.setattr(TrendsMixin, "trends", unscored)
    d = open_dashboard(window, qtbot, metric=None)
    assert d.metric_box.itemText(0) == "Mean score"  # listed, but empty
    assert d.metric_box.currentText() == "Refusals per call"
    d.metric_box.setCurrentIndex(0)
    d.metric_box.activated.emit(0)
    assert series_points(d) == {"Team": []}  # no fake values: nothing drawn


def test_the_dashboard_charts_a_chosen_range_of_dates_in_dates_with_a_zero_inside_the_axis(window, qtbot):
    """Periods read as dates ("1 call", not "1 calls"), From/To narrow the calls to some days, and
    a value of 0 is drawn whole inside the plot, not on its edge."""
    from PySide6.QtCore import QDate

    d = open_dashboard(window, qtbot, agent="Maria")
    assert (d.from_edit.date(), d.to_edit.date()) == (QDate(2026, 3, 2), QDate(2026, 3, 18))
    assert d.from_edit.text() == "2 Mar 2026" and not d.all_dates_button.isEnabled()
    tip = d.periods_model.data(d.periods_model.index(2, 0), Qt.ItemDataRole.ToolTipRole)
    assert tip == "16 – 22 Mar 2026: 1 call by Maria, 2 by the team. Click to list the calls."

    # Maria's 0 refusals in the last week: inside the axis, above its bottom edge.
    axis = d.chart_view.chart().axes(Qt.Orientation.Vertical)[0]
    assert axis.min() < 0 < axis.max() and axis.tickAnchor() == 0
    plot = d.chart_view.chart().plotArea()
    zero = d.chart_view.chart().mapToPosition(QPointF(2, 0.0))
    assert plot.top() < zero.y() < plot.bottom() - 3

    # From 9 March: the last two weeks, the figures of those calls alone.
    d.from_edit.setDate(QDate(2026, 3, 9))
    qtbot.waitUntil(lambda: not d.loading and d.trends.since is not None, timeout=20_000)
    assert d.trends.periods == ["2026-W11", "2026-W12"]
    assert series_points(d) == {"Team": [(0, 1.0), (1, 1.0)], "Maria": [(1, 0.0)]}
    assert "Maria</b>: 1 call in 1 of the 2 weeks; the team: 4 calls (9 Mar – 22 Mar 2026" in d.summary.text()
    assert d.all_dates_button.isEnabled()
    d.to_edit.setDate(QDate(2026, 3, 8))  # before the start: said, not computed
    qtbot.waitUntil(lambda: not d.loading, timeout=20_000)
    assert "ends (8 Mar 2026) before it starts (9 Mar 2026)" in d.summary.text()
    d.all_dates_button.click()
    qtbot.waitUntil(lambda: not d.loading and d.trends is not None and d.trends.since is None, timeout=20_000)
    assert len(d.trends.periods) == 3 and d.to_edit.date() == QDate(2026, 3, 18)


def test_the_dashboard_charts_a_scorecard_section_or_item_over_time(window, qtbot, trends_library):
    """Every section and item of the default scorecard is a metric: its calls' mean percent of
    its points; the table shows the one charted beside the call figures."""
    from reviewer import actions
    from reviewer.library import open_library

    location, ids = trends_library
    with open_library(location) as library:
        actions.scores.answer_item(library, ids["maria-1.wav"], "empathy", "5", grader="Dana")
        actions.scores.answer_item(library, ids["maria-2.wav"], "empathy", "3", grader="Dana")
    d = open_dashboard(window, qtbot, metric=None)
    labels = [d.metric_box.itemText(i) for i in range(d.metric_box.count())]
    assert "Section: Listen" in labels and "Item: Acknowledged the customer's situation" in labels
    assert "Item: The customer's request was done or clearly handed on" not in labels  # never answered
    columns = len(d.periods_model.headers)
    choose_metric(d, "item:empathy")
    assert series_points(d) == {"Team": [(0, 75.0)]}  # 100 % and 50 % in W10; none answered since
    assert d.periods_model.headers[-1] == "Acknowledged the customer's…"
    assert len(d.periods_model.headers) == columns + 1
    assert cell(d, 0, "Acknowledged") == "75%" and cell(d, 1, "Acknowledged") == "–"
    choose_metric(d, "item:talk-share")  # 0 % every week: drawn inside the axis
    assert series_points(d) == {"Team": [(0, 0.0), (1, 0.0), (2, 0.0)]}
    assert d.chart_view.chart().axes(Qt.Orientation.Vertical)[0].min() < 0
    choose_metric(d, "refusals_per_call")
    assert len(d.periods_model.headers) == columns  # the item's column goes with it


def test_the_dashboard_charts_how_requests_ended_and_the_customers_mood_by_agent(
    window, qtbot, trends_library, settings
):
    """The call at a glance over time: "asked to cancel, left with it done" per week for an agent
    against the team (a coach's corrections counted), its table the outcome rates, and the mean
    sentiment change, signed, on an axis that holds values below zero."""
    from reviewer import actions
    from reviewer.library import open_library

    location, ids = trends_library
    with open_library(location) as library:  # every call asks to cancel; the analysis left each unresolved
        for name, outcome in (("maria-1.wav", "done"), ("sam-1.wav", "done"), ("sam-2.wav", "escalated")):
            (asked,) = library.load_call(ids[name]).outcomes
            actions.corrections.correct_glance(library, ids[name], asked.start, outcome, settings=settings)
    d = open_dashboard(window, qtbot, agent="Maria", metric=None)
    labels = [d.metric_box.itemText(i) for i in range(d.metric_box.count())]
    assert "Asked to cancel or close, left with it done" in labels and "Requests escalated" in labels
    choose_metric(d, "cancel_done_rate")
    points = series_points(d)
    assert points["Team"] == [(0, pytest.approx(66.7)), (1, 0.0), (2, 0.0)]
    assert points["Maria"] == [(0, 50.0), (2, 0.0)]  # nothing in W11: a gap
    assert "Asked to cancel or close, left with it done" in d.chart_view.chart().title()
    # The table: the call at a glance's figures, Maria's with the team's in brackets.
    assert [h.lstrip("▸ ") for h in d.periods_model.headers] == [
        "Period", "Done", "Retained", "Refused", "Escalated", "Unresolved", "Withdrawn", "Cancel done",
        "Sentiment change", "Requests", "Calls",
    ]  # fmt: skip
    assert cell(d, 0, "Done") == "50% (67%)" and cell(d, 1, "Escalated") == "– (50%)"
    assert cell(d, 0, "Requests") == "2 (3)"

    choose_metric(d, "mean_sentiment_change")
    mood = d.trends.team["2026-W10"].mean_sentiment_change
    assert mood is not None and cell(d, 0, "Sentiment change").endswith(f"({mood:+.2f})")
    axis = d.chart_view.chart().axes(Qt.Orientation.Vertical)[0]
    values = [y for line in series_points(d).values() for _, y in line]
    assert axis.min() <= min(values) and max(values) <= axis.max() and axis.min() <= 0 <= axis.max()

    choose_metric(d, "refusals_per_call")  # back to the calls' own figures
    assert "Refusals / call" in [h.lstrip("▸ ") for h in d.periods_model.headers]
    assert "Done" not in d.periods_model.headers
