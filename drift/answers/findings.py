"""The classifier's findings per item (name rules plus the vendor's own privacy labels)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drift.app import App
from drift.govern.properties import FindingsFn, cached_findings
from drift.model import Finding

#: Findings from a stored definition's vendor labels alone (history answers grade names apart).
LabelFindings = Callable[[Mapping[str, Any]], tuple[Finding, ...]]


def findings_fn(app: App) -> FindingsFn:
    """Findings of one item, cached on what the classifier looks at, with the vendor's labels:
    the one grading the digest, ``drift inventory`` and ``drift policy`` share."""
    return cached_findings(app.classifier)


def label_findings(app: App) -> LabelFindings:
    """The vendor's own privacy labels on a definition, at the rule set's severities."""
    from drift.classify.vendor_labels import category_severities, label_findings

    severities = category_severities(app.classifier)
    return lambda definition: label_findings(definition, severities)
