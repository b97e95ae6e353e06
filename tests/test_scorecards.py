"""QA scorecards as a coach, an agent and a QA lead use them: every call scored when stored, the
rule's evidence, overrides that survive re-analysis, disputes, calibration between graders,
versions, bad templates refused whole, and the score in the reports and the trends."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from pypdf import PdfReader
from test_cli import reviewer

from reviewer import actions
from reviewer.actions.exports import export_calls
from reviewer.analysis.scoring import parse_scorecard, total
from reviewer.errors import ReviewerError
from reviewer.importer import store_result
from reviewer.library.store import content_hash
from reviewer.model import PersonAnswer

CARD = """
name = "Retention"
pass_mark = 70

[[sections]]
id = "leaving"
title = "Make leaving easy"
weight = 60

[[sections.items]]
id = "no-pushback"
text = "No push-back after a cancel request"
auto_fail = true
rule = { measure = "refusals", request = "cancel", max = 0 }

[[sections.items]]
id = "honoured"
text = "Request honoured"

[[sections]]
id = "listen"
title = "Listen"
weight = 40

[[sections.items]]
id = "share"
text = "Agent talks at most 90 %"
rule = { measure = "agent_talk_share", max = 90 }

[[sections.items]]
id = "empathy"
text = "Empathy"
type = "scale"
weight = 2
"""


@pytest.fixture()
def stored(library, processed, pushback):
    """The push-back call (the agent refuses to cancel three times) in the library."""
    return store_result(library, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]


def test_every_stored_call_is_scored_with_the_rules_evidence(library, stored):
    score = actions.scores.score(library, stored)
    assert score.card == "Customer care" and score.version == 1  # the default card ships
    items = {i.id: i for i in score.items}
    refusals = [m for m in library.load_call(stored).markers if m.kind == "refusal"]
    pushback = items["no-pushback"]
    assert pushback.kind == "auto" and pushback.result == "no"
    assert [e.start for e in pushback.evidence] == [m.start for m in refusals]  # after any request
    # An auto-fail item failed: the whole call fails, whatever else it did well.
    assert score.total == 0 and not score.passed and score.auto_failed == ["no-pushback"]
    assert items["greeting"].result == "yes" and items["greeting"].evidence[0].start < 30
    assert items["empathy"].kind == "manual" and items["empathy"].result is None and not score.complete
    listed = library.list_calls()[0]
    assert listed.score == 0 and listed.passed == 0 and listed.open_disputes == 0


def test_a_coachs_override_needs_a_reason_is_kept_and_survives_reanalysis(library, stored, settings):
    with pytest.raises(ReviewerError, match="needs a reason"):
        actions.scores.answer_item(library, stored, "no-pushback", "yes", grader="Dana")
    with pytest.raises(ReviewerError, match="takes yes, no, na"):
        actions.scores.answer_item(library, stored, "no-pushback", "maybe", reason="x", grader="Dana")
    actions.scores.answer_item(
        library, stored, "no-pushback", "yes", reason="Offers were asked for", grader="Dana"
    )
    actions.scores.answer_item(library, stored, "empathy", "4", grader="Dana")
    item = {i.id: i for i in actions.scores.score(library, stored).items}["no-pushback"]
    assert item.result == "yes" and item.auto_result == "no"
    assert item.override == PersonAnswer("yes", "Offers were asked for", "Dana", item.override.at)
    assert item.override.at and item.answered_by is None
    assert actions.scores.score(library, stored).total > 0 and library.list_calls()[0].score > 0

    actions.corrections.swap_roles(
        library, stored, settings
    )  # re-analysis: the rules run again, people's answers stay
    actions.corrections.swap_roles(library, stored, settings)
    after = {i.id: i for i in actions.scores.score(library, stored).items}
    assert after["no-pushback"].override.grader == "Dana" and after["empathy"].result == "4"

    previous = actions.scores.answer_item(library, stored, "empathy", None, grader="Dana")  # taken back ...
    assert {i.id: i for i in actions.scores.score(library, stored).items}["empathy"].result is None
    actions.scores.restore_answer(
        library, stored, "Customer care", "empathy", "Dana", previous
    )  # ... and undone
    assert {i.id: i for i in actions.scores.score(library, stored).items}["empathy"].result == "4"


def test_an_agent_disputes_and_the_coach_accepts_or_rejects(library, stored):
    with pytest.raises(ReviewerError, match="needs a note"):
        actions.scores.dispute_item(library, stored, "talk-share", " ", author="Ryan")
    actions.scores.dispute_item(
        library, stored, "talk-share", "The customer asked me to explain the plan", author="Ryan"
    )
    with pytest.raises(ReviewerError, match="already has an open dispute"):
        actions.scores.dispute_item(library, stored, "talk-share", "again", author="Ryan")
    assert library.list_calls()[0].open_disputes == 1
    before = {i.id: i for i in actions.scores.score(library, stored).items}["talk-share"].result
    assert actions.scores.resolve_dispute(library, stored, "talk-share", accept=True, grader="Dana") != before
    item = {i.id: i for i in actions.scores.score(library, stored).items}["talk-share"]
    assert item.result != before and "Dispute by Ryan accepted" in item.override.reason
    assert item.dispute.status == "accepted" and library.list_calls()[0].open_disputes == 0

    actions.scores.dispute_item(library, stored, "greeting", "I did say my name", author="Ryan")
    actions.scores.resolve_dispute(
        library, stored, "greeting", accept=False, text="The rule heard it too", grader="Dana"
    )
    item = {i.id: i for i in actions.scores.score(library, stored).items}["greeting"]
    assert item.result == "yes" and item.dispute.status == "rejected"
    assert item.dispute.reply == "The rule heard it too"
    with pytest.raises(ReviewerError, match="no open dispute"):
        actions.scores.resolve_dispute(library, stored, "greeting", accept=True)


def test_calibration_shows_each_grader_side_by_side(library, stored):
    actions.scores.answer_item(library, stored, "empathy", "4", grader="Ann")
    actions.scores.answer_item(library, stored, "empathy", "2", grader="Bob")
    actions.scores.answer_item(library, stored, "honoured", "no", grader="Ann")
    actions.scores.answer_item(library, stored, "honoured", "no", grader="Bob")
    doc = actions.scores.calibration(library, stored)
    assert doc.graders == ["Ann", "Bob"]
    rows = {i.id: i for i in doc.items}
    assert rows["empathy"].answers == {"Ann": "4", "Bob": "2"} and rows["empathy"].differs
    assert not rows["honoured"].differs and not rows["greeting"].differs
    assert doc.differences == 1
    assert set(doc.as_dict()["totals"]["Ann"]) == {"total", "passed"}  # what --json prints, as before


def test_a_changed_scorecard_is_a_new_version_and_old_scores_keep_theirs(library, stored, tmp_path):
    path = tmp_path / "retention.toml"
    path.write_text(CARD)
    card, created = actions.scores.import_scorecard(library, path)
    assert created and card.version == 1
    assert actions.scores.import_scorecard(library, path) == (card, False)  # the same again: nothing new
    actions.scores.answer_item(library, stored, "empathy", "5", grader="Dana", card="Retention")
    path.write_text(CARD.replace("pass_mark = 70", "pass_mark = 60"))
    v2, created = actions.scores.import_scorecard(library, path)
    assert created and v2.version == 2
    assert actions.scores.score(library, stored, "Retention").version == 2  # the call was scored again
    old = actions.scores.score(library, stored, "Retention", version=1)
    assert {i.id: i.result for i in old.items}["empathy"] == "5"  # the answer kept its version
    assert [c.version for c in actions.scores.scorecards(library) if c.name == "Retention"] == [2]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ('rule = { measure = "agent_talk_share"', 'rule = { measure = "talk_speed"'),
            "unknown rule 'talk_speed'",
        ),
        (("weight = 40", "weight = 45"), "the section weights add up to 105 (60 + 45), not 100"),
        (('id = "honoured"', 'id = "no-pushback"'), "duplicate item id 'no-pushback'"),
        (("pass_mark = 70", "pass_mark = 170"), "the pass mark must be a number from 0 to 100"),
        (("max = 90", 'max = "lots"'), "agent_talk_share.max must be a number"),
    ],
)
def test_a_bad_scorecard_is_refused_with_one_line_and_nothing_stored(
    tmp_path, change, problem, library_location
):
    lib = library_location("l")
    path = tmp_path / "bad card.toml"
    path.write_text(CARD.replace(*change))
    proc = reviewer("scorecard", "import", path, library=lib, check=False)
    assert proc.returncode == 1
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith(f"reviewer: {path}: ") and problem in line
    assert "Retention" not in reviewer("scorecard", "list", library=lib).stdout


def test_each_measure_is_one_object_that_templates_the_editor_and_the_rules_list_read():
    from reviewer.analysis.scoring import MEASURE_REGISTRY, MEASURES, Rule, ScorecardError

    names = list(MEASURE_REGISTRY)
    assert names == [
        "refusals",
        "agent_talk_share",
        "longest_silence",
        "longest_monologue",
        "overtalk",
        "response_gap",
        "words_per_minute",
        "tracker",
        "phrase",
        "outcome",
        "sentiment",
    ]
    assert list(MEASURES) == names  # `reviewer scorecard show --rules` lists the registry's params
    assert all(MEASURES[n] is MEASURE_REGISTRY[n].params for n in names)
    wpm = MEASURE_REGISTRY["words_per_minute"]
    assert (wpm.label, wpm.required, wpm.sides) == ("words per minute", ("min", "max"), ("agent", "customer"))

    def card(rule: dict) -> dict:
        item = {"id": "pace", "text": "A calm pace", "rule": rule}
        return {"name": "Pace", "sections": [{"id": "s", "weight": 100, "items": [item]}]}

    for rule, problem in (
        ({"measure": "words_per_minute", "side": "both", "min": 90}, "side must be one of agent, customer"),
        ({"measure": "words_per_minute", "side": "agent"}, "the words_per_minute rule needs min or max"),
        ({"measure": "pace"}, "unknown rule 'pace' (rules: " + ", ".join(names) + ")"),
    ):
        with pytest.raises(ScorecardError) as e:
            parse_scorecard(card(rule))
        assert str(e.value).startswith(f"scorecard: item 'pace': {problem}")
    rule = parse_scorecard(card({"measure": "words_per_minute", "min": 90, "max": 170})).items()[0][1].rule
    assert rule == Rule("words_per_minute", {"min": 90, "max": 170})
    assert rule.describe() == "agent words per minute 90–170 wpm"


def test_totals_weigh_sections_leave_out_na_and_fail_on_auto_fail_items():
    import tomllib

    card = parse_scorecard(tomllib.loads(CARD))
    full = total(card, {"no-pushback": "yes", "honoured": "yes", "share": "yes", "empathy": "5"})
    assert full.total == 100 and full.passed and full.complete
    # listen: share yes (1 of 3 points) + empathy 1 (0 of 2): 1/3 of 40; leaving: 60
    mixed = total(card, {"no-pushback": "yes", "honoured": "yes", "share": "yes", "empathy": "1"})
    assert mixed.total == pytest.approx(60 + 40 / 3, abs=0.1)
    na = total(card, {"no-pushback": "yes", "honoured": "na", "share": "na", "empathy": None})
    assert na.total == 100 and not na.complete  # N/A and unanswered items are left out
    failed = total(card, {"no-pushback": "no", "honoured": "yes", "share": "yes", "empathy": "5"})
    assert failed.total == 0 and not failed.passed and failed.auto_failed == ("no-pushback",)


def test_reports_carry_the_scorecard(library, stored, settings, tmp_path):
    actions.scores.answer_item(
        library, stored, "no-pushback", "yes", reason="Customer wanted offers", grader="Dana"
    )
    written = export_calls(library, settings, [stored], ["pdf", "html", "summary", "json"], tmp_path)
    pdf = next(p for p in written if p.suffix == ".pdf")
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(pdf).pages))
    assert "Scorecard" in text and "Customer care v1" in text
    assert "Overridden by Dana (rule said no): Customer wanted offers" in text
    assert text.index("Scorecard Customer care v1") < text.index("No comments on this call yet")
    html = next(p for p in written if p.suffix == ".html").read_text()
    assert '<section class="scorecard">' in html and "No push-back after the customer asks to leave" in html
    rows = list(
        csv.DictReader(
            io.StringIO(next(p for p in written if p.name == "summary.csv").read_text("utf-8-sig"))
        )
    )
    score = actions.scores.score(library, stored)
    assert float(rows[0]["score"]) == score.total and rows[0]["score_passed"] == (
        "yes" if score.passed else "no"
    )
    assert rows[0]["item:no-pushback"] == "yes" and rows[0]["item:empathy"] == ""
    doc = json.loads(next(p for p in written if p.suffix == ".json").read_text())
    assert doc["scorecard"]["total"] == score.total


def _scorecard_text(path) -> str:
    """The Scorecard part of a PDF report, as one line of text."""
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(path).pages))
    start = text.index("Scorecard Customer care")
    return text[start : text.index("Coach's comments", start)]


def test_the_reports_notes_say_each_rule_in_words_never_a_pattern(library, stored, settings, tmp_path):
    """Even for a call scored by an older Reviewer, whose stored finding named the phrases as
    the patterns they are written in."""
    old = "said once; wanted: the agent says in the first 30 s: “my name is” / “this is ~ (speaking|from)”"
    with library.write() as db:
        db.execute(
            "UPDATE score_answers SET detail = ? "
            "WHERE call_id = ? AND item_id = 'greeting' AND grader = 'auto'",
            [old, stored],
        )
    written = export_calls(library, settings, [stored], ["pdf", "html"], tmp_path)
    notes = _scorecard_text(next(p for p in written if p.suffix == ".pdf"))
    html = next(p for p in written if p.suffix == ".html").read_text()
    html_notes = html[html.index('<section class="scorecard">') : html.index('<section class="comments">')]
    for text in (notes, html_notes):
        assert "~" not in text and "|" not in text and not re.search(r"\((speaking|relax|something)", text)
    assert (
        "Rule: the agent says in the first 30 s: “my name is” or “this is … speaking/from” or "
        "“speaking/you are through to” (or 2 more) Found: said once"
    ) in notes
    assert (
        "Rule: no push-back after any request Found: 3 push-backs after any request, at most 0 wanted"
        in notes
    )
    assert "Rule: agent talk share at most 60 % (the talk-share target) Found: agent talk share 75 %" in notes
    never = "Rule: the agent never says: “calm down” or “relax/settle down sir/madam/ma am” Found: not said"
    assert never in notes
    # Section rows: the section's weight and subtotal; how the total was reached above them.
    score = actions.scores.score(library, stored)
    for s in score.sections:
        row = f"{s.title.upper()} · weight {s.weight:g} · {s.got:g}/{s.most:g} points · "
        assert row + f"subtotal {s.percent:g} %" in notes
    assert f"How the total was reached: {score.how_reached()}" in notes


def test_the_report_prints_one_talk_share_target_the_cards(library, stored, settings, tmp_path):
    """The Retention card judges talk share at most 90 %; settings say 60 %: every part of the
    report (the findings, the metrics, the timeline, the scorecard's notes) says 90."""
    from reviewer.actions.exports import load_report

    path = tmp_path / "retention.toml"
    path.write_text(CARD)
    actions.scores.import_scorecard(library, path)
    actions.scores.set_default_scorecard(library, "Retention")
    assert settings.agent_share_target == 0.6
    assert load_report(library, stored, settings).share_target == 0.9  # the dashed line too
    written = export_calls(library, settings, [stored], ["pdf", "html"], tmp_path)
    pdf = next(p for p in written if p.suffix == ".pdf")
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(pdf).pages))
    html = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", next(p for p in written if p.suffix == ".html").read_text())
    )
    for shown in (text, html):
        assert re.findall(r"(\d+) ?% target", shown) == ["90"]  # printed once: in Findings
        assert "Agent talked 75% of the time: within the 90% target" in shown
        assert "Rule: agent talk share at most 90 %" in shown
        assert not re.search(r"\b60 ?%", shown)


