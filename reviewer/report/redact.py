"""Finding what a redacted export hides in a text: card numbers with their expiry dates and
security codes, social security numbers, dates of birth, e-mail addresses, phone and other long
numbers, and the user's own words. Pure text in, character spans out; which of them a call's
exports hide is decided once, in ``report.redaction``.

Whisper writes what people say, not what they mean: digits as numerals or words ("4111 1111" or
"four one one one"), an e-mail as "jane dot goat at example dot com", "Jane .goatexample .com" or
"j -a -n -e at gmail". Dates, codes and short numbers are only sensitive after the words that say
what they are ("date of birth", "expires", "CVV", "last four of your social"), so those finders
look for the context first and then for a value within a few words of it: "the 3 digits on the
back are 412" is a security code, a 3-digit number alone is not, and neither is an amount, a
time or any other date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """What a kind of find is called: its mask in the text and its name in a count."""

    mask: str
    one: str
    many: str

    def count(self, n: int) -> str:
        return f"{n} {self.one if n == 1 else self.many}"


# Every kind a redaction can hide, in the order a count of them is worded (and, where finds
# overlap, the first kind names the whole).
KINDS: dict[str, Kind] = {
    "card number": Kind("[card number]", "card number", "card numbers"),
    "expiry date": Kind("[expiry date]", "card expiry date", "card expiry dates"),
    "security code": Kind("[security code]", "security code", "security codes"),
    "email": Kind("[email]", "e-mail address", "e-mail addresses"),
    "date of birth": Kind("[date of birth]", "date of birth", "dates of birth"),
    "social security number": Kind(
        "[social security number]", "social security number", "social security numbers"
    ),
    "phone number": Kind("[phone number]", "phone number", "phone numbers"),
    "number": Kind("[number]", "other long number", "other long numbers"),
    "word list": Kind("[redacted]", "listed word", "listed words"),
    "added": Kind("[redacted]", "by hand", "by hand"),
}
RANK = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Find:
    start: int
    end: int
    kind: str


# -- numbers as Whisper writes them -------------------------------------------------------------

_UNITS = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine)"
_TEENS = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_TENS = r"(?:twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety)"
_ORDINAL_UNITS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_ORDINAL_WORDS = (
    rf"(?:{_TENS}[\s-]+{_ORDINAL_UNITS}|twentieth|thirtieth|{_ORDINAL_UNITS}|tenth|eleventh|twelfth|"
    r"(?:thir|four|fif|six|seven|eigh|nine)teenth)"
)
_NUMBER_WORD = rf"(?:{_TENS}(?:[\s-]+{_UNITS})?|{_TEENS}|{_UNITS}|hundred|thousand|double|triple)"
_NUMBER_TOKEN = rf"(?:\d+(?:st|nd|rd|th)?|{_NUMBER_WORD})(?![\w'])"
# Numbers said one after another, however Whisper joins them: "04/27", "3 -0 3 -85", "0 .427",
# "oh four twenty seven", "six, seven, eight, nine", "two thousand and three".
_NUMBER_RUN = rf"{_NUMBER_TOKEN}(?:(?:\s*[,./-]\s*|\s+|\s+and\s+(?=[a-z]))(?:{_NUMBER_TOKEN}))*"
# "May" and the short names only as names, capitalised: "I may have 2", "mar", "sep" are words.
_MONTH = (
    r"(?:january|february|march|april|june|july|august|september|october|november|december|"
    r"(?-i:May|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b)\.?"
)
_DAY = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORDS}|{_TENS}(?:[\s-]+{_UNITS})?|{_TEENS}|{_UNITS})(?![\w'])"
)
_SEP = r"(?:\s*,\s*|\s+)"
_DATE_IN_WORDS = (
    rf"(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:{_SEP}(?:of\s+)?{_NUMBER_RUN})?"  # the 3rd of March 1985
    rf"|{_MONTH}(?:\s+the)?\s+{_DAY}(?:{_SEP}{_NUMBER_RUN})?"  # March 3rd, 1985
    rf"|{_MONTH}{_SEP}(?:of\s+)?{_NUMBER_RUN}"  # April 2027
)

_NUMBER_RE = re.compile(_NUMBER_RUN, re.IGNORECASE)
_DATE_RE = re.compile(rf"(?:{_DATE_IN_WORDS})(?![\w'])", re.IGNORECASE)
_WORD_DIGITS = {
    **dict.fromkeys("zero oh o nought one two three four five six seven eight nine".split(), 1),
    **dict.fromkeys("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen".split(), 2),
    **dict.fromkeys("nineteen twenty thirty forty fourty fifty sixty seventy eighty ninety".split(), 2),
}
_UNITS_AFTER_TENS = re.compile(rf"\b{_TENS}[\s-]+{_UNITS}\b", re.IGNORECASE)
# A number followed by one of these is an amount, a time or a length, never a code or a date.
_NOT_A_CODE_AFTER = re.compile(
    r"\s*(?:%|percent|dollars?|bucks|cents?|pounds?|euros?|pm|am|p\.m\.|a\.m\.|o'clock|seconds?|"
    r"minutes?|hours?|days?|weeks?|months?|years?|times|calls?|people|items?)\b",
    re.IGNORECASE,
)


def digit_count(text: str) -> int:
    """How many digits a run of numbers says: "04/27" 4, "oh four twenty seven" 4."""
    digits = sum(c.isdigit() for c in text)
    words = _UNITS_AFTER_TENS.sub(lambda m: m.group().split()[0].split("-")[0], text.lower())
    return digits + sum(_WORD_DIGITS.get(w, 0) for w in re.findall(r"[a-z]+", words))


# -- what the context says a value is -----------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    kind: str
    trigger: re.Pattern[str]
    values: tuple[str, ...]  # "number" (a run of numbers) and/or "date" (a date in words)
    digits: tuple[int, int]  # how many digits a run of numbers must say (at least, at most)


_CONTEXTS = (
    _Context(
        "date of birth",
        re.compile(
            r"\b(?:date\s+(?:of|on|a|o|for)\s+birth|birth\s*date|birthday|d\.?\s?o\.?\s?b\b\.?|born)\b",
            re.IGNORECASE,
        ),
        ("date", "number"),
        (3, 8),
    ),
    _Context(
        "social security number",
        re.compile(
            r"\b(?:social(?!\s+(?:media|workers?|services?|clubs?|life|skills|events?|networks?|"
            r"distancing|studies|science|security\s+(?:office|administration|benefits?|checks?|"
            r"payments?)))(?:\s+security)?(?:\s+(?:number|no\.?))?|socials|ssn|s\.\s?s\.\s?n\.?)(?!\w)",
            re.IGNORECASE,
        ),
        ("number",),
        (4, 9),
    ),
    _Context(
        "expiry date",
        re.compile(
            r"\b(?:expir\w*|expiry|exp\b\.?|exploration\s+date|valid\s+(?:thru|through|until|till)|"
            r"good\s+(?:thru|through|until|till))",
            re.IGNORECASE,
        ),
        ("date", "number"),
        (3, 6),
    ),
    _Context(
        "security code",
        re.compile(
            r"\b(?:cvv2?|cvc2?|cv2|cvn|cvm|card\s+verification\s+(?:code|value|number)|"
            r"security\s+code|(?:three|four|3|4)[\s-]+digits?(?:\s+(?:code|number))?\s+"
            r"(?:on|at|from)\s+the\s+(?:back|front|reverse|card|car)(?:\s+of\s+(?:the|your|my)\s+card)?)\b",
            re.IGNORECASE,
        ),
        ("number",),
        (3, 4),
    ),
)
CONTEXT_WORDS = 8  # a value must start within this many words after the words that name it
_AFTER_A_NUMBER = re.compile(rf"(?:\d|(?<![\w']){_NUMBER_WORD})[\s,./-]*$", re.IGNORECASE)
_WORD_START = re.compile(r"(?<![\w'$£€])(?=[\w$£€])")


def _value_after(text: str, pos: int, context: _Context) -> tuple[int, int] | None:
    """Where the value ``context`` names starts and ends, within a few words after ``pos``."""
    starts = []
    for m in _WORD_START.finditer(text, pos):
        starts.append(m.start())
        if len(starts) > CONTEXT_WORDS:
            break
    for a in starts:
        if text[a] in "$£€" or _AFTER_A_NUMBER.search(text, max(0, a - 40), a):
            continue  # an amount, or the middle of a longer number
        if "date" in context.values and (m := _DATE_RE.match(text, a)):
            return a, m.end()
        if "number" in context.values and (m := _NUMBER_RE.match(text, a)):
            lo, hi = context.digits
            if m.group()[0].isalpha() and digit_count(m.group()) < 2:
                continue  # "one", "oh": words, not a value
            if not lo <= digit_count(m.group()) <= hi or _NOT_A_CODE_AFTER.match(text, m.end()):
                continue
            return a, m.end()
    return None


def _context_finds(text: str) -> Iterator[Find]:
    for context in _CONTEXTS:
        for m in context.trigger.finditer(text):
            if value := _value_after(text, m.end(), context):
                yield Find(value[0], value[1], context.kind)


# -- e-mail addresses ------------------------------------------------------------------------

_TLD = r"(?:com|net|org|edu|gov|co|uk|us|ca|io|info|biz|de|fr|au|ie|nz|me)"
_PROVIDERS = (
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|aol|icloud|protonmail|proton|gmx|comcast|"
    r"verizon|btinternet|zoho|yandex)"
)
# Words that come before "at" in speech but are not the start of an address ("call us at ...").
_NOT_LOCAL = (
    r"(?:us|me|you|him|her|them|it|we|i|a|an|the|this|that|these|those|home|work|least|all|once|"
    r"first|last|look|looking|here|there|night|noon|midnight|school|times|time|best|most|dot|at|or|"
    r"and|is|was|be|on|in|of|to|my|your|our|their|his|its|email|mail|address|com|up|out|back|off|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|am|pm|about|around|just|only|still|even|again|arrive|arrived)"
)
_SPELLED = r"(?<![\w'])[a-z](?:(?:\s*[,.]?\s+|\s*-\s*)[a-z](?![\w'])){2,}\.?"
_PART = r"[a-z0-9+]+(?![\w'])"
_FIRST_PART = rf"(?:{_SPELLED}|(?!{_NOT_LOCAL}(?![\w'])){_PART})"
_DOT = r"(?:\s+\.\s*|\.(?!\s)|\s+dot\s+)"  # not "end. Start": that is a sentence
_AT = r"(?:\s*@\s*|\s+at\s+)"
_OTHER = r"(?:\s*[_-]\s*|\s+(?:underscore|dash|hyphen)\s+)"
_EMAIL_SEP = rf"(?:{_DOT}|{_AT}|{_OTHER})"
_EMAIL_CHAIN = re.compile(
    rf"(?<![\w@.'])(?P<chain>{_FIRST_PART}{_EMAIL_SEP}(?:(?:{_SPELLED}|{_PART}){_EMAIL_SEP})*)"
    rf"(?P<end>{_TLD}|{_PROVIDERS})(?![\w'])",
    re.IGNORECASE,
)
_EMAIL_WRITTEN = re.compile(r"[\w.+-]+\s?@\s?[\w-]+(?:\s?\.\s?[\w-]+)+", re.IGNORECASE)
_EMAIL_CONTEXT = re.compile(r"\b(?:e-?mail|mail|address)\b", re.IGNORECASE)


def _email_finds(text: str) -> Iterator[Find]:
    for m in _EMAIL_WRITTEN.finditer(text):
        yield Find(m.start(), m.end(), "email")
    for m in _EMAIL_CHAIN.finditer(text):
        chain, end = m.group("chain"), m.group("end")
        provider = re.fullmatch(_PROVIDERS, end, re.IGNORECASE)
        if not provider and not re.search(rf"{_DOT}$", chain, re.IGNORECASE):
            continue  # "... at example com": no dot before the ending
        if provider and not re.search(rf"{_AT}$", chain, re.IGNORECASE):
            continue  # a provider alone counts only right after "at"
        separators = len(re.findall(_EMAIL_SEP, chain, re.IGNORECASE))
        said_at = re.search(_AT, chain, re.IGNORECASE)
        told = _EMAIL_CONTEXT.search(text, max(0, m.start() - 40), m.start())
        if said_at or separators >= 2 or told:
            if not re.match(r"www\b", chain, re.IGNORECASE):
                yield Find(m.start(), m.end(), "email")


# -- long numbers, SSNs written out ----------------------------------------------------------

_DIGIT_WORDS = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|triple)"
# 5+ digits, possibly grouped by spaces, dashes, dots or brackets: "4111 1111 1111 1111",
# "(555) 123-4567", "+44 20 7946 0958", "00123456", and digits read one by one as Whisper
# writes them ("4, 5, 5, 6, ..."); "1,000,000" (no space after the commas) is an amount, and so
# is what follows a currency sign or a digit and a comma or point ("$1,500.00", "$15000").
_NOT_AFTER = r"(?<![\w$£€])(?<!\d[,.])"
_DIGITS = re.compile(rf"{_NOT_AFTER}\+?\(?\d(?:(?:[\s().-]{{0,3}}|,\s{{1,2}})\d){{4,}}(?![\w])")
_DIGITS_IN_WORDS = re.compile(rf"\b{_DIGIT_WORDS}(?:[\s,-]+{_DIGIT_WORDS}){{5,}}\b", re.IGNORECASE)
_SSN_WRITTEN = re.compile(r"(?<![\w-])\d{3}([ -])\d{2}\1\d{4}(?![\w-])")
# A card read out in groups, with a digit or two misheard as a letter: a lone letter among the
# groups ("453 -I -1488 -0343 -6467": the "1" heard as "I"), or one letter that looks like a digit
# glued to a group ("4532 l111 0343 6467", "O343" for "0343", "4S32" for "4532"). Groups of digits
# joined as ``_DIGITS`` joins them, with at most ``MISHEARD_TOKENS`` letters among them in all and
# at most one in a group; a card number when the digits and letters together are 13 to 19.
MISHEARD_TOKENS = 2
_GROUP_SEP = r"(?:[\s().-]{1,3}|,\s{1,2})"
_LOOKS_LIKE_A_DIGIT = r"(?-i:[lIiOoSBZ])"  # 1, 1, 1, 0, 0, 5, 8, 2; case matters: "5s", "1st" are words
_GLUED = rf"(?:\d+{_LOOKS_LIKE_A_DIGIT}\d*|{_LOOKS_LIKE_A_DIGIT}\d+)"
_GROUP = rf"(?:\d+|{_GLUED})(?![\w'])"
_LOOSE_DIGITS = re.compile(
    rf"{_NOT_AFTER}(?<!')(?:{_GROUP}(?:{_GROUP_SEP}(?:[a-z](?![\w'])|{_GROUP}))*{_GROUP_SEP}{_GROUP}"
    rf"|{_GLUED}(?![\w']))",  # a card read as one glued run: "4532l11103436467"
    re.IGNORECASE,
)
_MISHEARD_LETTER = re.compile(
    rf"(?<![\w'])[a-z](?![\w'])|(?<=\d){_LOOKS_LIKE_A_DIGIT}|{_LOOKS_LIKE_A_DIGIT}(?=\d)", re.IGNORECASE
)
_WORD_VALUES = {"double": 0, "triple": 0}


def _digits_kind(text: str) -> str:
    n = sum(c.isdigit() for c in text) or sum(
        1 for w in re.findall(r"[a-z]+", text.lower()) if w not in _WORD_VALUES
    )
    if 13 <= n <= 19:
        return "card number"
    if 7 <= n <= 12 and (text.lstrip().startswith(("+", "(")) or re.search(r"\d{3}[\s.-]\d{4}\b", text)):
        return "phone number"
    if n in (10, 11):
        return "phone number"
    return "number"


def _number_finds(text: str) -> Iterator[Find]:
    for m in _SSN_WRITTEN.finditer(text):
        yield Find(m.start(), m.end(), "social security number")
    for pattern in (_DIGITS, _DIGITS_IN_WORDS):
        for m in pattern.finditer(text):
            yield Find(m.start(), m.end(), _digits_kind(m.group()))
    for m in _LOOSE_DIGITS.finditer(text):
        letters = len(_MISHEARD_LETTER.findall(m.group()))
        if 0 < letters <= MISHEARD_TOKENS and 13 <= sum(c.isdigit() for c in m.group()) + letters <= 19:
            yield Find(m.start(), m.end(), "card number")


def word_list_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """The user's own words and phrases (settings.toml ``[redaction] words``), whole words only."""
    parts = [r"\s+".join(re.escape(w) for w in p.split()) for p in phrases if p.strip()]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def find_spans(text: str, words: tuple[str, ...] = ()) -> list[Find]:
    """Everything to hide in ``text``, in order; finds that overlap are one, named by the first
    of their kinds in ``KINDS``. ``words``: the user's own words and phrases to hide too."""
    finds = [*_context_finds(text), *_email_finds(text), *_number_finds(text)]
    if (user := word_list_pattern(words)) is not None:
        finds += [Find(m.start(), m.end(), "word list") for m in user.finditer(text)]
    out: list[Find] = []
    for f in sorted(finds, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            prev = out[-1]
            kind = min(prev.kind, f.kind, key=RANK.__getitem__)
            out[-1] = Find(prev.start, max(prev.end, f.end), kind)
        else:
            out.append(f)
    return out


def mask_text(text: str, words: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """``text`` with every find masked, and the kinds of what was masked."""
    out, pos, kinds = [], 0, []
    for f in find_spans(text, words):
        out += [text[pos : f.start], KINDS[f.kind].mask]
        kinds.append(f.kind)
        pos = f.end
    out.append(text[pos:])
    return "".join(out), kinds


def redact_text(text: str | None, words: tuple[str, ...] = ()) -> str | None:
    """A text that belongs to no moment of the call (a comment, a note) with its finds masked."""
    if not text:
        return text
    return mask_text(text, words)[0]
