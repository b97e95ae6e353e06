"""Evaluation calls the pipeline was never tuned on: new wording, new voices, other formats.

Each scenario's lines carry the truth (who speaks when, which agent turns push back)."""

from __future__ import annotations

from callgen import Line

# Voice pairs not used by the test suite: (voice, words per minute, pitch).
VOICES_A = {"agent": ("en-gb-scotland", 160, 35), "customer": ("en-us+f5", 165, 75)}
VOICES_B = {"agent": ("en-us+f2", 170, 70), "customer": ("en-gb+m2", 150, 30)}
VOICES_C = {"agent": ("en-gb-x-rp", 155, 45), "customer": ("en-us+m4", 170, 25)}

# Mobile plan retention: cancel requested, four push-backs, a hold with music, a lecture.
RETENTION = [
    Line("agent", "Good afternoon, you've reached Skyline Mobile, my name is Priya. How can I help?"),
    Line("customer", "Hi. I want to close my account and move my number to another carrier."),
    Line("agent", "Oh, I'm sorry to hear that. What made you decide to leave?", refusal=True),
    Line("customer", "The price keeps going up. I'd just like to cancel, please."),
    Line(
        "agent",
        "Have you considered our new unlimited plan? It is ten dollars cheaper than what you pay.",
        refusal=True,
    ),
    Line("customer", "No. I really do not want a new plan. Please cancel the account."),
    Line("agent", "One moment, I'll need to look at your contract."),
    Line("hold", hold=18.0, music=0.05),
    Line(
        "agent",
        "Thank you for waiting. I have looked at your contract, and I should explain what "
        "happens if you leave today. You would lose the discount on your phone, the remaining "
        "balance on the device becomes due at once, and your family members on the shared plan "
        "would each pay full price. Many customers do not realise this, and they are surprised "
        "by the final bill. I really would not want that to happen to you, so I want to make sure "
        "you understand everything before we go any further with this. And remember, our coverage "
        "is the best in the country, which you will notice the day you switch.",
        refusal=True,
    ),
    Line("customer", "I understand all that. I still want to cancel.", pause=0.4),
    Line(
        "agent",
        "Unfortunately I am not able to cancel it on this line, you would have to visit a store.",
        refusal=True,
    ),
    Line("customer", "That is ridiculous. Can I speak to a supervisor?", overlap=1.2),
    Line("agent", "Sure, I will transfer you to my supervisor now."),
    Line("customer", "Thank you."),
]

# A billing question handled well: no request to leave, so no refusals.
BILLING = [
    Line("agent", "Thank you for calling Brightwater Energy, this is Tom. What can I do for you?"),
    Line("customer", "Hello Tom. My last bill looks higher than usual and I wanted to check it."),
    Line("agent", "Of course. Can I have your account number, please?"),
    Line("customer", "It's seven seven two one nine four."),
    Line(
        "agent", "Thank you. I can see the meter reading was estimated last month, which is why it is high."
    ),
    Line("customer", "Oh, I see. Can you correct it?"),
    Line("agent", "Yes. If you read me the number on your meter, I will update it right now."),
    Line("customer", "It says four three eight two zero."),
    Line("agent", "Perfect, your bill has been corrected and you will get a new one by email."),
    Line("customer", "Great, thanks for your help."),
]

# A gym membership: the customer asks to cancel, the agent complies at once.
COMPLIANT_CANCEL = [
    Line("agent", "Hi, thanks for calling Peak Fitness, Jordan speaking. How can I help you?"),
    Line("customer", "Hi Jordan, I'd like to cancel my membership, I'm moving abroad next month."),
    Line("agent", "No problem, I can take care of that for you. Can you confirm your date of birth?"),
    Line("customer", "Yes, it's the third of March, nineteen ninety."),
    Line(
        "agent",
        "Thank you. Your membership has been cancelled from the end of this month. "
        "You'll get a confirmation email shortly.",
    ),
    Line("customer", "Perfect. Thanks a lot."),
    Line("agent", "You're welcome, and good luck with the move."),
]

# A refund the agent declines twice before complying.
REFUND = [
    Line("agent", "Hello, you're through to Nova Electronics customer care, my name is Alex."),
    Line("customer", "Hi. My headphones broke after two weeks and I want a refund."),
    Line(
        "agent", "I'm afraid we can't refund opened items, but I could offer you store credit.", refusal=True
    ),
    Line("customer", "I don't want store credit. I want my money back."),
    Line("agent", "Our policy only allows exchanges after the box has been opened.", refusal=True),
    Line("customer", "They are faulty. That is not the same thing."),
    Line("agent", "You are right, a faulty item is different. I will process the refund now."),
    Line("customer", "Thank you."),
]

SCENARIOS = {
    "retention": (RETENTION, VOICES_A),
    "billing": (BILLING, VOICES_B),
    "compliant_cancel": (COMPLIANT_CANCEL, VOICES_C),
    "refund": (REFUND, VOICES_A),
}


def long_call(minutes: float = 10.0) -> list[Line]:
    """A call of about ``minutes``: the scenarios' dialogue strung together, as one long call.
    Each scenario ends with its request resolved, so the refusal truth still holds."""
    lines: list[Line] = []
    seconds = 0.0
    while seconds < minutes * 60:
        for script in (RETENTION, BILLING, COMPLIANT_CANCEL, REFUND):
            for line in script:
                lines.append(line)
                seconds += line.hold or (len(line.text.split()) / 2.6 + line.pause)
    return lines
