"""drift against labelled names: the shared file (as it is) and our own extra cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.classify import load_classifier
from drift.classify.evaluate import predictor, read_labeled, score

REPO = Path(__file__).resolve().parents[2]
SHARED_LABELS = REPO / "tests" / "cases" / "labels" / "names-labeled.csv"
EXTRA_LABELS = REPO / "tests" / "cases" / "names-extra.csv"


def test_shared_labelled_names() -> None:
    if not SHARED_LABELS.exists():
        pytest.fail(f"labelled names not found at {SHARED_LABELS.resolve()}")
    result = score(read_labeled(SHARED_LABELS), predictor(load_classifier()))
    print(f"\nnames-labeled.csv: {result.summary()}")
    assert result.f1 >= 0.95, result.errors
    assert result.category_accuracy >= 0.9, result.errors
    assert result.temporary_missed == []
    assert result.temporary_false == []


def test_extra_labelled_names() -> None:
    result = score(read_labeled(EXTRA_LABELS), predictor(load_classifier()))
    print(f"\nnames-extra.csv: {result.summary()}")
    assert result.f1 >= 0.9, result.errors
    assert result.category_accuracy >= 0.85, result.errors
    assert result.temporary_missed == []
    assert result.temporary_false == []


LANGUAGES = ["de", "fr", "es", "pt", "it", "nl"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_multilingual_labelled_names(code: str) -> None:
    path = REPO / "tests" / "cases" / "labels" / f"names-{code}.csv"
    rows = read_labeled(path)
    assert len(rows) >= 60
    result = score(rows, predictor(load_classifier()))
    print(f"\n{path.name}: {result.summary()}")
    assert result.f1 >= 0.95, result.errors
    assert result.category_accuracy >= 0.9, result.errors
    assert result.temporary_missed == []
    assert result.temporary_false == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_language_left_out_is_not_graded(code: str) -> None:
    """With only English, the same names score far lower: the language's terms do the work."""
    rows = read_labeled(REPO / "tests" / "cases" / "labels" / f"names-{code}.csv")
    others = [c for c in LANGUAGES if c != code]
    assert score(rows, predictor(load_classifier(languages=others))).f1 < 0.8
