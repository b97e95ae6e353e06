"""Writing exports: which files a request makes, and making them one by one with progress and
cancel. Each file is written to a temporary file beside it and renamed into place, so an existing
report is never left half-overwritten."""

from __future__ import annotations

import errno
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reviewer.errors import ReviewerError
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.report.formats import FORMATS, parse_formats
from reviewer.report.source import CallSource
from reviewer.settings import Settings


@dataclass(frozen=True)
class ExportPlan:
    """One file to write: a call's format, or the summary (call_id None)."""

    call_id: int | None
    format: str
    path: Path


def _safe_stem(name: str) -> str:
    stem = Path(name).stem or "call"
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", stem).strip(" .")
    return stem or "call"


def plan_exports(names: dict[int, str], formats: list[str], out: str | Path) -> list[ExportPlan]:
    """The files an export makes. With one call and one format (or just the summary) and ``out``
    naming a file, that file; otherwise ``out`` is a folder with one file per call and format,
    named after the recording (``call.pdf``), and ``summary.csv``."""
    out = Path(out)
    per_call = [f for f in formats if FORMATS[f].per_call]
    if not names:
        raise ReviewerError("No calls to export.")
    count = len(names) * len(per_call) + len(formats) - len(per_call)  # the summary: one for all
    as_file = count == 1 and not out.is_dir() and out.suffix != "" and not str(out).endswith(("/", os.sep))
    if as_file:
        fmt = formats[0]
        suffix = FORMATS[fmt].suffix
        if out.suffix.lower() != suffix:
            raise ReviewerError(f"{out.name} does not end in {suffix}, the suffix for {fmt} exports.")
        call_id = next(iter(names)) if FORMATS[fmt].per_call else None
        return [ExportPlan(call_id, fmt, out)]
    plans: list[ExportPlan] = []
    used: set[str] = set()
    if "summary" in formats:
        plans.append(ExportPlan(None, "summary", out / "summary.csv"))
        used.add("summary.csv")
    stems = [_safe_stem(n) for n in names.values()]
    for (call_id, _name), stem in zip(names.items(), stems, strict=True):
        if stems.count(stem) > 1:
            stem = f"{stem} (#{call_id})"
        for fmt in per_call:
            file = stem + FORMATS[fmt].suffix
            if file.lower() in used:
                file = f"{stem} (#{call_id}){FORMATS[fmt].suffix}"
            used.add(file.lower())
            plans.append(ExportPlan(call_id, fmt, out / file))
    return plans


class Recordings:
    """What no export may write over or into: every call's recording (its stored path, resolved,
    and the file itself where it is there, whatever name it goes by) and the team's audio folder
    (``Library.audio_root``)."""

    def __init__(self, paths: list[Path], root: Path | None) -> None:
        self.paths = {_resolved(p) for p in paths if str(p)}
        self.files: set[tuple[int, int]] = set()
        for p in paths:
            try:
                st = p.stat()
            except OSError:
                continue
            self.files.add((st.st_dev, st.st_ino))
        self.root = _resolved(root) if root is not None and str(root) else None

    def check(self, target: str | Path) -> None:
        """Refuse (one sentence, nothing written) if ``target`` is a recording or in the audio folder."""
        target = Path(target)
        where = _resolved(target)
        try:
            st = target.stat()
            same = (st.st_dev, st.st_ino) in self.files
        except OSError:
            same = False
        if where in self.paths or same:
            raise ReviewerError(
                f"{target} is the original recording of a call in the library; Reviewer never writes "
                "over a recording, so nothing was exported. Choose another file or folder."
            )
        if self.root is not None and (where == self.root or self.root in where.parents):
            raise ReviewerError(
                f"{target} is in the team's audio folder ({self.root}); exports never go there, so "
                "nothing was exported. Choose another folder."
            )

    def check_all(self, targets: list[Path]) -> None:
        for t in targets:
            self.check(t)


def _resolved(path: Path) -> Path:
    try:
        return Path(os.path.abspath(path)).resolve()
    except OSError:
        return Path(os.path.abspath(path))


def recordings_of(source: object) -> Recordings:
    """The recordings of every call in the library behind ``source`` (a ``CallSource`` that lists
    them, ``recording_paths``/``audio_root``, or a ``Library``)."""
    listed = getattr(source, "recording_paths", None)
    if listed is not None:
        paths = list(listed())
    elif hasattr(source, "list_calls") and hasattr(source, "audio_path"):
        paths = [source.audio_path(r) for r in source.list_calls(brief=True)]  # type: ignore[attr-defined]
    else:
        paths = []
    root = getattr(source, "audio_root", None)
    return Recordings(paths, root() if callable(root) else None)


PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700  # exports are the owner's, as the library is


def make_folder(folder: Path, *, private: bool = True) -> None:
    """``folder`` and any missing folder above it; new ones owner-only (0700) when ``private``,
    else with the mode the umask gives. Refused in one sentence where it cannot be made."""
    missing = []
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        for f in reversed(missing):
            f.mkdir(mode=PRIVATE_FOLDER if private else 0o777, exist_ok=True)
    except OSError as e:
        raise cannot_write(e, folder, folder) from None


def cannot_write(e: OSError, folder: Path, path: Path) -> ReviewerError:
    """What went wrong writing ``path`` into ``folder``, in one sentence."""
    if isinstance(e, PermissionError):
        return ReviewerError(f"{folder} is read-only for you; {path.name} was not written.")
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return ReviewerError(
            f"No space left on the disk of {folder} while writing {path.name}; the partial file was removed."
        )
    if e.errno == errno.EROFS:
        return ReviewerError(f"{folder} is on a read-only disk; {path.name} was not written.")
    return ReviewerError(f"Could not write {path} ({e.strerror or e}); it was not written.")


def write_atomic(path: Path, data: bytes, *, private: bool = True) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file beside it, flushed, then renamed.
    A new file is owner-only (0600) when ``private`` (the default: an export holds what customers
    said), else gets the mode any new file gets (0o666 less the umask, applied by the kernel: the
    process-wide umask is never changed, so other threads' files keep it); a replaced file keeps
    its own. A failure (a read-only folder, a full disk) is one sentence, and leaves no part file."""
    make_folder(path.parent, private=private)
    try:
        keep: int | None = path.stat().st_mode & 0o777  # overwriting keeps the file's permissions
    except OSError:
        keep = None
    tmp = None
    try:
        fd, tmp = _create_beside(path, keep if keep is not None else PRIVATE_FILE if private else 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if keep is not None:
            os.chmod(tmp, keep)  # the umask may have taken bits the old file had
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise cannot_write(e, path.parent, path) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _create_beside(path: Path, mode: int) -> tuple[int, str]:
    """A new, empty temporary file beside ``path`` (as mkstemp, whose files are always 0o600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, flags, mode), str(tmp)
        except FileExistsError:
            continue
    raise FileExistsError(f"No free temporary name beside {path}.")


def export_calls(
    library: CallSource,
    settings: Settings,
    call_ids: list[int],
    formats: list[str],
    out: str | Path,
    *,
    redact: bool = False,
    private: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Export ``call_ids`` in ``formats`` to ``out`` (see :func:`plan_exports`). Progress is
    reported per call ("export", fraction, call name); cancelling stops before the next file,
    and every file already written is complete."""
    from reviewer.report.data import load_report
    from reviewer.report.tables import summary_csv, summary_row

    formats = parse_formats(formats)
    call_ids = list(dict.fromkeys(call_ids))
    names = {cid: library.call_row(cid).name for cid in call_ids}
    plans = plan_exports(names, formats, out)
    recordings_of(library).check_all([p.path for p in plans])
    per_call: dict[int, list[ExportPlan]] = {}
    for p in plans:
        if p.call_id is not None:
            per_call.setdefault(p.call_id, []).append(p)
    want_summary = any(p.format == "summary" for p in plans)
    done: list[Path] = []
    summary_rows = []
    for i, call_id in enumerate(call_ids):
        cancel.check()
        progress(Progress("export", i / len(call_ids), names[call_id]))
        todo = per_call.get(call_id, [])
        needs_peaks = any(FORMATS[p.format].needs_peaks for p in todo)
        report = load_report(
            library, call_id, settings, redact=redact, peaks_columns=600 if needs_peaks else 0
        )
        if want_summary:
            summary_rows.append(summary_row(report))
        for plan in todo:
            cancel.check()
            write_atomic(plan.path, FORMATS[plan.format].render(report), private=private)
            done.append(plan.path)
            if written:
                written(plan.path)
    if want_summary:
        cancel.check()
        path = next(p.path for p in plans if p.format == "summary")
        write_atomic(path, summary_csv(summary_rows), private=private)
        done.append(path)
        if written:
            written(path)
    progress(Progress("export", 1.0, ""))
    return done
