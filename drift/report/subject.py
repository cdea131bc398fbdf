"""The subject line: the date and the counts that matter, one safe line."""

from __future__ import annotations

from drift.plural import counted
from drift.report.escape import header_text
from drift.report.model import Counts, Digest

SUBJECT_LIMIT = 200


def _severities(counts: Counts) -> str:
    parts = [
        f"{n:,} {label}"
        for n, label in (
            (counts.new_high, "high"),
            (counts.new_medium, "medium"),
            (counts.new_low, "low"),
        )
        if n
    ]
    return ", ".join(parts)


def _body(digest: Digest) -> str:
    c = digest.counts
    read = c.sources_read
    if c.sources and c.sources_failed == c.sources:
        return f"all {counted(c.sources, 'sources')} failed, nothing was read"
    if digest.first_run:
        found = _severities(c) or "no risky items"
        return f"first inventory, {found} across {counted(read, 'sources')}"
    if c.new_total:
        return f"{_severities(c)} new across {counted(c.sources_with_new, 'sources')}"
    if c.changes or c.rule_changes:
        return f"{_changes(c)}, no new findings across {counted(read, 'sources')}"
    return f"no changes across {counted(read, 'sources')}"


def _changes(c: Counts) -> str:
    """The same two numbers the digest's counts show: changes, and rule changes apart."""
    parts = [counted(c.changes, "changes")] if c.changes else []
    if c.rule_changes:
        parts.append(counted(c.rule_changes, "rule changes"))
    return ", ".join(parts)


def make_subject(digest: Digest) -> str:
    """E.g. "drift 2026-11-29: 3 high, 2 medium new across 2 sources; 1 source FAILED"."""
    text = f"drift {digest.local_date}: {_body(digest)}"
    c = digest.counts
    if c.policy_violations:
        text += f"; {counted(c.policy_violations, 'policy violations')}"
    if c.sources_failed and c.sources_failed != c.sources:
        text += f"; {counted(c.sources_failed, 'sources')} FAILED"
    return header_text(text, SUBJECT_LIMIT)
