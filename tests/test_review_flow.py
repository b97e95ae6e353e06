"""A review from draft to acknowledged, as a coach and an agent live it: guidance beside each
answer, the status that follows on its own, a submitted score that changes only with a logged
reason, the inbox with each person's read marks, and who is who (a profile signs every change;
on a shared library the database user is the person and an agent's login cannot grade)."""

from __future__ import annotations

import json

import pytest
from test_cli import reviewer

from reviewer import actions
from reviewer.actions.review import (
    acknowledge_review,
    inbox,
    mark_read,
    set_person,
    set_profile,
    submit_review,
)
from reviewer.errors import ReviewerError
from reviewer.importer import store_result
from reviewer.library import open_library
from reviewer.library.store import content_hash


@pytest.fixture()
def stored(library, processed, pushback):
    return store_result(library, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]


def status(library, call_id):
    return library.review_state(call_id).status


def test_the_default_card_says_what_each_manual_answer_means_and_a_wrong_key_is_refused():
    from reviewer.resources import resource

    card = actions.scores.load_scorecard_text(resource("scorecards", "default.toml").read_text(), "default")
    empathy = card.item("empathy")
    assert [v for v, _ in empathy.guidance] == ["5", "4", "3", "2", "1"]  # best first, as the dialog lists
    assert "I understand" in empathy.guidance_for("3")
    assert card.item("honoured").guidance_for("no").startswith("The customer ends the call")
    again = actions.scores.load_scorecard_text(actions.scores.scorecard_toml(card), "written")
    assert again.to_dict() == card.to_dict()  # the editor's TOML keeps it
    bad = (
        resource("scorecards", "default.toml")
        .read_text()
        .replace('guidance = { 5 = "Named', 'guidance = { 6 = "Named')
    )
    with pytest.raises(ReviewerError, match="guidance for '6', which is not one of its answers"):
        actions.scores.load_scorecard_text(bad, "card.toml")


def test_a_review_is_a_draft_until_submitted_then_changes_need_a_logged_reason(library, stored):
    set_profile(library, "Dana", "coach")
    assert status(library, stored) == "new"
    actions.scores.answer_item(library, stored, "empathy", "4")
    assert status(library, stored) == "in review"  # the first answer starts the review
    with pytest.raises(ReviewerError, match=r"1 item\(s\) still need an answer .*: honoured"):
        submit_review(library, stored)
    actions.scores.answer_item(library, stored, "honoured", "yes")
    state = submit_review(library, stored)
    assert state.status == "submitted" and state.submitted_by == "Dana" and state.final
    assert library.list_calls()[0].review_status == "submitted"  # the library list shows it
    with pytest.raises(ReviewerError, match="already submitted by Dana"):
        submit_review(library, stored)

    with pytest.raises(ReviewerError, match="was submitted: changing 'empathy' now needs a reason"):
        actions.scores.answer_item(library, stored, "empathy", "2")
    actions.scores.answer_item(library, stored, "empathy", "2", reason="Listened again: no acknowledgement")
    (change,) = library.score_changes(stored)
    assert (change.item_id, change.person, change.old_value, change.new_value) == (
        "empathy",
        "Dana",
        "4",
        "2",
    )
    assert change.reason == "Listened again: no acknowledgement"
    assert status(library, stored) == "submitted"

    with pytest.raises(ReviewerError, match="Dana is a coach: the call's agent acknowledges"):
        acknowledge_review(library, stored)


def test_a_profile_signs_every_change_and_an_agent_cannot_grade(library, stored, monkeypatch):
    assert library.login  # the computer's login until a profile names the person
    set_profile(library, "Dana", "coach")
    actions.scores.answer_item(library, stored, "no-pushback", "yes", reason="Offers were asked for")
    comment = library.add_comment(stored, start=2.0, text="Warm greeting", category="praise", author="Dana")
    item = {i.id: i for i in actions.scores.score(library, stored).items}["no-pushback"]
    assert item.override.grader == "Dana"  # not the login ("root")
    assert library.call_row(stored).changed_by == "Dana"
    assert library.comment(comment).changed_by == "Dana"

    set_profile(library, "Ryan", "agent")  # the same login, now the agent (a one-person file)
    with pytest.raises(ReviewerError, match="Ryan is an agent in this library: only a coach or QA lead"):
        actions.scores.answer_item(library, stored, "empathy", "5")
    with pytest.raises(ReviewerError, match="only a coach or QA lead may submit"):
        submit_review(library, stored)
    actions.scores.dispute_item(library, stored, "talk-share", "The customer asked for every option")
    assert library.disputes(stored)[0].author == "Ryan"


