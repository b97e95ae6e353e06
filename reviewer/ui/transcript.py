"""The transcript beside the timeline: turns labelled by role and tagged with their findings
(push-back with its kind and confidence, long stretches, overtalk, tracker hits: hover for what they
say), words spoken during overtalk underlined in the overtalk colour, words a coach corrected in
their own colour (hover for what was heard), the current word highlighted during playback, click a
word to seek, double-click (or select and press Enter) to correct what was said, find-in-call, and
a context menu that the review page extends (who said the words)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reviewer.model import Transcript, Turn
from reviewer.ui.style import MARKER_COLOURS, ROLE_COLOURS
from reviewer.ui.transcript_layout import (  # noqa: F401 - Speech and the layout are the view's words
    EDITED,
    OVERTALK,
    TAG_KINDS,
    Speech,
    TranscriptLayout,
    layout_transcript,
)

EDITED_COLOUR = QColor("#00796b")  # teal: apart from the roles' and the markers' colours
TRACKER_COLOUR = QColor("#5d4037")


MAX_TURNS_REPLACED = 60  # a correction changing more turns than this shows a new document


class _Formats:
    """The transcript's character formats: a turn's header (bold, in the colour of the
    speaker's role), its findings' tags (bold, each in its marker's colour), its words, words
    spoken during overtalk (a wavy underline) and words a coach corrected (the edited colour,
    dotted underline)."""

    def __init__(self) -> None:
        self.words: dict[int, QTextCharFormat] = {}
        for flags in range(4):
            fmt = QTextCharFormat()
            if flags & EDITED:
                fmt.setForeground(EDITED_COLOUR)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
                fmt.setUnderlineColor(EDITED_COLOUR)
            if flags & OVERTALK:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(MARKER_COLOURS["overtalk"])
            self.words[flags] = fmt
        self.plain, self.over = self.words[0], self.words[OVERTALK]
        self.tags: dict[str, QTextCharFormat] = {}
        for kind in TAG_KINDS:
            fmt = self.tags[kind] = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setForeground(readable(TRACKER_COLOUR if kind == "tracker" else MARKER_COLOURS[kind]))
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
    # Asks to correct what was said: the picked words (their first and last index).
    editAsked = Signal(int, int)

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
        self.turn_notes: list[str] = []  # what hovering over a turn says (its findings)
        self.word_notes: dict[int, str] = {}  # what hovering over a corrected word says
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

    def picked_words(self, pos: int | None = None) -> tuple[int, int] | None:
        """The selected words (first and last index), else the word at character ``pos``."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            first = bisect.bisect_right(self.word_ends, cursor.selectionStart())
            last = bisect.bisect_left(self.word_starts, cursor.selectionEnd()) - 1
            return (first, last) if first <= last else None
        index = None if pos is None else self.word_index_at_char(pos)
        return None if index is None else (index, index)

    def words_speech(self, first: int, last: int) -> Speech:
        """Words ``first``..``last`` as a pick: their span, and their speaker if in one turn."""
        turns = {self.word_turns[i] for i in range(first, last + 1)}
        speaker = self.turns[turns.pop()].speaker if len(turns) == 1 else None
        start = min(self.word_spans[i][0] for i in range(first, last + 1))
        end = max(self.word_spans[i][1] for i in range(first, last + 1))
        return Speech(start, end, speaker, last - first + 1)

    def words_text(self, first: int, last: int) -> str:
        return self.toPlainText()[self.word_starts[first] : self.word_ends[last]]

    def note_at(self, pos: int) -> str:
        """What hovering over character ``pos`` says: the turn's findings, and for a corrected
        word what was heard there."""
        block = self.document().findBlock(pos).blockNumber()
        notes = [self.turn_notes[block]] if 0 <= block < len(self.turn_notes) else []
        index = self.word_index_at_char(pos)
        if index is not None and index in self.word_notes:
            notes.append(self.word_notes[index])
        return "\n".join(n for n in notes if n)

    def viewportEvent(self, e: QEvent) -> bool:  # noqa: N802
        """Hovering says what a turn's tags mean and what was heard under a corrected word."""
        if e.type() == QEvent.Type.ToolTip:
            note = self.note_at(self.cursorForPosition(e.pos()).position())  # type: ignore[attr-defined]
            if note:
                QToolTip.showText(e.globalPos(), note, self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().viewportEvent(e)

    def mouseDoubleClickEvent(self, e) -> None:  # noqa: N802, ANN001
        """Double-click a word (or within the selected words) to correct it."""
        pos = self.cursorForPosition(e.position().toPoint()).position()
        index = self.word_index_at_char(pos)
        picked = self.picked_words()
        if picked is not None and index is not None and picked[0] <= index <= picked[1]:
            self.editAsked.emit(*picked)
        elif index is not None:
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.word_starts[index])
            cursor.setPosition(self.word_ends[index], QTextCursor.MoveMode.KeepAnchor)
            self.setTextCursor(cursor)
            self.editAsked.emit(index, index)
        else:
            super().mouseDoubleClickEvent(e)

    def keyPressEvent(self, e) -> None:  # noqa: N802, ANN001
        """Enter on selected words corrects them."""
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            picked = self.picked_words()
            if picked is not None and self.textCursor().hasSelection():
                self.editAsked.emit(*picked)
                return
        super().keyPressEvent(e)

    def speech_at(self, pos: int | None = None) -> Speech | None:
        """The selected words, or else the turn of the word at character ``pos``."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            picked = self.picked_words()
            return None if picked is None else self.words_speech(*picked)
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


class _WordEditor(QLineEdit):
    """The line over the transcript where a correction is typed: Enter keeps it, Escape or
    clicking elsewhere drops it."""

    kept = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Correct what was said")
        self.setPlaceholderText("What was said (empty: the words go)")
        self.returnPressed.connect(lambda: self.kept.emit(self.text()))
        self.hide()

    def keyPressEvent(self, e) -> None:  # noqa: N802, ANN001
        if e.key() == Qt.Key.Key_Escape:
            self.hide()
            self.parentWidget().setFocus()
            return
        super().keyPressEvent(e)

    def focusOutEvent(self, e) -> None:  # noqa: N802, ANN001
        super().focusOutEvent(e)
        self.hide()


def readable(colour: QColor) -> QColor:
    """A marker's colour as text on white: its own hue, darkened where it is too light to read
    (the overtalk yellow, the monologue pink), so a mark keeps its meaning and can be read."""
    if colour.lightness() <= 150:
        return colour
    return colour.darker(100 + int((colour.lightness() - 120) * 1.6))


LEGEND = (
    f'<span style="color:{MARKER_COLOURS["refusal"].name()}"><b>▼ push-back</b></span> &nbsp;'
    f'<span style="color:{readable(MARKER_COLOURS["long_monologue"]).name()}">'
    "<b>■ long stretch</b></span> &nbsp;"
    f'<span style="color:{readable(MARKER_COLOURS["overtalk"]).name()}"><b>≈ overtalk</b></span> &nbsp;'
    f'<span style="color:{TRACKER_COLOUR.name()}"><b>● tracker</b></span> &nbsp;'
    f'<span style="color:{EDITED_COLOUR.name()}"><u>corrected words</u></span> '
    "(hover for more; double-click a word, or select words and press Enter, to correct them)"
)


class TranscriptView(QWidget):
    """The transcript with a find bar, a legend of its marks and the line where a correction of
    what was said is typed."""

    seekRequested = Signal(float)
    # A correction typed: the words it replaces (their span and speaker) and what they now say.
    editRequested = Signal(object, str)

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
        self.legend = QLabel(LEGEND, self)
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("What the transcript's marks mean")
        layout.addWidget(self.legend)
        self.editor = _WordEditor(self.text.viewport())
        self.editor.kept.connect(self._edit_kept)
        self.editing: Speech | None = None  # the words the editor corrects
        self.editable = True  # False: the transcript is only read (an agent's self-review)
        self.text.editAsked.connect(self.edit_words)
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
        self.text.turn_notes, self.text.word_notes = layout.turn_notes, layout.word_notes
        self._times_sorted = layout.times_sorted
        self.editor.hide()
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

    def _insert(
        self, cursor: QTextCursor, block: tuple[str, str, list[tuple[str, int]], list[tuple[str, str]]]
    ) -> None:
        head, role, pieces, tags = block
        cursor.insertText(head, self._formats.header(role))
        for text, kind in tags:
            cursor.insertText(text, self._formats.tags[kind])
        for text, flags in pieces:
            cursor.insertText(text, self._formats.words[flags])

    # -- correcting what was said ----------------------------------------------------------

    def edit_words(self, first: int, last: int) -> bool:
        """Open the editor over words ``first``..``last``, with their text to type over."""
        if not self.editable or not 0 <= first <= last < len(self.text.word_starts):
            return False
        return self._open_editor(
            self.text.words_speech(first, last), self.text.words_text(first, last), first
        )

    def edit_turn(self, turn_index: int) -> bool:
        """Open the editor over a whole turn's text, to replace it."""
        if not self.editable or not 0 <= turn_index < len(self.text.turns):
            return False
        indices = [i for i, t in enumerate(self.text.word_turns) if t == turn_index]
        if not indices:
            return False
        turn = self.text.turns[turn_index]
        speech = Speech(turn.start, turn.end, turn.speaker, len(indices))
        return self._open_editor(speech, self.text.words_text(indices[0], indices[-1]), indices[0])

    def _open_editor(self, speech: Speech, text: str, first: int) -> bool:
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(self.text.word_starts[first])
        rect = self.text.cursorRect(cursor)
        viewport = self.text.viewport()
        width = min(viewport.width() - 8, max(280, self.fontMetrics().horizontalAdvance(text) + 40))
        x = max(4, min(rect.left(), viewport.width() - width - 4))
        self.editor.setGeometry(x, rect.top() - 3, width, self.editor.sizeHint().height())
        self.editing = speech
        self.editor.setText(text)
        self.editor.selectAll()
        self.editor.show()
        self.editor.raise_()
        self.editor.setFocus()
        return True

    def _edit_kept(self, text: str) -> None:
        speech, self.editing = self.editing, None
        self.editor.hide()
        self.text.setFocus()
        if speech is not None:
            self.editRequested.emit(speech, text)

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
