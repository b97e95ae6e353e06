"""The annotated call report as PDF (fpdf2, with the bundled DejaVu fonts embedded). It leads
with the verdict (the score and its state) and the findings that explain it; then the call's
details, metrics, the timeline picture, the scorecard's items, the coach's comments and the
transcript with markers and comments in place. Black and white safe."""

from __future__ import annotations

import io
from collections.abc import Callable
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


def new_pdf(orientation: str = "P"):  # noqa: ANN201 - an FPDF with title_line and foot_line
    """An A4 page (``orientation`` "P" or "L", in mm) with Reviewer's fonts, and on each page the
    footer (``foot_line`` and the page number) and, from the second page, ``title_line``."""
    pdf = _pdf_class()(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(resource("fonts", "DejaVuSans.ttf")))
    pdf.add_font(FAMILY, "B", str(resource("fonts", "DejaVuSans-Bold.ttf")))
    return pdf


def pdf_bytes(r: CallReport) -> bytes:
    pdf = new_pdf("P")
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

    # The verdict leads: the score and its state, boxed so it survives a grey printer.
    _verdict(pdf, common.verdict(r))
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 6.5, f"Call review: {r.name}", align="L", new_x="LMARGIN", new_y="NEXT")
    if r.redacted:
        pdf.set_font(FAMILY, "B", 9)
        pdf.multi_cell(0, 5, f"REDACTED: {r.redaction_summary}", align="L", new_x="LMARGIN", new_y="NEXT")
    if r.edits:
        pdf.set_font(FAMILY, "B", 9)
        pdf.multi_cell(0, 5, f"EDITED: {r.edited_note}.", align="L", new_x="LMARGIN", new_y="NEXT")

    # Then what explains it, then the rest; no heading is left alone at the foot of a page.
    _part(pdf, "Findings", lambda first: _findings(pdf, r, first))
    _part(pdf, "Call details", lambda first: _pairs(pdf, common.details(r)[:first], size=9))
    _part(pdf, "Metrics", lambda first: _pairs(pdf, common.metrics(r)[:first], size=9.5))
    _part(pdf, "Timeline", lambda first: _timeline(pdf, r))
    if r.score is not None:
        _part(pdf, "Scorecard", lambda first: _scorecard(pdf, r, first))
    _part(pdf, "Coach's comments", lambda first: _comments(pdf, r, first))
    _part(pdf, "Transcript", lambda first: _transcript(pdf, r, first))
    return bytes(pdf.output())


FIRST_ROWS = 2  # rows of a part that stay on the page of its heading


def _part(pdf, title: str, draw: Callable[[int | None], None]) -> None:  # noqa: ANN001 - an FPDF
    """A heading and its part. ``draw(n)`` draws the part's first ``n`` rows (None: all of it):
    drawn first on a copy, the heading and those rows go to a new page where they would not all
    fit on this one, so a heading never ends a page."""
    pdf.ln(4)
    with pdf.offset_rendering() as trial:
        _heading(pdf, title)
        draw(FIRST_ROWS)
    if trial.page_break_triggered:
        pdf.add_page()
    _heading(pdf, title)
    draw(None)


def _verdict(pdf, v: common.Verdict) -> None:  # noqa: ANN001 - an FPDF
    x, y, pad = pdf.l_margin, pdf.get_y(), 3.0
    pdf.set_xy(x + pad, y + pad)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(pdf.epw - 2 * pad, 6.5, v.title, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9.5)
    for line in v.lines:
        pdf.multi_cell(pdf.epw - 2 * pad, 4.8, line, align="L", new_x="LEFT", new_y="NEXT")
    bottom = pdf.get_y() + pad - 1
    pdf.set_line_width(1.2 if v.failing else 0.6)
    pdf.rect(x, y, pdf.epw, bottom - y)
    pdf.set_line_width(0.2)
    pdf.set_xy(x, bottom)


def _findings(pdf, r: CallReport, first: int | None) -> None:  # noqa: ANN001 - an FPDF
    found = common.findings(r)[:first]
    pdf.set_font(FAMILY, "", 9)
    with _lined_table(pdf, (22, 37, 121), line_height=4.4, padding=1.1) as table:
        from fpdf.fonts import FontFace

        table.row(("When", "Finding", "What happened"))
        for f in found:
            row = table.row()
            row.cell(f.when)
            row.cell(f.what, style=FontFace(emphasis="BOLD"))
            row.cell(f.text)


