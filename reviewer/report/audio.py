"""Redacted audio: a call's recording written again with the spans its redaction hides
(``report.redaction.call_redactions``, the list every redacted export masks from) bleeped or
silenced, and the side file that lists them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from reviewer.audio.redact import AUDIO_FORMATS, audio_suffix, write_audio
from reviewer.errors import ReviewerError
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.report.redaction import RedactionSpan, call_redactions, hidden_summary
from reviewer.report.source import CallSource
from reviewer.settings import Settings


def padded(spans: list[RedactionSpan], margin: float, duration_ms: int) -> list[tuple[int, int]]:
    """The stretches actually hidden: each span widened by ``margin`` seconds a side, kept within
    the call, overlapping ones joined."""
    pad = int(round(margin * 1000))
    out: list[tuple[int, int]] = []
    for s in sorted(spans, key=lambda s: s.start_ms):
        a, b = max(0, s.start_ms - pad), min(duration_ms, s.end_ms + pad)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def recording_of(library: CallSource, call_id: int) -> Path:
    """The call's original recording, checked to be the one that was imported (the spans are
    only right for that one)."""
    from reviewer.paths import content_hash

    row = library.call_row(call_id)
    path = library.audio_path(row)
    if not path.is_file():
        raise ReviewerError(
            f"The recording of {row.name} is no longer at {path}; move it back or import it again."
        )
    if row.size and path.stat().st_size != row.size or content_hash(path) != row.content_hash:
        raise ReviewerError(
            f"{path} has changed since it was imported, so what to hide in it is unknown; import it again."
        )
    return path


def spans_document(
    name: str, spans: list[RedactionSpan], hidden: list[tuple[int, int]], settings: Settings
) -> dict:
    return {
        "call": name,
        "summary": hidden_summary(spans),
        "mode": settings.redact_mode,
        "margin": settings.redact_margin,
        "spans": [
            {
                "start": s.start_ms / 1000,
                "end": s.end_ms / 1000,
                "kind": s.kind,
                "speaker": s.speaker,
                "source": s.source,
            }
            for s in spans
        ],
        "hidden": [{"start": a / 1000, "end": b / 1000} for a, b in hidden],
    }


def side_file(audio: Path) -> Path:
    """Where the list of redacted spans goes beside redacted audio: call.wav -> call.redactions.json."""
    return audio.with_name(audio.stem + ".redactions.json")


def plan_audio(names: dict[int, str], out: str | Path) -> list[tuple[int, Path]]:
    """(call, file) for an audio export: ``out`` itself for one call and an audio suffix, else
    one wav per call in the folder ``out``."""
    from reviewer.report.export import _safe_stem

    out = Path(out)
    if not names:
        raise ReviewerError("No calls to export.")
    if out.suffix and not out.is_dir():
        audio_suffix(out)
        if len(names) > 1:
            raise ReviewerError(f"{len(names)} calls need a folder for -o, not the file {out.name}.")
        return [(next(iter(names)), out)]
    stems = [_safe_stem(n) for n in names.values()]
    return [
        (cid, out / ((f"{stem} (#{cid})" if stems.count(stem) > 1 else stem) + ".wav"))
        for cid, stem in zip(names, stems, strict=True)
    ]


def export_audio(
    library: CallSource,
    settings: Settings,
    call_ids: list[int],
    out: str | Path,
    *,
    redact: bool = True,
    private: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write each call's recording (wav, mp3 or ogg by suffix), with ``redact`` its sensitive
    spans hidden on every channel and listed in a side file (``call.redactions.json``). The
    original recording is read, never changed; the library keeps pointing at it."""
    from reviewer.report.export import make_folder, recordings_of, write_atomic

    call_ids = list(dict.fromkeys(call_ids))
    names = {cid: library.call_row(cid).name for cid in call_ids}
    plans = plan_audio(names, out)
    recordings_of(library).check_all(
        [p for _cid, path in plans for p in ([path, side_file(path)] if redact else [path])]
    )
    for _cid, path in plans:
        make_folder(path.parent, private=private)
    done: list[Path] = []
    for n, (call_id, path) in enumerate(plans):
        cancel.check()
        source = recording_of(library, call_id)
        hidden: list[tuple[int, int]] = []
        found: list[RedactionSpan] = []
        if redact:
            found = call_redactions(library, call_id, settings)
            hidden = padded(found, settings.redact_margin, int(library.call_row(call_id).duration_ms))

        def step(p: Progress, n: int = n, name: str = names[call_id]) -> None:
            progress(Progress("export", (n + p.fraction) / len(plans), name))

        write_audio(
            source,
            path,
            spans_ms=hidden,
            mode=settings.redact_mode,
            private=private,
            progress=step,
            cancel=cancel,
        )
        done.append(path)
        if redact:
            doc = spans_document(names[call_id], found, hidden, settings)
            try:
                write_atomic(side_file(path), (json.dumps(doc, indent=1) + "\n").encode(), private=private)
            except BaseException:
                path.unlink(missing_ok=True)
                done.pop()
                raise
            done.append(side_file(path))
        for p in done[-2 if redact else -1 :]:
            if written:
                written(p)
    progress(Progress("export", 1.0, ""))
    return done


__all__ = [
    "AUDIO_FORMATS",
    "export_audio",
    "padded",
    "plan_audio",
    "recording_of",
    "side_file",
]
