"""Where a library is: a path to a SQLite file, or a ``postgresql://`` URL for a team's shared
library. Plain string work, imported by the settings, the library and the app alike."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_url(location: str | Path | None) -> bool:
    return isinstance(location, str) and location.split(":", 1)[0].lower() in POSTGRES_SCHEMES


def library_location(value: str | Path | None) -> str | Path | None:
    """What the user named as a library: a ``postgresql://`` URL stays a string; anything else is
    a path to a SQLite file (``~`` expanded)."""
    if value is None or value == "":
        return None
    if is_url(str(value)):
        return str(value)
    return Path(value).expanduser()


def display_location(location: str | Path) -> str:
    """The library's location as it may be printed or stored: a URL loses its password."""
    if not is_url(str(location)):
        return str(location)
    parts = urlsplit(str(location))
    if parts.password is None:
        return str(location)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + host))


def has_password(location: str | Path) -> bool:
    if not is_url(str(location)):
        return False
    parts = urlsplit(str(location))
    query = parts.query.lower()
    return parts.password is not None or "password=" in query
