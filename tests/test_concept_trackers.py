"""Concept trackers: a tracker given by example sentences finds what a spoken call said in other
words, where the phrase tracker a coach would write for it finds nothing; the library keeps it
(examples and threshold) and applies it when a call is stored and when it changes; the command
line adds and lists it; phrase trackers keep working as they did."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reviewer import actions
from reviewer.analysis.trackers import DEFAULT_THRESHOLD, SIMILAR, tracker_hits, tracker_problems
from reviewer.errors import ReviewerError
from reviewer.model import Tracker

ASKS_FOR_ACCOUNT = Tracker(
    "asks for the account",
    (),
    "agent",
    examples=(
        "What's the account number, please?",
        "Could you tell me the phone number on the account?",
        "Can you verify your date of birth for me?",
    ),
)
# What a coach might write for the same concept: none of it is what the agent says in the call.
ACCOUNT_PHRASES = Tracker(
    "account phrases", ("what is your account number", "can i get your account number"), "agent"
)


def store(library, result, path) -> int:
    from reviewer.importer import store_result
    from reviewer.library.store import content_hash

    return store_result(library, path, content_hash(path), result)[0]


def test_a_concept_tracker_finds_a_paraphrase_no_phrase_tracker_finds_stored_and_reapplied(
    processed, clean, library_location
):
    from reviewer.library import open_library

    result = processed("clean")  # the agent: "Can I have your account number, please?"
    with open_library(library_location()) as lib:
        assert actions.trackers.add_tracker(lib, ASKS_FOR_ACCOUNT) == 0  # no call yet
        actions.trackers.add_tracker(lib, ACCOUNT_PHRASES)
        call_id = store(lib, result, clean[1])  # applied on store
        hits = lib.tracker_hits(call_id)
        found = [h for h in hits if h.tracker == ASKS_FOR_ACCOUNT.name]
        assert [h.tracker for h in hits].count(ACCOUNT_PHRASES.name) == 0
        assert len(found) == 1 and "account number" in found[0].text.lower()
        assert (
            found[0].phrase.startswith(SIMILAR)
            and found[0].phrase[len(SIMILAR) :] in ASKS_FOR_ACCOUNT.examples
        )
        agent = next(s.id for s in result.transcript.speakers if s.role == "agent")
        assert found[0].speaker == agent

        kept = next(t for t in lib.trackers() if t.name == ASKS_FOR_ACCOUNT.name)
        assert kept.examples == ASKS_FOR_ACCOUNT.examples and kept.threshold is None
        assert next(t for t in lib.trackers() if t.name == ACCOUNT_PHRASES.name).examples == ()

        # Re-applied to the stored call when it changes: a strict threshold finds nothing, and
        # the tracker keeps it.
        assert actions.trackers.add_tracker(lib, replace(ASKS_FOR_ACCOUNT, threshold=0.99)) == 0
        assert next(t for t in lib.trackers() if t.name == ASKS_FOR_ACCOUNT.name).threshold == 0.99
        assert actions.trackers.add_tracker(lib, ASKS_FOR_ACCOUNT) == 1
        assert lib.calls_with_tracker(ASKS_FOR_ACCOUNT.name) == [call_id]


def test_the_command_line_adds_and_lists_a_concept_tracker(library_location, capsys):
    from reviewer.cli import main

    location = str(library_location())
    examples = [a for e in ASKS_FOR_ACCOUNT.examples for a in ("--example", e)]
    assert main(["--library", location, "tracker", "add", "account", "--side", "agent", *examples]) == 0
    assert "Tracker 'account': 0 hits in 0 calls." in capsys.readouterr().out
    args = ["--library", location, "tracker", "add", "strict", *examples, "--threshold", "0.9"]
    assert main(args) == 0
    assert main(["--library", location, "tracker", "list"]) == 0
    out = capsys.readouterr().out
    assert (
        'account: like "What\'s the account number, please?"' in out and f"(≥ {DEFAULT_THRESHOLD:.2f})" in out
    )
    assert "(≥ 0.90)" in out
    assert main(["--library", location, "tracker", "add", "two", "--example", "a b", "--example", "c d"]) != 0
    assert "at least 3 example sentences" in capsys.readouterr().err


def test_what_a_tracker_may_be_and_the_phrase_lists_without_the_encoder(processed):
    t = processed("clean").transcript
    assert tracker_problems(ASKS_FOR_ACCOUNT) == []
    assert tracker_problems(replace(ASKS_FOR_ACCOUNT, examples=ASKS_FOR_ACCOUNT.examples[:2]))
    assert tracker_problems(replace(ASKS_FOR_ACCOUNT, threshold=1.5))
    assert "at least one phrase, or example sentences" in tracker_problems(Tracker("empty", ()))[0]
    with pytest.raises(ReviewerError):
        actions.trackers.add_tracker(None, replace(ASKS_FOR_ACCOUNT, examples=("one",)))  # refused first
    # Phrase trackers unchanged; a concept tracker with no encoder finds only its own phrases.
    both = replace(ASKS_FOR_ACCOUNT, phrases=("account number",))
    by_phrase = tracker_hits([both], t.speakers, t.turns, t.duration, encoder=None)
    assert [h.phrase for h in by_phrase] == ["account number"]
    assert tracker_hits([ASKS_FOR_ACCOUNT], t.speakers, t.turns, t.duration, encoder=None) == []
    phrases = tracker_hits([Tracker("cancel", ("cancel*",), "customer")], t.speakers, t.turns, t.duration)
    assert phrases and all(h.phrase == "cancel*" for h in phrases)
