"""Score a name classifier against a labelled CSV (name,type,description,category,temporary).

An empty ``category`` means benign. Used by the test suite and ``scripts/compare_detectors.py``;
also handy to check a user rules file against names from your own tracking plan.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from drift.classify.engine import Classifier
from drift.model import TEMPORARY


@dataclass(frozen=True)
class Labeled:
    name: str
    types: tuple[str, ...]
    description: str
    category: str  # "" = benign
    temporary: bool


@dataclass(frozen=True)
class Prediction:
    category: str | None  # None: benign; "?" : sensitive, category not mappable
    temporary: bool = False


Predictor = Callable[[Labeled], Prediction]


def read_labeled(path: Path) -> list[Labeled]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return [_row(r) for r in csv.DictReader(fh)]


def _row(r: dict[str, str]) -> Labeled:
    types = tuple(t for t in (r.get("type") or "").split("|") if t)
    flag = (r.get("temporary") or "0").strip().lower() in ("1", "true", "yes")
    return Labeled(r["name"], types, r.get("description") or "", r.get("category") or "", flag)


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    category_right: int = 0
    temporary_missed: list[str] = field(default_factory=list)
    temporary_false: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "name: want X, got Y"

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def category_accuracy(self) -> float:
        """Share of sensitive rows whose predicted category is the labelled one."""
        total = self.tp + self.fn
        return self.category_right / total if total else 0.0

    def summary(self) -> str:
        return (
            f"F1 {self.f1:.3f} (precision {self.precision:.3f}, recall {self.recall:.3f}; "
            f"tp {self.tp} fp {self.fp} fn {self.fn} tn {self.tn}), "
            f"category accuracy {self.category_accuracy:.3f}, "
            f"temporary missed {len(self.temporary_missed)}, false {len(self.temporary_false)}"
        )


def score(rows: Iterable[Labeled], predict: Predictor) -> Scores:
    out = Scores()
    for row in rows:
        _tally(out, row, predict(row))
    return out


def _tally(out: Scores, row: Labeled, got: Prediction) -> None:
    want, flagged = bool(row.category), got.category is not None
    out.tp += want and flagged
    out.fp += flagged and not want
    out.fn += want and not flagged
    out.tn += not want and not flagged
    out.category_right += want and got.category == row.category
    if (got.category or "") != row.category:
        out.errors.append(f"{row.name}: want {row.category or 'benign'}, got {got.category}")
    if row.temporary and not got.temporary:
        out.temporary_missed.append(row.name)
    if got.temporary and not row.temporary:
        out.temporary_false.append(row.name)


def predictor(classifier: Classifier) -> Predictor:
    """drift's prediction: the category of the top finding that is not just a temporary flag."""

    def predict(row: Labeled) -> Prediction:
        findings = classifier.classify(row.name, row.types, row.description)
        cats = [f.category for f in findings if f.category != TEMPORARY]
        return Prediction(cats[0] if cats else None, any(f.temporary for f in findings))

    return predict
