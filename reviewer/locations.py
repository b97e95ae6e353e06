"""Where a library is: a path to a SQLite file, or a ``postgresql://`` URL for a team's shared
library. Plain string work, imported by the settings, the library and the app alike, and where
settings.toml's ``[library]`` table names one (read here, so the library needs no settings)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reviewer import paths
from reviewer.errors import SettingsError

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


# libpq's connection parameters that are secrets (a path to a key file is not one)
SECRET_PARAMETERS = ("password", "sslpassword")


def display_location(location: str | Path) -> str:
    """The library's location as it may be printed or stored: a URL loses its password, whether
    written as ``user:password@`` or as a ``password=`` (or ``sslpassword=``) parameter. Plain
    string work: a malformed part (a port that is not a number) is shown as written, never raised."""
    if not is_url(str(location)):
        return str(location)
    parts = urlsplit(str(location))
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = (userinfo.split(":", 1)[0] + at + hostport) if at else parts.netloc
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair.split("=", 1)[0].strip().lower() not in SECRET_PARAMETERS
    )
    shown = f"{parts.scheme}://{netloc}{parts.path}"
    return shown + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def url_port_problem(location: str | Path) -> str | None:
    """What is wrong with a ``postgresql://`` address's port, in words; None when nothing is."""
    if not is_url(str(location)):
        return None
    hostport = urlsplit(str(location)).netloc.rpartition("@")[2]
    for host in hostport.split(","):  # libpq takes several hosts
        port = host.rpartition(":")[2] if ":" in host and not host.endswith("]") else ""
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            return f"its port {port!r} is not a port number (e.g. 5432)"
    return None


def has_password(location: str | Path) -> bool:
    if not is_url(str(location)):
        return False
    parts = urlsplit(str(location))
    userinfo, at, _ = parts.netloc.rpartition("@")
    keys = {pair.split("=", 1)[0].strip().lower() for pair in parts.query.split("&")}
    return (bool(at) and ":" in userinfo) or bool(keys & set(SECRET_PARAMETERS))


def _library_table() -> dict[str, Any]:
    path = paths.config_dir() / "settings.toml"
    if not path.is_file():
        return {}
    try:
        table = _read_toml(path).get("library", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SettingsError(f"{path} could not be read ({e}).") from None
    if not isinstance(table, dict):
        raise SettingsError(f'{path}: [library] must be a table, e.g. location = "postgresql://coach@db/qa".')
    return table


def library_setting() -> str | None:
    """``[library] location`` of the user's settings.toml: a path or a ``postgresql://`` URL, the
    library opened when none is named. A password written into it is refused: libpq reads it
    from ~/.pgpass (or the file PGPASSFILE names), which only its owner can read."""
    value = _library_table().get("location")
    if value is None:
        return None
    value = str(value)
    if has_password(value):
        raise SettingsError(
            "settings.toml has a password in [library] location: remove it and put it in ~/.pgpass "
            "(host:port:database:user:password, mode 600) or the file PGPASSFILE names."
        )
    return value


def audio_root_setting() -> Path | None:
    """``[library] audio_root``: where this machine finds the team's audio folder, when it is
    mounted somewhere else than where the library says."""
    value = _library_table().get("audio_root")
    return Path(str(value)).expanduser() if value else None


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)
