"""What an agent turn does with a customer's pending request: push back, comply, a procedural
step, or something else. A linear model over the turn's words and characters and over the
conversation around it (does the customer have to ask again afterwards? did they just ask?).

The model is trained by ``bench/refusals.py`` (and ``reviewer train-refusals``) with
scikit-learn (TF-IDF word 1-2-grams and character 2-5-grams within words, multinomial logistic
regression) from the labelled corpus in ``resources/pushback/`` and a team's own labels, and
stored as plain JSON in ``resources/refusal_model.json`` (a user's retrained copy in the config
folder wins). Here it is
applied in plain Python and numpy: the same n-grams and weights, without importing scikit-learn
(1.5 s) into every analysis, and without a pickle tied to one scikit-learn version.
``tests/test_refusals.py`` checks the features equal scikit-learn's own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from reviewer import embedding
from reviewer.analysis.text import PhraseSet, normalize

LABELS = ("pushback", "complies", "procedural", "other")
KINDS = (
    "questions_reason",
    "pitch",
    "argues",
    "guilt_loss",
    "doubts_customer",
    "stalls",
    "impossible",
    "needs_someone_else",
    "blames_other",
)
KIND_NAMES = {
    "questions_reason": "questions the reason",
    "pitch": "pitches an offer",
    "argues": "argues",
    "guilt_loss": "guilt or loss framing",
    "doubts_customer": "doubts the customer",
    "stalls": "stalls",
    "impossible": "says it cannot be done",
    "needs_someone_else": "says someone else must do it",
    "blames_other": "blames a policy or system",
}
# The context of an agent turn, as numbers the model weighs (see ``context``): the phrase lists'
# hints on the turn itself, and the conversation around it.
HINTS = ("reason_hint", "decline_hint", "pitch_hint", "comply_hint")
CONVERSATION = (
    "asked_just_before",
    "customer_asks_again_after",
    "customer_withdraws_after",
    "customer_says_no_after",
)
CONTEXT = HINTS + CONVERSATION
_WORD = re.compile(r"(?u)\b\w+\b")
_SPACES = re.compile(r"\s\s+")


def turn_text(text: str) -> str:
    """What the model reads: normalised words (see ``normalize``), plus '?' where one was asked,
    which Whisper writes and normalising drops."""
    norm = normalize(text)
    return norm + " qmark" if "?" in text else norm


def word_ngrams(text: str, n_max: int = 2) -> list[str]:
    """scikit-learn's word analyzer: tokens of ``(?u)\\b\\w+\\b``, 1- to n_max-grams."""
    tokens = _WORD.findall(text.lower())
    grams = list(tokens)
    for n in range(2, n_max + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_ngrams(text: str, n_min: int = 2, n_max: int = 5) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer: n-grams inside each space-padded word."""
    grams: list[str] = []
    for w in _SPACES.sub(" ", text.lower()).split():
        w = f" {w} "
        for n in range(n_min, n_max + 1):
            offset = 0
            grams.append(w[offset : offset + n])
            while offset + n < len(w):
                offset += 1
                grams.append(w[offset : offset + n])
            if offset == 0:
                break
    return grams


@dataclass(frozen=True)
class Vocabulary:
    """One TF-IDF block: sublinear term frequency, smooth idf, rows scaled to unit length."""

    index: dict[str, int]
    idf: np.ndarray

    def sparse(self, grams: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(feature indexes, weights) of the grams this vocabulary knows."""
        idx, val = [], []
        for gram, count in Counter(grams).items():
            j = self.index.get(gram)
            if j is not None:
                idx.append(j)
                val.append((1.0 + math.log(count)) * self.idf[j])
        weights = np.asarray(val, dtype=float)
        norm = float(np.linalg.norm(weights))
        return np.asarray(idx, dtype=np.intp), weights / norm if norm else weights

    def vector(self, grams: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(self.idf))
        idx, val = self.sparse(grams)
        out[idx] = val
        return out


@dataclass(frozen=True)
class Linear:
    classes: tuple[str, ...]
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray

    def probabilities(self, idx: np.ndarray, val: np.ndarray) -> dict[str, float]:
        """Softmax of the linear scores of a sparse row (feature indexes and their values)."""
        z = self.coef[:, idx] @ val + self.intercept
        z = np.exp(z - z.max())
        p = z / z.sum()
        return dict(zip(self.classes, (float(v) for v in p), strict=True))


def text_row(words: Vocabulary, chars: Vocabulary, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A text's word and character n-gram features, as a sparse row over [words, chars]."""
    t = turn_text(text)
    wi, wv = words.sparse(word_ngrams(t))
    ci, cv = chars.sparse(char_ngrams(t))
    return np.concatenate([wi, ci + len(words.idf)]), np.concatenate([wv, cv])


def classify(
    words: Vocabulary, chars: Vocabulary, plain: Linear, embedded: Linear | None, scale: float, text: str
) -> dict[str, float]:
    """A text's class probabilities: by ``embedded`` (over [words, chars, the sentence embedding
    × ``scale``]) where it was trained and the encoder loads (``reviewer.embedding``), else by
    ``plain`` (over [words, chars]), the text-only fallback."""
    idx, val = text_row(words, chars, text)
    enc = embedding.encoder() if embedded is not None else None
    if enc is None:
        return plain.probabilities(idx, val)
    vec = enc.one(text).astype(float) * scale
    first = len(words.idf) + len(chars.idf)
    return embedded.probabilities(
        np.concatenate([idx, np.arange(first, first + len(vec))]), np.concatenate([val, vec])
    )


def _vocabulary(d: dict[str, Any]) -> Vocabulary:
    return Vocabulary({g: i for i, g in enumerate(d["grams"])}, np.asarray(d["idf"], dtype=float))


def _linear(d: dict[str, Any]) -> Linear:
    return Linear(
        tuple(d["classes"]), np.asarray(d["coef"], dtype=float), np.asarray(d["intercept"], dtype=float)
    )


NO_REQUEST = "none"


@dataclass(frozen=True)
class RequestModel:
    """Which request a customer turn makes, if any: a linear model over the turn's words and
    characters (the same features as the refusal model), trained by ``bench/refusals.py`` on
    the corpus's customer turns, each labelled with a kind of ``resources/requests.toml`` or
    "none". Learned, so it hears "I need my port-out PIN", "get me out of this lease" and
    "council my account" where no phrase list does."""

    words: Vocabulary
    chars: Vocabulary
    linear: Linear  # classes: "none" and request kinds
    threshold: float  # P(some request) at or above which the turn makes one
    with_phrases: bool  # a phrase-list match opens a request too (chosen by cross-validation)
    trained_on: str
    # The same over [words, chars, the sentence embedding × embedding_scale], used where the
    # encoder loads (``reviewer.embedding``); ``linear`` is the text-only fallback.
    embedded: Linear | None = None
    embedding_scale: float = 0.0

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RequestModel:
        emb = doc.get("embedding")
        return cls(
            _vocabulary(doc["words"]),
            _vocabulary(doc["chars"]),
            _linear(doc["linear"]),
            float(doc["threshold"]),
            bool(doc.get("with_phrases", True)),
            str(doc.get("trained_on", "")),
            _linear(emb["linear"]) if emb else None,
            float(emb["scale"]) if emb else 0.0,
        )

    def without_embedding(self) -> RequestModel:
        return replace(self, embedded=None, embedding_scale=0.0)

    def prepare(self, texts: Sequence[str]) -> None:
        """Encode these texts in one batch now (they are asked about one by one later)."""
        if self.embedded is not None and texts and (enc := embedding.encoder()) is not None:
            enc.encode(list(texts))

    def probabilities(self, text: str) -> dict[str, float]:
        return classify(self.words, self.chars, self.linear, self.embedded, self.embedding_scale, text)

    def recognise(self, text: str) -> tuple[str | None, float]:
        """(the request kind, or None; the probability that the turn makes some request)."""
        probs = self.probabilities(text)
        p = 1.0 - probs.get(NO_REQUEST, 0.0)
        if p < self.threshold:
            return None, p
        return max((k for k in probs if k != NO_REQUEST), key=probs.__getitem__), p


@dataclass(frozen=True)
class RefusalModel:
    words: Vocabulary
    chars: Vocabulary
    label: Linear  # over [words, chars, context]
    kind: Linear  # over [words, chars]
    threshold: float  # P(pushback) at or above which a turn is push-back
    comply_threshold: float  # P(complies) at or above which the request counts as met
    trained_on: str
    sentences: bool = False  # also judge each sentence of a turn not judged push-back whole
    # The kind over [words, chars, the sentence embedding × kind_scale], used where the encoder
    # loads (``reviewer.embedding``); ``kind`` is the text-only fallback.
    kind_embedded: Linear | None = None
    kind_scale: float = 0.0

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RefusalModel:
        if doc.get("context") != list(CONTEXT):
            raise ValueError("the refusal model was trained with other context features; retrain it")
        emb = doc.get("embedding")
        return cls(
            _vocabulary(doc["words"]),
            _vocabulary(doc["chars"]),
            _linear(doc["label"]),
            _linear(doc["kind"]),
            float(doc["threshold"]),
            float(doc["comply_threshold"]),
            str(doc.get("trained_on", "")),
            bool(doc.get("sentences", False)),
            _linear(emb["kind"]) if emb else None,
            float(emb["scale"]) if emb else 0.0,
        )

    def without_embedding(self) -> RefusalModel:
        return replace(self, kind_embedded=None, kind_scale=0.0)

    def text_features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The turn's word and character n-gram features, as a sparse row over [words, chars]."""
        return text_row(self.words, self.chars, text)

    def judge(self, text: str, context: Sequence[float]) -> dict[str, float]:
        """The probability of each label for one agent turn."""
        idx, val = self.text_features(text)
        first = len(self.words.idf) + len(self.chars.idf)
        ctx = np.arange(first, first + len(context))
        return self.label.probabilities(
            np.concatenate([idx, ctx]), np.concatenate([val, np.asarray(context, float)])
        )

    def kinds(self, text: str) -> dict[str, float]:
        """The probability of each kind of push-back, for a turn that pushes back."""
        return classify(self.words, self.chars, self.kind, self.kind_embedded, self.kind_scale, text)


@dataclass(frozen=True)
class Cues:
    """The phrase lists (resources/phrases.toml, user-editable) the model reads as hints."""

    request: PhraseSet | Any  # anything with find(text): the phrases, or the request recogniser
    asks_again: PhraseSet
    comply: PhraseSet
    reason: PhraseSet
    decline: PhraseSet
    pitch: PhraseSet
    withdraw: PhraseSet

    def deflects(self, text: str) -> str | None:
        return self.reason.find(text) or self.decline.find(text) or self.pitch.find(text)


_NO = re.compile(r"^(no|nope|nah|not really|i do not|i am not|that is not)\b")


def context(agent_text: str, before: str | None, after: str | None, cues: Cues) -> list[float]:
    """The numbers in ``CONTEXT`` for an agent turn, given the customer's words just before
    and just after it (None where the customer said nothing there)."""
    after_norm = normalize(after) if after else ""
    return [
        float(bool(cues.reason.find(agent_text))),
        float(bool(cues.decline.find(agent_text))),
        float(bool(cues.pitch.find(agent_text))),
        float(bool(cues.comply.find(agent_text))),
        float(bool(before and cues.request.find(before))),
        float(bool(after and (cues.request.find(after) or cues.asks_again.find(after)))),
        float(bool(after and cues.withdraw.find(after))),
        float(bool(_NO.match(after_norm))),
    ]
