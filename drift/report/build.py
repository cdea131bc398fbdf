"""Turn what the pipeline knows (``DigestInput``) into what the digest says (``Digest``).

Everything a reader sees is decided here, once: which section a change lands in, one row per
property with the events that carry it, severity and category groups, counts, status lines.
Ordering is deterministic everywhere (severity, then category, then name).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from drift import clockface
from drift.model import Change, Finding, ItemKey, Scope, Severity, SourceStatus
from drift.plural import counted
from drift.report.model import (
    Acknowledgement,
    Counts,
    Digest,
    DigestInput,
    Group,
    ItemState,
    Row,
    Section,
    SourceDigest,
    SourceInput,
    UndocumentedProperty,
)
from drift.report.rows import finding_rows, other_rows, rule_rows

SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")  # goes into Message-ID, webhook-id, file names
GROUPED = frozenset({Section.NEW, Section.OPEN, Section.INVENTORY, Section.RULES, Section.POLICY})


def build_digest(data: DigestInput) -> Digest:
    """The one place that decides what the digest says."""
    if data.run_at.tzinfo is None:
        raise ValueError("DigestInput.run_at must be timezone-aware (UTC)")
    if data.digest_id is not None and not SAFE_ID.fullmatch(data.digest_id):
        raise ValueError("DigestInput.digest_id must be 1-100 of [A-Za-z0-9_-]")
    run_at = data.run_at.astimezone(dt.UTC)
    tz = clockface.zone(data.timezone)
    sources = tuple(
        _source(s, run_at, tz) for s in sorted(data.sources, key=lambda s: (s.name, s.type))
    )
    counts = _counts(sources)
    first_run = any(s.status is SourceStatus.FIRST_RUN for s in sources)
    heartbeat = not first_run and counts.sources_failed == 0 and _quiet(counts)
    local, tz_name = clockface.local(run_at, tz), clockface.zone_name(tz)
    digest = Digest(
        run_at=run_at,
        timezone=tz_name,
        local_date=local.strftime("%Y-%m-%d"),
        local_time=f"{local:%Y-%m-%d %H:%M} {tz_name}",
        since=data.since.astimezone(dt.UTC) if data.since else None,
        run_id=data.run_id,
        counts=counts,
        sources=sources,
        heartbeat=heartbeat,
        first_run=first_run,
        should_send=data.send_when_empty or not heartbeat,
    )
    from drift.report.serialize import digest_id_for

    return replace(digest, digest_id=data.digest_id or digest_id_for(digest))


def _quiet(counts: Counts) -> bool:
    """Nothing to tell: no change, no new finding, and no policy violation or undocumented
    property waiting (those are news every day until fixed or acknowledged)."""
    return not (
        counts.changes
        or counts.rule_changes
        or counts.new_total
        or counts.policy_violations
        or counts.undocumented
    )


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace (CR/LF included) and cap the length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def active_ack(ack: Acknowledgement | None, now: dt.datetime) -> Acknowledgement | None:
    """Expired acknowledgements resurface: they no longer silence anything."""
    if ack is None or ack.until is None:
        return ack
    until = ack.until if ack.until.tzinfo else ack.until.replace(tzinfo=dt.UTC)
    return ack if until > now else None


# --------------------------------------------------------------------------- one source


def _source(src: SourceInput, now: dt.datetime, tz: dt.tzinfo) -> SourceDigest:
    changes = tuple(sorted(src.changes, key=lambda c: (c.key, c.kind.order)))
    if src.status is SourceStatus.FAILED:
        sections: dict[Section, list[Row]] = {}
    elif src.status is SourceStatus.FIRST_RUN:
        sections = _inventory(src.items, now, tz)
    else:
        sections = _sections(changes, src, now)
    _add_extras(sections, src, now, tz)
    if src.reader_upgrade and src.status is not SourceStatus.FIRST_RUN:
        sections[Section.UPGRADE] = _upgrade_rows(src, now)
    change_count = 0 if src.status is SourceStatus.FIRST_RUN else len(changes)
    return SourceDigest(
        name=src.name,
        type=src.type,
        provenance=src.provenance,
        status=src.status,
        status_line=_status_line(src, change_count),
        reason=one_line(src.reason) if src.status is SourceStatus.FAILED else "",
        snapshot_id=src.snapshot_id,
        content_hash=src.content_hash,
        item_count=src.item_count,
        change_count=change_count,
        sections=tuple((s, _groups(s, sections[s])) for s in Section if sections.get(s)),
        changes=changes,
    )


def _upgrade_rows(src: SourceInput, now: dt.datetime) -> list[Row]:
    """Differences from reading the source more completely: one collapsed section."""
    states = {s.key: s for s in src.items}
    ordered = sorted(src.reader_upgrade, key=lambda c: (c.key, c.kind.order))
    entries = [(c, states.get(c.key)) for c in ordered]
    return other_rows(entries, src.provenance, now, Section.UPGRADE)


def _upgrade_note(src: SourceInput) -> str:
    if not src.reader_upgrade or src.reader_versions is None:
        return ""
    old, new = src.reader_versions
    count = len(src.reader_upgrade)
    return (
        f" drift's reader for this source was upgraded (v{old} to v{new}): "
        f"{counted(count, 'differences')} from reading it more completely, not from the "
        "vendor, are listed apart."
    )


def _status_line(src: SourceInput, changes: int) -> str:
    return _base_status_line(src, changes) + _upgrade_note(src)


def _base_status_line(src: SourceInput, changes: int) -> str:
    items = f"{src.item_count:,} items"
    if src.status is SourceStatus.FAILED:
        why = one_line(src.reason) or "no reason given"
        return f"FAILED, not read this run: {why}. Its changes will appear in the next digest."
    if src.status is SourceStatus.FIRST_RUN:
        return f"First run: {items} recorded as the baseline."
    if changes == 0:
        return f"Read: no changes ({items})."
    return f"Read: {counted(changes, 'changes')} ({items})."


def _sections(
    changes: tuple[Change, ...], src: SourceInput, now: dt.datetime
) -> dict[Section, list[Row]]:
    states = {s.key: s for s in src.items}
    placed: dict[Section, list[tuple[Change, ItemState | None]]] = defaultdict(list)
    for change in changes:
        state = states.get(change.key)
        placed[_place(change, state, now)].append((change, state))
    out: dict[Section, list[Row]] = {}
    for section, entries in placed.items():
        out[section] = other_rows(entries, src.provenance, now, section)
    return out


def _place(change: Change, state: ItemState | None, now: dt.datetime) -> Section:
    if change.kind.is_gone_or_retyped:
        return Section.REMOVED
    if not change.kind.is_addition or state is None or not state.findings:
        return Section.OTHER
    return Section.ACKNOWLEDGED if active_ack(state.ack, now) else Section.NEW


def _inventory(
    items: Iterable[ItemState], now: dt.datetime, tz: dt.tzinfo
) -> dict[Section, list[Row]]:
    risky = [s for s in items if s.findings]
    open_ = [s for s in risky if not active_ack(s.ack, now)]
    acked = [s for s in risky if active_ack(s.ack, now)]
    return {
        Section.INVENTORY: finding_rows(open_, now, Section.INVENTORY, tz),
        Section.ACKNOWLEDGED: finding_rows(acked, now, Section.ACKNOWLEDGED, tz),
    }


def _add_extras(
    sections: dict[Section, list[Row]], src: SourceInput, now: dt.datetime, tz: dt.tzinfo
) -> None:
    if src.status is not SourceStatus.FAILED:
        opened = [ItemState(o.key, o.findings, None, o.first_seen) for o in src.open_findings]
        sections[Section.OPEN] = finding_rows(opened, now, Section.OPEN, tz)
        sections[Section.RULES] = rule_rows(src.rule_changes)
    sections[Section.POLICY] = _policy_rows(src)
    sections[Section.UNDOCUMENTED] = _undocumented_rows(src, tz)


def _policy_rows(src: SourceInput) -> list[Row]:
    rows = [
        Row(
            scope=v.key.scope,
            name=v.key.name or v.key.event,
            events=_carriers(v.key),
            findings=(
                Finding(f"policy:{v.category}", v.category, v.severity, (), reason=v.reason),
            ),
            severity=v.severity,
            category=v.category,
            detail=one_line(v.policy, 200),
        )
        for v in src.policy_violations
    ]
    return merge_rows(rows)


def _carriers(key: ItemKey) -> tuple[str, ...]:
    """Where a property lives (:attr:`ItemKey.place`: the event, or ``(group:TYPE)``); none for
    events and user properties, which the row labels by their scope instead."""
    return (key.place,) if key.scope is not Scope.EVENT and key.event else ()


def _undocumented_rows(src: SourceInput, tz: dt.tzinfo) -> list[Row]:
    rows = [
        Row(
            scope=u.key.scope,
            name=u.key.name or u.key.event,
            events=_carriers(u.key),
            detail=one_line(_undocumented_detail(u, tz), 300),
            first_seen=u.since,
        )
        for u in src.undocumented
    ]
    return merge_rows(rows)


def _undocumented_detail(u: UndocumentedProperty, tz: dt.tzinfo) -> str:
    since = f" since {clockface.day(u.since, tz)}" if u.since else ""
    return f"undocumented: arrives at {u.observed_source}{since}, missing from plan '{u.plan}'"


def merge_rows(rows: list[Row]) -> list[Row]:
    """Rows with the same scope, name and detail become one row listing every event."""
    merged: dict[tuple[str, str, str], Row] = {}
    for row in rows:
        key = (row.scope.value, row.name, row.detail)
        kept = merged.get(key)
        if kept is None:
            merged[key] = row
            continue
        events = tuple(sorted(set(kept.events) | set(row.events)))
        merged[key] = replace(kept, events=events)
    return list(merged.values())


# --------------------------------------------------------------------------- groups & counts


def severity_rank(severity: Severity | None) -> int:
    return severity.rank if severity else 0


def row_order(row: Row) -> tuple[int, str, str, str, tuple[str, ...]]:
    return (-severity_rank(row.severity), row.category, row.name, row.scope.value, row.events)


def _groups(section: Section, rows: list[Row]) -> tuple[Group, ...]:
    ordered = sorted(rows, key=row_order)
    if section not in GROUPED:
        return (Group(None, "", tuple(ordered)),)
    buckets: dict[tuple[Severity | None, str], list[Row]] = defaultdict(list)
    for row in ordered:
        buckets[(row.severity, row.category)].append(row)
    keys = sorted(buckets, key=lambda k: (-severity_rank(k[0]), k[1]))
    return tuple(Group(sev, cat, tuple(buckets[(sev, cat)])) for sev, cat in keys)


def _counts(sources: tuple[SourceDigest, ...]) -> Counts:
    new = [r for s in sources for sec in (Section.NEW, Section.INVENTORY) for r in s.rows(sec)]
    by_sev: dict[Severity | None, int] = defaultdict(int)
    for row in new:
        by_sev[row.severity] += 1
    with_new = {s.name for s in sources if s.rows(Section.NEW) or s.rows(Section.INVENTORY)}
    failed = sum(1 for s in sources if s.status is SourceStatus.FAILED)
    return Counts(
        new_high=by_sev[Severity.HIGH],
        new_medium=by_sev[Severity.MEDIUM],
        new_low=by_sev[Severity.LOW],
        open=sum(len(s.rows(Section.OPEN)) for s in sources),
        acknowledged=sum(len(s.rows(Section.ACKNOWLEDGED)) for s in sources),
        rule_changes=sum(len(s.rows(Section.RULES)) for s in sources),
        changes=sum(s.change_count for s in sources),
        sources=len(sources),
        sources_read=len(sources) - failed,
        sources_failed=failed,
        sources_with_new=len(with_new),
        policy_violations=sum(len(s.rows(Section.POLICY)) for s in sources),
        undocumented=sum(len(s.rows(Section.UNDOCUMENTED)) for s in sources),
    )
