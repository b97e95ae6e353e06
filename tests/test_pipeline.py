"""The whole pipeline on real speech with real models: what a coach would check on a call."""

from __future__ import annotations

from pathlib import Path

import pytest
from truth import (
    POCKETSPHINX_DATA,
    call_wer,
    corpus_wer,
    diarization_error_rate,
    norm_words,
    read_speech,
    refusal_scores,
    role_of,
    side_wer,
    speaker_confusion,
    true_silences,
)


def markers(result, kind):
    return [m for m in result.analysis.markers if m.kind == kind]


def test_stereo_call_is_split_exactly_by_channel(pushback, processed):
    call, _ = pushback
    result = processed("pushback")
    assert result.transcript.speaker_split == "channels"
    assert {s.channel: s.role for s in result.transcript.speakers} == {0: "agent", 1: "customer"}
    assert speaker_confusion(call, result) == 0.0


def test_stereo_transcript_is_accurate_for_both_sides(pushback, processed):
    call, _ = pushback
    result = processed("pushback")
    assert side_wer(call, result, "agent") <= 0.15
    assert side_wer(call, result, "customer") <= 0.15
    text = " ".join(t.text for t in result.transcript.turns).lower()
    assert "cancel" in text and "discount" in text
    assert all(w.end >= w.start for w in result.transcript.words)


def test_stereo_talk_share_matches_truth(pushback, processed):
    call, _ = pushback
    share = processed("pushback").analysis.metrics.agent_talk_share
    assert share == pytest.approx(call.agent_share(), abs=0.03)


def test_pushback_call_finds_every_refusal(pushback, processed):
    call, _ = pushback
    result = processed("pushback")
    recall, precision = refusal_scores(call, result)
    assert recall == 1.0 and precision == 1.0
    assert result.analysis.metrics.refusal_count == sum(u.refusal for u in call.utterances)


def test_clean_call_has_no_refusals(clean, processed):
    result = processed("clean")
    assert markers(result, "refusal") == []
    assert role_of(result, "S1") == "agent"


def test_hold_is_marked_within_a_second_of_its_edges(pushback, processed, settings):
    call, _ = pushback
    (truth,) = true_silences(call, settings.silence_min)
    (found,) = markers(processed("pushback"), "long_silence")
    assert found.start == pytest.approx(truth[0], abs=1.0)
    assert found.end == pytest.approx(truth[1], abs=1.0)


def test_agent_lecture_is_a_long_monologue(pushback, processed):
    call, _ = pushback
    lecture = max((u for u in call.utterances if u.speaker == "agent"), key=lambda u: u.end - u.start)
    (found,) = markers(processed("pushback"), "long_monologue")
    assert role_of(processed("pushback"), found.speaker) == "agent"
    assert found.start == pytest.approx(lecture.start, abs=1.0)
    assert found.end == pytest.approx(lecture.end, abs=1.0)


def test_customer_talking_over_the_agent_is_overtalk(pushback, processed):
    result = processed("pushback")
    found = markers(result, "overtalk")
    assert len(found) == 1
    assert role_of(result, found[0].speaker) == "customer"
    assert "moving" in found[0].text.lower()


def test_mono_call_is_diarized_with_few_confusions(pushback_mono, processed):
    call, _ = pushback_mono
    result = processed("pushback_mono")
    assert result.transcript.speaker_split == "diarization"
    assert len(result.transcript.speakers) == 2
    assert speaker_confusion(call, result) <= 0.10
    assert call_wer(call, result) <= 0.15
    assert result.analysis.metrics.agent_talk_share == pytest.approx(call.agent_share(), abs=0.05)
    recall, precision = refusal_scores(call, result)
    assert recall >= 0.9 and precision >= 0.9


