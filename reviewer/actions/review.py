"""Who is who and the review's steps, as operations: a person's profile (name and role), the
rule of who may grade, the review's status (new → in review → submitted → acknowledged), a
submitted score's changes (a reason, logged), and each person's inbox with its read marks.

On a shared (PostgreSQL) library the database user is the login and the role is the one the
library's table of people gives it: a login the table knows as an agent cannot grade, and a
person cannot make themselves a coach. On a SQLite file (one person's library) the profile
chosen on first start is the person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reviewer.errors import ReviewerError
from reviewer.library import Library
from reviewer.library.people import PERSON_ROLES
from reviewer.model import InboxEntry, Person, ReviewState

ROLE_NAMES = {"coach": "Coach", "qa lead": "QA lead", "agent": "Agent"}


# -- people ----------------------------------------------------------------------------------


def me(library: Library) -> Person | None:
    """The person this app or command is, if the library knows them."""
    return library.person(library.login)


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def _role(role: str) -> str:
    role = role.strip().lower().replace("_", " ").replace("-", " ")
    if role not in PERSON_ROLES:
        raise ReviewerError(f"Unknown role {role!r}: use one of {', '.join(PERSON_ROLES)}.")
    return role


def set_profile(library: Library, name: str, role: str) -> Person:
    """This login's profile (chosen on first start, changed later). On a shared library a login
    may give itself a name, but a role only where the library has no coach or QA lead yet (the
    first person sets the library up) or where it already has that role: a coach or QA lead
    gives everyone else theirs (``set_person``)."""
    name, role = name.strip(), _role(role)
    if not name:
        raise ReviewerError("A profile needs your name (what your comments and answers are signed with).")
    login = library.login
    current = library.person(login)
    if library.is_shared:
        graders = [p for p in library.people() if p.grades]
        allowed = role == "agent" if current is None else role == current.role
        if not allowed and graders and not (current and current.grades):
            held = current.role if current else "agent"
            raise ReviewerError(
                f"On this shared library {login!r} is {'an' if held == 'agent' else 'a'} {held}: only a "
                f"coach or QA lead can make it {role_name(role).lower()} (reviewer people set {login} "
                f"--role {role.replace(' ', '-')})."
            )
    with library.write():
        library.put_person(login, name, role)
    library.refresh_identity()
    return Person(login, name, role)


def set_person(library: Library, login: str, name: str | None, role: str) -> Person:
    """A coach or QA lead adds someone to the library, or changes their name or role."""
    require_grader(library, "give people their roles")
    role = _role(role)
    login = login.strip()
    if not login:
        raise ReviewerError("Say whose login (the database user on a shared library).")
    current = library.person(login)
    name = (name or (current.name if current else login)).strip()
    with library.write():
        library.put_person(login, name, role)
    return Person(login, name, role)


def require_grader(library: Library, doing: str = "grade calls") -> Person | None:
    """The person, if they may grade; ReviewerError where the library knows them (or, on a
    shared library with people, does not know them) as someone who may not. A library without
    people (made before profiles) lets everyone, as before."""
    person = me(library)
    if person is not None:
        if not person.grades:
            raise ReviewerError(
                f"{person.name} is an agent in this library: only a coach or QA lead may {doing}."
            )
        return person
    if library.is_shared and any(p.grades for p in library.people()):
        raise ReviewerError(
            f"{library.login!r} is not one of this library's people: a coach or QA lead adds you "
            f"(reviewer people set {library.login} --role ROLE) before you may {doing}."
        )
    return None


def signature(library: Library, claimed: str | None = None) -> str:
    """Who signs a change: the person's name; ``claimed`` (a --grader or --author) only where
    the library knows no person for this login (a one-person file, or before profiles)."""
    person = me(library)
    if person is not None:
        if claimed and claimed.strip() and claimed.strip() != person.name and library.is_shared:
            raise ReviewerError(f"On a shared library you sign as yourself ({person.name}), not {claimed!r}.")
        return (claimed or "").strip() or person.name
    return (claimed or "").strip() or library.user


@contextmanager
def changes_logged(library: Library, call_id: int, doing: str, why: str) -> Iterator[str]:
    """Around a correction that re-analyses a call (inside the caller's write transaction): only
    a coach or QA lead makes it (``doing`` says what, for the refusal), and on a submitted review
    every answer it moves is logged, with ``why`` (the correction itself) as the reason. Yields
    the person's name where the library knows them (they sign it, whatever name was typed), else
    ""."""
    from reviewer.actions import scores

    person = require_grader(library, doing)
    known = person.name if person is not None else ""
    who = known or library.user
    card = library.default_card() if library.review_state(call_id).final else None
    if card is None:
        yield known
        return
    version = scores.call_card_version(library, call_id, card)
    before = scores.current_answers(library, call_id, card, version)
    yield known
    after = scores.current_answers(library, call_id, card, version)
    for item in sorted({*before, *after}):
        if before.get(item) != after.get(item):
            library.log_score_change(call_id, card, item, who, before.get(item), after.get(item), why)


# -- the review's steps --------------------------------------------------------------------


def review_state(library: Library, call_id: int) -> ReviewState:
    library.call_row(call_id)
    return library.review_state(call_id)


def started(library: Library, call_id: int) -> None:
    """Inside the caller's transaction: a coach's first answer or comment puts a new call in review."""
    if library.review_state(call_id).status == "new":
        library.put_review_status(call_id, "in review")


def submit_review(library: Library, call_id: int) -> ReviewState:
    """The coach submits the call's review: its score is final from now on (a change needs a
    reason and is logged) and the agent sees it. Every item must have an answer first."""
    from reviewer.actions import scores

    person = require_grader(library, "submit a review")
    state = review_state(library, call_id)
    if state.final:
        raise ReviewerError(
            f"The review of call #{call_id} was already submitted by {state.submitted_by} "
            f"({state.submitted_at})."
        )
    name = library.default_card()
    if name is not None:
        score = scores.score(library, call_id, name)
        missing = [i.id for i in score.items if i.result is None]
        if missing:
            raise ReviewerError(
                f"{len(missing)} item(s) still need an answer before the review can be submitted: "
                f"{', '.join(missing)}."
            )
    with library.write():
        library.touch_call(call_id)
        library.mark_submitted(call_id, person.name if person else library.user)
    return library.review_state(call_id)


def acknowledge_review(library: Library, call_id: int) -> ReviewState:
    """The agent says they have read the submitted review."""
    state = review_state(library, call_id)
    if state.status != "submitted":
        raise ReviewerError(
            f"Call #{call_id}'s review is {state.status}: only a submitted review can be acknowledged."
        )
    person = me(library)
    if person is not None and person.grades:
        raise ReviewerError(f"{person.name} is a {person.role}: the call's agent acknowledges its review.")
    with library.write():
        library.touch_call(call_id)
        library.mark_acknowledged(call_id, person.name if person else library.user)
    return library.review_state(call_id)


# -- the inbox --------------------------------------------------------------------------------


def inbox(library: Library, agent: str | None = None) -> list[InboxEntry]:
    """What waits for this person, newest first: for a coach, open disputes and agents' replies
    across calls, and what became of disputes; for an agent (``agent``, or the person when their
    role is agent), their calls' submitted reviews and the coaches' decisions on their disputes.
    Each line says whether this login has read it."""
    person = me(library)
    if agent is None and person is not None and person.role == "agent":
        agent = person.name
    read = library.read_entries(library.login)
    calls = {r.id: r for r in library.list_calls(brief=True)}
    entries: list[InboxEntry] = []

    def add(
        key: str, kind: str, call_id: int, at: float, item: str | None, who: str, text: str, when
    ) -> None:  # noqa: ANN001
        row = calls.get(call_id)
        if row is None or (agent is not None and row.agent != agent):
            return
        entries.append(
            InboxEntry(
                key, kind, call_id, row.name, at, item, who or row.agent or "", text, when, key not in read
            )
        )

    for d in library.all_disputes():
        if agent is None and d["status"] == "open":
            text = f"{d['item_id']} — {d['text']}"
            add(
                f"dispute:{d['id']}",
                "dispute",
                d["call_id"],
                0.0,
                d["item_id"],
                d["author"],
                text,
                d["created_at"],
            )
        elif d["status"] != "open" and (agent is not None or d["resolved_by"] != library.user):
            reply = f": {d['reply']}" if d["reply"] else ""
            text = f"{d['status']} the dispute of {d['item_id']}{reply}"
            add(
                f"decision:{d['id']}",
                "decision",
                d["call_id"],
                0.0,
                d["item_id"],
                d["resolved_by"],
                text,
                d["resolved_at"],
            )
    if agent is None:
        for c in library.answered_comments():
            text = f"to “{c['text']}”: {c['reply']}"
            add(
                f"reply:{c['id']}:{c['updated_at']}",
                "reply",
                c["call_id"],
                (c["start_ms"] or 0) / 1000,
                None,
                "",
                text,
                c["updated_at"],
            )
    for r in library.submitted_reviews():
        if agent is not None:
            score = calls[r.call_id].score if r.call_id in calls else None
            text = "submitted" + (f", score {score:.0f}" if score is not None else "")
            add(
                f"review:{r.call_id}:{r.submitted_at}",
                "review",
                r.call_id,
                0.0,
                None,
                r.submitted_by or "",
                text,
                r.submitted_at,
            )
        elif r.acknowledged_at:
            add(
                f"ack:{r.call_id}:{r.acknowledged_at}",
                "review",
                r.call_id,
                0.0,
                None,
                r.acknowledged_by or "",
                "acknowledged by the agent",
                r.acknowledged_at,
            )
    entries.sort(key=lambda e: (e.when or "", e.key), reverse=True)
    return entries


def mark_read(library: Library, keys: list[str]) -> None:
    """These inbox lines read by this login (its own marks; others' are theirs)."""
    with library.write():
        library.mark_read(library.login, keys)