@pytest.mark.slow  # half a minute or more, a subprocess pipeline each: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_the_score_commands_follow_their_contract(tmp_path, short_call, library_location):
    lib = library_location("s")
    reviewer("import", short_call[1], "-q", library=lib)
    doc = json.loads(reviewer("score", "short.wav", "--json", library=lib).stdout)
    assert {"card", "version", "total", "passed", "items"} <= set(doc)
    assert doc["card"] == "Customer care" and 0 <= doc["total"] <= 100
    item = doc["items"][0]
    assert {"id", "section", "text", "kind", "result", "points", "max_points", "evidence", "override"} <= set(
        item
    )
    assert all(set(e) == {"start", "end"} for i in doc["items"] for e in i["evidence"])

    bad = reviewer("score", "short.wav", "--item", "talk-share", "--set", "no", library=lib, check=False)
    assert bad.returncode == 1 and "needs a reason" in bad.stderr
    reviewer(
        "score",
        "short.wav",
        "--item",
        "talk-share",
        "--set",
        "no",
        "--reason",
        "lectured",
        "--grader",
        "Dana",
        library=lib,
    )
    reviewer("score", "short.wav", "--item", "empathy", "--set", "3", "--grader", "Lee", library=lib)
    doc = json.loads(reviewer("score", "short.wav", "--json", library=lib).stdout)
    share = next(i for i in doc["items"] if i["id"] == "talk-share")
    assert share["result"] == "no" and share["override"]["reason"] == "lectured"
    # the typed parts of a score print as the same JSON objects as ever
    assert list(share["override"]) == ["value", "reason", "grader", "at"] and share["answered_by"] is None
    empathy = next(i for i in doc["items"] if i["id"] == "empathy")
    assert empathy["answered_by"]["grader"] == "Lee" and empathy["override"] is None
    assert all(list(s) == ["title", "weight", "got", "most", "percent"] for s in doc["sections"])

    reviewer(
        "dispute",
        "short.wav",
        "--item",
        "talk-share",
        "--text",
        "I was asked to explain",
        "--author",
        "Maria",
        library=lib,
    )
    assert "1" == str(json.loads(reviewer("calls", "--json", library=lib).stdout)[0]["open_disputes"])
    out = reviewer(
        "dispute", "short.wav", "--item", "talk-share", "--accept", "--grader", "Dana", library=lib
    ).stdout
    assert "accepted: the item is now 'yes'" in out
    cal = json.loads(reviewer("calibration", "short.wav", "--json", library=lib).stdout)
    assert cal["graders"] == ["Dana", "Lee"] and cal["differences"] >= 1

    exported = tmp_path / "card.toml"
    reviewer("scorecard", "export", "Customer care", "-o", exported, library=lib)
    exported.write_text(exported.read_text().replace("pass_mark = 75", "pass_mark = 50"))
    assert "v2 stored; 1 call(s) scored" in reviewer("scorecard", "import", exported, library=lib).stdout
    assert json.loads(reviewer("score", "short.wav", "--json", library=lib).stdout)["version"] == 2
    assert "Customer care v2" in reviewer("scorecard", "list", library=lib).stdout
    trends = json.loads(reviewer("trends", "--json", library=lib).stdout)
    assert trends[0]["mean_score"] is not None and trends[0]["pass_rate"] in (0, 1)


