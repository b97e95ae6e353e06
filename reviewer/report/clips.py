"""Exporting a playlist of coaching clips: one self-contained HTML page (each clip's audio embedded,
its transcript excerpt and note; "Play all" plays them one after another), or a folder of audio
files with a CSV. Redacted when asked: the clip's audio hides what the call's redacted audio
hides, and the texts are masked as every redacted export masks them."""

from __future__ import annotations

import base64
import csv
import html
import io
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reviewer.errors import ReviewerError
from reviewer.labels import clock
from reviewer.model import Clip
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.report.source import CallSource
from reviewer.settings import Settings

CLIP_SUFFIX = ".mp3"


@dataclass(frozen=True)
class ClipExcerpt:
    """A clip as an export shows it."""

    clip: Clip
    lines: list[tuple[str, float, str]]  # (who, start, what they said) within the clip
    note: str
    title: str
    hidden: tuple = ()  # redacted: the call's spans that fall in the clip (report.redaction)
    masked_in_notes: tuple[str, ...] = ()  # redacted: the kinds masked in the title, note and names


def clip_excerpt(library: CallSource, settings: Settings, clip: Clip, *, redact: bool) -> ClipExcerpt:
    """The words said within the clip, a line per stretch of one speaker; redacted, masked as
    every redacted export of the call is, and the title and note as comments are (the speakers'
    names as the call's reports mask them)."""
    from reviewer.report.data import load_report
    from reviewer.report.redact import mask_text

    report = load_report(library, clip.call_id, settings, redact=redact)
    words = [w for w in report.words if w.end > clip.start and w.start < clip.end]
    lines: list[tuple[str, float, str]] = []
    for w in words:
        who = report.who(w.speaker)
        if lines and lines[-1][0] == who:
            lines[-1] = (who, lines[-1][1], lines[-1][2] + " " + w.text.strip())
        else:
            lines.append((who, w.start, w.text.strip()))
    if not redact:
        return ClipExcerpt(clip, lines, clip.note, clip.title)
    note, in_note = mask_text(clip.note, settings.redact_words)
    title, in_title = mask_text(clip.title, settings.redact_words)
    inside = tuple(s for s in report.hidden if s.start_ms < clip.end_ms and clip.start_ms < s.end_ms)
    speaking = {w.speaker for w in words}
    in_names = [kind for speaker, kind in report.masked_names if speaker in speaking]
    return ClipExcerpt(clip, lines, note, title, inside, tuple(in_title + in_note + in_names))


