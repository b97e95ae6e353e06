"""Transcription with faster-whisper: word timestamps, VAD, progress and cancel."""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass

import numpy as np

from reviewer.asr.store import resolve_model
from reviewer.audio.decode import SAMPLE_RATE
from reviewer.errors import ModelError
from reviewer.progress import NEVER_CANCELLED, CancelToken, Progress, ProgressCallback, no_progress
from reviewer.settings import clean_vocabulary


@dataclass(frozen=True)
class AsrOptions:
    model: str | None = None  # None: the embedded default
    device: str = "auto"  # auto | cpu | cuda
    compute_type: str = "auto"  # auto | int8 | float16 | int8_float16 | float32 ...
    language: str | None = None  # None: detect once per call
    beam_size: int = 5
    threads: int = 0  # 0: all cores
    # Silero VAD, as faster-whisper runs it before Whisper: a frame is speech when its
    # probability reaches the threshold; each speech span is widened by the pad on both sides.
    # At Silero's 0.5, narrowband phone speech at the start of a recording was lost (see
    # bench/README, "Voice-activity threshold").
    vad_threshold: float = 0.35
    speech_pad_ms: int = 400
    # The team's own words (products, plans, places, agents, competitors). None: the settings'
    # [transcription] vocabulary (the pipeline fills it in); (): none. How Whisper is given them:
    # "keep": a plain pass, and a pass with them as hotwords of which only the vocabulary's words
    # are kept (twice the time; the other words stay as the plain pass wrote them); "hotwords": one
    # pass with them before every 30 s window; "prompt": as initial_prompt, the first window only.
    # Hotwords and prompt alone made the other words worse (bench/README, "Team vocabulary").
    vocabulary: tuple[str, ...] | None = None
    vocabulary_as: str = "keep"  # keep | hotwords | prompt
    # Stretches of this many seconds with no speech (a hold) cut the call into parts transcribed
    # apart, so Whisper never joins the words either side of a hold into one window and puts some
    # of them in the hold. Shorter gaps are not cut: cut at every 5 s, the real bank calls lost
    # words (bench/README, "Hold music").
    hold_gap: float = 30.0

    @property
    def vad_parameters(self) -> dict:
        """faster-whisper's ``vad_parameters``: these, and pauses of 500 ms end a speech span."""
        return {
            "min_silence_duration_ms": 500,
            "threshold": self.vad_threshold,
            "speech_pad_ms": self.speech_pad_ms,
        }

    @property
    def vocabulary_prompt(self) -> dict:
        """faster-whisper's ``hotwords`` (or ``initial_prompt``) for the vocabulary; empty without."""
        terms = clean_vocabulary(self.vocabulary or ())
        if not terms:
            return {}
        text = ", ".join(terms) + "."
        return {"initial_prompt": text} if self.vocabulary_as == "prompt" else {"hotwords": text}


@dataclass(frozen=True)
class RawWord:
    start: float
    end: float
    text: str
    probability: float


_models: dict[tuple, object] = {}
_models_lock = threading.Lock()


# CTranslate2 4.x's wheels are built against CUDA 12 and open cuBLAS by this name when a model
# first runs on the GPU (not when it loads), so a GPU without it would fail mid-import.
CUBLAS = "libcublas.so.12"


@functools.cache
def cuda_problem() -> str | None:
    """Why faster-whisper cannot run on a CUDA GPU here, or None when it can (asked once per
    process: every file's import passes here)."""
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() == 0:
            return "no CUDA GPU was found"
    except Exception as e:  # noqa: BLE001 - a broken CUDA set-up is reported, never raised
        return f"CUDA is not usable ({e})"
    return None if _load_cublas() else f"{CUBLAS} (cuBLAS for CUDA 12) could not be loaded"


