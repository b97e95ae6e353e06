"""The second app window of tests/test_shared_library.py, in its own process: it opens the call on
the shared library, adds a comment through its comments panel, then waits (its window polling the
library as it does for a coach) until the first window's reply shows up.

    python tests/two_app_peer.py LIBRARY_URL CALL_ID

Prints ``saw: TEXT`` and exits 0 once the reply is in its list; exits 1 after 60 s without it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from reviewer.settings import load_settings
from reviewer.ui.main_window import MainWindow

MINE = "From the other window"


def main(url: str, call_id: int) -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow(load_settings(), library_path=url, first_run_sample=False)
    window.show()
    window.open_call(call_id)
    comments = window.review_page.comments
    result = {"code": 1}

    def add_once_open() -> None:  # the window shows the call once its library thread read it
        if window.review_page.call is None:
            QTimer.singleShot(50, add_once_open)
            return
        comments.add(1.0, None, MINE, "improve", "Ben")

    QTimer.singleShot(0, add_once_open)

    def look() -> None:
        others = [r.text for r in comments.model.rows if r.text != MINE]
        if others:
            print(f"saw: {others[0]}", flush=True)
            result["code"] = 0
            app.quit()

    watcher = QTimer()
    watcher.timeout.connect(look)
    watcher.start(100)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    window.close()
    return result["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
