"""Findings: the classifier's per item (name rules plus the vendor's own privacy labels), which
of them acknowledgements cover, which are still open, and which changed with the rules."""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from drift.app import App
from drift.govern.properties import FindingsFn, cached_findings
from drift.model import Finding, ItemKey, Schema, Scope, Severity
from drift.report.model import Acknowledgement, ItemState, OpenFinding, RuleChange
from drift.store.acks import Ack, AckIndex

#: Findings per item of one source.
ByKey = Mapping[ItemKey, tuple[Finding, ...]]

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


# --------------------------------------------------------------------------- kept with a digest


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

    def keep(self, source: str, findings: ByKey) -> None:
        """Every item's findings of a source this digest covers."""
        self.start(source)
        for key, found in findings.items():
            self.record(source, key, found)

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

    def keys(self, source: str) -> list[ItemKey]:
        """The items of ``source`` that had findings."""
        return [_key_of(text) for text in self.by_source.get(source, {})]

    def previous(self, source: str, key: ItemKey) -> tuple[Finding, ...]:
        rows = self.by_source.get(source, {}).get(_key_id(key), [])
        return tuple(
            Finding(rule, category, Severity(sev), (), reason="under the previous rules")
            for rule, category, sev in rows
        )


def _key_id(key: ItemKey) -> str:
    return json.dumps([str(key.scope), key.event, key.name], ensure_ascii=False)


def _key_of(key_id: str) -> ItemKey:
    scope, event, name = json.loads(key_id)
    return ItemKey(Scope(scope), event, name)


# --------------------------------------------------------------------------- one source's findings


def risky(schema: Schema, findings: FindingsFn) -> dict[ItemKey, tuple[Finding, ...]]:
    """The items of ``schema`` that have findings, with them (a million-item source holds a few
    thousand: no entry is kept for each benign one)."""
    pairs = ((item, findings(item)) for item in schema.items)
    return {item.key: found for item, found in pairs if found}


def _holds(schema: Schema, key: ItemKey) -> bool:
    """Whether ``schema`` (sorted by key) has an item with this key."""
    at = bisect.bisect_left(schema.items, key, key=attrgetter("key"))
    return at < len(schema.items) and schema.items[at].key == key


def item_states(
    source: str,
    keys: Iterable[ItemKey],
    findings: ByKey,
    acks: AckIndex,
    first_seen: Mapping[ItemKey, dt.datetime],
) -> tuple[ItemState, ...]:
    """Items as a digest shows them: findings, acknowledgement, first seen."""
    return tuple(
        ItemState(
            key,
            findings.get(key, ()),
            acknowledged(acks, source, key, findings.get(key, ())),
            first_seen.get(key),
        )
        for key in keys
    )


def acknowledged(
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


def still_open(
    source: str,
    findings: ByKey,
    touched: set[ItemKey],
    acks: AckIndex,
    first_seen: Mapping[ItemKey, dt.datetime],
) -> tuple[OpenFinding, ...]:
    """Findings on items the digest period did not touch, seen before, and not acknowledged."""
    return tuple(
        OpenFinding(key, found, first_seen[key])
        for key, found in sorted(findings.items())
        if found
        and key not in touched
        and key in first_seen
        and acknowledged(acks, source, key, found) is None
    )


def rule_changes(
    source: str,
    schema: Schema,
    findings: ByKey,
    touched: set[ItemKey],
    previous: FindingsState | None,
    rules_hash: str,
) -> tuple[RuleChange, ...]:
    """Items of ``schema`` whose findings differ from the last digest's only because the rules
    changed (risky now, in ``findings``, or risky then)."""
    if previous is None or not previous.knows(source) or previous.rules_for(source) == rules_hash:
        return ()
    then = {key for key in previous.keys(source) if _holds(schema, key)}
    out = []
    for key in sorted(then | set(findings)):
        if key in touched:
            continue
        found = findings.get(key, ())
        before = previous.previous(source, key)
        if {(f.rule_id, f.category, f.severity) for f in before} != {
            (f.rule_id, f.category, f.severity) for f in found
        }:
            out.append(RuleChange(key, before, found))
    return tuple(out)
