"""The timeline: waveform, one lane per speaker, the customer's sentiment turn by turn, the
agent's talk share over time, markers, phrase-tracker hits (their own strip, only when the call
has any), coach comments and coaching clips (their own row, only when the call has any), with a
playhead, click-to-seek, drag-to-select, zoom and pan. Every row's name stands in a gutter at the
left, clear of the call's first seconds.

:class:`TimelineModel` holds what is drawn (plain data, testable without painting);
:class:`TimelineWidget` paints it from precomputed peaks and caches the static layer."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from reviewer.audio.peaks import Peaks
from reviewer.labels import signed
from reviewer.library.store import StoredCall
from reviewer.model import Clip, Comment
from reviewer.ui.style import (
    CATEGORY_COLOURS,
    CLIP_COLOUR,
    MARKER_COLOURS,
    MARKER_NAMES,
    ROLE_COLOURS,
    SENTIMENT_COLOURS,
    SHARE_COLOURS,
    clock,
    speaker_label,
)


@dataclass(frozen=True)
class Item:
    """Something on the timeline: a marker, a tracker hit, a comment or a clip (a point when end
    is None)."""

    kind: str  # marker kind, "tracker", "comment", "sentiment" or "clip"
    start: float
    end: float | None
    text: str
    speaker: str | None = None
    comment_id: int | None = None
    category: str | None = None
    tracker: str | None = None  # a tracker hit's tracker
    phrase: str | None = None  # and the phrase of it that was said
    score: float = 0.0  # a sentiment's score in [-1, 1] (its label is the category)
    clip_id: int | None = None  # a clip's (its title is the text, its note the phrase)

    def tooltip(self) -> str:
        span = clock(self.start) + (f"–{clock(self.end)}" if self.end and self.end > self.start else "")
        if self.kind == "comment":
            return f"Comment ({self.category}) at {span}\n{self.text}"
        if self.kind == "tracker":
            who = f" by {self.speaker}" if self.speaker else ""
            return f"Tracker “{self.tracker}” at {span}{who}\nPhrase: {self.phrase}\n“{self.text}”"
        if self.kind == "clip":
            note = f"\n{self.phrase}" if self.phrase else ""
            return f"Clip “{self.text}” {span}{note}\nDouble-click to edit it"
        if self.kind == "sentiment":
            return f"Customer sentiment {span}: {self.category} ({signed(self.score)})"
        return f"{MARKER_NAMES.get(self.kind, self.kind)} {span}\n{self.text}"


@dataclass(frozen=True)
class Lane:
    speaker: str
    label: str
    role: str
    spans: list[tuple[float, float]] = field(default_factory=list)


MARKER_STRIP = 7.0  # the refusals' strip at the top of the markers' band, in pixels


def waveform_image(
    peaks: Peaks,
    channel: int,
    start: float,
    seconds_per_pixel: float,
    width: float,
    height: float,
    dpr: float,
    colour: QColor,
) -> QImage:
    """One channel's min/max envelope as an image, built with numpy at device pixels: one
    array operation instead of thousands of painter calls."""
    w, h = max(1, int(width * dpr)), max(2, int(height * dpr))
    cols = peaks.columns(channel, start, seconds_per_pixel / dpr, w)
    mid = (h - 1) / 2
    gain = (h / 2 - 1) / peaks.loudest
    top = np.floor(mid - np.maximum(cols[:, 1], 0) * gain)
    bottom = np.ceil(mid - np.minimum(cols[:, 0], 0) * gain)
    rows = np.arange(h, dtype=np.float32)[:, None]
    mask = (rows >= top[None, :]) & (rows <= bottom[None, :])
    argb = np.where(mask, np.uint32(colour.rgba()), np.uint32(0)).astype(np.uint32)
    image = QImage(argb.data, w, h, w * 4, QImage.Format.Format_ARGB32).copy()
    image.setDevicePixelRatio(dpr)
    return image


_BRUSHES: dict[str, tuple[QColor, QColor]] = {}


def _marker_brushes(kind: str) -> tuple[QColor, QColor]:
    """A marker kind's translucent fill (refusals' strip 120, stretches 150 of 255) and its
    solid colour, made once."""
    if kind not in _BRUSHES:
        solid = MARKER_COLOURS.get(kind, QColor("#000000"))
        fill = QColor(solid)
        fill.setAlpha(120 if kind == "refusal" else 150)
        _BRUSHES[kind] = (fill, solid)
    return _BRUSHES[kind]


class TimelineModel(QObject):
    """What the timeline shows for one call."""

    changed = Signal()
    playheadChanged = Signal(float)
    selectionChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.duration = 0.0
        self.peaks: Peaks | None = None
        self.lanes: list[Lane] = []
        self.share: list[tuple[float, float | None]] = []
        self.share_target = 0.6
        self.markers: list[Item] = []
        # The customer's turns with their sentiment: category the label, text the score.
        self.sentiment: list[Item] = []
        self.comments: list[Item] = []
        self.clips: list[Item] = []
        self.tracker_hits: list[Item] = []
        self.tracker_colours: dict[str, QColor] = {}
        self.hidden_trackers: set[str] = set()
        self.playhead = 0.0
        self.selection: tuple[float, float] | None = None
        # Stretches redacted audio hides (the redaction preview shows them over the waveform).
        self.redactions: list[tuple[float, float]] = []
        self.version = 0

    def set_call(self, stored: StoredCall, share_target: float) -> None:
        t = stored.transcript
        self.duration = t.duration
        spans: dict[str, list[tuple[float, float]]] = {s.id: [] for s in t.speakers}
        for seg in t.segments:
            spans.setdefault(seg.speaker, []).append((seg.start, seg.end))
        self.lanes = [Lane(s.id, speaker_label(s), s.role, sorted(spans.get(s.id, []))) for s in t.speakers]
        self.share = [
            (float(p.time), None if p.share is None else float(p.share))
            for p in stored.metrics.agent_share_series
        ]
        self.share_target = share_target
        self.markers = [Item(m.kind, m.start, m.end, m.text, m.speaker) for m in stored.markers]
        customer = {s.id for s in t.speakers if s.role == "customer"}
        feeling = stored.sentiment.turns if stored.sentiment is not None else ()
        self.sentiment = [
            Item("sentiment", f.start, f.end, "", f.speaker, category=f.label, score=f.score)
            for f in feeling
            if f.speaker in customer
        ]
        self.tracker_hits = []  # the page gives this call's (set_tracker_hits)
        self.clips = []  # and its clips (set_clips)
        self.selection = None
        self.playhead = min(self.playhead, self.duration)
        self._bump()

    def set_peaks(self, peaks: Peaks | None) -> None:
        self.peaks = peaks
        self._bump()

    def set_comments(self, comments: list[Comment]) -> None:
        self.comments = [Item("comment", c.start, c.end, c.text, None, c.id, c.category) for c in comments]
        self._bump()

    def set_clips(self, clips: list[Clip]) -> None:
        """The call's coaching clips, in the order of their start."""
        self.clips = [
            Item("clip", c.start, c.end, c.title, phrase=c.note or None, clip_id=c.id)
            for c in sorted(clips, key=lambda c: (c.start_ms, c.id))
        ]
        self._bump()

    def set_tracker_hits(self, hits: list, colours: dict[str, QColor], names: dict[str, str]) -> None:
        """This call's tracker hits (``TrackerHit``s), a colour per tracker, and what to call
        each speaker in a tooltip."""
        self.tracker_hits = [
            Item(
                "tracker",
                h.start,
                h.end,
                h.text,
                names.get(h.speaker, h.speaker),
                tracker=h.tracker,
                phrase=h.phrase,
            )
            for h in hits
        ]
        self.tracker_colours = dict(colours)
        self._bump()

    def set_hidden_trackers(self, names: set[str]) -> None:
        self.hidden_trackers = set(names)
        self._bump()

    def visible_tracker_hits(self) -> list[Item]:
        return [h for h in self.tracker_hits if h.tracker not in self.hidden_trackers]

    def set_redactions(self, spans: list[tuple[float, float]]) -> None:
        self.redactions = sorted(spans)
        self._bump()

    def set_playhead(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self.duration))
        if seconds != self.playhead:
            self.playhead = seconds
            self.playheadChanged.emit(seconds)

    def set_selection(self, selection: tuple[float, float] | None) -> None:
        if selection is not None:
            a, b = sorted(selection)
            selection = (max(0.0, a), min(self.duration, b))
        if selection != self.selection:
            self.selection = selection
            self.selectionChanged.emit()

    def stops(self) -> list[float]:
        """Where N/P jump: every marker, tracker hit shown and comment start, in order."""
        return sorted({round(i.start, 3) for i in self.markers + self.visible_tracker_hits() + self.comments})

    def _bump(self) -> None:
        self.version += 1
        self.changed.emit()