def test_a_tracker_rule_follows_the_tracker(library, stored, tmp_path):
    from reviewer.analysis.trackers import Tracker

    path = tmp_path / "tracked.toml"
    path.write_text(
        CARD.replace(
            'rule = { measure = "agent_talk_share", max = 90 }',
            'rule = { measure = "tracker", tracker = "thanks" }',
        )
    )
    actions.scores.import_scorecard(library, path)
    share = {i.id: i for i in actions.scores.score(library, stored, "Retention").items}["share"]
    assert share.result == "na" and "no tracker named 'thanks'" in share.detail
    actions.trackers.add_tracker(library, Tracker("thanks", ("thank* you for calling",), "agent"))
    share = {i.id: i for i in actions.scores.score(library, stored, "Retention").items}["share"]
    assert share.result == "yes" and share.evidence[0].start < 5  # the agent's greeting
    actions.trackers.remove_tracker(library, "thanks")
    assert {i.id: i for i in actions.scores.score(library, stored, "Retention").items}["share"].result == "na"


def _default_card():
    from reviewer.actions.scores import load_scorecard_text
    from reviewer.resources import resource

    return load_scorecard_text(resource("scorecards", "default.toml").read_text("utf-8"), "default card")


def _facts(lines, settings):
    """A written dialogue as the facts a scorecard reads, through the real refusal finding."""
    from reviewer.analysis.refusals import refusals
    from reviewer.analysis.scoring import CallFacts
    from reviewer.model import Metrics, Transcript
    from reviewer.refusal_training import SPEAKERS, dialogue_turns

    turns = dialogue_turns({"turns": [{"role": r, "text": t} for r, t in lines]})
    transcript = Transcript(turns[-1].end, 2, "channels", list(SPEAKERS), [], [], turns)
    metrics = Metrics((), 0.5, (), 0, 0.0, 0.0, 0.0, 0, None, None, 0)
    return CallFacts(transcript, refusals(SPEAKERS, turns, settings), metrics, settings=settings)


