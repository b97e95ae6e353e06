"""The timeline picture for reports, as SVG: a ruler, the waveform, a lane per speaker, the agent's
talk share against its target, a row per kind of marker and the coach's comments as numbered
flags. Inline in the HTML report and drawn into the PDF. Rows carry their names, and the two
sides differ in lightness as well as hue, so it reads printed in black and white."""

from __future__ import annotations

from html import escape

import numpy as np

from reviewer.labels import ROLE_NAMES, clock
from reviewer.report.data import CallReport

WIDTH = 760
LABEL_W = 112
RIGHT = 8
FONT = "DejaVu Sans"
# Dark agent, light customer: apart in grey as well as in colour.
LANE_FILL = {"agent": "#1f5a99", "customer": "#f2b880", "unknown": "#9e9e9e"}
LANE_STROKE = {"agent": "#12385f", "customer": "#8a5a2b", "unknown": "#555555"}
MARKER_ROWS = (
    ("refusal", "Refusals"),
    ("long_monologue", "Monologues"),
    ("long_silence", "Silences / holds"),
    ("overtalk", "Overtalk"),
)
BAND_FILL = {"long_monologue": "#b58ac9", "long_silence": "#cfd8dc", "overtalk": "#f9d56e"}
BAND_STROKE = {"long_monologue": "#4a148c", "long_silence": "#455a64", "overtalk": "#8d6e00"}


def _tick_step(duration: float) -> float:
    for step in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if duration / step <= 12:
            return step
    return 7200


def comment_numbers(r: CallReport) -> dict[int, int]:
    """The number each comment carries on the picture and in the lists: 1, 2, ... in time order."""
    return {c.id: i for i, c in enumerate(sorted(r.comments, key=lambda c: (c.start, c.id)), 1)}


