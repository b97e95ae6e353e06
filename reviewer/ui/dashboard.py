"""The trends dashboard: the team's calls, or one agent's against the team's, per week or month,
as a chart (Qt Charts) of any metric the library's trends give and a table of every period with
all of them. A click on a point or a period lists the calls behind it; a double click opens one
in the review page. An agent in self-review sees only their own dashboard, and only their own
calls behind it. Exports to PDF (the chart and the table, :func:`reviewer.report.trends.trends_pdf`,
as the command line) and CSV (the period rows). The figures and the metrics are the core's
(:mod:`reviewer.report.trend_figures`, :mod:`reviewer.trends`); this file holds the widgets.

The figures come from ``Library.trends`` (the same as ``reviewer trends``), computed on a worker
thread with its own library connection: on bench/run.py's 10 000-call library one agent's
refresh took 0.7–1.3 s on 2 busy cores (Library.trends alone 150–200 ms a call, and it runs twice)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

from PySide6.QtCharts import (
    QCategoryAxis,
    QChart,
    QChartView,
    QLegend,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QMargins,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reviewer.errors import ReviewerError
from reviewer.labels import period_label, plural
from reviewer.library.store import Library
from reviewer.report import write_atomic
from reviewer.report.trend_figures import AXIS_PAD, Metric, Trends, axis_scale, dates_chosen
from reviewer.report.trends import AGENT_COLOUR as AGENT_RGB
from reviewer.report.trends import TEAM_COLOUR as TEAM_RGB
from reviewer.report.trends import trends_csv, trends_pdf
from reviewer.trends import load_trends
from reviewer.ui.library_page import CallsModel
from reviewer.ui.tables import RowsModel
from reviewer.ui.worker import Worker

AGENT_COLOUR = QColor(*AGENT_RGB)  # the agent's blue, as on the timeline and in the PDF
TEAM_COLOUR = QColor(*TEAM_RGB)  # grey and dashed: reads in black and white
TEAM = ""  # the agent chooser's value for the whole team


# -- the figures, computed off the UI thread ----------------------------------------------------


class TrendsLoader(QObject):
    """Computes :class:`Trends` through a worker of its own (:mod:`reviewer.ui.worker`), on its
    own library connection; a newer request replaces the older ones, and only the newest answer
    is delivered."""

    loaded = Signal(int, object)  # request number, (Trends, the library's agents)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = Worker(self, name="reviewer-trends", newest_wins=True)
        self.serial = 0

    def load(
        self, path: Path, agent: str | None, by: str, since: date | None = None, until: date | None = None
    ) -> int:
        self.serial += 1
        serial = self.serial

        def work(_progress: object, _cancel: object) -> tuple[Trends, list[str]]:
            from reviewer.library import open_library

            with open_library(path) as library:
                return load_trends(library, agent, by, since, until), library.agents()

        job = self.worker.start(work, unexpected="The trends could not be computed")
        job.finished.connect(lambda t: self.loaded.emit(serial, t))
        job.failed.connect(lambda message: self.failed.emit(serial, message))
        return serial


# -- the chart ----------------------------------------------------------------------------------


def build_chart(t: Trends, metric: Metric, agent_label: str) -> QChart:
    """The metric per period: the agent's line (blue, solid) against the team's (grey, dashed),
    gaps where a period has no value; x is the period's index in ``t.dated``."""
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(6, 6, 6, 6))
    periods = [period_label(p) for p in t.dated]
    who = f"{agent_label} against the team" if t.agent else "the team"
    chart.setTitle(f"<b>{metric.label}</b> — {who}, by {t.by}")
    title_font = QFont(chart.titleFont())
    title_font.setPointSizeF(11)
    chart.setTitleFont(title_font)

    axis_x = QCategoryAxis()
    axis_x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis_x.setStartValue(-0.5)
    step = max(1, math.ceil(len(periods) / 14))
    for i in range(0, len(periods), step):
        axis_x.append(periods[i], i)
    axis_x.setRange(-0.5, max(len(periods) - 0.5, 0.5))
    axis_x.setTitleText(
        "Week of the recording (Monday to Sunday)" if t.by == "week" else "Month of the recording"
    )
    if t.by == "week" and len(periods) > 6:
        axis_x.setLabelsAngle(-45)
    axis_y = QValueAxis()
    axis_y.setTitleText(metric.axis_title)
    values = [v for who in ("team", "agent") for p in t.dated if (v := t.value(metric, p, who)) is not None]
    # Ticks on round numbers from the bottom; the axis a little past both ends, so a point at 0
    # (or at the top) is drawn whole inside the plot, not cut by its edge.
    low, high, step = axis_scale(values, metric)
    pad = (high - low) * AXIS_PAD
    axis_y.setRange(low - pad, high + pad)
    axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
    axis_y.setTickAnchor(low)
    axis_y.setTickInterval(step)
    unit = metric.unit.replace("%", "%%")
    decimals = 0 if high >= 10 or metric.digits == 0 else (1 if round(step * 10, 6).is_integer() else 2)
    axis_y.setLabelFormat(f"%.{decimals}f{unit}")
    for axis in (axis_x, axis_y):
        f = QFont(axis.labelsFont())
        f.setPointSizeF(8.5)
        axis.setLabelsFont(f)
        f = QFont(axis.titleFont())
        f.setPointSizeF(9)
        axis.setTitleFont(f)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)

    def add_line(who: str, name: str, colour: QColor, style: Qt.PenStyle) -> None:
        runs = t.runs(metric, who) or [[]]  # one (empty) series at least, for the legend
        pen = QPen(colour, 2.5 if style == Qt.PenStyle.SolidLine else 2.0, style)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        for n, run in enumerate(runs):
            s = QLineSeries()
            s.setName(name)
            s.setPen(pen)
            s.setColor(colour)
            s.setPointsVisible(True)
            s.setMarkerSize(7.0)
            for x, y in run:
                s.append(x, y)
            chart.addSeries(s)
            s.attachAxis(axis_x)
            s.attachAxis(axis_y)
            if n:
                for marker in chart.legend().markers(s):
                    marker.setVisible(False)

    add_line("team", "Team", TEAM_COLOUR, Qt.PenStyle.DashLine)
    if t.agent:
        add_line("agent", agent_label, AGENT_COLOUR, Qt.PenStyle.SolidLine)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
    chart.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries)  # dashed or solid, as drawn
    chart.legend().setVisible(True)
    return chart


