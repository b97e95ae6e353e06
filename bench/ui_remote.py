"""How the desktop app feels when its library is a PostgreSQL server across a slow network: the
longest stall of the UI thread, the wall time and the database round trips made on the UI thread
for each of a reviewer's actions on a 60-minute call, with every round trip 20 ms longer; and the
same actions on a plain SQLite library.

    .venv/bin/python bench/ui_remote.py                    # about 2 minutes on 2 cores
    .venv/bin/python bench/ui_remote.py --latency-ms 50 --repeat 5 --no-sqlite

A throwaway PostgreSQL server is started as the tests start theirs (tests/pg_server.py: Debian's
``apt-get install postgresql``); the window's library URL points at a local TCP proxy in this
process that holds every client→server chunk for ``--latency-ms`` before forwarding it (server→
client goes straight through), so each query the app waits for costs that much more. The proxy
counts the chunks: a chunk the client sends is one round trip it then waits for. The 60-minute call
is bench/ui.py's (the sample call tiled to an hour); it and the sample call are stored straight
through the server's socket, not through the proxy.

The actions, driven through the window's own slots (a later refactor of reviewer/ui may rename
them: ``measure_window`` below is the one place to adapt):

- open: ``MainWindow.open_call(id)`` from the library list (``review_page.close_call()`` first),
  done when ``review_page.call`` is that call (and the window's library thread, where the window
  reads and writes the library, has answered everything it was asked: ``library_worker.busy``);
- who said it: ``ReviewPage.reassign(Speech, "S1")`` on a customer turn mid-call (what the R key's
  and the right-click menu's "Said by …" entries call), done when the undo stack grew and the call
  was reloaded; then Edit › Undo (``MainWindow.undo_action``), timed too;
- override: the Scorecard tab's ``ScorePanel.answer_button`` clicked on an automatic item (the
  dialog opens), then the dialog's reason typed and its OK clicked, done when the panel shows the
  override;
- save a scorecard: ``MainWindow.edit_scorecard()`` (Scorecards › Edit: the form opens), then the
  pass mark changed and the form's Save clicked, done when ``ScorecardEditor.saved`` has fired and
  the panel shows the new version (every call is re-scored on a thread of the editor's own);
- back to the list: ``MainWindow.show_library()``, done when the list is shown as read;
- the poll: ``MainWindow.poll_library()``, which the window's timer runs every 2 s to see other
  apps' changes, done when its look at the change serial (and any refresh) is shown. The timer is
  stopped while the actions are timed (its round trips are not theirs); the bench polls after each
  action instead, as the timer would within 2 s, and times the poll after each one that wrote (a
  window that does not remember the serial its own write produced refreshes then), and once when
  nothing changed.

Every "done" also waits for the window's library thread (``library_worker.busy``), where a window
that does its database work off the UI thread reads and writes; *round trips* on the UI thread are
then those of connections opened on the UI thread, the library thread's are "other threads'".

Each action is started from the running event loop (``QTimer.singleShot(0, ...)``) and the loop
runs until the action is done and 150 ms more (what it deferred). *Stall*: the largest gap between
ticks of a 5 ms precise timer on the UI thread in that window, minus 5 ms. *Wall*: from the start to
done. *Round trips*: client→server chunks on connections opened on the UI thread (others: the
editor's save thread). Writes a Markdown table to stdout and JSON to bench/results/ui_remote.json.
Never pass/fail. Target (the redesign this measures for): every stall < 50 ms at 20 ms a trip.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ui as ui_bench  # noqa: E402 - bench/ui.py: its work folder, environment and 60-minute call

ROOT = ui_bench.ROOT
WORK = ui_bench.WORK  # made by bench/ui.py on import; removed at exit
SAMPLE = ui_bench.SAMPLE
sys.path.insert(0, str(ROOT / "tests"))
import pg_server  # noqa: E402 - the tests' throwaway PostgreSQL server

HEARTBEAT_MS = 5
SETTLE_S = 0.15  # the loop runs this long after an action is done: what it deferred counts too
ACTION_TIMEOUT_S = 300
NEXT_POLL = "the next poll after a change (≤ 2 s later)"


# -- a TCP proxy that delays what the client sends ------------------------------------------------


class DelayProxy:
    """127.0.0.1:port → the server's Unix socket, each client→server chunk held ``delay_s`` (in
    order, each from its own arrival), server→client straight through. Counts the chunks each
    client connection sent, by the client's port."""

    def __init__(self, unix_socket: str, delay_s: float) -> None:
        self.unix_socket = unix_socket
        self.delay_s = delay_s
        self.sent: Counter[int] = Counter()  # client port -> chunks sent
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bench-proxy", daemon=True)
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    def start(self) -> int:
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)
        return self.port

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("peername")[1]
        self.sent[port] += 0
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(self.unix_socket)
        except OSError:
            writer.close()
            return
        held: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        async def from_client() -> None:
            while data := await reader.read(1 << 16):
                self.sent[port] += 1
                held.put_nowait((loop.time() + self.delay_s, data))
            held.put_nowait(None)

        async def to_server() -> None:
            while (item := await held.get()) is not None:
                due, data = item
                if (wait := due - loop.time()) > 0:
                    await asyncio.sleep(wait)
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def to_client() -> None:
            while data := await up_reader.read(1 << 16):
                writer.write(data)
                await writer.drain()
            writer.close()

        self._open.add(writer)
        try:
            await asyncio.gather(from_client(), to_server(), to_client(), return_exceptions=True)
        except asyncio.CancelledError:
            pass  # the bench is over
        finally:
            self._open.discard(writer)
            for w in (writer, up_writer):
                w.close()

    def snapshot(self) -> dict[int, int]:
        return dict(self.sent)

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._open):
                writer.close()  # each connection's tasks see the end and finish
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=2)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