def test_the_inbox_shows_each_person_what_waits_and_keeps_their_read_marks(library, stored):
    set_profile(library, "Ryan", "agent")
    agent = library.list_calls()[0].agent
    actions.scores.dispute_item(library, stored, "talk-share", "The customer asked for every option")
    comment = library.add_comment(stored, start=12.5, text="Offer the cancellation", category="improve")
    library.update_comment(comment, reply="I will next time", acknowledged_at="2026-12-07T10:00:00+00:00")

    set_profile(library, "Dana", "coach")
    lines = inbox(library)
    assert sorted((e.kind, e.unread) for e in lines) == [("dispute", True), ("reply", True)]
    reply = next(e for e in lines if e.kind == "reply")
    assert reply.at == pytest.approx(12.5) and "I will next time" in reply.text and reply.who == agent
    dispute = next(e for e in lines if e.kind == "dispute")
    assert dispute.item_id == "talk-share" and dispute.who == "Ryan"
    mark_read(library, [dispute.key])
    assert {e.kind: e.unread for e in inbox(library)} == {"reply": True, "dispute": False}

    actions.scores.resolve_dispute(library, stored, "talk-share", accept=False, text="Too long all the same")
    for item in ("empathy", "honoured"):
        actions.scores.answer_item(library, stored, item, "3" if item == "empathy" else "yes")
    submit_review(library, stored)

    set_profile(library, "Ryan", "agent")
    mine = inbox(library, agent)
    assert {e.kind for e in mine} == {"review", "decision"} and all(e.unread for e in mine)
    decision = next(e for e in mine if e.kind == "decision")
    assert "rejected" in decision.text and "Too long all the same" in decision.text and decision.who == "Dana"
    assert inbox(library, "Someone else") == []
    mark_read(library, [e.key for e in mine])
    assert not any(e.unread for e in inbox(library, agent))
    acknowledge_review(library, stored)
    assert status(library, stored) == "acknowledged"


def test_the_command_line_submits_acknowledges_and_lists_the_inbox(library_location, processed, pushback):
    where = library_location()
    with open_library(where) as lib:
        call_id = store_result(lib, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]
    reviewer("profile", "--name", "Dana", "--role", "coach", library=where)
    reviewer("score", call_id, "--item", "empathy", "--set", "4", library=where)
    refused = reviewer("review", "submit", call_id, library=where, check=False)
    assert (
        refused.returncode == 1 and "still need an answer" in refused.stderr and "honoured" in refused.stderr
    )
    reviewer("score", call_id, "--item", "honoured", "--set", "yes", library=where)
    out = reviewer("review", "submit", call_id, library=where).stdout
    assert f"#{call_id}: submitted, submitted by Dana" in out
    assert "submitted" in reviewer("calls", library=where).stdout.splitlines()[1]
    reviewer(
        "dispute",
        call_id,
        "--item",
        "greeting",
        "--text",
        "I said my name",
        "--author",
        "Dana",
        library=where,
    )
    inbox_out = json.loads(reviewer("inbox", "--json", library=where).stdout)
    assert [(e["kind"], e["item_id"], e["unread"]) for e in inbox_out] == [("dispute", "greeting", True)]
    reviewer("inbox", "--mark-read", library=where)
    assert "●" not in reviewer("inbox", library=where).stdout
    reviewer("profile", "--name", "Ryan", "--role", "agent", library=where)
    assert "acknowledged by Ryan" in reviewer("review", "acknowledge", call_id, library=where).stdout


