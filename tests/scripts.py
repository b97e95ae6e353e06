"""Call scripts with known truth, used by the tests, the benchmarks and the bundled sample."""

from __future__ import annotations

from callgen import Line

# A retention call: the customer asks to cancel three times; the agent pushes back three times,
# puts the customer on hold, lectures, talks over them, and finally complies.
PUSHBACK_CALL = [
    Line("agent", "Thank you for calling Northwind Cable, my name is Ryan. How can I help you today?"),
    Line("customer", "Hi Ryan. I would like to cancel my internet service, please."),
    Line("agent", "I'm sorry to hear that. Can I ask why you want to cancel?", refusal=True),
    Line("customer", "I'm moving to another city, so I don't need it anymore. Please cancel it."),
    Line(
        "agent",
        "Before we do that, I can offer you a special discount of twenty dollars a month "
        "for the next six months.",
        refusal=True,
    ),
    Line("customer", "No thank you. I just want to cancel the service."),
    Line("agent", "Let me put you on a brief hold while I check your account."),
    Line("hold", hold=14.0),
    Line(
        "agent",
        "Thanks for holding. I see you have been with us for seven years. Our network is "
        "the fastest in the region, and we just upgraded every neighborhood to fiber. Most "
        "customers who leave come back within a year, because the other providers are slower and "
        "their prices go up after the first year. You would also lose your loyalty rewards, your "
        "free installation, and the price you locked in three years ago. And if you move, we probably "
        "serve your new city too, so you could simply transfer the account instead of closing it, "
        "and keep every benefit you have today without paying a new setup fee.",
        refusal=True,
    ),
    Line("customer", "I understand, but I am moving.", overlap=1.8),
    Line("customer", "Please just cancel it today.", pause=0.6),
    Line("agent", "Okay. I have cancelled your service, effective today. Is there anything else?"),
    Line("customer", "No, that's all. Thank you."),
]

# The same request handled well: the agent complies at once.
CLEAN_CALL = [
    Line(
        "agent",
        "Good morning, thank you for calling Northwind Cable, this is Maria speaking. How may I help you?",
    ),
    Line("customer", "Hello. I'm calling because I want to cancel my internet service."),
    Line("agent", "Of course. I can do that for you. Can I have your account number, please?"),
    Line("customer", "Yes, it is four five six seven eight nine."),
    Line(
        "agent",
        "Thank you. I will cancel the service now. Your account has been cancelled, and "
        "you will receive a confirmation email today.",
    ),
    Line("customer", "Great, thank you very much."),
    Line("agent", "You're welcome. Have a nice day."),
]

SAMPLE_CALL = PUSHBACK_CALL
