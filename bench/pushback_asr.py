"""Give part of the push-back corpus real transcription errors and real turn splits.

Each chosen dialogue is spoken by espeak-ng as a stereo call (agent left, customer right), run
through Reviewer's whole pipeline (embedded Whisper, channel split, turn building), and written
back in the corpus format with the pipeline's turns: each agent turn takes the label of the
written line it overlaps most (push-back wins where a turn covers several lines), so what the
classifier is judged on is text as a call would really reach it.

    .venv/bin/python bench/pushback_asr.py [--split test] [--every 2]

writes ``resources/pushback/<split>/asr-<file>.json`` beside each source file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CORPUS = ROOT / "resources" / "pushback"


def render_dialogue(dialogue: dict, folder: Path) -> tuple[object, Path]:
    from callgen import Line, render, write_wav

    lines = [Line(t["role"], t["text"], pause=0.6) for t in dialogue["turns"]]
    call = render(lines, stereo=True)
    return call, write_wav(folder / f"{dialogue['scenario']}.wav", call.audio)


def relabel(dialogue: dict, call, result) -> dict:
    """The pipeline's turns with the written lines' labels, matched by time."""
    written = [t for t in dialogue["turns"]]
    truth = list(zip(call.utterances, written, strict=True))
    channel_role = {0: "agent", 1: "customer"}
    roles = {s.id: channel_role.get(s.channel, s.role) for s in result.transcript.speakers}
    turns = []
    for turn in result.transcript.turns:
        role = roles.get(turn.speaker, "unknown")
        out = {"role": role, "text": turn.text, "start": round(turn.start, 2), "end": round(turn.end, 2)}
        if role == "agent":
            overlaps = [
                (min(turn.end, u.end) - max(turn.start, u.start), line)
                for u, line in truth
                if u.speaker == "agent" and min(turn.end, u.end) > max(turn.start, u.start)
            ]
            if not overlaps:
                continue  # a stray word on the agent's channel
            pushes = [line for _, line in overlaps if line.get("label") == "pushback"]
            line = pushes[0] if pushes else max(overlaps, key=lambda o: o[0])[1]
            out["label"] = line["label"]
            if line.get("kind"):
                out["kind"] = line["kind"]
        turns.append(out)
    return {
        **{k: v for k, v in dialogue.items() if k != "turns"},
        "asr": result.transcript.model,
        "turns": turns,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=2, help="render every Nth dialogue of each file")
    parser.add_argument(
        "--split", default="test", choices=["dev", "test"], help="which split (default: test)"
    )
    args = parser.parse_args()
    from reviewer.pipeline import process_file

    sources = sorted(p for p in (CORPUS / args.split).glob("*.json") if not p.name.startswith("asr-"))
    with tempfile.TemporaryDirectory(prefix="reviewer-pushback-") as tmp:
        for source in sources:
            dialogues = json.loads(source.read_text())
            out = []
            for dialogue in dialogues[:: args.every]:
                call, path = render_dialogue(dialogue, Path(tmp))
                out.append(relabel(dialogue, call, process_file(path)))
                print(f"{source.parent.name}/{source.name}: {dialogue['scenario']}", flush=True)
            target = source.with_name(f"asr-{source.name}")
            target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
