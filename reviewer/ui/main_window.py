"""The main window: the library and the call review, menus, imports, agent self-review, and
the layout remembered between sessions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
)

from reviewer import __version__, actions, paths
from reviewer.actions.calls import catch_up_glance
from reviewer.actions.library import open_library
from reviewer.actions.review import role_name
from reviewer.analysis.scoring import Scorecard
from reviewer.errors import ReviewerError
from reviewer.importer import AUDIO_EXTENSIONS
from reviewer.library.backend import display_location, has_password, is_url, library_location
from reviewer.library.store import Library, configured_library
from reviewer.model import Person
from reviewer.resources import resource
from reviewer.settings import Settings
from reviewer.ui.dashboard import DashboardPage
from reviewer.ui.exporting import ExportController
from reviewer.ui.importing import ImportController
from reviewer.ui.inbox import InboxPage, inbox_title
from reviewer.ui.library_page import LibraryPage, read_list
from reviewer.ui.library_worker import LatestReads, LibraryWorker
from reviewer.ui.profile import ProfileDialog
from reviewer.ui.review_page import ReviewPage
from reviewer.ui.sharing import ReviewSpot, SharingController
from reviewer.ui.tables import warn
from reviewer.ui.trackers import TrackersController
from reviewer.ui.vocabulary import show_vocabulary
from reviewer.ui.voices import show_voices
from reviewer.ui.worker import Worker, stop_all

COACH = "Coach: all calls"


def ui_settings() -> QSettings:
    """Window layout and choices, in Reviewer's config folder (so tests can isolate it)."""
    folder = paths.ensure_private_dir(paths.config_dir())
    return QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)


POLL_MS = 2000  # how often the window looks for other apps' changes


def sample_call() -> Path:
    return resource("sample", "sample_call.mp3")