RULER = 18
GUTTER = 118  # the rows' names, at the left of the call's time
WAVE = 64
LANE = 18
SHARE = 18
MARKS = 22
TRACKS = 20
NOTES = 22
CLIPS = 20
GAP = 3
TICKS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


# What the gutter's tooltip says of each row (a speaker's lane says its name).
ROW_HELP = {
    "ruler": "The call's time",
    "wave0": "The recording's waveform",
    "wave1": "The recording's second channel",
    "sentiment": "How the customer comes across, turn by turn: rose negative, grey neutral, teal "
    "positive; the deeper the colour, the stronger",
    "share": "The agent's share of the talk so far: sky-blue bars within the target (dashed line), black "
    "bars over it",
    "markers": "▼ push-back (refusal) on the strip at the top; bands below: long monologue, long silence "
    "or hold, overtalk",
    "trackers": "Where a tracker's phrases or concept were said",
    "comments": "The coach's comments: flags at a moment, bands over a stretch",
    "clips": "Coaching clips, each a purple bracketed bar with its title: click to go to it, double-click to "
    "edit it; drag a range and press Ctrl+Shift+C to make one",
}


class TimelineWidget(QWidget):
    """Paints a :class:`TimelineModel`. Click seeks, drag selects, Ctrl+wheel zooms, wheel pans."""

    seekRequested = Signal(float)
    commentActivated = Signal(int)
    clipActivated = Signal(int)  # a clip double-clicked: its id
    viewChanged = Signal()  # the visible stretch moved or was zoomed

    MIN_SECONDS_PER_PIXEL = 0.002

    def __init__(self, model: TimelineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.view_start = 0.0
        self.seconds_per_pixel = 0.1
        self._fitted = True
        self._cache: QPixmap | None = None
        self._cache_key: tuple | None = None
        # The model's spans and markers as arrays in paint order, made once per model version:
        # a paint then costs numpy arithmetic and one Qt call per merged span, not Python per item.
        self._arrays: dict[str, tuple] = {}
        self._press_x: float | None = None
        self._press_time = 0.0
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Timeline")
        self.setAccessibleDescription(
            "Waveform, speaker lanes, talk share, markers, tracker hits and comments. "
            "Click to seek, drag to select."
        )
        model.changed.connect(self._model_changed)
        model.playheadChanged.connect(self._playhead_moved)
        model.selectionChanged.connect(self.update)
        self._model_changed()

    # -- geometry ----------------------------------------------------------------------------

    def _wave_rows(self) -> int:
        return max(1, self.model.peaks.channels if self.model.peaks else 1)

    def rows(self) -> dict[str, tuple[float, float]]:
        """Vertical extent (top, height) of each band."""
        y = 0.0
        out: dict[str, tuple[float, float]] = {}

        def take(name: str, h: float) -> None:
            nonlocal y
            out[name] = (y, h)
            y += h + GAP

        take("ruler", RULER)
        waves = self._wave_rows()
        for c in range(waves):
            take(f"wave{c}", WAVE / waves if waves > 1 else WAVE)
        for lane in self.model.lanes:
            take(f"lane:{lane.speaker}", LANE)
        if self.model.sentiment:
            take("sentiment", LANE)
        take("share", SHARE)
        take("markers", MARKS)
        if self.model.tracker_hits:  # no strip for a call without hits
            take("trackers", TRACKS)
        take("comments", NOTES)
        if self.model.clips:  # no row for a call without clips
            take("clips", CLIPS)
        out["_height"] = (y, 0)
        return out

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(800, int(self.rows()["_height"][0]))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, int(self.rows()["_height"][0]))

    def plot_width(self) -> float:
        """The width the call's time is drawn in: the widget's, less the gutter of row names."""
        return max(1.0, self.width() - GUTTER)

    def x_of(self, seconds: float) -> float:
        return GUTTER + (seconds - self.view_start) / self.seconds_per_pixel

    def time_at(self, x: float) -> float:
        t = self.view_start + (x - GUTTER) * self.seconds_per_pixel
        return max(0.0, min(self.model.duration, t))

    @property
    def visible(self) -> tuple[float, float]:
        return self.view_start, self.view_start + self.plot_width() * self.seconds_per_pixel

    def row_names(self) -> dict[str, str]:
        """What the gutter calls each row (by the keys of ``rows``)."""
        names = {"ruler": "Time"}
        waves = self._wave_rows()
        lanes = self.model.lanes
        for c in range(waves):
            if waves == len(lanes) == 2:
                names[f"wave{c}"] = f"{lanes[c].label.split(' ')[0]} audio"
            else:
                names[f"wave{c}"] = "Audio"
        names.update({f"lane:{lane.speaker}": lane.label for lane in lanes})
        names.update(
            {
                "sentiment": "Customer mood",
                "share": f"Agent share ({self.model.share_target:.0%})",
                "markers": "Markers",
                "trackers": "Trackers",
                "comments": "Comments",
                "clips": "Clips",
            }
        )
        return names

    # -- zoom and pan ------------------------------------------------------------------------

    def fit(self) -> None:
        self._fitted = True
        if self.model.duration > 0 and self.width() > 0:
            self.seconds_per_pixel = self.model.duration / self.plot_width()
        self.view_start = 0.0
        self._view_moved()

    def zoom(self, factor: float, anchor_time: float | None = None) -> None:
        """factor > 1 zooms in around ``anchor_time`` (default: the playhead if visible)."""
        if anchor_time is None:
            a, b = self.visible
            anchor_time = self.model.playhead if a <= self.model.playhead <= b else (a + b) / 2
        anchor_x = self.x_of(anchor_time)
        fit_spp = self.model.duration / self.plot_width() if self.model.duration else 0.1
        spp = min(fit_spp, max(self.MIN_SECONDS_PER_PIXEL, self.seconds_per_pixel / factor))
        self._fitted = spp >= fit_spp
        self.seconds_per_pixel = spp
        self.view_start = anchor_time - (anchor_x - GUTTER) * spp
        self._clamp()
        self._view_moved()

    def pan(self, pixels: float) -> None:
        self.view_start += pixels * self.seconds_per_pixel
        self._clamp()
        self._view_moved()

    def scroll_to(self, seconds: float) -> None:
        """Show the call from ``seconds`` on, at the current zoom."""
        self._fitted = False
        self.view_start = seconds
        self._clamp()
        self._view_moved()

    def show_time(self, seconds: float) -> None:
        """Scroll so ``seconds`` is visible (a page at a time, as players do)."""
        a, b = self.visible
        if not (a <= seconds <= b):
            self.view_start = seconds - 0.1 * (b - a)
            self._clamp()
            self._view_moved()

    def _view_moved(self) -> None:
        self.update()
        self.viewChanged.emit()

    def _clamp(self) -> None:
        span = self.plot_width() * self.seconds_per_pixel
        self.view_start = max(0.0, min(self.view_start, max(0.0, self.model.duration - span)))

    # -- model events ------------------------------------------------------------------------

    def _model_changed(self) -> None:
        self._cache = None
        self._arrays = {}
        self.updateGeometry()
        self.setFixedHeight(int(self.rows()["_height"][0]))
        if self._fitted:
            self.fit()
        else:
            self._clamp()
            self._view_moved()

    def _playhead_moved(self, seconds: float) -> None:
        self.show_time(seconds)
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        if self._fitted:
            self.fit()
        else:
            self._clamp()
            self._view_moved()
        super().resizeEvent(event)

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:  # noqa: N802, ANN001
        dpr = self.devicePixelRatioF()
        key = (self.model.version, self.view_start, self.seconds_per_pixel, self.width(), self.height(), dpr)
        if self._cache is None or self._cache_key != key:
            self._cache = self.render_static(dpr)
            self._cache_key = key
        p = QPainter(self)
        p.drawPixmap(0, 0, self._cache)
        h = self.height()
        p.setClipRect(QRectF(GUTTER, 0, self.plot_width(), h))
        sel = self.model.selection
        if sel:
            x0, x1 = self.x_of(sel[0]), self.x_of(sel[1])
            p.fillRect(QRectF(x0, 0, max(1.0, x1 - x0), h), QColor(30, 120, 220, 60))
        x = self.x_of(self.model.playhead)
        p.setPen(QPen(QColor("#d32f2f"), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, h))
        if self.hasFocus():
            p.setClipping(False)
            p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DotLine))
            p.drawRect(QRectF(0.5, 0.5, self.width() - 1, h - 1))
        p.end()

    def render_static(self, dpr: float) -> QPixmap:
        """Everything but the playhead and selection, at the screen's pixel density."""
        pm = QPixmap(int(self.width() * dpr) or 1, int(self.height() * dpr) or 1)
        pm.setDevicePixelRatio(dpr)
        pm.fill(self.palette().color(QPalette.ColorRole.Base))
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        rows = self.rows()
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        p.setFont(font)
        p.setClipRect(QRectF(GUTTER, 0, self.plot_width(), self.height()))
        self._paint_ruler(p, rows["ruler"])
        for c in range(self._wave_rows()):
            self._paint_wave(p, rows[f"wave{c}"], c, dpr)
        if self.model.redactions:
            self._paint_redactions(p, rows)
        for lane in self.model.lanes:
            self._paint_lane(p, rows[f"lane:{lane.speaker}"], lane)
        if "sentiment" in rows:
            self._paint_sentiment(p, rows["sentiment"])
        self._paint_share(p, rows["share"])
        self._paint_markers(p, rows["markers"])
        if "trackers" in rows:
            self._paint_trackers(p, rows["trackers"])
        self._paint_comments(p, rows["comments"])
        if "clips" in rows:
            self._paint_clips(p, rows["clips"])
        p.setClipping(False)
        self._paint_gutter(p, rows)
        p.end()
        return pm

    def _paint_gutter(self, p: QPainter, rows: dict[str, tuple[float, float]]) -> None:
        """Each row's name at the left, clear of the call (cut short with … where it is long:
        its tooltip says it whole)."""
        p.fillRect(QRectF(0, 0, GUTTER - 2, self.height()), self.palette().color(QPalette.ColorRole.Window))
        metrics = p.fontMetrics()
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        for key, name in self.row_names().items():
            if key not in rows:
                continue
            y, h = rows[key]
            text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, GUTTER - 10)
            p.drawText(
                QRectF(4, y, GUTTER - 8, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text
            )

    def row_at(self, y: float) -> str | None:
        """The key of the row at height ``y`` (see ``rows``)."""
        for key, (top, h) in self.rows().items():
            if not key.startswith("_") and top <= y <= top + h:
                return key
        return None

    def _visible_range(self) -> tuple[float, float]:
        a, b = self.visible
        return a - self.seconds_per_pixel, b + self.seconds_per_pixel

    def _paint_ruler(self, p: QPainter, row: tuple[float, float]) -> None:
        y, h = row
        text = self.palette().color(QPalette.ColorRole.Text)
        p.setPen(text)
        step = next((t for t in TICKS if t / self.seconds_per_pixel >= 70), TICKS[-1])
        a, b = self.visible
        t = np.floor(a / step) * step
        while t <= b:
            x = self.x_of(t)
            p.drawLine(QPointF(x, y + h - 5), QPointF(x, y + h))
            label = clock(t, tenths=step < 1)
            p.drawText(
                QRectF(x + 3, y, 80, h - 2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label
            )
            t += step

    def _paint_wave(self, p: QPainter, row: tuple[float, float], channel: int, dpr: float) -> None:
        y, h = row
        p.fillRect(QRectF(0, y, self.width(), h), self.palette().color(QPalette.ColorRole.AlternateBase))
        peaks = self.model.peaks
        if peaks is None:
            p.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            p.drawText(QRectF(GUTTER + 6, y, 300, h), Qt.AlignmentFlag.AlignVCenter, "Waveform loading…")
            return
        colour = QColor("#546e7a")
        if len(self.model.lanes) == peaks.channels == 2:
            colour = ROLE_COLOURS.get(self.model.lanes[channel].role, colour)
        image = waveform_image(
            peaks, channel, self.view_start, self.seconds_per_pixel, self.plot_width(), h, dpr, colour
        )
        p.drawImage(QPointF(GUTTER, y), image)

    def _paint_redactions(self, p: QPainter, rows: dict[str, tuple[float, float]]) -> None:
        """What redacted audio hides: hatched black over every channel's waveform."""
        top = rows["wave0"][0]
        last = rows[f"wave{self._wave_rows() - 1}"]
        h = last[0] + last[1] - top
        p.setPen(QPen(QColor(0, 0, 0, 200), 1))
        for s, e in self._spans_in_view(self.model.redactions):
            rect = QRectF(self.x_of(s), top, max(2.0, (e - s) / self.seconds_per_pixel), h)
            p.fillRect(rect, QColor(0, 0, 0, 110))
            p.fillRect(rect, QBrush(QColor(0, 0, 0, 200), Qt.BrushStyle.BDiagPattern))
            p.drawRect(rect)

    def _spans_in_view(self, spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
        a, b = self._visible_range()
        starts = [s for s, _ in spans]
        i = max(0, bisect.bisect_left(starts, a) - 1)
        out = []
        for s, e in spans[i:]:
            if s > b:
                break
            if e >= a:
                out.append((s, e))
        return out

    def _span_array(self, key: str, spans: list[tuple[float, float]]) -> np.ndarray:
        """``spans`` as an (n, 2) array of seconds, kept until the model changes."""
        if key not in self._arrays:
            self._arrays[key] = (np.asarray(spans, dtype=np.float64).reshape(-1, 2),)
        return self._arrays[key][0]

    def _merged_x(self, spans: np.ndarray, min_width: float) -> tuple[np.ndarray, np.ndarray]:
        """Where each span (sorted by start) is drawn, at least ``min_width`` wide, those that
        overlap on screen merged into one (an opaque fill of the union paints the same pixels),
        and those out of sight left out: left and right edges in widget pixels."""
        if not len(spans):
            return np.empty(0), np.empty(0)
        x0 = GUTTER + (spans[:, 0] - self.view_start) / self.seconds_per_pixel
        x1 = x0 + np.maximum(min_width, (spans[:, 1] - spans[:, 0]) / self.seconds_per_pixel)
        keep = (x1 >= GUTTER - 1.0) & (x0 <= self.width() + 1.0)
        x0, x1 = x0[keep], x1[keep]
        if not len(x0):
            return x0, x1
        reach = np.maximum.accumulate(x1)
        first = np.concatenate(([True], x0[1:] > reach[:-1]))  # starts clear of all before it
        last = np.concatenate((first[1:], [True]))
        return x0[first], reach[last]

    def _paint_lane(self, p: QPainter, row: tuple[float, float], lane: Lane) -> None:
        y, h = row
        colour = ROLE_COLOURS.get(lane.role, ROLE_COLOURS["unknown"])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        x0, x1 = self._merged_x(self._span_array(f"lane:{lane.speaker}", lane.spans), 1.0)
        if len(x0):
            top, height = y + 2, h - 4
            lefts, rights = x0.tolist(), x1.tolist()
            p.drawRects([QRectF(a, top, b - a, height) for a, b in zip(lefts, rights, strict=True)])

    def _paint_sentiment(self, p: QPainter, row: tuple[float, float]) -> None:
        """The customer's turns in their sentiment's colour, the stronger the score the deeper."""
        y, h = row
        p.setPen(Qt.PenStyle.NoPen)
        a, b = self._visible_range()
        for item in self.model.sentiment:
            end = item.end if item.end is not None else item.start
            if end < a or item.start > b:
                continue
            colour = QColor(SENTIMENT_COLOURS.get(item.category or "neutral", SENTIMENT_COLOURS["neutral"]))
            strength = min(1.0, abs(item.score))
            colour.setAlpha(int(90 + 165 * strength) if item.category != "neutral" else 140)
            p.setBrush(colour)
            x0, x1 = self.x_of(item.start), self.x_of(end)
            p.drawRect(QRectF(x0, y + 2, max(2.0, x1 - x0), h - 4))

    def _paint_share(self, p: QPainter, row: tuple[float, float]) -> None:
        y, h = row
        p.setPen(Qt.PenStyle.NoPen)
        series = self.model.share
        if len(series) >= 2:
            step = series[1][0] - series[0][0]
            width = max(1.0, step / self.seconds_per_pixel)
            if "share" not in self._arrays:
                valued = [(t, share) for t, share in series if share is not None]
                self._arrays["share"] = (np.asarray(valued, dtype=np.float64).reshape(-1, 2),)
            points = self._arrays["share"][0]
            x0 = GUTTER + (points[:, 0] - step / 2 - self.view_start) / self.seconds_per_pixel
            shown = (x0 + width >= GUTTER) & (x0 <= self.width())
            bars = points[:, 1] * (h - 2)
            above = points[:, 1] > self.model.share_target
            over, within = SHARE_COLOURS["over"], SHARE_COLOURS["within"]
            for part, colour in ((shown & above, over), (shown & ~above, within)):
                if part.any():
                    p.setBrush(colour)
                    p.drawRects(
                        [
                            QRectF(x, y + h - bar, width, bar)
                            for x, bar in zip(x0[part].tolist(), bars[part].tolist(), strict=True)
                        ]
                    )
        target_y = y + h - self.model.share_target * (h - 2)
        p.setPen(QPen(QColor("#424242"), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(GUTTER, target_y), QPointF(self.width(), target_y))

    def _marker_arrays(self) -> tuple[list[str], np.ndarray]:
        """The markers in paint order (stretches first, refusals over them) and their spans."""
        if "markers" not in self._arrays:
            ordered = sorted(self.model.markers, key=lambda m: m.kind == "refusal")
            spans = np.asarray(
                [(m.start, m.end if m.end is not None else m.start) for m in ordered], dtype=np.float64
            ).reshape(-1, 2)
            self._arrays["markers"] = ([m.kind for m in ordered], spans)
        return self._arrays["markers"]

    def _paint_markers(self, p: QPainter, row: tuple[float, float]) -> None:
        """Stretches (monologue, silence, overtalk) fill the lower part of the band; refusals sit
        above them as triangles on a strip, so both stay readable where they coincide."""
        y, h = row
        strip = MARKER_STRIP
        kinds, spans = self._marker_arrays()
        if not kinds:
            return
        x0s = GUTTER + (spans[:, 0] - self.view_start) / self.seconds_per_pixel
        x1s = GUTTER + (spans[:, 1] - self.view_start) / self.seconds_per_pixel
        shown = np.flatnonzero((x1s >= -8) & (x0s <= self.width() + 8)).tolist()
        x0s, x1s = x0s.tolist(), x1s.tolist()
        p.setPen(Qt.PenStyle.NoPen)
        brush = None
        for i in shown:
            kind, x0, x1 = kinds[i], x0s[i], x1s[i]
            fill, solid = _marker_brushes(kind)
            if brush is not fill:
                p.setBrush(fill)
                brush = fill
            if kind == "refusal":
                p.drawRect(QRectF(x0, y + 2, max(2.0, x1 - x0), strip - 3))
                p.setBrush(solid)
                brush = solid
                p.drawPolygon(QPolygonF([QPointF(x0 - 5, y), QPointF(x0 + 5, y), QPointF(x0, y + strip + 1)]))
            else:
                p.drawRect(QRectF(x0, y + strip + 1, max(2.0, x1 - x0), h - strip - 2))

    def _paint_trackers(self, p: QPainter, row: tuple[float, float]) -> None:
        """Each hit a flag in its tracker's colour over the turn it was said in, with the
        tracker's name beside it where the next hit leaves room."""
        y, h = row
        hits = self.model.visible_tracker_hits()
        if not hits:
            p.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            p.drawText(
                QRectF(GUTTER + 6, y, self.plot_width() - 12, h),
                Qt.AlignmentFlag.AlignVCenter,
                "Tracker hits hidden (the Trackers button shows them)",
            )
            return
        metrics = p.fontMetrics()
        xs = [self.x_of(i.start) for i in hits]
        for n, item in enumerate(hits):
            x0 = xs[n]
            x1 = self.x_of(item.end if item.end is not None else item.start)
            room = (xs[n + 1] if n + 1 < len(hits) else self.width() + 200) - x0
            if x1 < -8 or x0 > self.width() + 8:
                continue
            colour = self.model.tracker_colours.get(item.tracker or "", QColor("#00897b"))
            fill = QColor(colour)
            fill.setAlpha(70)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(fill)
            p.drawRect(QRectF(x0, y + h - 6, max(2.0, x1 - x0), 4))
            p.setPen(QPen(colour, 2))
            p.drawLine(QPointF(x0, y + 1), QPointF(x0, y + h - 1))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawPolygon(QPolygonF([QPointF(x0, y + 1), QPointF(x0 + 9, y + 5), QPointF(x0, y + 9)]))
            label = item.tracker or ""
            at = max(x0, float(GUTTER))  # a hit said from before the view keeps its name in sight
            room -= at - x0
            if room > 24:
                text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(room - 16))
                p.setPen(colour.darker(130))
                p.drawText(QRectF(at + 11, y, room - 12, h - 4), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_comments(self, p: QPainter, row: tuple[float, float]) -> None:
        y, h = row
        for c in self.model.comments:
            colour = CATEGORY_COLOURS.get(c.category or "other", CATEGORY_COLOURS["other"])
            x0 = self.x_of(c.start)
            if c.end is not None:
                x1 = self.x_of(c.end)
                if x1 < 0 or x0 > self.width():
                    continue
                fill = QColor(colour)
                fill.setAlpha(110)
                p.setPen(QPen(colour, 1))
                p.setBrush(fill)
                p.drawRoundedRect(QRectF(x0, y + 3, max(3.0, x1 - x0), h - 6), 3, 3)
            else:
                if x0 < -12 or x0 > self.width() + 2:
                    continue
                p.setPen(QPen(colour, 2))
                p.drawLine(QPointF(x0, y + 1), QPointF(x0, y + h - 1))
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(colour)
                p.drawPolygon(QPolygonF([QPointF(x0, y + 1), QPointF(x0 + 13, y + 6), QPointF(x0, y + 12)]))

    def _paint_clips(self, p: QPainter, row: tuple[float, float]) -> None:
        """Each clip a bar over its range, closed by a bracket at each end (so clips that touch
        stay two), with its title inside where the bar leaves room."""
        y, h = row
        metrics = p.fontMetrics()
        solid = CLIP_COLOUR
        fill = QColor(solid)
        fill.setAlpha(60)
        a, b = self._visible_range()
        for c in self.model.clips:
            end = c.end if c.end is not None else c.start
            if end < a or c.start > b:
                continue
            x0, x1 = self.x_of(c.start), self.x_of(end)
            width = max(3.0, x1 - x0)
            rect = QRectF(x0, y + 3, width, h - 6)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(fill)
            p.drawRect(rect)
            p.setPen(QPen(solid, 2))
            for x, tick in ((x0 + 1, 4), (x0 + width - 1, -4)):
                p.drawLine(QPointF(x, y + 1), QPointF(x, y + h - 1))
                p.drawLine(QPointF(x, y + 1), QPointF(x + tick, y + 1))
                p.drawLine(QPointF(x, y + h - 1), QPointF(x + tick, y + h - 1))
            left = max(x0, float(GUTTER)) + 5  # a clip begun before the view keeps its title in sight
            room = x0 + width - 5 - left
            if room > 20:
                p.setPen(solid.darker(150))
                text = metrics.elidedText(c.text, Qt.TextElideMode.ElideRight, int(room))
                p.drawText(QRectF(left, y, room, h), Qt.AlignmentFlag.AlignVCenter, text)

    # -- interaction -------------------------------------------------------------------------

    def item_at(self, x: float, y: float) -> Item | None:
        if x < GUTTER:
            return None
        rows = self.rows()
        for name, items in (
            ("sentiment", self.model.sentiment),
            ("markers", self.model.markers),
            ("trackers", self.model.visible_tracker_hits()),
            ("comments", self.model.comments),
            ("clips", self.model.clips),
        ):
            if name not in rows:
                continue
            top, h = rows[name]
            if top <= y <= top + h:
                if name == "markers":  # refusals on the strip at the top, stretches below it
                    on_strip = y <= top + MARKER_STRIP + 1
                    items = [m for m in items if (m.kind == "refusal") == on_strip]
                return self._nearest(items, self.time_at(x))
        return None

    def _nearest(self, items, t: float):  # noqa: ANN001, ANN202 - markers, hits or comments
        """The item under time ``t``: of those whose span (widened by a few pixels) holds it, the
        one that starts latest before it (the innermost where they overlap), else the nearest."""
        tol = 4 * self.seconds_per_pixel
        spans = [(i, i.start, i.end if i.end is not None else i.start) for i in items]
        hits = [(i, a, b) for i, a, b in spans if a - tol <= t <= b + tol * 3]
        if not hits:
            return None
        inside = [(i, a) for i, a, b in hits if a <= t <= b]
        if inside:
            return max(inside, key=lambda ia: ia[1])[0]
        return min(hits, key=lambda iab: min(abs(iab[1] - t), abs(iab[2] - t)))[0]

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            pos = e.position() if hasattr(e, "position") else e.pos()
            item = self.item_at(pos.x(), pos.y())
            row = self.row_at(pos.y()) if pos.x() < GUTTER else None
            if item:
                QToolTip.showText(e.globalPos(), item.tooltip(), self)
            elif row is not None:
                QToolTip.showText(
                    e.globalPos(), ROW_HELP.get(row.partition(":")[0], self.row_names()[row]), self
                )
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def mousePressEvent(self, e) -> None:  # noqa: N802, ANN001
        if e.button() == Qt.MouseButton.LeftButton:
            self._press_x = e.position().x()
            self._press_time = self.time_at(self._press_x)
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e) -> None:  # noqa: N802, ANN001
        if self._press_x is not None and abs(e.position().x() - self._press_x) > 3:
            self.model.set_selection((self._press_time, self.time_at(e.position().x())))
        super().mouseMoveEvent(e)

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802, ANN001
        if e.button() == Qt.MouseButton.LeftButton and self._press_x is not None:
            x = e.position().x()
            if abs(x - self._press_x) <= 3:
                self.model.set_selection(None)
                item = self.item_at(x, e.position().y())
                if item is not None and item.comment_id is not None:
                    self.commentActivated.emit(item.comment_id)
                    self.seekRequested.emit(item.start)
                elif item is not None and item.kind in ("tracker", "clip"):
                    self.seekRequested.emit(item.start)  # where the phrase's turn begins
                else:
                    self.seekRequested.emit(self.time_at(x))
            else:
                self.model.set_selection((self._press_time, self.time_at(x)))
            self._press_x = None
        super().mouseReleaseEvent(e)

    def mouseDoubleClickEvent(self, e) -> None:  # noqa: N802, ANN001
        if e.button() == Qt.MouseButton.LeftButton:
            item = self.item_at(e.position().x(), e.position().y())
            if item is not None and item.clip_id is not None:
                self._press_x = None  # the click that ends it has done its work
                self.clipActivated.emit(item.clip_id)
                e.accept()
                return
        super().mouseDoubleClickEvent(e)

    def wheelEvent(self, e) -> None:  # noqa: N802, ANN001
        delta = e.angleDelta().y() or e.angleDelta().x()
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if delta > 0 else 0.8, self.time_at(e.position().x()))
        else:
            self.pan(-delta / 120 * 60)
        e.accept()
