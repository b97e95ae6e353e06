"""The annotated call report as one self-contained HTML file: inline CSS and an inline SVG
timeline, no scripts, fonts, images or links to fetch. It prints well too (A4, black and white)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from reviewer.labels import CATEGORY_COLOURS, ROLE_COLOURS, clock
from reviewer.report import common
from reviewer.report.data import CallReport, producer
from reviewer.report.picture import comment_numbers, timeline_svg

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #111; margin: 0;
       background: #fff; font-size: 14px; line-height: 1.45; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.35rem; margin: 0 0 .4rem; }
h2 { font-size: 1.15rem; border-bottom: 1.5px solid #000; padding-bottom: .2rem; margin: 1.6rem 0 .6rem; }
.redacted { display: inline-block; border: 2px solid #000; padding: .1rem .5rem; font-weight: bold; }
.edited { font-weight: bold; }
dl.pairs { display: grid; grid-template-columns: 12rem 1fr; gap: .15rem 1rem; margin: 0; }
dl.pairs dt { font-weight: bold; }
dl.pairs dd { margin: 0; }
.verdict { border: 2px solid #000; padding: .5rem .8rem; margin: 0 0 1rem; break-inside: avoid; }
.verdict p { margin: .1rem 0; }
.verdict p.score { font-size: 1.3rem; font-weight: bold; }
.verdict.failing { border-width: 4px; background: #fdecea; }
p.card { margin: 0 0 .6rem; }
table.scorecard tr.section th { background: #f2f2f2; font-size: .9em; }
table.scorecard tr.section .title { text-transform: uppercase; }
table.findings td.t { white-space: nowrap; }
tbody.section { break-inside: avoid; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: .8rem; color: #444; margin-top: .3rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .45rem; }
table.comments th { background: #e6e6e6; border-bottom: 1.5px solid #000; }
table.comments td { border-bottom: 1px solid #999; }
.num { display: inline-block; min-width: 1.4em; text-align: center; border-radius: 1em; background: #000;
       color: #fff; font-weight: bold; font-size: .85em; }
.cat { font-weight: bold; text-transform: uppercase; font-size: .8em; border-left: 4px solid;
       padding-left: .3rem; }
.by { color: #444; font-size: .9em; }
table.transcript td.t { white-space: nowrap; color: #333; width: 6.5rem; font-variant-numeric: tabular-nums; }
table.transcript td.who { font-weight: bold; width: 10rem; }
table.transcript tr { break-inside: avoid; }
tr.marker td { background: #ececec; }
tr.marker td.who::before { content: "■ "; }
tr.marker.refusal td.who::before { content: "▼ "; }
tr.comment td { background: #fafafa; border-top: 1px dashed #777; border-bottom: 1px dashed #777; }
.role-agent { border-left: 4px solid AGENT; padding-left: .35rem; }
.role-customer { border-left: 4px dotted CUSTOMER; padding-left: .35rem; }
footer { margin-top: 2rem; font-size: .8rem; color: #555; border-top: 1px solid #999; padding-top: .4rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  section > h2 + * { break-before: avoid; }
  section.transcript { break-before: page; }
  .verdict.failing { background: none; }
}
""".replace("AGENT", ROLE_COLOURS["agent"]).replace("CUSTOMER", ROLE_COLOURS["customer"])