class TrendChartView(QChartView):
    """The chart, with a click on (or near) a point reporting its period and line, and the
    values of the period under the mouse in a tooltip."""

    pointClicked = Signal(int, str)  # index in the periods charted, "agent" or "team"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMouseTracking(True)
        self.setAccessibleName("Trend chart")
        self.trends: Trends | None = None
        self.shown_metric: Metric | None = None
        self.agent_label = ""
        self.highlight: QScatterSeries | None = None

    def show_trends(self, t: Trends, metric: Metric, agent_label: str) -> None:
        self.trends, self.shown_metric, self.agent_label = t, metric, agent_label
        old = self.chart()
        chart = build_chart(t, metric, agent_label)
        self.highlight = QScatterSeries()
        self.highlight.setMarkerSize(16.0)
        self.highlight.setColor(QColor(0, 0, 0, 0))
        self.highlight.setBorderColor(QColor("#c62828"))
        self.highlight.setPen(QPen(QColor("#c62828"), 2.0))
        chart.addSeries(self.highlight)
        for axis in chart.axes():
            self.highlight.attachAxis(axis)
        for marker in chart.legend().markers(self.highlight):
            marker.setVisible(False)
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def value(self, index: int, who: str) -> float | None:
        t, m = self.trends, self.shown_metric
        if t is None or m is None or not 0 <= index < len(t.dated):
            return None
        return t.value(m, t.dated[index], who)

    def position_of(self, index: int, who: str) -> QPointF | None:
        """Where the point is drawn, in the view's (viewport's) coordinates."""
        v = self.value(index, who)
        if v is None:
            return None
        on_chart = self.chart().mapToPosition(QPointF(index, v))
        return QPointF(self.mapFromScene(self.chart().mapToScene(on_chart)))

    def mark(self, index: int | None, who: str) -> None:
        if self.highlight is None:
            return
        self.highlight.clear()
        v = None if index is None else self.value(index, who)
        if v is not None:
            self.highlight.append(index, v)

    def hit(self, pos: QPointF) -> tuple[int, str] | None:
        """The period under ``pos`` (within the plot) and the nearer of the two lines there."""
        if self.trends is None or not self.trends.dated:
            return None
        chart = self.chart()
        at = chart.mapFromScene(self.mapToScene(pos.toPoint()))
        if not chart.plotArea().adjusted(-8, -8, 8, 8).contains(at):
            return None
        index = round(chart.mapToValue(at).x())
        if not 0 <= index < len(self.trends.dated):
            return None
        lines = ["agent", "team"] if self.trends.agent else ["team"]
        near = [
            (abs(p.y() - pos.y()), who) for who in lines if (p := self.position_of(index, who)) is not None
        ]
        if not near:
            return index, lines[0]
        return index, min(near)[1]

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and (h := self.hit(event.position())) is not None:
            self.pointClicked.emit(*h)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseMoveEvent(event)
        h = self.hit(event.position())
        if h is None or self.trends is None or self.shown_metric is None:
            QToolTip.hideText()
            self.viewport().unsetCursor()
            return
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        period = self.trends.dated[h[0]]
        lines = [f"<b>{period_label(period)}</b>"]
        for who, name, rows in (
            ("agent", self.agent_label, self.trends.mine),
            ("team", "Team", self.trends.team),
        ):
            if who == "agent" and not self.trends.agent:
                continue
            row = rows.get(period)
            calls = row.calls if row else 0
            value = self.shown_metric.text(self.shown_metric.read(row))
            lines.append(f"{name}: {value} ({plural(calls, 'call')})")
        lines.append("Click to list the calls")
        QToolTip.showText(event.globalPosition().toPoint(), "<br>".join(lines), self)


