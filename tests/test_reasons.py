"""Why the customer called: the reason of a spoken call through the real pipeline and encoder,
in `reviewer show --json` and its summary; a team's own reasons file in place of the default
list; and the phrase lists where there is no sentence encoder, which the call then says."""

from __future__ import annotations

import json
import logging

import pytest

from reviewer import actions
from reviewer.analysis import analyse_transcript, reasons
from reviewer.settings import load_reasons, load_settings


def store(library, result, path) -> int:
    from reviewer.importer import store_result
    from reviewer.library.store import content_hash

    return store_result(library, path, content_hash(path), result)[0]


def test_a_spoken_cancellation_call_is_about_cancelling_and_show_json_says_so(
    processed, clean, library_location, capsys
):
    from reviewer.cli import main
    from reviewer.library import open_library

    result = processed("clean")
    reason = result.analysis.reason
    assert reason is not None and reason.name == "cancel", reason
    assert reason.method == "embedding" and reason.label == "Cancel or close"
    assert "cancel my internet" in reason.text.lower()  # the customer's turn that says it
    customer = next(s.id for s in result.transcript.speakers if s.role == "customer")
    assert reason.speaker == customer and reason.start is not None and reason.start > 2.0

    location = library_location()
    with open_library(location) as lib:
        call_id = store(lib, result, clean[1])
    assert main(["--library", str(location), "show", str(call_id), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["reason"]["name"] == "cancel" and doc["reason"]["method"] == "embedding"
    assert doc["reason"]["start"] == pytest.approx(reason.start, abs=0.01)
    assert main(["--library", str(location), "show", str(call_id)]) == 0
    assert "reason: Cancel or close (" in capsys.readouterr().out


def test_a_teams_reasons_file_replaces_the_default_list(processed, tmp_path, monkeypatch):
    mine = tmp_path / "reasons.toml"
    mine.write_text(
        """
threshold = 0.8
[[reason]]
name = "moving_house"
label = "Moving house"
examples = ["I'm moving next month.", "We are relocating.", "I need my service at my new address."]
[[reason]]
name = "speed"
label = "Slow internet"
examples = ["My internet is really slow.", "The speed is not what I pay for.", "Pages take forever to load."]
"""
    )
    result = processed("clean")  # "I'm calling because I want to cancel my internet service."
    settings = load_settings(reasons_file=mine)
    assert [r.name for r in settings.reasons.reasons] == ["moving_house", "speed"]
    _, analysis = analyse_transcript(result.transcript, settings)
    assert analysis.reason.name in {"moving_house", "speed", reasons.OTHER}
    assert analysis.reason.name != "cancel"  # the default list is gone, not merged
    # The same file in the user's config folder is the list every analysis uses.
    config = tmp_path / "config"
    config.mkdir()
    (config / "reasons.toml").write_text(mine.read_text())
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(config))
    assert [r.label for r in load_reasons().reasons] == ["Moving house", "Slow internet"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[reason]]\nname = "x"\n')
    with pytest.raises(Exception, match="needs at least one example"):
        load_reasons(bad)


def test_without_the_encoder_the_phrase_lists_give_the_reason_and_say_so(processed, caplog, capsys):
    from reviewer.cli.calls import _print_summary
    from reviewer.document import call_document
    from reviewer.model import Analysis

    result = processed("clean")
    t = result.transcript
    listed = load_reasons()
    reasons._said_fallback.clear()
    with caplog.at_level(logging.WARNING, logger="reviewer.analysis.reasons"):
        first = reasons.call_reason(t.speakers, t.turns, listed, encoder=None)
        reasons.call_reason(t.speakers, t.turns, listed, encoder=None)
    assert first.name == "cancel" and first.method == "phrases"
    said = [r.getMessage() for r in caplog.records if "sentence embeddings are off" in r.getMessage()]
    assert len(said) == 1  # once, not per call
    doc = call_document(t, Analysis(result.analysis.markers, result.analysis.metrics, first))
    _print_summary("clean", doc)
    assert "by phrases: sentence embeddings are off" in capsys.readouterr().out


def test_a_call_with_no_customer_turn_has_no_reason_and_an_unlisted_one_is_other(settings):
    from reviewer.model import Speaker, Turn

    agent, customer = Speaker("A", "agent"), Speaker("C", "customer")
    assert reasons.call_reason([agent], [Turn("A", 0, 2, "Hello, how can I help?")], settings.reasons) is None
    turns = [
        Turn("A", 0, 2, "Hello, how can I help?"),
        Turn("C", 2, 5, "Is this the pharmacy on Elm Street?"),
    ]
    got = reasons.call_reason([agent, customer], turns, settings.reasons)
    assert got.name == reasons.OTHER and got.text == ""
    assert actions  # the package imports as the app does
