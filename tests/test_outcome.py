"""How each customer request ended (done, retained, escalated, ...), as the analysis finds it on
calls like a coach would hear them, and in the JSON document."""

from __future__ import annotations

import json

from test_sentiment import transcript_of

from reviewer import refusal_training as rt
from reviewer.analysis import analyse_transcript
from reviewer.analysis.outcome import call_outcome, outcomes
from reviewer.analysis.refusals import refusals
from reviewer.document import call_document

GRANTED = [
    ("agent", "Thanks for calling Peak Fitness, this is Jordan."),
    ("customer", "Hi, I'd like to cancel my gym membership please."),
    ("agent", "Sure, can you confirm your date of birth?"),
    ("customer", "The third of March, nineteen ninety."),
    ("agent", "Thank you. I've cancelled your membership, you'll get a confirmation email."),
    ("customer", "Great, thanks."),
]
TAKES_THE_DISCOUNT = [
    ("agent", "Thanks for calling Skyline Mobile, this is Priya."),
    ("customer", "Hi, I want to cancel my phone plan, it's too expensive."),
    ("agent", "I understand. Before you go, I can offer you thirty percent off for the next twelve months."),
    ("customer", "Oh, really? Okay, that works, I'll take the discount and stay."),
    ("agent", "Great, I've applied it to your account."),
    ("customer", "Thanks."),
]
HANDED_TO_A_SUPERVISOR = [
    ("agent", "Harbor Bank, this is Luke."),
    ("customer", "I was charged a thirty dollar overdraft fee and I want it refunded."),
    ("agent", "I'm afraid fees can't be refunded once they are posted."),
    ("customer", "Then I want to speak to a supervisor."),
    ("agent", "Of course, I'll transfer you to my supervisor now, please hold."),
]


def found(lines, settings):
    turns = rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in lines]})
    return turns, outcomes(rt.SPEAKERS, turns, settings, refusals(rt.SPEAKERS, turns, settings))


def test_a_cancel_the_agent_grants_is_done(settings):
    turns, result = found(GRANTED, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "done")]
    assert result[0].start == round(turns[1].start, 3)
    assert result[0].evidence == turns[4].text  # the turn that shows it
    assert call_outcome(result) == "done"


def test_a_cancel_where_the_customer_takes_a_discount_is_retained(settings):
    turns, result = found(TAKES_THE_DISCOUNT, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "retained")]
    assert result[0].evidence == turns[3].text


def test_a_request_handed_to_a_supervisor_is_escalated_and_is_the_calls_outcome(settings):
    turns, result = found(HANDED_TO_A_SUPERVISOR, settings)
    assert [o.outcome for o in result][-1] == "escalated"
    assert result[-1].evidence == turns[4].text
    assert call_outcome(result) == "escalated"


def test_the_json_document_carries_each_requests_outcome(settings):
    transcript, analysis = analyse_transcript(transcript_of(TAKES_THE_DISCOUNT), settings)
    doc = json.loads(json.dumps(call_document(transcript, analysis)))
    assert doc["outcome"] == "retained"
    (req,) = doc["outcomes"]
    assert req["request"] == "cancel" and req["outcome"] == "retained"
    assert req["start"] == doc["turns"][1]["start"]
    assert req["evidence"]["speaker"] == "S2" and req["evidence"]["text"].startswith("Oh, really?")


def test_show_json_of_a_stored_call_carries_its_stored_outcomes_and_sentiment(library, settings, tmp_path):
    """The library keeps them when the call is stored; `reviewer show --json` reads them back."""
    from reviewer import actions
    from reviewer.document import stored_document

    transcript, analysis = analyse_transcript(transcript_of(TAKES_THE_DISCOUNT), settings)
    audio = tmp_path / "discount.wav"
    audio.write_bytes(b"not played here")
    call_id, _ = actions.calls.store_call(
        library, audio, "d1" * 32, transcript, analysis, source_channels=2, source_rate=16000, dual_mono=False
    )
    doc = json.loads(json.dumps(stored_document(library, call_id)))
    assert doc == json.loads(
        json.dumps(
            call_document(
                transcript,
                analysis,
                **{k: doc[k] for k in ("id", "name", "path", "imported_at", "transcript_edits")},
            )
        )
    )
    assert doc["outcome"] == "retained" and doc["outcomes"][0]["request"] == "cancel"
    assert doc["sentiment"]["customer"]["change"] in ("better", "same", "worse")
    assert len(doc["sentiment"]["turns"]) == len(doc["turns"])
    (row,) = [c for c in library.list_calls() if c.id == call_id]
    assert (row.outcome, row.sentiment_change) == ("retained", doc["sentiment"]["customer"]["change"])


