"""What a call's redacted exports hide: one list of spans, each with its kind and times, and
the masking of a call's words, turns and markers from that list. Every redacted export, text or
audio, hides exactly these spans, so what a report's notice counts is what was hidden.

The list is what the finders (``report.redact``) find in the call's words, less what a coach took
out, plus what a coach added (in the redaction preview, or ``reviewer redaction add``).

Spans are found in the words with their times. A number read out digit by digit comes as many
Whisper words ("4," "5," "5," ...), maybe over several turns and split by the other party's
"okay": each speaker's words are searched as one stream (pauses of up to ``JOIN_GAP_S`` joined),
and so are everyone's words in time order (in case a digit went to the wrong speaker, and for an
answer to the other side's question: "Your date of birth?" "March 3rd, 1985.")."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, replace

from reviewer.model import Marker, MillisecondSpan, RedactionEdit, Turn, Word
from reviewer.report.redact import KINDS, RANK, find_spans
from reviewer.report.source import CallSource
from reviewer.settings import Settings

JOIN_GAP_S = 6.0  # one speaker's words closer than this are searched as one stream ...
BACKCHANNEL_WORDS = 2  # ... unless the other side said more words than this meanwhile
_PUNCT = ",;:!?\"'“”‘’()[]"
_TRAILING = re.compile(r"[.,;:!?]+$")


@dataclass(frozen=True)
class RedactionSpan(MillisecondSpan):
    """A stretch of the call to hide (ms; redacted audio adds its margin each side)."""

    start_ms: int
    end_ms: int
    kind: str  # one of report.redact.KINDS: "card number", "email", ..., "added"
    speaker: str | None = None  # whose words it hides; None: anyone's in that time
    source: str = "found"  # "found" in the words, or "added" by a coach

    @property
    def mask(self) -> str:
        return KINDS[self.kind].mask

    def hides(self, word: Word) -> bool:
        """Whether this span hides ``word``: it overlaps the word's time and is about its speaker."""
        a, b = _ms(word.start), _ms(word.end)
        return (
            self.start_ms < b and a < self.end_ms and (self.speaker is None or self.speaker == word.speaker)
        )


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _clean(text: str) -> str:
    t = text.strip().strip(_PUNCT)
    return t[:-1] if t.endswith(".") else t


def _streams(words: list[Word]) -> list[list[int]]:
    """Index lists to search: each speaker's words, and everyone's in time order, cut at long
    pauses; a speaker's words are cut too where the other side said more than a backchannel
    meanwhile (the year of a birth date and the answer to the next question are two numbers)."""
    order = sorted(range(len(words)), key=lambda i: (words[i].start, words[i].end))
    groups: list[list[int]] = []
    for key in [*sorted({w.speaker for w in words}), None]:
        run: list[int] = []
        last_end = None
        others = 0  # the other side's words since this speaker's last one
        for i in order:
            if not _clean(words[i].text):
                continue
            if key is not None and words[i].speaker != key:
                others += 1
                continue
            if run and (
                (last_end is not None and words[i].start - last_end > JOIN_GAP_S)
                or others > BACKCHANNEL_WORDS
            ):
                groups.append(run)
                run = []
            others = 0
            run.append(i)
            last_end = words[i].end if last_end is None else max(last_end, words[i].end)
        if run:
            groups.append(run)
    return groups


def find_call_spans(words: list[Word], extra_words: tuple[str, ...] = ()) -> list[RedactionSpan]:
    """Where the words say something to hide (see ``report.redact``), or one of the user's
    ``extra_words``; overlapping finds are merged."""
    found: list[RedactionSpan] = []
    for stream in _streams(words):
        pieces, offsets, pos = [], [], 0
        for i in stream:
            t = _clean(words[i].text)
            offsets.append((pos, pos + len(t)))
            pieces.append(t)
            pos += len(t) + 1
        for f in find_spans(" ".join(pieces), extra_words):
            covered = [stream[k] for k, (s, e) in enumerate(offsets) if s < f.end and f.start < e]
            if not covered:
                continue
            speakers = {words[i].speaker for i in covered}
            found.append(
                RedactionSpan(
                    min(_ms(words[i].start) for i in covered),
                    max(_ms(words[i].end) for i in covered),
                    f.kind,
                    speakers.pop() if len(speakers) == 1 else None,
                )
            )
    return _merge(found)


