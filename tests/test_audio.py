"""Decoding every common call format, channel handling, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from callgen import RATE, write_encoded, write_wav

from reviewer.audio import SAMPLE_RATE, decode
from reviewer.audio.channels import mask_to_channel
from reviewer.errors import BadAudioError


def tone(seconds: float, freq: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture(scope="module")
def stereo_signal():
    rng = np.random.default_rng(1)
    left = tone(3.0, 220) * (rng.random(3 * RATE) > 0.0)
    right = np.roll(tone(3.0, 330), 4000)
    right[:RATE] = 0  # different content on each side
    return np.stack([left, right])


@pytest.mark.parametrize(
    "name,codec,rate",
    [
        ("call.mp3", "mp3", 44100),
        ("call.m4a", "aac", 48000),
        ("call.ogg", "libopus", 48000),
        ("call.opus", "libopus", 48000),
        ("call.flac", "flac", 16000),
        ("call.mka", "aac", 16000),
    ],
)
def test_common_formats_decode_to_16k_keeping_channels(tmp_path, stereo_signal, name, codec, rate):
    path = write_encoded(tmp_path / name, stereo_signal, codec=codec, rate=rate, bit_rate=96000)
    audio = decode(path)
    assert audio.channels == 2 and not audio.dual_mono
    assert audio.duration == pytest.approx(3.0, abs=0.1)
    assert audio.source_rate == rate
    assert audio.samples.dtype == np.float32


def test_audio_track_of_a_video_file_decodes(tmp_path, stereo_signal):
    import av

    path = tmp_path / "screen recording.mp4"
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("aac", rate=48000)
        audio.layout = "stereo"
        for i in range(30):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 8, np.uint8), format="rgb24")
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(stereo_signal), format="fltp", layout="stereo"
        )
        frame.sample_rate = RATE
        for f in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in audio.encode(f):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)
    decoded = decode(path)
    assert decoded.channels == 2 and decoded.duration == pytest.approx(3.0, abs=0.15)


def test_dual_mono_is_treated_as_mono(tmp_path):
    signal = tone(2.0, 300)
    path = write_encoded(tmp_path / "dual.mp3", np.stack([signal, signal]), codec="mp3", bit_rate=64000)
    audio = decode(path)
    assert audio.dual_mono and audio.channels == 1 and audio.source_channels == 2


def test_stereo_with_one_dead_channel_is_mono(tmp_path):
    path = write_wav(tmp_path / "one side.wav", np.stack([tone(2.0, 300), np.zeros(2 * RATE, np.float32)]))
    audio = decode(path)
    assert audio.channels == 1 and audio.dual_mono


def test_narrowband_and_wideband_are_resampled(tmp_path):
    for rate in (8000, 48000):
        path = write_wav(tmp_path / f"r{rate}.wav", tone(2.0, 300, rate)[None, :], rate=rate)
        audio = decode(path)
        assert audio.source_rate == rate
        assert audio.samples.shape[1] == pytest.approx(2 * SAMPLE_RATE, abs=SAMPLE_RATE // 50)


def test_six_channel_audio_folds_to_mono(tmp_path):
    data = np.stack([tone(2.0, 200 + 50 * i) for i in range(6)])
    path = write_encoded(tmp_path / "surround.wav", data, codec="pcm_s16le")
    audio = decode(path)
    assert audio.source_channels == 6 and audio.channels == 1


def bad(path) -> str:
    with pytest.raises(BadAudioError) as info:
        decode(path)
    message = str(info.value)
    assert str(path) in message
    return message.lower()


def test_bad_input_gets_one_clear_reason(tmp_path):
    assert "not found" in bad(tmp_path / "missing.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    assert "empty" in bad(tmp_path / "empty.wav")
    (tmp_path / "notes.wav").write_text("these are my meeting notes, not audio\n" * 20)
    assert "not a readable audio file" in bad(tmp_path / "notes.wav")
    write_wav(tmp_path / "silence.wav", np.zeros((1, 3 * RATE), np.float32))
    assert "silent" in bad(tmp_path / "silence.wav")
    write_wav(tmp_path / "blip.wav", tone(0.2, 440)[None, :])
    assert "too short" in bad(tmp_path / "blip.wav")
    assert "folder" in bad(tmp_path)


def test_truncated_mp3_keeps_what_came_before_the_cut(tmp_path):
    """A recording cut off half-way (a recorder that crashed, a copy that stopped) is still a
    call: the first half decodes, whole; only a file with no audio frame at all is refused."""
    full = write_encoded(tmp_path / "full.mp3", tone(6.0, 300)[None, :], codec="mp3", bit_rate=64000)
    data = full.read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 2])
    audio = decode(cut)
    assert audio.duration == pytest.approx(3.0, abs=0.15)
    level = np.sqrt(np.mean(audio.samples[0, SAMPLE_RATE // 2 : -SAMPLE_RATE // 2] ** 2))
    assert level == pytest.approx(0.3 / np.sqrt(2), rel=0.1)  # the tone, not silence or noise
    head = tmp_path / "head.mp3"
    head.write_bytes(data[:200])
    with pytest.raises(BadAudioError):
        decode(head)


def test_channel_mask_silences_the_other_partys_bleed():
    rng = np.random.default_rng(0)
    agent = np.zeros(4 * RATE, np.float32)
    agent[: 2 * RATE] = 0.3 * rng.standard_normal(2 * RATE).astype(np.float32)
    customer = np.zeros_like(agent)
    customer[2 * RATE :] = 0.3 * rng.standard_normal(2 * RATE).astype(np.float32)
    customer += 0.003 * np.roll(agent, 80)  # faint echo of the agent on the customer's line
    masked = mask_to_channel(np.stack([agent, customer]), RATE)
    echo_part = masked[1, int(0.3 * RATE) : int(1.5 * RATE)]
    assert float(np.max(np.abs(echo_part))) < 1e-4
    assert float(np.std(masked[1, int(2.6 * RATE) :])) > 0.2


def test_waveform_peaks_keep_loud_and_quiet_stretches_at_every_zoom(tmp_path):
    from reviewer.audio.peaks import build_pyramid, compute_peaks, load_peaks, save_peaks

    rate = 16_000
    samples = np.zeros((2, rate * 600), dtype=np.float32)  # 10 minutes, stereo
    samples[0, rate * 60 : rate * 61] = 0.5  # one loud second on the left at 1:00
    samples[1, rate * 300 + 100] = -0.9  # one click on the right at 5:00
    base = compute_peaks(samples, rate)
    assert base.shape == (2, 60_000, 2) and base.dtype == np.int8
    peaks = build_pyramid(base)
    assert peaks.duration == pytest.approx(600.0)
    for seconds_per_column in (0.01, 0.5, 600 / 1200):
        start = 60.0 - 20 * seconds_per_column  # the loud second starts mid-view
        cols = peaks.columns(0, start, seconds_per_column, 40)
        loud = np.flatnonzero(cols[:, 1] > 0.4)
        assert loud.size, seconds_per_column
        assert abs(start + loud[0] * seconds_per_column - 60.0) <= max(seconds_per_column, 0.64)
        assert cols[:, 1].min() == 0.0  # and quiet columns stay quiet
    whole = peaks.columns(1, 0.0, 600 / 1000, 1000)
    assert whole[:, 0].min() == pytest.approx(-0.9, abs=0.01)  # a click is not averaged away
    assert np.argmin(whole[:, 0]) == 500  # the click stays at 5:00 when the whole call is shown
    assert peaks.columns(0, 700.0, 1.0, 5).tolist() == [[0.0, 0.0]] * 5  # past the end: empty

    save_peaks("abc123", base)
    assert load_peaks("abc123").levels[0].shape == peaks.levels[0].shape
    assert load_peaks("missing") is None


@pytest.mark.parametrize(
    "stated",
    [None, 0.5, 2.5, 2.9, 3.6, 100.0],  # 3.57 s of blocks; 2.9 s (+ 1 s margin) leaves a gap to close
    ids=["unknown", "too short", "a bit short", "right", "over", "far over"],
)
def test_decoded_samples_are_whole_whatever_length_the_file_states(stated):
    """Samples are written into one array sized from the stream's stated length; a missing or
    wrong one (a damaged header, a recording still being written) loses and adds nothing."""
    from reviewer.audio.decode import SampleBuffer

    rng = np.random.default_rng(7)
    blocks = [rng.standard_normal((2, n)).astype(np.float32) for n in (1152, 16000, 7, 40_000, 1)]
    buffer = SampleBuffer(2, stated)
    for b in blocks:
        buffer.append(b)
    out = buffer.samples()
    assert out.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_array_equal(out, np.concatenate(blocks, axis=1))


def test_a_long_recording_is_scanned_first_so_a_silent_one_is_refused_without_holding_it(
    tmp_path, monkeypatch
):
    """Recordings over an hour are read once for their length and loudness before they are
    decoded: a silent one is refused as before (an 8-hour silent wav peaked at 2.7 GB; now at the
    size of one decoded frame), and a real one decodes to the same samples."""
    import importlib

    decoding = importlib.import_module("reviewer.audio.decode")

    rng = np.random.default_rng(5)
    sound = (0.1 * rng.standard_normal((2, 3 * RATE))).astype(np.float32)
    silent = write_wav(tmp_path / "silent.wav", np.zeros((1, 3 * RATE), np.float32))
    heard = write_encoded(tmp_path / "heard.m4a", sound, codec="aac")
    plain = decode(heard).samples
    monkeypatch.setattr(decoding, "SCAN_FIRST_SECONDS", 0.0)
    with pytest.raises(BadAudioError, match="is silent"):
        decode(silent)
    scanned = decode(heard).samples
    assert scanned.shape == plain.shape and np.array_equal(scanned, plain)
