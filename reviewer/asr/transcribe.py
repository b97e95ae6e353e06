"""Transcription with faster-whisper: word timestamps, VAD, progress and cancel."""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, replace

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


# -- both channels of a stereo call in one batch --------------------------------------------------

# Chunks of at most this much speech (Whisper's window) are decoded this many at a time: one
# encoder call and one beam search over the batch, as faster-whisper's BatchedInferencePipeline.
# On a CPU the encoder costs the same per window batched or not, and each window in a batch holds
# its own attention (about 70 MB on base): 4 (a 4-minute stereo call peaked at 1 070 MB with 8,
# 500 MB one window at a time). A GPU takes 8, as faster-whisper's default.
CHUNK_SECONDS = 30.0
BATCH_SIZE = {"cpu": 4, "cuda": 8}
# Whisper writes its timestamp tokens, as transcribe() does: word times from the same kind of decode.
TIMESTAMP_TOKENS = True


@dataclass(frozen=True)
class SpeechChunk:
    """Speech spans of one channel, decoded as one window: their audio end to end, the silence
    between them left out. ``offset``: where it starts in the run of every chunk end to end
    (faster-whisper's word timing carries one clock across chunks; it is mapped back)."""

    channel: int
    spans: tuple[tuple[int, int], ...]  # (start, end) samples in the channel
    audio: np.ndarray
    offset: float = 0.0

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def rest(self, cut: int) -> SpeechChunk | None:
        """What follows sample ``cut`` of the chunk's audio, as a chunk; None if under 0.2 s."""
        if len(self.audio) - cut < 0.2 * SAMPLE_RATE:
            return None
        spans, at = [], 0
        for a, b in self.spans:
            if at + (b - a) > cut:
                spans.append((a + max(0, cut - at), b))
            at += b - a
        return SpeechChunk(self.channel, tuple(spans), self.audio[cut:])

    def original_time(self, t: float, middle: float) -> float:
        """A time in this chunk's spliced audio (seconds from its start) as a time in the call;
        ``middle`` (the word's middle) picks the span, so a word's ends map through one span."""
        at = 0
        for k, (a, b) in enumerate(self.spans):
            if middle * SAMPLE_RATE < at + (b - a) or k == len(self.spans) - 1:
                return (a - at) / SAMPLE_RATE + t
            at += b - a
        return t  # pragma: no cover - spans is never empty


def speech_chunks(audio: np.ndarray, channel: int, options: AsrOptions) -> list[SpeechChunk]:
    """The channel's speech (Silero VAD, as faster-whisper's filter finds it) gathered into chunks
    of at most ``CHUNK_SECONDS`` of speech, a new chunk after a hold (``options.hold_gap``). A
    span longer than a window is a chunk of its own: its first window is decoded, and the rest
    from where Whisper's last whole segment ended (transcribe_chunks), as one-window-at-a-time
    decoding reads on (cutting it at 30 s in mid-speech gave other words)."""
    groups: list[list[tuple[int, int]]] = []
    size = 0
    limit = CHUNK_SECONDS * SAMPLE_RATE
    for start, end in speech_spans(audio, options):
        gap = start - groups[-1][-1][1] if groups else 0
        if not groups or size + end - start > limit or gap >= options.hold_gap * SAMPLE_RATE:
            groups.append([])
            size = 0
        groups[-1].append((start, end))
        size += end - start
    return [
        SpeechChunk(channel, tuple(spans), np.concatenate([audio[a:b] for a, b in spans]).astype(np.float32))
        for spans in groups
    ]


