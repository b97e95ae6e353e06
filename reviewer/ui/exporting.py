"""Exports from the app: a dialog to choose formats, redaction and a folder, and a job that
writes the files through the app's worker (:mod:`reviewer.ui.worker`, with its own library
connection) while a progress dialog offers Cancel. The work itself is ``reviewer.report``, the
same the command line runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.errors import ReviewerError
from reviewer.progress import CancelToken, Progress
from reviewer.report.export import plan_exports
from reviewer.report.formats import FORMATS
from reviewer.settings import Settings
from reviewer.ui.tables import ok_cancel
from reviewer.ui.worker import Job, Work, Worker


class ExportDialog(QDialog):
    """Which calls (shown), which formats, redaction and where to."""

    def __init__(self, parent: QWidget, names: dict[int, str], qsettings: QSettings) -> None:
        super().__init__(parent)
        self.names = names
        self.qsettings = qsettings
        count = len(names)
        self.setWindowTitle("Export")
        what = next(iter(names.values())) if count == 1 else f"{count} calls"
        heading = QLabel(f"<b>Export {what}</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        self.boxes: dict[str, QCheckBox] = {}
        formats = QVBoxLayout()
        saved = set(qsettings.value("export/formats", "pdf", str).split(","))
        for fmt in FORMATS:
            box = QCheckBox(FORMATS[fmt].label)
            box.setChecked(fmt in saved or (fmt == "summary" and count > 1 and "summary" in saved))
            box.setAccessibleName(fmt)
            box.toggled.connect(self._update)
            self.boxes[fmt] = box
            formats.addWidget(box)
        self.redact = QCheckBox("Redact: hide what the redaction preview lists (card details, e-mails, ...)")
        self.redact.setChecked(qsettings.value("export/redact", True, bool))
        self.folder = QLineEdit(qsettings.value("export/folder", "", str) or _documents())
        self.folder.setAccessibleName("Export folder")
        self.folder.textChanged.connect(self._update)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        self.files_label = QLabel()
        self.files_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Formats", formats)
        form.addRow("Privacy", self.redact)
        form.addRow("Folder", where)
        self.buttons = ok_cancel(self)
        self.buttons.button(self.buttons.StandardButton.Ok).setText("Export")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.files_label)
        layout.addWidget(self.buttons)
        self._update()

    def formats(self) -> list[str]:
        return [f for f, box in self.boxes.items() if box.isChecked()]

    def out(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _update(self) -> None:
        formats = self.formats()
        ok = bool(formats) and bool(self.folder.text().strip())
        self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(ok)
        if not formats:
            self.files_label.setText("Choose at least one format.")
            return
        n = len(self.names) * len([f for f in formats if f != "summary"]) + ("summary" in formats)
        self.files_label.setText(
            f"{n} file{'s' if n != 1 else ''}, named after the recordings"
            + (" (and summary.csv)" if "summary" in formats else "")
            + "; existing files are replaced whole, never half-written."
        )

    def accept(self) -> None:
        self.qsettings.setValue("export/formats", ",".join(self.formats()))
        self.qsettings.setValue("export/redact", self.redact.isChecked())
        self.qsettings.setValue("export/folder", self.folder.text().strip())
        super().accept()


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(
        Path.home()
    )


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the dialog's answers and the calls chosen."""

    library_path: str | Path
    settings: Settings
    call_ids: tuple[int, ...]
    formats: tuple[str, ...]
    out: Path
    redact: bool


def export_work(request: ExportRequest, written: list[str]) -> Work:
    """The export as the worker runs it, on a library connection of its own; each file is added
    to ``written`` once complete (a cancel keeps those)."""

    def work(progress: Callable[[Progress], None], cancel: CancelToken) -> list[str]:
        from reviewer.actions.exports import export_calls
        from reviewer.library import open_library

        r = request
        with open_library(r.library_path) as library:
            export_calls(
                library,
                r.settings,
                list(r.call_ids),
                list(r.formats),
                r.out,
                redact=r.redact,
                progress=progress,
                cancel=cancel,
                written=lambda p: written.append(str(p)),
            )
        return written

    return work


