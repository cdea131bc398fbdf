"""The inventory: every current property with its findings, per source and across vendors.

"List every property key, flag what could identify a person" is the question an auditor asks;
the cross-vendor view answers the follow-ups: is ``email`` a string everywhere, is it classified
the same everywhere, and does anything reach a vendor directly, bypassing the plan and the CDP?
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from drift.classify.vendor_labels import VENDOR_CATEGORIES
from drift.govern.properties import (
    FindingsFn,
    PropertyGroup,
    group_by_name,
    types_differ,
)
from drift.model import (
    Finding,
    Schema,
    Severity,
    SourceRole,
    most_severe,
    most_severe_level,
    ranked_findings,
)

#: Categories that single out a person on their own, and those that do so combined with others.
DIRECT = frozenset({"contact", "person_name", "government_id", "financial", "vendor_pii"})
INDIRECT = frozenset(
    {"device_id", "user_id", "location", "external_ref", "demographic", "organization"}
)


def identifies(findings: tuple[Finding, ...]) -> str:
    """``direct`` / ``indirect`` / ``""``: whether the property could identify a person."""
    categories = {f.category for f in findings}
    if categories & DIRECT:
        return "direct"
    return "indirect" if categories & INDIRECT else ""


@dataclass(frozen=True)
class PropertyRow:
    """One property name on one source, with what every item of that name was classified as."""

    source: str
    name: str
    events: tuple[str, ...]
    types: tuple[str, ...]
    findings: tuple[Finding, ...]  # distinct by (rule, category), most severe first

    @property
    def top(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def identifies(self) -> str:
        return identifies(self.findings)


def _row(group: PropertyGroup, findings: FindingsFn) -> PropertyRow:
    ordered = ranked_findings(f for item in group.items for f in findings(item))
    return PropertyRow(group.source, group.name, group.events, group.types, ordered)


def inventory(
    schemas_by_source: Mapping[str, Schema],
    findings: FindingsFn,
    min_severity: Severity | None = None,
    category: str | None = None,
) -> list[PropertyRow]:
    """Every property of every source (sorted by source, name); with ``min_severity`` only those
    with a finding at or above it, with ``category`` only those with a finding of it."""
    rows = [
        _row(group, findings)
        for source in sorted(schemas_by_source)
        for group in group_by_name(schemas_by_source[source])
    ]
    if category is not None:
        rows = [r for r in rows if any(f.category == category for f in r.findings)]
    if min_severity is None:
        return rows
    return [r for r in rows if r.top is not None and r.top.severity.reaches(min_severity)]


@dataclass(frozen=True)
class Holding:
    """How one source holds a property."""

    source: str
    source_type: str
    types: tuple[str, ...]
    categories: tuple[str, ...]
    severity: Severity | None
    vendor_labels: tuple[str, ...] = ()  # "Amplitude PII": the vendor's own privacy labels

    @property
    def rule_categories(self) -> tuple[str, ...]:
        """What drift's name rules found, without the vendor's labels."""
        return tuple(c for c in self.categories if c not in VENDOR_CATEGORIES)

    @property
    def disagreement(self) -> str:
        """Set when the vendor labels the property but drift's rules find nothing in its name."""
        if not self.vendor_labels or self.rule_categories:
            return ""
        return f"{self.source} ({', '.join(self.vendor_labels)})"


@dataclass(frozen=True)
class CrossProperty:
    """One property name across every source that holds it, with what disagrees."""

    name: str
    holdings: tuple[Holding, ...]
    types_differ: bool
    classification_differs: bool
    direct_to_vendor: tuple[str, ...]  # vendor sources it reaches bypassing the plan and the CDP

    @property
    def severity(self) -> Severity | None:
        return most_severe_level(h.severity for h in self.holdings)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({c for h in self.holdings for c in h.categories}))

    @property
    def flags(self) -> tuple[str, ...]:
        out = ["types differ"] if self.types_differ else []
        out += ["classified differently"] if self.classification_differs else []
        out += [
            f"labelled by the vendor, not by drift's rules: {h.disagreement}"
            for h in self.holdings
            if h.disagreement
        ]
        if self.direct_to_vendor:
            out.append(f"not in plan or CDP: {', '.join(self.direct_to_vendor)}")
        return tuple(out)


def _holding(row: PropertyRow, source_type: str) -> Holding:
    top = most_severe(row.findings)
    categories = tuple(sorted({f.category for f in row.findings}))
    labels = tuple(
        sorted({s.replace(" label ", " ") for f in row.findings for s in _label_signals(f)})
    )
    severity = top.severity if top else None
    return Holding(row.source, source_type, row.types, categories, severity, labels)


def _label_signals(finding: Finding) -> tuple[str, ...]:
    return finding.signals if finding.category in VENDOR_CATEGORIES else ()


def by_property(
    rows: list[PropertyRow],
    sources: Mapping[str, tuple[str, SourceRole]],
    plan_sources: Collection[str] = (),
) -> list[CrossProperty]:
    """Each property name once, across sources. ``sources`` maps a source name to its type and
    role (asked of the connector the caller uses); ``plan_sources`` are the documented plans (the
    ``plan`` of each ``[[reconcile]]`` and every jsonschema source). A property held by a vendor
    but by no plan and no CDP source is flagged, when at least one plan or CDP source exists."""
    by_name: dict[str, list[Holding]] = {}
    for row in rows:
        kind = sources[row.source][0] if row.source in sources else ""
        by_name.setdefault(row.name, []).append(_holding(row, kind))
    cdp = {s for s, (_, role) in sources.items() if role is SourceRole.CDP}
    vendors = {s for s, (_, role) in sources.items() if role.is_vendor}
    gatekeepers = set(plan_sources) | cdp
    return [_cross(name, by_name[name], gatekeepers, vendors) for name in sorted(by_name)]


def _cross(
    name: str, holdings: list[Holding], gatekeepers: set[str], vendors: set[str]
) -> CrossProperty:
    typed = [h.types for h in holdings]
    differ = any(types_differ(a, b) for i, a in enumerate(typed) for b in typed[i + 1 :])
    classified = {h.categories for h in holdings}
    direct: tuple[str, ...] = ()
    holders = {h.source for h in holdings}
    if gatekeepers and not holders & gatekeepers:
        direct = tuple(h.source for h in holdings if h.source in vendors)
    return CrossProperty(name, tuple(holdings), differ, len(classified) > 1, direct)
