"""The import rules cover every module by default: a new top-level module of `reviewer` must be given
its floor in the layers contract of pyproject.toml (lint-imports then checks it in CI)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import reviewer

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_top_level_module_has_a_floor():
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    placed = {m for layer in layers for m in re.split(r"\s*[|:]\s*", layer.strip())}
    package = Path(reviewer.__file__).parent
    modules = {
        f"reviewer.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert sorted(modules - placed) == [], "give these modules a floor in pyproject.toml's layers contract"


def test_qt_is_forbidden_everywhere_but_the_app():
    qt = next(c for c in _contracts() if "PySide6" in c.get("forbidden_modules", []))
    assert qt["source_modules"] == ["reviewer"]
    assert all(i.startswith("reviewer.ui") for i in qt.get("ignore_imports", []))
    assert not any(c.get("allow_indirect_imports") for c in _contracts())
