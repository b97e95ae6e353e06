"""One settings object for analysis, with defaults from ``resources/`` and optional user files.

A user's ``settings.toml`` and ``phrases.toml`` in the config folder (``reviewer paths``) override
the bundled defaults key by key.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import warnings
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer import paths
from reviewer.errors import SettingsError
from reviewer.resources import resource

if TYPE_CHECKING:
    from reviewer.analysis.pushback import RefusalModel, RequestModel
    from reviewer.analysis.reasons import ReasonList


@dataclass(frozen=True)
class PhraseLists:
    agent: tuple[str, ...] = ()
    customer: tuple[str, ...] = ()
    cancel_request: tuple[str, ...] = ()
    other_request: tuple[str, ...] = ()
    comply: tuple[str, ...] = ()
    deflect: tuple[str, ...] = ()
    deflect_reason: tuple[str, ...] = ()
    deflect_decline: tuple[str, ...] = ()
    deflect_pitch: tuple[str, ...] = ()
    withdraw: tuple[str, ...] = ()
    asks_again: tuple[str, ...] = ()
    backchannel: tuple[str, ...] = ()
    # Named kinds of request, in order: (kind, phrases), e.g. ("downgrade", ("downgrad*", ...)).
    requests: tuple[tuple[str, tuple[str, ...]], ...] = ()


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
    # Redacted audio: what replaces a sensitive span ("tone" or "silence"), how much more is
    # hidden each side of it (seconds), and the user's own words to hide as well.
    redact_mode: str = "tone"
    redact_margin: float = 0.25
    redact_words: tuple[str, ...] = ()
    # The team's own words (products, plans, places, agents, competitors) that transcription
    # should spell as the team does: [transcription] vocabulary.
    vocabulary: tuple[str, ...] = ()
    phrases: PhraseLists = field(default_factory=PhraseLists)
    # Push-back or not (analysis.pushback); None: the phrase lists alone decide.
    refusal_model: RefusalModel | None = field(default=None, compare=False, repr=False)
    # Which request a customer turn makes (analysis.pushback.RequestModel); None: the phrase lists.
    request_model: RequestModel | None = field(default=None, compare=False, repr=False)
    # Known first names (resources/names), to tell "this is Grace" from "this is Harper Valley".
    first_names: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # Why customers call (analysis.reasons): the team's list; None: no call reason is judged.
    reasons: ReasonList | None = field(default=None, compare=False, repr=False)

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
    "redact_mode": ("redaction", "mode"),
    "redact_margin": ("redaction", "margin"),
    "redact_words": ("redaction", "words"),
    "vocabulary": ("transcription", "vocabulary"),
}


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def _values_from(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (table, key) in _TOML_KEYS.items():
        if key in doc.get(table, {}):
            out[name] = doc[table][key]
    if "redact_words" in out:
        words = out["redact_words"]
        out["redact_words"] = tuple(str(w) for w in (words if isinstance(words, list) else [words]))
    if "vocabulary" in out:
        out["vocabulary"] = _vocabulary_from(out["vocabulary"])
    if out.get("redact_mode", "tone") not in ("tone", "silence"):
        raise SettingsError(f'[redaction] mode is {out["redact_mode"]!r}: use "tone" or "silence".')
    if not isinstance(out.get("redact_margin", 0.0), int | float) or out.get("redact_margin", 0.0) < 0:
        raise SettingsError(f"[redaction] margin is {out['redact_margin']!r}: use seconds, 0 or more.")
    return out


def _vocabulary_from(value: Any) -> tuple[str, ...]:  # noqa: ANN401 - as the TOML file has it
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(
            f"[transcription] vocabulary is {value!r}: use a list of words, "
            'e.g. ["Harper Valley", "Zentrix"].'
        )
    return clean_vocabulary(value)


def clean_vocabulary(terms: Any) -> tuple[str, ...]:  # noqa: ANN401 - any iterable of strings
    """The terms as a user means them: spaces tidied, blanks dropped, each once (first spelling kept)."""
    out: dict[str, str] = {}
    for term in terms:
        term = " ".join(str(term).split())
        if term and term.casefold() not in out:
            out[term.casefold()] = term
    return tuple(out.values())


def parse_vocabulary(text: str) -> tuple[str, ...]:
    """``"Harper Valley, Zentrix"`` (the command line's ``--vocabulary``) as terms."""
    return clean_vocabulary(text.split(","))


def user_settings_file() -> Path:
    return paths.config_dir() / "settings.toml"


def read_vocabulary(settings_file: Path | None = None) -> tuple[str, ...]:
    """``[transcription] vocabulary`` of one settings file (the user's settings.toml by default);
    none when the file or the key is missing."""
    path = Path(settings_file) if settings_file is not None else user_settings_file()
    if not path.is_file():
        return ()
    try:
        doc = _read_toml(path)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SettingsError(f"{path} could not be read ({e}).") from None
    table = doc.get("transcription", {})
    return _vocabulary_from(table.get("vocabulary", [])) if isinstance(table, dict) else ()


_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\](\s*#.*)?$")
_VOCABULARY_KEY = re.compile(r"^\s*vocabulary\s*=")


def save_vocabulary(terms: Any, settings_file: Path | None = None) -> tuple[str, ...]:  # noqa: ANN401
    """Write ``[transcription] vocabulary`` into the user's settings.toml (or ``settings_file``),
    keeping every other line of it, comments included, as it was; the file is replaced whole, so
    a reader never sees it half-written. Returns the terms as saved."""
    path = Path(settings_file) if settings_file is not None else user_settings_file()
    terms = clean_vocabulary(terms)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(
            f"{path} could not be read ({e}); correct it before saving the vocabulary."
        ) from None
    entry = ["vocabulary = ["] + [f"    {json.dumps(t, ensure_ascii=False)}," for t in terms] + ["]"]
    if not terms:
        entry = ["vocabulary = []"]
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if _table_name(line) == "transcription"), None)
    if header is None:
        if lines and lines[-1].strip():
            lines.append("")
        lines += [
            "[transcription]",
            "# Words Whisper should spell as your team does (products, plans, places, names).",
        ]
        lines += entry
    else:
        end = next((i for i in range(header + 1, len(lines)) if _table_name(lines[i])), len(lines))
        key = next((i for i in range(header + 1, end) if _VOCABULARY_KEY.match(lines[i])), None)
        if key is None:
            lines[header + 1 : header + 1] = entry
        else:
            stop = next((j for j in range(key + 1, len(lines) + 1) if _parses("\n".join(lines[key:j]))), None)
            if stop is None:
                raise SettingsError(
                    f"{path}: [transcription] vocabulary could not be found whole; edit it by hand."
                )
            lines[key:stop] = entry
    new = "\n".join(lines) + "\n"
    try:
        saved = tomllib.loads(new).get("transcription", {}).get("vocabulary")
    except tomllib.TOMLDecodeError:
        saved = None
    if saved != list(terms):
        raise SettingsError(f"The vocabulary could not be written into {path} safely; edit it by hand.")
    paths.ensure_private_dir(path.parent)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(new, encoding="utf-8")
    os.replace(staging, path)
    return terms


