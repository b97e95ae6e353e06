"""Importing files and folders into the library: one call at a time, each stored atomically.

A failure on one file is reported and the batch goes on; a cancel or crash loses nothing already
stored, and the interrupted file simply imports again next time."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from reviewer.actions import voices
from reviewer.actions.calls import store_call
from reviewer.audio.peaks import save_peaks
from reviewer.errors import Cancelled, ReviewerError
from reviewer.library.store import Library, content_hash
from reviewer.pipeline import CallResult, PipelineOptions, process_file
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress

AUDIO_EXTENSIONS = frozenset(
    ".wav .wave .mp3 .m4a .aac .ogg .oga .opus .flac .wma .amr .3gp .webm .mp4 .m4v .mkv .mov .avi".split()
)


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    status: str  # "imported" | "duplicate" | "failed"
    call_id: int | None = None
    message: str = ""


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as named, and the audio files inside named folders (recursively, sorted). A folder
    that cannot be read is listed itself, so that importing it says why (``import_one``)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        found: list[Path] = []
        unreadable: list[Path] = []
        for folder, _dirs, names in os.walk(
            p, onerror=lambda e, into=unreadable: into.append(Path(e.filename))
        ):
            found += [
                Path(folder) / n
                for n in names
                if Path(n).suffix.lower() in AUDIO_EXTENSIONS and not n.startswith(".")
            ]
        out.extend(sorted([f for f in found if f.is_file()] + unreadable))
    return out


def check_file(path: Path) -> None:
    """ReviewerError saying why ``path`` cannot be imported, if it is not a file."""
    if path.is_dir():
        raise ReviewerError(
            f"{path}: a folder that cannot be read (permission denied); nothing in it was imported"
        )
    if not path.is_file():
        raise ReviewerError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")


def import_files(
    files: list[Path] | list[str],
    library: Library,
    options: PipelineOptions | None = None,
    *,
    progress: Callable[[int, Path, Progress], None] | None = None,
    on_outcome: Callable[[int, ImportOutcome], None] | None = None,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[ImportOutcome]:
    options = with_library_voices(library, options or PipelineOptions())
    outcomes: list[ImportOutcome] = []
    for index, path in enumerate(map(Path, files)):
        cancel.check()
        file_progress: ProgressCallback = (
            (lambda p, i=index, f=path: progress(i, f, p)) if progress else no_progress
        )
        outcome = import_one(path, library, options, progress=file_progress, cancel=cancel)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(index, outcome)
    return outcomes


def with_library_voices(library: Library, options: PipelineOptions) -> PipelineOptions:
    """``options`` with the library's agents' voice profiles, where a coach turned them on."""
    if options.voices or not library.voice_profiles_on():
        return options
    return replace(options, voices=tuple(voices.profiles(library)))


def store_result(library: Library, path: Path, digest: str, result: CallResult) -> tuple[int, bool]:
    """Store a processed call (one transaction) and cache its waveform peaks for the timeline.
    Returns (id, created); the same audio already stored is left as it is."""
    call_id, created = store_call(
        library,
        path,
        digest,
        result.transcript,
        result.analysis,
        source_channels=result.source_channels,
        source_rate=result.source_rate,
        dual_mono=result.dual_mono,
    )
    if result.peaks is not None:
        try:
            save_peaks(digest, result.peaks)
        except OSError:
            pass  # only a cache: the timeline recomputes missing peaks
    return call_id, created


def import_one(
    path: Path | str,
    library: Library,
    options: PipelineOptions,
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportOutcome:
    path = Path(path)
    try:
        if path.is_dir():
            raise ReviewerError(
                f"{path}: a folder that cannot be read (permission denied); nothing in it was imported"
            )
        if not path.is_file():
            raise ReviewerError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
        digest = content_hash(path)
        existing = library.find_hash(digest)
        if existing is not None:
            return ImportOutcome(path, "duplicate", existing, f"already in the library as call #{existing}")
        result = process_file(path, options, progress=progress, cancel=cancel)
        cancel.check()
        progress(Progress("store", 0.0))
        call_id, created = store_result(library, path, digest, result)
        progress(Progress("store", 1.0))
        if not created:
            return ImportOutcome(path, "duplicate", call_id, f"already in the library as call #{call_id}")
        return ImportOutcome(path, "imported", call_id, imported_message(call_id, result))
    except Cancelled:
        raise
    except Exception as e:
        message = failure_message(path, e)
        if message is None:
            raise
        return ImportOutcome(path, "failed", None, message)


def imported_message(call_id: int, result: CallResult) -> str:
    """What `import` (and `batch`) say about a call just stored."""
    m = result.analysis.metrics
    share = f"agent talk {m.agent_talk_share:.0%}" if m.agent_talk_share is not None else "no agent found"
    return (
        f"call #{call_id}, {result.transcript.duration / 60:.1f} min, {share}, "
        f"{m.refusal_count} refusal{'s' if m.refusal_count != 1 else ''}"
    )


def failure_message(path: Path, error: BaseException) -> str | None:
    """The one line a file's failure is reported with; None for errors that are not the file's
    (a cancel, a bug), which propagate."""
    if isinstance(error, Cancelled):
        return None
    if isinstance(error, ReviewerError):
        message = str(error)
        prefix = f"{path}: "
        return message[len(prefix) :] if message.startswith(prefix) else message
    if isinstance(error, MemoryError):
        return "too large to process in the memory available"
    if isinstance(error, OSError):
        return f"could not be read ({error.strerror or error})"
    return None
