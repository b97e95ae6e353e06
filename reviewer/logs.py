"""Where messages that are not for the user go: dependencies' warnings (numpy, torch, pyannote) and
Reviewer's own log lines are written to ``reviewer.log`` in the data folder (owner-only, made only
when there is something to write, kept to about a megabyte), never to the terminal or the window."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler

from reviewer import paths

LOG_NAME = "reviewer.log"


class _PrivateLog(RotatingFileHandler):
    """A rotating log created owner-only (the log may name calls)."""

    def _open(self):  # noqa: ANN202 - a text file object, as logging's own _open returns
        paths.ensure_private_dir(paths.data_dir())
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, self.mode, encoding=self.encoding)  # noqa: SIM115 - the handler closes it

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """A line that cannot be written (a full disk, a folder gone) is dropped: the log is for
        whoever debugs, and logging's own traceback on the terminal would bury the user's lines."""


def send_warnings_to_log() -> None:
    """Route Python warnings and every WARNING-or-worse log record to ``reviewer.log``."""
    root = logging.getLogger()
    if any(isinstance(h, _PrivateLog) for h in root.handlers):
        return
    handler = _PrivateLog(
        str(paths.data_dir() / LOG_NAME), maxBytes=1_000_000, backupCount=1, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
