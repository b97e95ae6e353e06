"""The `reviewer` command (and ``python -m reviewer``): the desktop app with no command or with
`reviewer gui`, the command line (:func:`reviewer.cli.main`) otherwise. It lives outside both so
that the command line never imports the app: it is handed :func:`desktop_app` to find it."""

from __future__ import annotations

from reviewer.cli import main as cli_main
from reviewer.logs import send_warnings_to_log


def desktop_app():  # noqa: ANN201 - the reviewer.ui.app module (a reviewer.cli.admin.DesktopApp)
    """The desktop app, imported only when it is to open (no Qt for the other commands)."""
    from reviewer.ui import app

    return app


def main(argv: list[str] | None = None) -> int:
    send_warnings_to_log()  # dependencies' warnings are not for the person at the terminal
    return cli_main(argv, desktop=desktop_app)
