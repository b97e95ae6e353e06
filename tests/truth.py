"""Truth for scoring the pipeline: synthetic calls' scripts, real recordings' transcripts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from callgen import Call

_NUMBERS = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
    "10": "ten",
    "20": "twenty",
}


# As Whisper's English text normalizer does for its published error rates: spelled-out titles
# equal their abbreviations, and hesitation sounds are not words.
_TITLES = {"mr": "mister", "mrs": "missus", "ms": "miss", "dr": "doctor", "st": "saint"}
_FILLERS = {"um", "uh", "hmm", "mm", "mhm", "mmm", "er", "ah"}


def norm_words(text: str) -> list[str]:
    from reviewer.analysis.text import normalize

    text = text.replace("$", " ").replace("%", " percent")
    words = normalize(text).replace("dollars", "dollar").split()
    return [_NUMBERS.get(w, _TITLES.get(w, w)) for w in words if w not in _FILLERS]


def wer(reference: str, hypothesis: str) -> float:
    return corpus_wer([(reference, hypothesis)])


def corpus_wer(pairs: list[tuple[str, str]]) -> float:
    """Word error rate over several recordings: all their errors over all their reference words."""
    import jiwer

    refs = [" ".join(norm_words(r)) for r, _ in pairs]
    hyps = [" ".join(norm_words(h)) for _, h in pairs]
    return jiwer.wer(refs, hyps)


def role_of(result, speaker_id: str) -> str:
    return next(s.role for s in result.transcript.speakers if s.id == speaker_id)


def true_speakers_at(call: Call, t: float, tolerance: float = 0.35) -> set[str]:
    """Who really speaks at ``t`` (both sides during overtalk); ASR word edges may be slightly off."""
    return {u.speaker for u in call.utterances if u.start - tolerance <= t <= u.end + tolerance}


def speaker_confusion(call: Call, result) -> float:
    """Share of words attributed to a speaker whose role was not speaking at that moment."""
    judged = wrong = 0
    for w in result.transcript.words:
        truth = true_speakers_at(call, (w.start + w.end) / 2)
        if not truth:
            continue
        judged += 1
        wrong += role_of(result, w.speaker) not in truth
    return wrong / judged if judged else 1.0


def side_wer(call: Call, result, side: str) -> float:
    ref = " ".join(u.text for u in call.utterances if u.speaker == side)
    hyp = " ".join(w.text for w in result.transcript.words if role_of(result, w.speaker) == side)
    return wer(ref, hyp)


def call_wer(call: Call, result) -> float:
    ref = " ".join(u.text for u in call.utterances)
    hyp = " ".join(w.text for w in sorted(result.transcript.words, key=lambda w: w.start))
    return wer(ref, hyp)


def refusal_scores(call: Call, result) -> tuple[float, float]:
    """(recall, precision) of refusal markers against the utterances flagged as refusals."""
    truth = [u for u in call.utterances if u.refusal]
    found = [m for m in result.analysis.markers if m.kind == "refusal"]

    def overlaps(a_start, a_end, b_start, b_end):
        return min(a_end, b_end) - max(a_start, b_start) > 0

    hit = sum(any(overlaps(u.start, u.end, m.start, m.end) for m in found) for u in truth)
    correct = sum(any(overlaps(u.start, u.end, m.start, m.end) for u in truth) for m in found)
    recall = hit / len(truth) if truth else 1.0
    precision = correct / len(found) if found else 1.0
    return recall, precision


def true_silences(call: Call, minimum: float) -> list[tuple[float, float]]:
    out = []
    spans = sorted((u.start, u.end) for u in call.utterances)
    covered = spans[0][1]
    for s, e in spans[1:]:
        if s - covered >= minimum:
            out.append((covered, s))
        covered = max(covered, e)
    return out


def rttm_turns(path) -> list[tuple[float, float, str]]:
    """(start, end, speaker) for each line of an RTTM reference file."""
    turns = []
    for line in path.read_text().splitlines():
        f = line.split()
        turns.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return turns


def diarization_error_rate(turns, segments, duration: float) -> float:
    """DER (no collar) of speaker segments (with .start, .end, .speaker) against reference turns."""
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    reference, hypothesis = Annotation(), Annotation()
    for start, end, who in turns:
        reference[Segment(start, end)] = who
    for s in segments:
        hypothesis[Segment(s.start, s.end)] = s.speaker
    return DiarizationErrorRate(collar=0.0)(reference, hypothesis, uem=Segment(0, duration))


# Debian's pocketsphinx-testdata (BSD): CMU's test recordings of real read speech with their
# transcripts: five LibriVox sentences (Sense and Sensibility), five card names, "go forward".
POCKETSPHINX_DATA = Path("/usr/share/pocketsphinx/test/data")


def read_speech() -> list[tuple[str, np.ndarray, str]]:
    """(name, 16 kHz samples (1, n), reference) for each recording of pocketsphinx-testdata."""
    import re

    from reviewer.audio import decode

    out = []
    for folder in ("librivox", "cards"):
        transcription = next((POCKETSPHINX_DATA / folder).glob("*transcription"))
        for line in transcription.read_text().splitlines():
            m = re.match(r"<s>(.*?)</s>\s*\((.*)\)", line.strip())
            if m:
                audio = decode(POCKETSPHINX_DATA / folder / f"{m[2]}.wav").samples
                out.append((f"{folder}/{m[2]}", audio.mean(axis=0, keepdims=True), m[1].strip()))
    raw = np.frombuffer((POCKETSPHINX_DATA / "goforward.raw").read_bytes(), dtype="<i2")
    out.append(("goforward", raw[None, :].astype(np.float32) / 32768, "go forward ten meters"))
    return out
