"""How far two people agree on the kind of push-back, and where the shipped kind model stands
between them: the corpus authors' kinds against a second, independent reading of every push-back
turn (resources/pushback/second-kinds.json), and the kind model (the shipped settings, trained on
the authors' dev kinds) scored on the test split against each, either, and where both agree.

    python bench/kind_agreement.py

Writes nothing (about 5 minutes on 2 shared cores: the sentence encoder reads every turn).
"""

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CORPUS = ROOT / "resources" / "pushback"


def turns(split: str, second: dict[str, str]) -> list[dict]:
    """Every push-back turn with a kind, in corpus order, with both readings."""
    out = []
    for f in sorted((CORPUS / split).glob("*.json")):
        for di, d in enumerate(json.loads(f.read_text())):
            pend, prev = "none", ""
            for ti, line in enumerate(d["turns"]):
                if line["role"] == "customer":
                    if line.get("request", "none") != "none":
                        pend = line["request"]
                    prev = line["text"]
                elif line.get("label") == "pushback" and line.get("kind"):
                    key = f"{split}/{f.name}#{di}#{ti}"
                    if key not in second:  # a part added after the second reading
                        continue
                    out.append(
                        dict(
                            text=line["text"],
                            kind=line["kind"],
                            second=second[key],
                            group=d["scenario"],
                            pend=pend,
                            prev=prev,
                        )
                    )
    return out


def main() -> None:
    second = json.loads((CORPUS / "second-kinds.json").read_text())["labels"]
    dev, test = turns("dev", second), turns("test", second)
    for name, rows in (("dev", dev), ("test", test)):
        same = sum(r["kind"] == r["second"] for r in rows)
        agree = same / len(rows)
        print(f"{name}: {len(rows)} push-back turns; author and second reader agree on {agree:.3f}")
        pairs = Counter(tuple(sorted((r["kind"], r["second"]))) for r in rows if r["kind"] != r["second"])
        print("  most often apart:", ", ".join(f"{a}/{b} {n}" for (a, b), n in pairs.most_common(6)))

    import kind_variants as kv  # the shipped settings' features (loads the encoder)

    a, b = kv.feats(dev, test, {})
    model = LogisticRegression(C=4, max_iter=5000, class_weight="balanced").fit(a, [r["kind"] for r in dev])
    p = model.predict(b)
    author = np.array([r["kind"] for r in test])
    other = np.array([r["second"] for r in test])
    both = author == other
    print(
        f"kind model on test: author {np.mean(p == author):.3f}, second reader {np.mean(p == other):.3f}, "
        f"either {np.mean((p == author) | (p == other)):.3f}, "
        f"where both agree ({both.sum()} turns) {np.mean(p[both] == author[both]):.3f}"
    )


if __name__ == "__main__":
    main()