# -- which connections the UI thread opened, and where its statements come from -------------------

UI_PORTS: set[int] = set()  # client ports of connections opened on the main (UI) thread
OTHER_PORTS: set[int] = set()
SOURCES: Counter[tuple[str, str]] = Counter()  # (ui function, library method) -> UI-thread statements
_LIBRARY = str(ROOT / "reviewer" / "library")
_BACKEND = str(ROOT / "reviewer" / "library" / "backend.py")
_UI = str(ROOT / "reviewer" / "ui")


def _where() -> tuple[str, str]:
    """The innermost reviewer/ui function and the outermost library method under it."""
    frame = sys._getframe(2)
    library = ""
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_LIBRARY):
            if name != _BACKEND:
                library = f"{Path(name).stem}.{frame.f_code.co_name}"
        elif name.startswith(_UI):
            return f"{Path(name).stem}.{frame.f_code.co_name}:{frame.f_lineno}", library
        frame = frame.f_back
    return "?", library


def instrument_postgres() -> bool:
    """Note each PostgreSQL connection's client port with the thread that opened it, and count the
    UI thread's statements by where they come from. Bench-only patches of the backend's methods;
    False (round trips then counted on every connection) if they are not there any more."""
    from reviewer.library import backend

    db = getattr(backend, "PgDatabase", None)
    if db is None or not all(hasattr(db, m) for m in ("_connect", "execute", "executemany")):
        return False
    connect, execute, executemany = db._connect, db.execute, db.executemany

    def _connect(self):  # noqa: ANN001, ANN202
        conn = connect(self)
        try:
            with socket.socket(fileno=os.dup(conn.pgconn.socket)) as s:
                name = s.getsockname()
            if not isinstance(name, tuple):
                return conn  # a Unix socket: not through the proxy
            port = name[1]
            (UI_PORTS if threading.current_thread() is threading.main_thread() else OTHER_PORTS).add(port)
        except (OSError, AttributeError):
            pass
        return conn

    def counted(method: Callable) -> Callable:
        def wrapper(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if threading.current_thread() is threading.main_thread():
                SOURCES[_where()] += 1
            return method(self, *args, **kwargs)

        return wrapper

    db._connect, db.execute, db.executemany = _connect, counted(execute), counted(executemany)
    return True


# -- timing an action on the running event loop --------------------------------------------------


class Stopwatch:
    """A precise 5 ms heartbeat on the UI thread, and a runner that starts an action from the
    event loop and spins the loop until it is done."""

    def __init__(self, proxy: DelayProxy | None) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.proxy = proxy
        self.ticks: list[float] = []
        self.beat = QTimer()
        self.beat.setTimerType(Qt.TimerType.PreciseTimer)
        self.beat.setInterval(HEARTBEAT_MS)
        self.beat.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self.beat.start()

    def run(self, action: Callable[[], object], done: Callable[[], bool] = lambda: True) -> dict:
        from PySide6.QtCore import QEventLoop, Qt, QTimer

        loop = QEventLoop()
        state: dict = {"returned": None, "done": None, "error": None}
        before = self.proxy.snapshot() if self.proxy else {}
        statements = Counter(SOURCES)

        def start() -> None:
            try:
                action()
            except Exception as e:  # noqa: BLE001 - said in the results, the bench goes on
                state["error"] = f"{type(e).__name__}: {e}"
            state["returned"] = time.perf_counter()

        def check() -> None:
            now = time.perf_counter()
            if state["returned"] is None:
                return
            if state["done"] is None and (state["error"] or done()):
                state["done"] = now
            if state["done"] is not None and now - state["done"] >= SETTLE_S:
                loop.quit()
            elif now - t0 > ACTION_TIMEOUT_S:
                state["error"] = state["error"] or "timed out"
                state["done"] = state["done"] or now
                loop.quit()

        checker = QTimer()
        checker.setTimerType(Qt.TimerType.PreciseTimer)
        checker.setInterval(1)
        checker.timeout.connect(check)
        self.ticks.append(time.perf_counter())  # the loop was free up to here
        t0 = time.perf_counter()
        QTimer.singleShot(0, start)
        checker.start()
        loop.exec()
        checker.stop()
        end = time.perf_counter()
        self.ticks.append(end)
        window = [t for t in self.ticks if t >= t0 - HEARTBEAT_MS / 1000]
        gaps = np.diff(window) * 1000 if len(window) > 1 else np.array([0.0])
        out = {
            "wall_s": state["done"] - t0,
            "stall_ms": max(0.0, float(gaps.max()) - HEARTBEAT_MS),
            "error": state["error"],
        }
        if self.proxy is not None:
            after = self.proxy.snapshot()
            moved = {p: n - before.get(p, 0) for p, n in after.items() if n != before.get(p, 0)}
            if UI_PORTS or OTHER_PORTS:
                out["ui_round_trips"] = sum(n for p, n in moved.items() if p in UI_PORTS)
                out["other_round_trips"] = sum(n for p, n in moved.items() if p not in UI_PORTS)
            else:
                out["ui_round_trips"] = out["other_round_trips"] = None
                out["all_round_trips"] = sum(moved.values())
            out["ui_statements"] = {
                f"{ui} → {lib}": n - statements[(ui, lib)]
                for (ui, lib), n in SOURCES.items()
                if n != statements[(ui, lib)]
            }
        return out


# -- the actions -----------------------------------------------------------------------------------


def measure_window(app, settings, location, call_id: int, repeat: int, proxy: DelayProxy | None) -> dict:
    """The window on ``location``; each action ``repeat`` times. Returns {action: [runs]} and
    "start_s": the window's construction and first settle."""
    from PySide6.QtWidgets import QDialogButtonBox

    from reviewer.ui.main_window import MainWindow, ui_settings
    from reviewer.ui.transcript import Speech

    ui_settings().clear()  # no call reopened from the last window's settings
    t = time.perf_counter()
    window = MainWindow(settings, library_path=location, first_run_sample=False)
    window.resize(1400, 900)
    window.show()
    for _ in range(5):
        app.processEvents()
    start_s = time.perf_counter() - t
    poll_timer = getattr(window, "poll_timer", None)
    if poll_timer is not None:
        poll_timer.stop()
    watch = Stopwatch(proxy)
    runs: dict[str, list[dict]] = {}

    def timed(name: str, action: Callable[[], object], done: Callable[[], bool] = lambda: True) -> None:
        runs.setdefault(name, []).append(watch.run(action, done))

    page = window.review_page
    worker = getattr(window, "library_worker", None)  # the window's library thread, if it has one

    def idle() -> bool:
        """Whatever the window asked of its library thread has been shown."""
        return worker is None or not worker.busy

    def settle() -> None:
        while not idle():
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()

    def poll(after: str | None = None) -> None:
        """The window's 2-second poll, as it comes after an action (timed after one that wrote)."""
        if after is None:
            window.poll_library()
            settle()
            return
        timed(NEXT_POLL, window.poll_library, idle)
        runs[NEXT_POLL][-1]["after"] = after

    def one_round() -> None:
        # -- open the 60-minute call from the list
        window.show_library()
        settle()
        page.close_call()
        poll()
        timed(
            "open the 60-minute call",
            lambda: window.open_call(call_id),
            lambda: page.call is not None and page.call.id == call_id and idle(),
        )
        poll()

        # -- who said it: a customer turn mid-call to the agent, then undo
        turns = [t for t in page.call.transcript.turns if t.speaker == "S2" and t.word_count > 5]
        turn = turns[len(turns) // 2]
        speech = Speech(turn.start, turn.end, turn.speaker, turn.word_count)
        old, index = page.call, page.undo_stack.index()
        timed(
            "say who said a turn",
            lambda: page.reassign(speech, "S1"),
            lambda: page.undo_stack.index() > index and page.call is not old and idle(),
        )
        poll("say who said a turn")
        old, index = page.call, page.undo_stack.index()
        timed(
            "undo that (Ctrl+Z)",
            window.undo_action.trigger,
            lambda: page.undo_stack.index() < index and page.call is not old and idle(),
        )
        poll("undo that")

        # -- override an automatic score item: Override… opens the dialog, then its OK
        panel = page.scores
        page.tabs.setCurrentWidget(panel)
        app.processEvents()
        item = next(i for i in panel.score.items if i.kind == "auto" and i.auto_result is not None)
        panel.select_item(item.id)
        timed(
            "override a score item: Override…",
            panel.answer_button.click,
            lambda: panel.dialog is not None and panel.dialog.isVisible(),
        )
        poll()
        dialog = panel.dialog
        old_score = panel.score

        def ok(dialog=dialog, item=item) -> None:
            # nothing is chosen until a person chooses (guidance): choose an answer not the rule's
            from PySide6.QtCore import Qt

            role = Qt.ItemDataRole.UserRole
            values = [dialog.value.item(i).data(role) for i in range(dialog.value.count())]
            other = next((v for v in values if v is not None and v != item.auto_result), values[0])
            dialog.value.setCurrentIndex(dialog.value.findData(other))
            dialog.text.setText("Checked by the bench")
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

        timed(
            "override a score item: OK",
            ok,
            lambda item=item, old=old_score: (
                panel.score is not old and any(i.id == item.id and i.override for i in panel.score.items)
            ),
        )
        poll("override a score item")
        window.undo_action.trigger()  # the item as the rule had it (not timed)
        settle()
        poll()

        # -- save a scorecard: Scorecards › Edit, then the form's Save (re-scores every call)
        # The form opens at once when the call's score brought its card, else once the library
        # thread has read it (edit_scorecard then returns None): wait for the window's form.
        window.scorecard_editor = None
        timed(
            "save a scorecard: Edit…",
            window.edit_scorecard,
            lambda: window.scorecard_editor is not None and window.scorecard_editor.isVisible(),
        )
        poll()
        editor = window.scorecard_editor
        saved: list = []
        editor.saved.connect(saved.append)
        version = panel.score.version if panel.score else 0

        def save(editor=editor) -> None:
            editor.pass_mark.setValue(60 if editor.pass_mark.value() != 60 else 70)
            editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()

        timed(
            "save a scorecard: Save",
            save,
            lambda: bool(saved) and panel.score is not None and panel.score.version > version,
        )
        poll("save a scorecard")

        # -- back to the list, and the window's poll when nothing changed
        timed("back to the list", window.show_library, idle)
        poll()
        timed("the poll when nothing changed (every 2 s)", window.poll_library, idle)

    try:
        for _ in range(repeat):
            one_round()
    finally:
        watch.beat.stop()
        window.close()
        window.deleteLater()
        app.processEvents()
    return {"start_s": start_s, "runs": runs}


def summarise(runs: list[dict]) -> dict:
    walls = [r["wall_s"] for r in runs]
    stalls = [r["stall_ms"] for r in runs]
    out = {
        "wall_s": {"median": round(statistics.median(walls), 3), "max": round(max(walls), 3)},
        "stall_ms": {"median": round(statistics.median(stalls), 1), "max": round(max(stalls), 1)},
        "runs": len(runs),
        "all_stall_ms": [round(x, 1) for x in stalls],
        "all_wall_s": [round(x, 3) for x in walls],
        "errors": sorted({r["error"] for r in runs if r["error"]}),
    }
    if "after" in runs[0]:  # the poll: after which action it stalled longest
        worst: dict[str, float] = {}
        for r in runs:
            worst[r["after"]] = round(max(worst.get(r["after"], 0.0), r["stall_ms"]), 1)
        out["worst_stall_ms_after"] = worst
    if "ui_round_trips" in runs[0]:
        for key in ("ui_round_trips", "other_round_trips", "all_round_trips"):
            values = [r[key] for r in runs if r.get(key) is not None]
            if values:
                out[key] = int(statistics.median(values))
        sources: Counter[str] = Counter()
        for r in runs:
            sources.update(r["ui_statements"])
        out["ui_statements_per_run"] = {k: round(n / len(runs), 1) for k, n in sources.most_common(12)}
    return out


# -- set-up ----------------------------------------------------------------------------------------


def store_calls(location, settings, result) -> tuple[int, float, int]:
    """The 60-minute call and the sample call in the library at ``location``; the hour's id,
    duration (s) and word count."""
    from reviewer.importer import store_result
    from reviewer.library import open_library
    from reviewer.library.store import content_hash

    with open_library(location) as library:
        made = ui_bench.build_long_call(library, settings, result)
        store_result(library, SAMPLE, content_hash(SAMPLE), result)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every round trip (20)")
    parser.add_argument("--repeat", type=int, default=3, help="times each action is timed (3)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()

    cleanups: list[Callable[[], None]] = [lambda: shutil.rmtree(WORK, ignore_errors=True)]

    def clean_up() -> None:
        while cleanups:
            try:
                cleanups.pop()()
            except Exception as e:  # noqa: BLE001 - clean up the rest
                print(f"clean-up: {e}", file=sys.stderr)

    atexit.register(clean_up)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from PySide6.QtWidgets import QApplication

    from reviewer.pipeline import process_file
    from reviewer.settings import load_settings

    app = QApplication(sys.argv[:1])
    settings = load_settings()
    t = time.perf_counter()
    result = process_file(SAMPLE)

    server = pg_server.start()
    cleanups.append(server.stop)
    socket_path = str(server.folder / pg_server.SOCKET_NAME)
    pg_call, duration, words = store_calls(server.url, settings, result)
    minutes = duration / 60
    sqlite_path = WORK / "library.sqlite"
    sqlite_call = None if args.no_sqlite else store_calls(sqlite_path, settings, result)[0]
    build_s = time.perf_counter() - t

    instrumented = instrument_postgres()
    proxy = DelayProxy(socket_path, args.latency_ms / 1000)
    port = proxy.start()
    cleanups.append(proxy.stop)
    url = f"postgresql://{pg_server.ROLE}@127.0.0.1:{port}/{pg_server.DATABASE}"

    measured = {}
    if sqlite_call is not None:
        measured["sqlite"] = measure_window(app, settings, sqlite_path, sqlite_call, args.repeat, None)
    measured["postgresql"] = measure_window(app, settings, url, pg_call, args.repeat, proxy)
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "postgresql": pg_server.find_bindir().parent.name,
        "latency_ms_per_round_trip": args.latency_ms,
        "round_trips_attributed_to_threads": instrumented,
        "call_minutes": round(minutes, 1),
        "call_words": words,
        "build_seconds": round(build_s, 1),
        "repeat": args.repeat,
        "window_start_s": {k: round(v["start_s"], 2) for k, v in measured.items()},
        "actions": {
            backend: {name: summarise(r) for name, r in v["runs"].items()} for backend, v in measured.items()
        },
    }
    out = ROOT / "bench" / "results" / "ui_remote.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_table(results)


def print_table(results: dict) -> None:
    pg = results["actions"]["postgresql"]
    lite = results["actions"].get("sqlite", {})
    ms = results["latency_ms_per_round_trip"]
    print(
        f"Machine: {results['machine']}; PostgreSQL {results['postgresql']}, {ms:g} ms added per round "
        f"trip; a {results['call_minutes']}-minute call, {results['call_words']} words; median of "
        f"{results['repeat']} (worst)\n"
    )
    print(
        f"| action | SQLite stall (ms) | SQLite wall (s) | PostgreSQL +{ms:g} ms stall (ms) "
        "| PostgreSQL wall (s) | UI-thread round trips | other threads' |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, p in pg.items():
        s = lite.get(name)
        cells = [
            f"{s['stall_ms']['median']} ({s['stall_ms']['max']})" if s else "",
            f"{s['wall_s']['median']} ({s['wall_s']['max']})" if s else "",
            f"{p['stall_ms']['median']} ({p['stall_ms']['max']})",
            f"{p['wall_s']['median']} ({p['wall_s']['max']})",
            str(p.get("ui_round_trips", p.get("all_round_trips", ""))),
            str(p.get("other_round_trips", "")),
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for name, p in pg.items():
        if "worst_stall_ms_after" in p:
            after = ", ".join(f"{k} {v} ms" for k, v in p["worst_stall_ms_after"].items())
            print(f"\n{name}, PostgreSQL worst stall by the action before it: {after}")
    starts = ", ".join(f"{k} {v} s" for k, v in results["window_start_s"].items())
    print(f"\nWindow start (construction to first settle): {starts}")
    errors = {f"{b}: {n}": a["errors"] for b, acts in results["actions"].items() for n, a in acts.items()}
    for what, e in errors.items():
        if e:
            print(f"Errors, {what}: {'; '.join(e)}")
    print("\nUI-thread statements on PostgreSQL, per action, by where they come from (per run):")
    for name, p in pg.items():
        top = list(p.get("ui_statements_per_run", {}).items())[:6]
        if top:
            print(f"- {name}: " + "; ".join(f"{n:g} × {k}" for k, n in top))


if __name__ == "__main__":
    main()
