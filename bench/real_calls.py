"""Speaker split on real two-party recordings (../shared/data/real-calls, see its README).

    .venv/bin/python bench/real_calls.py            # every real recording, every mix
    .venv/bin/python bench/real_calls.py --quick    # the 16 kHz mono mixes and AMI only
    .venv/bin/python bench/real_calls.py --hvb      # the six real bank calls only (about 10 min)
    .venv/bin/python bench/real_calls.py --no-regroup   # ... without the second pass (speakers.regroup)
    .venv/bin/python bench/real_calls.py --no-reassign  # ... extra voices folded in whole (as before)
    .venv/bin/python bench/real_calls.py --voices   # agents known by their voice (profiles)

The auto-repair calls come as one file per side (8 kHz), so the truth is exact: the stereo call
(one side per channel, split by channel) gives each side's talk time as Reviewer measures it, and
a mono mix of the two must come out the same through diarization. Each is tried as

- stereo (agent left, caller right): the reference;
- mono mix (the two sides added);
- mono mix with the caller 10 dB quieter than the agent (as a recorder at the agent's desk hears
  a phone call);
- mono mix through the phone-line simulation (8 kHz mu-law);

the six HarperValleyBank calls (``hvb/``, real bank calls, 8 kHz, one file per side) as stereo
(the reference) and as a plain mono mix, each with the agent's share found and the truth, the
words given to the right role (each mono word against the side that was active under it) and the
agent's name on both; and the three AMI meeting excerpts (16 kHz mono) are scored against their
human RTTM turns (DER, and the busier speaker's share of talk). Results: Markdown on stdout, JSON in
bench/results/real_calls.json. Never pass/fail.

``--voices``: each of the six bank calls and the two auto-repair calls gives its agent a voice
profile from the first half of its agent side (as from a stereo call), and the mono mix of its
second half is split without and with all eight profiles (the bank calls share agents' first names
but not voices, so each profile is named after its call): role right, name right, agent talk-share
error (against the stereo second half), and the voices' similarity to the profile. JSON in
bench/results/real_calls-voices.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]
REAL = ROOT.parent / "shared" / "data" / "real-calls"

from callgen import telephone, write_mulaw, write_wav  # noqa: E402
from truth import diarization_error_rate, rttm_turns  # noqa: E402


class SplitLog:
    """The second pass's last word on a mono split (closeness, quieter voice, moved, separation,
    profile), as speakers.diarize logs it."""

    last = ""

    @classmethod
    def listen(cls) -> None:
        import logging

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                cls.last = record.getMessage()

        log = logging.getLogger("reviewer.speakers.diarize")
        log.setLevel(logging.INFO)
        log.addHandler(Keep())

    @classmethod
    def take(cls) -> str:
        last, cls.last = cls.last, ""
        return last


def sides(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The agent's and the caller's side at 16 kHz, as long as each other."""
    from reviewer.audio import decode

    agent = decode(REAL / f"{name}.agent.flac").samples.mean(axis=0)
    caller = decode(REAL / f"{name}.caller.flac").samples.mean(axis=0)
    n = max(len(agent), len(caller))
    return np.pad(agent, (0, n - len(agent))), np.pad(caller, (0, n - len(caller)))


def shares(result) -> tuple[float | None, dict[str, float]]:
    """(agent talk share, talk seconds by role) of a processed call."""
    roles = {s.id: s.role for s in result.transcript.speakers}
    talk: dict[str, float] = {}
    for m in result.analysis.metrics.speakers:
        role = roles.get(m.speaker, "unknown")
        talk[role] = talk.get(role, 0.0) + m.talk_seconds
    return result.analysis.metrics.agent_talk_share, talk


