"""Opening a library as the front doors do: the library, and what a migration leaves to do."""

from __future__ import annotations

from pathlib import Path

from reviewer.actions.scores import rescore
from reviewer.library import Library
from reviewer.library.store import open_library as open_store


def open_library(location: str | Path | None = None) -> Library:
    """The library at ``location`` (see ``reviewer.library.open_library``), with the calls an old
    library stored before scorecards existed scored once, now."""
    library = open_store(location)
    if library.unscored:
        try:
            rescore(library)
        except BaseException:
            library.close()
            raise
        library.unscored = False
    return library
