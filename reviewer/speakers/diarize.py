"""Who spoke when in a mono call: pyannote.audio with the bundled offline weights.

The pipeline is pyannote's own ``SpeakerDiarization`` with the segmentation-3.0 checkpoint and a
CAM++ speaker embedding, clustered agglomeratively (VBx needs a PLDA trained for its embedding,
which no offline package ships). On a two-party call, extra voices are given out chunk by chunk
(reassign_chunks) and a second pass relabels each stretch by the nearer of the two voices
(speakers.regroup). A user may name their own pyannote pipeline folder or hub name.
Telemetry is switched off before pyannote is first imported: call recordings are private.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reviewer.errors import ModelError
from reviewer.model import Segment
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.resources import resource
from reviewer.speakers.profiles import VoiceProfile
from reviewer.speakers.regroup import Regrouped, regroup_call

WEIGHTS = {
    "segmentation-3.0.bin": "da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298",
    "campplus_cn_en_common.pt": "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199",
}
MIN_VOICE_SHARE = 0.03  # of the first pass's speech, for a voice to be kept as a party
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
    # More voices found than parties: keep the most distinct ones and give each chunk to the
    # nearer (reassign_chunks) instead of folding whole extra clusters into the busiest voice
    # (keep_main_speakers, which on real bank calls gave a customer cluster to a half-agent one).
    # Then, on two-party calls, a second pass relabels every stretch by the nearer of the two
    # voices (speakers.regroup). Each alone did not help every real call; together they took the
    # two real bank calls where one voice absorbed the other from 12.6 and 23.3 points of talk
    # share to 1.8 and 8.0, and no call past 5 points (bench/README.md, real_calls.py).
    regroup: bool = True
    reassign_chunks: bool = True

    @property
    def step(self) -> float:
        if self.segmentation_step:
            return self.segmentation_step
        return 0.75 if self.num_speakers else 0.5


log = logging.getLogger(__name__)
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
    return diarize_call(audio, sample_rate, options, progress=progress, cancel=cancel).segments


def diarize_call(
    audio: np.ndarray,
    sample_rate: int,
    options: DiarizationOptions = DiarizationOptions(),
    *,
    profiles: tuple[VoiceProfile, ...] = (),
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Regrouped:
    """``diarize``, with what the second pass found of the two voices (how alike they are, how
    much it moved) and, given agents' voice ``profiles``, the voice that is one of them (which
    anchors that voice in the second pass)."""
    import torch

    pipeline = load_pipeline(options)
    steps = {"segmentation": 0.0, "speaker_counting": 0.45, "embeddings": 0.5, "discrete_diarization": 0.95}

    steps_seen: dict[str, object] = {}  # what each step gave, for reassign_chunks and one_voice
    # The bundled segmentation is powerset: its segmentations are already binary, as one_voice reads them.
    shortcut = not options.pipeline and pipeline._segmentation.model.specifications.powerset

    def hook(step_name, artifact, file=None, total=None, completed=None):
        cancel.check()
        if completed is None and step_name in steps:
            # pyannote caps the count in place after the hook; keep it as first counted.
            steps_seen[step_name] = copy.deepcopy(artifact) if step_name == "speaker_counting" else artifact
            if step_name == "speaker_counting" and shortcut and one_voice(steps_seen):
                raise _OneVoice()
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
        try:
            output = pipeline({"waveform": waveform, "sample_rate": sample_rate}, hook=hook, **kwargs)
        except _OneVoice:
            output = one_voice_output(pipeline, steps_seen)
    found = getattr(output, "speaker_diarization", output).labels()
    if options.reassign_chunks and not options.pipeline and wanted and len(found) > wanted:
        segments = reassign_chunks(pipeline, output, steps_seen, wanted)
    else:
        segments = segments_of(output, wanted)
    result = Regrouped(segments)
    if wanted == 2 and not options.pipeline and (options.regroup or profiles):
        progress(Progress("speakers", 0.97, "second pass"))
        embed = lambda spans: window_embeddings(pipeline, audio, sample_rate, spans)  # noqa: E731
        result = regroup_call(segments, embed, profiles)
        log.info(
            "two-voice split: closeness %s, quieter voice %s, moved %s, separation %s, profile %s",
            result.closeness,
            result.second_share,
            result.moved,
            result.separation,
            result.match,
        )
        if not options.regroup and result.match is None:
            result = Regrouped(segments, result.voices, result.closeness, result.second_share)
    progress(Progress("speakers", 1.0))
    return result


class _OneVoice(Exception):  # noqa: N818 - not an error: the pipeline's answer is already known
    """Raised from pyannote's hook once segmentation shows one voice cannot be split."""