@pytest.mark.postgres
def test_on_a_shared_library_the_database_user_is_the_person_and_an_agent_cannot_be_a_coach(
    library_location, processed, pushback, monkeypatch
):
    """Two database logins on one PostgreSQL library: the owner sets it up as the coach, the
    agent's login is an agent in the library's table of people and stays one."""
    import psycopg

    url = library_location()
    monkeypatch.setenv("REVIEWER_USER", "dana")  # ignored on a shared library: the database user counts
    coach = open_library(url)
    try:
        call_id = store_result(coach, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]
        assert coach.login != "dana"
        set_profile(coach, "Dana", "coach")
        schema = coach.db.execute("SELECT current_schema()").fetchone()[0]
        user = url.split("://", 1)[1].split("@", 1)[0]
        try:
            with psycopg.connect(url.replace(f"://{user}@", "://postgres@", 1), autocommit=True) as admin:
                admin.execute("DROP ROLE IF EXISTS ryan_agent")
                admin.execute("CREATE ROLE ryan_agent LOGIN")
        except psycopg.Error as e:
            pytest.skip(f"no second database login on this server ({e})")
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO ryan_agent')
            admin.execute(
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO ryan_agent'
            )
            admin.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO ryan_agent')
        set_person(coach, "ryan_agent", "Ryan", "agent")

        as_agent = url.replace(f"://{user}@", "://ryan_agent@", 1)
        assert as_agent != url
        agent = open_library(as_agent)
        try:
            assert agent.login == "ryan_agent" and agent.user == "Ryan"
            with pytest.raises(ReviewerError, match="Ryan is an agent in this library"):
                actions.scores.answer_item(agent, call_id, "empathy", "5", grader="Dana")
            with pytest.raises(
                ReviewerError, match="'ryan_agent' is an agent: only a coach or QA lead can make it coach"
            ):
                set_profile(agent, "Ryan", "coach")
            with pytest.raises(ReviewerError, match="only a coach or QA lead may give people their roles"):
                set_person(agent, "ryan_agent", "Ryan", "coach")
            with pytest.raises(ReviewerError, match="you sign as yourself \\(Ryan\\), not 'Dana'"):
                actions.scores.dispute_item(agent, call_id, "greeting", "I said my name", author="Dana")
            actions.scores.dispute_item(agent, call_id, "greeting", "I said my name")
            assert coach.disputes(call_id)[0].author == "Ryan"
        finally:
            agent.close()
    finally:
        coach.close()


def test_corrections_after_submitting_are_the_graders_and_every_answer_they_move_is_logged(
    library, stored, settings
):
    """Correcting the transcript, a refusal label or the reason re-analyses the call: on a
    submitted review each automatic answer that moves is logged, with the correction as its
    reason, signed by the person (not the name typed or the login); an agent may not make them."""
    set_profile(library, "Dana", "coach")
    actions.scores.answer_item(library, stored, "empathy", "4")
    actions.scores.answer_item(library, stored, "honoured", "yes")
    submit_review(library, stored)
    before = {i.id: i.result for i in actions.scores.score(library, stored).items}
    refusals = [m for m in library.load_call(stored).markers if m.kind == "refusal"]
    assert refusals and before["no-pushback"] is not None
    for m in refusals:  # the coach hears no push-back at all: every refusal is a mistake
        actions.corrections.label_refusal(
            library, stored, (m.start + m.end) / 2, False, settings=settings, author="root"
        )
    after = {i.id: i.result for i in actions.scores.score(library, stored).items}
    moved = {i for i in after if after[i] != before[i]}
    assert "no-pushback" in moved
    logged = library.score_changes(stored)
    assert {c.item_id for c in logged} >= {"no-pushback"}
    assert all(c.person == "Dana" and "labelled not a refusal" in c.reason for c in logged)
    assert library.review_state(stored).status == "submitted"

    turn = library.load_call(stored).transcript.turns[0]
    change = actions.edits.edit_transcript(
        library, stored, "Hello there", start=(turn.start + turn.end) / 2, author="root", settings=settings
    )
    assert [e.author for e in change.added] == ["Dana"]  # the profile signs it, not what was typed

    set_profile(library, "Ryan", "agent")
    with pytest.raises(ReviewerError, match="Ryan is an agent in this library: only a coach or QA lead"):
        actions.edits.edit_transcript(library, stored, "Bye", start=turn.start + 0.1, settings=settings)
    with pytest.raises(ReviewerError, match="only a coach or QA lead may correct a call's reason"):
        actions.corrections.correct_glance(library, stored, None, "billing", settings=settings)