def timeline_svg(r: CallReport, *, standalone: bool = False) -> str:
    duration = max(r.duration, 1.0)
    plot_w = WIDTH - LABEL_W - RIGHT

    def x(t: float) -> float:
        return LABEL_W + max(0.0, min(t, duration)) / duration * plot_w

    parts: list[str] = []
    y = 0.0

    def label(text: str, y_mid: float, size: float = 11, weight: str = "normal") -> None:
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y_mid + size * 0.36:.1f}" font-size="{size}" '
            f'font-weight="{weight}" text-anchor="end">{escape(text)}</text>'
        )

    # Ruler.
    step = _tick_step(duration)
    parts.append(
        f'<line x1="{LABEL_W}" y1="18" x2="{WIDTH - RIGHT}" y2="18" stroke="#000" stroke-width="0.8"/>'
    )
    t = 0.0
    while t <= duration + 0.01:
        xt = x(t)
        anchor = "start" if t == 0 else ("end" if xt > WIDTH - RIGHT - 20 else "middle")
        parts.append(f'<line x1="{xt:.1f}" y1="13" x2="{xt:.1f}" y2="18" stroke="#000" stroke-width="0.8"/>')
        parts.append(f'<text x="{xt:.1f}" y="10" font-size="10" text-anchor="{anchor}">{clock(t)}</text>')
        t += step
    y = 24.0

    # Waveform, one row per channel.
    if r.peaks is not None and r.peaks.size:
        channels = r.peaks.shape[0]
        by_channel = {s.channel: s for s in r.speakers if s.channel is not None}
        for c in range(channels):
            h = 30.0
            mid = y + h / 2
            cols = r.peaks[c]
            n = cols.shape[0]
            xs = LABEL_W + (np.arange(n) + 0.5) / n * plot_w
            top = mid - np.clip(cols[:, 1], 0, 1) * (h / 2 - 1)
            bottom = mid - np.clip(cols[:, 0], -1, 0) * (h / 2 - 1)
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, top, strict=True))
            pts += " " + " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs[::-1], bottom[::-1], strict=True))
            s = by_channel.get(c)
            colour = "#555555" if s is None else LANE_STROKE.get(s.role, "#555555")
            parts.append(f'<polygon points="{pts}" fill="{colour}" stroke="none"/>')
            name = "Waveform" if channels == 1 else f"Channel {c + 1}"
            if s is not None and channels > 1:
                name = f"{ROLE_NAMES.get(s.role, 'Speaker')} channel"
            label(name, mid, 10)
            y += h + 4
        y += 2

    # A lane per speaker, from the turns.
    lane_h = 16.0
    for s in r.speakers:
        mid = y + lane_h / 2
        parts.append(
            f'<rect x="{LABEL_W}" y="{y:.1f}" width="{plot_w}" height="{lane_h}" '
            'fill="#f4f4f4" stroke="none"/>'
        )
        fill, stroke = LANE_FILL.get(s.role, "#9e9e9e"), LANE_STROKE.get(s.role, "#555555")
        for turn in r.turns:
            if turn.speaker != s.id:
                continue
            x0, x1 = x(turn.start), x(turn.end)
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 1:.1f}" width="{max(x1 - x0, 0.8):.1f}" height="{lane_h - 2}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="0.4"/>'
            )
        label(r.who(s.id), mid, 11, "bold")
        y += lane_h + 3
    y += 3

    # Agent talk share over time against the target.
    series = [(p.time, p.share) for p in r.metrics.agent_share_series if p.share is not None]
    if series:
        h = 30.0
        parts.append(
            f'<rect x="{LABEL_W}" y="{y:.1f}" width="{plot_w}" height="{h}" fill="none" stroke="#999" '
            f'stroke-width="0.5"/>'
        )
        ty = y + h - r.share_target * h
        parts.append(
            f'<line x1="{LABEL_W}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="#000" '
            f'stroke-width="0.8" stroke-dasharray="4 3"/>'
        )
        pts = " ".join(f"{x(t):.1f},{y + h - s * h:.1f}" for t, s in series)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#000" stroke-width="1.3"/>')
        label("Agent share", y + h / 2, 10)
        y += h + 6

    # A row per kind of marker.
    for kind, name in MARKER_ROWS:
        h = 14.0
        found = r.markers_of(kind)
        parts.append(
            f'<line x1="{LABEL_W}" y1="{y + h / 2:.1f}" x2="{WIDTH - RIGHT}" y2="{y + h / 2:.1f}" '
            f'stroke="#ccc" stroke-width="0.5"/>'
        )
        for m in found:
            if kind == "refusal":
                xm = x(m.start)
                parts.append(
                    f'<polygon points="{xm - 5:.1f},{y + 1:.1f} {xm + 5:.1f},{y + 1:.1f} '
                    f'{xm:.1f},{y + h - 1:.1f}" '
                    f'fill="#b71c1c" stroke="#000" stroke-width="0.6"/>'
                )
            else:
                x0, x1 = x(m.start), x(m.end)
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y + 2:.1f}" width="{max(x1 - x0, 2):.1f}" height="{h - 4}" '
                    f'fill="{BAND_FILL[kind]}" stroke="{BAND_STROKE[kind]}" stroke-width="0.8"/>'
                )
        label(f"{name} ({len(found)})", y + h / 2, 10)
        y += h + 3

    # Comments as numbered flags (ranges as brackets).
    numbers = comment_numbers(r)
    h = 26.0
    parts.append(
        f'<line x1="{LABEL_W}" y1="{y + h - 2:.1f}" x2="{WIDTH - RIGHT}" y2="{y + h - 2:.1f}" '
        f'stroke="#ccc" stroke-width="0.5"/>'
    )
    range_ends: list[float] = []  # per bracket level, where its last range ends
    for c in sorted(r.comments, key=lambda c: c.start):
        x0 = x(c.start)
        if c.end is not None:
            x1 = x(c.end)
            level = next((i for i, end in enumerate(range_ends) if end < x0 - 1), len(range_ends))
            if level == len(range_ends):
                range_ends.append(x1)
            range_ends[level] = x1
            base = y + h - 2 - 4 * min(level, 2)
            parts.append(
                f'<polyline points="{x0 + 1:.1f},{base - 4:.1f} {x0 + 1:.1f},{base:.1f} '
                f'{x1:.1f},{base:.1f} {x1:.1f},{base - 4:.1f}" fill="none" stroke="#000" stroke-width="1.2"/>'
            )
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y + 8:.1f}" x2="{x0:.1f}" y2="{y + h - 2:.1f}" stroke="#000" '
            f'stroke-width="1"/>'
        )
        parts.append(f'<circle cx="{x0:.1f}" cy="{y + 7:.1f}" r="7" fill="#000"/>')
        parts.append(
            f'<text x="{x0:.1f}" y="{y + 10.5:.1f}" font-size="9.5" font-weight="bold" fill="#fff" '
            f'text-anchor="middle">{numbers[c.id]}</text>'
        )
    label(f"Comments ({len(r.comments)})", y + h / 2, 10)
    y += h + 2

    height = y
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (
        f'<svg{ns} viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
        f'font-family="{FONT}" role="img" aria-label="Timeline of {escape(r.name)}">'
        + "".join(parts)
        + "</svg>"
    )