def _table_name(line: str) -> str | None:
    """The table a ``[header]`` line opens (``[[array]]`` tables too), else None."""
    m = _TABLE.match(line.replace("[[", "[").replace("]]", "]"))
    return m.group(1).strip() if m else None


def _parses(text: str) -> bool:
    try:
        return "vocabulary" in tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False


def _phrases_from(doc: dict[str, Any], base: PhraseLists) -> PhraseLists:
    sections = {
        "agent": ("roles", "agent"),
        "customer": ("roles", "customer"),
        "cancel_request": ("refusals", "cancel_request"),
        "other_request": ("refusals", "other_request"),
        "comply": ("refusals", "comply"),
        "deflect": ("refusals", "deflect"),
        "deflect_reason": ("refusals", "deflect_reason"),
        "deflect_decline": ("refusals", "deflect_decline"),
        "deflect_pitch": ("refusals", "deflect_pitch"),
        "withdraw": ("refusals", "withdraw"),
        "asks_again": ("refusals", "asks_again"),
        "backchannel": ("backchannel", "words"),
    }
    values = {f.name: getattr(base, f.name) for f in fields(PhraseLists)}
    for name, (table, key) in sections.items():
        if key in doc.get(table, {}):
            values[name] = tuple(str(p) for p in doc[table][key])
    if "requests" in doc:  # the user's file may replace single kinds
        kinds = dict(values["requests"])
        kinds.update((str(k), tuple(str(p) for p in v)) for k, v in doc["requests"].items())
        values["requests"] = tuple(kinds.items())
    return PhraseLists(**values)


