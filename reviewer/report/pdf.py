"""The annotated call report as PDF (fpdf2, with the bundled DejaVu fonts embedded): page 1 is
what a QA lead needs at a glance (details, verdict, metrics, the timeline picture); then the
coach's comments and the transcript with markers and comments in place. Black and white safe."""

from __future__ import annotations

import io
from datetime import datetime

from reviewer.labels import clock
from reviewer.report import common
from reviewer.report.data import CallReport, producer
from reviewer.report.picture import comment_numbers, timeline_svg
from reviewer.resources import resource

FAMILY = "DejaVu Sans"
FOOT_SIZE, FOOT_LINE = 7.5, 3.3  # the footer's font size (pt) and line height (mm)


def _pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        title_line = ""
        foot_line = ""

        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font(FAMILY, "", 8)
            self.set_text_color(90)
            self.cell(0, 5, self.title_line, align="L")
            self.ln(8)
            self.set_text_color(0)

        def footer(self) -> None:
            """The footer line (wrapped onto more lines where it is long) on the left, the page
            number in a column of its own on the right: the two never print over each other."""
            self.set_font(FAMILY, "", FOOT_SIZE)
            self.set_text_color(90)
            page = f"page {self.page_no()} of {{nb}}"
            page_w = self.get_string_width(f"page {self.page_no()} of 9999")
            text_w = self.epw - page_w - 4
            lines = self.multi_cell(text_w, FOOT_LINE, self.foot_line, dry_run=True, output="LINES")
            top = self.h - 3 - FOOT_LINE * max(1, len(lines))
            self.set_y(top)
            self.multi_cell(text_w, FOOT_LINE, self.foot_line, align="L")
            self.set_xy(self.l_margin + self.epw - page_w, self.h - 3 - FOOT_LINE)
            self.cell(page_w, FOOT_LINE, page, align="R")
            self.set_text_color(0)

    return ReportPDF