def _merge(spans: list[RedactionSpan]) -> list[RedactionSpan]:
    out: list[RedactionSpan] = []
    for s in sorted(spans, key=lambda s: (s.start_ms, -s.end_ms)):
        if out and s.start_ms < out[-1].end_ms and s.source == out[-1].source:
            prev = out[-1]
            kind = min(prev.kind, s.kind, key=RANK.__getitem__)
            speaker = prev.speaker if prev.speaker == s.speaker else None
            out[-1] = RedactionSpan(prev.start_ms, max(prev.end_ms, s.end_ms), kind, speaker, prev.source)
        else:
            out.append(s)
    return out


def apply_edits(found: list[RedactionSpan], edits: list[RedactionEdit]) -> list[RedactionSpan]:
    """The found spans less those a coach's "remove" overlaps, plus a coach's "add"s; in time order."""
    removed = [(e.start_ms, e.end_ms) for e in edits if e.action == "remove"]
    kept = [s for s in found if not any(a < s.end_ms and s.start_ms < b for a, b in removed)]
    added = [RedactionSpan(e.start_ms, e.end_ms, "added", None, "added") for e in edits if e.action == "add"]
    return sorted(kept + added, key=lambda s: (s.start_ms, s.end_ms))


def call_redactions(
    library: CallSource, call_id: int, settings: Settings, *, words: list[Word] | None = None
) -> list[RedactionSpan]:
    """What every redacted export of ``call_id`` hides: the spans found in its words (``words``
    when the caller has them loaded already), less those a coach took out, plus those a coach
    added; in time order. The one list: audio, clips and every text format mask from it."""
    if words is None:
        words = list(library.load_call(call_id).transcript.words)
    found = find_call_spans(words, settings.redact_words)
    return apply_edits(found, library.redaction_edits(call_id))


# -- masking what is said ----------------------------------------------------------------------


@dataclass(frozen=True)
class Hidden:
    """Words of one turn that one span hides, as said and as a redacted export writes them."""

    start_ms: int
    end_ms: int
    said: tuple[str, ...]
    mask: str
    masked: str  # the mask and the punctuation that ended what was said: "[date of birth]."


def _mask_run(words: list[Word], spans: list[RedactionSpan]) -> tuple[list[Word], list[Hidden]]:
    """One turn's words (in order) with each stretch a span hides made one word: its mask, the
    punctuation that ended the stretch, and the stretch's times."""
    if words:
        a, b = _ms(words[0].start), max(_ms(w.end) for w in words)
        spans = [s for s in spans if s.start_ms < b and a < s.end_ms]
    out: list[Word] = []
    hidden: list[Hidden] = []
    k = 0
    while k < len(words):
        span = next((s for s in spans if s.hides(words[k])), None)
        if span is None:
            out.append(words[k])
            k += 1
            continue
        j = k
        while j + 1 < len(words) and span.hides(words[j + 1]):
            j += 1
        run = words[k : j + 1]
        tail = _TRAILING.search(run[-1].text.strip())
        masked = span.mask + (tail.group() if tail else "")
        end = max(w.end for w in run)
        out.append(replace(run[0], text=masked, end=end))
        said = tuple(w.text.strip() for w in run)
        hidden.append(Hidden(_ms(run[0].start), _ms(end), said, span.mask, masked))
        k = j + 1
    return out, hidden