def _load_cublas() -> bool:
    """Load cuBLAS where CTranslate2 will find it: the system's, else the nvidia-cublas-cu12
    wheel's (installed beside CUDA builds of torch), loaded globally so that CTranslate2's own
    dlopen of the same name finds it already in the process."""
    import ctypes
    import importlib.util

    candidates = [CUBLAS]
    spec = importlib.util.find_spec("nvidia")
    for root in (spec.submodule_search_locations or []) if spec else []:
        candidates.append(os.path.join(root, "cublas", "lib", CUBLAS))
    for candidate in candidates:
        try:
            ctypes.CDLL(candidate, mode=ctypes.RTLD_GLOBAL)
            return True
        except OSError:
            continue
    return False


def pick_device(device: str, compute_type: str) -> tuple[str, str]:
    """``auto`` takes the GPU only where transcription can really run on it; ``cuda`` asked for
    where it cannot is an error that says what is missing."""
    if device == "auto":
        device = "cuda" if cuda_problem() is None else "cpu"
    elif device == "cuda" and (problem := cuda_problem()):
        raise ModelError(
            f"Transcription on the GPU was asked for, but {problem}. "
            "Install CUDA 12's cuBLAS (pip install nvidia-cublas-cu12) or use --device cpu."
        )
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def load_model(options: AsrOptions):
    """A cached faster-whisper model for these options."""
    model_path, name = resolve_model(options.model)
    device, compute_type = pick_device(options.device, options.compute_type)
    threads = options.threads or os.cpu_count() or 1
    key = (model_path, device, compute_type, threads)
    with _models_lock:
        if key not in _models:
            from faster_whisper import WhisperModel

            from reviewer.privacy import allow_hub, quiet_onnxruntime

            quiet_onnxruntime()  # Silero VAD runs on onnxruntime
            _blockwise_vad()
            if not os.path.isdir(model_path):
                allow_hub()  # the user named a hub model

            try:
                _models[key] = _reusing(WhisperModel)(
                    model_path,
                    device=device,
                    compute_type=compute_type,
                    cpu_threads=threads,
                    local_files_only=os.path.isdir(model_path),
                )
            except Exception as e:
                raise ModelError(f"Could not load the speech model {name}: {e}") from e
        return _models[key], name


@functools.cache
def _reusing(whisper_model: type) -> type:
    """faster-whisper's model, encoding a part's first 30-second window once where faster-whisper
    encodes it twice: to detect the language, then again to transcribe it (the encoder is most of
    a short call's transcription)."""

    class ReusingWhisperModel(whisper_model):
        _last: tuple | None = None  # (features, encoder output) of the last window encoded

        def detect_language(self, audio=None, features=None, **kwargs):  # noqa: ANN001, ANN202
            if audio is None and features is not None:
                # transcribe() hands its whole features; its first window then reads all but
                # the last frame (generate_segments' content_frames): detect on that same window.
                features = features[..., : max(1, features.shape[-1] - 1)]
            return super().detect_language(audio, features, **kwargs)

        def encode(self, features):  # noqa: ANN001, ANN202
            last = self._last
            if last is not None and last[0].shape == features.shape and np.array_equal(last[0], features):
                self._last = None
                return last[1]
            output = super().encode(features)
            self._last = (features, output)
            return output

    return ReusingWhisperModel


def detect_language(model, audio: np.ndarray) -> str:
    language, _probability, _all = model.detect_language(audio)
    return language


def transcribe(
    model,
    audio: np.ndarray,
    options: AsrOptions,
    *,
    language: str | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    progress_span: tuple[float, float] = (0.0, 1.0),
) -> tuple[list[RawWord], str | None]:
    """Words with timestamps in seconds for a mono 16 kHz float32 signal."""
    parts = speech_parts(audio, options)
    terms = clean_vocabulary(options.vocabulary or ())
    if not terms or options.vocabulary_as != "keep":
        return _transcribe_parts(
            model, audio, parts, options, options.vocabulary_prompt, language, progress, cancel, progress_span
        )
    lo, hi = progress_span
    mid = (lo + hi) / 2
    plain, language = _transcribe_parts(
        model, audio, parts, options, {}, language, progress, cancel, (lo, mid)
    )
    hinted, _ = _transcribe_parts(
        model, audio, parts, options, options.vocabulary_prompt, language, progress, cancel, (mid, hi)
    )
    return keep_vocabulary(plain, hinted, terms), language