def pdf_bytes(r: CallReport) -> bytes:
    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(resource("fonts", "DejaVuSans.ttf")))
    pdf.add_font(FAMILY, "B", str(resource("fonts", "DejaVuSans-Bold.ttf")))
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(f"Call review: {r.name}")
    pdf.set_author(r.reviewers or "Reviewer")
    pdf.set_subject("Annotated call report")
    pdf.set_creator(producer())
    pdf.set_creation_date(datetime.now().astimezone())
    pdf.title_line = f"Call review · {r.name} · {clock(r.duration)}" + (" · REDACTED" if r.redacted else "")
    pdf.foot_line = f"{producer()} · {datetime.now():%Y-%m-%d %H:%M}" + (
        f" · redacted: {r.redaction_summary}" if r.redacted else ""
    )
    pdf.add_page()
    width = pdf.epw

    # Title and details.
    pdf.set_font(FAMILY, "B", 17)
    pdf.cell(0, 9, "Call review", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 12)
    pdf.multi_cell(0, 6, r.name, new_x="LMARGIN", new_y="NEXT")
    if r.redacted:
        pdf.set_font(FAMILY, "B", 9)
        pdf.multi_cell(0, 5, f"REDACTED: {r.redaction_summary}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _pairs(pdf, common.details(r), width, size=9)
    pdf.ln(3)

    # Verdict, boxed so it survives a grey printer.
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_line_width(0.6)
    pdf.cell(0, 10, "  " + common.verdict(r), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.2)
    pdf.ln(3)

    _heading(pdf, "Metrics")
    _pairs(pdf, common.metrics(r), width, size=9.5)
    pdf.ln(3)

    _heading(pdf, "Timeline")
    svg = timeline_svg(r, standalone=True).encode("utf-8")
    pdf.image(io.BytesIO(svg), x=pdf.l_margin, w=width)
    pdf.ln(1)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_text_color(60)
    pdf.multi_cell(0, 3.6, common.legend(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)

    if r.score is not None:
        _scorecard(pdf, r)

    # Comments in time order.
    pdf.ln(4)
    _keep_room(pdf, 35)
    _heading(pdf, "Coach's comments")
    numbers = comment_numbers(r)
    if not r.comments:
        pdf.set_font(FAMILY, "", 9.5)
        pdf.cell(0, 6, "No comments on this call yet.", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font(FAMILY, "", 9)
        with pdf.table(
            col_widths=(8, 22, 28, 122),
            text_align=("LEFT", "LEFT", "LEFT", "LEFT"),
            line_height=4.6,
            v_align="TOP",
            borders_layout="HORIZONTAL_LINES",
            headings_style=_heading_style(),
            padding=1.2,
        ) as table:
            table.row(("#", "Time", "Category", "Comment"))
            for c in sorted(r.comments, key=lambda c: (c["start"], c["id"])):
                text = c["text"]
                by = c.get("author") or ""
                if by:
                    text += f"\n— {by}"
                if c.get("reply"):
                    text += f"\nAgent's reply: {c['reply']}"
                elif c.get("acknowledged_at"):
                    text += "\nAcknowledged by the agent"
                table.row(
                    (str(numbers[c["id"]]), common.span(c["start"], c["end"]), c["category"].upper(), text)
                )

    # Transcript with markers and comments in place.
    pdf.ln(5)
    _keep_room(pdf, 45)
    _heading(pdf, "Transcript")
    pdf.set_font(FAMILY, "", 8.5)
    with pdf.table(
        col_widths=(20, 33, 127),
        text_align=("LEFT", "LEFT", "LEFT"),
        v_align="TOP",
        line_height=4.2,
        borders_layout="NONE",
        first_row_as_headings=False,
        padding=(0.8, 1.2, 0.8, 1.2),
    ) as table:
        from fpdf.fonts import FontFace

        for line in common.transcript_lines(r):
            if line.kind == "turn":
                who_style = FontFace(emphasis="BOLD")
                row = table.row()
                row.cell(clock(line.start))
                row.cell(line.who, style=who_style)
                row.cell(line.text)
            elif line.kind == "marker":
                style = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
                row = table.row()
                row.cell(common.span(line.start, line.end), style=FontFace(fill_color=(232, 232, 232)))
                row.cell(("▼ " if line.role == "refusal" else "■ ") + line.who, style=style)
                row.cell(line.text.split(": ", 1)[0], style=FontFace(fill_color=(232, 232, 232)))
            else:
                style = FontFace(fill_color=(250, 250, 250))
                row = table.row()
                row.cell(common.span(line.start, line.end), style=style)
                row.cell(f"✎ {line.who}", style=FontFace(emphasis="BOLD", fill_color=(250, 250, 250)))
                row.cell(
                    f"{line.role.upper()}: {line.text}" + (f" — {line.note}" if line.note else ""),
                    style=style,
                )
    if not r.turns:
        pdf.set_font(FAMILY, "", 9.5)
        pdf.cell(0, 6, "Nobody speaks in this recording.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(225, 225, 225))


def _scorecard(pdf, r: CallReport) -> None:  # noqa: ANN001 - an FPDF
    """The scorecard: total and verdict, then each item with its result, evidence and notes."""
    pdf.ln(4)
    _keep_room(pdf, 40)
    _heading(pdf, "Scorecard")
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5.5, common.score_heading(r), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FAMILY, "", 8.5)
    with pdf.table(
        col_widths=(60, 14, 15, 24, 67),
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"),
        line_height=4.2,
        v_align="TOP",
        borders_layout="HORIZONTAL_LINES",
        headings_style=_heading_style(),
        padding=1.0,
    ) as table:
        table.row(("Item", "Result", "Points", "Evidence", "Notes"))
        section = None
        for line in common.score_lines(r):
            if line.section != section:
                section = line.section
                table.row((section.upper(), "", "", "", ""))
            item = line.item + (" (auto)" if line.kind == "auto" else "")
            table.row((item, line.result, line.points, line.evidence, line.note))


def _heading(pdf, text: str) -> None:  # noqa: ANN001 - an FPDF
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(1.5)


def _pairs(pdf, pairs: list[tuple[str, str]], width: float, *, size: float) -> None:  # noqa: ANN001
    key_w = 47
    for key, value in pairs:
        pdf.set_font(FAMILY, "B", size)
        y = pdf.get_y()
        pdf.cell(key_w, size * 0.5, key)
        pdf.set_font(FAMILY, "", size)
        pdf.set_xy(pdf.l_margin + key_w, y)
        pdf.multi_cell(width - key_w, size * 0.5, value, new_x="LMARGIN", new_y="NEXT")


def _keep_room(pdf, mm: float) -> None:  # noqa: ANN001
    """Start a new page rather than leave a heading alone at the bottom of one."""
    if pdf.get_y() + mm > pdf.h - pdf.b_margin:
        pdf.add_page()
