"""Shared fixtures: synthetic calls with known truth, run once each through the real pipeline.

Every model here is real: the embedded Whisper base, pyannote's segmentation-3.0 and CAM++.
Nothing is downloaded: the models come from installed packages and the repo's resources."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the app's tests need no display

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from callgen import render, write_encoded, write_wav  # noqa: E402
from scripts import CLEAN_CALL, PUSHBACK_CALL  # noqa: E402
from truth import rttm_turns  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def isolated_user_folders(tmp_path_factory):
    """No test touches the real user's library or config; models are assembled once per run."""
    root = tmp_path_factory.mktemp("user")
    os.environ["REVIEWER_DATA_DIR"] = str(root / "data")
    os.environ["REVIEWER_CONFIG_DIR"] = str(root / "config")
    os.environ["REVIEWER_MODELS_DIR"] = str(root / "models")
    os.environ["PYANNOTE_METRICS_ENABLED"] = "false"
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield root


def pytest_configure(config):
    if shutil.which("espeak-ng") is None:
        raise pytest.UsageError("espeak-ng is needed to speak the test calls: `make test` installs it.")
    if shutil.which("strace") is None:
        raise pytest.UsageError("strace is needed to watch for network use: `make test` installs it.")


@pytest.fixture(scope="session")
def settings():
    from reviewer.settings import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def calls_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("calls")


@pytest.fixture(scope="session")
def pushback(calls_dir):
    call = render(PUSHBACK_CALL, stereo=True)
    return call, write_wav(calls_dir / "pushback stereo.wav", call.audio)


@pytest.fixture(scope="session")
def pushback_mono(calls_dir):
    call = render(PUSHBACK_CALL, stereo=False)
    return call, write_encoded(calls_dir / "pushback-mono.mp3", call.audio, codec="mp3", bit_rate=64000)


@pytest.fixture(scope="session")
def clean(calls_dir):
    call = render(CLEAN_CALL, stereo=True)
    return call, write_encoded(calls_dir / "clean.ogg", call.audio, codec="libopus", rate=48000)


@pytest.fixture(scope="session")
def short_call(calls_dir):
    from callgen import Line

    call = render(
        [
            Line("agent", "Northwind Cable, this is Sam, how can I help?"),
            Line("customer", "Hi, what time do you close today?"),
            Line("agent", "We close at six."),
        ],
        stereo=True,
    )
    return call, write_wav(calls_dir / "short.wav", call.audio)


@pytest.fixture(scope="session")
def processed(pushback, pushback_mono, clean):
    """Each test call through the whole real pipeline, once per test session."""
    from reviewer.pipeline import process_file

    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            path = {"pushback": pushback, "pushback_mono": pushback_mono, "clean": clean}[name][1]
            cache[name] = process_file(path)
        return cache[name]

    return get


@pytest.fixture()
def store_heard_as_one(processed, pushback, settings):
    """Stores the push-back call in a library as diarization would leave it had it heard the two
    voices as one (as with two similar voices): every word on S1. Returns the call's id."""
    from dataclasses import replace

    from reviewer.model import Speaker
    from reviewer.pipeline import analyse_transcript

    def store(library) -> int:
        truth = processed("pushback").transcript
        heard = replace(
            truth,
            speakers=[Speaker("S1")],
            words=[replace(w, speaker="S1") for w in truth.words],
            speaker_split="diarization",
            channels=1,
        )
        transcript, analysis = analyse_transcript(heard, settings)
        call_id, _ = library.add_call(
            pushback[1],
            "one-voice",
            transcript,
            analysis,
            source_channels=1,
            source_rate=16000,
            dual_mono=False,
        )
        return call_id

    return store


@pytest.fixture(scope="session")
def pyannote_sample():
    """pyannote.audio's own 30 s, 2-speaker sample with its reference turns (real speech)."""
    import importlib.util

    spec = importlib.util.find_spec("pyannote.audio")
    folder = Path(spec.submodule_search_locations[0]) / "sample"
    wav, rttm = folder / "sample.wav", folder / "sample.rttm"
    assert wav.is_file() and rttm.is_file()
    return wav, rttm_turns(rttm)


@pytest.fixture()
def library(tmp_path):
    from reviewer.library import open_library

    lib = open_library(tmp_path / "library.sqlite")
    yield lib
    lib.close()
