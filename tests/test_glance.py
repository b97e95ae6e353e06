"""The call at a glance (why the customer called, how each request ended, how the customer felt)
kept by the library: stored with the call, read back by `show --json`, caught up for calls an
older library stored, and shown in the app's summary, timeline and library list."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database
from test_outcome import TAKES_THE_DISCOUNT

from reviewer import actions
from reviewer import refusal_training as rt
from reviewer.library.schema import migrations


@pytest.mark.sqlite_only("an old library is a SQLite file, made here with SQLite")
def test_a_library_from_before_the_glance_judges_its_calls_once_when_opened(tmp_path):
    path = tmp_path / "old.sqlite"
    db = Database(sqlite3.connect(str(path), isolation_level=None))
    migrations.apply(db, stop_before="m014_call_glance")
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in TAKES_THE_DISCOUNT]})
    db["calls"].insert(
        {"content_hash": "h", "name": "old.wav", "duration_ms": int(turns[-1].end * 1000) + 1000}
    )
    db["speakers"].insert_all({"call_id": 1, "label": s.id, "role": s.role} for s in rt.SPEAKERS)
    db["turns"].insert_all(
        {
            "call_id": 1,
            "speaker": t.speaker,
            "start_ms": int(t.start * 1000),
            "end_ms": int(t.end * 1000),
            "text": t.text,
        }
        for t in turns
    )
    db.conn.close()
    with actions.library.open_library(path) as lib:  # as the app and the command line open it
        (row,) = lib.list_calls()
        assert (row.reason, row.reason_label, row.outcome) == ("cancel", "Cancel or close", "retained")
        assert row.sentiment_change in ("better", "same", "worse")
        stored = lib.load_call(1)
        (asked,) = stored.outcomes
        assert (asked.kind, asked.outcome, asked.evidence) == ("cancel", "retained", turns[3].text)
        assert asked.start == pytest.approx(turns[1].start, abs=0.001)
        assert stored.reason.text == turns[1].text and stored.reason.speaker == "S2"
        assert [t.speaker for t in stored.sentiment.turns] == [t.speaker for t in turns]  # every turn's
        assert all(t.label in ("negative", "neutral", "positive") for t in stored.sentiment.turns)
        assert stored.sentiment.customer.change == row.sentiment_change
        assert lib.unglanced_calls() == []
    with actions.library.open_library(path) as lib:
        assert not lib.unglanced  # once