def mask_transcript(
    turns: list[Turn], words: list[Word], spans: list[RedactionSpan]
) -> tuple[list[Turn], list[Word], list[Hidden]]:
    """The turns and words with what ``spans`` hides masked (a turn's text is its words again),
    and each stretch hidden, to mask where markers quote it."""
    if not spans:
        return turns, words, []
    by_speaker: dict[str, list[Word]] = {}
    for w in sorted(words, key=lambda w: (w.start, w.end)):
        by_speaker.setdefault(w.speaker, []).append(w)
    starts = {speaker: [_ms(w.start) for w in ws] for speaker, ws in by_speaker.items()}
    taken: set[int] = set()
    out_turns: list[Turn] = []
    out_words: list[Word] = []
    hidden: list[Hidden] = []
    wordless: list[int] = []
    for t in turns:
        ws, at = by_speaker.get(t.speaker, []), starts.get(t.speaker, [])
        lo, hi = bisect_left(at, _ms(t.start) - 1), bisect_right(at, _ms(t.end) + 1)
        mine = [w for w in ws[lo:hi] if id(w) not in taken]
        taken.update(id(w) for w in mine)
        masked, found = _mask_run(mine, spans)
        out_words += masked
        hidden += found
        if not mine:
            wordless.append(len(out_turns))
        out_turns.append(replace(t, text=" ".join(w.text.strip() for w in masked)) if mine else t)
    for ws in by_speaker.values():  # words in no turn (there should be none)
        masked, found = _mask_run([w for w in ws if id(w) not in taken], spans)
        out_words += masked
        hidden += found
    for i in wordless:
        t = out_turns[i]
        out_turns[i] = replace(t, text=mask_quote(t.text, t.start, t.end, hidden))
    out_words.sort(key=lambda w: (w.start, w.end))
    return out_turns, out_words, hidden


def mask_quote(text: str, start: float, end: float, hidden: list[Hidden]) -> str:
    """``text`` that quotes what was said between ``start`` and ``end`` (a marker's "Push-back #1
    ...: what the agent said", maybe cut short with "…"), with the stretches hidden there masked:
    the whole stretch where it is quoted whole, else its beginning or its end where only that is."""
    a, b = _ms(start) - 500, _ms(end) + 500
    for h in sorted((h for h in hidden if h.start_ms < b and a < h.end_ms), key=lambda h: -len(h.said)):
        n = len(h.said)
        text = re.sub(rf"(?<!\S){re.escape(' '.join(h.said))}(?=\s|$|…)", h.masked, text)
        for size in range(n - 1, 0, -1):
            for part in (h.said[:size], h.said[n - size :]):
                text = re.sub(rf"(?<!\S){re.escape(' '.join(part))}(?=\s|$|…)", h.mask, text)
    return text


def mask_markers(markers: list[Marker], hidden: list[Hidden]) -> list[Marker]:
    return [replace(m, text=mask_quote(m.text, m.start, m.end, hidden)) for m in markers]


# -- saying what was hidden --------------------------------------------------------------------


def counted(kinds: list[str] | Counter) -> str:
    """The kinds counted in words, in the order of ``KINDS``: "2 card numbers, 2 by hand"."""
    counts = Counter(kinds)
    return ", ".join(KINDS[k].count(counts[k]) for k in KINDS if counts[k])


def hidden_summary(spans: list[RedactionSpan], elsewhere: list[str] | Counter | None = None) -> str:
    """What a redacted export hid, in words: "6 spans hidden: 2 card numbers, 1 e-mail address,
    1 date of birth, 2 by hand"; with ``elsewhere`` (the kinds masked in comments and notes),
    "; in comments and notes: 1 card number"; "no spans hidden" when there were none."""
    n = len(spans)
    text = "no spans hidden"
    if n:
        text = f"{n} span{'s' if n != 1 else ''} hidden: {counted([s.kind for s in spans])}"
    if elsewhere and (more := counted(elsewhere)):
        text += f"; in comments and notes: {more}"
    return text
