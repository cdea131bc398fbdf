"""Whatever a vendor sends as a name, classification neither crashes nor wobbles."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drift.classify import Classifier, explain, load_classifier
from drift.model import Finding

CLF: Classifier = load_classifier()
FRESH: Classifier = load_classifier()  # a second instance, built once: same rules, same answers

TYPES = st.lists(
    st.sampled_from(["string", "boolean", "integer", "number", "array", "object", "datetime"]),
    max_size=2,
)
PIECES = st.sampled_from(
    ["email", "_", "Name", "ip", "tmp", "$", "gp:", "ID", "-", " ", "מייל", "ﻢﺳا", "🙂", "‮", "0"]
)
NAMES = st.one_of(
    st.text(max_size=60),
    st.text(min_size=400, max_size=500),
    st.lists(PIECES, max_size=40).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(name=NAMES, types=TYPES, description=st.text(max_size=80))
def test_never_crashes_and_is_deterministic(name: str, types: list[str], description: str) -> None:
    first = CLF.classify(name, types, description)
    fresh = FRESH.classify(name, types, description)
    assert first == fresh
    assert all(isinstance(f, Finding) and f.reason for f in first)
    ranks = [f.severity.rank for f in first]
    assert ranks == sorted(ranks, reverse=True)
    doc = explain(CLF, name, types, description)
    assert doc["verdict"] == ("flagged" if first else "benign")
