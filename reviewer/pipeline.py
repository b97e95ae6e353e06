"""One function that runs a call recording through every room: decode, transcribe, split by
speaker, assign roles, analyse. The CLI and the GUI both call it; neither holds logic it lacks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from reviewer.analysis import analyse_transcript
from reviewer.asr.transcribe import AsrOptions, load_model, transcribe
from reviewer.audio.channels import channel_activity, masked_channel
from reviewer.audio.decode import SAMPLE_RATE, DecodedAudio, decode
from reviewer.audio.peaks import compute_peaks
from reviewer.errors import BadAudioError
from reviewer.model import Analysis, Segment, Speaker, Transcript, Word
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.settings import Settings, load_settings
from reviewer.speakers.attribution import attribute_words, overlap_spans, words_for_channel
from reviewer.speakers.diarize import DiarizationOptions, diarize_call
from reviewer.speakers.profiles import VoiceProfile, best_match, channel_voices, split_doubt


@dataclass(frozen=True)
class PipelineOptions:
    asr: AsrOptions = field(default_factory=AsrOptions)
    diarization: DiarizationOptions = field(default_factory=DiarizationOptions)
    settings: Settings | None = None
    # Agents' voice profiles, given only where a coach turned them on for the library
    # (reviewer.actions.voices): the voice that matches one is that agent.
    voices: tuple[VoiceProfile, ...] = ()


@dataclass
class CallResult:
    path: Path
    transcript: Transcript
    analysis: Analysis
    source_channels: int
    source_rate: int
    dual_mono: bool
    timings: dict[str, float] = field(default_factory=dict)
    peaks: np.ndarray | None = None  # waveform peaks for the timeline (see audio.peaks)


def process_file(
    path: str | Path,
    options: PipelineOptions = PipelineOptions(),
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> CallResult:
    settings = options.settings or load_settings()
    if options.asr.vocabulary is None:  # the team vocabulary of the settings
        options = replace(options, asr=replace(options.asr, vocabulary=settings.vocabulary))
    path = Path(path)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    audio = decode(
        path, dual_mono_correlation=settings.dual_mono_correlation, progress=progress, cancel=cancel
    )
    timings["decode"] = time.perf_counter() - t
    cancel.check()
    transcript = transcribe_audio(
        audio, options, path=path, timings=timings, progress=progress, cancel=cancel
    )
    t = time.perf_counter()
    progress(Progress("analyse", 0.0))
    transcript, analysis = analyse_transcript(transcript, settings)
    transcript = _named_by_voice(transcript, audio, options.voices)
    timings["analysis"] = time.perf_counter() - t
    progress(Progress("analyse", 1.0))
    return CallResult(
        path,
        transcript,
        analysis,
        audio.source_channels,
        audio.source_rate,
        audio.dual_mono,
        timings,
        compute_peaks(audio.samples, SAMPLE_RATE),
    )


def transcribe_audio(
    audio: DecodedAudio,
    options: PipelineOptions,
    *,
    path: Path,
    timings: dict[str, float],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Transcript:
    """Words with speakers: stereo by channel, mono by diarization."""
    t = time.perf_counter()
    progress(Progress("transcribe", 0.0, "loading the speech model"))
    model, model_name = load_model(options.asr)
    if audio.channels == 2:
        # One party per channel: transcribe each channel with the other's bleed silenced, so
        # overtalk is transcribed for both sides and every word's speaker is exact.
        # A channel at a time, so an hour-long call never holds two masked copies.
        t_split = time.perf_counter()
        active = channel_activity(audio.samples, SAMPLE_RATE)
        channel = masked_channel(audio.samples, SAMPLE_RATE, 0, active)
        split_time = time.perf_counter() - t_split
        raw0, language = transcribe(
            model, channel, options.asr, progress=progress, cancel=cancel, progress_span=(0.0, 0.5)
        )
        t_split = time.perf_counter()
        channel = masked_channel(audio.samples, SAMPLE_RATE, 1, active)
        split_time += time.perf_counter() - t_split
        raw1, _ = transcribe(
            model,
            channel,
            options.asr,
            language=language,
            progress=progress,
            cancel=cancel,
            progress_span=(0.5, 1.0),
        )
        del channel
        timings["transcribe"] = time.perf_counter() - t - split_time
        timings["speakers"] = split_time
        speakers = [Speaker("S1", channel=0), Speaker("S2", channel=1)]
        words = words_for_channel(raw0, "S1") + words_for_channel(raw1, "S2")
        overlaps: list[Segment] = []
        doubt = ""
        split = "channels"
    else:
        mono = audio.samples[0]
        raw, language = transcribe(model, mono, options.asr, progress=progress, cancel=cancel)
        timings["transcribe"] = time.perf_counter() - t
        if not raw:
            raise BadAudioError(path, "no speech found in the recording")
        t = time.perf_counter()
        found = diarize_call(
            mono, SAMPLE_RATE, options.diarization, profiles=options.voices, progress=progress, cancel=cancel
        )
        segments = found.segments
        timings["speakers"] = time.perf_counter() - t
        words = attribute_words(raw, segments)
        ids = sorted({w.speaker for w in words}, key=lambda s: int(s[1:]))
        renumber = {old: f"S{i + 1}" for i, old in enumerate(ids)}
        words = [Word(w.start, w.end, w.text, renumber[w.speaker], w.probability) for w in words]
        speakers = [Speaker(renumber[s]) for s in ids]
        doubt = split_doubt(found)
        if found.match is not None and found.match.speaker in renumber:
            agent = renumber[found.match.speaker]  # a profile's voice: that agent, named
            speakers = [
                Speaker(s.id, "agent", found.match.name) if s.id == agent else Speaker(s.id, "customer")
                for s in speakers
            ]
        overlaps = [
            Segment(o.start, o.end, renumber[o.speaker])
            for o in overlap_spans(segments)
            if o.speaker in renumber
        ]
        split = "diarization"
    if not words:
        raise BadAudioError(path, "no speech found in the recording")
    words.sort(key=lambda w: (w.start, w.end))
    return Transcript(
        audio.duration,
        audio.channels,
        split,
        speakers,
        words,
        [],
        language=language,
        model=model_name,
        overlaps=overlaps,
        split_doubt=doubt,
    )


def _named_by_voice(
    transcript: Transcript, audio: DecodedAudio, voices: tuple[VoiceProfile, ...]
) -> Transcript:
    """A stereo call whose agent said no name: the name of the profile their channel's voice
    matches (the channel already says who is who)."""
    agent = next((s for s in transcript.speakers if s.role == "agent"), None)
    if not voices or audio.channels != 2 or agent is None or agent.name or agent.channel is None:
        return transcript
    heard = channel_voices(audio.samples, SAMPLE_RATE)
    by_speaker = {s.id: heard[s.channel] for s in transcript.speakers if s.channel in heard}
    match = best_match(by_speaker, voices, speaker=agent.id)
    if match is None:
        return transcript
    return replace(
        transcript,
        speakers=[replace(s, name=match.name) if s.id == agent.id else s for s in transcript.speakers],
    )
