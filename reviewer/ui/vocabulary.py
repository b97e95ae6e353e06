"""Edit › Team vocabulary…: the team's own words (products, plans, places, agents' and
competitors' names) that Whisper is given when it transcribes an import, kept in settings.toml's
``[transcription] vocabulary`` (the list ``reviewer import --vocabulary`` replaces for one run)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.errors import SettingsError
from reviewer.settings import clean_vocabulary, read_vocabulary, save_vocabulary, user_settings_file


class VocabularyDialog(QDialog):
    """A list of terms: type one and press Enter (or Add), double-click one to correct it, select
    and Remove; Save writes the list to ``path`` (the user's settings.toml)."""

    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.path = path or user_settings_file()
        self.setWindowTitle("Team vocabulary")
        intro = QLabel(
            "Words Whisper should spell as your team does: products, plans, places, agents' and "
            "competitors' names. Imports from now on use them; calls already in the library keep "
            f"their transcripts.<br><small>Saved in {self.path}</small>"
        )
        intro.setWordWrap(True)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("A word or name, e.g. Harper Valley")
        self.entry.setAccessibleName("New term")
        self.entry.installEventFilter(self)
        self.add_button = QPushButton("&Add")
        self.add_button.clicked.connect(self.add_entry)
        self.add_button.setAutoDefault(False)
        self.terms = QListWidget()
        self.terms.setAccessibleName("Terms")
        self.terms.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.terms.itemSelectionChanged.connect(
            lambda: self.remove_button.setEnabled(bool(self.terms.selectedItems()))
        )
        self.message = QLabel()  # what went wrong reading or saving the file
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self.message.hide()
        buttons = QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        adding = QHBoxLayout()
        adding.addWidget(self.entry, 1)
        adding.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(adding)
        layout.addWidget(self.terms, 1)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(420, 440)

        try:
            saved = read_vocabulary(self.path)
        except SettingsError as e:
            saved = ()
            self._say(str(e))
        for term in saved:
            self._append(term)
        self.remove_button.setEnabled(False)

    def vocabulary(self) -> tuple[str, ...]:
        """The terms as listed (tidied, each once)."""
        return clean_vocabulary(self.terms.item(i).text() for i in range(self.terms.count()))

    def _append(self, term: str) -> QListWidgetItem:
        item = QListWidgetItem(term)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.terms.addItem(item)
        return item

    def add_entry(self) -> None:
        """The typed term(s) join the list (commas separate several); one already there is selected
        instead of listed twice."""
        for term in clean_vocabulary(self.entry.text().split(",")):
            known = [
                self.terms.item(i)
                for i in range(self.terms.count())
                if self.terms.item(i).text().casefold() == term.casefold()
            ]
            item = known[0] if known else self._append(term)
            self.terms.setCurrentItem(item)
        self.entry.clear()

    def remove_selected(self) -> None:
        for item in self.terms.selectedItems():
            self.terms.takeItem(self.terms.row(item))

    def save(self) -> None:
        if self.entry.text().strip():  # typed but not added: what the user means is to keep it
            self.add_entry()
        try:
            save_vocabulary(self.vocabulary(), self.path)
        except (SettingsError, OSError) as e:
            self._say(f"The vocabulary was not saved: {e}")
            return
        self.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Enter in the entry adds what was typed, and goes no further: it does not also save."""
        if (
            watched is self.entry
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.add_entry()
            return True
        return super().eventFilter(watched, event)

    def _say(self, problem: str) -> None:
        self.message.setText(problem)
        self.message.show()


def show_vocabulary(parent: QWidget) -> VocabularyDialog:
    """The dialog, open over ``parent`` without blocking it; gone when closed."""
    dialog = VocabularyDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