GRANTED_AFTER_PUSHBACK = [
    ("agent", "Thanks for calling Brightwave Internet, this is Sam."),
    ("customer", "Hi, I need to cancel my internet service."),
    (
        "agent",
        "I'm sorry to hear that. Can I ask why you want to cancel? We have some great plans right now.",
    ),
    ("customer", "I'm moving abroad, I just want it cancelled please."),
    ("agent", "You'd lose your loyalty pricing, and it would cost more to come back later."),
    ("customer", "I understand, I still want to cancel."),
    (
        "agent",
        "Fine, I'm putting the cancellation through now. You do realise you'll lose the loyalty discount"
        " and pay more if you come back.",
    ),
    ("customer", "Finally, thank you."),
]
ASKED_AGAIN_IN_OTHER_WORDS = [
    ("agent", "Peak Fitness, this is Ana speaking."),
    ("customer", "Hi, I want to cancel my gym membership."),
    ("agent", "Oh, may I ask why? You've been with us for years."),
    ("customer", "Then just close my whole account please. I've moved to another town."),
    ("agent", "Understood. I've closed the account, and you won't be billed again."),
    ("customer", "Thanks."),
]
OFFER_TAKEN_LATER = [
    ("agent", "StreamMax support, this is Lee."),
    ("customer", "I want to cancel my subscription, it's too expensive."),
    ("agent", "Before you go, I can offer you three months at half price."),
    ("customer", "Hmm, how much would that be per month?"),
    ("agent", "It would be six ninety-nine a month instead of thirteen ninety-nine."),
    ("customer", "Yeah, put the discount on my account then."),
    ("agent", "Great, I've applied the discount to your account."),
]
HANDED_ON_AFTER_ASKING_AGAIN = [
    ("agent", "Brightline Broadband, this is Tom."),
    ("customer", "Hi, I want to cancel my broadband."),
    ("agent", "Can I ask why? We have much faster plans now."),
    ("customer", "No. Just close the account please."),
    ("agent", "Okay, I'll transfer you to our closures team now, they'll take care of it."),
]


def test_a_cancel_granted_after_push_back_is_done(settings):
    turns, result = found(GRANTED_AFTER_PUSHBACK, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "done")]
    assert result[0].evidence == turns[6].text


def test_cancel_then_close_the_account_is_one_request_and_it_is_done(settings):
    turns, result = found(ASKED_AGAIN_IN_OTHER_WORDS, settings)
    assert [o.outcome for o in result] == ["done"]
    assert result[0].start == round(turns[1].start, 3)  # the request first made
    assert result[0].evidence == turns[4].text


def test_an_offer_taken_two_turns_later_is_retained(settings):
    turns, result = found(OFFER_TAKEN_LATER, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "retained")]
    assert result[0].evidence == turns[5].text


def test_a_request_handed_on_to_another_team_is_escalated_as_one_request(settings):
    turns, result = found(HANDED_ON_AFTER_ASKING_AGAIN, settings)
    assert [o.outcome for o in result] == ["escalated"]
    assert result[0].start == round(turns[1].start, 3)  # the request first made
    assert result[0].evidence == turns[4].text


def test_a_fee_asked_off_while_a_closure_goes_through_is_a_second_request_granted_with_it(settings):
    lines = [
        ("agent", "Westbrook Savings, Hannah speaking."),
        ("customer", "Hello, I'd like to close my current account please, I've moved banks."),
        ("agent", "Of course. Can you confirm your postcode?"),
        ("customer", "It's LS6 2QT."),
        ("agent", "Thanks. The balance of forty pounds will be sent to your new account."),
        ("customer", "Fine. Oh, and could you waive the ten pound overdraft fee from last month?"),
        ("agent", "Yes, I've reversed that fee and the account is now closed."),
        ("customer", "Thank you."),
    ]
    _, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("close", "done"), ("fee_waiver", "done")]


def test_a_customer_told_to_call_back_who_says_they_will_is_unresolved_not_withdrawn(settings):
    lines = [
        ("agent", "Crestline Energy, this is Omar."),
        ("customer", "Hi, I want a refund for the double payment taken on the first."),
        ("agent", "I'm afraid refunds can't be raised until the payment clears, that takes five days."),
        ("customer", "Five days? I need that money now."),
        ("agent", "I understand, but there's nothing I can do before then. Please call us back on Monday."),
        ("customer", "Fine. I'll call back on Monday then."),
        ("agent", "Thanks for your patience."),
    ]
    _, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("refund", "unresolved")]


