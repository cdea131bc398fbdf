"""Assemble what the digest needs for each source, from the store, the classifier and the ledger.

Part of the pipeline layer (only ``drift.pipeline`` calls it): it joins the store, diff, classify
and report stages' values without those stages importing each other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from drift.model import (
    Change,
    ChangeKind,
    Finding,
    Item,
    ItemKey,
    Provenance,
    Schema,
    Severity,
    SourceStatus,
)
from drift.report.model import (
    Acknowledgement,
    ItemState,
    OpenFinding,
    RuleChange,
    SourceInput,
)
from drift.store import firstseen, queries
from drift.store.acks import Ack, AckIndex

Classify = Callable[[Item], tuple[Finding, ...]]
DiffFn = Callable[[Session, str, int | None, int], list[Change]]


@dataclass
class FindingsState:
    """Findings per item of each source when a digest is made, with the rules that produced them,
    kept with the digest so the next one can tell changes caused by a rule update."""

    rules_hash: str
    by_source: dict[str, dict[str, list[list[str]]]] = field(default_factory=dict)
    source_rules: dict[str, str] = field(default_factory=dict)

    def start(self, source: str) -> None:
        """A source this digest covers: known from now on, even if it has no findings."""
        self.by_source.setdefault(source, {})
        self.source_rules[source] = self.rules_hash

    def record(self, source: str, key: ItemKey, findings: tuple[Finding, ...]) -> None:
        if findings:
            self.by_source.setdefault(source, {})[_key_id(key)] = [
                [f.rule_id, f.category, str(f.severity)] for f in findings
            ]

    def to_json(self) -> str:
        return json.dumps(
            {
                "rules_hash": self.rules_hash,
                "sources": self.by_source,
                "source_rules": self.source_rules,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> FindingsState | None:
        if not text:
            return None
        data = json.loads(text)
        sources = data.get("sources", {})
        rules = data.get("source_rules") or {name: data.get("rules_hash", "") for name in sources}
        return cls(data.get("rules_hash", ""), sources, rules)

    def knows(self, source: str) -> bool:
        return source in self.source_rules

    def rules_for(self, source: str) -> str:
        return self.source_rules.get(source, self.rules_hash)

    def previous(self, source: str, key: ItemKey) -> tuple[Finding, ...]:
        rows = self.by_source.get(source, {}).get(_key_id(key), [])
        return tuple(
            Finding(rule, category, Severity(sev), (), reason="under the previous rules")
            for rule, category, sev in rows
        )


def _key_id(key: ItemKey) -> str:
    return json.dumps([str(key.scope), key.event, key.name], ensure_ascii=False)


@dataclass(frozen=True)
class SourceContext:
    """What the pipeline knows about one source before assembling its digest part."""

    name: str
    type: str
    provenance: Provenance
    failed_reason: str | None  # set when this run could not read the source
    baseline: int | None  # snapshot covered by the last digest
    current: int | None  # snapshot this digest covers (None: never read)


def source_input(
    session: Session,
    ctx: SourceContext,
    *,
    diff: DiffFn,
    classify: Classify,
    acks: AckIndex,
    previous: FindingsState | None,
    state: FindingsState,
) -> tuple[SourceInput, Schema | None]:
    """One source's part of the digest, and its current schema (for policy and reconcile)."""
    if ctx.failed_reason is not None or ctx.current is None:
        reason = ctx.failed_reason or "never read successfully; see `drift status`"
        failed = SourceInput(
            name=ctx.name,
            type=ctx.type,
            provenance=ctx.provenance,
            status=SourceStatus.FAILED,
            reason=reason,
        )
        return failed, None
    schema = queries.state_at(session, ctx.current)
    changes = diff(session, ctx.name, ctx.baseline, ctx.current)
    findings = {item.key: classify(item) for item in schema.items}
    versions = _reader_versions(session, ctx)
    upgrade: list[Change] = []
    if versions is not None:
        changes, upgrade = _split_upgrade(changes, findings)
    state.start(ctx.name)
    for key, found in findings.items():
        state.record(ctx.name, key, found)
    touched = {c.key for c in changes}
    first_run = ctx.baseline is None
    states_for = (
        touched
        | {c.key for c in upgrade}
        | ({k for k, f in findings.items() if f} if first_run else set())
    )
    first_seen = firstseen.first_seen_by_key(
        session, ctx.name, [k for k in findings if findings[k]] + list(touched)
    )
    items = tuple(
        ItemState(
            k, findings.get(k, ()), _ack(acks, ctx.name, k, findings.get(k, ())), first_seen.get(k)
        )
        for k in sorted(states_for)
    )
    open_findings = () if first_run else _open(ctx.name, findings, touched, acks, first_seen)
    rule_changes = _rule_changes(ctx.name, findings, touched, previous, state.rules_hash)
    status = (
        SourceStatus.FIRST_RUN
        if first_run
        else (SourceStatus.READ if changes else SourceStatus.UNCHANGED)
    )
    snap = queries.snapshot_info(session, ctx.current)
    return (
        SourceInput(
            name=ctx.name,
            type=ctx.type,
            provenance=ctx.provenance,
            status=status,
            snapshot_id=ctx.current,
            content_hash=snap.content_hash,
            item_count=snap.item_count,
            changes=tuple(changes),
            items=items,
            open_findings=open_findings,
            rule_changes=rule_changes,
            reader_upgrade=tuple(upgrade),
            reader_versions=versions,
        ),
        schema,
    )