CLOSE_ACCOUNT = [
    ("agent", "Thank you for calling Harbor Bank, this is Mia, how can I help?"),
    ("customer", "Hi. I want to close my credit card account."),
    (
        "agent",
        "Can I ask what is making you want to close it? If you close it today you will lose all of "
        "your reward points.",
    ),
    ("customer", "I understand. Please close it."),
]


def test_a_push_back_after_close_my_account_fails_the_default_cards_auto_fail(settings):
    from reviewer.analysis.scoring import auto_answer, evaluate

    card = _default_card()
    facts = _facts(CLOSE_ACCOUNT, settings)
    (marker,) = [m for m in facts.markers if m.kind == "refusal"]
    assert marker.request == "close"
    item = next(i for _, i in card.items() if i.auto_fail and i.rule.measure == "refusals")
    finding = evaluate(item.rule, facts)
    assert auto_answer(item, finding) == "no"
    assert finding.detail == "1 push-back after any request, at most 0 wanted"
    assert "close" in item.text and "cancel" in item.text  # the item says what it covers
    answers = {i.id: (i.worst() if i is item else i.best()) for _, i in card.items()}
    assert total(card, answers).verdict(card.pass_mark) == "FAILED (auto-fail: no answer can change it)"


def test_a_refusal_rule_counts_the_set_of_requests_it_names(settings):
    from reviewer.analysis.scoring import Rule, evaluate

    facts = _facts(CLOSE_ACCOUNT, settings)
    rule = lambda kinds: Rule("refusals", {"request": kinds, "max": 0})  # noqa: E731
    assert evaluate(rule(["cancel", "close"]), facts).passed is False
    assert evaluate(rule(["cancel", "refund"]), facts).passed is True
    assert evaluate(rule("any"), facts).passed is False
    assert (
        rule(["cancel", "close"]).describe() == "no push-back after a request to cancel or close an account"
    )
    with pytest.raises(Exception, match="unknown request 'quit'"):
        parse_scorecard(
            {
                "name": "x",
                "sections": [
                    {
                        "id": "s",
                        "weight": 100,
                        "items": [
                            {
                                "id": "a",
                                "text": "a",
                                "rule": {"measure": "refusals", "request": ["cancel", "quit"]},
                            }
                        ],
                    }
                ],
            }
        )