def test_a_case_opened_for_another_team_after_i_cannot_is_escalated(settings):
    lines = [
        ("agent", "Northwind Air, customer care, Lena speaking."),
        ("customer", "My flight was cancelled and I want my money back for the hotel I had to pay for."),
        ("agent", "I'm sorry. Hotel costs are not something I can refund from this desk."),
        ("customer", "That's not good enough, it was your cancellation."),
        (
            "agent",
            "I don't have the authority to refund it myself, but I'm opening a case with our claims team "
            "now and they will email you within five days.",
        ),
        ("customer", "Okay, I'll watch for it."),
    ]
    _, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("refund", "escalated")]


def test_a_pause_refused_then_a_cancellation_granted_are_two_requests(settings):
    lines = [
        ("agent", "Summit Climbing Gym, this is Theo."),
        ("customer", "Hi, I'd like to freeze my membership for two months while I travel."),
        ("agent", "I'm sorry, we can only freeze memberships for medical reasons, that's the policy."),
        ("customer", "It's work travel, I can't get a doctor's note for that."),
        ("agent", "Then I can't freeze it, the system won't let me without a medical code."),
        ("customer", "Okay, then just cancel it instead."),
        ("agent", "Done, I've cancelled the membership as of the end of this month."),
        ("customer", "Thanks."),
    ]
    _, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("pause", "refused"), ("cancel", "done")]


def test_an_offer_taken_in_loose_spoken_words_is_retained_even_after_a_question_about_it(settings):
    lines = [
        ("agent", "thanks for calling brightpath learning this is kay"),
        ("customer", "hi um i need to cancel my subscription i just dont have the time with the new job"),
        ("agent", "oh okay before i do that you would lose all your saved progress after thirty days"),
        ("customer", "wait all of it"),
        ("agent", "yeah but what i can do is put you on our lite plan its four ninety nine you keep it all"),
        ("customer", "huh four ninety nine okay yeah lets do that"),
        ("agent", "okay youre switched to the lite plan from your next billing date"),
        ("customer", "great thanks"),
    ]
    _, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "retained")]


def test_a_verification_answer_the_request_model_barely_hears_as_a_supervisor_opens_no_escalation(settings):
    lines = [
        ("agent", "Lakeside Water, this is Ruth, can I take your account number?"),
        ("customer", "um i've not got the letter here can you look it up with the address"),
        ("agent", "Of course, what's the address?"),
        ("customer", "Fourteen Mill Lane."),
        ("agent", "Thank you, I've found you. How can I help?"),
        ("customer", "I'd like to close my account, I'm moving out on Friday."),
        ("agent", "No problem, I've closed the account from Friday and your final bill will follow."),
        ("customer", "Thanks."),
    ]
    _, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("close", "done")]


def test_an_offer_that_sets_up_a_reminder_is_no_grant_and_taking_it_is_retained(settings):
    """An offer that "sets up" a reminder does not grant the cancellation; the customer asks about
    it, takes it, and the agent carries out the offer: the cancellation was dropped for it."""
    lines = [
        ("agent", "greenbox meals this is tariq how can i help"),
        ("customer", "hi um i want to cancel my meal kit please"),
        (
            "agent",
            "okay before you go the last thing i can do is give you the next three boxes at half price"
            " and set up a reminder text before each one",
        ),
        ("customer", "half price huh so like thirty dollars"),
        ("agent", "yep thirty a box for three weeks and then you can decide"),
        ("customer", "uh ok yeah fine lets do that"),
        ("agent", "great so i applied half price to your next three boxes and turned on the reminders"),
        ("customer", "okay cool thanks"),
    ]
    turns, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "retained")]
    assert result[0].evidence == turns[5].text


def test_a_customer_who_holds_off_to_call_back_later_has_withdrawn_the_request(settings):
    lines = [
        ("agent", "Northwind Software, this is Amir."),
        ("customer", "Hi, I'd like to close our company account, we're shutting the shop."),
        (
            "agent",
            "Sorry to hear that. Just so you know, closing deletes all your invoices and reports"
            " straight away.",
        ),
        (
            "customer",
            "Oh, we need those for the accountant. Okay, don't close it yet, I'll export everything"
            " first and call back.",
        ),
        ("agent", "Sounds good, the export is under Reports."),
        ("customer", "Great, thanks."),
    ]
    turns, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("close", "withdrawn")]
    assert result[0].evidence == turns[3].text


