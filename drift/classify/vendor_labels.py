"""The vendor's own privacy labels as a classification signal.

Some vendors let their customers label properties (Amplitude's ``classifications``: ``PII``,
``SENSITIVE``, ``REVENUE``). A property labelled PII or SENSITIVE is a finding even when its name
looks harmless, and the finding says who labelled it: "Amplitude classifies it PII". Connectors
put the labels in a definition's ``classifications`` and the labeller in ``classified_by``; this
module turns them into findings beside the name rules' own, without touching the rule engine.
Severities come from the rule set's ``vendor_pii`` / ``vendor_sensitive`` categories, so
``[severity]`` in a rules file overrides them like any other category.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drift.model import Classifier, Finding, Severity

#: Label -> category id; labels outside this map (REVENUE) are not privacy signals.
LABEL_CATEGORIES = {"PII": "vendor_pii", "SENSITIVE": "vendor_sensitive"}
DEFAULT_SEVERITY = {"vendor_pii": Severity.HIGH, "vendor_sensitive": Severity.MEDIUM}
VENDOR_CATEGORIES = frozenset(LABEL_CATEGORIES.values())


def labels_of(definition: Mapping[str, Any]) -> tuple[str, ...]:
    """The privacy labels a definition carries (``PII``, ``SENSITIVE``), sorted."""
    raw = definition.get("classifications")
    found = {str(v).upper() for v in raw} if isinstance(raw, list | tuple) else set()
    return tuple(sorted(found & LABEL_CATEGORIES.keys()))


def labeller(definition: Mapping[str, Any]) -> str:
    by = definition.get("classified_by")
    return by if isinstance(by, str) and by.strip() else "the vendor"


def label_findings(
    definition: Mapping[str, Any], severities: Mapping[str, Severity] | None = None
) -> tuple[Finding, ...]:
    """One finding per privacy label the vendor put on the property."""
    by, levels = labeller(definition), {**DEFAULT_SEVERITY, **(severities or {})}
    return tuple(
        Finding(
            rule_id=f"vendor_label.{label.lower()}",
            category=LABEL_CATEGORIES[label],
            severity=levels[LABEL_CATEGORIES[label]],
            tokens=(),
            signals=(f"{by} label {label}",),
            reason=f"{by} classifies it {label}",
        )
        for label in labels_of(definition)
    )


def with_labels(
    findings: tuple[Finding, ...],
    definition: Mapping[str, Any],
    severities: Mapping[str, Severity] | None = None,
) -> tuple[Finding, ...]:
    """The name rules' findings plus the vendor's labels, most severe first."""
    extra = label_findings(definition, severities)
    if not extra:
        return findings
    return tuple(sorted(findings + extra, key=lambda f: -f.severity.rank))


def category_severities(classifier: Classifier) -> dict[str, Severity]:
    """Severities of the vendor-label categories in the classifier's loaded rule set."""
    found = {name: classifier.category_severity(name) for name in VENDOR_CATEGORIES}
    return {name: severity for name, severity in found.items() if severity is not None}