def _clip_audio(
    library: CallSource, settings: Settings, clip: Clip, redact: bool, cancel: CancelToken, seen: dict
) -> bytes:
    """The clip's audio as mp3; ``seen`` keeps each call's checked recording and hidden spans."""
    from reviewer.audio.redact import audio_bytes
    from reviewer.report.audio import padded, recording_of
    from reviewer.report.redaction import call_redactions

    call_id = clip.call_id
    if call_id not in seen:
        hidden: list[tuple[int, int]] = []
        if redact:
            duration = int(library.call_row(call_id).duration_ms)
            hidden = padded(call_redactions(library, call_id, settings), settings.redact_margin, duration)
        seen[call_id] = (recording_of(library, call_id), hidden)
    source, hidden = seen[call_id]
    return audio_bytes(
        source,
        CLIP_SUFFIX,
        spans_ms=hidden,
        mode=settings.redact_mode,
        start_ms=clip.start_ms,
        end_ms=clip.end_ms,
        cancel=cancel,
    )


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } .meta { color: #666; margin: .1rem 0 .5rem; }
.clip { border-top: 1px solid #ccc; padding: .8rem 0; } .clip.playing { background: #f3f8ff; }
audio { width: 100%; } .note { border-left: 3px solid #1f77b4; padding-left: .6rem; }
.line { margin: .15rem 0; } .who { font-weight: 600; } .t { color: #888; font-size: 85%; }
.redacted { display: inline-block; border: 2px solid #000; padding: .1rem .5rem; font-weight: bold; }
"""

_SCRIPT = """
const players = Array.from(document.querySelectorAll('audio'));
players.forEach((a, i) => a.addEventListener('ended', () => {
  a.closest('.clip').classList.remove('playing');
  if (window.playingAll && players[i + 1]) { players[i + 1].play(); }
  else { window.playingAll = false; }
}));
players.forEach(a => a.addEventListener('play', () => a.closest('.clip').classList.add('playing')));
document.getElementById('play-all').addEventListener('click', () => {
  window.playingAll = true; players.forEach(a => { a.pause(); a.currentTime = 0; }); players[0].play();
});
"""


def playlist_html(name: str, items: list[tuple[ClipExcerpt, bytes]], *, redacted: bool) -> bytes:
    e = html.escape
    total = sum(x.clip.end - x.clip.start for x, _ in items)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(name)}: coaching clips</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(name)}</h1>",
        f'<p class="meta">{len(items)} clip{"s" if len(items) != 1 else ""} · {clock(total)} · '
        f"exported by Reviewer</p>",
    ]
    if redacted:
        from reviewer.report.redaction import hidden_summary

        spans = list({(x.clip.call_id, s): s for x, _ in items for s in x.hidden}.values())
        summary = hidden_summary(spans, [k for x, _ in items for k in x.masked_in_notes])
        parts.append(
            f'<p class="redacted">REDACTED: {e(summary)} (bleeped in the audio, masked in the text).</p>'
        )
    parts.append('<p><button id="play-all" type="button">▶ Play all</button></p>')
    for n, (x, audio) in enumerate(items, 1):
        c = x.clip
        data = base64.b64encode(audio).decode("ascii")
        parts.append(f'<section class="clip" id="clip-{c.id}">')
        parts.append(f"<h2>{n}. {e(x.title)}</h2>")
        parts.append(
            f'<p class="meta">{e(c.call_name)} · {clock(c.start)}–{clock(c.end)} '
            f"({clock(c.end - c.start)})</p>"
        )
        parts.append(f'<audio controls preload="metadata" src="data:audio/mpeg;base64,{data}"></audio>')
        if x.note:
            parts.append(f'<p class="note">{e(x.note)}</p>')
        parts.append('<div class="transcript">')
        for who, t, text in x.lines:
            parts.append(
                f'<p class="line"><span class="t">{clock(t)}</span> <span class="who">{e(who)}:</span> '
                f"{e(text)}</p>"
            )
        parts.append("</div></section>")
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts).encode("utf-8")


def _file_name(n: int, title: str) -> str:
    from reviewer.report.export import _safe_stem

    return f"{n:02d} {_safe_stem(title + '.x')[:60]}{CLIP_SUFFIX}"


def playlist_csv(rows: list[tuple[str, ClipExcerpt]]) -> bytes:
    from reviewer.report.tables import csv_cell

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["number", "file", "title", "call", "start", "end", "seconds", "note", "transcript"])
    for n, (file, x) in enumerate(rows, 1):
        c = x.clip
        said = " / ".join(f"{who}: {text}" for who, _t, text in x.lines)
        w.writerow(
            [csv_cell(v) for v in (n, file, x.title, c.call_name, clock(c.start), clock(c.end),
                                   f"{c.end - c.start:.1f}", x.note, said)]
        )  # fmt: skip
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_playlist(
    library: CallSource,
    settings: Settings,
    name: str,
    out: str | Path,
    *,
    redact: bool = False,
    private: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """``out`` ending in .html: one page; otherwise a folder of clips (mp3) and playlist.csv.
    Everything is made first, then put in place: nothing half-written is ever left."""
    from reviewer.report.export import cannot_write, write_atomic

    out = Path(out)
    clips = library.playlist_clips(name)
    if not clips:
        raise ReviewerError(f"The playlist {name!r} has no clips yet; nothing was exported.")
    as_page = out.suffix.lower() in (".html", ".htm")
    if out.suffix and not as_page and not out.is_dir():
        raise ReviewerError(f"{out.name}: a playlist exports as a page (.html) or into a folder.")
    target_folder = out.parent if as_page else out
    files = [out] if as_page else [out / _file_name(n, c.title) for n, c in enumerate(clips, 1)]
    from reviewer.report.export import recordings_of

    recordings_of(library).check_all(files if as_page else [out, *files, out / "playlist.csv"])
    _check_writable(target_folder)
    items: list[tuple[ClipExcerpt, bytes]] = []
    seen: dict = {}
    for i, clip in enumerate(clips):
        cancel.check()
        progress(Progress("export", i / len(clips), clip.title))
        items.append(
            (
                clip_excerpt(library, settings, clip, redact=redact),
                _clip_audio(library, settings, clip, redact, cancel, seen),
            )
        )
    cancel.check()
    try:
        if as_page:
            write_atomic(out, playlist_html(name, items, redacted=redact), private=private)
            done = [out]
        else:
            done = _write_folder(out, items, private)
    except OSError as e:
        raise cannot_write(e, target_folder, out) from None
    for p in done:
        if written:
            written(p)
    progress(Progress("export", 1.0, ""))
    return done


def _check_writable(folder: Path) -> None:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise ReviewerError(f"{probe} is not a folder; nothing was written.")
    name = f".reviewer-probe-{secrets.token_hex(4)}"
    try:  # as root, os.access says yes to everything: really try
        fd = os.open(probe / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except PermissionError:
        raise ReviewerError(f"{probe} is read-only for you; nothing was written.") from None
    except OSError as e:
        raise ReviewerError(f"Cannot write to {probe} ({e.strerror or e}); nothing was written.") from None
    os.close(fd)
    (probe / name).unlink(missing_ok=True)


def _write_folder(out: Path, items: list[tuple[ClipExcerpt, bytes]], private: bool) -> list[Path]:
    """Every file into a hidden folder beside ``out`` first, then moved in one by one."""
    from reviewer.report.export import PRIVATE_FOLDER, make_folder, write_atomic

    make_folder(out.parent, private=private)
    staging = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    staging.mkdir(mode=PRIVATE_FOLDER if private else 0o777)
    try:
        rows = []
        for n, (x, audio) in enumerate(items, 1):
            file = _file_name(n, x.title)
            write_atomic(staging / file, audio, private=private)
            rows.append((file, x))
        write_atomic(staging / "playlist.csv", playlist_csv(rows), private=private)
        if not out.exists():
            staging.rename(out)
            return [out / f for f, _ in rows] + [out / "playlist.csv"]
        done = []
        for f in [*(f for f, _ in rows), "playlist.csv"]:
            os.replace(staging / f, out / f)
            done.append(out / f)
        return done
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