def test_thanks_then_another_matter_does_not_undo_the_grant(settings):
    """ "Perfect, thanks. And while I have you, …": the customer took the grant; what follows is not
    the same request asked again (before, the cancellation ended unresolved)."""
    lines = [
        ("agent", "Metro Cable, this is Dee."),
        ("customer", "Hi, I need to cancel the sports package on my account please."),
        ("agent", "Sure. I've cancelled the sports package from today, you won't be billed for it again."),
        ("customer", "Perfect, thanks. And while I have you, can you cancel the movie channels as well?"),
        ("agent", "Of course, the movie channels are cancelled too."),
        ("customer", "Great, thank you."),
    ]
    turns, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "done")]
    assert result[0].evidence == turns[2].text


def test_forget_the_cancelling_part_withdraws_it_and_a_smaller_plan_after_is_done(settings):
    lines = [
        ("agent", "thanks for calling skyvault storage this is ken"),
        ("customer", "hi um i want to cancel my cloud storage"),
        ("agent", "okay can i ask whats making you want to cancel today"),
        ("customer", "its twenty dollars a month and i only keep my phone pictures on there"),
        ("agent", "yeah you are only using about ninety gigabytes"),
        (
            "customer",
            "oh well then forget the cancelling part i dont want to lose the pictures of the grandkids",
        ),
        ("agent", "sure no problem"),
    ]
    turns, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "withdrawn")]
    assert result[0].evidence == turns[5].text


def test_a_supervisor_who_comes_on_the_line_is_the_escalation_and_the_refund_can_still_be_done(settings):
    lines = [
        ("agent", "Bolt Mobile, this is Aaron."),
        (
            "customer",
            "My son bought a twenty five dollar data pass by mistake and never used it, I want a refund.",
        ),
        (
            "agent",
            "I understand, but the system doesn't allow refunds on activated passes, there's no option.",
        ),
        ("customer", "Then I want to talk to your supervisor. Please."),
        ("agent", "Okay, let me see if one is available. Please hold."),
        ("customer", "Sure."),
        ("agent", "Hi, this is Carla, I'm the team supervisor. Aaron filled me in, sorry about the hassle."),
        ("customer", "Thanks. I just want the twenty five back, it was a mistake by a kid."),
        ("agent", "I can see it wasn't used, so I've refunded the twenty five dollars to your card."),
        ("customer", "Thank you so much."),
    ]
    turns, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("refund", "done"), ("supervisor", "escalated")]
    assert result[1].evidence == turns[6].text


def test_go_ahead_and_cancel_after_an_offer_is_done_and_a_reason_is_no_withdrawal(settings):
    """ "Okay, go ahead and cancel it" takes no offer: the cancellation is done. Nor does "I just
    don't do much streaming right now" hold the request off."""
    lines = [
        ("agent", "Thanks for calling StreamMax, this is Jo."),
        ("customer", "Hi, I'd like to cancel my subscription please."),
        ("agent", "Can I ask why?"),
        ("customer", "I just don't do much streaming right now."),
        ("agent", "I understand. I can give you three months at half price if you stay."),
        ("customer", "Hmm, no, I barely use it."),
        ("customer", "Okay, go ahead and cancel it."),
        ("agent", "Done, I've cancelled it, you'll get an email confirming."),
        ("customer", "Thanks."),
    ]
    turns, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("cancel", "done")]
    assert result[0].evidence == turns[7].text


def test_the_supervisor_who_comes_on_can_grant_the_request_under_it_without_it_asked_again(settings):
    lines = [
        ("agent", "Bolt Mobile, this is Aaron."),
        ("customer", "My son bought a data pass by mistake and never used it, I want a refund."),
        (
            "agent",
            "I understand, but the system doesn't allow refunds on activated passes, there's no option.",
        ),
        ("customer", "Then I want to talk to your supervisor."),
        (
            "agent",
            "Hi, this is Carla, I'm the team supervisor. I've gone ahead and refunded the pass to your card.",
        ),
        ("customer", "Oh, thank you so much."),
    ]
    turns, result = found(lines, settings)
    assert [(o.kind, o.outcome) for o in result] == [("refund", "done"), ("supervisor", "escalated")]
    assert result[0].evidence == turns[4].text
