"""Variants of the kind-of-push-back model, side by side: 5-fold dev CV grouped by scenario on the
push-back corpus's development turns, and the test split's push-back turns (found or not).

    python bench/kind_variants.py '[{}, {"C": 1}, {"scale": 0}, {"pend": 1}, {"prev": 1}, {"sent": 2}]'

Each variant is a JSON object: C (inverse regularisation, default 4), scale (the sentence
embedding's weight, default 2; 0 leaves it out), text (false: no word and character n-grams),
pend (the pending request's kind, one-hot, at this weight), prev (the customer's turn before,
embedded, at this weight), sent (the max over the turn's sentences' embeddings, at this weight),
cw (class_weight, default "balanced"). Nothing is written: the shipped model is trained by
bench/refusals.py.
"""

import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from reviewer import embedding
from reviewer import refusal_training as rt
from reviewer.analysis.pushback import char_ngrams, turn_text, word_ngrams


def items(dialogues):
    out = []
    for d in dialogues:
        pend = "none"
        prev = ""
        for _i, line in enumerate(d["turns"]):
            if line["role"] == "customer":
                if line.get("request", "none") != "none":
                    pend = line["request"]
                prev = line["text"]
            elif line.get("label") == "pushback" and line.get("kind"):
                out.append(
                    dict(text=line["text"], kind=line["kind"], group=d["scenario"], pend=pend, prev=prev)
                )
    return out


dev = items(rt.load_dialogues(rt.corpus_files("dev")))
test = items(rt.load_dialogues(rt.corpus_files("test")))
enc = embedding.encoder()


def E(xs):
    return enc.encode(xs)


SPLIT = re.compile(r"(?<=[.!?])\s+")


def sents(t):
    s = [x for x in SPLIT.split(t.strip()) if len(x.split()) >= 2]
    return s or [t]


REQS = sorted({x["pend"] for x in dev + test})


def feats(train, other, cfg):
    tw = [turn_text(x["text"]) for x in train]
    ow = [turn_text(x["text"]) for x in other]
    w = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, min_df=2)
    c = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2)
    blocks_tr = [w.fit_transform(tw), c.fit_transform(tw)]
    blocks_ot = [w.transform(ow), c.transform(ow)]
    if cfg.get("text", True) is False:
        blocks_tr, blocks_ot = [], []
    s = cfg.get("scale", 2.0)
    if s:
        blocks_tr.append(csr_matrix(E([x["text"] for x in train]) * s))
        blocks_ot.append(csr_matrix(E([x["text"] for x in other]) * s))
    if cfg.get("sent"):

        def se(xs):
            return np.array([E(sents(x["text"])).max(0) for x in xs]) * cfg["sent"]

        blocks_tr.append(csr_matrix(se(train)))
        blocks_ot.append(csr_matrix(se(other)))
    if cfg.get("prev"):
        blocks_tr.append(csr_matrix(E([x["prev"] or "." for x in train]) * cfg["prev"]))
        blocks_ot.append(csr_matrix(E([x["prev"] or "." for x in other]) * cfg["prev"]))
    if cfg.get("pend"):

        def oh(xs):
            return np.array([[cfg["pend"] * (x["pend"] == r) for r in REQS] for x in xs])

        blocks_tr.append(csr_matrix(oh(train)))
        blocks_ot.append(csr_matrix(oh(other)))
    return hstack(blocks_tr).tocsr(), hstack(blocks_ot).tocsr()


def run(cfg, data=dev, test_on=None):
    y = np.array([x["kind"] for x in data])
    if test_on is not None:
        a, b = feats(data, test_on, cfg)
        m = LogisticRegression(C=cfg.get("C", 4), max_iter=5000, class_weight=cfg.get("cw", "balanced")).fit(
            a, y
        )
        p = m.predict(b)
        return np.mean(p == np.array([x["kind"] for x in test_on]))
    g = [x["group"] for x in data]
    right = 0
    for tr, te in GroupKFold(5).split(data, y, g):
        a, b = feats([data[i] for i in tr], [data[i] for i in te], cfg)
        m = LogisticRegression(C=cfg.get("C", 4), max_iter=5000, class_weight=cfg.get("cw", "balanced")).fit(
            a, y[tr]
        )
        right += (m.predict(b) == y[te]).sum()
    return right / len(data)


if __name__ == "__main__":
    print(len(dev), len(test), flush=True)
    E([x["text"] for x in dev + test])
    E([x["prev"] or "." for x in dev + test])
    E([s for x in dev + test for s in sents(x["text"])])
    cfgs = json.loads(sys.argv[1]) if len(sys.argv) > 1 else [{}]
    for cfg in cfgs:
        print(json.dumps(cfg), f"cv {run(cfg):.3f}", f"test {run(cfg, test_on=test):.3f}", flush=True)
