"""Opening a library as the front doors do: the library, and what a migration leaves to do."""

from __future__ import annotations

from pathlib import Path

from reviewer.actions.calls import catch_up_glance
from reviewer.actions.scores import rescore
from reviewer.library import Library
from reviewer.library.store import open_library as open_store


def open_library(location: str | Path | None = None, *, glance: bool = True) -> Library:
    """The library at ``location`` (see ``reviewer.library.open_library``), with the calls an old
    library stored before scorecards existed scored once, now, and (``glance``) those it stored
    before it kept the call at a glance judged, now. The app passes ``glance=False`` and judges
    them on its library thread in steps (``catch_up_glance(limit=…)``), so a large library opens
    at once."""
    library = open_store(location)
    try:
        if library.unscored:
            rescore(library)
            library.unscored = False
        if glance:  # one lookup once the library is caught up
            catch_up_glance(library)
            library.unglanced = False
    except BaseException:
        library.close()
        raise
    return library
