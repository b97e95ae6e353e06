"""How the customer felt, turn by turn, and whether they ended the call better or worse: the
sentiment model as it ships, with the real sentence encoder, and its text-only fallback."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from reviewer import refusal_training as rt
from reviewer.analysis import analyse_transcript
from reviewer.analysis.sentiment import TEXT_ONLY_NOTE, bundled_model, sentiment
from reviewer.document import call_document
from reviewer.model import Transcript, Word

ANGRY_THEN_RELIEVED = [
    ("agent", "Thanks for calling Northwind, this is Sam, how can I help?"),
    (
        "customer",
        "I've been on hold for forty minutes and my internet has been dead for two days. This is a joke.",
    ),
    ("agent", "I'm sorry about that. Let me look at your line. What's the account number?"),
    ("customer", "It's four four one two nine."),
    ("agent", "I see a fault on the line. I've reset it from here, could you check now?"),
    ("customer", "Hang on. Okay, the lights are green."),
    ("agent", "And I've credited you for the two days."),
    ("customer", "Oh, that's brilliant, thank you so much. What a relief."),
    ("customer", "You've been really helpful, honestly."),
]


def transcript_of(lines: list[tuple[str, str]]) -> Transcript:
    """The dialogue as a two-channel call's words: each turn's words spread over its time."""
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in lines]})
    words = []
    for turn in turns:
        parts = turn.text.split()
        step = (turn.end - turn.start) / len(parts)
        words += [
            Word(turn.start + i * step, turn.start + (i + 1) * step, w, turn.speaker)
            for i, w in enumerate(parts)
        ]
    return Transcript(
        duration=turns[-1].end + 1.0,
        channels=2,
        speaker_split="channels",
        speakers=list(rt.SPEAKERS),
        words=words,
        segments=[],
    )


def test_an_angry_customer_who_ends_relieved_ended_better(settings):
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in ANGRY_THEN_RELIEVED]})
    s = sentiment(rt.SPEAKERS, turns, settings)
    assert s.method == "sentence embeddings" and s.note == ""
    customer = [t for t in s.turns if t.speaker == "S2"]
    assert customer[0].label == "negative" and customer[0].score < -0.3
    assert customer[-2].label == "positive" and customer[-1].label == "positive"
    assert customer[1].label == "neutral"  # reading out an account number
    assert s.customer.change == "better" and s.customer.start < 0 < s.customer.end
    assert all(-1 <= t.score <= 1 for t in s.turns)
    assert len(s.turns) == len(turns)  # every turn of both parties


def test_a_customer_who_grows_angrier_ended_worse(settings):
    worse = [
        ("customer", "Hi, I'd like to check when my parcel will arrive."),
        ("agent", "It's delayed at the depot, it should come next week."),
        ("customer", "Next week? I was promised Tuesday."),
        ("agent", "There's nothing I can do about the depot."),
        ("customer", "This is ridiculous. I'm never ordering from you again."),
    ]
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in worse]})
    s = sentiment(rt.SPEAKERS, turns, settings)
    assert s.customer.change == "worse"
    assert [t.label for t in s.turns if t.speaker == "S2"][-1] == "negative"


FLAT = [
    ("customer", "Hi, I need to update my address."),
    ("agent", "Sure, what's the new address?"),
    ("customer", "Twelve Oak Street, apartment four."),
    ("agent", "Done, anything else?"),
    ("customer", "No, that's all, bye."),
]


def test_a_flat_call_is_neutral_turn_by_turn(settings):
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in FLAT]})
    assert {t.label for t in sentiment(rt.SPEAKERS, turns, settings).turns} == {"neutral"}


@pytest.mark.xfail(
    strict=True,
    reason="known weakness: the trend averages scores, and a neutral 'No, that's all, bye' scores -0.29, "
    "which tips a flat call to 'worse' (test S1: 10 of 21 'same' calls heard better or worse)",
)
def test_a_flat_call_ended_the_same(settings):
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in FLAT]})
    assert sentiment(rt.SPEAKERS, turns, settings).customer.change == "same"


def test_without_the_encoder_sentiment_still_labels_and_says_so_once(settings):
    plain = bundled_model().without_embedding()
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in ANGRY_THEN_RELIEVED]})
    s = sentiment(rt.SPEAKERS, turns, settings, plain)
    assert s.method == "text only" and s.note == TEXT_ONLY_NOTE
    assert {t.label for t in s.turns} <= {"negative", "neutral", "positive"}
    assert len(s.turns) == len(turns)
    assert [t.label for t in s.turns if t.speaker == "S2"][0] == "negative"
    transcript, analysis = analyse_transcript(transcript_of(ANGRY_THEN_RELIEVED), settings)
    doc = call_document(transcript, replace(analysis, sentiment=s))
    text = json.dumps(doc)
    assert text.count(TEXT_ONLY_NOTE) == 1  # once for the call, not on every turn
    assert doc["sentiment"]["method"] == "text only"


def test_the_json_document_carries_each_turns_sentiment_and_the_trend(settings):
    transcript, analysis = analyse_transcript(transcript_of(ANGRY_THEN_RELIEVED), settings)
    doc = json.loads(json.dumps(call_document(transcript, analysis)))
    s = doc["sentiment"]
    assert s["method"] == "sentence embeddings" and "note" not in s
    assert s["customer"]["change"] == "better"
    assert s["agent"]["change"] in ("better", "same", "worse")
    assert len(s["turns"]) == len(doc["turns"])
    first = s["turns"][1]
    assert first["speaker"] == doc["turns"][1]["speaker"] == "S2"
    assert (first["start"], first["end"]) == (doc["turns"][1]["start"], doc["turns"][1]["end"])
    assert first["label"] == "negative" and -1 <= first["score"] < 0
