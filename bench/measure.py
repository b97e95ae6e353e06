"""One measured run in a process of its own, printing one JSON line; bench/run.py drives it.

    python bench/measure.py bare FILE [--device cpu]      faster-whisper alone, as its README shows
    python bench/measure.py reviewer FILE [--device cpu]  Reviewer's whole analyze, then storing it

Both load the same embedded model with the same settings (beam 5, word timestamps, VAD with
Reviewer's threshold and 500 ms silences, no conditioning on previous text, int8 on CPU, float16
on CUDA, all cores).
Model loading is timed apart from the work; peak memory is the process's maximum RSS."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's high-water resident memory. VmHWM, not getrusage's ru_maxrss: Linux keeps
    ru_maxrss across exec, so a child of a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare(path: Path, device: str) -> dict:
    from faster_whisper import WhisperModel

    from reviewer.asr.store import resolve_model
    from reviewer.asr.transcribe import AsrOptions, pick_device

    settings = AsrOptions()
    model_path, _ = resolve_model(None)
    device, compute_type = pick_device(device, "auto")
    t = time.perf_counter()
    model = WhisperModel(
        model_path, device=device, compute_type=compute_type, cpu_threads=os.cpu_count() or 1
    )
    load = time.perf_counter() - t
    cpu0 = _cpu()
    t = time.perf_counter()
    segments, _info = model.transcribe(
        str(path),
        beam_size=settings.beam_size,
        word_timestamps=True,
        vad_filter=True,
        vad_parameters=settings.vad_parameters,
        condition_on_previous_text=False,
    )
    words = sum(len(s.words or []) for s in segments)
    work = time.perf_counter() - t
    cpu = _cpu() - cpu0
    return {"load_s": load, "work_s": work, "cpu_s": cpu, "words": words, "stages": {"transcribe": work}}


def reviewer(path: Path, device: str) -> dict:
    import av

    from reviewer.asr.transcribe import AsrOptions, load_model
    from reviewer.pipeline import PipelineOptions, process_file
    from reviewer.speakers.diarize import DiarizationOptions, load_pipeline

    options = PipelineOptions(
        asr=AsrOptions(device=device), diarization=DiarizationOptions(num_speakers=2, device=device)
    )
    t = time.perf_counter()
    load_model(options.asr)
    with av.open(str(path)) as container:
        channels = container.streams.audio[0].channels
    if channels == 1:  # a mono call: the diarization models are part of the job
        load_pipeline(options.diarization)
    load = time.perf_counter() - t
    cpu0 = _cpu()
    t = time.perf_counter()
    result = process_file(path, options)
    work = time.perf_counter() - t
    cpu = _cpu() - cpu0
    if words_to := os.environ.get("REVIEWER_BENCH_WORDS"):  # each word, for comparing two versions
        Path(words_to).write_text(
            json.dumps(
                [[w.text, round(w.start, 3), round(w.end, 3), w.speaker] for w in result.transcript.words]
            )
        )
    stages = dict(result.timings)
    # Storing it, as an import does: one transaction and the cached waveform peaks.
    os.environ["REVIEWER_DATA_DIR"] = tempfile.mkdtemp(prefix="reviewer-bench-store-")
    from reviewer.importer import store_result
    from reviewer.library import open_library
    from reviewer.library.store import content_hash

    t = time.perf_counter()
    with open_library() as library:
        store_result(library, path, content_hash(path), result)
    stages["store"] = time.perf_counter() - t
    return {
        "load_s": load,
        "work_s": work,
        "cpu_s": cpu,
        "words": len(result.transcript.words),
        "stages": stages,
        "speaker_split": result.transcript.speaker_split,
    }


def short(folder: Path, device: str, results: Path | None = None) -> dict:
    """``reviewer import`` of a folder of short calls in this process, after the models load:
    seconds and CPU seconds per file, and each file's outcome, words and markers (to ``results``)."""
    os.environ["REVIEWER_DATA_DIR"] = tempfile.mkdtemp(prefix="reviewer-bench-short-")
    from reviewer.asr.transcribe import AsrOptions, load_model
    from reviewer.document import marker_dicts
    from reviewer.importer import expand_paths, import_files
    from reviewer.library import open_library
    from reviewer.pipeline import PipelineOptions
    from reviewer.speakers.diarize import DiarizationOptions, load_pipeline

    options = PipelineOptions(
        asr=AsrOptions(device=device), diarization=DiarizationOptions(num_speakers=2, device=device)
    )
    t = time.perf_counter()
    load_model(options.asr)
    load_pipeline(options.diarization)
    load = time.perf_counter() - t
    files = expand_paths([folder])
    cpu0 = _cpu()
    t = time.perf_counter()
    with open_library() as library:
        outcomes = import_files(files, library, options)
        work = time.perf_counter() - t
        cpu = _cpu() - cpu0
        calls = {}
        for o in outcomes:
            entry: dict = {"status": o.status, "message": o.message if o.status == "failed" else ""}
            if o.call_id is not None:
                stored = library.load_call(o.call_id)
                entry["split"] = stored.transcript.speaker_split
                entry["words"] = [
                    [w.text, round(w.start, 3), round(w.end, 3), w.speaker] for w in stored.transcript.words
                ]
                entry["markers"] = marker_dicts(stored.markers)
            calls[o.path.name] = entry
    if results:
        results.write_text(json.dumps(calls, indent=1))
    n = len(files)
    return {
        "load_s": load,
        "work_s": work,
        "files": n,
        "per_file_s": work / n,
        "per_file_cpu_s": cpu / n,
        "imported": sum(o.status == "imported" for o in outcomes),
        "failed": sum(o.status == "failed" for o in outcomes),
        "words": sum(len(c.get("words", [])) for c in calls.values()),
    }


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["bare", "reviewer", "short"])
    p.add_argument("file", type=Path)
    p.add_argument("--device", default="cpu")
    p.add_argument("--results", type=Path, help="short: each file's outcome, words and markers, as JSON")
    args = p.parse_args()
    if args.mode == "short":
        out = short(args.file, args.device, args.results)
    else:
        out = (bare if args.mode == "bare" else reviewer)(args.file, args.device)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
