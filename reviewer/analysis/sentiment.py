"""How each party comes across, turn by turn: negative, neutral or positive, with a score in
[-1, 1] (P(positive) − P(negative)), and whether the customer ended the call in a better, the
same or a worse mood than they started it (the agent's trend apart).

The model is the pattern of the request model (``pushback.classify``): a linear model over the
turn's word and character n-grams and its sentence embedding (``reviewer.embedding``), with a
text-only half used where the encoder cannot load. It is trained by ``bench/sentiment.py`` on
the dialogues of ``resources/sentiment/dev/`` (every turn labelled; the definitions and who
wrote what are in ``resources/sentiment/README.md``) and stored as plain JSON in
``resources/sentiment_model.json``.

The trend compares the mean score of the first third of a party's turns with that of the last
third (at least one turn each; backchannels such as "mm hmm" left out): ``better`` where it rose
by at least the model's ``margin``, ``worse`` where it fell by as much, else ``same``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from reviewer import embedding
from reviewer.analysis.pushback import (
    Linear,
    Vocabulary,
    _linear,
    _vocabulary,
    char_ngrams,
    turn_text,
    word_ngrams,
)
from reviewer.analysis.turns import turn_is_backchannel
from reviewer.model import Sentiment, SentimentTrend, Speaker, Turn, TurnSentiment
from reviewer.resources import resource
from reviewer.settings import Settings

CLASSES = ("negative", "neutral", "positive")
TEXT_ONLY_NOTE = "sentence embeddings are off, so sentiment comes from the words alone (less sure)"


def sentiment_text(text: str) -> str:
    """What the n-gram half reads: the refusal model's normalised words ('qmark' for a
    question), and 'xmark' where the speaker exclaimed."""
    out = turn_text(text)
    return out + " xmark" if "!" in text else out


def text_row(words: Vocabulary, chars: Vocabulary, text: str) -> tuple[np.ndarray, np.ndarray]:
    t = sentiment_text(text)
    wi, wv = words.sparse(word_ngrams(t))
    ci, cv = chars.sparse(char_ngrams(t))
    return np.concatenate([wi, ci + len(words.idf)]), np.concatenate([wv, cv])


@dataclass(frozen=True)
class SentimentModel:
    words: Vocabulary
    chars: Vocabulary
    linear: Linear  # over [words, chars]: the text-only fallback
    margin: float  # the change of mean score that makes a trend better or worse
    trained_on: str
    embedded: Linear | None = None  # over [words, chars, the sentence embedding × scale]
    embedding_scale: float = 0.0
    trend_by: str = "score"  # what the trend averages: each turn's "score", or its "label" as -1, 0, 1

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SentimentModel:
        emb = doc.get("embedding")
        return cls(
            _vocabulary(doc["words"]),
            _vocabulary(doc["chars"]),
            _linear(doc["linear"]),
            float(doc["margin"]),
            str(doc.get("trained_on", "")),
            _linear(emb["linear"]) if emb else None,
            float(emb["scale"]) if emb else 0.0,
            str(doc.get("trend_by", "score")),
        )

    def without_embedding(self) -> SentimentModel:
        return replace(self, embedded=None, embedding_scale=0.0)

    def uses_embedding(self) -> bool:
        return self.embedded is not None and embedding.encoder() is not None

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Each text's class probabilities; the texts are encoded in one batch (the encoder's
        cache serves those the request model has already encoded, and the reverse)."""
        enc = embedding.encoder() if self.embedded is not None else None
        vecs = enc.encode(list(texts)) if enc is not None and texts else None
        first = len(self.words.idf) + len(self.chars.idf)
        out = []
        for i, text in enumerate(texts):
            idx, val = text_row(self.words, self.chars, text)
            if vecs is None or self.embedded is None:
                out.append(self.linear.probabilities(idx, val))
                continue
            vec = vecs[i].astype(float) * self.embedding_scale
            out.append(
                self.embedded.probabilities(
                    np.concatenate([idx, np.arange(first, first + len(vec))]), np.concatenate([val, vec])
                )
            )
        return out

    def judge(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, score) per text: the likeliest class, and P(positive) − P(negative)."""
        return [
            (max(p, key=p.__getitem__), round(p["positive"] - p["negative"], 3))
            for p in self.probabilities(texts)
        ]


@lru_cache(maxsize=1)
def bundled_model() -> SentimentModel | None:
    """The model in ``resources/sentiment_model.json``, loaded once; None where it cannot be read (then no
    sentiment is shown, and the rest of the analysis goes on)."""
    path = resource("sentiment_model.json")
    try:
        return SentimentModel.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError) as e:
        import logging

        logging.getLogger(__name__).warning("Sentiment is off: %s could not be read (%s).", path, e)
        return None


LABEL_VALUE = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


def trend(scores: Sequence[float], margin: float, role: str) -> SentimentTrend:
    """The first third of the values against the last third (at least one each)."""
    if not scores:
        return SentimentTrend(role, None, None, "")
    n = max(1, math.ceil(len(scores) / 3))
    start = float(np.mean(scores[:n]))
    end = float(np.mean(scores[-n:]))
    if len(scores) < 2:
        change = "same"
    elif end - start >= margin:
        change = "better"
    elif start - end >= margin:
        change = "worse"
    else:
        change = "same"
    return SentimentTrend(role, round(start, 3), round(end, 3), change)


def party_trend(
    turns: Sequence[Turn],
    judged: Sequence[TurnSentiment],
    roles: dict[str, str],
    settings: Settings,
    role: str,
    margin: float,
    by: str = "score",
) -> SentimentTrend:
    """One party's trend over their turns (backchannels such as "mm hmm" left out)."""
    values = [
        s.score if by == "score" else LABEL_VALUE[s.label]
        for t, s in zip(turns, judged, strict=True)
        if roles.get(t.speaker) == role and not turn_is_backchannel(t, settings)
    ]
    return trend(values, margin, role)


def sentiment(
    speakers: Sequence[Speaker],
    turns: Sequence[Turn],
    settings: Settings,
    model: SentimentModel | None = None,
) -> Sentiment | None:
    """Every agent and customer turn's sentiment, and each party's trend; None without a model."""
    model = model or bundled_model()
    if model is None:
        return None
    roles = {s.id: s.role for s in speakers}
    judged = [
        t
        for t in sorted(turns, key=lambda t: (t.start, t.end))
        if roles.get(t.speaker) in ("agent", "customer")
    ]
    results = model.judge([t.text for t in judged])
    per_turn = tuple(
        TurnSentiment(round(t.start, 3), round(t.end, 3), t.speaker, label, score)
        for t, (label, score) in zip(judged, results, strict=True)
    )
    trends = {
        role: party_trend(judged, per_turn, roles, settings, role, model.margin, model.trend_by)
        for role in ("customer", "agent")
    }
    embedded = model.uses_embedding()
    return Sentiment(
        per_turn,
        trends["customer"],
        trends["agent"],
        "sentence embeddings" if embedded else "text only",
        "" if embedded else TEXT_ONLY_NOTE,
    )
