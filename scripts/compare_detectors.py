#!/usr/bin/env python3
"""Compare drift's name classifier with other tools' name-based detectors on labelled names.

    python scripts/compare_detectors.py [LABELS.csv ...] [--detectors reference-detectors.json]

Without LABELS, scores the English set (``names-labeled.csv``) and each language's set
(``names-de.csv``, ``names-fr.csv``...), one table each.

Prints F1, precision and recall of sensitive-vs-benign, and category accuracy where a
detector's labels map onto drift's categories ("n/a" when they do not: Segment's red/yellow).
Each detector is applied the way its tool applies it (see the JSON's ``_about``):

- piicatcher: ``re.match``, case-insensitive, first matching type wins;
- openmetadata: ``re.search``, case-insensitive, first matching entity wins;
- presidio_context: context words as case-insensitive substrings of the name;
- segment: keys matched as whole tokens / token sequences of the name (drift's tokenizer);
- datahub_classify: full match scores 1.0, substring match 0.65; shown as two rows, "full"
  (only 1.0 counts) and "any" (a 0.65 substring hit counts too).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drift.classify import load_classifier, tokenize  # noqa: E402
from drift.classify.evaluate import Labeled, Prediction, Scores, predictor, read_labeled, score  # noqa: E402

LABELS = ROOT / "tests" / "cases" / "labels"
Match = Callable[[str], str | None]  # name -> detector label, or None

CATEGORY_MAP: dict[str, dict[str, str]] = {
    "piicatcher": {
        "Person": "person_name", "Email": "contact", "BirthDate": "demographic",
        "Gender": "demographic", "Nationality": "demographic", "Address": "location",
        "ZipCode": "location", "UserName": "person_name", "Password": "credential",
        "SSN": "government_id", "PoBox": "location", "CreditCard": "financial",
        "Phone": "contact",
    },
    "openmetadata": {
        "US_SSN": "government_id", "CREDIT_CARD": "financial", "US_BANK_NUMBER": "financial",
        "IBAN_CODE": "financial", "EMAIL_ADDRESS": "contact", "PERSON": "person_name",
        "NRP": "demographic", "LOCATION": "location", "PHONE_NUMBER": "contact",
    },
    "presidio_context": {
        "EMAIL_ADDRESS": "contact", "PHONE_NUMBER": "contact", "IP_ADDRESS": "device_id",
        "URL": "url", "US_SSN": "government_id", "CREDIT_CARD": "financial",
        "US_BANK_NUMBER": "financial", "CRYPTO": "financial", "MAC_ADDRESS": "device_id",
        "IBAN_CODE": "financial", "US_PASSPORT": "government_id",
        "US_DRIVER_LICENSE": "government_id",
    },
    "datahub_classify": {
        "Email_Address": "contact", "Gender": "demographic",
        "Credit_Debit_Card_Number": "financial", "Phone_Number": "contact",
        "Street_Address": "location", "Full_Name": "person_name", "Age": "demographic",
        "IBAN": "financial", "US_Social_Security_Number": "government_id",
        "IP_Address_v4": "device_id", "IP_Address_v6": "device_id",
        "US_Driving_License_Number": "government_id", "Swift_Code": "financial",
    },
}  # fmt: skip


def regex_detector(table: dict[str, str | list[str]], search: bool) -> Match:
    compiled = [
        (label, re.compile(p, re.IGNORECASE))
        for label, pats in table.items()
        for p in ([pats] if isinstance(pats, str) else pats)
    ]

    def match(name: str) -> str | None:
        for label, rx in compiled:
            if (rx.search(name) if search else rx.match(name)) is not None:
                return label
        return None

    return match


def substring_detector(table: dict[str, list[str]]) -> Match:
    def match(name: str) -> str | None:
        low = name.lower()
        return next((lb for lb, words in table.items() if any(w in low for w in words)), None)

    return match


def token_detector(table: dict[str, list[str]]) -> Match:
    keys = [(label, tokenize(key)) for label, words in table.items() for key in words]

    def match(name: str) -> str | None:
        toks = tokenize(name)
        for label, seq in keys:
            n = len(seq)
            if any(toks[i : i + n] == seq for i in range(len(toks) - n + 1)):
                return label
        return None

    return match


def datahub_detector(table: dict[str, list[str]], allow_substring: bool) -> Match:
    compiled = [
        (label, [re.compile(p, re.IGNORECASE) for p in pats]) for label, pats in table.items()
    ]

    def match(name: str) -> str | None:
        best, best_score = None, 0.0
        for label, rxs in compiled:
            s = max((_datahub_score(rx, name) for rx in rxs), default=0.0)
            if s > best_score:
                best, best_score = label, s
        threshold = 0.65 if allow_substring else 1.0
        return best if best_score >= threshold else None

    return match


def _datahub_score(rx: re.Pattern[str], name: str) -> float:
    if rx.fullmatch(name):
        return 1.0
    return 0.65 if rx.search(name) else 0.0


def as_predictor(match: Match, mapping: dict[str, str] | None) -> Callable[[Labeled], Prediction]:
    def predict(row: Labeled) -> Prediction:
        label = match(row.name)
        if label is None:
            return Prediction(None)
        return Prediction(mapping.get(label, "?") if mapping is not None else "?")

    return predict


def detectors(spec: dict[str, dict]) -> list[tuple[str, Match, dict[str, str] | None]]:
    out: list[tuple[str, Match, dict[str, str] | None]] = [
        ("piicatcher", regex_detector(spec["piicatcher"], False), CATEGORY_MAP["piicatcher"]),
        ("openmetadata", regex_detector(spec["openmetadata"], True), CATEGORY_MAP["openmetadata"]),
        ("presidio (context)", substring_detector(spec["presidio_context"]),
         CATEGORY_MAP["presidio_context"]),
        ("segment (red+yellow)", token_detector(spec["segment"]), None),
        ("datahub (full)", datahub_detector(spec["datahub_classify"], False),
         CATEGORY_MAP["datahub_classify"]),
        ("datahub (any)", datahub_detector(spec["datahub_classify"], True),
         CATEGORY_MAP["datahub_classify"]),
    ]  # fmt: skip
    return out


def row(label: str, s: Scores, has_categories: bool) -> str:
    cat = f"{s.category_accuracy:.3f}" if has_categories else "n/a"
    return (
        f"| {label:<22} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:>6.3f} | {cat:>8} "
        f"| {s.tp:>3} | {s.fp:>3} | {s.fn:>3} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="*", type=Path, default=default_labels())
    parser.add_argument("--detectors", type=Path, default=LABELS / "reference-detectors.json")
    parser.add_argument("--rules", type=Path, default=None, help="A user rules file for drift.")
    args = parser.parse_args(argv)
    spec = json.loads(args.detectors.read_text(encoding="utf-8"))
    drift = predictor(load_classifier(args.rules))
    for n, path in enumerate(args.labels):
        print("\n" if n else "", end="")
        table(path, drift, spec)
    return 0


def default_labels() -> list[Path]:
    return [LABELS / "names-labeled.csv", *sorted(LABELS.glob("names-??.csv"))]


def table(path: Path, drift: Callable[[Labeled], Prediction], spec: dict[str, dict]) -> None:
    rows = read_labeled(path)
    print(f"{path.name}: {len(rows)} names, {sum(bool(r.category) for r in rows)} sensitive\n")
    print("| detector               | F1    | prec. | recall | cat. acc | tp  | fp  | fn  |")
    print("|------------------------|-------|-------|--------|----------|-----|-----|-----|")
    print(row("drift", score(rows, drift), True))
    for label, match, mapping in detectors(spec):
        print(row(label, score(rows, as_predictor(match, mapping)), mapping is not None))


if __name__ == "__main__":
    raise SystemExit(main())
