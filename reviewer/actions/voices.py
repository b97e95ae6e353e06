"""Agents known by their voice: turning voice profiles on or off for a library, making an agent's
profile from a stereo call (their channel is certain) or from a stretch a coach marks, removing
it, and handing the profiles to the pipeline. Profiles are biometric data: while they are off,
nothing is computed or stored, and they never leave the library (no export reads them)."""

from __future__ import annotations

from dataclasses import dataclass

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


def add_from_call(
    library: Library, name: str, call_ref: str | int, start: float | None = None, end: float | None = None
) -> AddedVoice:
    """A sample of agent ``name``'s voice from a stored call: the agent's channel of a stereo call,
    or the speech between ``start`` and ``end`` (seconds) that a coach marked as theirs."""
    from reviewer.audio.channels import FRAME, channel_activity, masked_channel
    from reviewer.audio.decode import SAMPLE_RATE, decode
    from reviewer.speakers.profiles import mask_spans, voice_of

    name = " ".join(name.split())
    if not name:
        raise ReviewerError("A voice profile needs the agent's name.")
    if not library.voice_profiles_on():
        raise ReviewerError(OFF)
    call_id = library.resolve(call_ref)
    stored = library.load_call(call_id)
    if (start is None) != (end is None):
        raise ReviewerError("Mark a stretch with both --start and --end (seconds), or neither.")
    audio = decode(library.audio_path(stored.row))
    if start is not None and end is not None:
        if not 0 <= start < end:
            raise ReviewerError("The marked stretch must start before it ends.")
        spans = [
            (max(s.start, start), min(s.end, end))
            for s in stored.transcript.segments
            if min(s.end, end) > max(s.start, start)
        ] or [(start, min(end, audio.duration))]
        samples = audio.samples.mean(axis=0)
        source = "selection"
    else:
        agent = _agent_channel(stored.transcript.speakers, stored.transcript.speaker_split)
        if audio.channels != 2:
            raise ReviewerError(f"Call #{call_id}'s recording is no longer stereo; mark a stretch instead.")
        active = channel_activity(audio.samples, SAMPLE_RATE)
        samples = masked_channel(audio.samples, SAMPLE_RATE, agent, active)
        spans = mask_spans(active[agent], FRAME)
        source = "channel"
    mean, windows, seconds = voice_of(samples, SAMPLE_RATE, spans)
    if mean is None:
        raise ReviewerError(
            f"Too little speech in call #{call_id} to know a voice by (a second and a half at least)."
        )
    with library.write():
        library.add_voice_sample(
            name,
            tuple(float(x) for x in mean),
            windows=windows,
            seconds=seconds,
            call_id=call_id,
            source=source,
        )
    return AddedVoice(name, call_id, seconds, windows, source)


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
