"""The user's folders for Reviewer's library, models and config (platformdirs)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

APP = "reviewer"


def data_dir() -> Path:
    """Library and assembled models. ``REVIEWER_DATA_DIR`` overrides (tests, portable installs)."""
    override = os.environ.get("REVIEWER_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("REVIEWER_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """Caches of Reviewer's dependencies (matplotlib, ...). ``REVIEWER_CACHE_DIR`` overrides."""
    override = os.environ.get("REVIEWER_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP, appauthor=False))


def models_dir() -> Path:
    override = os.environ.get("REVIEWER_MODELS_DIR")
    return Path(override) if override else data_dir() / "models"


def default_library() -> Path:
    return data_dir() / "library.sqlite"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by its owner only: call recordings are
    private. A folder that already exists is left as its owner set it."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        try:
            created.chmod(0o700)
        except OSError:
            pass
    return path


def content_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