def test_mono_call_hears_the_customer_talk_over_the_agent(pushback_mono, processed, settings):
    """Whisper writes a mono call as one stream of words; the overtalk comes from diarization
    hearing both voices at once; the timeline shows the customer talking there, and the marker
    stays after the roles are corrected."""
    from reviewer.analysis import analyze
    from reviewer.analysis.roles import swap_roles

    call, _ = pushback_mono
    over = next(u for u in call.utterances if u.text.startswith("I understand, but"))
    before = max(u.end for u in call.utterances if u.end > over.start and u.start < over.start)
    result = processed("pushback_mono")
    (found,) = markers(result, "overtalk")
    assert role_of(result, found.speaker) == "customer"
    assert found.start == pytest.approx(over.start, abs=0.5)
    assert found.end == pytest.approx(before, abs=0.5)
    t = result.transcript
    lane = [s for s in t.segments if s.speaker == found.speaker]  # the timeline shows them talking
    assert any(s.start - 0.01 <= found.start and found.end <= s.end + 0.01 for s in lane)
    again = analyze(swap_roles(t.speakers), t.words, t.turns, t.duration, settings, t.overlaps)
    assert [(m.start, m.end, m.speaker) for m in again.markers if m.kind == "overtalk"] == [
        (found.start, found.end, found.speaker)
    ]


@pytest.mark.parametrize("speakers", [2, None], ids=["two speakers (the default)", "count detected"])
def test_diarization_matches_pyannote_reference_turns(pyannote_sample, speakers):
    """Real speech: the default two-speaker split keeps Diane and Sheila apart (a one-embedding
    outlier once took a speaker's place and merged them, 45 % DER)."""
    from reviewer.audio import decode
    from reviewer.speakers.diarize import DiarizationOptions, diarize

    wav, turns = pyannote_sample
    audio = decode(wav)
    found = diarize(audio.mono(), 16000, DiarizationOptions(num_speakers=speakers))
    der = diarization_error_rate(turns, found, audio.duration)
    assert len({s.speaker for s in found}) == 2
    assert der <= 0.12


@pytest.mark.slow  # 20 s or more of real speech or a full command-line run: `make test-slow` and CI run it
def test_real_speech_through_a_phone_line_loses_no_utterance(tmp_path):
    """CMU's recordings of real read speech (Debian's pocketsphinx-testdata), each alone through a
    simulated 8 kHz phone line, as a short call or a voicemail comes in. The voice-activity filter
    once passed Whisper only "of clubs" of "eight of spades four of clubs seven of hearts"."""
    from callgen import telephone, write_mulaw

    from reviewer.asr.transcribe import AsrOptions, load_model, transcribe
    from reviewer.audio import decode

    assert POCKETSPHINX_DATA.is_dir(), "needs Debian's pocketsphinx-testdata (make test installs it)"
    model, _ = load_model(AsrOptions())
    pairs = []
    for name, audio, reference in read_speech():
        phone = decode(write_mulaw(tmp_path / "phone.wav", telephone(audio)))  # mu-law, 8 kHz
        words, _ = transcribe(model, phone.mono(), AsrOptions(), language="en")
        said = " ".join(w.text for w in words)
        assert len(norm_words(said)) >= 0.75 * len(norm_words(reference)), (name, said)
        pairs.append((reference, said))
    assert corpus_wer(pairs) <= 0.10


