"""Nothing leaves the machine: every dependency's telemetry and model-hub access switched off,
and their caches kept in Reviewer's own cache folder.

Several dependencies phone home or write under the home folder unless told not to, and some
of them in C++ where Python's audit hooks cannot see it (onnxruntime's 1DS telemetry, used by
faster-whisper's Silero VAD). They read these switches from the environment when they load, so
:func:`keep_private` runs when the ``reviewer`` package is imported, before anything else: the
CLI, the app, the import child process (which inherits the environment) and the benches all
pass through it. ``tests/test_privacy.py`` watches the system calls of a real run to prove it.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

# Forced: a user's environment cannot turn telemetry back on.
TELEMETRY_OFF = {
    # onnxruntime 1.32 reads the first, later releases the second.
    "ORT_DISABLE_TELEMETRY": "1",
    "ORT_TELEMETRY_DISABLED": "1",
    # pyannote.audio's usage metrics (OpenTelemetry), and OpenTelemetry itself.
    "PYANNOTE_METRICS_ENABLED": "false",
    "OTEL_SDK_DISABLED": "true",
    "OTEL_TRACES_EXPORTER": "none",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
    # Hugging Face hub (used by faster-whisper and pyannote for model names).
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    # Ray (reviewer batch): usage stats to usage-stats.ray.io, on by default; read by every Ray
    # process this one starts. A cluster started elsewhere is its operator's to configure
    # (`ray start --disable-usage-stats`).
    "RAY_USAGE_STATS_ENABLED": "0",
}
# Defaults: a user who names a hub model on purpose may set HF_HUB_OFFLINE=0 (see README).
HUB_OFFLINE = {"HF_HUB_OFFLINE": "1"}


def cache_folders(cache: str) -> dict[str, str]:
    """Where dependencies keep their caches and config: inside Reviewer's cache folder."""
    return {
        "MPLCONFIGDIR": os.path.join(cache, "matplotlib"),  # matplotlib, pulled in by pyannote
        "HF_HOME": os.path.join(cache, "huggingface"),
        "TORCH_HOME": os.path.join(cache, "torch"),
        # torch makes this one (empty) in the temp folder whenever pyannote loads it.
        "TORCHINDUCTOR_CACHE_DIR": os.path.join(cache, "torchinductor"),
        "TRITON_CACHE_DIR": os.path.join(cache, "triton"),
        "NUMBA_CACHE_DIR": os.path.join(cache, "numba"),
    }


def sessionless_sound(cache: str) -> dict[str, str]:
    """Outside a desktop session (no XDG_RUNTIME_DIR: a service, ssh, a container) the
    PulseAudio client library that Qt's playback loads makes ~/.config/pulse and a runtime
    folder in the temp folder. No sound server of this user can be running there, so its files
    go to Reviewer's cache instead; inside a session they are the session's and left alone."""
    return {
        "PULSE_RUNTIME_PATH": os.path.join(cache, "pulse", "runtime"),
        "PULSE_CONFIG_PATH": os.path.join(cache, "pulse"),
    }


def keep_private(environ: MutableMapping[str, str] = os.environ) -> None:
    from reviewer.paths import cache_dir

    environ.update(TELEMETRY_OFF)
    cache = str(cache_dir())
    defaults = {**HUB_OFFLINE, **cache_folders(cache)}
    if not environ.get("XDG_RUNTIME_DIR"):
        defaults.update(sessionless_sound(cache))
    for key, value in defaults.items():
        environ.setdefault(key, value)


def quiet_onnxruntime() -> None:
    """onnxruntime's own switch as well as its environment variables, once it is importable."""
    try:
        import onnxruntime
    except ImportError:
        return
    disable = getattr(onnxruntime, "disable_telemetry_events", None)
    if disable is not None:
        disable()


def allow_hub() -> None:
    """The user named a model on the Hugging Face hub on purpose (``--model NAME``,
    ``--diarization NAME``): let that one download happen; the hub's telemetry stays off."""
    import sys

    os.environ["HF_HUB_OFFLINE"] = "0"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:  # read once when huggingface_hub loaded
        constants.HF_HUB_OFFLINE = False
