"""The call library: SQLite through sqlite-utils. No Qt."""

from reviewer.library.store import COMMENT_CATEGORIES, Library, open_library

__all__ = ["COMMENT_CATEGORIES", "Library", "open_library"]
