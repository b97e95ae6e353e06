"""The embedded models: assembled from installed packages, verified, never half-loaded."""

from __future__ import annotations

import json
import os

import pytest

from reviewer.asr.store import MANIFEST, embedded_model_dir, resolve_model
from reviewer.errors import ModelError


def test_embedded_whisper_is_assembled_once_and_verified():
    folder = embedded_model_dir("base")
    manifest = json.loads((folder / MANIFEST).read_text())
    names = {f["name"] for f in manifest["files"]}
    assert {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"} <= names
    assert (folder / "model.bin").stat().st_size > 140_000_000
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert embedded_model_dir("base", verify=True) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime  # not rebuilt


def test_a_damaged_model_is_rebuilt_before_use():
    folder = embedded_model_dir("base")
    with (folder / "model.bin").open("r+b") as f:
        f.truncate(1000)  # as if a copy was interrupted
    assert embedded_model_dir("base") == folder
    assert (folder / "model.bin").stat().st_size > 140_000_000
    assert not [p for p in folder.parent.iterdir() if ".partial-" in p.name]


def test_model_option_accepts_a_folder_and_rejects_nonsense(tmp_path):
    path, name = resolve_model(str(embedded_model_dir("base")))
    assert os.path.isdir(path) and name == "whisper-base"
    (tmp_path / "not a model").mkdir()
    with pytest.raises(ModelError, match="not a faster-whisper model folder"):
        resolve_model(str(tmp_path / "not a model"))
    with pytest.raises(ModelError, match="not found"):
        resolve_model("./no/such/folder")


def test_camplusplus_weights_load_strictly_and_separate_voices(pushback):
    import torch

    from reviewer.resources import resource
    from reviewer.speakers.campplus import CamPlusEmbedding

    call, _ = pushback
    model = CamPlusEmbedding.from_checkpoint(resource("models", "diarization", "campplus_cn_en_common.pt"))

    def embed(utterance, channel):
        a, b = int(utterance.start * 16000), int(utterance.end * 16000)
        x = torch.from_numpy(call.audio[channel, a:b].copy())[None, None]
        with torch.inference_mode():
            return torch.nn.functional.normalize(model(x), dim=-1)[0]

    agent = [embed(u, 0) for u in call.utterances if u.speaker == "agent"][:2]
    customer = [embed(u, 1) for u in call.utterances if u.speaker == "customer"][:2]
    same = float(agent[0] @ agent[1])
    different = float(agent[0] @ customer[0])
    assert same > different + 0.2


def test_voice_windows_that_run_past_the_end_of_the_call_are_cut_there(pushback):
    """The second pass's windows can end a frame past the audio (speech to the very end of a
    call): they are embedded as far as the audio goes, and a sliver too short to embed is
    skipped, rather than the whole split failing."""
    import numpy as np

    from reviewer.speakers.diarize import DiarizationOptions, load_pipeline, window_embeddings

    call, _ = pushback
    end = next(u for u in call.utterances if u.speaker == "agent").end
    audio = call.audio[0, : int(end * 16000)].copy()
    spans = [(end - 2.0, end + 0.5), (end - 1.5, end + 1.0), (end - 0.05, end + 1.4)]
    vectors = window_embeddings(load_pipeline(DiarizationOptions()), audio, 16000, spans)
    assert vectors.shape[0] == 3
    assert np.isfinite(vectors[:2]).all() and np.isnan(vectors[2]).all()


def test_diarization_weights_are_checked_before_loading(tmp_path, monkeypatch):
    import reviewer.speakers.diarize as diarize

    fake = tmp_path / "models" / "diarization"
    fake.mkdir(parents=True)
    (fake / "segmentation-3.0.bin").write_bytes(b"tampered")
    monkeypatch.setattr(diarize, "resource", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(ModelError, match="damaged"):
        diarize._verified("segmentation-3.0.bin")


def test_an_incomplete_model_package_set_is_refused(monkeypatch):
    import reviewer.asr.store as store

    # Keep only the first package of the base model: no config, no tokenizer, half of model.bin.
    monkeypatch.setitem(store.EMBEDDED, "broken", store.EMBEDDED["base"][:1])
    assert "broken" not in store.embedded_names()
    with pytest.raises(ModelError, match="incomplete"):
        embedded_model_dir("broken")


def test_pyannote_telemetry_is_off_even_if_the_user_environment_enables_it():
    import subprocess
    import sys

    code = (
        "from reviewer.speakers.diarize import load_pipeline, DiarizationOptions\n"
        "load_pipeline(DiarizationOptions())\n"
        "from pyannote.audio.telemetry.metrics import is_metrics_enabled\n"
        "print('telemetry', is_metrics_enabled())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYANNOTE", "HF_"))}
    env["PYANNOTE_METRICS_ENABLED"] = "true"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert "telemetry False" in out.stdout
