"""One row per property (with every event that carries it) or per event: the digest's unit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from drift import clockface
from drift.model import Change, ChangeKind, Finding, ItemKey, Provenance, Scope, ranked_findings
from drift.report.model import Acknowledgement, ItemState, Row, RuleChange, Section

ADD_GROUP = "added"
_KIND_WORDS = {
    ChangeKind.EVENT_ADDED: "new event",
    ChangeKind.PROPERTY_NEW: "new to this source",
    ChangeKind.PROPERTY_ADDED: "known name, now on more events",
}


def row_key(key: ItemKey) -> tuple[str, str]:
    """Rows are per property name within a scope (events merge), or per event."""
    return (key.scope.value, key.event if key.scope is Scope.EVENT else key.name)


def _base_row(keys: Sequence[ItemKey], findings: Iterable[Finding], **extra: Any) -> Row:
    first = keys[0]
    found = ranked_findings(findings)
    events = sorted({k.place for k in keys if k.scope is not Scope.EVENT and k.event})
    return Row(
        scope=first.scope,
        name=first.event if first.scope is Scope.EVENT else first.name,
        events=tuple(events),
        findings=found,
        severity=found[0].severity if found else None,
        category=found[0].category if found else "",
        **extra,
    )


def _first_seen(states: Iterable[ItemState | None]) -> dt.datetime | None:
    seen = [s.first_seen for s in states if s is not None and s.first_seen is not None]
    return min(seen) if seen else None


def _ack(states: Iterable[ItemState | None]) -> Acknowledgement | None:
    return next((s.ack for s in states if s is not None and s.ack is not None), None)


def age_days(first_seen: dt.datetime | None, now: dt.datetime) -> int | None:
    if first_seen is None:
        return None
    aware = first_seen if first_seen.tzinfo else first_seen.replace(tzinfo=dt.UTC)
    return max(0, (now - aware).days)


def finding_rows(
    states: Sequence[ItemState], now: dt.datetime, section: Section, tz: dt.tzinfo
) -> list[Row]:
    """Rows for items known by their findings (still-open, inventory, acknowledged)."""
    grouped: dict[tuple[str, str], list[ItemState]] = defaultdict(list)
    for state in states:
        grouped[row_key(state.key)].append(state)
    rows = []
    for members in grouped.values():
        first_seen = _first_seen(members)
        since = f"open since {clockface.day(first_seen, tz)}" if first_seen else ""
        rows.append(
            _base_row(
                [m.key for m in members],
                [f for m in members for f in m.findings],
                first_seen=first_seen,
                age_days=age_days(first_seen, now) if section is Section.OPEN else None,
                detail=since if section is Section.OPEN else "",
                ack=_ack(members),
            )
        )
    return rows


def other_rows(
    entries: Sequence[tuple[Change, ItemState | None]],
    provenance: Provenance,
    now: dt.datetime,
    section: Section,
) -> list[Row]:
    """Rows for changes: additive kinds of one name merge; other kinds stay apart per kind."""
    grouped: dict[tuple[str, str, str], list[tuple[Change, ItemState | None]]] = defaultdict(list)
    for change, state in entries:
        group = ADD_GROUP if change.kind.is_addition else change.kind.value
        grouped[(*row_key(change.key), group)].append((change, state))
    rows = []
    for members in grouped.values():
        changes = [c for c, _ in members]
        states = [s for _, s in members]
        kinds = sorted({c.kind for c in changes}, key=lambda k: k.order)
        rows.append(
            _base_row(
                [c.key for c in changes],
                [f for s in states if s is not None for f in s.findings],
                kinds=tuple(kinds),
                detail=_details(changes, provenance),
                first_seen=_first_seen(states),
                ack=_ack(states) if section is Section.ACKNOWLEDGED else None,
                fingerprints=tuple(sorted(c.fingerprint for c in changes)),
            )
        )
    return rows


def rule_rows(rule_changes: Sequence[RuleChange]) -> list[Row]:
    """Items whose findings changed only because the rules changed: old versus new."""
    grouped: dict[tuple[str, str], list[RuleChange]] = defaultdict(list)
    for rc in rule_changes:
        grouped[row_key(rc.key)].append(rc)
    rows = []
    for members in grouped.values():
        before = ranked_findings(f for m in members for f in m.before)
        row = _base_row([m.key for m in members], [f for m in members for f in m.after])
        row = replace(row, before=before)
        if row.severity is None and before:
            row = replace(row, severity=before[0].severity, category=before[0].category)
        rows.append(row)
    return rows


def _details(changes: Sequence[Change], provenance: Provenance) -> str:
    kinds = {c.kind for c in changes}
    for kind in (ChangeKind.PROPERTY_NEW, ChangeKind.PROPERTY_ADDED, ChangeKind.EVENT_ADDED):
        if kind in kinds:
            return _KIND_WORDS[kind]
    seen: list[str] = []
    for change in changes:
        text = change_detail(change, provenance)
        if text and text not in seen:
            seen.append(text)
    if len(seen) > 3:
        return "; ".join(seen[:3]) + f"; and {len(seen) - 3} more"
    return "; ".join(seen)


def change_detail(change: Change, provenance: Provenance) -> str:
    kind = change.kind
    if kind in _KIND_WORDS:
        return _KIND_WORDS[kind]
    if kind.is_unlisting:
        return f"no longer listed by this {provenance.value} source (not a deletion)"
    if kind in (ChangeKind.EVENT_REMOVED, ChangeKind.PROPERTY_REMOVED):
        return f"removed from this {provenance.value} source"
    if kind is ChangeKind.TYPE_CHANGED:
        return f"type {_types(change.before)} → {_types(change.after)}"
    paths = sorted({f.path for f in change.fields})
    if kind is ChangeKind.VISIBILITY_CHANGED:
        return "; ".join(_flag(f.path, f.before, f.after) for f in change.fields) or "visibility"
    label = "changed" if kind is ChangeKind.METADATA_CHANGED else "edited"
    return f"{label}: {', '.join(paths[:5])}" if paths else kind.value.replace("_", " ")


def _types(definition: Any) -> str:
    types = (definition or {}).get("type") or []
    if isinstance(types, str):
        types = [types]
    text = "|".join(str(t) for t in types) or "untyped"
    return f"{text}[]" if (definition or {}).get("is_array") else text


def _flag(path: str, before: Any, after: Any) -> str:
    return f"{path}: {'yes' if before else 'no'} → {'yes' if after else 'no'}"