# pyannote clusters only the embeddings of local speakers heard alone for this share of a chunk
# (BaseClustering.filter_embeddings' min_active_ratio).
CLUSTERED_ACTIVE_RATIO = 0.2


def one_voice(steps_seen: dict) -> bool:
    """Whether pyannote's bundled pipeline can only find one voice: someone speaks, but fewer than
    two of the chunks' local speakers talk alone long enough to be clustered. pyannote then puts
    every local speaker in one cluster whatever their embeddings (``max_clusters < 2``), so the
    embeddings, most of a short call's diarization, need not be computed."""
    segmentations, count = steps_seen["segmentation"], steps_seen["speaker_counting"]
    data = segmentations.data
    if not np.nanmax(count.data) > 0:
        return False  # no one speaks: pyannote's own early exit
    alone = np.sum(data, axis=2, keepdims=True) == 1
    clean = np.sum(data * alone, axis=1)
    return int(np.sum(clean >= CLUSTERED_ACTIVE_RATIO * data.shape[1])) < 2


def one_voice_output(pipeline, steps_seen: dict):
    """What pyannote's ``apply`` returns after clustering where there is one cluster: every active
    local speaker is speaker 0 (the embeddings' centroid is not computed: nothing reads it for a
    single voice)."""
    from pyannote.audio.pipelines.speaker_diarization import DiarizeOutput

    segmentations, count = steps_seen["segmentation"], copy.deepcopy(steps_seen["speaker_counting"])
    chunks, _frames, local = segmentations.data.shape
    hard = np.zeros((chunks, local), dtype=np.int8)
    hard[np.sum(segmentations.data, axis=1) == 0] = -2
    count.data = count.data.astype(np.int8)
    diarization = pipeline.to_annotation(
        pipeline.reconstruct(segmentations, hard, count),
        min_duration_on=0.0,
        min_duration_off=pipeline.segmentation.min_duration_off,
    )
    count.data = np.minimum(count.data, 1).astype(np.int8)
    exclusive = pipeline.to_annotation(
        pipeline.reconstruct(segmentations, hard, count),
        min_duration_on=0.0,
        min_duration_off=pipeline.segmentation.min_duration_off,
    )
    mapping = dict(zip(diarization.labels(), pipeline.classes(), strict=False))
    return DiarizeOutput(
        speaker_diarization=diarization.rename_labels(mapping=mapping),
        exclusive_speaker_diarization=exclusive.rename_labels(mapping=mapping),
        speaker_embeddings=None,
    )


