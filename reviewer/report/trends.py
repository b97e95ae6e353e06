"""The trends of the team and of one agent as CSV: one row per period and group, every metric
:meth:`Library.trends` gives (scores too, once scorecards add them), empty where a period has no
value. UTF-8 with a byte-order mark, as Reviewer's other CSVs, so spreadsheets read names right.

And as PDF (fpdf2, as the call report): the chart of one metric over the periods, drawn with
fpdf2's lines and circles, and the table of every period, for the dashboard's "Export PDF" and
``reviewer trends`` (:func:`reviewer.trends.library_trends_pdf` reads the library for it)."""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime

from reviewer.labels import period_label, plural
from reviewer.model import TrendRow
from reviewer.report.data import producer
from reviewer.report.pdf import FAMILY, new_pdf
from reviewer.report.trend_figures import AXIS_PAD, Metric, Trends, axis_scale, dates_chosen


def trends_csv(team: list[TrendRow], agent_rows: list[TrendRow] | None = None, agent: str = "") -> bytes:
    """``team``'s rows (group "team"), then ``agent_rows`` (group "agent", the agent named in
    the agent column), with the metrics in the order the library gives them (each period's
    dates in words beside it, the scorecard's sections and items last)."""
    groups = [("team", "", [r.as_dict() for r in team])]
    if agent_rows is not None:
        groups.append(("agent", agent, [r.as_dict() for r in agent_rows]))
    keys: list[str] = []
    for _, _, rows in groups:
        for row in rows:
            keys += [k for k in row if k not in keys]
    columns = ["group", "agent", *keys]
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for group, name, rows in groups:
        for row in rows:
            writer.writerow(
                {"group": group, "agent": name, **{k: "" if v is None else v for k, v in row.items()}}
            )
    return buf.getvalue().encode("utf-8-sig")


# -- the PDF: title, the chart of one metric, the periods table -----------------------------------

AGENT_COLOUR = (0x2F, 0x6F, 0xB3)  # the agent's blue, as on the timeline and the dashboard
TEAM_COLOUR = (0x6B, 0x6B, 0x6B)  # grey and dashed: reads in black and white
GRID = (0xDD, 0xDD, 0xDD)
AXIS = (0x33, 0x33, 0x33)
EMPTY_PERIOD = (0x8A, 0x8A, 0x8A)  # the text of a period without calls
STRIPE = (0xF1, 0xF1, 0xF1)
CHART_HEIGHT = 96.0  # mm, on an A4 landscape page 273 mm wide inside its margins
MM_PER_PT = 25.4 / 72