def test_a_score_with_unanswered_items_is_provisional_never_a_bare_verdict():
    import tomllib

    card = parse_scorecard(tomllib.loads(CARD))
    partial = total(card, {"no-pushback": "yes", "honoured": None, "share": "yes", "empathy": None})
    assert partial.passed and partial.state == "provisional" and partial.unanswered == 2
    assert partial.verdict(card.pass_mark) == "PROVISIONAL: 2 items to answer; passes so far"
    # The answers to come could take it from 43.3 (both at their worst: leaving 30 of 60,
    # listen 1/3 of 40) to 100.
    assert (partial.lowest, partial.highest) == (43.3, 100.0)
    decided = total(card, {"no-pushback": "yes", "honoured": "yes", "share": "yes", "empathy": None})
    assert decided.verdict(card.pass_mark) == "PROVISIONAL: 1 item to answer; passes whatever they say"
    failed = total(card, {"no-pushback": "no", "honoured": None, "share": None, "empathy": None})
    assert failed.verdict(card.pass_mark) == "FAILED (auto-fail: no answer can change it)"
    full = total(card, {"no-pushback": "yes", "honoured": "yes", "share": "yes", "empathy": "5"})
    assert full.state == "complete" and full.verdict(card.pass_mark) == "PASSED"
    assert [(s.title, s.weight, s.percent) for s in full.sections] == [
        ("Make leaving easy", 60, 100.0),
        ("Listen", 40, 100.0),
    ]


