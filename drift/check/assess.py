"""What a change to plan files introduces: findings on added or retyped properties, and the
``[[policy]]`` violations among them, with allowances applied. Pure: no database, no network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from drift.check.allowances import Allowance, Allowances
from drift.check.plans import READER, Plan
from drift.check.result import CheckFinding, CheckViolation, Introduced
from drift.config import DriftConfig
from drift.diff.engine import compare, diff_schemas
from drift.govern.policy import apply_acks, source_violations
from drift.govern.properties import FindingsFn
from drift.model import Change, ChangeKind, Item, ItemKey, Provenance, Scope
from drift.report.rows import change_detail

ADDED_KINDS = frozenset({ChangeKind.PROPERTY_NEW, ChangeKind.PROPERTY_ADDED})
DEFINITION_KINDS = frozenset(
    {ChangeKind.DESCRIPTION_CHANGED, ChangeKind.VISIBILITY_CHANGED, ChangeKind.METADATA_CHANGED}
)


@dataclass(frozen=True)
class Touched:
    """A property the change added, retyped or otherwise redefined."""

    item: Item
    introduced: Introduced
    detail: str
    before: Item | None = None


def touched(head: Plan, base: Plan | None) -> list[Touched]:
    """Every property the change touches (all of them when there is no base)."""
    items = head.schema.by_key()
    if base is None:
        return [Touched(i, Introduced.PRESENT, "") for i in items.values() if _is_property(i.key)]
    old = base.schema.by_key()
    versions = _by_plain_event(old)
    out: dict[ItemKey, Touched] = {}
    for change in diff_schemas(base.schema, head.schema):
        if not _is_property(change.key) or change.key in out:
            continue
        before = old.get(change.key) or versions.get(_plain_key(change.key))
        if change.kind in ADDED_KINDS and before is not None:
            change = _against(before, items[change.key])  # a new Segment rule version
            if change.kind in ADDED_KINDS:
                continue  # the same property, unchanged, under the rule's new version
        kind = _introduced(change)
        if kind is not None:
            detail = change_detail(change, Provenance.DOCUMENTED)
            out[change.key] = Touched(items[change.key], kind, detail, before)
    return list(out.values())


def _plain_key(key: ItemKey) -> tuple[Scope, str, str]:
    return (key.scope, READER.plain_event_name(key.event), key.name)


def _by_plain_event(items: dict[ItemKey, Item]) -> dict[tuple[Scope, str, str], Item]:
    """Base properties of events the reader names with a version (Segment's ``Order [TRACK v1]``)
    by the plain event, so bumping a rule's version does not make every property look added."""
    plain = READER.plain_event_name
    return {_plain_key(k): i for k, i in items.items() if plain(k.event) != k.event}


def _against(before: Item, after: Item) -> Change:
    """The first change from ``before``'s definition to ``after``'s, under ``after``'s key
    (``property_added`` when the definitions are the same)."""
    moved = Item(after.scope, after.event, after.name, before.definition)
    changes = compare("", {after.key: moved}, {after.key: after}, name_known=lambda _: True)
    return changes[0] if changes else Change("", ChangeKind.PROPERTY_ADDED, after.key)


def _introduced(change: Change) -> Introduced | None:
    if change.kind in ADDED_KINDS:
        return Introduced.ADDED
    if change.kind is ChangeKind.TYPE_CHANGED:
        return Introduced.RETYPED
    if change.kind in DEFINITION_KINDS:
        return Introduced.RECLASSIFIED
    return None


def _is_property(key: ItemKey) -> bool:
    return key.scope is not Scope.EVENT


def findings_of(
    head: Plan, changes: Iterable[Touched], findings: FindingsFn, allowances: Allowances
) -> list[CheckFinding]:
    """Findings of the touched properties; a redefinition counts only for new categories."""
    out: list[CheckFinding] = []
    for touch in changes:
        known = {f.category for f in findings(touch.before)} if touch.before else set()
        place = head.place(touch.item.key)
        for finding in findings(touch.item):
            if touch.introduced is Introduced.RECLASSIFIED and finding.category in known:
                continue
            allowed = allowances.match(head.schema.source, touch.item.key, finding.category)
            out.append(
                CheckFinding(
                    head.schema.source,
                    place.file,
                    place.line,
                    touch.item.key,
                    touch.introduced,
                    touch.detail,
                    finding,
                    allowed,
                )
            )
    return sorted(out, key=_order)


def _order(f: CheckFinding) -> tuple[str, int, int, ItemKey, str]:
    return (f.file, f.line, -f.finding.severity.rank, f.key, f.finding.rule_id)


def violations_of(
    config: DriftConfig,
    head: Plan,
    source_type: str | None,
    keys: set[ItemKey],
    findings: FindingsFn,
    allowances: Allowances,
    now: dt.datetime,
) -> list[CheckViolation]:
    """Policy violations on the touched properties only (narrowed to their keys)."""
    found = []
    for violation in source_violations(config, head.schema, source_type, findings):
        mine = tuple(k for k in violation.keys if k in keys)
        if mine:
            found.append(replace(violation, key=mine[0], keys=mine))
    outcome = apply_acks(found, allowances.match, now)
    located = [*outcome.open, *outcome.acknowledged]
    return [
        CheckViolation(v, head.place(v.key).file, head.place(v.key).line)
        for v in sorted(located, key=lambda v: (head.place(v.key).line, v.name, v.rule))
    ]


def stale_allowances(
    head: Plan, findings: FindingsFn, allowances: Allowances
) -> tuple[Allowance, ...]:
    """Active allowances that match no finding anywhere in the checked files."""
    used: set[int] = set()
    for item in head.schema.items:
        for finding in findings(item) if _is_property(item.key) else ():
            for allowance in allowances.active:
                if allowance.matches(head.schema.source, item.key, finding.category):
                    used.add(allowance.number)
    return tuple(a for a in allowances.active if a.number not in used)