# -- the tables ---------------------------------------------------------------------------------


class PeriodsModel(RowsModel):
    """One row per period: the agent's value of every metric with the team's beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trends: Trends | None = None
        self.agent_label = ""
        self.metrics: list[Metric] = []
        self.charted = ""

    def set_trends(self, t: Trends, agent_label: str, charted: str) -> None:
        self.beginResetModel()
        self.trends, self.agent_label, self.charted = t, agent_label, charted
        self.metrics = t.table_metrics(charted)
        self.headers = ("Period", *(self._header(m) for m in self.metrics))
        self.rows = [{"period": p} for p in t.periods]
        self.endResetModel()

    def set_charted(self, key: str) -> None:
        """Bold the metric charted; a scorecard section or item charted gets its column (the
        table holds only the one charted of those)."""
        if self.trends is not None and [m.key for m in self.trends.table_metrics(key)] != [
            m.key for m in self.metrics
        ]:
            self.set_trends(self.trends, self.agent_label, key)
            return
        self.charted = key
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.headers) - 1))

    def _header(self, m: Metric) -> str:
        return m.short

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802, ANN201
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal and section:
            m = self.metrics[section - 1]
            mine = (
                f"{self.agent_label}'s, then the team's in brackets"
                if self.trends and self.trends.agent
                else ""
            )
            return f"{m.label}{': ' + mine if mine else ''}"
        return super().headerData(section, orientation, role)

    def cell(self, row: int, column: int) -> str:
        t = self.trends
        period = self.rows[row]["period"]
        if t is None:
            return period
        if column == 0:
            return period_label(period)
        return t.cell(period, self.metrics[column - 1])

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid() or self.trends is None:
            return None
        period = self.rows[index.row()]["period"]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.UserRole:
            return period
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if (
            role == Qt.ItemDataRole.FontRole
            and index.column()
            and self.metrics[index.column() - 1].key == self.charted
        ):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ForegroundRole and period not in self.trends.team:
            return QBrush(QColor("#8a8a8a"))  # a period without calls
        if role == Qt.ItemDataRole.ToolTipRole:
            team = self.trends.calls_in(period, "team")
            mine = self.trends.calls_in(period, "agent")
            if self.trends.agent:
                said = f"{plural(mine, 'call')} by {self.agent_label}, {team} by the team"
            else:
                said = f"{plural(team, 'call')} by the team"
            return f"{period_label(period)}: {said}. Click to list the calls."
        return None


# -- the page -----------------------------------------------------------------------------------


class DashboardPage(QWidget):
    """Trends for the team or one agent; in self-review, fixed to the agent viewing."""

    openCall = Signal(int)
    backRequested = Signal()

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.agent_mode: str | None = None
        self.trends: Trends | None = None
        self.loading = False
        self._serial = 0
        self._listed: tuple[str, str] | None = None  # period, "agent" | "team"
        self._wanted_metric: str | None = None  # asked for before the figures that have it came
        self._quiet_dates = False  # the dates set by the program, not picked by the user
        self.loader = TrendsLoader(self)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._failed)

        back = QToolButton()
        back.setText("← Library")
        back.setAccessibleName("Back to library")
        back.clicked.connect(self.backRequested)
        heading = QLabel("<b>Trends</b>")
        self.agent_box = QComboBox()
        self.agent_box.setAccessibleName("Agent")
        self.agent_box.setMinimumContentsLength(16)
        self.agent_box.activated.connect(lambda _: self.refresh())
        self.metric_box = QComboBox()
        self.metric_box.setAccessibleName("Metric")
        # As wide as 34 letters (a scorecard item's whole text is in its list and its tooltip).
        self.metric_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.metric_box.setMinimumContentsLength(34)
        self.metric_box.activated.connect(lambda _: self._show_metric())
        self.by_box = QComboBox()
        self.by_box.setAccessibleName("Group by")
        self.by_box.addItem("By week", "week")
        self.by_box.addItem("By month", "month")
        self.by_box.activated.connect(lambda _: self.refresh())
        # The dates: from the first call to the last until the coach picks others.
        self.since: date | None = None
        self.until: date | None = None
        self.from_edit, self.to_edit = QDateEdit(), QDateEdit()
        for edit, name in ((self.from_edit, "From"), (self.to_edit, "To")):
            edit.setAccessibleName(f"{name} day")
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setEnabled(False)  # until the figures say which days there are
            edit.dateChanged.connect(lambda _day: self._dates_edited())
        self.all_dates_button = QToolButton()
        self.all_dates_button.setText("All dates")
        self.all_dates_button.setToolTip("From the first call to the last")
        self.all_dates_button.clicked.connect(lambda: self.set_range(None, None))
        self.pdf_button = QPushButton("Export PDF…")
        self.pdf_button.clicked.connect(self.export_pdf_dialog)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self.export_csv_dialog)
        # The layouts belong to the page before any widget goes in: a widget in a layout that
        # belongs to no widget yet has no parent, and Python would free the labels made inline.
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        layout.addLayout(top)
        for w in (back, heading):
            top.addWidget(w)
        top.addSpacing(12)
        for label, w in (
            ("Agent", self.agent_box),
            ("Metric", self.metric_box),
            ("", self.by_box),
            ("From", self.from_edit),
            ("to", self.to_edit),
            ("", self.all_dates_button),
        ):
            if label:
                top.addWidget(QLabel(label))
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.pdf_button)
        top.addWidget(self.csv_button)

        self.summary = QLabel()
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.chart_view = TrendChartView()
        self.chart_view.setMinimumHeight(260)
        self.chart_view.pointClicked.connect(self._point_clicked)

        self.periods_model = PeriodsModel(self)
        self.periods = QTableView()
        self.periods.setAccessibleName("Periods")
        self.periods.setModel(self.periods_model)
        self.periods.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.periods.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.periods.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.periods.verticalHeader().hide()
        self.periods.setWordWrap(False)
        self.periods.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.periods.horizontalHeader().setResizeContentsPrecision(40)  # widths from 40 rows, not all
        self.periods.clicked.connect(lambda index: self._period_chosen(index.row()))
        self.periods.activated.connect(lambda index: self._period_chosen(index.row()))
        self._quiet = False  # a period selected by the program, not by the user's keys
        self.periods.selectionModel().currentRowChanged.connect(
            lambda current, _: None if self._quiet else self._period_chosen(current.row())
        )

        self.calls_label = QLabel("Click a point or a period to list its calls.")
        self.calls_label.setAccessibleName("Calls listed")
        self.calls_label.setWordWrap(True)
        self.calls_model = CallsModel(self)
        self.calls = QTableView()
        self.calls.setAccessibleName("Calls in the period")
        self.calls.setModel(self.calls_model)
        self.calls.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.calls.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calls.setSortingEnabled(True)
        self.calls.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by date
        self.calls.verticalHeader().hide()
        self.calls.horizontalHeader().setStretchLastSection(True)
        self.calls.setWordWrap(False)
        self.calls.horizontalHeader().setResizeContentsPrecision(40)

        self.calls.activated.connect(lambda index: self._open(index))  # a double click or Enter
        # The library's columns, less what the period's list does not need (found by name, so
        # columns the library adds later stay visible).
        for column, name in enumerate(CallsModel.headers):
            if name in ("Duration", "Longest monologue", "Longest silence", "Comments", "Status"):
                self.calls.hideColumn(column)
        self.open_button = QPushButton("Open call")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open(self.calls.currentIndex()))
        self.calls.selectionModel().selectionChanged.connect(
            lambda *_: self.open_button.setEnabled(self.calls.selectionModel().hasSelection())
        )
        calls_box = QWidget()
        box = QVBoxLayout(calls_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.calls_label)
        box.addWidget(self.calls, 1)
        box.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)

        self.lower = QSplitter(Qt.Orientation.Horizontal)
        self.lower.addWidget(self.periods)
        self.lower.addWidget(calls_box)
        self.lower.setStretchFactor(0, 3)
        self.lower.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.chart_view)
        self.splitter.addWidget(self.lower)
        self.splitter.setSizes([440, 300])
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self._fill_agents()
        self._enable()

    # -- choices ---------------------------------------------------------------------------------

    def set_library(self, library: Library) -> None:
        self.library = library
        self.trends = None
        self._fill_agents([])  # the new library's come with its list
        self.refresh()

    def set_agent_mode(self, agent: str | None, agents: list[str] | None = None) -> None:
        """Self-review: the dashboard of ``agent`` alone, against the team; None: the coach's.
        ``agents``: the library's agents, when they were just read on the library thread."""
        self.agent_mode = agent or None
        self._fill_agents(agents)
        if self.trends is not None and self.trends.agent != self.chosen_agent():
            self.refresh()

    def _fill_agents(self, agents: list[str] | None = None) -> None:
        current = self.agent_mode or (self.agent_box.currentData() if self.agent_box.count() else TEAM)
        if agents is None:  # those offered already (the window gives them with each read of the list)
            agents = [a for a in (self.agent_box.itemData(i) for i in range(self.agent_box.count())) if a]
        self.agent_box.blockSignals(True)
        self.agent_box.clear()
        self.agent_box.addItem("Whole team", TEAM)
        for name in agents:
            self.agent_box.addItem(name, name)
        if self.agent_box.findData(current) < 0:
            self.agent_box.addItem(current, current)
        self.agent_box.setCurrentIndex(max(0, self.agent_box.findData(current)))
        self.agent_box.setEnabled(self.agent_mode is None)
        self.agent_box.setToolTip(
            "Your own calls against the team's (self-review)" if self.agent_mode else ""
        )
        self.agent_box.blockSignals(False)

    def set_choice(
        self, *, agent: str | None = None, by: str | None = None, metric: str | None = None
    ) -> None:
        """Choose as a user would with the three lists (agent "" is the whole team)."""
        if agent is not None and self.agent_mode is None:
            self.agent_box.setCurrentIndex(max(0, self.agent_box.findData(agent)))
        if by is not None:
            self.by_box.setCurrentIndex(self.by_box.findData(by))
        if metric is not None:
            self._wanted_metric = metric
            i = self.metric_box.findData(metric)
            if i >= 0:
                self.metric_box.setCurrentIndex(i)
                self._show_metric()
        if agent is not None or by is not None:
            self.refresh()

    def set_range(self, since: date | None, until: date | None) -> None:
        """The calls recorded from ``since`` to ``until`` (days, both included); None, None: all."""
        self.since, self.until = since, until
        self._show_dates()
        self.refresh()

    def _dates_edited(self) -> None:
        """A day picked or typed in From or To: the figures of those dates."""
        if self._quiet_dates:
            return
        since, until = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        if (since, until) != (self.since, self.until):
            self.since, self.until = since, until
            self.refresh()

    def _show_dates(self) -> None:
        """The edits show the dates chosen, or the first and the last call's days."""
        t = self.trends
        since = self.since or (t.first_day if t else None)
        until = self.until or (t.last_day if t else None)
        self._quiet_dates = True
        try:
            for edit, day in ((self.from_edit, since), (self.to_edit, until)):
                if day is not None:
                    edit.setDate(day)
                edit.setEnabled(day is not None)
        finally:
            self._quiet_dates = False
        self.all_dates_button.setEnabled(self.since is not None or self.until is not None)

    def chosen_agent(self) -> str | None:
        return self.agent_mode or self.agent_box.currentData() or None

    def chosen_metric(self) -> Metric | None:
        key = self.metric_box.currentData()
        return next((m for m in (self.trends.metrics if self.trends else []) if m.key == key), None)

    def agent_label(self) -> str:
        return self.chosen_agent() or "Team"

    # -- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compute the figures again (on the worker thread) for the agent and period chosen."""
        self.loading = True
        self.summary.setText("Computing the trends…")
        self._enable()
        self._serial = self.loader.load(
            self.library.path, self.chosen_agent(), self.by_box.currentData(), self.since, self.until
        )

    def _loaded(self, serial: int, loaded: tuple[Trends, list[str]]) -> None:
        if serial != self._serial:
            return  # an older choice's answer
        t, agents = loaded
        self.loading = False
        self.trends = t
        self._fill_agents(agents)  # read with the figures
        self._show_dates()
        # The metric asked for or shown; else the first with a value (the score, once calls are
        # scored on a scorecard).
        valued = t.first_valued()
        wanted = self._wanted_metric or self.metric_box.currentData() or (valued.key if valued else None)
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        for m in t.metrics:
            self.metric_box.addItem(m.label, m.key)
            self.metric_box.setItemData(self.metric_box.count() - 1, m.label, Qt.ItemDataRole.ToolTipRole)
        view = self.metric_box.view()
        view.setMinimumWidth(view.sizeHintForColumn(0) + 24)
        self.metric_box.setCurrentIndex(max(0, self.metric_box.findData(wanted)))
        self.metric_box.blockSignals(False)
        self._wanted_metric = None
        self.periods_model.set_trends(t, self.agent_label(), self.metric_box.currentData() or "")
        self._fit_tables()
        self._summarise()
        listed = self._listed
        self._listed = None
        self._show_metric()
        if listed and listed[0] in t.periods:  # the same choice computed again: keep the list
            self._select_period(listed[0])
            self._list(*listed)
        else:
            self._list(None, "team")
        self._enable()

    def _failed(self, serial: int, message: str) -> None:
        if serial != self._serial:
            return
        self.loading = False
        self.trends = None
        self.summary.setText(message)
        self._enable()

    def _fit_tables(self) -> None:
        """The periods table as wide as its columns (up to 60 %), the calls beside it the rest;
        the agent's column only on the team's dashboard."""
        self.calls.setColumnHidden(CallsModel.headers.index("Agent"), bool(self.trends and self.trends.agent))
        total = sum(self.lower.sizes()) or self.lower.width()
        wanted = (
            self.periods.horizontalHeader().length() + self.periods.verticalScrollBar().sizeHint().width() + 4
        )
        wanted = min(wanted, int(total * 0.6))
        self.lower.setSizes([wanted, max(total - wanted, 200)])

    def _enable(self) -> None:
        ready = not self.loading and self.trends is not None and bool(self.trends.periods)
        for w in (self.pdf_button, self.csv_button):
            w.setEnabled(ready)

    def _summarise(self) -> None:
        t = self.trends
        if t is None:
            return
        if not t.team:
            if t.since or t.until:
                self.summary.setText(f"No calls were recorded {dates_chosen(t.since, t.until)}.")
            else:
                self.summary.setText("No calls yet: import calls to see their trends.")
            return
        unit = "week" if t.by == "week" else "month"
        team_calls = t.team_call_count()
        span = f"{t.span}, {plural(len(t.dated), unit)}" if t.dated else "undated calls"
        if t.agent:
            mine = t.agent_call_count()
            self.summary.setText(
                f"<b>{t.agent}</b>: {plural(mine, 'call')} in {len(t.mine)} of the "
                f"{plural(len(t.periods), unit)}; "
                f"the team: {plural(team_calls, 'call')} ({span}). The agent's line is blue and solid, "
                f"the team's grey and dashed; a gap is a period without a value. In the table, "
                f"{t.agent}'s value comes first, the team's in brackets."
            )
        else:
            self.summary.setText(f"The team: {plural(team_calls, 'call')} ({span}).")
        if "undated" in t.periods:
            self.summary.setText(
                self.summary.text() + " Calls without a recording date are in the table only."
            )

    def _show_metric(self) -> None:
        t, m = self.trends, self.chosen_metric()
        if t is None or m is None:
            return
        self.chart_view.show_trends(t, m, self.agent_label())
        self.metric_box.setToolTip(m.label)
        columns = len(self.periods_model.headers)
        self.periods_model.set_charted(m.key)
        if len(self.periods_model.headers) != columns:  # a section's or item's column came or went
            self._fit_tables()
        if self._listed and self._listed[0] in t.dated:
            self.chart_view.mark(t.dated.index(self._listed[0]), self._listed[1])

    # -- a period's calls ------------------------------------------------------------------------

    def _point_clicked(self, index: int, who: str) -> None:
        if self.trends is None:
            return
        period = self.trends.dated[index]
        self._select_period(period)
        self._list(period, who)

    def _select_period(self, period: str) -> None:
        self._quiet = True
        try:
            self.periods.selectRow(self.trends.periods.index(period) if self.trends else -1)
        finally:
            self._quiet = False

    def _period_chosen(self, row: int) -> None:
        if self.trends is None or not 0 <= row < len(self.trends.periods):
            return
        self._list(self.trends.periods[row], "agent" if self.trends.agent else "team")

    def _list(self, period: str | None, who: str) -> None:
        """List the calls of ``period`` by the agent or the whole team. In self-review only the
        agent's own calls are ever listed (the team's figures are shown, not their calls)."""
        t = self.trends
        if t is None or period is None:
            self._listed = None
            self.calls_model.set_rows([])
            self.calls_label.setText("Click a point or a period to list its calls.")
            self.chart_view.mark(None, who)
            return
        note = ""
        if who == "agent" and not t.agent:
            who = "team"
        if self.agent_mode and who == "team":
            who, note = "agent", " (in self-review only your own calls are listed)"
        ids = t.calls(period, who)
        self._listed = (period, who)
        self.calls_model.set_rows([t.call_rows[i] for i in ids if i in t.call_rows])
        by = t.agent if who == "agent" else "the team"
        self.calls_label.setText(
            f"<b>{plural(len(ids), 'call')}</b> by {by} in {period_label(period)}{note}. "
            "Double-click one to review it."
        )
        self.chart_view.mark(t.dated.index(period) if period in t.dated else None, who)
        self.calls.resizeColumnsToContents()
        if ids:
            self.calls.selectRow(0)

    def listed_call_ids(self) -> list[int]:
        return [int(r.id) for r in self.calls_model.rows]

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openCall.emit(int(self.calls_model.data(index, Qt.ItemDataRole.UserRole)))

    # -- exports ---------------------------------------------------------------------------------

    def _default_name(self, suffix: str) -> str:
        t = self.trends
        who = (t.agent if t and t.agent else "team").replace("/", "-")
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return str(Path(folder or Path.home()) / f"Trends {who} by {t.by if t else 'week'}{suffix}")

    def export_pdf_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the dashboard as PDF", self._default_name(".pdf"), "PDF (*.pdf)"
        )
        if name:
            self._export(lambda: self.export_pdf(Path(name)), name)

    def export_csv_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the trends as CSV", self._default_name(".csv"), "CSV (*.csv)"
        )
        if name:
            self._export(lambda: self.export_csv(Path(name)), name)

    def _export(self, write, name: str) -> None:  # noqa: ANN001
        try:
            write()
        except (OSError, ReviewerError) as e:
            QMessageBox.warning(
                self, "Reviewer", f"{name}: could not be written ({getattr(e, 'strerror', None) or e})."
            )
            return
        self.summary.setText(f"Saved {name}.")

    def export_csv(self, path: Path) -> None:
        """The period rows of the team and, on an agent's dashboard, the agent's (as ``reviewer
        trends --csv``)."""
        t = self._ready()
        team = list(t.team.values())
        data = trends_csv(team, list(t.mine.values()), t.agent) if t.agent else trends_csv(team)
        write_atomic(path, data)

    def export_pdf(self, path: Path) -> None:
        """The chart and the table, on A4 landscape pages."""
        t = self._ready()
        metric = self.chosen_metric() or t.metrics[0]
        write_atomic(path, trends_pdf(t, metric, self.agent_label()))

    def _ready(self) -> Trends:
        if self.trends is None or self.loading:
            raise ReviewerError("The trends are still being computed.")
        return self.trends