def _transcribe_parts(
    model,  # noqa: ANN001 - a faster_whisper.WhisperModel
    audio: np.ndarray,
    parts: list[tuple[int, int]],
    options: AsrOptions,
    prompt: dict,
    language: str | None,
    progress: ProgressCallback,
    cancel: CancelToken,
    progress_span: tuple[float, float],
) -> tuple[list[RawWord], str | None]:
    duration = len(audio) / SAMPLE_RATE
    lo, hi = progress_span
    words: list[RawWord] = []
    for a, b in parts:
        offset = a / SAMPLE_RATE
        segments, info = model.transcribe(
            audio[a:b],
            language=language or options.language,
            beam_size=options.beam_size,
            word_timestamps=True,
            vad_filter=True,
            vad_parameters=options.vad_parameters,
            condition_on_previous_text=False,
            **prompt,
        )
        for segment in segments:
            cancel.check()
            for w in segment.words or []:
                text = w.word.strip()
                if any(c.isalnum() for c in text):  # not "♪" or a lone dash
                    words.append(
                        RawWord(float(w.start) + offset, float(w.end) + offset, text, float(w.probability))
                    )
            if duration:
                done = min(1.0, (offset + segment.end) / duration)
                progress(Progress("transcribe", lo + (hi - lo) * done))
        language = language or getattr(info, "language", None)
    return words, language


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def keep_vocabulary(plain: list[RawWord], hinted: list[RawWord], terms: tuple[str, ...]) -> list[RawWord]:
    """``plain`` with each vocabulary term that ``hinted`` (the pass given the vocabulary) wrote
    put in place of the plain words it covers in time; every other plain word kept as it is."""
    keys = sorted(((tuple(_key(w) for w in t.split()), t) for t in terms), key=lambda k: -len(k[0]))
    found: list[RawWord] = []
    i = 0
    while i < len(hinted):
        for key, _term in keys:
            n = len(key)
            if tuple(_key(w.text) for w in hinted[i : i + n]) == key:
                found += hinted[i : i + n]
                i += n
                break
        else:
            i += 1
    if not found:
        return plain

    def covered(w: RawWord) -> bool:
        length = max(w.end - w.start, 0.05)
        return any(min(w.end, f.end) - max(w.start, f.start) >= 0.5 * length for f in found)

    return sorted([w for w in plain if not covered(w)] + found, key=lambda w: (w.start, w.end))


class BlockwiseVad:
    """faster-whisper's Silero VAD model, run block by block over the call: the same probabilities
    (the same blocks of 10 000 windows, the same state carried between them), without its copy of
    the whole call with each window's context (1.125 times the call: 260 MB an hour)."""

    BLOCK = 10_000  # windows per run, as faster-whisper's encoder_batch_size

    def __init__(self, model) -> None:  # noqa: ANN001 - faster_whisper.vad.SileroVADModel
        self.model = model

    def __call__(self, audio: np.ndarray, num_samples: int = 512, context_size_samples: int = 64):
        assert audio.ndim == 1 and audio.shape[0] % num_samples == 0
        windows = audio.reshape(-1, num_samples)
        h = np.zeros((1, 1, 128), dtype="float32")
        c = np.zeros((1, 1, 128), dtype="float32")
        before = np.zeros(context_size_samples, dtype="float32")
        outputs = []
        for i in range(0, len(windows), self.BLOCK):
            block = windows[i : i + self.BLOCK]
            context = np.empty((len(block), context_size_samples), dtype="float32")
            context[0] = before
            context[1:] = block[:-1, -context_size_samples:]
            batch = np.concatenate([context, block], axis=1)
            if i + self.BLOCK >= len(windows):
                batch[-1, -context_size_samples:] = 0  # faster-whisper zeroes the last window's tail
            before = block[-1, -context_size_samples:].copy()
            output, h, c = self.model.session.run(None, {"input": batch, "h": h, "c": c})
            outputs.append(output)
        return np.concatenate(outputs, axis=0)


