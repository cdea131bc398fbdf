"""The digest stage's values: what the pipeline hands in (``DigestInput``) and what the builder
produces (``Digest``), all frozen. Names here are raw vendor strings; every renderer escapes them
for its own format, so nothing in this module is "safe" to print as-is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import KW_ONLY, dataclass, field
from enum import StrEnum

from drift.confusables import is_suspicious
from drift.model import (
    Change,
    ChangeKind,
    Finding,
    ItemKey,
    Provenance,
    Scope,
    Severity,
    SourceStatus,
)

# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Acknowledgement:
    """A ledger entry that silences a finding: who, why, and until when (None: no expiry)."""

    by: str
    reason: str
    at: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True)
class ItemState:
    """What the classifier and the ack ledger say about one item touched by a change (or, on a
    first run, about one item of the inventory)."""

    key: ItemKey
    findings: tuple[Finding, ...] = ()
    ack: Acknowledgement | None = None
    first_seen: dt.datetime | None = None


@dataclass(frozen=True)
class OpenFinding:
    """A still-unacknowledged finding on an item that did not change this time."""

    key: ItemKey
    findings: tuple[Finding, ...]
    first_seen: dt.datetime


@dataclass(frozen=True)
class RuleChange:
    """An item whose findings changed only because the rules changed."""

    key: ItemKey
    before: tuple[Finding, ...]
    after: tuple[Finding, ...]


@dataclass(frozen=True)
class PolicyViolation:
    key: ItemKey
    policy: str  # the policy line as the user wrote it, e.g. 'forbid = ["contact"]'
    category: str
    severity: Severity
    reason: str = ""  # the classifier's one-line why (shown under the row in every format)


@dataclass(frozen=True)
class UndocumentedProperty:
    key: ItemKey  # as observed
    observed_source: str
    plan: str  # name of the documented source (tracking plan) that lacks it
    since: dt.datetime | None = None


@dataclass(frozen=True)
class SourceInput:
    """One source's part of a run, as the pipeline knows it: who and how it went, then the rest
    by keyword only."""

    name: str
    type: str
    provenance: Provenance
    status: SourceStatus
    _: KW_ONLY
    reason: str = ""  # one line, required when status is FAILED
    snapshot_id: int | None = None
    content_hash: str | None = None
    item_count: int = 0
    changes: tuple[Change, ...] = ()
    items: tuple[ItemState, ...] = ()
    open_findings: tuple[OpenFinding, ...] = ()
    rule_changes: tuple[RuleChange, ...] = ()
    policy_violations: tuple[PolicyViolation, ...] = ()
    undocumented: tuple[UndocumentedProperty, ...] = ()
    #: Differences that come from a newer reader (``reader_versions``: baseline's, current's),
    #: not from the vendor; newly visible risky properties stay in ``changes`` to be graded.
    reader_upgrade: tuple[Change, ...] = ()
    reader_versions: tuple[int, int] | None = None


@dataclass(frozen=True)
class DigestInput:
    run_at: dt.datetime  # aware, UTC
    sources: tuple[SourceInput, ...]
    timezone: str = "UTC"  # IANA name, for display only
    send_when_empty: bool = True
    run_id: int | None = None
    since: dt.datetime | None = None  # when the previous digest was made (None: first digest)
    digest_id: str | None = None  # default: derived from the content (stable per digest)


# --------------------------------------------------------------------------- output


class Section(StrEnum):
    """Where a row appears, in display order: what breaks a policy first, then what is new."""

    POLICY = "policy"
    NEW = "new"  # new since the last digest, with findings, not acknowledged
    INVENTORY = "inventory"  # first run: risky items that are there
    UNDOCUMENTED = "undocumented"
    OPEN = "open"  # still unacknowledged, item unchanged
    RULES = "rules"  # findings changed because the rules changed
    REMOVED = "removed"  # removed, no longer listed, type changed
    ACKNOWLEDGED = "acknowledged"  # collapsed
    OTHER = "other"  # every other change
    UPGRADE = "reader_upgrade"  # collapsed: a newer drift reads the source more completely


SECTION_TITLES = {
    Section.NEW: "New since the last digest",
    Section.OPEN: "Still unacknowledged",
    Section.RULES: "Changed by a rule update",
    Section.REMOVED: "Removed, no longer listed, type changed",
    Section.ACKNOWLEDGED: "Acknowledged",
    Section.OTHER: "Other changes",
    Section.UPGRADE: "Read more completely by a newer drift (not changes at the vendor)",
    Section.INVENTORY: "Inventory: risky items (first run)",
    Section.POLICY: "Policy violations",
    Section.UNDOCUMENTED: "Observed but not in the tracking plan",
}


@dataclass(frozen=True)
class Row:
    """One property (with every event that carries it) or one event, in one section."""

    scope: Scope
    name: str
    events: tuple[str, ...] = ()  # events (or group types) carrying the property; () for events
    kinds: tuple[ChangeKind, ...] = ()
    findings: tuple[Finding, ...] = ()
    severity: Severity | None = None
    category: str = ""  # category of the most severe finding ("" when none)
    detail: str = ""  # one line: "string -> integer", "reported by an observed source"...
    first_seen: dt.datetime | None = None
    age_days: int | None = None
    ack: Acknowledgement | None = None
    before: tuple[Finding, ...] = ()  # rule changes: the findings under the old rules
    fingerprints: tuple[str, ...] = ()

    @property
    def lookalike(self) -> bool:
        """The name could be mistaken for another (mixed scripts, invisible characters, an ASCII
        impersonation like ``еmail``): the human formats mark it, JSON and CSV carry the flag."""
        return is_suspicious(self.name)


@dataclass(frozen=True)
class Group:
    """Rows of one section that share a severity and category (both None/"" for plain changes)."""

    severity: Severity | None
    category: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class SourceDigest:
    name: str
    type: str
    provenance: Provenance
    status: SourceStatus
    status_line: str  # never "no changes" for a source that was not read
    reason: str
    snapshot_id: int | None
    content_hash: str | None
    item_count: int
    change_count: int
    sections: tuple[tuple[Section, tuple[Group, ...]], ...]
    changes: tuple[Change, ...] = field(default=(), repr=False)

    def rows(self, section: Section) -> tuple[Row, ...]:
        return tuple(
            r for s, groups in self.sections if s is section for g in groups for r in g.rows
        )


@dataclass(frozen=True)
class Counts:
    new_high: int = 0
    new_medium: int = 0
    new_low: int = 0
    open: int = 0
    acknowledged: int = 0
    rule_changes: int = 0
    changes: int = 0
    sources: int = 0
    sources_read: int = 0
    sources_failed: int = 0
    sources_with_new: int = 0
    policy_violations: int = 0
    undocumented: int = 0

    @property
    def new_total(self) -> int:
        return self.new_high + self.new_medium + self.new_low

    def as_dict(self) -> dict[str, int]:
        """Every count by name: the JSON digest's ``counts``, also stored beside the digest."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Digest:
    run_at: dt.datetime
    timezone: str
    local_date: str  # YYYY-MM-DD in the display timezone
    local_time: str  # "2026-11-29 07:00 Europe/Berlin"
    since: dt.datetime | None
    run_id: int | None
    counts: Counts
    sources: tuple[SourceDigest, ...]
    heartbeat: bool  # nothing changed anywhere
    first_run: bool  # at least one source has no baseline
    should_send: bool  # False only for a heartbeat with send_when_empty = false
    digest_id: str | None = None
