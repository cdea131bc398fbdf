"""Policy as code: ``[[policy]]`` blocks evaluated against the current inventory.

A policy names sources (or source types) and says which categories may never be sent there
(``forbid``), which are the only ones allowed (``allow``) and the highest severity tolerated
(``max_severity``). A violation is reported once per (source, property name, rule, category), with
the events that carry the property, so fixing one property clears one line.

Acknowledging a violation is a deliberate exception to a written policy, so it must be time-boxed:
only an acknowledgement with a reason *and* an expiry covers a violation (an open-ended one still
covers the ordinary finding in the digest, but not the policy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from drift.config import DriftConfig, PolicyConfig
from drift.errors import DriftError
from drift.govern.properties import (
    FindingsFn,
    PropertyGroup,
    group_by_name,
    group_findings,
)
from drift.model import (
    TEMPORARY,
    Finding,
    Item,
    ItemKey,
    Schema,
    Severity,
    most_severe,
    sha256_hex,
    utcnow,
)


class AckLike(Protocol):
    """What policy evaluation needs from an acknowledgement: a reason, and an expiry named
    ``expires_at`` or ``until`` (the ledger's ``drift.store.acks.Ack`` spells it ``until``)."""

    @property
    def reason(self) -> str: ...


AckFor = Callable[[str, ItemKey, str], AckLike | None]


@dataclass(frozen=True)
class Violation:
    """One property name on one source breaking one rule of one policy, for one category."""

    source: str
    key: ItemKey  # the first item carrying the property (see ``keys`` for all of them)
    name: str
    events: tuple[str, ...]  # where it is carried: event names, ``*``, ``(user)``, ``(group:x)``
    category: str
    severity: Severity
    policy: str  # 'policy "no contact data"' or 'policy #2'
    rule: str  # 'policy "no contact data" (drift.toml [[policy]] #1): forbid contact'
    finding_rule_id: str  # the classifier rule that put the property in the category
    reason: str  # the classifier's one-line why
    keys: tuple[ItemKey, ...] = ()
    acknowledged_until: dt.datetime | None = None  # set on covered violations only

    @property
    def fingerprint(self) -> str:
        """Stable across days, so a violation can be tracked (and acknowledged) over time."""
        return sha256_hex(f"{self.source}\x1f{self.name}\x1f{self.rule}\x1f{self.category}")[:12]


@dataclass(frozen=True)
class PolicyOutcome:
    """Violations still open, and those covered by an unexpired, reasoned acknowledgement."""

    open: tuple[Violation, ...]
    acknowledged: tuple[Violation, ...]


@dataclass(frozen=True)
class _Block:
    """A policy block with its position in the config, for labels a reviewer can find."""

    config: PolicyConfig
    index: int  # 1-based, as people count [[policy]] blocks
    where: str  # config file name

    @property
    def label(self) -> str:
        name = self.config.name
        return f"policy {_quote(name)}" if name else f"policy #{self.index}"

    def rule_text(self, clause: str) -> str:
        return f"{self.label} ({self.where} [[policy]] #{self.index}): {clause}"

    def applies_to(self, source: str, source_type: str | None) -> bool:
        return source in self.config.sources or (
            source_type is not None and source_type in self.config.source_types
        )


def _quote(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def blocks(config: DriftConfig) -> list[_Block]:
    where = config.path.name if config.path else "drift.toml"
    return [_Block(block, i, where) for i, block in enumerate(config.policy, start=1)]


def source_type(config: DriftConfig, name: str) -> str | None:
    """The configured type of a source; None for a source no longer in the config."""
    try:
        return str(config.source(name).type)
    except DriftError:
        return None


def breaches(policy: PolicyConfig, finding: Finding) -> list[tuple[str, str]]:
    """(clause broken, category) pairs for one finding under one policy."""
    out: list[tuple[str, str]] = []
    categories = [finding.category]
    if finding.temporary and finding.category != TEMPORARY:
        categories.append(TEMPORARY)
    out += [(f"forbid {c}", c) for c in categories if c in policy.forbid]
    allowed = policy.allow
    if allowed is not None and finding.category != TEMPORARY and finding.category not in allowed:
        clause = f"allow {', '.join(allowed)}" if allowed else "allow nothing"
        out.append((clause, finding.category))
    limit = policy.max_severity
    if limit is not None and finding.severity.rank > limit.rank:
        out.append((f"max_severity {limit}", finding.category))
    return out


def _group_violations(block: _Block, group: PropertyGroup, findings: FindingsFn) -> list[Violation]:
    hits: dict[tuple[str, str], list[tuple[Item, Finding]]] = {}
    for pairs in group_findings(group, findings).values():
        for item, finding in pairs:
            for clause, category in breaches(block.config, finding):
                hits.setdefault((clause, category), []).append((item, finding))
    return [
        _violation(block, group, clause, category, pairs)
        for (clause, category), pairs in hits.items()
    ]


def _violation(
    block: _Block,
    group: PropertyGroup,
    clause: str,
    category: str,
    pairs: list[tuple[Item, Finding]],
) -> Violation:
    items = sorted({item.key: item for item, _ in pairs}.values(), key=lambda i: i.key)
    top = most_severe(f for _, f in pairs)
    assert top is not None  # pairs is never empty
    return Violation(
        source=group.source,
        key=items[0].key,
        name=group.name,
        events=tuple(i.key.place for i in items),
        category=category,
        severity=top.severity,
        policy=block.label,
        rule=block.rule_text(clause),
        finding_rule_id=top.rule_id,
        reason=top.reason,
        keys=tuple(i.key for i in items),
    )


def find_violations(
    config: DriftConfig, schemas_by_source: Mapping[str, Schema], findings: FindingsFn
) -> list[Violation]:
    """Every violation of every policy, ignoring acknowledgements; sorted for stable output."""
    out: list[Violation] = []
    for source in sorted(schemas_by_source):
        kind = source_type(config, source)
        out += source_violations(config, schemas_by_source[source], kind, findings)
    return sorted(out, key=_order)


def source_violations(
    config: DriftConfig, schema: Schema, kind: str | None, findings: FindingsFn
) -> list[Violation]:
    """Violations of one source's schema (``kind``: its source type, for ``source_types``)."""
    applying = [b for b in blocks(config) if b.applies_to(schema.source, kind)]
    if not applying:
        return []
    groups = group_by_name(schema)  # grouped once, whatever the number of policies
    out: list[Violation] = []
    for block in applying:
        for group in groups:
            out += _group_violations(block, group, findings)
    return sorted(out, key=_order)


def _order(v: Violation) -> tuple[str, int, str, str, str]:
    return (v.source, -v.severity.rank, v.name, v.rule, v.category)


def ack_expiry(ack: AckLike) -> dt.datetime | None:
    expires = getattr(ack, "expires_at", None) or getattr(ack, "until", None)
    if not isinstance(expires, dt.datetime):
        return None
    # the store hands out aware UTC; be safe with hand-made acknowledgements
    return expires.replace(tzinfo=dt.UTC) if expires.tzinfo is None else expires


def covers(ack: AckLike | None, now: dt.datetime) -> dt.datetime | None:
    """The expiry when ``ack`` covers a violation at ``now``: reason given, expiry ahead."""
    if ack is None or not (ack.reason or "").strip():
        return None
    expires = ack_expiry(ack)
    return expires if expires is not None and expires > now else None


def apply_acks(
    violations: Iterable[Violation], ack_for: AckFor | None, now: dt.datetime
) -> PolicyOutcome:
    """Split violations into open and acknowledged; a partly acknowledged one stays open with
    only the events not covered (an ack on one event does not excuse the others)."""
    still: list[Violation] = []
    covered: list[Violation] = []
    for violation in violations:
        if ack_for is None:
            still.append(violation)
            continue
        expiries = {
            k: covers(ack_for(violation.source, k, violation.category), now) for k in violation.keys
        }
        left = [k for k in violation.keys if expiries[k] is None]
        if not left:
            until = min(e for e in expiries.values() if e is not None)
            covered.append(replace(violation, acknowledged_until=until))
        elif len(left) < len(violation.keys):
            still.append(_narrowed(violation, left))
        else:
            still.append(violation)
    return PolicyOutcome(tuple(still), tuple(covered))


def _narrowed(violation: Violation, keys: Sequence[ItemKey]) -> Violation:
    return replace(violation, key=keys[0], keys=tuple(keys), events=tuple(k.place for k in keys))


def check_policies(
    config: DriftConfig,
    schemas_by_source: Mapping[str, Schema],
    findings: FindingsFn,
    ack_for: AckFor | None = None,
    now: dt.datetime | None = None,
) -> PolicyOutcome:
    """Violations of every policy, split by acknowledgement at ``now`` (default: the wall clock)."""
    moment = now or utcnow()
    return apply_acks(find_violations(config, schemas_by_source, findings), ack_for, moment)


def evaluate_policies(
    config: DriftConfig,
    schemas_by_source: Mapping[str, Schema],
    findings: FindingsFn,
    ack_for: AckFor | None = None,
    now: dt.datetime | None = None,
) -> list[Violation]:
    """The open violations: what the digest lists and what fails ``drift policy check``."""
    return list(check_policies(config, schemas_by_source, findings, ack_for, now).open)
