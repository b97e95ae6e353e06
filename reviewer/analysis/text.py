"""Normalising ASR text and matching the user-editable phrase lists against it.

Whisper writes the same words many ways ("can't", "can not", "Can't."; "cancelled", "canceled").
Text and phrases are both reduced to lower-case words with contractions expanded and British
spellings folded, so one phrase covers them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_IRREGULAR = {
    "can't": "can not",
    "cannot": "can not",
    "won't": "will not",
    "shan't": "shall not",
    "ain't": "is not",
    "let's": "let us",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "y'all": "you all",
    "ok": "okay",
    "mmhmm": "mm hmm",
    "mhmm": "mm hmm",
}
_IS_WORDS = {"it", "that", "what", "there", "here", "he", "she", "who", "where", "how", "this"}
_SPELLING = [
    (re.compile(r"\bcancell(ed|ing|er|ers)\b"), r"cancel\1"),
    (re.compile(r"\bdisconnexion\b"), "disconnection"),
]
_ISE_WORDS = {"apologise", "realise", "recognise", "authorise", "organise", "prioritise", "finalise"}


def _expand(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("n't"):
        return word[:-3] + " not"
    for suffix, full in (
        ("'m", " am"),
        ("'re", " are"),
        ("'ll", " will"),
        ("'ve", " have"),
        ("'d", " would"),
    ):
        if word.endswith(suffix):
            return word[: -len(suffix)] + full
    if word.endswith("'s"):
        stem = word[:-2]
        return f"{stem} is" if stem in _IS_WORDS else stem
    return word


def _fold(word: str) -> str:
    for stem in _ISE_WORDS:
        if word.startswith(stem):
            return stem[:-3] + "ize" + word[len(stem) :]
    return word


_DASHES = re.compile(r"[-/]")
_NOT_WORDS = re.compile(r"[^\w' ]+")


@lru_cache(maxsize=65536)
def _normal_word(raw: str) -> str:
    """One lower-cased word of a text, its contraction expanded and spelling folded (perhaps
    two words, or none). Words repeat from call to call far more than whole turns do: this cache
    keeps re-applying a tracker to a library of different calls fast (bench/trackers.py)."""
    raw = raw.strip("'")
    return " ".join(_fold(w) for w in _expand(raw).split()) if raw else ""


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower-case words separated by single spaces; no punctuation; contractions expanded."""
    text = text.translate(_APOSTROPHES).lower()
    text = _NOT_WORDS.sub(" ", _DASHES.sub(" ", text))
    out = " ".join(w for w in map(_normal_word, text.split()) if w)
    out = _SPELLING[0][0].sub(_SPELLING[0][1], out)
    return _SPELLING[1][0].sub(_SPELLING[1][1], out)


@lru_cache(maxsize=4096)
def compile_phrase(phrase: str) -> re.Pattern[str]:
    """Compile one phrase of the phrase-list syntax (see resources/phrases.toml) to a regex."""
    p = phrase.translate(_APOSTROPHES).lower().strip()
    p = re.sub(r"^(\s*~\s*)+|(\s*~\s*)+$", "", p)  # a gap at either end adds nothing
    p = re.sub(r"\s*~\s*", " ~ ", p).strip()
    out = []
    for token in re.split(r"(\s+|[()|?~])", p):
        if not token:
            continue
        if token.isspace():
            out.append(r"\s+")
        elif token in "()|?":
            out.append({"(": "(?:", ")": ")", "|": "|", "?": "?"}[token])
        elif token == "~":
            out.append(r"(?:\S+\s+){0,3}")
        else:
            star = token.endswith("*")
            word = normalize(token.rstrip("*"))
            out.append(re.escape(word).replace(r"\ ", r"\s+") + (r"\w*" if star else ""))
    pattern = "".join(out)
    pattern = pattern.replace(r"\s+(?:\S+\s+){0,3}\s+", r"\s+(?:\S+\s+){0,3}")
    pattern = pattern.replace(r"\s+)?", r"\s+)?")
    # "(just )?want": the space inside the optional group already separates the words.
    pattern = pattern.replace(r"\s+)?\s+", r"\s+)?")
    return re.compile(r"(?<!\w)" + pattern + r"(?!\w)")


class PhraseSet:
    """A list of phrases; ``find`` returns the first phrase matching normalised text."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(phrases)
        self._patterns = [(p, compile_phrase(p)) for p in self.phrases]

    def find(self, text: str) -> str | None:
        norm = normalize(text)
        for phrase, pattern in self._patterns:
            if pattern.search(norm):
                return phrase
        return None

    def count(self, text: str) -> int:
        norm = normalize(text)
        return sum(1 for _, pattern in self._patterns if pattern.search(norm))

    def __bool__(self) -> bool:
        return bool(self.phrases)
