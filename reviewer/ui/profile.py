"""Who you are in this library: your name (what every comment, answer, override, dispute and
reply is signed with) and your role (coach, QA lead or agent), chosen on first start and changed
with *File → Profile…*. On a shared library the database user is who you are; a role other than
agent is the library's to give (a coach or QA lead gives it), so the dialog says so."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from reviewer.actions.review import ROLE_NAMES
from reviewer.model import Person


class ProfileDialog(QDialog):
    """Name and role, for ``login``; ``agents``: the agents' names the library knows (an agent
    picks theirs, so their calls are theirs)."""

    def __init__(
        self,
        parent: QWidget,
        login: str,
        current: Person | None,
        *,
        shared: bool,
        suggested: str = "",
        agents: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your profile" if current else "Who are you?")
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setAccessibleName("Your name")
        self.name.addItems(agents or [])
        self.name.setCurrentText(current.name if current else suggested)
        self.name.lineEdit().setPlaceholderText("e.g. Dana")
        self.role = QComboBox()
        self.role.setAccessibleName("Your role")
        for role, label in ROLE_NAMES.items():
            self.role.addItem(label, role)
        self.role.setCurrentIndex(max(0, self.role.findData(current.role if current else "coach")))
        intro = QLabel(
            "Your comments, answers, overrides, disputes and replies are signed with this name. "
            "Coaches and QA leads score and submit reviews; agents see their own calls, reply and "
            "dispute. An agent's name should be the one their calls give them."
        )
        intro.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(intro)
        who = QLabel(f"{login} on this {'shared library' if shared else 'computer'}")
        form.addRow("Login", who)
        form.addRow("&Name", self.name)
        form.addRow("&Role", self.role)
        if shared:
            note = QLabel(
                "On a shared library your role is the library's: a coach or QA lead gives it "
                "(reviewer people set LOGIN --role ROLE)."
            )
            note.setWordWrap(True)
            note.setStyleSheet("color: #555")
            form.addRow(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.name.editTextChanged.connect(self._check)
        self._check()
        self.resize(460, self.sizeHint().height())

    def _check(self) -> None:
        ok = bool(self.name.currentText().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def values(self) -> tuple[str, str]:
        return self.name.currentText().strip(), self.role.currentData()
