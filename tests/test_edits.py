"""A transcript a coach can fix: corrections of what was said, kept by time beside the words as
heard; refusals, trackers, search and exports read them at once; they survive corrections of who
said what and re-analysis; undo restores the words as heard."""

from __future__ import annotations

import json

import pytest

from reviewer import actions
from reviewer.actions.exports import ReportSource
from reviewer.cli import main
from reviewer.errors import ReviewerError
from reviewer.model import Tracker, TranscriptEdit, Word, edited_words


@pytest.fixture()
def library(library_location):
    from reviewer.library import open_library

    with open_library(library_location("edits")) as lib:
        yield lib


@pytest.fixture()
def stored(library, processed, pushback):
    from reviewer.importer import store_result
    from reviewer.library.store import content_hash

    return store_result(library, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]


def turn_saying(library, call_id, words: str):
    return next(t for t in library.load_call(call_id).transcript.turns if words in t.text.lower())


def test_new_words_spread_over_the_time_of_the_words_they_replace():
    heard = [
        Word(0.0, 0.5, "I", "S1"),
        Word(0.5, 1.0, "want", "S1"),
        Word(1.0, 2.0, "cancel", "S1"),
        Word(1.5, 1.9, "mm", "S2"),
        Word(2.0, 3.0, "thing", "S1"),
    ]
    edit = TranscriptEdit(1, 1, 1000, 3000, "to cancel everything", "S1")
    words = edited_words(heard, [edit])
    assert [w.text for w in words if w.speaker == "S1"] == ["I", "want", "to", "cancel", "everything"]
    assert [w.text for w in words if w.speaker == "S2"] == ["mm"]  # the other voice is left alone
    new = [w for w in words if w.speaker == "S1"][2:]
    assert new[0].start == 1.0 and new[-1].end == 3.0
    assert new[0].end == pytest.approx(1.0 + 2.0 * 2 / 18, abs=0.001)  # in proportion to length
    assert edited_words(heard, [TranscriptEdit(1, 1, 40_000, 41_000, "nothing there")]) == heard


def test_an_edit_changes_a_refusal_and_a_tracker_hit_and_undo_restores_both(library, stored, settings):
    actions.trackers.add_tracker(library, Tracker("Cancelled at once", ("effective immediately",)))
    assert library.call_row(stored).refusal_count == 3
    assert library.tracker_hits(stored) == []
    offer = turn_saying(library, stored, "special discount")
    change = actions.edits.edit_transcript(
        library,
        stored,
        "Okay, I have cancelled your service, effective immediately.",
        start=(offer.start + offer.end) / 2,
        author="Dana",
        settings=settings,
    )
    assert [e.author for e in change.added] == ["Dana"]
    call = library.load_call(stored)
    assert library.call_row(stored).refusal_count == 2
    assert not any(m.kind == "refusal" and abs(m.start - offer.start) < 0.01 for m in call.markers)
    assert [h.tracker for h in library.tracker_hits(stored)] == ["Cancelled at once"]
    item = next(i for i in ReportSource(library).call_score(stored)[0].items if i.id == "no-pushback")
    assert len(item.evidence) == 2  # the scorecard's push-back item found one fewer
    assert "special discount" not in " ".join(t.text for t in call.transcript.turns)
    assert "discount" in " ".join(w.text for w in call.transcript.heard_words)  # the words as heard stay
    assert [h.call_id for h in library.search("effective immediately")] == [stored]
    assert library.search("special discount") == []

    actions.edits.undo_change(library, change, settings)
    assert library.call_row(stored).refusal_count == 3
    assert library.tracker_hits(stored) == []
    assert library.load_call(stored).transcript.edits == []
    item = next(i for i in ReportSource(library).call_score(stored)[0].items if i.id == "no-pushback")
    assert len(item.evidence) == 3
    assert turn_saying(library, stored, "special discount").text == offer.text


def test_an_edit_survives_a_role_swap_and_a_correction_of_who_said_it(library, stored, settings):
    hold = turn_saying(library, stored, "brief hold")
    actions.edits.edit_transcript(
        library, stored, "Let me put you on a short hold.", start=hold.start, end=hold.end, settings=settings
    )
    actions.corrections.swap_roles(library, stored, settings)
    actions.corrections.swap_roles(library, stored, settings)
    assert turn_saying(library, stored, "short hold").text == "Let me put you on a short hold."
    agent = hold.speaker
    change = actions.corrections.reassign_speech(
        library, stored, "S3", start=hold.start, end=hold.end, settings=settings
    )
    moved = turn_saying(library, stored, "short hold")
    assert moved.speaker == "S3" and moved.text == "Let me put you on a short hold."
    actions.corrections.restore_speech(library, change, settings)
    assert turn_saying(library, stored, "short hold").speaker == agent
    assert len(library.transcript_edits(stored)) == 1


