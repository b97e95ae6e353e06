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

    def set_transcript(self, transcript: Transcript, overtalk: Sequence[tuple[float, float]] = ()) -> None:
        """Lay out turns: a bold role header with the time, then the turn's words; words whose
        middle falls in one of the ``overtalk`` spans (start, end) are underlined."""
        by_id = {s.id: s for s in transcript.speakers}
        doc = QTextDocument(self)
        doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
        cursor = QTextCursor(doc)
        header = QTextCharFormat()
        header.setFontWeight(QFont.Weight.Bold)
        plain = QTextCharFormat()
        starts: list[int] = []
        ends: list[int] = []
        times: list[float] = []
        middles: list[float] = []
        spans: list[tuple[float, float]] = []
        word_turns: list[int] = []
        words_by_speaker: dict[str, list] = {}
        for w in transcript.words:
            words_by_speaker.setdefault(w.speaker, []).append(w)
        cursor_by_speaker = dict.fromkeys(words_by_speaker, 0)
        pos = 0
        first = True
        for turn_index, turn in enumerate(transcript.turns):
            speaker = by_id.get(turn.speaker)
            label = speaker_label(speaker) if speaker else turn.speaker
            if not first:
                cursor.insertBlock()
                pos += 1
            first = False
            fmt = QTextCharFormat(header)
            fmt.setForeground(ROLE_COLOURS.get(speaker.role if speaker else "unknown", QColor("#555")))
            head = f"{clock(turn.start)}  {label}: "
            cursor.insertText(head, fmt)
            pos += len(head)
            words = words_by_speaker.get(turn.speaker, [])
            i = cursor_by_speaker.get(turn.speaker, 0)
            pieces: list[str] = []
            while i < len(words) and words[i].start <= turn.end + 0.01:
                w = words[i]
                i += 1
                if w.start < turn.start - 0.01:
                    continue
                token = w.text.strip()
                if not token:
                    continue
                if pieces:
                    pieces.append(" ")
                    pos += 1
                starts.append(pos)
                pos += len(token)
                ends.append(pos)
                times.append(w.start)
                middles.append((w.start + w.end) / 2)
                spans.append((w.start, w.end))
                word_turns.append(turn_index)
                pieces.append(token)
            cursor_by_speaker[turn.speaker] = i
            if not pieces:  # a turn whose words were not found: show its text
                pieces = [turn.text]
                pos += len(turn.text)
            cursor.insertText("".join(pieces), plain)
        inside = _within(overtalk)
        spoken_over = [(starts[i], ends[i]) for i, middle in enumerate(middles) if inside(middle)]
        _underline(doc, spoken_over, MARKER_COLOURS["overtalk"])
        self.text.setDocument(doc)
        self.text.word_starts, self.text.word_ends, self.text.word_times = starts, ends, times
        self.text.word_spans, self.text.word_turns = spans, word_turns
        self.text.turns = list(transcript.turns)
        order = sorted(range(len(times)), key=times.__getitem__)
        self.text.word_time_order = order
        self._times_sorted = [times[i] for i in order]
        self._current = None
        self.text.setExtraSelections([])

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


def _underline(doc: QTextDocument, ranges: list[tuple[int, int]], colour: QColor) -> None:
    """A wavy underline under each character range; neighbouring words join into one stroke."""
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    fmt.setUnderlineColor(colour)
    cursor = QTextCursor(doc)
    joined: list[list[int]] = []
    for a, b in ranges:
        if joined and a - joined[-1][1] <= 1:
            joined[-1][1] = b
        else:
            joined.append([a, b])
    for a, b in joined:
        cursor.setPosition(a)
        cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(fmt)
