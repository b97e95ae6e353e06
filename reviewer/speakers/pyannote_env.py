"""Getting pyannote.audio ready to import: telemetry off, offline, torchaudio importable.

Call :func:`prepare_pyannote` before the first ``import pyannote``.

torchaudio where its compiled extension cannot load:

pyannote.audio uses only torchaudio's pure-Python parts (Kaldi fbank, resampling). PyPI's
torchaudio wheels carry a CUDA-linked extension that fails to load beside a CPU build of torch.
torchaudio itself runs without its extension when the library file is absent (its
``_extension`` module then reports it unavailable); this reproduces that state, so the real
pure-Python code runs, and the functions that need the extension raise torchaudio's own error.
"""
# ruff: noqa: TID253

from __future__ import annotations

import sys
import types
import warnings


def prepare_pyannote() -> None:
    """Telemetry off (call recordings are private), no hub look-ups, torchaudio importable."""
    from reviewer.privacy import keep_private

    keep_private()  # again, in case a caller changed the environment since reviewer loaded
    import_torchaudio()
    # pyannote warns that torchcodec cannot decode files; Reviewer hands it decoded waveforms.
    warnings.filterwarnings("ignore", message=r"(?s).*torchcodec is not installed correctly")


def import_torchaudio():
    try:
        import torchaudio

        return torchaudio
    except (OSError, ImportError) as first:
        reason = str(first)
        for name in [m for m in sys.modules if m == "torchaudio" or m.startswith("torchaudio.")]:
            del sys.modules[name]
        ext = types.ModuleType("torchaudio._extension")
        ext._IS_TORCHAUDIO_EXT_AVAILABLE = False
        ext._IS_ALIGN_AVAILABLE = False

        def _unavailable(func):
            def wrapped(*args, **kwargs):
                raise RuntimeError(
                    f"torchaudio's compiled extension is unavailable ({reason}); {func.__name__} needs it."
                )

            return wrapped

        ext.fail_if_no_align = _unavailable
        ext._check_cuda_version = lambda: None
        sys.modules["torchaudio._extension"] = ext
        import torchaudio

        return torchaudio
