"""Who spoke when in a mono call: pyannote.audio with the bundled offline weights.

The pipeline is pyannote's own ``SpeakerDiarization`` with the segmentation-3.0 checkpoint and a
CAM++ speaker embedding, clustered agglomeratively (VBx needs a PLDA trained for its embedding,
which no offline package ships). A user may name their own pyannote pipeline folder or hub name.
Telemetry is switched off before pyannote is first imported: call recordings are private.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reviewer.errors import ModelError
from reviewer.model import Segment
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.resources import resource

WEIGHTS = {
    "segmentation-3.0.bin": "da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298",
    "campplus_cn_en_common.pt": "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199",
}
# Tuned on the synthetic and pyannote sample calls (see bench/); calls have two speakers.
DEFAULT_PARAMS = {
    "segmentation": {"min_duration_off": 0.0},
    "clustering": {"method": "centroid", "min_cluster_size": 12, "threshold": 0.7},
}


@dataclass(frozen=True)
class DiarizationOptions:
    pipeline: str | None = None  # None: bundled; else a pyannote pipeline folder or hub name
    num_speakers: int | None = 2  # calls have two parties; None lets the pipeline decide
    # Fraction of the 10 s window between chunks; None: 0.75 when the number of speakers is
    # given, 0.5 when the pipeline has to count them. 0.75 against 0.5 against 0.3: each about a
    # third less diarization time, the same bench/eval.py results but for its one already-failing
    # call, 6.5 % DER on pyannote's real sample (7.2 % at 0.3), and 99 % of a 10-minute call's
    # speech labelled alike (bench/README.md); 1.0 (no overlap) is worse, 9.7 %. Counting needs
    # the finer step: at 0.75 the 30 s sample's two voices were counted as four.
    segmentation_step: float | None = None
    token: str | None = None  # for hub pipelines that need one
    device: str = "auto"  # auto (a CUDA GPU when torch sees one) | cpu | cuda

    @property
    def step(self) -> float:
        if self.segmentation_step:
            return self.segmentation_step
        return 0.75 if self.num_speakers else 0.5


_pipelines: dict[tuple, object] = {}
_lock = threading.Lock()


def _verified(name: str) -> Path:
    path = resource("models", "diarization", name)
    if not path.is_file():
        raise ModelError(f"The bundled diarization weights {name} are missing; reinstall Reviewer.")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WEIGHTS[name]:
        raise ModelError(f"The bundled diarization weights {path} are damaged (checksum).")
    return path


def load_pipeline(options: DiarizationOptions):
    device = torch_device(options.device)
    key = (options.pipeline, options.step, options.token, device)
    with _lock:
        if key not in _pipelines:
            import torch

            _pipelines[key] = _build(options).to(torch.device(device))
        return _pipelines[key]


def torch_device(device: str) -> str:
    """Where the diarization models run: ``auto`` takes a CUDA GPU when torch can use one."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError(
            "Speaker separation on the GPU was asked for, but this torch build sees no CUDA GPU; "
            "install a CUDA build of torch or use --device cpu."
        )
    return device


def _build(options: DiarizationOptions):
    from reviewer.privacy import allow_hub
    from reviewer.speakers.pyannote_env import prepare_pyannote

    prepare_pyannote()
    from pyannote.audio import Model, Pipeline
    from pyannote.audio.core.plda import PLDA
    from pyannote.audio.pipelines import SpeakerDiarization

    if options.pipeline:
        try:
            if not Path(options.pipeline).exists():
                allow_hub()  # the user asked for a hub pipeline
            pipeline = Pipeline.from_pretrained(options.pipeline, token=options.token)
        except Exception as e:
            raise ModelError(f"Could not load the diarization pipeline {options.pipeline}: {e}") from e
        if pipeline is None:
            raise ModelError(f"Could not load the diarization pipeline {options.pipeline}.")
        return pipeline

    from reviewer.speakers.campplus import CamPlusEmbedding

    try:
        segmentation = Model.from_pretrained(_verified("segmentation-3.0.bin"))
        embedding = CamPlusEmbedding.from_checkpoint(_verified("campplus_cn_en_common.pt"))
    except ModelError:
        raise
    except Exception as e:
        raise ModelError(f"Could not load the bundled diarization weights: {e}") from e
    # PLDA is only read by VBx clustering; agglomerative clustering never touches it, but the
    # pipeline's constructor insists on one, so it gets an empty instance instead of a hub lookup.
    unused_plda = PLDA.__new__(PLDA)
    pipeline = SpeakerDiarization(
        segmentation=segmentation,
        segmentation_step=options.step,
        embedding=embedding,
        plda=unused_plda,
        clustering="AgglomerativeClustering",
        embedding_batch_size=16,
        segmentation_batch_size=16,
    )
    pipeline.instantiate(DEFAULT_PARAMS)
    return pipeline


