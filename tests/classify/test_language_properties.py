"""Folding and compound splitting never turn a benign English name into a finding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drift.classify import Classifier, load_classifier
from tests.classify.english_vocabulary import BENIGN_ENGLISH

ENGLISH_ONLY: Classifier = load_classifier(languages=[])
ALL_LANGUAGES: Classifier = load_classifier()

WORDS = st.lists(st.sampled_from(BENIGN_ENGLISH), min_size=1, max_size=4)
STYLE = st.sampled_from(["snake", "camel", "glued", "kebab", "spaced", "Title"])
TYPES = st.sampled_from([(), ("string",), ("integer",), ("boolean",), ("object",)])


def join(words: list[str], style: str) -> str:
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    joiner = {"snake": "_", "glued": "", "kebab": "-", "spaced": " ", "Title": " "}[style]
    return joiner.join(w.capitalize() if style == "Title" else w for w in words)


@settings(max_examples=400, deadline=None)
@given(words=WORDS, style=STYLE, types=TYPES)
def test_benign_english_names_stay_benign(words: list[str], style: str, types: tuple) -> None:
    name = join(words, style)
    assert ENGLISH_ONLY.classify(name, types) == ()
    assert ALL_LANGUAGES.classify(name, types) == (), ALL_LANGUAGES.tokens(name)


@settings(max_examples=200, deadline=None)
@given(words=WORDS, style=STYLE)
def test_english_words_are_not_split(words: list[str], style: str) -> None:
    name = join(words, style)
    assert ALL_LANGUAGES.tokens(name) == ENGLISH_ONLY.tokens(name)