def words_right(result, agent: np.ndarray, caller: np.ndarray) -> float | None:
    """Share of a mono call's words given to the role whose side was active under them (words
    where both or neither side was active are not counted)."""
    from reviewer.audio.channels import FRAME, channel_activity
    from reviewer.audio.decode import SAMPLE_RATE

    active = channel_activity(np.stack([agent, caller]), SAMPLE_RATE)
    roles = {s.id: s.role for s in result.transcript.speakers}
    right = counted = 0
    for w in result.transcript.words:
        a = int(w.start / FRAME)
        b = max(int(w.end / FRAME), a + 1)
        on_agent, on_caller = active[0, a:b].sum(), active[1, a:b].sum()
        if on_agent == on_caller:
            continue
        counted += 1
        right += roles.get(w.speaker) == ("agent" if on_agent > on_caller else "customer")
    return round(right / counted, 3) if counted else None


def named(row: dict) -> str:
    if "stereo_agent_name" not in row:
        return "–"
    return f"{row['agent_name'] or '–'} ({row['stereo_agent_name'] or '–'})"


def agent_name(result) -> str:
    return next((s.name for s in result.transcript.speakers if s.role == "agent"), "")


def hvb_rows(tmp: Path, options) -> list[dict]:
    """Each real bank call: stereo (the reference) and its plain mono mix."""
    from reviewer.pipeline import process_file

    rows = []
    for truth_file in sorted((REAL / "hvb").glob("*.json")):
        name = f"hvb/{truth_file.stem}"
        agent, caller = sides(name)
        stereo = process_file(
            write_wav(tmp / f"{truth_file.stem}-st.wav", np.stack([agent, caller])), options
        )
        truth_share, _ = shares(stereo)
        mix = agent + caller
        mix = mix / (float(np.max(np.abs(mix))) or 1.0) * 0.9
        SplitLog.take()
        mono = process_file(write_wav(tmp / f"{truth_file.stem}-mono.wav", mix[None, :]), options)
        share, _ = shares(mono)
        row = {
            "call": f"{name} mono mix",
            "agent_share": None if share is None else round(share, 3),
            "truth": round(truth_share, 3),
            "error_points": None if share is None else round(abs(share - truth_share) * 100, 1),
            "words_right": words_right(mono, agent, caller),
            "agent_name": agent_name(mono),
            "stereo_agent_name": agent_name(stereo),
            "speakers": len(mono.transcript.speakers),
            "split_note": mono.transcript.split_doubt,
            "split": SplitLog.take(),
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def agent_intro_name(name: str) -> str:
    """The name the agent gives in the corpus's own transcript (HVB), or ""."""
    from reviewer.analysis.roles import name_in

    truth = REAL / f"{name}.json"
    if not truth.is_file():
        return {"auto_repairs_40": "Michelle"}.get(name, "")
    for u in json.loads(truth.read_text()):
        if u["speaker_role"] == "agent" and (found := name_in(u["human_transcript"])):
            return found
    return ""


def voice_rows(tmp: Path, options, only: list[str] | None = None) -> list[dict]:
    """Profiles from each call's first half (agent side), tested on the mono mix of its second half."""
    import hashlib
    from dataclasses import replace

    import reviewer.pipeline
    from reviewer.audio.decode import SAMPLE_RATE
    from reviewer.pipeline import process_file
    from reviewer.speakers.profiles import VoiceProfile, channel_voices

    heard: dict[str, tuple] = {}
    transcribe = reviewer.pipeline.transcribe

    def transcribe_once(model, audio, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        """The mono mix is split twice (without and with profiles): Whisper hears it once."""
        key = hashlib.sha1(np.ascontiguousarray(audio).tobytes()).hexdigest() + repr(kwargs.get("language"))
        if key not in heard:
            heard[key] = transcribe(model, audio, *args, **kwargs)
        return heard[key]

    reviewer.pipeline.transcribe = transcribe_once
    names = [f"hvb/{p.stem}" for p in sorted((REAL / "hvb").glob("*.json"))]
    names += ["auto_repairs_40", "auto_repairs_49"]
    halves, profiles = {}, []
    for name in names:
        agent, caller = sides(name)
        half = len(agent) // 2
        halves[name] = (agent[half:], caller[half:])
        heard = channel_voices(np.stack([agent[:half], caller[:half]]), SAMPLE_RATE)
        label = f"{agent_intro_name(name) or 'Agent'} ({name.split('/')[-1][:8]})"
        profiles.append(VoiceProfile(label, tuple(float(x) for x in heard[0]), 1, half / SAMPLE_RATE))
    rows = []
    for name, profile in zip(names, profiles, strict=True):
        if only and not any(o in name for o in only):
            continue
        agent, caller = halves[name]
        stem = name.replace("/", "-")
        stereo = process_file(write_wav(tmp / f"{stem}-2st.wav", np.stack([agent, caller])), options)
        truth_share, _ = shares(stereo)
        mix = agent + caller
        path = write_wav(
            tmp / f"{stem}-2mono.wav", (mix / (float(np.max(np.abs(mix))) or 1.0) * 0.9)[None, :]
        )
        for with_profiles in (False, True):
            run = replace(options, voices=tuple(profiles) if with_profiles else ())
            SplitLog.take()
            mono = process_file(path, run)
            share, _ = shares(mono)
            right = words_right(mono, agent, caller)
            row = {
                "call": f"{name} second half, mono mix",
                "profiles": with_profiles,
                "agent_share": None if share is None else round(share, 3),
                "truth": round(truth_share, 3),
                "error_points": None if share is None else round(abs(share - truth_share) * 100, 1),
                "words_right": right,
                "role_right": right is not None and right > 0.5,
                "agent_name": agent_name(mono),
                "profile": profile.name,
                "name_right": agent_name(mono) == profile.name,
                "split_note": bool(mono.transcript.split_doubt),
                "split": SplitLog.take(),
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def print_voice_rows(rows: list[dict]) -> None:
    print(
        "| call (second half, mono mix) | profiles | agent share | truth | error, points | words right "
        "| role right | agent named | name right | note |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cells = [
            r["call"].split(" ")[0],
            "with" if r["profiles"] else "without",
            r["agent_share"],
            r["truth"],
            r["error_points"],
            r["words_right"],
            r["role_right"],
            r["agent_name"] or "–",
            r["name_right"],
            "note" if r["split_note"] else "",
        ]
        print("| " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    for flag in (False, True):
        mine = [r for r in rows if r["profiles"] == flag]
        errors = sorted(r["error_points"] for r in mine if r["error_points"] is not None)
        print(
            f"\n{'with' if flag else 'without'} profiles: role right {sum(r['role_right'] for r in mine)} of "
            f"{len(mine)}, name right {sum(r['name_right'] for r in mine)} of {len(mine)}, talk-share error "
            f"median {errors[len(errors) // 2] if errors else '–'} points, mean "
            f"{sum(errors) / len(errors):.1f}"
            if errors
            else ""
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--hvb", action="store_true", help="the six real bank calls only")
    parser.add_argument("--voices", action="store_true", help="agents known by their voice (profiles)")
    parser.add_argument("--only", nargs="*", metavar="CALL", help="--voices: test only these calls")
    parser.add_argument(
        "--no-regroup", action="store_true", help="without the second pass (speakers.regroup)"
    )
    parser.add_argument(
        "--no-reassign", action="store_true", help="extra voices folded in whole, not chunk by chunk"
    )
    args = parser.parse_args()
    SplitLog.listen()
    from reviewer.pipeline import PipelineOptions
    from reviewer.pipeline import process_file as process
    from reviewer.speakers.diarize import DiarizationOptions

    options = PipelineOptions(
        diarization=DiarizationOptions(regroup=not args.no_regroup, reassign_chunks=not args.no_reassign)
    )

    def process_file(path):
        return process(path, options)

    if not REAL.is_dir():
        sys.exit(f"{REAL} is missing: the real recordings come with the project's shared folder.")
    rows = []
    if args.voices:
        with tempfile.TemporaryDirectory() as tmp:
            rows = voice_rows(Path(tmp), options, args.only)
        print_voice_rows(rows)
        out = ROOT / "bench" / "results" / f"real_calls-voices{'-only' if args.only else ''}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(rows, indent=1) + "\n")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.quick:
            rows += hvb_rows(tmp, options)
        for name in () if args.hvb else ("auto_repairs_40", "auto_repairs_49"):
            agent, caller = sides(name)
            stereo = process_file(write_wav(tmp / f"{name}-st.wav", np.stack([agent, caller])))
            truth_share, truth_talk = shares(stereo)
            agent_speaker = next(s for s in stereo.transcript.speakers if s.channel == 0)
            opening = [t.text for t in stereo.transcript.turns if t.speaker == agent_speaker.id][:2]
            rows.append(
                {
                    "call": f"{name} stereo (reference)",
                    "agent_share": round(truth_share, 3),
                    "roles_right": agent_speaker.role == "agent",
                    "agent_name": agent_speaker.name,
                    "opening": " / ".join(opening),
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            mixes = {"mono mix": agent + caller, "mono, caller -10 dB": agent + caller * 10 ** (-10 / 20)}
            if not args.quick:
                mixes["mono phone line 8 kHz mu-law"] = None
            for mix, audio in mixes.items():
                if audio is None:
                    path = write_mulaw(tmp / f"{name}-8k.wav", telephone((agent + caller)[None, :]))
                else:
                    peak = float(np.max(np.abs(audio))) or 1.0
                    path = write_wav(tmp / f"{name}-{len(rows)}.wav", (audio / peak * 0.9)[None, :])
                result = process_file(path)
                share, talk = shares(result)
                row = {
                    "call": f"{name} {mix}",
                    "agent_share": None if share is None else round(share, 3),
                    "truth": round(truth_share, 3),
                    "error_points": None if share is None else round(abs(share - truth_share) * 100, 1),
                    "speakers": len(result.transcript.speakers),
                    "talk": {k: round(v, 1) for k, v in talk.items()},
                    "truth_talk": {k: round(v, 1) for k, v in truth_talk.items()},
                }
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
        for name in () if args.hvb else ("ami_dev00", "ami_dev01", "ami_trn03"):
            result = process_file(REAL / f"{name}.flac")
            ref = rttm_turns(REAL / f"{name}.rttm")
            der = diarization_error_rate(ref, result.transcript.segments, result.transcript.duration)
            talk: dict[str, float] = {}
            for s, e, who in ref:
                talk[who] = talk.get(who, 0.0) + e - s
            busiest_truth = max(talk.values()) / sum(talk.values())
            mine = sorted((m.talk_seconds for m in result.analysis.metrics.speakers), reverse=True)
            busiest = mine[0] / sum(mine) if mine and sum(mine) else None
            row = {
                "call": f"{name} (AMI, 16 kHz mono)",
                "der": round(der, 3),
                "busiest_share": None if busiest is None else round(busiest, 3),
                "truth": round(busiest_truth, 3),
                "error_points": None if busiest is None else round(abs(busiest - busiest_truth) * 100, 1),
                "speakers": len(result.transcript.speakers),
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)

    print(
        "| recording | agent (or busiest) share | truth | error, points | words to the right role "
        "| agent named (stereo) | DER | speakers |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        share = r.get("agent_share", r.get("busiest_share"))
        cells = [
            r["call"],
            share,
            r.get("truth", "–"),
            r.get("error_points"),
            r.get("words_right", "–"),
            named(r),
            r.get("der", "–"),
            r.get("speakers", "–"),
        ]
        print("| " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    mono = [r for r in rows if r.get("truth") is not None and r.get("error_points") is not None]
    within = sum(r["error_points"] <= 5 for r in mono)
    print(f"\nwithin 5 points: {within} of {len(mono)}")
    suffix = "".join(f"-{k}" for k in ("hvb", "no_regroup", "no_reassign") if getattr(args, k))
    out = ROOT / "bench" / "results" / f"real_calls{suffix}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
