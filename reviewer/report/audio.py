"""Redacted audio: where in a call's recording the transcript's redaction finds something to hide
(card, account and phone numbers, e-mail addresses, the user's own words), the coach's changes to
that, and writing the recording with those spans bleeped or silenced.

Spans are found in the words with their times. A number read out digit by digit comes as many
Whisper words ("4," "5," "5," ...), maybe over several turns and split by the other party's
"okay": each speaker's words are searched as one stream (pauses of up to ``JOIN_GAP_S`` joined),
and so are everyone's words in time order (in case a digit went to the wrong speaker)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reviewer.audio.redact import AUDIO_FORMATS, audio_suffix, write_audio
from reviewer.errors import ReviewerError
from reviewer.library import Library
from reviewer.model import Word
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.report.redact import find_spans
from reviewer.settings import Settings

JOIN_GAP_S = 6.0  # one speaker's words closer than this are searched as one stream
_PUNCT = ",;:!?\"'“”‘’()[]"


@dataclass(frozen=True)
class RedactionSpan:
    """A stretch of the recording to hide (ms, before the margin is added)."""

    start_ms: int
    end_ms: int
    kind: str  # "card number", "phone number", "number", "email", "word list", "added"
    speaker: str | None = None
    source: str = "found"  # "found" by the transcript's redaction, or "added" by a coach

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def end(self) -> float:
        return self.end_ms / 1000


def _clean(text: str) -> str:
    t = text.strip().strip(_PUNCT)
    return t[:-1] if t.endswith(".") else t


def _streams(words: list[Word]) -> list[list[int]]:
    """Index lists to search: each speaker's words, and everyone's in time order, cut at long pauses."""
    order = sorted(range(len(words)), key=lambda i: (words[i].start, words[i].end))
    groups: list[list[int]] = []
    for key in [*sorted({w.speaker for w in words}), None]:
        run: list[int] = []
        last_end = None
        for i in order:
            if key is not None and words[i].speaker != key:
                continue
            if not _clean(words[i].text):
                continue
            if run and last_end is not None and words[i].start - last_end > JOIN_GAP_S:
                groups.append(run)
                run = []
            run.append(i)
            last_end = words[i].end if last_end is None else max(last_end, words[i].end)
        if run:
            groups.append(run)
    return groups


def _word_list_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [r"\s+".join(re.escape(w) for w in p.split()) for p in phrases if p.strip()]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def find_audio_spans(words: list[Word], extra_words: tuple[str, ...] = ()) -> list[RedactionSpan]:
    """Where the words say something the transcript's redaction masks, or one of ``extra_words``;
    overlapping finds are merged."""
    user = _word_list_pattern(extra_words)
    found: list[RedactionSpan] = []
    for stream in _streams(words):
        pieces, offsets, pos = [], [], 0
        for i in stream:
            t = _clean(words[i].text)
            offsets.append((pos, pos + len(t)))
            pieces.append(t)
            pos += len(t) + 1
        joined = " ".join(pieces)
        hits = [(a, b, mask.strip("[]")) for a, b, mask in find_spans(joined)]
        if user is not None:
            hits += [(m.start(), m.end(), "word list") for m in user.finditer(joined)]
        for a, b, kind in hits:
            covered = [stream[k] for k, (s, e) in enumerate(offsets) if s < b and a < e]
            if not covered:
                continue
            speakers = {words[i].speaker for i in covered}
            found.append(
                RedactionSpan(
                    int(round(min(words[i].start for i in covered) * 1000)),
                    int(round(max(words[i].end for i in covered) * 1000)),
                    kind,
                    speakers.pop() if len(speakers) == 1 else None,
                )
            )
    return _merge(found)


_RANK = ("card number", "phone number", "email", "number", "word list", "added")


def _merge(spans: list[RedactionSpan]) -> list[RedactionSpan]:
    out: list[RedactionSpan] = []
    for s in sorted(spans, key=lambda s: (s.start_ms, -s.end_ms)):
        if out and s.start_ms <= out[-1].end_ms and s.source == out[-1].source:
            prev = out[-1]
            kind = min(prev.kind, s.kind, key=lambda k: _RANK.index(k) if k in _RANK else 99)
            speaker = prev.speaker if prev.speaker == s.speaker else None
            out[-1] = RedactionSpan(prev.start_ms, max(prev.end_ms, s.end_ms), kind, speaker, prev.source)
        else:
            out.append(s)
    return out


def call_redactions(library: Library, call_id: int, settings: Settings) -> list[RedactionSpan]:
    """What the redacted audio of ``call_id`` hides: the spans found in its words, less those a
    coach took out, plus those a coach added; in time order."""
    stored = library.load_call(call_id)
    found = find_audio_spans(list(stored.transcript.words), settings.redact_words)
    return apply_edits(found, library.redaction_edits(call_id))


def apply_edits(found: list[RedactionSpan], edits: list[dict]) -> list[RedactionSpan]:
    removed = [(e["start_ms"], e["end_ms"]) for e in edits if e["action"] == "remove"]
    kept = [s for s in found if not any(a < s.end_ms and s.start_ms < b for a, b in removed)]
    added = [
        RedactionSpan(e["start_ms"], e["end_ms"], "added", None, "added")
        for e in edits
        if e["action"] == "add"
    ]
    return sorted(kept + added, key=lambda s: (s.start_ms, s.end_ms))


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


def recording_of(library: Library, call_id: int) -> Path:
    """The call's original recording, checked to be the one that was imported (the spans are
    only right for that one)."""
    from reviewer.library.calls import content_hash

    row = library.call_row(call_id)
    path = library.audio_path(row)
    if not path.is_file():
        raise ReviewerError(
            f"The recording of {row['name']} is no longer at {path}; move it back or import it again."
        )
    if row.get("size") and path.stat().st_size != row["size"] or content_hash(path) != row["content_hash"]:
        raise ReviewerError(
            f"{path} has changed since it was imported, so what to hide in it is unknown; import it again."
        )
    return path


def spans_document(
    name: str, spans: list[RedactionSpan], hidden: list[tuple[int, int]], settings: Settings
) -> dict:
    return {
        "call": name,
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
    library: Library,
    settings: Settings,
    call_ids: list[int],
    out: str | Path,
    *,
    redact: bool = True,
    spans: dict[int, list[RedactionSpan]] | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write each call's recording (wav, mp3 or ogg by suffix), with ``redact`` its sensitive
    spans hidden on every channel and listed in a side file (``call.redactions.json``). The
    original recording is read, never changed; the library keeps pointing at it."""
    from reviewer.report.export import write_atomic

    call_ids = list(dict.fromkeys(call_ids))
    names = {cid: library.call_row(cid)["name"] for cid in call_ids}
    plans = plan_audio(names, out)
    for _cid, path in plans:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
    done: list[Path] = []
    for n, (call_id, path) in enumerate(plans):
        cancel.check()
        source = recording_of(library, call_id)
        hidden: list[tuple[int, int]] = []
        found: list[RedactionSpan] = []
        if redact:
            found = (
                spans[call_id] if spans and call_id in spans else call_redactions(library, call_id, settings)
            )
            hidden = padded(found, settings.redact_margin, int(library.call_row(call_id)["duration_ms"]))

        def step(p: Progress, n: int = n, name: str = names[call_id]) -> None:
            progress(Progress("export", (n + p.fraction) / len(plans), name))

        write_audio(source, path, spans_ms=hidden, mode=settings.redact_mode, progress=step, cancel=cancel)
        done.append(path)
        if redact:
            doc = spans_document(names[call_id], found, hidden, settings)
            try:
                write_atomic(side_file(path), (json.dumps(doc, indent=1) + "\n").encode())
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
    "RedactionSpan",
    "apply_edits",
    "call_redactions",
    "export_audio",
    "find_audio_spans",
    "padded",
    "plan_audio",
    "recording_of",
    "side_file",
]
