"""Are the exports byte-for-byte what they were? A guard for refactors that must not change behaviour.

    .venv/bin/python bench/exports_same.py make DIR      # build a library and export it (the "before")
    .venv/bin/python bench/exports_same.py check DIR     # export the same library again and compare

`make` imports the bundled sample call (stereo) and a mono mix of it, adds comments (a point and a
range), a graded score item, a dispute, a clip in a playlist, a redaction and a correction of what was
said (a transcript edit), then writes every export (all formats, redacted and not, the summary, the
labels, the playlist page and CSV, the scorecard, the trends with their glance lines, `show` and
`score` as text and JSON, the edits) into DIR/before. `check` writes the same exports from the same
library with the code as it is now into DIR/after and compares, ignoring creation timestamps. Exit 0
when all are equal. Never pass/fail in the test suite: a tool for the one who refactors."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def reviewer(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        REVIEWER_DATA_DIR=str(home / "data"),
        REVIEWER_CONFIG_DIR=str(home / "config"),
        REVIEWER_USER="coach",
        PYTHONPATH=str(ROOT),
    )
    env.setdefault("REVIEWER_MODELS_DIR", str(Path.home() / ".cache" / "reviewer-bench-models"))
    cmd = [sys.executable, "-m", "reviewer", *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def mono_mix(src: Path, dst: Path) -> None:
    import av
    import numpy as np

    from reviewer.audio.decode import SAMPLE_RATE, decode

    samples = np.asarray(decode(src).samples, dtype=np.float32)
    mix = samples.mean(axis=0) if samples.ndim == 2 else samples
    with av.open(str(dst), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=SAMPLE_RATE)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            (np.clip(mix, -1, 1) * 32767).astype(np.int16)[None, :], format="s16", layout="mono"
        )
        frame.rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def exports(home: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for call in ("1", "2"):
        for fmt in ("pdf", "html", "csv", "json", "srt", "vtt"):
            reviewer(
                home, "export", call, "-f", fmt, "-o", str(out / f"call{call}.{fmt}"), "--no-redact", "-q"
            )
            reviewer(
                home,
                "export",
                call,
                "-f",
                fmt,
                "-o",
                str(out / f"call{call}-redacted.{fmt}"),
                "--redact",
                "-q",
            )
    reviewer(home, "export", "--all", "-f", "summary", "-o", str(out / "summary.csv"), "--no-redact", "-q")
    reviewer(home, "export", "--all", "--labels", "-o", str(out / "labels"), "-q")
    reviewer(home, "playlist", "export", "coaching", "-o", str(out / "playlist.html"), "--no-redact", "-q")
    reviewer(
        home, "playlist", "export", "coaching", "-o", str(out / "playlist-redacted.html"), "--redact", "-q"
    )
    for name, args in {
        "calls.txt": ["calls"],
        "show1.txt": ["show", "1"],
        "show2.txt": ["show", "2"],
        "show1.json": ["show", "1", "--json"],
        "show2.json": ["show", "2", "--json"],
        "edits1.json": ["edit", "1", "--list", "--json"],
        "comments1.json": ["comments", "1", "--json"],
        "score1.json": ["score", "1", "--json"],
        "redaction1.json": ["redaction", "1", "--json"],
        "scorecard.txt": ["scorecard", "show"],
        "trends.txt": ["trends"],
        "trends.json": ["trends", "--json"],
        "trends-items.txt": ["trends", "--items"],
        "playlists.txt": ["playlist", "list"],
    }.items():
        done = reviewer(home, *args, check=False)
        (out / name).write_text(f"exit {done.returncode}\n{done.stdout}\n--- stderr\n{done.stderr}")


def make(work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    home = work / "home"
    home.mkdir(parents=True)
    sample = ROOT / "resources" / "sample" / "sample_call.mp3"
    mono = work / "mono call.wav"
    mono_mix(sample, mono)
    reviewer(home, "import", str(sample), "-q")
    reviewer(home, "import", str(mono), "-q")
    reviewer(home, "comment", "1", "--at", "0:05", "--text", "Warm greeting", "--category", "praise")
    reviewer(
        home,
        "comment",
        "1",
        "--at",
        "0:20",
        "--to",
        "0:40",
        "--text",
        "Listen before offering",
        "--category",
        "improve",
    )
    reviewer(home, "comment", "2", "--at", "0:10", "--text", "Check the account first")
    reviewer(
        home, "score", "1", "--item", "greeting", "--set", "no", "--reason", "No name given", check=False
    )
    reviewer(home, "dispute", "1", "--item", "greeting", "--text", "I said my name", check=False)
    reviewer(
        home,
        "clip",
        "1",
        "--at",
        "0:20",
        "--to",
        "0:40",
        "--title",
        "Listening",
        "--note",
        "Hear the customer out",
        "--playlist",
        "coaching",
    )
    reviewer(home, "refusal", "1", "--at", "0:25", "--is", "yes")
    reviewer(home, "redaction", "1", "add", "--at", "0:12", "--to", "0:14")
    # a correction of what was said: every export reads the edited words
    reviewer(
        home, "edit", "1", "--at", "0:30", "--text", "I can help you with that today", "--author", "coach"
    )
    exports(home, work / "before")
    print(f"made {work / 'before'} ({len(list((work / 'before').rglob('*')))} files)")


STAMPS = [
    re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)"),
    re.compile(rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:?\d\d)?"),
    re.compile(rb"/ID \[<[0-9a-fA-F]+> ?<[0-9a-fA-F]+>\]"),
]


def _inflate(m: re.Match) -> bytes:
    try:
        return b"stream\n" + zlib.decompress(m.group(1)) + b"endstream"
    except zlib.error:
        return m.group(0)


def normal(data: bytes) -> bytes:
    """The bytes with creation stamps masked; a PDF's compressed streams opened first (the page footer
    says when it was made), and its lengths and offsets, which follow, dropped."""
    if data.startswith(b"%PDF"):
        data = re.sub(rb"stream\r?\n(.*?)endstream", _inflate, data, flags=re.S)
        data = re.sub(rb"/Length \d+|\d{10} \d{5} [nf]|startxref\s+\d+", b"<n>", data)
        # text is in glyph ids of a subset font: compare the drawing here, the words via pdftotext
        data = re.sub(rb"\((?:[^\\)]|\\.)*\) ?Tj", b"(..) Tj", data, flags=re.S)
        data = re.sub(rb"\[(?:\((?:[^\\)]|\\.)*\)|[-\d.\s])*\] ?TJ", b"[..] TJ", data, flags=re.S)
        font = re.compile(rb"/Length1|begincmap|CIDToGIDMap|/FontName|/W \[|/Widths")
        data = b"endobj".join(
            b"<font>" if font.search(o) or (b"stream" in o and b"BT" not in o and b"/Image" not in o) else o
            for o in data.split(b"endobj")
        )
    for stamp in STAMPS:
        data = stamp.sub(b"<stamp>", data)
    return data


def words(path: Path) -> bytes:
    if path.suffix != ".pdf":
        return b""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout


def check(work: Path) -> int:
    home = work / "home"
    exports(home, work / "after")
    before, after = work / "before", work / "after"
    names = sorted(
        {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
        | {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    )
    differ = []
    for name in names:
        a, b = before / name, after / name
        if not (a.is_file() and b.is_file()):
            differ.append(f"{name}: only in {'before' if a.is_file() else 'after'}")
        elif not filecmp.cmp(a, b, shallow=False) and (
            normal(a.read_bytes()) != normal(b.read_bytes()) or normal(words(a)) != normal(words(b))
        ):
            differ.append(f"{name}: differs")
    for line in differ:
        print(line)
    print(f"{len(names) - len(differ)} of {len(names)} exports the same")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "check"):
        raise SystemExit(__doc__)
    work = Path(sys.argv[2]).resolve()
    if sys.argv[1] == "make":
        make(work)
    else:
        raise SystemExit(check(work))
