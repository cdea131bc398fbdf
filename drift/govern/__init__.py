"""Governance over the current inventory: policy as code, documented vs observed, cross-vendor view.

These functions are pure: they take the config, the latest ``Schema`` of each source and a way to
get findings for an item, and return frozen dataclasses. ``drift.answers`` reads the store (latest
snapshots, first-seen dates, acknowledgements) and calls them, once for the digest and the CLI.
"""

from __future__ import annotations

from drift.govern.inventory import CrossProperty, Holding, PropertyRow, by_property, inventory
from drift.govern.policy import (
    PolicyOutcome,
    Violation,
    apply_acks,
    check_policies,
    evaluate_policies,
    find_violations,
)
from drift.govern.properties import cached_findings
from drift.govern.reconcile import (
    NeverObserved,
    ReconcileReport,
    TypeMismatch,
    Undocumented,
    new_undocumented,
    reconcile_all,
)

__all__ = [
    "CrossProperty",
    "Holding",
    "NeverObserved",
    "PolicyOutcome",
    "PropertyRow",
    "ReconcileReport",
    "TypeMismatch",
    "Undocumented",
    "Violation",
    "apply_acks",
    "by_property",
    "cached_findings",
    "check_policies",
    "evaluate_policies",
    "find_violations",
    "inventory",
    "new_undocumented",
    "reconcile_all",
]
