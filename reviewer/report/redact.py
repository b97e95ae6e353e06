"""Masking card numbers, account-like digit runs, phone numbers and e-mail addresses in what an
export writes. Applied to text on its way out: the library itself is never changed.

Whisper writes spoken numbers mostly as digits ("4111 1111 1111 1111") but sometimes as words
("four one one one ..."); both are caught. Masks name what was there ("[card number]") so a QA
reader still knows a card was read out."""

from __future__ import annotations

import re
from dataclasses import replace

from reviewer.model import Word

_DIGIT_WORDS = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|triple)"
_TLDS = r"(?:com|net|org|edu|gov|co|uk|us|ca|io|info|biz|de|fr|au)"

# Order matters: e-mails first (they may contain digits), then digit runs.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)),
    (
        "[email]",
        re.compile(
            rf"\b[\w.+-]+(?: dot [\w-]+)* at [\w-]+(?: dot [\w-]+)* dot {_TLDS}\b",
            re.IGNORECASE,
        ),
    ),
    # 5+ digits, possibly grouped by spaces, dashes, dots or brackets: "4111 1111 1111 1111",
    # "(555) 123-4567", "+44 20 7946 0958", "00123456", and digits read one by one as Whisper
    # writes them ("4, 5, 5, 6, ..."); "1,000,000" (no space after the commas) is an amount.
    ("digits", re.compile(r"(?<![\w])\+?\(?\d(?:(?:[\s().-]{0,3}|,\s{1,2})\d){4,}(?![\w])")),
    (
        "digits",
        re.compile(rf"\b{_DIGIT_WORDS}(?:[\s,-]+{_DIGIT_WORDS}){{5,}}\b", re.IGNORECASE),
    ),
)

_WORD_VALUES = {"double": 0, "triple": 0}


def _digit_count(text: str) -> int:
    digits = sum(c.isdigit() for c in text)
    if digits:
        return digits
    return sum(1 for w in re.findall(r"[a-z]+", text.lower()) if w not in _WORD_VALUES)


def _mask_for(kind: str, text: str) -> str:
    if kind != "digits":
        return kind
    n = _digit_count(text)
    if 13 <= n <= 19:
        return "[card number]"
    if 7 <= n <= 12 and (text.lstrip().startswith(("+", "(")) or re.search(r"\d{3}[\s.-]\d{4}\b", text)):
        return "[phone number]"
    if n in (10, 11):
        return "[phone number]"
    return "[number]"


def find_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, mask) for everything to hide in ``text``, in order, not overlapping."""
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.span()
            if any(a < e and s < b for s, e, _ in spans):
                continue
            spans.append((a, b, _mask_for(kind, m.group())))
    return sorted(spans)


def redact_text(text: str | None) -> str | None:
    if not text:
        return text
    out, pos = [], 0
    for a, b, mask in find_spans(text):
        out.append(text[pos:a])
        out.append(mask)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def redact_words(words: list[Word]) -> list[Word]:
    """The words with sensitive runs masked. A number read out over several words becomes one
    word carrying the mask and spanning their times, so subtitles and JSON agree with the text."""
    by_speaker: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        by_speaker.setdefault(w.speaker, []).append(i)
    replaced: dict[int, Word | None] = {}
    for indices in by_speaker.values():
        pieces, offsets, pos = [], [], 0
        for i in indices:
            t = words[i].text.strip()
            offsets.append((pos, pos + len(t)))
            pieces.append(t)
            pos += len(t) + 1
        joined = " ".join(pieces)
        for a, b, mask in find_spans(joined):
            hit = [k for k, (s, e) in enumerate(offsets) if s < b and a < e]
            if not hit:
                continue
            first, last = hit[0], hit[-1]
            fs, _ = offsets[first]
            _, le = offsets[last]
            text = joined[fs:a] + mask + joined[b:le]
            w0, wn = words[indices[first]], words[indices[last]]
            lead = words[indices[first]].text[: len(w0.text) - len(w0.text.lstrip())]
            replaced[indices[first]] = replace(w0, text=lead + text, end=max(w0.end, wn.end))
            for k in hit[1:]:
                replaced[indices[k]] = None
    out = []
    for i, w in enumerate(words):
        if i in replaced:
            if replaced[i] is not None:
                out.append(replaced[i])
        else:
            out.append(w)
    return out
