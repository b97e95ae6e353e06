"""The library: every call with its key metrics (sortable, filterable), full-text search across
transcripts, and imports with per-file progress, Cancel and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reviewer.labels import OUTCOME_NAMES, SENTIMENT_CHANGES
from reviewer.library.store import Library
from reviewer.model import CallSummary, SearchHit
from reviewer.ui.library_worker import LatestReads, LibraryWorker
from reviewer.ui.style import clock
from reviewer.ui.tables import RowsModel
from reviewer.ui.trackers import TrackedFilter

SEARCH_HITS = 200  # matching turns listed under a search; the table lists every call that matches

STAGES = {
    "decode": "decoding",
    "transcribe": "transcribing",
    "speakers": "finding speakers",
    "analyse": "analysing",
    "store": "saving",
}


def read_list(
    library: Library, choice: tuple[str, bool] | None
) -> tuple[list[CallSummary], list[int] | None]:
    """The library's calls as the list shows them, and the calls where the filter's tracker was
    said (None without a tracker filter)."""
    tracked = list(library.calls_with_tracker(choice[0])) if choice is not None else None
    return library.list_calls(brief=True), tracked


def _ms_clock(value: int | None) -> str:
    return "" if value is None else clock(value / 1000)


def _score_text(r: CallSummary) -> str:
    """ "62 ✓" (passed), "0 ✗" (failed), "88 ?" (provisional: items still to answer), with
    "⚑ 1" for an open dispute; empty when unscored."""
    if r.score is None:
        return ""
    mark = ("✓" if r.passed else "✗") if r.score_final else "?"
    text = f"{r.score:.0f} {mark}"
    if r.open_disputes:
        text += f"  ⚑ {r.open_disputes}"
    return text


# The customer's sentiment change as the list shows it (sorting worse, same, better).
SENTIMENT_MARKS = {"better": "↗ better", "same": "→ same", "worse": "↘ worse"}
SENTIMENT_ORDER = {"worse": 0, "same": 1, "better": 2}
# The list's filters on the call at a glance: the CallSummary field each one matches.
GLANCE_FILTERS = ("reason_label", "outcome", "sentiment_change")


class CallsModel(RowsModel):
    COLUMNS = (
        ("Name", lambda r: r.name, lambda r: r.name.lower()),
        ("Date", lambda r: (r.recorded_at or "")[:16].replace("T", " "), lambda r: r.recorded_at or ""),
        ("Duration", lambda r: _ms_clock(r.duration_ms), lambda r: r.duration_ms or 0),
        ("Agent", lambda r: r.agent or "", lambda r: (r.agent or "").lower()),
        (
            "Agent talk",
            lambda r: "" if r.agent_talk_share is None else f"{r.agent_talk_share:.0%}",
            lambda r: -1.0 if r.agent_talk_share is None else r.agent_talk_share,
        ),
        ("Refusals", lambda r: str(r.refusal_count or 0), lambda r: r.refusal_count or 0),
        (
            "Longest monologue",
            lambda r: _ms_clock(r.longest_monologue_ms),
            lambda r: r.longest_monologue_ms or 0,
        ),
        (
            "Longest silence",
            lambda r: _ms_clock(r.longest_silence_ms),
            lambda r: r.longest_silence_ms or 0,
        ),
        ("Score", lambda r: _score_text(r), lambda r: -1.0 if r.score is None else r.score),
        ("Comments", lambda r: str(r.comment_count), lambda r: r.comment_count),
        ("Status", lambda r: r.review_status or "new", lambda r: r.review_status or ""),
        ("Reason", lambda r: r.reason_label or "", lambda r: (r.reason_label or "").lower()),
        ("Outcome", lambda r: r.outcome or "", lambda r: r.outcome or ""),
        (
            "Sentiment",
            lambda r: SENTIMENT_MARKS.get(r.sentiment_change or "", ""),
            lambda r: SENTIMENT_ORDER.get(r.sentiment_change or "", -1),
        ),
        ("Tracked", lambda r: str(r.tracker_hits), lambda r: r.tracker_hits),
    )
    TRACKED = len(COLUMNS) - 1  # tracker hits in the call

    headers = tuple(c[0] for c in COLUMNS)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.all_rows: list[CallSummary] = []
        self._haystacks: list[str] = []
        self.text = ""
        self.agent: str | None = None
        self.call_ids: set[int] | None = None
        self.tracked: tuple[set[int], bool] | None = None  # calls with a tracker's hits; said or not
        self.glance: dict[str, str] = {}  # a GLANCE_FILTERS field → the value a call must have
        self.tracker_tooltip: Callable[[int], str] | None = None
        self.sort_column, self.sort_order = -1, Qt.SortOrder.AscendingOrder

    # Filtering and sorting happen here, on the Python list, rather than in a
    # QSortFilterProxyModel: a proxy asks Python for every comparison and every row, which took
    # over a second per sort or filter on a 10 000-call library (bench/run.py).

    def set_rows(self, rows: list[CallSummary]) -> None:
        self.beginResetModel()
        self.all_rows = rows
        self._haystacks = [f"{r.name}\n{r.agent or ''}".lower() for r in rows]
        self.rows = self._visible()
        self.endResetModel()

    def set_text(self, text: str) -> None:
        self._refilter(text=text.strip().lower())

    def set_agent(self, agent: str | None) -> None:
        self._refilter(agent=agent)

    def set_glance(self, field: str, value: str | None) -> None:
        """Only the calls whose ``field`` (one of GLANCE_FILTERS) is ``value`` (None: any)."""
        glance = {k: v for k, v in self.glance.items() if k != field}
        if value is not None:
            glance[field] = value
        self._refilter(glance=glance)

    def set_call_ids(self, ids: set[int] | None) -> None:
        self._refilter(call_ids=ids)

    def set_tracked(self, ids: set[int] | None, said: bool = True) -> None:
        """Only the calls in ``ids`` (the calls a tracker was heard in), or only those not in it."""
        self._refilter(tracked=None if ids is None else (ids, said))

    def _refilter(self, **changes: Any) -> None:
        self.beginResetModel()
        for name, value in changes.items():
            setattr(self, name, value)
        self.rows = self._visible()
        self.endResetModel()

    def _visible(self) -> list[CallSummary]:
        rows = self.all_rows
        filtered = self.agent is not None or self.call_ids is not None or self.tracked is not None
        if self.text or filtered or self.glance:
            text, agent, ids = self.text, self.agent, self.call_ids
            tracked, said = self.tracked or (None, True)
            glance = list(self.glance.items())
            rows = [
                r
                for r, hay in zip(self.all_rows, self._haystacks, strict=True)
                if (agent is None or (r.agent or "") == agent)
                and (ids is None or r.id in ids)
                and (tracked is None or (r.id in tracked) == said)
                and (not text or text in hay)
                and all(getattr(r, k) == v for k, v in glance)
            ]
        if 0 <= self.sort_column < len(self.COLUMNS):
            key = self.COLUMNS[self.sort_column][2]
            rows = sorted(rows, key=key, reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        return rows

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort keeping the selection (persistent indexes follow their calls)."""
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [self.rows[i.row()].id for i in old]
        self.rows = self._visible()
        where = {r.id: n for n, r in enumerate(self.rows)}
        self.changePersistentIndexList(
            old,
            [
                self.index(where[i], idx.column()) if i in where else QModelIndex()
                for i, idx in zip(ids, old, strict=True)
            ],
        )
        self.layoutChanged.emit()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        _, show, _key = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return show(row)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (2, 4, 5, 6, 7, 8, self.TRACKED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.TRACKED and self.tracker_tooltip:
            return self.tracker_tooltip(row.id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.path
        return None


class ImportPanel(QWidget):
    """Per-file progress for the running import, a Cancel button, and what happened to each file."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files: list[str] = []
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p % of the import")  # the label gives the current step's own share
        self.bar.setAccessibleName("Import progress")
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.setAccessibleName("Cancel import")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.results = QListWidget()
        self.results.setAccessibleName("Import results")
        self.results.setMaximumHeight(110)
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.results)
        self.set_busy(False)
        self.results.hide()

    def set_busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.bar.setValue(0)

    def start(self, files: list[str]) -> None:
        self.files = files
        self.results.show()
        self.label.setText(f"Importing {len(files)} file{'s' if len(files) != 1 else ''}…")
        if not files:
            self.label.setText("No audio files found there.")

    def on_progress(self, index: int, stage: str, fraction: float, message: str) -> None:
        n = max(1, len(self.files))
        name = Path(self.files[index]).name if index < len(self.files) else ""
        order = list(STAGES)
        stage_pos = order.index(stage) if stage in order else 0
        weights = (0.05, 0.6, 0.25, 0.05, 0.05)
        within = sum(weights[:stage_pos]) + weights[stage_pos] * fraction
        self.bar.setValue(int(1000 * (index + min(1.0, within)) / n))
        step = STAGES.get(stage, stage)
        self.label.setText(f"{index + 1}/{n} {name}: {step}, {fraction:.0%} of this step")

    def on_outcome(self, index: int, path: str, status: str, call_id: object, message: str) -> None:
        mark = {"imported": "✓", "duplicate": "=", "failed": "✗"}.get(status, "?")
        item = QListWidgetItem(f"{mark} {Path(path).name}: {message}")
        item.setData(Qt.ItemDataRole.UserRole, status)
        self.results.addItem(item)
        self.results.scrollToBottom()

    def on_end(self, text: str) -> None:
        self.set_busy(False)
        self.label.setText(text)


class LibraryPage(QWidget):
    openCall = Signal(int, float)  # call id, where to start (seconds)
    importFilesRequested = Signal()
    importFolderRequested = Signal()
    exportRequested = Signal()

    def __init__(self, library_worker: LibraryWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Every read of the page runs on the window's library thread; each kind of read keeps
        # only its newest answer (a search typed over a slower one, a filter changed twice).
        self.library_worker = library_worker
        self.reads = LatestReads(
            lambda: self.library_worker,
            lambda error: self.count_label.setText(f"Could not read the library: {error}"),
        )
        self._tooltips: dict[int, str] = {}  # each call's tracker counts, read on a first hover ("": asked)
        self.shown_hits: list[SearchHit] = []  # the turns the last search listed
        self.model = CallsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Calls")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (1, 130),
            (2, 70),
            (3, 110),
            (4, 80),
            (5, 70),
            (6, 130),
            (7, 110),
            (8, 80),
            (9, 80),
            (CallsModel.TRACKED, 70),
        ):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name or agent")
        self.filter_edit.setAccessibleName("Filter calls")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_text)
        self.tracked_filter = TrackedFilter()
        self.tracked_filter.changed.connect(self._filter_tracked)
        # Filters on the call at a glance: why they called, how it ended, how the customer's mood went.
        self.glance_filters: dict[str, QComboBox] = {}
        for field, anyone, name in (
            ("reason_label", "Any reason", "Filter by reason"),
            ("outcome", "Any outcome", "Filter by outcome"),
            ("sentiment_change", "Any sentiment", "Filter by the customer's sentiment change"),
        ):
            box = QComboBox()
            box.addItem(anyone, None)
            box.setAccessibleName(name)
            box.setToolTip(name)
            box.currentIndexChanged.connect(
                lambda _i, f=field, b=box: self.model.set_glance(f, b.currentData())
            )
            box.currentIndexChanged.connect(lambda _i: self._count())
            self.glance_filters[field] = box
        for outcome, words in OUTCOME_NAMES.items():
            self.glance_filters["outcome"].addItem(words, outcome)
        for change in SENTIMENT_CHANGES:
            self.glance_filters["sentiment_change"].addItem(f"Customer {SENTIMENT_MARKS[change]}", change)
        self.model.tracker_tooltip = self._tracker_tooltip
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search all transcripts…")
        self.search_edit.setAccessibleName("Search transcripts")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(lambda: self.search(self.search_edit.text()))
        self.search_edit.textChanged.connect(lambda t: None if t.strip() else self.search(""))
        self.hits = QListWidget()
        self.hits.setAccessibleName("Search results")
        self.hits.itemActivated.connect(self._open_hit)
        self.hits.itemDoubleClicked.connect(self._open_hit)
        self.hits.hide()
        self.import_files_button = QPushButton("Import &files…")
        self.import_folder_button = QPushButton("Import f&older…")
        self.export_button = QPushButton("&Export…")
        self.export_button.setToolTip("Reports and data for the selected calls, or all calls listed")
        self.export_button.clicked.connect(self.exportRequested)
        self.import_files_button.clicked.connect(self.importFilesRequested)
        self.import_folder_button.clicked.connect(self.importFolderRequested)
        self.count_label = QLabel()
        self.empty_label = QLabel(
            "No calls yet. Import recordings with the buttons above, or drop files or folders here."
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.import_panel = ImportPanel()
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.tracked_filter)
        for box in self.glance_filters.values():
            top.addWidget(box)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.import_files_button)
        top.addWidget(self.import_folder_button)
        top.addWidget(self.export_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.hits)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.import_panel)
        self.setTabOrder(self.filter_edit, self.search_edit)
        self.setTabOrder(self.search_edit, self.table)
        self.trackers_changed()

    def library_changed(self) -> None:
        """The window opened another library (the library thread reads it now)."""
        self._tooltips.clear()
        self.trackers_changed()

    def refresh(self) -> None:
        """Read the list again (on the library thread) and show it."""
        choice = self.tracked_filter.choice()
        self.reads.read(
            "list", lambda library: read_list(library, choice), lambda read: self.show_rows(*read, choice)
        )

    def show_rows(self, rows: list[CallSummary], tracked: list[int] | None, choice: Any = None) -> None:
        """The list as :func:`read_list` read it (on the library thread)."""
        selected = self.selected_call()
        if self.tracked_filter.choice() is not None and tracked is not None:
            # hits change with corrections and imports
            if choice == self.tracked_filter.choice():
                self.model.set_tracked(set(tracked), choice[1])
            else:
                self._filter_tracked(self.tracked_filter.choice(), refresh=False)
        self._tooltips.clear()
        self.model.set_rows(rows)
        self._offer_reasons(rows)
        self._count()
        if selected is not None:
            self.select_call(selected)

    def _offer_reasons(self, rows: list[CallSummary]) -> None:
        """The reason filter offers the reasons the library's calls have (the one chosen stays)."""
        box = self.glance_filters["reason_label"]
        reasons = sorted({r.reason_label for r in rows if r.reason_label})
        if reasons == [box.itemData(i) for i in range(1, box.count())]:
            return
        chosen = box.currentData()
        box.blockSignals(True)
        while box.count() > 1:
            box.removeItem(1)
        for reason in reasons:
            box.addItem(reason, reason)
        box.setCurrentIndex(max(0, box.findData(chosen)) if chosen is not None else 0)
        box.blockSignals(False)
        if chosen is not None and box.currentData() is None:
            self.model.set_glance("reason_label", None)

    def _count(self) -> None:
        self.empty_label.setVisible(not self.model.all_rows)
        shown = self.model.rowCount()
        total = len(self.model.all_rows)
        noun = "call" if total == 1 else "calls"
        self.count_label.setText(f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}")

    def _filter_text(self, text: str) -> None:
        selected = self.selected_call_ids()
        self.model.set_text(text)
        self._count()
        for call_id in selected:
            self.select_call(call_id, add=True)

    def trackers_changed(self) -> None:
        """The library's trackers changed (the Trackers dialog): new choices, counts, filter."""

        def show(names: list[str]) -> None:
            self.tracked_filter.set_trackers(names)
            self.refresh()

        self.reads.read("trackers", lambda library: [t.name for t in library.trackers()], show)

    def _filter_tracked(self, choice: tuple[str, bool] | None, *, refresh: bool = True) -> None:
        """Only the calls where the chosen tracker was said, or was not (read on the library
        thread)."""
        if choice is None:
            self.reads.drop("tracked")  # an answer on its way is stale
            self.model.set_tracked(None)
            if refresh:
                self._count()
            return
        name, said = choice

        def show(calls: list[int]) -> None:
            self.model.set_tracked(set(calls), said)
            if refresh:
                self._count()

        self.reads.read("tracked", lambda library: list(library.calls_with_tracker(name)), show)

    def _tracker_tooltip(self, call_id: int) -> str:
        """Each tracker heard in the call and how often; read on the library thread on the first
        hover (the tip shows once it is there), kept until the list is read again."""
        if call_id in self._tooltips:
            return self._tooltips[call_id] or "Reading the trackers…"
        self._tooltips[call_id] = ""  # asked for: hovering on asks no more

        def read(library: Library) -> str:
            counts: dict[str, int] = {}
            for h in library.tracker_hits(call_id):
                counts[h.tracker] = counts.get(h.tracker, 0) + 1
            if not counts:
                return "No tracker heard in this call"
            return "\n".join(f"{name}: {n}" for name, n in sorted(counts.items()))

        def show(text: str) -> None:
            self._tooltips[call_id] = text
            viewport = self.table.viewport()
            if viewport.underMouse():
                QToolTip.showText(QCursor.pos(), text, viewport)

        self.reads.read(f"tooltip {call_id}", read, show, lambda _error: self._tooltips.pop(call_id, None))
        return "Reading the trackers…"

    def set_agent(self, agent: str | None) -> None:
        self.model.set_agent(agent)
        self._count()

    def selected_call(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.data(rows[0], Qt.ItemDataRole.UserRole) if rows else None

    def selected_call_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [self.model.data(r, Qt.ItemDataRole.UserRole) for r in sorted(rows, key=lambda r: r.row())]

    def select_call(self, call_id: int, *, add: bool = False) -> None:
        for r, row in enumerate(self.model.rows):
            if row.id == call_id:
                if add:
                    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                    self.table.selectionModel().select(self.model.index(r, 0), flags)
                else:
                    self.table.selectRow(r)
                return

    def visible_call_ids(self) -> list[int]:
        return [r.id for r in self.model.rows]

    def search(self, text: str) -> None:
        """Full-text search: the table narrowed to every call that says it, the best matching
        turns (at most ``SEARCH_HITS``) listed below, once the library thread has found them
        (``shown_hits``); a newer search drops the answer of an older one."""
        if not text.strip():
            self.reads.drop("search")  # a search on its way is stale
            self.hits.clear()
            self.shown_hits = []
            self.model.set_call_ids(None)
            self.hits.hide()
            self.refresh()
            return

        def read(library: Library) -> tuple[list[SearchHit], list[int]]:
            return library.search(text, limit=SEARCH_HITS), library.calls_saying(text)

        def failed(error: BaseException) -> None:
            self.hits.clear()
            self.shown_hits = []
            self.hits.addItem(f"The search failed: {error}")
            self.hits.show()

        self.reads.read("search", read, lambda found: self._show_hits(*found), failed)

    def _show_hits(self, hits: list[SearchHit], calls: list[int]) -> None:
        self.hits.clear()
        # The best-matching call first; within a call, its turns in the order they were said.
        rank: dict[int, int] = {}
        for h in hits:
            rank.setdefault(h.call_id, len(rank))
        hits = sorted(hits, key=lambda h: (rank[h.call_id], h.start_ms))
        self.shown_hits = hits
        for h in hits:
            role = (h.role or "speaker").capitalize()
            # The turn with the words that matched in [brackets].
            item = QListWidgetItem(f"{h.name}  {clock(h.start_ms / 1000)}  {role}: {h.snippet or h.text}")
            item.setData(Qt.ItemDataRole.UserRole, (h.call_id, h.start_ms / 1000))
            self.hits.addItem(item)
        if not hits:
            self.hits.addItem("No transcript contains that.")
        if len(hits) == SEARCH_HITS:
            noun = "call says" if len(calls) == 1 else "calls say"
            self.hits.addItem(
                f"Showing the first {SEARCH_HITS} matching turns; {len(calls)} {noun} it, all listed above."
            )
        self.hits.show()
        self.model.set_call_ids(set(calls))
        self.refresh()

    def _open_index(self, index: QModelIndex) -> None:
        call_id = self.model.data(index, Qt.ItemDataRole.UserRole)
        if call_id is not None:
            self.openCall.emit(int(call_id), 0.0)

    def _open_hit(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data:
            self.openCall.emit(int(data[0]), float(data[1]))
