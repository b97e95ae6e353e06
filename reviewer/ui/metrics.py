"""The metrics panel: talk share per side, markers by kind, words per minute, response gap."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from reviewer.labels import MARKER_PLURALS as PLURALS
from reviewer.labels import duration_text as _seconds
from reviewer.labels import speaker_label
from reviewer.model import Marker, Metrics, Speaker


class MetricsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.setAccessibleName("Call metrics")
        self.values: dict[str, str] = {}

    def set_metrics(
        self,
        metrics: Metrics,
        speakers: list[Speaker],
        markers: list[Marker],
        share_target: float,
    ) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.values = {}

        def add(label: str, value: str) -> None:
            self.values[label] = value
            v = QLabel(value)
            v.setWordWrap(True)
            v.setAccessibleName(label)
            self.form.addRow(label, v)

        share = metrics.agent_talk_share
        if share is None:
            add("Agent talk share", "no agent identified")
        else:
            verdict = "over target" if share > share_target else "within target"
            add("Agent talk share", f"{share:.0%} ({verdict} {share_target:.0%})")
        by_id = {s.id: s for s in speakers}
        for m in metrics.speakers:
            s = by_id.get(m.speaker)
            label = speaker_label(s) if s else m.speaker
            add(label, f"talks {_seconds(m.talk_seconds)}, {m.words_per_minute:.0f} words/min")
        for kind, name in PLURALS.items():
            found = [k for k in markers if k.kind == kind]
            total = sum((k.end or k.start) - k.start for k in found)
            in_all = f", {_seconds(total)} in all" if found and kind != "refusal" else ""
            add(name, f"{len(found)}{in_all}")
        add("Longest monologue", _seconds(metrics.longest_monologue))
        add("Longest silence", _seconds(metrics.longest_silence))
        gap = metrics.response_gap_median
        add(
            "Agent response gap",
            "—" if gap is None else f"median {gap:.1f} s over {metrics.response_gap_count} replies",
        )