GLANCE_STEP = 10  # older calls judged at a glance per trip to the library thread


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings,
        *,
        library_path: str | Path | None = None,
        open_file: Path | None = None,
        first_run_sample: bool = True,
        model: str | None = None,
        settings_file: Path | None = None,
        phrases_file: Path | None = None,
        ask_profile: bool = False,
    ) -> None:
        super().__init__()
        self.ask_profile = ask_profile  # first start: ask who this is (the app does; tests say)
        self.person: Person | None = None  # who this is in the library (their profile)
        self.setWindowTitle("Reviewer")
        self.resize(1280, 820)
        self.settings = settings
        self.qsettings = ui_settings()
        stored = self.qsettings.value("library/path", "", str)
        self.library_path: str | Path = (
            library_location(library_path)
            or library_location(stored)
            or configured_library()
            or paths.default_library()
        )
        self.startup_problem = ""
        self.closed = False
        try:
            self.library: Library = open_library(self.library_path, glance=False)
        except ReviewerError as e:
            if library_path is not None:
                raise  # named on the command line: the command says why
            # The library the app had last (a team's server that is down, say): this machine's own
            # library opens instead, and the window says why.
            self.startup_problem = (
                f"{e}\n\nYour own library on this machine is open instead; File › Open shared library… "
                "tries again."
            )
            self.library_path = paths.default_library()
            self.library = open_library(self.library_path, glance=False)
        self._request_options = {
            "model": model,
            "settings_file": str(settings_file) if settings_file else None,
            "phrases_file": str(phrases_file) if phrases_file else None,
        }
        self._open_when_imported: set[str] = set()

        # The window's database work runs on one thread with a library connection of its own.
        self.library_worker = LibraryWorker(self.library_path, self, shares=self.library)
        self.library_worker.wrote.connect(self._own_write)
        self._reads = LatestReads(
            lambda: self.library_worker, lambda e: QMessageBox.warning(self, "Reviewer", str(e))
        )
        self.library_page = LibraryPage(self.library_worker)
        self.review_page = ReviewPage(self.library, settings, library_worker=self.library_worker)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.library_page)
        self.stack.addWidget(self.review_page)
        self.dashboard = DashboardPage(self.library)
        self.stack.addWidget(self.dashboard)
        self.dashboard.openCall.connect(self.open_call)
        self.dashboard.backRequested.connect(self.show_library)
        self.inbox = InboxPage(self.library_worker)
        self.stack.addWidget(self.inbox)
        self.inbox.openEntry.connect(self._open_entry)
        self.inbox.backRequested.connect(self.show_library)
        self.inbox.unreadChanged.connect(lambda n: self.inbox_action.setText(inbox_title(n)))
        self._review_from = self.library_page  # where the review page's Back returns
        self.setCentralWidget(self.stack)
        self.setAcceptDrops(True)

        self.importer = ImportController(self.library_path, self, **self._request_options)
        panel = self.library_page.import_panel
        self.importer.started.connect(panel.start)
        self.importer.progress.connect(panel.on_progress)
        self.importer.outcome.connect(panel.on_outcome)
        self.importer.outcome.connect(self._import_outcome)
        self.importer.finished.connect(self._import_finished)
        self.importer.failed.connect(self._import_failed)
        self.importer.busyChanged.connect(panel.set_busy)
        panel.cancelRequested.connect(self.cancel_import)

        # Each controller runs its jobs on a worker of its own (one at a time each); the window
        # stops them all when it closes.
        self.exporter = ExportController(self, self.qsettings, Worker(self, name="reviewer-export"))
        self.sharing = SharingController(  # redacted audio, clips and playlists
            self,
            library_worker=self.library_worker,
            library_path=lambda: self.library_path,
            settings=settings,
            undo_stack=self.review_page.undo_stack,
            review_spot=self.review_spot,
            export_targets=self.export_targets,
            status=self.statusBar().showMessage,
            worker=Worker(self, name="reviewer-share"),
        )
        self.sharing.clipsChanged.connect(self.review_page.show_clips)  # the timeline's row of clips
        self.review_page.timeline.clipActivated.connect(self.sharing.edit_clip)
        self.library_page.exportRequested.connect(self.export_dialog)

        self.trackers = TrackersController(
            self,
            lambda: self.library,
            Worker(self, name="reviewer-trackers"),
            library_worker=self.library_worker,
        )
        self.trackers.changed.connect(self._trackers_changed)
        # Calls an older library stored before it kept the call at a glance are judged on the
        # library thread a few at a time, so the window opens at once and stays usable.
        self._glance_total = 0
        QTimer.singleShot(0, self._catch_up_glance)

        self.library_page.openCall.connect(self.open_call)
        self.library_page.importFilesRequested.connect(self.import_files_dialog)
        self.library_page.importFolderRequested.connect(self.import_folder_dialog)
        self.review_page.backRequested.connect(
            lambda: (
                self.show_dashboard()
                if self._review_from is self.dashboard
                else self.show_inbox()
                if self._review_from is self.inbox
                else self.show_library()
            )
        )
        self.review_page.callChanged.connect(lambda _id: self._refresh_library())

        # Other apps (a team on one PostgreSQL library, or an import from the command line) change
        # the library while this one has it open: a cheap look at its change serial, every few
        # seconds, refreshes the list and the call under review when it moved.
        self._serial: int | None = None
        self._polling = False  # a look at the change serial is on its way
        self.library_worker.submit(lambda library: library.change_serial(), self._set_serial)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll_library)
        self.poll_timer.start()

        self._build_menus()
        self._restore_layout()
        self._read_person()
        self.statusBar().showMessage("Ready", 3000)

        QTimer.singleShot(0, lambda: self._start(open_file, first_run_sample))
        if self.startup_problem:
            QTimer.singleShot(0, self, self._say_startup_problem)  # not once the window is gone

    def _say_startup_problem(self) -> None:
        self.startup_box = warn(self, self.startup_problem)

    # -- menus and toolbar -------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._add_action(file_menu, "&Import files…", self.import_files_dialog, QKeySequence.StandardKey.Open)
        self._add_action(file_menu, "Import &folder…", self.import_folder_dialog, "Ctrl+Shift+O")
        file_menu.addSeparator()
        self.export_action = self._add_action(file_menu, "&Export…", self.export_dialog, "Ctrl+E")
        file_menu.addSeparator()
        self._add_action(file_menu, "Open &library…", self.open_library_dialog)
        self._add_action(file_menu, "Open s&hared library…", self.open_shared_library_dialog)
        file_menu.addSeparator()
        self.profile_action = self._add_action(file_menu, "&Profile…", self.profile_dialog)
        file_menu.addSeparator()
        self._add_action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.review_page.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.review_page.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        self.trackers_action = self._add_action(edit, "&Trackers…", self.trackers_dialog, "Ctrl+T")
        self.vocabulary_action = self._add_action(edit, "Team &vocabulary…", lambda: show_vocabulary(self))
        page = self.review_page
        self.voices_action = self._add_action(
            edit,
            "Voice &profiles…",
            lambda: show_voices(
                self,
                self.library_worker,
                lambda: page.call.id if page.call else None,
                lambda: page.timeline_model.selection,
            ),
        )
        self.undo_action, self.redo_action = undo, redo
        view = self.menuBar().addMenu("&View")
        self._add_action(view, "&Library", self.show_library, "Ctrl+L")
        self.dashboard_action = self._add_action(
            view, "&Trends dashboard", self.show_dashboard, "Ctrl+Shift+T"
        )
        self.inbox_action = self._add_action(view, "Inbox", self.show_inbox, "Ctrl+I")
        review = self.menuBar().addMenu("&Review")
        for action in self.review_page.actions_by_name.values():
            review.addAction(action)
        cards = self.menuBar().addMenu("&Scorecards")
        self.scorecard_actions = [
            self._add_action(cards, "&Edit scorecard…", self.edit_scorecard),
            self._add_action(cards, "&New scorecard…", lambda: self.edit_scorecard(new=True)),
        ]
        help_menu = self.menuBar().addMenu("&Help")
        self._add_action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1")
        self._add_action(help_menu, "&About Reviewer", self.show_about)
        self.sharing.install(file_menu, self.export_action)
        self.menuBar().insertMenu(help_menu.menuAction(), self.sharing.menu)

        bar = QToolBar("Viewing as")
        bar.setObjectName("viewing-as")
        bar.addWidget(QLabel(" Viewing as "))
        self.viewer = QComboBox()
        self.viewer.setAccessibleName("Viewing as")
        self.viewer.setMinimumContentsLength(18)
        self.viewer.activated.connect(lambda _: self.set_viewer(self.viewer.currentData()))
        bar.addWidget(self.viewer)
        bar.addAction(self.dashboard_action)
        bar.addAction(self.inbox_action)
        bar.addAction(self.profile_action)
        self.addToolBar(bar)
        self._fill_viewers()

    def edit_scorecard(self, new: bool = False) -> QDialog | None:
        """The scorecard form: the card shown on the review page (else the default), or a new one.
        Saving makes a new version and scores every call with it. The card is the one read with
        the call's score when there is one; else it is read on the library thread and the form
        opens then (``scorecard_editor``; None is returned)."""
        card = None
        if not new:
            card = self.review_page.scores.latest_card()  # read with the call's score
            if card is None:
                name = self.review_page.scores.card

                def read(library: Library) -> Scorecard | None:
                    try:
                        return actions.scores.scorecard(library, name)
                    except ReviewerError:
                        return None  # no card yet: the form starts a new one

                self._reads.read("scorecard form", read, self._open_scorecard_editor)
                return None
        return self._open_scorecard_editor(card)

    def _open_scorecard_editor(self, card: Scorecard | None) -> QDialog:
        from reviewer.ui.scorecard_editor import ScorecardEditor

        editor = ScorecardEditor(self.library, card, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._scorecard_saved)
        self.scorecard_editor = editor
        editor.open()
        return editor

    def _scorecard_saved(self, card) -> None:  # noqa: ANN001 - a Scorecard
        self.statusBar().showMessage(
            f"Scorecard {card.name!r} v{card.version} saved; every call scored.", 5000
        )
        self.review_page.scores.card = card.name
        self.review_page.scores.reload()
        self._refresh_library()

    def _add_action(self, menu, text: str, slot, shortcut=None) -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _fill_viewers(self, agents: list[str] | None = None) -> None:
        """The "Viewing as" choices: the library's agents (``agents``: just read on the library
        thread, with the list; None: those already offered)."""
        current = (
            self.viewer.currentData()
            if self.viewer.count()
            else self.qsettings.value("viewer/agent", "", str)
        )
        if agents is None:
            agents = [a for a in (self.viewer.itemData(i) for i in range(self.viewer.count())) if a]
        own = self.person.name if self.person and self.person.role == "agent" else None
        if own is not None:  # an agent views as themselves, never as a coach or another agent
            current, agents = own, [own]
        self.viewer.blockSignals(True)
        self.viewer.clear()
        if own is None:
            self.viewer.addItem(COACH, "")
        for agent in agents:
            self.viewer.addItem(f"Agent: {agent}", agent)
        if current and self.viewer.findData(current) < 0:  # chosen while the list was being read
            self.viewer.addItem(f"Agent: {current}", current)
        i = self.viewer.findData(current or "")
        self.viewer.setCurrentIndex(max(0, i))
        self.viewer.blockSignals(False)
        self._apply_viewer(self.viewer.currentData() or "", agents)

    def set_viewer(self, agent: str) -> None:
        """ "I am agent X": only X's calls, and their feedback to acknowledge. Empty: the coach.
        An agent's profile views as that agent only."""
        if self.person is not None and self.person.role == "agent" and agent != self.person.name:
            self.statusBar().showMessage(f"{self.person.name} is an agent: you see your own calls.", 5000)
            agent = self.person.name
        i = self.viewer.findData(agent)
        if i < 0:
            self.viewer.addItem(f"Agent: {agent}", agent)
            i = self.viewer.count() - 1
        self.viewer.setCurrentIndex(i)
        self.qsettings.setValue("viewer/agent", agent)
        self._apply_viewer(agent)

    def _apply_viewer(self, agent: str, agents: list[str] | None = None) -> None:
        self.library_page.set_agent(agent or None)
        self.review_page.set_agent_mode(bool(agent), agent or None)
        for action in (self.trackers_action, *self.scorecard_actions):  # the coach's, not the agent's
            action.setEnabled(not agent)
        self.sharing.set_agent_mode(bool(agent))
        self.dashboard.set_agent_mode(agent or None, agents)
        if self.inbox.agent != (agent or None):
            self.inbox.agent = agent or None
            self.inbox.refresh()

    # -- start -------------------------------------------------------------------------------

    def _start(self, open_file: Path | None, first_run_sample: bool) -> None:
        if self.closed:  # closed before it got going (the library is closed too)
            return
        if open_file is not None:
            self.open_file(open_file)
            return
        last = self.qsettings.value("review/last_call", 0, int)
        reopen = bool(last and self.qsettings.value("review/open", False, bool))

        def read(library: Library) -> tuple[bool, int | None]:
            """Whether the library is empty, and the call last reviewed (None: gone, or none)."""
            if library.is_empty():
                return True, None
            if not reopen:
                return False, None
            try:
                return False, library.resolve(last)
            except ReviewerError:
                return False, None

        def start(value: tuple[bool, int | None]) -> None:
            empty, call_id = value
            if self.closed:
                return
            if empty:
                if first_run_sample and not self.qsettings.value("library/sample_offered", False, bool):
                    self.qsettings.setValue("library/sample_offered", True)
                    self.statusBar().showMessage(
                        "Importing the sample call so you can see a complete review…"
                    )
                    self.open_file(sample_call())
                return
            if self.importer.busy or self.stack.currentWidget() is not self.library_page:
                return  # an import or a call was asked for before the window settled: stay with it
            if call_id is not None:
                self.open_call(call_id)

        self.library_worker.submit(read, start)

    def open_file(self, path: Path) -> None:
        """Open a recording: straight away if it is in the library, else import it first."""
        from reviewer.library.store import content_hash

        def read(library: Library) -> int | None:
            return library.find_hash(content_hash(path))  # the file is read there too

        def unread(error: BaseException) -> None:
            said = f"could not be read ({error.strerror or error})" if isinstance(error, OSError) else error
            QMessageBox.warning(self, "Reviewer", f"{path}: {said}.")

        self.library_worker.submit(read, lambda existing: self._open_or_import(path, existing), unread)

    def _open_or_import(self, path: Path, existing: int | None) -> None:
        if existing is not None:
            self.open_call(existing)
        else:
            self._open_when_imported.add(str(path))
            self.import_paths([path])

    # -- navigation --------------------------------------------------------------------------

    def open_call(self, call_id: int, at: float = 0.0, then: Callable[[], None] | None = None) -> None:
        """Review a call: the page shows it once the library thread has read it (then ``then()``)."""
        if self.stack.currentWidget() is not self.review_page:
            self._review_from = self.stack.currentWidget()

        def opened() -> None:
            back = {self.dashboard: "Trends", self.inbox: "Inbox"}.get(self._review_from, "Library")
            self.review_page.back_button.setText(f"← {back}")
            self.stack.setCurrentWidget(self.review_page)
            self.review_page.timeline.setFocus()
            self.setWindowTitle(f"{self.review_page.call.row.name} — Reviewer")
            # Written to disk in a pass after the page's first paint (and only when it changed)
            self.library_worker.show_later(lambda: self._remember_call(call_id))

        def failed(error: BaseException) -> None:
            if not self.closed:
                QMessageBox.warning(self, "Reviewer", str(error))

        self.review_page.open_call(call_id, at, opened=lambda: (opened(), then and then()), failed=failed)

    def _remember_call(self, call_id: int) -> None:
        """The call under review, reopened at the next start."""
        if self.qsettings.value("review/last_call", 0, int) != call_id:
            self.qsettings.setValue("review/last_call", call_id)
        if not self.qsettings.value("review/open", False, bool):
            self.qsettings.setValue("review/open", True)

    def show_library(self) -> None:
        self.review_page.player.pause()
        self._refresh_library()
        self.stack.setCurrentWidget(self.library_page)
        self.library_page.table.setFocus()
        self.qsettings.setValue("review/open", False)
        self.setWindowTitle("Reviewer")

    def show_inbox(self) -> None:
        """What waits for this person across calls (the agent's, viewing as one)."""
        self.review_page.player.pause()
        self.inbox.refresh()
        self.stack.setCurrentWidget(self.inbox)
        self.inbox.tree.setFocus()
        self.qsettings.setValue("review/open", False)
        self.setWindowTitle("Inbox — Reviewer")

    def _open_entry(self, call_id: int, at: float, item_id: str) -> None:
        """An inbox line: its call, at its moment; a score item's line on the Scorecard tab."""

        def show_item() -> None:
            if not item_id:
                return
            page = self.review_page
            page.tabs.setCurrentWidget(page.scores)
            try:
                page.scores.select_item(item_id)
            except KeyError:  # the card changed since
                pass

        self._review_from = self.inbox
        self.open_call(call_id, at, then=show_item)

    # -- who is who ----------------------------------------------------------------------------

    def _read_person(self) -> None:
        """Who this is in the library, read on the library thread; on first start (the app, not
        a test) with no profile yet, the profile dialog asks."""

        def read(library: Library) -> tuple:
            return actions.review.me(library), library.login, library.is_shared, library.agents()

        def show(value: tuple) -> None:
            person, login, shared, agents = value
            self._apply_person(person)
            if person is None and self.ask_profile and not self.closed:
                self.profile_dialog(login=login, shared=shared, agents=agents)

        self.library_worker.submit(read, show)

    def _apply_person(self, person: Person | None) -> None:
        self.person = person
        self.review_page.scores.signer = person.name if person else ""
        if person is not None:
            self.review_page.comments.default_author = person.name
            self.profile_action.setText(f"{person.name} ({role_name(person.role)})")
        else:
            self.profile_action.setText("&Profile…")
        self.profile_action.setToolTip("Your name and role in this library (File › Profile…)")
        self._fill_viewers()

    def profile_dialog(self, *, login: str | None = None, shared: bool | None = None, agents=None) -> QDialog:  # noqa: ANN001
        """Name and role; saved to the library (refused, in a sentence, where the role is not
        this login's to take)."""
        dialog = ProfileDialog(
            self,
            login or self.library.login,
            self.person,
            shared=self.library.is_shared if shared is None else shared,
            suggested=self.qsettings.value("profile/name", "", str),
            agents=agents
            if agents is not None
            else [a for a in (self.viewer.itemData(i) for i in range(self.viewer.count())) if a],
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def save() -> None:
            name, role = dialog.values()
            self.qsettings.setValue("profile/name", name)

            def saved(library: Library) -> tuple[Person, str, str]:
                person = actions.review.set_profile(library, name, role)
                return person, library.login, library.user  # who this app now is, read there

            def made(result: tuple[Person, str, str]) -> None:
                person, self.library.login, self.library.user = result  # no query here
                self._apply_person(person)
                if person.role == "agent":
                    self.set_viewer(person.name)
                self.statusBar().showMessage(
                    f"You are {person.name}, {role_name(person.role).lower()}.", 5000
                )

            self.library_worker.submit(
                saved,
                made,
                lambda error: warn(self, str(error)),
                writes=True,
            )

        dialog.accepted.connect(save)
        self.profile_box = dialog
        dialog.open()
        return dialog

    def show_dashboard(self) -> None:
        """The trends dashboard (the agent's own in self-review), computed afresh."""
        self.review_page.player.pause()
        self.dashboard.refresh()
        self.stack.setCurrentWidget(self.dashboard)
        self.qsettings.setValue("review/open", False)
        self.setWindowTitle("Trends — Reviewer")

    def _set_serial(self, serial: int) -> None:
        self._serial = serial

    def _catch_up_glance(self) -> None:
        if self.closed:
            return

        def step(library: Library) -> tuple[int, int]:
            done = catch_up_glance(library, self.settings, limit=GLANCE_STEP)
            return done.judged, done.left

        def stepped(result: tuple[int, int]) -> None:
            done, left = result
            if not done:  # nothing was left to judge
                return
            self._glance_total = self._glance_total or done + left
            if left:
                self.statusBar().showMessage(
                    f"Judging older calls' reason, outcome and sentiment: "
                    f"{self._glance_total - left} of {self._glance_total}…"
                )
                self._catch_up_glance()
                return
            self.statusBar().showMessage("Every call now has its reason, outcome and sentiment.", 5_000)
            self.library_page.refresh()

        def failed(error: BaseException) -> None:
            self.statusBar().showMessage(f"Could not judge older calls at a glance: {error}", 10_000)

        self.library_worker.submit(step, stepped, failed, writes=True)

    def _own_write(self, before: int, after: int) -> None:
        """This window's own change moved the change serial from ``before`` to ``after``: the
        poll does not reload for it (the page already shows it)."""
        if self._serial == before:
            self._serial = after

    def poll_library(self) -> None:
        """Refresh what this window shows if the library changed since the last look (someone
        else's comment, score, correction or import). The change serial is read on the library
        thread; what changed is read there too, and shown when it comes."""
        if self._polling or self.closed:
            return
        self._polling = True

        def looked(serial: int) -> None:
            self._polling = False
            if serial == self._serial:
                return
            self._serial = serial
            self._refresh_library()
            self.review_page.refresh_from_library(
                lambda who: self.statusBar().showMessage(
                    f"{who} changed this call: it shows their change now.", 8000
                )
            )

        def failed(error: BaseException) -> None:
            # the server gone, a closed library: said, not raised
            self._polling = False
            self.statusBar().showMessage(str(error), POLL_MS * 2)

        self.library_worker.submit(lambda library: library.change_serial(), looked, failed)

    def _refresh_library(self) -> None:
        """The list and the "Viewing as" choices, read on the library thread."""
        choice = self.library_page.tracked_filter.choice()

        def show(read: tuple[list, list | None, list[str]]) -> None:
            rows, tracked, agents = read
            self.library_page.show_rows(rows, tracked, choice)
            self._fill_viewers(agents)
            self.inbox.refresh()

        self.library_worker.submit(lambda library: (*read_list(library, choice), library.agents()), show)

    # -- imports -----------------------------------------------------------------------------

    def import_files_dialog(self) -> None:
        patterns = " ".join(f"*{e}" for e in sorted(AUDIO_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import calls", "", f"Call recordings ({patterns});;All files (*)"
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import every call in a folder")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths_: list[Path]) -> None:
        if self.stack.currentWidget() is not self.library_page:
            self.show_library()
        self.importer.import_paths(paths_)
        self.statusBar().showMessage(f"Importing {', '.join(p.name for p in paths_)}…")

    def cancel_import(self) -> None:
        self.importer.cancel()
        self.library_page.import_panel.cancel_button.setEnabled(False)
        self.library_page.import_panel.label.setText("Cancelling…")

    def _import_outcome(self, _index: int, path: str, status: str, call_id: object, message: str) -> None:
        self._refresh_library()
        if path in self._open_when_imported and call_id is not None and status != "failed":
            self._open_when_imported.discard(path)
            self.open_call(int(call_id))
        elif status == "failed":
            self._open_when_imported.discard(path)
            self.statusBar().showMessage(f"{Path(path).name}: {message}", 10000)

    def _import_finished(self, cancelled: bool) -> None:
        self._refresh_library()
        results = self.library_page.import_panel.results
        failed = sum(
            1 for i in range(results.count()) if results.item(i).data(Qt.ItemDataRole.UserRole) == "failed"
        )
        text = "Import cancelled; calls already imported are kept." if cancelled else "Import finished."
        if failed:
            text += f" {failed} file{'s' if failed != 1 else ''} could not be imported (see the list)."
        self.library_page.import_panel.on_end(text)
        self.statusBar().showMessage(text, 10000)

    def _import_failed(self, message: str) -> None:
        self._refresh_library()
        self.library_page.import_panel.on_end(f"Import failed: {message}")
        self.statusBar().showMessage(f"Import failed: {message}", 15000)

    # -- drag and drop -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        dropped = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if dropped:
            event.acceptProposedAction()
            self.import_paths(dropped)

    # -- library -----------------------------------------------------------------------------

    # -- export ----------------------------------------------------------------------------------

    def export_targets(self) -> dict[int, str]:
        """What File › Export exports: the call under review; in the library, the selected calls,
        or every call listed (after a filter or search) when none is selected."""
        if self.stack.currentWidget() is self.review_page and self.review_page.call is not None:
            call = self.review_page.call
            return {call.id: call.row.name}
        ids = self.library_page.selected_call_ids() or self.library_page.visible_call_ids()
        names = {r.id: r.name for r in self.library_page.model.rows}
        return {i: names[i] for i in ids if i in names}

    def review_spot(self) -> ReviewSpot | None:
        """Where the coach is in the call under review (None unless a call is under review)."""
        page = self.review_page
        if self.stack.currentWidget() is not page or page.call is None:
            return None
        return ReviewSpot(
            page.call.id,
            page.timeline_model.selection,
            page.comments.selected(),
            page.timeline_model.playhead,
        )

    def export_dialog(self):  # noqa: ANN201 - the dialog, shown without blocking
        return self.exporter.ask(self.library_path, self.settings, self.export_targets())

    # -- trackers --------------------------------------------------------------------------------

    def trackers_dialog(self):  # noqa: ANN201 - the dialog, shown without blocking
        return self.trackers.open()

    def _trackers_changed(self) -> None:
        """A tracker was added, changed or removed: the list's counts and the open review follow."""
        self.library_page.trackers_changed()
        self.review_page.show_tracker_hits()
        self.review_page.scores.reload()  # tracker rules rescored

    def open_library_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Open or create a library",
            str(self.library_path.parent if isinstance(self.library_path, Path) else paths.data_dir()),
            "Reviewer library (*.sqlite);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if name:
            self.switch_library(Path(name))

    def open_shared_library_dialog(self) -> None:
        """A team's library on PostgreSQL, by its address. A password is never stored: libpq reads
        it from ~/.pgpass (or the file PGPASSFILE names)."""
        current = self.library_path if isinstance(self.library_path, str) else "postgresql://"
        url, ok = QInputDialog.getText(
            self,
            "Open a shared library",
            "The team's PostgreSQL library, e.g. postgresql://coach@db.example/qa\n"
            "(passwords go in ~/.pgpass, never here):",
            text=display_location(current),
        )
        url = url.strip()
        if not ok or not url:
            return
        if not is_url(url):
            QMessageBox.warning(self, "Reviewer", f"{url} is not a postgresql:// address.")
            return
        if has_password(url):
            QMessageBox.warning(
                self,
                "Reviewer",
                "Leave the password out of the address: put it in ~/.pgpass "
                "(host:port:database:user:password, readable by you only), where PostgreSQL looks for it.",
            )
            return
        self.switch_library(url)

    def switch_library(self, path: str | Path) -> None:
        if self.importer.busy:
            QMessageBox.information(self, "Reviewer", "Wait for the import to finish, or cancel it, first.")
            return
        try:
            library = open_library(path, glance=False)
        except ReviewerError as e:
            QMessageBox.warning(self, "Reviewer", str(e))
            return
        self.review_page.close_call()
        self.library_worker.set_location(library_location(path) or path, library)
        self.library.close()
        self.library = library
        self.library_path = library_location(path) or path
        self.importer.library_path = self.library_path
        self.library_page.library_changed()
        self.review_page.set_library(library)
        self.dashboard.set_library(library)
        self.qsettings.setValue("library/path", display_location(self.library_path))
        self.show_library()
        self._read_person()
        self._glance_total = 0
        self._catch_up_glance()

    # -- help --------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        native = QKeySequence.SequenceFormat.NativeText
        # Every action with a key: the review's own, then each menu's (File, Edit, View, …).
        actions = list(self.review_page.actions_by_name.values())
        for top in self.menuBar().actions():
            if top.menu() is not None:
                actions += [a for a in top.menu().actions() if _alive(a) and a not in actions]
        lines = [
            f"{a.text().replace('&', '').rstrip('…')}: {', '.join(k.toString(native) for k in a.shortcuts())}"
            for a in actions
            if _alive(a) and a.shortcuts()
        ]
        lines += ["Ctrl+wheel on the timeline: zoom; wheel: pan", "Drag on the timeline: select a range"]
        self.shortcut_lines = lines  # what the box lists, one line an action
        QMessageBox.information(self, "Keyboard shortcuts", "\n".join(lines))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Reviewer",
            f"Reviewer {__version__}\nReview and coach customer-service calls, entirely on your own "
            f"machine.\n\nLibrary: {display_location(self.library_path)}",
        )

    # -- layout and closing ------------------------------------------------------------------

    def _restore_layout(self) -> None:
        s = self.qsettings
        if geometry := s.value("window/geometry"):
            self.restoreGeometry(geometry)
        if state := s.value("window/state"):
            self.restoreState(state)
        if split := s.value("review/splitter"):
            self.review_page.splitter.restoreState(split)
        else:  # first start: the transcript takes the larger part, whatever the tabs would like
            width = max(self.width(), 900)
            self.review_page.splitter.setSizes([width * 3 // 5, width * 2 // 5])
        if split := s.value("library/splitter"):
            self.library_page.splitter.restoreState(split)

    def save_layout(self) -> None:
        s = self.qsettings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("review/splitter", self.review_page.splitter.saveState())
        s.setValue("library/splitter", self.library_page.splitter.saveState())
        s.setValue("library/path", display_location(self.library_path))
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Comments are already saved; a running import stops (its current file is not kept), a
        running export stops after the file it is writing."""
        self.save_layout()
        self.importer.shutdown()
        # Every worker in the window (exports, trackers, sharing, waveforms, trends, a scorecard
        # being saved): cancelled at once, waited for briefly.
        stop_all(self.findChildren(Worker))
        self.sharing.shutdown()
        self.review_page.player.stop()
        self.poll_timer.stop()
        self.closed = True
        self.library_worker.close()
        self.library.close()
        event.accept()


def _alive(action: QAction) -> bool:
    """False for an action whose Qt object went with a closed panel."""
    try:
        action.text()
    except RuntimeError:
        return False
    return True