def trends_pdf(t: Trends, metric: Metric, agent_label: str) -> bytes:
    """Page 1: the title, who and which periods, the chart of ``metric`` per period (the agent's
    line against the team's), then the periods table with every metric (continued on further
    pages, its header repeated). Vector throughout, A4 landscape."""
    now = datetime.now()
    who = f"{agent_label} against the team" if t.agent else "The team"
    pdf = new_pdf("L")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_title(f"Trends: {agent_label}{' against the team' if t.agent else ''}, by {t.by}")
    pdf.set_creator(producer())
    pdf.set_creation_date(now.astimezone())
    pdf.title_line = f"Trends: {who}, by {t.by} (continued)"
    pdf.foot_line = f"Reviewer · trends by {t.by} · exported {now:%Y-%m-%d %H:%M}"
    pdf.add_page()

    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 8, f"Trends: {who}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    mine = f"{plural(t.agent_call_count(), 'call')} by {agent_label}, " if t.agent else ""
    team = plural(t.team_call_count(), "call") if not t.agent else str(t.team_call_count())
    chosen = f" (the calls recorded {dates_chosen(t.since, t.until)})" if t.since or t.until else ""
    pdf.cell(
        0,
        5,
        f"By {t.by}, {t.span}{chosen}: {mine}{team} by the team. Exported {now:%Y-%m-%d %H:%M} by Reviewer.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    top = pdf.get_y()
    _chart(pdf, t, metric, agent_label, (pdf.l_margin, top, pdf.epw, CHART_HEIGHT))
    pdf.set_xy(pdf.l_margin, top + CHART_HEIGHT + 4)
    _periods_table(pdf, t, metric, agent_label)
    return bytes(pdf.output())


def _chart(pdf, t: Trends, metric: Metric, agent_label: str, box: tuple[float, float, float, float]) -> None:  # noqa: ANN001 - an FPDF
    """The metric per period in ``box`` (x, y, width, height in mm): the agent's line (blue,
    solid) against the team's (grey, dashed), points on both, gaps where a period has no value."""
    x0, y0, width, height = box
    periods = [period_label(p) for p in t.dated]
    lines = [("team", "Team", TEAM_COLOUR, True)]
    if t.agent:
        lines.append(("agent", agent_label, AGENT_COLOUR, False))

    # The title: the metric in bold, then whose and by what.
    pdf.set_text_color(0)
    pdf.set_font(FAMILY, "", 11)
    pdf.set_xy(x0, y0)
    whose = f"{agent_label} against the team" if t.agent else "the team"
    pdf.cell(
        width, 6, f"**{_escaped(metric.label)}** — {_escaped(whose)}, by {t.by}", align="C", markdown=True
    )

    # The legend, centred under it: a stretch of each line with its point, and its name.
    pdf.set_font(FAMILY, "", 8.5)
    sample, gap = 8.0, 6.0
    names = [pdf.get_string_width(name) for _, name, _, _ in lines]
    x = x0 + (width - sum(sample + 1.5 + w for w in names) - gap * (len(lines) - 1)) / 2
    y = y0 + 10
    for (_, name, colour, dashed), name_w in zip(lines, names, strict=True):
        _pen(pdf, colour, dashed)
        pdf.line(x, y, x + sample, y)
        pdf.set_dash_pattern()
        pdf.set_fill_color(*colour)
        pdf.circle(x + sample / 2, y, 0.8, style="F")
        pdf.set_text_color(0)
        pdf.text(x + sample + 1.5, y + 8.5 * MM_PER_PT * 0.35, name)
        x += sample + 1.5 + name_w + gap

    # The axes: the periods across (every one, or every n-th where there are many), the
    # metric up, with nice steps (or up to the metric's fixed top).
    values = [v for who, *_ in lines for p in t.dated if (v := t.value(metric, p, who)) is not None]
    low, high, step = axis_scale(values, metric)
    pad = (high - low) * AXIS_PAD  # a point at 0 (or at the top) drawn whole, inside the plot
    decimals = 0 if high >= 10 or metric.digits == 0 else (1 if round(step * 10, 6).is_integer() else 2)
    tick_size = 8.0
    pdf.set_font(FAMILY, "", tick_size)
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    tick_texts = [f"{v:.{decimals}f}{metric.unit}" for v in ticks]
    label_w = max(pdf.get_string_width(s) for s in tick_texts)
    every = max(1, math.ceil(len(periods) / 16))
    shown = list(range(0, len(periods), every))
    slanted = t.by == "week" and len(periods) > 6
    longest = max((pdf.get_string_width(periods[i]) for i in shown), default=0.0)
    left = x0 + 8 + label_w + 2
    right = x0 + width - 4
    plot_top = y0 + 15
    labels_h = longest * 0.71 + 3.5 if slanted else 6.5  # under the plot, to the axis's title
    plot_bottom = y0 + height - 5 - labels_h
    plot_w, plot_h = right - left, plot_bottom - plot_top
    slots = max(len(periods), 1)

    def at_x(index: float) -> float:
        return left + (index + 0.5) / slots * plot_w

    def at_y(value: float) -> float:
        return plot_bottom - (value - low + pad) / (high - low + 2 * pad) * plot_h

    pdf.set_line_width(0.2)
    pdf.set_draw_color(*GRID)
    for v, text in zip(ticks, tick_texts, strict=True):
        pdf.line(left, at_y(v), right, at_y(v))
        pdf.set_text_color(*AXIS)
        pdf.text(left - 1.5 - pdf.get_string_width(text), at_y(v) + tick_size * MM_PER_PT * 0.35, text)
    for i in shown:
        pdf.set_draw_color(*GRID)
        pdf.line(at_x(i), plot_top, at_x(i), plot_bottom)
        pdf.set_draw_color(*AXIS)
        pdf.line(at_x(i), plot_bottom, at_x(i), plot_bottom + 1.2)
        text_w = pdf.get_string_width(periods[i])
        if slanted:
            with pdf.rotation(45, at_x(i), plot_bottom + 2.5):
                pdf.text(at_x(i) - text_w, plot_bottom + 2.5 + tick_size * MM_PER_PT * 0.35, periods[i])
        else:
            pdf.text(at_x(i) - text_w / 2, plot_bottom + 2 + tick_size * MM_PER_PT, periods[i])
    pdf.set_draw_color(*GRID)
    pdf.rect(left, plot_top, plot_w, plot_h)
    pdf.set_draw_color(*AXIS)
    pdf.set_line_width(0.3)
    pdf.line(left, plot_top, left, plot_bottom)
    pdf.line(left, plot_bottom, right, plot_bottom)

    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(0)
    x_title = "Week of the recording (Monday to Sunday)" if t.by == "week" else "Month of the recording"
    pdf.text(left + (plot_w - pdf.get_string_width(x_title)) / 2, plot_bottom + labels_h + 3, x_title)
    y_title = metric.axis_title
    middle = plot_top + (plot_h + pdf.get_string_width(y_title)) / 2
    with pdf.rotation(90, x0 + 4, middle):
        pdf.text(x0 + 4, middle, y_title)

    # The lines, each in runs between the periods without a value.
    for who, _, colour, dashed in lines:
        runs = [[(at_x(i), at_y(v)) for i, v in run] for run in t.runs(metric, who)]
        _pen(pdf, colour, dashed)
        for run in runs:
            if len(run) > 1:
                pdf.polyline(run, style="D")
        pdf.set_dash_pattern()
        pdf.set_fill_color(*colour)
        for run in runs:
            for px, py in run:
                pdf.circle(px, py, 1.1, style="F")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0)
    pdf.set_text_color(0)