def reassign_chunks(pipeline, output, steps_seen: dict, wanted: int) -> list[Segment]:
    """More voices found than the call has parties: the ``wanted`` voices farthest apart (each with
    at least MIN_VOICE_SHARE of the speech) are kept, and each chunk's speaker embedding, not each
    whole extra cluster, goes to the nearer of them; the chunks are then put together again.

    On real 8 kHz bank calls an extra cluster is often half agent, half customer: folding it whole
    into the busiest voice gave one voice the other's talk (bench/README.md, real_calls.py)."""
    from scipy.optimize import linear_sum_assignment
    from scipy.spatial.distance import cdist

    annotation = output.speaker_diarization
    labels = annotation.labels()
    centroids = output.speaker_embeddings
    if centroids is None or not {"segmentation", "speaker_counting", "embeddings"} <= steps_seen.keys():
        return segments_of(output, wanted)
    total = sum(annotation.label_duration(label) for label in labels)
    voiced = [
        i for i, label in enumerate(labels) if annotation.label_duration(label) >= MIN_VOICE_SHARE * total
    ]
    if len(voiced) < wanted:
        return segments_of(output, wanted)
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.nan_to_num(cdist(centroids, centroids, metric="cosine"), nan=-1.0)
    kept = max(
        itertools.combinations(voiced, wanted),
        key=lambda c: sum(distance[i, j] for i, j in itertools.combinations(c, 2)),
    )
    voices = centroids[list(kept)]
    voices = voices / np.linalg.norm(voices, axis=1, keepdims=True)
    segmentations = steps_seen["segmentation"]
    embeddings = steps_seen["embeddings"]
    chunks, local, _ = embeddings.shape
    hard = np.full((chunks, local), -2, dtype=np.int8)
    for c in range(chunks):
        with np.errstate(invalid="ignore", divide="ignore"):
            unit = embeddings[c] / np.linalg.norm(embeddings[c], axis=1, keepdims=True)
        similarity = np.nan_to_num(unit @ voices.T, nan=-10.0)
        # Two local speakers of one chunk are two voices (pyannote's own constraint).
        rows, columns = linear_sum_assignment(-similarity)
        hard[c, rows] = columns
        for k in range(local):
            if hard[c, k] == -2:
                hard[c, k] = int(np.argmax(similarity[k]))
    hard[np.sum(segmentations.data, axis=1) == 0] = -2  # silent local speakers
    count = steps_seen["speaker_counting"]
    count.data = np.minimum(count.data, wanted).astype(np.int8)
    discrete = pipeline.reconstruct(segmentations, hard, count)
    rebuilt = pipeline.to_annotation(
        discrete, min_duration_on=0.0, min_duration_off=pipeline.segmentation.min_duration_off
    )
    return segments_of(rebuilt, wanted)


def segments_of(output, wanted: int | None) -> list[Segment]:
    """A pipeline's output as segments labelled S1, S2 ... in order of first appearance, folded
    into ``wanted`` speakers."""
    annotation = getattr(output, "speaker_diarization", output)
    if wanted and len(annotation.labels()) > wanted:
        annotation = keep_main_speakers(annotation, getattr(output, "speaker_embeddings", None), wanted)
    labels: dict[str, str] = {}
    segments = []
    for turn, _track, label in annotation.itertracks(yield_label=True):
        speaker = labels.setdefault(label, f"S{len(labels) + 1}")
        segments.append(Segment(float(turn.start), float(turn.end), speaker))
    return sorted(segments, key=lambda s: (s.start, s.end))


def window_embeddings(pipeline, audio: np.ndarray, sample_rate: int, spans) -> np.ndarray:
    """The bundled pipeline's speaker embedding (CAM++) of each (start, end) stretch of ``audio``,
    in batches of stretches of equal length."""
    import torch

    model = pipeline._embedding.model_
    device = next(model.parameters()).device
    # A stretch may end a little past the audio (the segmentation's last frame): cut it there.
    # Too short to embed (under 0.1 s once cut): left NaN, which the callers pass over.
    last = len(audio)
    pieces = [(min(int(a * sample_rate), last), min(int(b * sample_rate), last)) for a, b in spans]
    out = np.full((len(pieces), model.dimension), np.nan, dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(pieces):
        if b - a >= sample_rate // 10:
            by_length.setdefault(b - a, []).append(i)
    with torch.inference_mode():
        for rows in by_length.values():
            for k in range(0, len(rows), 32):
                batch = rows[k : k + 32]
                x = np.stack([audio[pieces[i][0] : pieces[i][1]] for i in batch]).astype(np.float32)
                x = torch.from_numpy(x).unsqueeze(1).to(device)
                out[batch] = model(x).cpu().numpy()
    return out


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
