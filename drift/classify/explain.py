"""A JSON-able account of how one name was classified (what ``drift classify`` prints)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drift.classify.engine import Classifier


def explain(
    classifier: Classifier, name: str, types: Sequence[str] = (), description: str = ""
) -> dict[str, Any]:
    """Tokens, every finding with its evidence, and a verdict ("benign" when nothing matched)."""
    findings = classifier.classify(name, types, description)
    return {
        "name": name,
        "tokens": list(classifier.tokens(name)),
        "types": list(types),
        "description": description,
        "verdict": "benign" if not findings else "flagged",
        "severity": str(findings[0].severity) if findings else None,
        "findings": [f.as_dict() for f in findings],
        "rules_hash": classifier.rules_hash,
    }