@pytest.mark.slow  # 20 s or more of real speech or a full command-line run: `make test-slow` and CI run it
def test_long_calls_are_transcribed_in_pieces_cut_in_pauses_with_the_same_result(
    pushback, processed, monkeypatch
):
    """An hour-long call is transcribed five minutes at a time to bound memory; here pieces of
    20 s stand in for five minutes. No word is lost or doubled at a cut, and the speakers and
    refusals stay the same.

    Whisper decodes each piece in its own 30 s windows, so a word far from any cut can come out
    spelt differently ("setup fee" / "set of fees"), and by how much differs between CPUs (int8
    kernels differ): two WERs are too noisy to compare. What a cut could break is the words
    around it, so those are compared, by time."""
    import numpy as np

    from reviewer.asr import transcribe as asr
    from reviewer.audio.decode import SAMPLE_RATE
    from reviewer.pipeline import process_file

    call, path = pushback
    whole = processed("pushback")  # before the patch: the fixture caches a whole-call result
    mono = call.audio.mean(axis=0)
    bounds = asr.piece_bounds(mono, piece=20.0)
    assert len(bounds) >= 4 and bounds[0][0] == 0 and bounds[-1][1] == len(mono)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    for _, end in bounds[:-1]:  # each cut is in a pause: quieter than the call's speech
        around = mono[end - SAMPLE_RATE // 20 : end + SAMPLE_RATE // 20]
        assert np.sqrt(np.mean(around**2)) < 0.1 * np.sqrt(np.mean(mono**2))

    monkeypatch.setattr(asr, "PIECE_SECONDS", 20.0)
    pieced = process_file(path)
    assert speaker_confusion(call, pieced) == 0.0
    starts = [w.start for w in pieced.transcript.words]
    assert starts == sorted(starts) and starts[-1] < pieced.transcript.duration
    n = len(whole.transcript.words)
    assert abs(len(pieced.transcript.words) - n) <= 0.05 * n

    # Each channel is cut on its own: every word the whole transcription heard within 2 s of a
    # cut is heard in pieces too, by the same speaker at the same moment, and none twice.
    cuts = 0
    for channel, speaker in enumerate(("S1", "S2")):
        mine = [w for w in pieced.transcript.words if w.speaker == speaker]
        for _, end in asr.piece_bounds(call.audio[channel], piece=20.0)[:-1]:
            cut = end / SAMPLE_RATE
            near = [w for w in whole.transcript.words if w.speaker == speaker and abs(w.start - cut) <= 2.0]
            for w in near:
                same = [p for p in mine if min(p.end, w.end) - max(p.start, w.start) > 0]
                assert same, f"{w.text!r} at {w.start:.1f} s was lost at the cut at {cut:.1f} s"
                assert len([p for p in same if norm_words(p.text) == norm_words(w.text)]) <= 1
            cuts += 1
    assert cuts >= 6
    assert side_wer(call, pieced, "agent") <= 0.15 and side_wer(call, pieced, "customer") <= 0.15
    assert refusal_scores(call, pieced) == refusal_scores(call, whole)


REAL_CALLS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-calls"


@pytest.mark.skipif(
    not REAL_CALLS.is_dir(), reason="the real recordings come with the project's shared folder"
)
@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
def test_a_real_call_mixed_to_mono_splits_like_its_two_sides_and_names_its_agent(tmp_path):
    """Real voices, 8 kHz, one file per side (exact truth): the first 90 s of a recorded call as
    stereo (split by channel) and as a mono mix (diarized) give the same talk share, and the
    agent is named from "I'm Michelle"."""
    import numpy as np
    from callgen import write_wav

    from reviewer.audio import decode
    from reviewer.pipeline import process_file

    n = 16_000 * 90
    agent = decode(REAL_CALLS / "auto_repairs_40.agent.flac").samples.mean(axis=0)[:n]
    caller = decode(REAL_CALLS / "auto_repairs_40.caller.flac").samples.mean(axis=0)[:n]
    stereo = process_file(write_wav(tmp_path / "st.wav", np.stack([agent, caller])))
    mono = process_file(write_wav(tmp_path / "mono.wav", ((agent + caller) * 0.7)[None, :]))
    named = {s.role: s.name for s in stereo.transcript.speakers}
    assert named["agent"] == "Michelle"
    assert mono.transcript.speaker_split == "diarization" and len(mono.transcript.speakers) == 2
    truth = stereo.analysis.metrics.agent_talk_share
    assert 0.2 < truth < 0.8
    assert mono.analysis.metrics.agent_talk_share == pytest.approx(truth, abs=0.05)


def test_a_voicemails_one_voice_is_what_pyannote_finds_without_its_speaker_embeddings():
    """A short mono call where one voice cannot be split (too little speech to cluster) skips
    the speaker embeddings, most of a short call's diarization, and comes out as pyannote's whole
    pipeline gives it."""
    import torch
    from callgen import Line, render

    from reviewer.speakers.diarize import DiarizationOptions, diarize, load_pipeline, segments_of

    audio = render([Line("customer", "Hi, it's Maria, please call me back.")], stereo=False).audio[0]
    options = DiarizationOptions()
    steps: list[str] = []
    found = diarize(audio, 16000, options, progress=lambda p: steps.append(p.message or ""))
    waveform = {"waveform": torch.from_numpy(audio).unsqueeze(0), "sample_rate": 16000}
    with torch.inference_mode():
        whole = load_pipeline(options)(waveform, min_speakers=2)
    assert found == segments_of(whole, 2)
    assert found and found[0].start < 1.0 < found[-1].end
    assert "segmentation" in steps and "embeddings" not in steps