class ExportController(QObject):
    """Runs the export dialog and one job at a time, with a progress dialog and a result message."""

    done = Signal(list)  # paths written (after finishing or cancelling)

    def __init__(self, window: QWidget, qsettings: QSettings, worker: Worker | None = None) -> None:
        super().__init__(window)
        self.window = window  # the dialogs' parent
        self.qsettings = qsettings
        self.worker = worker if worker is not None else Worker(self, name="reviewer-export")
        self.dialog: ExportDialog | None = None
        self.job: Job | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message: QMessageBox | None = None

    def ask(self, library_path: Path, settings: Settings, names: dict[int, str]) -> ExportDialog | None:
        if self.job is not None and self.job.running():
            QMessageBox.information(self.window, "Export", "An export is still running.")
            return None
        if not names:
            QMessageBox.information(self.window, "Export", "There are no calls to export.")
            return None
        self.dialog = ExportDialog(self.window, names, self.qsettings)
        self.dialog.accepted.connect(lambda: self._confirm(library_path, settings, names))
        self.dialog.open()
        return self.dialog

    def _confirm(self, library_path: Path, settings: Settings, names: dict[int, str]) -> None:
        d = self.dialog
        assert d is not None
        formats, out, redact = d.formats(), d.out(), d.redact.isChecked()
        try:
            plans = plan_exports(names, formats, out)
        except ReviewerError as e:
            QMessageBox.warning(self.window, "Export", str(e))
            return
        existing = [p.path for p in plans if p.path.exists()]
        if existing:
            answer = QMessageBox.question(
                self.window,
                "Replace files?",
                f"{len(existing)} of the files already exist in {out} (for example {existing[0].name}). "
                "Replace them?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.start(ExportRequest(library_path, settings, tuple(names), tuple(formats), out, redact))

    def start(self, request: ExportRequest) -> Job:
        written: list[str] = []
        job = self.worker.start(export_work(request, written), unexpected="The export failed unexpectedly")
        self.job = job
        out, total = request.out, len(request.call_ids)
        progress = QProgressDialog("Exporting…", "Cancel", 0, max(total, 1), self.window)
        progress.setWindowTitle("Export")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(job.cancel)
        self.progress_dialog = progress
        job.progress.connect(lambda p: self._on_progress(round(p.fraction * total), total, p.message))
        job.finished.connect(lambda paths: self._end(paths, out, None))
        job.cancelled.connect(lambda: self._end(list(written), out, "Export cancelled"))
        job.failed.connect(lambda message: self._end([], out, message, failed=True))
        return job

    def _on_progress(self, done: int, total: int, name: str) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setMaximum(max(total, 1))
            self.progress_dialog.setValue(done)
            if name:
                self.progress_dialog.setLabelText(f"Exporting {name} ({done + 1} of {total})…")

    def _end(self, paths: list[str], out: Path, problem: str | None, *, failed: bool = False) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect()
            self.progress_dialog.close()
            self.progress_dialog = None
        folder = Path(paths[0]).parent if paths else out
        n = len(paths)
        files = f"{n} file{'s' if n != 1 else ''}"
        if failed:
            text = f"Nothing more was written ({files} finished before the problem).\n\n{problem}"
            box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", text, parent=self.window)
        elif problem:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "Export",
                f"{problem}: {files} written, each complete.",
                parent=self.window,
            )
        else:
            box = QMessageBox(
                QMessageBox.Icon.Information, "Export", f"Exported {files} to {folder}.", parent=self.window
            )
        if n:
            open_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
            open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))
        box.addButton(QMessageBox.StandardButton.Close)
        self.message = box
        box.open()
        self.done.emit(paths)
