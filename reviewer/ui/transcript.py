"""The transcript beside the timeline: turns labelled by role, words spoken during overtalk
underlined in the overtalk colour, the current word highlighted during playback, click a word to
seek, find-in-call, and a context menu that the review page extends (who said the words)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewer.model import Transcript, Turn
from reviewer.ui.style import MARKER_COLOURS, ROLE_COLOURS, clock, speaker_label


@dataclass(frozen=True)
class Speech:
    """Words picked in the transcript: from ``start`` to ``end`` (seconds), all ``speaker``'s
    when they lie in one turn (None when the pick spans several speakers' turns)."""

    start: float
    end: float
    speaker: str | None
    words: int


@dataclass(frozen=True)
class TranscriptLayout:
    """A transcript as the view shows it, in plain data (no Qt), so that it can be made off the
    UI thread: each turn's block as its header ("0:12  Agent Ana: "), the speaker's role (the
    header's colour) and its text in runs of (text, spoken during overtalk: underlined); and for
    each word its character positions, start time, span (seconds) and turn."""

    blocks: list[tuple[str, str, list[tuple[str, bool]]]]
    word_starts: list[int]
    word_ends: list[int]
    word_times: list[float]
    word_spans: list[tuple[float, float]]
    word_turns: list[int]  # an index into ``turns``
    turns: list[Turn]
    word_time_order: list[int]  # word indices sorted by time
    times_sorted: list[float]


def layout_transcript(
    transcript: Transcript, overtalk: Sequence[tuple[float, float]] = ()
) -> TranscriptLayout:
    """Lay out turns: a header with the time and who spoke, then the turn's words; words whose
    middle falls in one of the ``overtalk`` spans (start, end) are underlined, and neighbouring
    underlined words join into one stroke. Plain Python: safe on any thread."""
    by_id = {s.id: s for s in transcript.speakers}
    inside = _within(overtalk)
    blocks: list[tuple[str, str, list[tuple[str, bool]]]] = []
    starts: list[int] = []
    ends: list[int] = []
    times: list[float] = []
    spans: list[tuple[float, float]] = []
    word_turns: list[int] = []
    words_by_speaker: dict[str, list] = {}
    for w in transcript.words:
        words_by_speaker.setdefault(w.speaker, []).append(w)
    cursor_by_speaker = dict.fromkeys(words_by_speaker, 0)
    pos = 0
    for turn_index, turn in enumerate(transcript.turns):
        speaker = by_id.get(turn.speaker)
        label = speaker_label(speaker) if speaker else turn.speaker
        if turn_index:
            pos += 1  # the block separator
        head = f"{clock(turn.start)}  {label}: "
        pos += len(head)
        words = words_by_speaker.get(turn.speaker, [])
        i = cursor_by_speaker.get(turn.speaker, 0)
        runs: list[tuple[list[str], bool]] = []  # words joined by spaces, underlined or not
        while i < len(words) and words[i].start <= turn.end + 0.01:
            w = words[i]
            i += 1
            if w.start < turn.start - 0.01:
                continue
            token = w.text.strip()
            if not token:
                continue
            spoken_over = inside((w.start + w.end) / 2)
            if runs:
                pos += 1
                if runs[-1][1] == spoken_over:
                    runs[-1][0].append(token)
                else:  # the space between a stroke and plain words is plain
                    runs.append(([token], spoken_over))
            else:
                runs.append(([token], spoken_over))
            starts.append(pos)
            pos += len(token)
            ends.append(pos)
            times.append(w.start)
            spans.append((w.start, w.end))
            word_turns.append(turn_index)
        cursor_by_speaker[turn.speaker] = i
        pieces: list[tuple[str, bool]] = []
        for n, (tokens, spoken_over) in enumerate(runs):
            text = " ".join(tokens)
            if n:
                if spoken_over:
                    pieces.append((" ", False))
                else:
                    text = " " + text
            if pieces and not spoken_over and not pieces[-1][1]:
                pieces[-1] = (pieces[-1][0] + text, False)
            else:
                pieces.append((text, spoken_over))
        if not pieces:  # a turn whose words were not found: show its text
            pieces = [(turn.text, False)]
            pos += len(turn.text)
        blocks.append((head, speaker.role if speaker else "unknown", pieces))
    order = sorted(range(len(times)), key=times.__getitem__)
    return TranscriptLayout(
        blocks,
        starts,
        ends,
        times,
        spans,
        word_turns,
        list(transcript.turns),
        order,
        [times[i] for i in order],
    )


MAX_TURNS_REPLACED = 60  # a correction changing more turns than this shows a new document


class _Formats:
    """The transcript's character formats: a turn's header (bold, in the colour of the
    speaker's role), its words, and words spoken during overtalk (a wavy underline)."""

    def __init__(self) -> None:
        self.plain = QTextCharFormat()
        self.over = QTextCharFormat()
        self.over.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.over.setUnderlineColor(MARKER_COLOURS["overtalk"])
        self._headers: dict[str, QTextCharFormat] = {}

    def header(self, role: str) -> QTextCharFormat:
        fmt = self._headers.get(role)
        if fmt is None:
            fmt = self._headers[role] = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setForeground(ROLE_COLOURS.get(role, QColor("#555")))
        return fmt


class TranscriptText(QPlainTextEdit):
    """Read-only text that knows where each word is; a click on a word asks to seek there."""

    wordClicked = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setAccessibleName("Transcript")
        self.word_starts: list[int] = []  # character positions
        self.word_ends: list[int] = []
        self.word_times: list[float] = []
        self.word_time_order: list[int] = []  # word indices sorted by time
        self.word_spans: list[tuple[float, float]] = []  # each word's (start, end) in seconds
        self.word_turns: list[int] = []  # each word's turn, an index into ``turns``
        self.turns: list[Turn] = []
        # Called with the context menu and the character under the mouse, before it shows.
        self.extend_menu: Callable[[QMenu, int], None] | None = None
        self._press_pos = None

    def word_index_at_char(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.word_starts, pos) - 1
        if 0 <= i < len(self.word_starts) and pos <= self.word_ends[i]:
            return i
        return None

    def char_range(self, index: int) -> tuple[int, int]:
        return self.word_starts[index], self.word_ends[index]

    def speech_at(self, pos: int | None = None) -> Speech | None:
        """The selected words, or else the turn of the word at character ``pos``."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            first = bisect.bisect_right(self.word_ends, cursor.selectionStart())
            last = bisect.bisect_left(self.word_starts, cursor.selectionEnd()) - 1
            if first > last:
                return None
            turns = {self.word_turns[i] for i in range(first, last + 1)}
            speaker = self.turns[turns.pop()].speaker if len(turns) == 1 else None
            start = min(self.word_spans[i][0] for i in range(first, last + 1))
            end = max(self.word_spans[i][1] for i in range(first, last + 1))
            return Speech(start, end, speaker, last - first + 1)
        index = None if pos is None else self.word_index_at_char(pos)
        if index is None:
            return None
        turn = self.turns[self.word_turns[index]]
        return Speech(turn.start, turn.end, turn.speaker, self.word_turns.count(self.word_turns[index]))

    def contextMenuEvent(self, e) -> None:  # noqa: N802, ANN001
        menu = self.createStandardContextMenu(e.pos())
        if self.extend_menu is not None:
            self.extend_menu(menu, self.cursorForPosition(e.pos()).position())
        menu.exec(e.globalPos())
        menu.deleteLater()

    def mousePressEvent(self, e) -> None:  # noqa: N802, ANN001
        self._press_pos = e.position().toPoint()
        super().mousePressEvent(e)

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802, ANN001
        super().mouseReleaseEvent(e)
        moved = (
            self._press_pos is not None and (e.position().toPoint() - self._press_pos).manhattanLength() > 3
        )
        if e.button() == Qt.MouseButton.LeftButton and not moved and not self.textCursor().hasSelection():
            index = self.word_index_at_char(self.cursorForPosition(e.position().toPoint()).position())
            if index is not None:
                self.wordClicked.emit(self.word_times[index])


class TranscriptView(QWidget):
    """The transcript with a find bar."""

    seekRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = TranscriptText(self)
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText("Find in call…")
        self.find_edit.setAccessibleName("Find in call")
        self.find_edit.setClearButtonEnabled(True)
        self.find_status = QLabel(self)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_edit.textChanged.connect(lambda _: self.find_status.clear())
        bar = QHBoxLayout()
        bar.addWidget(self.find_edit, 1)
        bar.addWidget(self.find_status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.text, 1)
        self.text.wordClicked.connect(self.seekRequested)
        self._current: int | None = None
        self._times_sorted: list[float] = []
        self._layout: TranscriptLayout | None = None  # the transcript shown
        self._formats = _Formats()

    def set_transcript(self, transcript: Transcript, overtalk: Sequence[tuple[float, float]] = ()) -> None:
        """Lay out turns: a bold role header with the time, then the turn's words; words whose
        middle falls in one of the ``overtalk`` spans (start, end) are underlined."""
        self.show_layout(layout_transcript(transcript, overtalk))

    def show_layout(self, layout: TranscriptLayout) -> None:
        """Show a transcript laid out by :func:`layout_transcript` (off the UI thread, where the
        review page reads the call). Where it differs from the one shown in a few turns (a
        correction of who said what, or its undo), only those turns' blocks are replaced (the
        view keeps its place); otherwise the document is built anew."""
        shown = self._layout
        if shown is None or not self._replace_changed(shown, layout):
            self._build(layout)
        self._layout = layout
        self.text.word_starts, self.text.word_ends = layout.word_starts, layout.word_ends
        self.text.word_times, self.text.word_spans = layout.word_times, layout.word_spans
        self.text.word_turns, self.text.turns = layout.word_turns, layout.turns
        self.text.word_time_order = layout.word_time_order
        self._times_sorted = layout.times_sorted
        self._current = None
        self.text.setExtraSelections([])

    def _build(self, layout: TranscriptLayout) -> None:
        """A new document. It is built before it gets its plain-text layout: a
        QPlainTextDocumentLayout already set would lay out the growing block again at every
        insertion (about 0.25 s for a 60-minute call, against a few ms this way)."""
        doc = QTextDocument(self)
        doc.setUndoRedoEnabled(False)
        cursor = QTextCursor(doc)
        for i, block in enumerate(layout.blocks):
            if i:
                cursor.insertBlock()
            self._insert(cursor, block)
        doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
        old = self.text.document()
        ours = old.parent() is self  # not the view's own first one (which it deletes itself)
        self.text.setDocument(doc)
        if ours:
            old.deleteLater()

    def _replace_changed(self, shown: TranscriptLayout, layout: TranscriptLayout) -> bool:
        """Replace the blocks of the turns that differ between ``shown`` and ``layout`` (one run
        of them: what a correction changes), in one edit of the document shown. False (nothing
        done) where none is shown or the run is long: then a new document is quicker."""
        old, new = shown.blocks, layout.blocks
        doc = self.text.document()
        if not old or not new or doc.blockCount() != len(old):
            return False
        limit = min(len(old), len(new))
        first = 0
        while first < limit and old[first] == new[first]:
            first += 1
        same_after = 0
        while same_after < limit - first and old[-1 - same_after] == new[-1 - same_after]:
            same_after += 1
        if first == len(old) == len(new):
            return True  # nothing to change
        if first == limit - same_after:  # turns only added or only removed: take a neighbour too
            if first > 0:
                first -= 1
            else:
                same_after -= 1
        old_end, new_end = len(old) - same_after, len(new) - same_after  # exclusive
        if max(old_end, new_end) - first > MAX_TURNS_REPLACED:
            return False
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()  # one change of the document: laid out once
        cursor.setPosition(doc.findBlockByNumber(first).position())
        last = doc.findBlockByNumber(old_end - 1)
        cursor.setPosition(last.position() + last.length() - 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        for i, block in enumerate(new[first:new_end]):
            if i:
                cursor.insertBlock()
            self._insert(cursor, block)
        cursor.endEditBlock()
        return True

    def _insert(self, cursor: QTextCursor, block: tuple[str, str, list[tuple[str, bool]]]) -> None:
        head, role, pieces = block
        cursor.insertText(head, self._formats.header(role))
        for text, spoken_over in pieces:
            cursor.insertText(text, self._formats.over if spoken_over else self._formats.plain)

    def word_at_time(self, seconds: float) -> int | None:
        k = bisect.bisect_right(self._times_sorted, seconds + 1e-6) - 1
        return self.text.word_time_order[k] if k >= 0 else None

    @property
    def current_word(self) -> int | None:
        return self._current

    def current_word_text(self) -> str:
        if self._current is None:
            return ""
        a, b = self.text.char_range(self._current)
        return self.text.toPlainText()[a:b]

    def highlight_time(self, seconds: float) -> None:
        """Highlight the word being spoken at ``seconds`` and keep it in view."""
        index = self.word_at_time(seconds)
        if index == self._current:
            return
        self._current = index
        if index is None:
            self.text.setExtraSelections([])
            return
        a, b = self.text.char_range(index)
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(a)
        cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#ffe082"))
        fmt.setForeground(QColor("#000000"))
        sel.format = fmt
        self.text.setExtraSelections([sel])
        view_cursor = QTextCursor(self.text.document())
        view_cursor.setPosition(a)
        rect = self.text.cursorRect(view_cursor)
        if not self.text.viewport().rect().contains(rect.center()):
            self.text.setTextCursor(view_cursor)
            self.text.centerCursor()

    def find_next(self) -> bool:
        """Find the next match of the find text and seek to it; wraps around."""
        needle = self.find_edit.text().strip()
        if not needle:
            return False
        doc = self.text.document()
        found = doc.find(needle, self.text.textCursor())
        if found.isNull():
            found = doc.find(needle, 0)
        if found.isNull():
            self.find_status.setText("Not found")
            return False
        self.find_status.setText("")
        self.text.setTextCursor(found)
        index = self.text.word_index_at_char(found.selectionStart())
        if index is None:  # the match is in a header: the next word is that turn's first
            k = bisect.bisect_left(self.text.word_starts, found.selectionStart())
            index = k if k < len(self.text.word_starts) else None
        if index is not None:
            self.seekRequested.emit(self.text.word_times[index])
        return True


def _within(spans: Sequence[tuple[float, float]]) -> Callable[[float], bool]:
    """A test of whether a time lies in any of ``spans``: their union, searched by bisection,
    so a long call with many overtalk spans loads without a words-by-spans scan."""
    union: list[list[float]] = []
    for a, b in sorted(spans):
        if union and a <= union[-1][1]:
            union[-1][1] = max(union[-1][1], b)
        else:
            union.append([a, b])
    starts = [a for a, _ in union]

    def inside(t: float) -> bool:
        k = bisect.bisect_right(starts, t) - 1
        return k >= 0 and t <= union[k][1]

    return inside