def test_the_talk_share_target_has_one_home(settings):
    from reviewer.analysis.scoring import Rule, share_target

    card = _default_card()
    (rule,) = [i.rule for _, i in card.items() if i.rule and i.rule.measure == "agent_talk_share"]
    # The default card takes the target from settings: card, timeline and report show one number.
    assert share_target(card, settings) == settings.agent_share_target == 0.6
    assert share_target(card, settings.replace(agent_share_target=0.55)) == 0.55
    assert rule.describe(settings) == "agent talk share at most 60 % (the talk-share target)"
    # A card that states its own limit is the one every view shows for its calls.
    own = parse_scorecard(
        {
            "name": "own",
            "sections": [
                {
                    "id": "s",
                    "weight": 100,
                    "items": [{"id": "a", "text": "a", "rule": {"measure": "agent_talk_share", "max": 70}}],
                }
            ],
        }
    )
    assert share_target(own, settings) == 0.7
    assert Rule("agent_talk_share", {"max": 70}).describe(settings) == "agent talk share at most 70 %"


def test_the_card_judges_talk_share_by_the_users_target(
    library_location, processed, pushback, monkeypatch, tmp_path
):
    """The default card's talk-share rule takes the target of the user's settings.toml, and the
    review is shown that same number: the stored answer and every view agree."""
    from reviewer.analysis.scoring import share_target
    from reviewer.library import open_library
    from reviewer.settings import load_settings

    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text("[talk]\nagent_share_target = 0.9\n")
    monkeypatch.setenv("REVIEWER_CONFIG_DIR", str(config))
    with open_library(library_location("target")) as lib:
        call = store_result(lib, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]
        share = lib.load_call(call).metrics.agent_talk_share
        assert 0.6 < share < 0.9  # over the default target, within the user's
        item = {i.id: i for i in actions.scores.score(lib, call).items}["talk-share"]
        assert item.result == "yes" and "at most 90 %" in item.detail
        assert share_target(actions.scores.call_card(lib, call), load_settings()) == 0.9


def test_a_library_with_the_card_an_earlier_reviewer_shipped_is_offered_the_new_one(
    tmp_path, library_location
):
    """A library made before the card changed keeps it (its scores do not change under the team),
    `reviewer scorecard list` says a newer one ships, and `import bundled` stores it."""
    from reviewer.resources import resource

    lib = library_location("older")
    reviewer("scorecard", "list", library=lib)  # a new library: the card this Reviewer ships
    assert "newer version" not in reviewer("scorecard", "list", library=lib).stdout
    old = next(resource("scorecards", "shipped").glob("*.toml"))
    out = reviewer("scorecard", "import", str(old), library=lib).stdout
    assert "v2 stored" in out  # as if the library had kept the card shipped before
    listed = reviewer("scorecard", "list", library=lib).stdout
    assert "Customer care v2" in listed and "reviewer scorecard import bundled" in listed
    assert "v3 stored" in reviewer("scorecard", "import", "bundled", library=lib).stdout
    assert "newer version" not in reviewer("scorecard", "list", library=lib).stdout
