"""Opening a library as the front doors do: the library, and what a migration leaves to do."""

from __future__ import annotations

from pathlib import Path

from reviewer.actions.calls import catch_up_glance
from reviewer.actions.scores import rescore
from reviewer.library import Library
from reviewer.library.store import open_library as open_store


def open_library(location: str | Path | None = None) -> Library:
    """The library at ``location`` (see ``reviewer.library.open_library``), with the calls an old
    library stored before scorecards existed scored once, now, and those it stored before it
    kept the call at a glance judged once, now."""
    library = open_store(location)
    try:
        if library.unscored:
            rescore(library)
            library.unscored = False
        if library.unglanced:
            catch_up_glance(library)
            library.unglanced = False
    except BaseException:
        library.close()
        raise
    return library