def _timeline(pdf, r: CallReport) -> None:  # noqa: ANN001 - an FPDF
    svg = timeline_svg(r, standalone=True).encode("utf-8")
    pdf.image(io.BytesIO(svg), x=pdf.l_margin, w=pdf.epw)
    pdf.ln(1)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_text_color(60)
    pdf.multi_cell(0, 3.6, common.legend(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _comments(pdf, r: CallReport, first: int | None) -> None:  # noqa: ANN001 - an FPDF
    """The coach's comments in time order."""
    if not r.comments:
        pdf.set_font(FAMILY, "", 9.5)
        pdf.cell(0, 6, "No comments on this call yet.", new_x="LMARGIN", new_y="NEXT")
        return
    numbers = comment_numbers(r)
    pdf.set_font(FAMILY, "", 9)
    with _lined_table(pdf, (8, 22, 28, 122), line_height=4.6, padding=1.2) as table:
        table.row(("#", "Time", "Category", "Comment"))
        for c in sorted(r.comments, key=lambda c: (c.start, c.id))[:first]:
            text = c.text
            by = c.author or ""
            if by:
                text += f"\n— {by}"
            if c.reply:
                text += f"\nAgent's reply: {c.reply}"
            elif c.acknowledged_at:
                text += "\nAcknowledged by the agent"
            table.row((str(numbers[c.id]), common.span(c.start, c.end), c.category.upper(), text))


TURN_WORDS_PER_ROW = 250  # about 13 lines: a row of the transcript always fits on a page


def _pieces(text: str, words: int) -> list[str]:
    """``text`` in runs of at most ``words`` words (one run for a short text)."""
    split = text.split()
    return [" ".join(split[i : i + words]) for i in range(0, len(split), words)] or [text]


def _transcript(pdf, r: CallReport, first: int | None) -> None:  # noqa: ANN001 - an FPDF
    """The transcript with markers and comments in place."""
    if not r.turns:
        pdf.set_font(FAMILY, "", 9.5)
        pdf.cell(0, 6, "Nobody speaks in this recording.", new_x="LMARGIN", new_y="NEXT")
        return
    from fpdf.fonts import FontFace

    marker_fill = FontFace(fill_color=(232, 232, 232))
    comment_fill = FontFace(fill_color=(250, 250, 250))
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
        for line in common.transcript_lines(r)[:first]:
            if line.kind == "turn":
                # A row cannot break across pages: a long turn goes on in rows of its own.
                for n, piece in enumerate(_pieces(line.text, TURN_WORDS_PER_ROW)):
                    row = table.row()
                    row.cell("" if n else clock(line.start))
                    row.cell("" if n else line.who, style=FontFace(emphasis="BOLD"))
                    row.cell(piece)
                continue
            row = table.row()
            if line.kind == "marker":
                row.cell(common.span(line.start, line.end), style=marker_fill)
                row.cell(
                    ("▼ " if line.role == "refusal" else "■ ") + line.who,
                    style=FontFace(emphasis="BOLD", fill_color=(232, 232, 232)),
                )
                row.cell(line.text.split(": ", 1)[0], style=marker_fill)
            else:
                row.cell(common.span(line.start, line.end), style=comment_fill)
                row.cell(f"✎ {line.who}", style=FontFace(emphasis="BOLD", fill_color=(250, 250, 250)))
                row.cell(
                    f"{line.role.upper()}: {line.text}" + (f" — {line.note}" if line.note else ""),
                    style=comment_fill,
                )


def _lined_table(pdf, widths, *, line_height: float, padding: float, align=None):  # noqa: ANN001, ANN201
    """A table with a shaded heading row and lines between rows, text at the top left of each
    cell (``align``: one per column, where some are not left)."""
    return pdf.table(
        col_widths=widths,
        text_align=align or ("LEFT",) * len(widths),
        line_height=line_height,
        v_align="TOP",
        borders_layout="HORIZONTAL_LINES",
        headings_style=_heading_style(),
        padding=padding,
    )


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(225, 225, 225))


SCORE_COLUMNS = (60, 14, 15, 24, 67)


def _scorecard(pdf, r: CallReport, first: int | None) -> None:  # noqa: ANN001 - an FPDF
    """The scorecard: the card and how the total was reached, then a table per section, its
    title, weight and subtotal heading its items (kept with the first of them); a section that
    starts a page repeats the column headings."""
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5.5, common.score_heading(r), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 8.5)
    pdf.multi_cell(0, 4.4, common.score_how(r), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    sections = common.score_sections(r)
    for n, section in enumerate(sections[:1] if first is not None else sections):
        columns = n == 0
        if not columns:
            with pdf.offset_rendering() as trial:
                _score_table(pdf, section, 1, columns=False)
            if trial.page_break_triggered:
                pdf.add_page()
                columns = True
        _score_table(pdf, section, first, columns=columns)


def _score_table(pdf, section: common.ScoreSection, first: int | None, *, columns: bool) -> None:  # noqa: ANN001
    from fpdf.fonts import FontFace

    pdf.set_font(FAMILY, "", 8.5)
    with pdf.table(
        col_widths=SCORE_COLUMNS,
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"),
        line_height=4.2,
        v_align="TOP",
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=(242, 242, 242)),
        num_heading_rows=2 if columns else 1,
        padding=1.0,
    ) as table:
        if columns:
            table.row(("Item", "Result", "Points", "Evidence", "Notes"), style=_heading_style())
        points = f" · {section.points} points" if section.points else ""
        table.row().cell(
            f"{section.title.upper()} · {section.weight}{points} · {section.subtotal}", colspan=5
        )
        for line in section.lines[:first]:
            item = line.item + (" (auto)" if line.kind == "auto" else "")
            table.row((item, line.result, line.points, line.evidence, line.note))


def _heading(pdf, text: str) -> None:  # noqa: ANN001 - an FPDF
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(1.5)


def _pairs(pdf, pairs: list[tuple[str, str]], *, size: float) -> None:  # noqa: ANN001 - an FPDF
    """Keys and values in two columns; a pair never splits across pages."""
    key_w, h = 47, size * 0.5
    for key, value in pairs:
        pdf.set_font(FAMILY, "", size)
        lines = pdf.multi_cell(pdf.epw - key_w, h, value, align="L", dry_run=True, output="LINES")
        if pdf.will_page_break(len(lines) * h):
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_font(FAMILY, "B", size)
        pdf.cell(key_w, h, key)
        pdf.set_font(FAMILY, "", size)
        pdf.set_xy(pdf.l_margin + key_w, y)
        pdf.multi_cell(pdf.epw - key_w, h, value, align="L", new_x="LMARGIN", new_y="NEXT")