def transcribe_chunks(
    model,
    chunks: list[SpeechChunk],
    channels: int,
    options: AsrOptions,
    *,
    language: str | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    progress_span: tuple[float, float] = (0.0, 1.0),
) -> tuple[list[list[RawWord]], str | None]:
    """Words of each channel, every chunk decoded as its own window (never two channels' audio in
    one window), ``BATCH_SIZE`` chunks at a time. The language, where not given, is detected on
    the first chunk, encoded alone. As faster-whisper's batched pipeline, each window is decoded
    once, at temperature 0 (no retry at higher temperatures where a window's decode fails its
    thresholds); Whisper writes its timestamp tokens and each word's time comes from the
    alignment over the chunk's own frames, as in transcribe()."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import BatchedInferencePipeline

    words: list[list[RawWord]] = [[] for _ in range(channels)]
    language = language or options.language
    terms = clean_vocabulary(options.vocabulary or ())
    passes = (
        [options.vocabulary_prompt]
        if not terms or options.vocabulary_as != "keep"
        else [{}, options.vocabulary_prompt]
    )
    found: list[list[list[RawWord]]] = [[[] for _ in range(channels)] for _ in passes]
    pipelines = [_exact_pipeline(BatchedInferencePipeline)(model) for _ in passes]  # each keeps its own clock
    tokenizer = None
    lo, hi = progress_span
    size = BATCH_SIZE.get(getattr(model.model, "device", "cpu"), 4)
    queue = list(chunks)
    at = 0.0  # the clock of every chunk's audio end to end
    i = 0
    while i < len(queue):
        cancel.check()
        # Where the language is to be detected, the first chunk is encoded alone: detection
        # reads the encoder output of every window in its batch, and only the first is wanted.
        batch = []
        for c in queue[i : i + (1 if tokenizer is None and language is None else size)]:
            batch.append(replace(c, offset=at))
            at += c.seconds
        i += len(batch)
        features = [model.feature_extractor(c.audio)[..., :-1] for c in batch]
        frames = [f.shape[-1] for f in features]
        features = np.stack([pad_or_trim(f) for f in features])
        encoded = model.encode(features)
        if tokenizer is None:
            if language is None:
                if model.model.is_multilingual:
                    language = model.model.detect_language(encoded)[0][0][0][2:-2]  # "<|en|>"
                else:
                    language = "en"
            tokenizer = Tokenizer(
                model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
            )
        for k, prompt in enumerate(passes):
            metadata = [
                {
                    "offset": c.offset,
                    "duration": min(n, 3000) / model.frames_per_second,
                    "frames": min(n, 3000),
                }
                for c, n in zip(batch, frames, strict=True)
            ]
            settings = _batched_options(options, prompt, tokenizer)
            model._last = (features, encoded)  # the batch is encoded once, whatever the passes
            results = pipelines[k].forward(features, tokenizer, metadata, settings)
            for chunk, meta, segments in zip(batch, metadata, results, strict=True):
                if meta["silent"]:
                    continue  # faster-whisper's no-speech rule: the window is skipped
                if meta["failed"]:
                    # What one-at-a-time decoding retries at higher temperatures: decoded so.
                    redo, _ = _transcribe_parts(
                        model, chunk.audio, [(0, len(chunk.audio))], options, prompt, language,
                        no_progress, cancel, (0.0, 1.0),
                    )  # fmt: skip
                    found[k][chunk.channel] += [
                        RawWord(
                            round(float(chunk.original_time(w.start, (w.start + w.end) / 2)), 2),
                            round(float(chunk.original_time(w.end, (w.start + w.end) / 2)), 2),
                            w.text,
                            w.probability,
                        )
                        for w in redo
                    ]
                    continue
                base = int(chunk.offset * model.frames_per_second) / model.frames_per_second
                for segment in segments:
                    for w in segment.get("words") or []:
                        text = w["word"].strip()
                        if not any(c.isalnum() for c in text):
                            continue
                        s, e = w["start"] - base, w["end"] - base
                        middle = (s + e) / 2
                        found[k][chunk.channel].append(
                            RawWord(
                                round(float(chunk.original_time(s, middle)), 2),
                                round(float(chunk.original_time(e, middle)), 2),
                                text,
                                float(w["probability"]),
                            )
                        )
                if k == 0 and (rest := chunk.rest(meta["seek"] * model.feature_extractor.hop_length)):
                    # Whisper stopped before the window's end: as one-window-at-a-time decoding
                    # does, the rest is decoded again as a window of its own (in a later batch).
                    queue.append(rest)
        model._last = None
        progress(Progress("transcribe", lo + (hi - lo) * min(1.0, i / len(queue))))
    for ch in range(channels):
        if len(passes) == 1:
            words[ch] = found[0][ch]
        else:
            words[ch] = keep_vocabulary(found[0][ch], found[1][ch], terms)
    return words, language


@functools.cache
def _exact_pipeline(batched: type) -> type:
    """faster-whisper's batched pipeline, aligning each chunk's words over its own frames, as its
    one-window-at-a-time transcribe does (the batched one rounds each chunk up to whole seconds
    of padding, which moved word ends by up to 60 ms)."""
    from math import ceil

    from faster_whisper.transcribe import get_compression_ratio

    class ExactBatchedPipeline(batched):
        def forward(self, features, tokenizer, chunks_metadata, options):  # noqa: ANN001, ANN202
            encoder_output, outputs = self.generate_segment_batched(features, tokenizer, options)
            segmented, sizes = [], []
            for meta, output in zip(chunks_metadata, outputs, strict=True):
                size = meta.get("frames") or int(ceil(meta["duration"]) * self.model.frames_per_second)
                sizes.append(size)
                subsegments, _seek, _single = self.model._split_segments_by_timestamps(
                    tokenizer=tokenizer,
                    tokens=output["tokens"],
                    time_offset=meta["offset"],
                    segment_size=size,
                    segment_duration=meta["duration"],
                    seek=0,
                )
                segmented.append(
                    [
                        dict(
                            text=tokenizer.decode(sub["tokens"]),
                            avg_logprob=output["avg_logprob"],
                            no_speech_prob=output["no_speech_prob"],
                            tokens=sub["tokens"],
                            start=sub["start"],
                            end=sub["end"],
                            compression_ratio=get_compression_ratio(tokenizer.decode(sub["tokens"])),
                            seek=int(meta["offset"] * self.model.frames_per_second),
                        )
                        for sub in subsegments
                    ]
                )
                # What one-window-at-a-time decoding would do next (its thresholds, and where
                # it would go on reading).
                text = tokenizer.decode([t for t in output["tokens"] if t < tokenizer.eot])
                meta["silent"] = output["no_speech_prob"] > 0.6 and output["avg_logprob"] < -1.0
                meta["failed"] = get_compression_ratio(text) > 2.4 or output["avg_logprob"] < -1.0
                meta["seek"] = min(size, _seek)
            if options.word_timestamps:
                self.last_speech_timestamp = self.model.add_word_timestamps(
                    segmented,
                    tokenizer,
                    encoder_output,
                    sizes,
                    options.prepend_punctuations,
                    options.append_punctuations,
                    self.last_speech_timestamp,
                )
            return segmented

    return ExactBatchedPipeline


def _batched_options(options: AsrOptions, prompt: dict, tokenizer):  # noqa: ANN001, ANN202
    """faster-whisper's TranscriptionOptions for one batched pass: the settings of transcribe()."""
    from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens

    return TranscriptionOptions(
        beam_size=options.beam_size,
        best_of=5,
        patience=1,
        length_penalty=1,
        repetition_penalty=1,
        no_repeat_ngram_size=0,
        log_prob_threshold=-1.0,
        no_speech_threshold=0.6,
        compression_ratio_threshold=2.4,
        condition_on_previous_text=False,
        prompt_reset_on_temperature=0.5,
        temperatures=[0.0],
        initial_prompt=prompt.get("initial_prompt"),
        prefix=None,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        without_timestamps=not TIMESTAMP_TOKENS,
        max_initial_timestamp=0.0,
        word_timestamps=True,
        prepend_punctuations="\"'“¿([{-",
        append_punctuations="\"'.。,，!！?？:：”)]}、",
        multilingual=False,
        max_new_tokens=None,
        clip_timestamps=[],
        hallucination_silence_threshold=None,
        hotwords=prompt.get("hotwords"),
    )
