"""Agents known by their voice: turning voice profiles on or off for a library, making an agent's
profile from a stereo call (their channel is certain) or from a stretch a coach marks, removing
it, and handing the profiles to the pipeline. Profiles are biometric data: while they are off,
nothing is computed or stored, and they never leave the library (no export reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.errors import ReviewerError
from reviewer.library import Library
from reviewer.model import Speaker
from reviewer.speakers.profiles import VoiceProfile, profiles_of

EXPLANATION = (
    "A voice profile is an agent's name and a summary of how their voice sounds (a speaker "
    "embedding, a list of numbers computed from their speech). With profiles on, a mono call's "
    "voice that matches a profile is taken as that agent, named even where they said no name; "
    "where the split heard only one voice, the profile splits the agent out of it. This is "
    "biometric data: it is kept only in this library, never exported or shared, and off until a "
    "coach turns it on; turning it off offers to delete every profile."
)
OFF = (
    "Voice profiles are off for this library: `reviewer voices enable` (or Edit › Voice profiles… "
    "in the app) turns them on."
)


@dataclass(frozen=True)
class AddedVoice:
    name: str
    call_id: int
    seconds: float
    windows: int
    source: str  # channel | selection


def enable(library: Library) -> None:
    with library.write():
        library.set_voice_profiles_on(True)


def disable(library: Library, *, delete: bool) -> int:
    """Voice profiles off for the library (nothing is matched or made any more); with ``delete``
    every profile is deleted too. Returns how many samples were deleted."""
    with library.write():
        library.set_voice_profiles_on(False)
        return library.remove_voice_samples() if delete else 0


def profiles(library: Library) -> list[VoiceProfile]:
    """The library's agents' voice profiles (none while profiles are off)."""
    return profiles_of(library.voice_samples()) if library.voice_profiles_on() else []


def listed(library: Library) -> list[VoiceProfile]:
    """Every stored profile, on or off (so a coach can see and delete what is kept)."""
    return profiles_of(library.voice_samples())


@dataclass(frozen=True)
class VoiceSource:
    """Where an agent's voice sample is to come from, read from the library: the recording, and
    either the agent's channel (a stereo call) or the stretches a coach marked."""

    name: str
    call_id: int
    audio: Path
    channel: int | None  # the agent's channel of a stereo call; None for a marked stretch
    spans: tuple[tuple[float, float], ...]  # the speech inside a marked stretch
    start: float | None
    end: float | None


@dataclass(frozen=True)
class MeasuredVoice:
    source: VoiceSource
    mean: tuple[float, ...]
    windows: int
    seconds: float


def voice_source(
    library: Library, name: str, call_ref: str | int, start: float | None = None, end: float | None = None
) -> VoiceSource:
    """The library's half of making a profile: which call, which channel or stretch. Quick."""
    name = " ".join(name.split())
    if not name:
        raise ReviewerError("A voice profile needs the agent's name.")
    if not library.voice_profiles_on():
        raise ReviewerError(OFF)
    call_id = library.resolve(call_ref)
    stored = library.load_call(call_id)
    if (start is None) != (end is None):
        raise ReviewerError("Mark a stretch with both --start and --end (seconds), or neither.")
    audio = library.audio_path(stored.row)
    if start is not None and end is not None:
        if not 0 <= start < end:
            raise ReviewerError("The marked stretch must start before it ends.")
        spans = tuple(
            (max(s.start, start), min(s.end, end))
            for s in stored.transcript.segments
            if min(s.end, end) > max(s.start, start)
        )
        return VoiceSource(name, call_id, audio, None, spans, start, end)
    channel = _agent_channel(stored.transcript.speakers, stored.transcript.speaker_split)
    return VoiceSource(name, call_id, audio, channel, (), None, None)


def measure_voice(source: VoiceSource) -> MeasuredVoice:
    """The slow half (decoding and the speaker embedding, seconds): no library, so a front door
    runs it off its library thread."""
    from reviewer.audio.channels import FRAME, channel_activity, masked_channel
    from reviewer.audio.decode import SAMPLE_RATE, decode
    from reviewer.speakers.profiles import mask_spans, voice_of

    audio = decode(source.audio)
    if source.channel is None:
        assert source.start is not None and source.end is not None
        spans = list(source.spans) or [(source.start, min(source.end, audio.duration))]
        samples = audio.samples.mean(axis=0)
    else:
        if audio.channels != 2:
            raise ReviewerError(
                f"Call #{source.call_id}'s recording is no longer stereo; mark a stretch instead."
            )
        active = channel_activity(audio.samples, SAMPLE_RATE)
        samples = masked_channel(audio.samples, SAMPLE_RATE, source.channel, active)
        spans = mask_spans(active[source.channel], FRAME)
    mean, windows, seconds = voice_of(samples, SAMPLE_RATE, spans)
    if mean is None:
        raise ReviewerError(
            f"Too little speech in call #{source.call_id} to know a voice by (a second and a half at least)."
        )
    return MeasuredVoice(source, tuple(float(x) for x in mean), windows, seconds)


def save_voice(library: Library, measured: MeasuredVoice) -> AddedVoice:
    """Keep a measured sample (profiles must still be on: they may have been turned off meanwhile)."""
    s = measured.source
    source = "channel" if s.channel is not None else "selection"
    with library.write():
        if not library.voice_profiles_on():
            raise ReviewerError(OFF)
        library.add_voice_sample(
            s.name,
            measured.mean,
            windows=measured.windows,
            seconds=measured.seconds,
            call_id=s.call_id,
            source=source,
        )
    return AddedVoice(s.name, s.call_id, measured.seconds, measured.windows, source)


def add_from_call(
    library: Library, name: str, call_ref: str | int, start: float | None = None, end: float | None = None
) -> AddedVoice:
    """A sample of agent ``name``'s voice from a stored call: the agent's channel of a stereo call,
    or the speech between ``start`` and ``end`` (seconds) that a coach marked as theirs."""
    return save_voice(library, measure_voice(voice_source(library, name, call_ref, start, end)))


def _agent_channel(speakers: list[Speaker], split: str) -> int:
    agent = next((s for s in speakers if s.role == "agent" and s.channel is not None), None)
    if split != "channels" or agent is None:
        raise ReviewerError(
            "Only a stereo call's agent channel is certain to be the agent: for a mono call, mark a "
            "stretch where the agent speaks (--start and --end, or a selection in the app)."
        )
    return int(agent.channel)


def remove(library: Library, name: str) -> int:
    """Delete agent ``name``'s profile (every sample of it). Returns how many samples went."""
    with library.write():
        count = library.remove_voice_samples(name)
    if not count:
        raise ReviewerError(f"No voice profile named {name!r} (reviewer voices list shows them).")
    return count