def diarize(
    audio: np.ndarray,
    sample_rate: int,
    options: DiarizationOptions = DiarizationOptions(),
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[Segment]:
    """Speech segments labelled S1, S2 ... in order of first appearance."""
    import torch

    pipeline = load_pipeline(options)
    steps = {"segmentation": 0.0, "speaker_counting": 0.45, "embeddings": 0.5, "discrete_diarization": 0.95}

    def hook(step_name, _artifact, file=None, total=None, completed=None):
        cancel.check()
        base = steps.get(step_name, 0.95)
        span = {"segmentation": 0.45, "embeddings": 0.45}.get(step_name, 0.05)
        fraction = base + span * (completed / total if total and completed is not None else 1.0)
        progress(Progress("speakers", min(1.0, fraction), step_name.replace("_", " ")))

    waveform = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32)).unsqueeze(0)
    # The bundled pipeline is asked for at least N speakers and any extra ones are folded in
    # afterwards (keep_main_speakers); pyannote's own exact count cuts its cluster tree at N and
    # can keep a one-embedding outlier (a beep, a moment of overlap) as a speaker while merging
    # the two real ones: 45 % DER on pyannote's real sample. A user's pipeline gets pyannote's.
    wanted = options.num_speakers
    if not wanted:
        kwargs = {}
    elif options.pipeline:
        kwargs = {"num_speakers": wanted}
    else:
        kwargs = {"min_speakers": wanted}
    with torch.inference_mode():
        output = pipeline({"waveform": waveform, "sample_rate": sample_rate}, hook=hook, **kwargs)
    annotation = getattr(output, "speaker_diarization", output)
    if wanted and len(annotation.labels()) > wanted:
        annotation = keep_main_speakers(annotation, getattr(output, "speaker_embeddings", None), wanted)
    labels: dict[str, str] = {}
    segments = []
    for turn, _track, label in annotation.itertracks(yield_label=True):
        speaker = labels.setdefault(label, f"S{len(labels) + 1}")
        segments.append(Segment(float(turn.start), float(turn.end), speaker))
    progress(Progress("speakers", 1.0))
    return sorted(segments, key=lambda s: (s.start, s.end))


def keep_main_speakers(annotation, centroids: np.ndarray | None, count: int):
    """The ``count`` speakers with the most speech; each other one joins the kept speaker whose
    voice (centroid, in ``annotation.labels()`` order) is closest, or the busiest without one."""
    from scipy.spatial.distance import cdist

    labels = annotation.labels()
    kept = sorted(labels, key=annotation.label_duration, reverse=True)[:count]
    mapping = {}
    for i, label in enumerate(labels):
        if label in kept:
            continue
        target = kept[0]
        if centroids is not None and i < len(centroids):
            rows = [labels.index(k) for k in kept]
            with np.errstate(invalid="ignore", divide="ignore"):  # a zero centroid has no direction
                distance = cdist(centroids[i : i + 1], centroids[rows], metric="cosine")[0]
            distance = np.nan_to_num(distance, nan=np.inf)
            if np.isfinite(distance).any():
                target = kept[int(np.argmin(distance))]
        mapping[label] = target
    return annotation.rename_labels(mapping=mapping).support()