def test_a_second_edit_over_the_first_grows_into_one_and_undo_brings_the_first_back(
    library, stored, settings
):
    bye = turn_saying(library, stored, "that's all")
    first = actions.edits.edit_transcript(
        library, stored, "No, that is all. Thanks a lot.", start=bye.start, settings=settings
    )
    words = [w for w in library.load_call(stored).transcript.words if bye.start - 0.01 <= w.start <= bye.end]
    thanks = next(w for w in words if w.text == "Thanks")
    second = actions.edits.edit_transcript(
        library, stored, "Cheers", start=thanks.start, end=thanks.end, settings=settings
    )
    assert [e.id for e in second.removed] == [e.id for e in first.added]
    assert turn_saying(library, stored, "cheers").text == "No, that is all. Cheers a lot."
    assert len(library.transcript_edits(stored)) == 1
    actions.edits.undo_last(library, stored, settings)  # what `reviewer edit --undo` does
    assert turn_saying(library, stored, "that is all").text == "No, that is all. Thanks a lot."
    actions.edits.undo_last(library, stored, settings)
    assert turn_saying(library, stored, "that's all").text == bye.text
    with pytest.raises(ReviewerError, match="no edits"):
        actions.edits.undo_last(library, stored, settings)


def test_an_edit_survives_reanalysis_with_other_settings(library, stored, settings):
    from dataclasses import replace

    cancelled = turn_saying(library, stored, "cancelled your service")
    actions.edits.edit_transcript(
        library,
        stored,
        "Okay. Your service is cancelled as of today.",
        start=cancelled.start,
        settings=settings,
    )
    t = library.load_call(stored).transcript
    with library.write():
        actions.calls.reanalyse(library, stored, t, {}, replace(settings, turn_pause=3.0))
    said = [x.text for x in library.load_call(stored).transcript.turns]
    assert "Okay. Your service is cancelled as of today." in said


def test_exports_carry_the_edited_words_and_say_the_transcript_was_edited(
    library, stored, settings, tmp_path
):
    from reviewer.report.data import load_report
    from reviewer.report.tables import call_json, summary_csv, summary_row

    turn = turn_saying(library, stored, "moving to another city")
    actions.edits.edit_transcript(
        library,
        stored,
        "I'm moving to Springfield, call me on 555 123 4567. Please cancel it.",
        start=turn.start,
        author="Dana",
        settings=settings,
    )
    source = ReportSource(library)
    plain = load_report(source, stored, settings)
    doc = call_json(plain)
    assert doc["transcript_edited"] is True
    assert doc["transcript_edits"][0]["author"] == "Dana"
    assert "Springfield" in " ".join(w["text"] for w in doc["words"])
    assert summary_row(plain)["transcript_edited"] == "yes"
    assert b"transcript_edited" in summary_csv([summary_row(plain)])
    redacted = call_json(load_report(source, stored, settings, redact=True))
    said = " ".join(t["text"] for t in redacted["turns"])
    assert "Springfield" in said and "4567" not in said  # redaction applies to the edited words
    assert "text" not in redacted["transcript_edits"][0] and "heard" not in redacted["transcript_edits"][0]

    from reviewer.report.clips import clip_excerpt

    clip = library.clip(library.add_clip(stored, start=turn.start, end=turn.end, title="Moving"))
    excerpt = clip_excerpt(source, settings, clip, redact=False)
    assert "Springfield" in " ".join(text for _, _, text in excerpt.lines)  # clips read it too

    assert (
        main(["--library", str(library.path), "export", str(stored), "-f", "html", "-o", str(tmp_path)]) == 0
    )
    html = next(tmp_path.glob("*.html")).read_text()
    assert "EDITED: Transcript edited by Dana: 1 correction" in html and "Springfield" in html


def test_reviewer_edit_on_the_command_line(library, stored, settings, capsys):
    lib = ["--library", str(library.path)]
    said = "Okay, I have cancelled your service, effective immediately."
    offer = turn_saying(library, stored, "special discount")
    at, to = str(round(offer.start, 2)), str(round(offer.end, 2))
    assert (
        main(
            [
                *lib,
                "edit",
                str(stored),
                "--at",
                at,
                "--to",
                to,
                "--text",
                said,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f'now reads "{said}"' in out and "refusals: 2" in out
    assert main([*lib, "show", str(stored)]) == 0
    assert f"transcript edited: 1 correction (`reviewer edit {stored} --list`)" in capsys.readouterr().out
    assert main([*lib, "edit", str(stored), "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["text"] for e in listed] == [said]
    assert "special discount" in listed[0]["heard"]
    assert main([*lib, "edit", str(stored), "--remove", str(listed[0]["id"])]) == 0
    assert "refusals: 3" in capsys.readouterr().out
    assert main([*lib, "edit", str(stored), "--list"]) == 0
    assert "no edits" in capsys.readouterr().out
    assert main([*lib, "edit", str(stored), "--at", "0:01", "--to", "0:00.5", "--text", "x"]) != 0
    assert "must come after" in capsys.readouterr().err
