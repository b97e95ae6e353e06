"""Where Reviewer's bundled resources are: inside the installed package, or the source tree."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parent / "resources"):
        if (candidate / "defaults.toml").is_file():
            return candidate
    raise FileNotFoundError(
        "Reviewer's resources folder is missing; the installation is incomplete (reinstall Reviewer)."
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
