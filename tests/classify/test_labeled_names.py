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
