"""One settings object for analysis, with defaults from ``resources/`` and optional user files.

A user's ``settings.toml`` and ``phrases.toml`` in the config folder (``reviewer paths``) override
the bundled defaults key by key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from reviewer import paths
from reviewer.resources import resource


@dataclass(frozen=True)
class PhraseLists:
    agent: tuple[str, ...] = ()
    customer: tuple[str, ...] = ()
    cancel_request: tuple[str, ...] = ()
    other_request: tuple[str, ...] = ()
    comply: tuple[str, ...] = ()
    deflect: tuple[str, ...] = ()
    withdraw: tuple[str, ...] = ()
    backchannel: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    bridge_pause: float = 0.5
    turn_pause: float = 1.2
    monologue_min: float = 30.0
    silence_min: float = 10.0
    overtalk_min: float = 1.0
    backchannel_max_words: int = 3
    backchannel_max_seconds: float = 1.5
    share_window: float = 60.0
    share_step: float = 5.0
    agent_share_target: float = 0.6
    response_max_gap: float = 10.0
    dual_mono_correlation: float = 0.98
    agent_channel: str = "auto"
    phrases: PhraseLists = field(default_factory=PhraseLists)

    def replace(self, **changes: Any) -> Settings:
        from dataclasses import replace

        return replace(self, **changes)


# Where each flat setting lives in the TOML file: (table, key).
_TOML_KEYS: dict[str, tuple[str, str]] = {
    "bridge_pause": ("speech", "bridge_pause"),
    "turn_pause": ("speech", "turn_pause"),
    "monologue_min": ("stretches", "monologue_min"),
    "silence_min": ("stretches", "silence_min"),
    "overtalk_min": ("stretches", "overtalk_min"),
    "backchannel_max_words": ("stretches", "backchannel_max_words"),
    "backchannel_max_seconds": ("stretches", "backchannel_max_seconds"),
    "share_window": ("talk", "share_window"),
    "share_step": ("talk", "share_step"),
    "agent_share_target": ("talk", "agent_share_target"),
    "response_max_gap": ("response", "max_gap"),
    "dual_mono_correlation": ("channels", "dual_mono_correlation"),
    "agent_channel": ("channels", "agent_channel"),
}


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def _values_from(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (table, key) in _TOML_KEYS.items():
        if key in doc.get(table, {}):
            out[name] = doc[table][key]
    return out


def _phrases_from(doc: dict[str, Any], base: PhraseLists) -> PhraseLists:
    sections = {
        "agent": ("roles", "agent"),
        "customer": ("roles", "customer"),
        "cancel_request": ("refusals", "cancel_request"),
        "other_request": ("refusals", "other_request"),
        "comply": ("refusals", "comply"),
        "deflect": ("refusals", "deflect"),
        "withdraw": ("refusals", "withdraw"),
        "backchannel": ("backchannel", "words"),
    }
    values = {f.name: getattr(base, f.name) for f in fields(PhraseLists)}
    for name, (table, key) in sections.items():
        if key in doc.get(table, {}):
            values[name] = tuple(str(p) for p in doc[table][key])
    return PhraseLists(**values)


def load_settings(settings_file: Path | None = None, phrases_file: Path | None = None) -> Settings:
    """Bundled defaults, then the user's config files, then explicitly named files."""
    values = _values_from(_read_toml(resource("defaults.toml")))
    phrases = _phrases_from(_read_toml(resource("phrases.toml")), PhraseLists())
    for candidate in (paths.config_dir() / "settings.toml", settings_file):
        if candidate is not None and Path(candidate).is_file():
            values.update(_values_from(_read_toml(Path(candidate))))
    for candidate in (paths.config_dir() / "phrases.toml", phrases_file):
        if candidate is not None and Path(candidate).is_file():
            phrases = _phrases_from(_read_toml(Path(candidate)), phrases)
    return Settings(phrases=phrases, **values)