@lru_cache(maxsize=4)
def _load_model(path: Path, _mtime: float) -> RefusalModel:
    from reviewer.analysis.pushback import RefusalModel

    return RefusalModel.from_json(json.loads(path.read_text()))


def load_refusal_model(path: Path | None = None) -> RefusalModel:
    """The model at ``path``, else the user's retrained one, else the bundled one. A user's model
    that no longer loads (trained by an older Reviewer) gives way to the bundled one, with a
    warning; a broken bundled model is an error."""
    if path is None:
        mine = paths.config_dir() / "refusal_model.json"
        if mine.is_file():
            try:
                return _load_model(mine, mine.stat().st_mtime)
            except (OSError, ValueError, KeyError) as e:
                warnings.warn(
                    f"Your refusal model {mine} could not be used ({e}); the bundled one is used "
                    "instead. Run `reviewer train-refusals --from-library` to retrain it.",
                    stacklevel=2,
                )
        path = resource("refusal_model.json")
    try:
        return _load_model(path, path.stat().st_mtime)
    except (OSError, ValueError, KeyError) as e:
        raise SettingsError(f"The refusal model {path} could not be read ({e}); reinstall Reviewer.") from e


@lru_cache(maxsize=4)
def _load_request_model(path: Path, _mtime: float) -> RequestModel:
    from reviewer.analysis.pushback import RequestModel

    return RequestModel.from_json(json.loads(path.read_text()))


def load_request_model(path: Path | None = None) -> RequestModel:
    """The bundled request model (``resources/request_model.json``), or the one at ``path``."""
    path = path or resource("request_model.json")
    try:
        return _load_request_model(path, path.stat().st_mtime)
    except (OSError, ValueError, KeyError) as e:
        raise SettingsError(f"The request model {path} could not be read ({e}); reinstall Reviewer.") from e


def load_reasons(path: Path | None = None) -> ReasonList:
    """The reasons list at ``path``, else the user's reasons.toml in the config folder, else the
    bundled one: a user's file replaces the bundled list whole (it is the team's list)."""
    from reviewer.analysis.reasons import parse_reasons

    if path is None:
        mine = paths.config_dir() / "reasons.toml"
        path = mine if mine.is_file() else resource("reasons.toml")
    try:
        return parse_reasons(_read_toml(Path(path)), str(path))
    except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError) as e:
        raise SettingsError(f"The reasons list {path} could not be used ({e}).") from e


def load_settings(
    settings_file: Path | None = None,
    phrases_file: Path | None = None,
    *,
    refusal_model: bool = True,
    request_model: bool = True,
    reasons_file: Path | None = None,
) -> Settings:
    """Bundled defaults, then the user's config files, then explicitly named files. Without
    ``refusal_model`` (``request_model``) the phrase lists alone judge push-back (requests)."""
    values = _values_from(_read_toml(resource("defaults.toml")))
    phrases = _phrases_from(_read_toml(resource("phrases.toml")), PhraseLists())
    for candidate in (user_settings_file(), settings_file):
        if candidate is not None and Path(candidate).is_file():
            values.update(_values_from(_read_toml(Path(candidate))))
    for candidate in (paths.config_dir() / "phrases.toml", phrases_file):
        if candidate is not None and Path(candidate).is_file():
            phrases = _phrases_from(_read_toml(Path(candidate)), phrases)
    model = load_refusal_model() if refusal_model else None  # None: the phrase lists alone
    requests = load_request_model() if request_model else None
    return Settings(
        phrases=phrases,
        refusal_model=model,
        request_model=requests,
        first_names=first_names(),
        reasons=load_reasons(reasons_file),
        **values,
    )


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    lines = resource("names", "first_names.txt").read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