def _blockwise_vad() -> None:
    """Have faster-whisper's VAD (its filter inside transcribe, and speech_spans) run blockwise."""
    import faster_whisper.vad as vad

    if not getattr(vad.get_vad_model, "blockwise", False):
        original = vad.get_vad_model

        @functools.cache
        def get_vad_model():  # noqa: ANN202
            return BlockwiseVad(original())

        get_vad_model.blockwise = True
        vad.get_vad_model = get_vad_model


def speech_spans(audio: np.ndarray, options: AsrOptions) -> list[tuple[int, int]]:
    """(start, end) samples of what Silero VAD calls speech, as faster-whisper's filter finds it."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    _blockwise_vad()

    return [
        (s["start"], s["end"]) for s in get_speech_timestamps(audio, VadOptions(**options.vad_parameters))
    ]


# A part starts this long before its first speech, so that the voice-activity filter, which runs
# again on each part, hears the speech's onset with some lead-in (it starts cold).
PART_LEAD = 3.0
PART_TAIL = 0.2


def speech_parts(audio: np.ndarray, options: AsrOptions) -> list[tuple[int, int]]:
    """(start, end) sample ranges to transcribe apart: the call, cut wherever nobody speaks for
    ``options.hold_gap`` seconds (a hold), each part over 1.5 pieces cut again in its pauses
    (:func:`piece_bounds`). A call with no such hold is one part, from its first sample to its
    last, as before holds were cut; one with no speech at all has none."""
    groups: list[list[int]] = []
    for start, end in speech_spans(audio, options):
        if groups and start - groups[-1][1] < options.hold_gap * SAMPLE_RATE:
            groups[-1][1] = end
        else:
            groups.append([start, end])
    parts: list[tuple[int, int]] = []
    for k, (start, end) in enumerate(groups):
        a = 0 if k == 0 else max(parts[-1][1], start - int(PART_LEAD * SAMPLE_RATE))
        b = len(audio) if k == len(groups) - 1 else min(len(audio), end + int(PART_TAIL * SAMPLE_RATE))
        parts += [(a + x, a + y) for x, y in piece_bounds(audio[a:b])]
    return parts


# faster-whisper computes its features for the whole input at once (about 50 MB a minute of
# audio), so an hour-long call is transcribed in pieces of about five minutes, cut at the
# quietest moment near each boundary. The decoder never carries text across (see
# condition_on_previous_text), so a cut in a pause changes nothing.
PIECE_SECONDS = 300.0
SEARCH_SECONDS = 30.0


def quietest_moment(audio: np.ndarray, lo: int, hi: int) -> int:
    """The sample in the middle of the quietest tenth of a second of ``audio[lo:hi]`` (mono)."""
    frame = SAMPLE_RATE // 10
    window = audio[lo:hi]
    usable = len(window) // frame * frame
    energy = np.square(window[:usable].reshape(-1, frame), dtype=np.float32).mean(axis=1)
    return lo + int(np.argmin(energy)) * frame + frame // 2


def piece_bounds(audio: np.ndarray, piece: float | None = None) -> list[tuple[int, int]]:
    """(start, end) sample ranges covering ``audio``; one piece unless it is over 1.5 pieces long."""
    n = len(audio)
    piece = piece or PIECE_SECONDS
    size = int(piece * SAMPLE_RATE)
    search = int(min(SEARCH_SECONDS, piece / 4) * SAMPLE_RATE)
    bounds = [0]
    while n - bounds[-1] > size * 3 // 2:
        target = bounds[-1] + size
        bounds.append(quietest_moment(audio, target - search, target + search))
    bounds.append(n)
    return list(zip(bounds[:-1], bounds[1:], strict=True))