def html_bytes(r: CallReport) -> bytes:
    e = escape
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{e(producer())}">',
        f"<title>Call review: {e(r.name)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<header>",
    ]
    # The verdict leads: the score and its state; then what explains it; then the rest.
    v = common.verdict(r)
    out.append(
        f'<div class="verdict{" failing" if v.failing else ""}"><p class="score">{e(v.title)}</p>'
        + "".join(f"<p>{e(line)}</p>" for line in v.lines)
        + "</div>"
    )
    out.append(f"<h1>Call review: {e(r.name)}</h1>")
    if r.redacted:
        out.append(f'<p class="redacted">REDACTED: {e(r.redaction_summary)}</p>')
    if r.edits:
        out.append(f'<p class="edited">EDITED: {e(r.edited_note)}.</p>')
    out.append("</header>")
    out.append('<section class="findings"><h2>Findings</h2><table class="comments findings"><thead><tr>')
    out.append("<th>When</th><th>Finding</th><th>What happened</th></tr></thead><tbody>")
    for f in common.findings(r):
        out.append(f'<tr><td class="t">{e(f.when)}</td><td><b>{e(f.what)}</b></td><td>{e(f.text)}</td></tr>')
    out.append("</tbody></table></section>")
    out.append('<section class="details"><h2>Call details</h2>' + _pairs(common.details(r)) + "</section>")
    out.append('<section class="metrics"><h2>Metrics</h2>' + _pairs(common.metrics(r)) + "</section>")
    out.append(
        '<section class="timeline"><h2>Timeline</h2><figure>'
        + timeline_svg(r)
        + f"<figcaption>{e(common.legend())}</figcaption></figure></section>"
    )

    if r.score is not None:
        out.append('<section class="scorecard"><h2>Scorecard</h2>')
        out.append(f'<p class="card"><b>{e(common.score_heading(r))}</b><br>{e(common.score_how(r))}</p>')
        out.append('<table class="comments scorecard"><thead><tr><th>Item</th><th>Result</th>')
        out.append("<th>Points</th><th>Evidence</th><th>Notes</th></tr></thead>")
        for section in common.score_sections(r):
            points = f" · {section.points} points" if section.points else ""
            rest = f" · {section.weight}{points} · {section.subtotal}"
            out.append(
                f'<tbody class="section"><tr class="section"><th colspan="5"><span class="title">'
                f"{e(section.title)}</span>{e(rest)}</th></tr>"
            )
            for line in section.lines:
                kind = "" if line.kind == "manual" else ' <span class="by">(auto)</span>'
                notes = "<br>".join(e(n) for n in line.note.split("\n")) if line.note else ""
                out.append(
                    f"<tr><td>{e(line.item)}{kind}</td><td><b>{e(line.result)}</b></td>"
                    f"<td>{e(line.points)}</td><td>{e(line.evidence)}</td>"
                    f'<td><span class="by">{notes}</span></td></tr>'
                )
            out.append("</tbody>")
        out.append("</table></section>")

    out.append('<section class="comments"><h2>Coach\'s comments</h2>')
    if not r.comments:
        out.append("<p>No comments on this call yet.</p>")
    else:
        numbers = comment_numbers(r)
        out.append('<table class="comments"><thead><tr><th>#</th><th>Time</th><th>Category</th>')
        out.append("<th>Comment</th></tr></thead><tbody>")
        for c in sorted(r.comments, key=lambda c: (c.start, c.id)):
            extra = ""
            if c.author:
                extra += f'<br><span class="by">— {e(c.author)}</span>'
            if c.reply:
                extra += f'<br><span class="by">Agent\'s reply: {e(c.reply)}</span>'
            elif c.acknowledged_at:
                extra += '<br><span class="by">Acknowledged by the agent</span>'
            colour = CATEGORY_COLOURS.get(c.category, "#455a64")
            out.append(
                f'<tr id="comment-{numbers[c.id]}"><td><span class="num">{numbers[c.id]}</span></td>'
                f"<td>{e(common.span(c.start, c.end))}</td>"
                f'<td><span class="cat" style="border-color:{colour}">{e(c.category)}</span></td>'
                f"<td>{e(c.text)}{extra}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</section>")

    out.append('<section class="transcript"><h2>Transcript</h2><table class="transcript"><tbody>')
    for line in common.transcript_lines(r):
        when = e(clock(line.start) if line.kind == "turn" else common.span(line.start, line.end))
        if line.kind == "turn":
            out.append(
                f'<tr class="turn"><td class="t">{when}</td>'
                f'<td class="who"><span class="role-{e(line.role)}">{e(line.who)}</span></td>'
                f"<td>{e(line.text)}</td></tr>"
            )
        elif line.kind == "marker":
            out.append(
                f'<tr class="marker {e(line.role)}"><td class="t">{when}</td>'
                f'<td class="who">{e(line.who)}</td>'
                f"<td>{e(line.text.split(': ', 1)[0])}</td></tr>"
            )
        else:
            note = f' <span class="by">— {e(line.note)}</span>' if line.note else ""
            out.append(
                f'<tr class="comment"><td class="t">{when}</td><td class="who">✎ {e(line.who)}</td>'
                f'<td><span class="cat">{e(line.role)}</span> {e(line.text)}{note}</td></tr>'
            )
    out.append("</tbody></table>")
    if not r.turns:
        out.append("<p>Nobody speaks in this recording.</p>")
    out.append("</section>")
    out.append(
        f"<footer>{e(producer())} · exported {datetime.now():%Y-%m-%d %H:%M}"
        + (f" · redacted: {e(r.redaction_summary)}" if r.redacted else "")
        + "</footer></main></body></html>\n"
    )
    return "\n".join(out).encode("utf-8")


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return (
        '<dl class="pairs">'
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs)
        + "</dl>"
    )