#: Changes that make an item visible: a newly visible risky property is still news.
VISIBLE = frozenset({ChangeKind.EVENT_ADDED, ChangeKind.PROPERTY_NEW, ChangeKind.PROPERTY_ADDED})


def _reader_versions(session: Session, ctx: SourceContext) -> tuple[int, int] | None:
    """(baseline's, current's) reader versions when a newer reader read the current snapshot."""
    if ctx.baseline is None or ctx.current is None:
        return None
    old = queries.snapshot_info(session, ctx.baseline).reader_version
    new = queries.snapshot_info(session, ctx.current).reader_version
    return (old, new) if new > old else None


def _split_upgrade(
    changes: list[Change], findings: Mapping[ItemKey, tuple[Finding, ...]]
) -> tuple[list[Change], list[Change]]:
    """(still news, from the upgrade): only newly visible items with findings stay news."""
    news = [c for c in changes if c.kind in VISIBLE and findings.get(c.key)]
    return news, [c for c in changes if not (c.kind in VISIBLE and findings.get(c.key))]


def _ack(
    acks: AckIndex, source: str, key: ItemKey, findings: Iterable[Finding]
) -> Acknowledgement | None:
    """The item counts as acknowledged when one ack covers it whole, or every finding's category."""
    whole = acks.match(source, key, None)
    if whole is not None:
        return _acknowledgement(whole)
    matched = [acks.match(source, key, f.category) for f in findings]
    if matched and all(matched):
        return _acknowledgement(max((m for m in matched if m), key=lambda a: a.id))
    return None


def _acknowledgement(ack: Ack) -> Acknowledgement:
    return Acknowledgement(by=ack.by, reason=ack.reason, at=ack.created_at, until=ack.until)


def _open(
    source: str,
    findings: Mapping[ItemKey, tuple[Finding, ...]],
    touched: set[ItemKey],
    acks: AckIndex,
    first_seen: Mapping[ItemKey, dt.datetime],
) -> tuple[OpenFinding, ...]:
    return tuple(
        OpenFinding(key, found, first_seen[key])
        for key, found in sorted(findings.items())
        if found
        and key not in touched
        and key in first_seen
        and _ack(acks, source, key, found) is None
    )


def _rule_changes(
    source: str,
    findings: Mapping[ItemKey, tuple[Finding, ...]],
    touched: set[ItemKey],
    previous: FindingsState | None,
    rules_hash: str,
) -> tuple[RuleChange, ...]:
    if previous is None or not previous.knows(source) or previous.rules_for(source) == rules_hash:
        return ()
    out = []
    for key, found in sorted(findings.items()):
        if key in touched:
            continue
        before = previous.previous(source, key)
        if {(f.rule_id, f.category, f.severity) for f in before} != {
            (f.rule_id, f.category, f.severity) for f in found
        }:
            out.append(RuleChange(key, before, found))
    return tuple(out)