def _pen(pdf, colour: tuple[int, int, int], dashed: bool) -> None:  # noqa: ANN001 - an FPDF
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.5 if dashed else 0.6)
    if dashed:
        pdf.set_dash_pattern(dash=1.6, gap=1.0)


def _escaped(text: str) -> str:
    """``text`` shown as it is in a cell with markdown (a name with ** or __ stays a name)."""
    return "".join("\\" + c if c in "*_-~[]\\" else c for c in text)


def _periods_table(pdf, t: Trends, metric: Metric, agent_label: str) -> None:  # noqa: ANN001 - an FPDF
    """Every period with every metric (the agent's value first, the team's in brackets), the
    metric charted marked ▸; rows never split, the header repeated on each page."""
    size, line, pad = 8.5, 4.6, 1.4
    metrics = t.table_metrics(metric.key)
    headers = ["Period", *(f"▸ {m.short}" if m.key == metric.key else m.short for m in metrics)]
    rows = [[period_label(p), *(t.cell(p, m) for m in metrics)] for p in t.periods]
    pdf.set_font(FAMILY, "B", size)
    widths = [pdf.get_string_width(h) + 2 * pad for h in headers]
    pdf.set_font(FAMILY, "", size)
    for r in rows:
        widths = [max(w, pdf.get_string_width(text) + 2 * pad) for w, text in zip(widths, r, strict=True)]
    scale = min(1.0, pdf.epw / sum(widths))
    widths = [w * scale for w in widths]
    aligns = ["L"] + ["R"] * len(metrics)

    pdf.set_font(FAMILY, "", 8)
    note = f"Each cell: {agent_label}'s value (the team's in brackets). " if t.agent else ""
    pdf.cell(0, line, note + "▸ marks the metric charted.", new_x="LMARGIN", new_y="NEXT")

    def header() -> None:
        pdf.set_font(FAMILY, "B", size)
        for w, h, align in zip(widths, headers, aligns, strict=True):
            pdf.cell(w, line, h, align=align)
        pdf.ln(line)
        pdf.set_draw_color(*AXIS)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(widths), pdf.get_y())
        pdf.set_line_width(0.2)
        pdf.ln(0.6)

    pdf.c_margin = pad
    if pdf.will_page_break(2 * line + 0.6):
        pdf.add_page()
    header()
    pdf.set_fill_color(*STRIPE)
    for n, (period, r) in enumerate(zip(t.periods, rows, strict=True)):
        if pdf.will_page_break(line):
            pdf.add_page()
            header()
        pdf.set_font(FAMILY, "", size)
        pdf.set_text_color(*(0, 0, 0) if period in t.team else EMPTY_PERIOD)
        for w, text, align in zip(widths, r, aligns, strict=True):
            pdf.cell(w, line, text, align=align, fill=bool(n % 2))
        pdf.ln(line)
    pdf.set_text_color(0)
