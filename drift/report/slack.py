"""The digest as a Slack Block Kit payload, inside Slack's limits.

Limits held: at most 50 blocks, section text <= 3,000 characters, header <= 150, and the whole
payload's text <= ~9,000 characters (Slack rejects long messages below its documented limits).
Vendor names go through ``escape.slack`` (only ``&``, ``<``, ``>``) inside code spans.
"""

from __future__ import annotations

import json
from typing import Any

from drift.model import Scope, SourceStatus
from drift.report.escape import cap, slack, slack_name
from drift.report.model import SECTION_TITLES, Digest, Row, Section, SourceDigest
from drift.report.view import PolicyView, carried_by, policy_view, why

MAX_BLOCKS = 50
SECTION_CHARS = 2_900  # under the 3,000 limit, with room for the "N more" line
TOTAL_CHARS = 9_000
HEADER_CHARS = 150
FIXED_BLOCKS = 4  # header, counts, context, policy violations (every source, first)
SEVERITY_MARK = {
    "high": ":red_circle:",
    "medium": ":large_orange_circle:",
    "low": ":large_blue_circle:",
}
LISTED = (Section.NEW, Section.INVENTORY, Section.REMOVED, Section.RULES)
COUNTED = (
    Section.OPEN,
    Section.ACKNOWLEDGED,
    Section.OTHER,
    Section.UNDOCUMENTED,
    Section.UPGRADE,
)
COUNT_WORDS = {
    Section.OPEN: "still unacknowledged",
    Section.ACKNOWLEDGED: "acknowledged",
    Section.OTHER: "other changes",
    Section.UNDOCUMENTED: "not in the tracking plan",
    Section.UPGRADE: "read more completely by a newer drift",
}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _counts_text(digest: Digest) -> str:
    c = digest.counts
    if digest.heartbeat:
        head = ":white_check_mark: No changes since the last digest."
    else:
        head = (
            f"*{c.policy_violations:,} policy violations* · "
            f"*{c.new_high:,} high* · *{c.new_medium:,} medium* · {c.new_low:,} low new"
            f" · {c.changes:,} changes · {c.rule_changes:,} rule changes"
            f" · {c.open:,} still open · {c.acknowledged:,} acknowledged"
        )
    sources = f"Sources: {c.sources_read:,} read, {c.sources_failed:,} failed"
    if c.sources_failed:
        sources = f":warning: {sources}"
    return f"{head}\n{sources}"


def _row_line(row: Row) -> str:
    mark = SEVERITY_MARK.get(row.severity.value, "") if row.severity else "•"
    sev = f"*{row.severity.value}* {slack(row.category)} " if row.severity else ""
    line = f"{mark} {sev}{slack_name(row.name)}"
    if row.scope is not Scope.EVENT_PROPERTY:
        line += f" ({row.scope.value.replace('_', ' ')})"
    if row.events:
        shown = ", ".join(slack_name(e, 60) for e in row.events[:3])
        more = len(row.events) - 3
        line += f" {carried_by(row)} {shown}" + (f" and {more:,} more" if more > 0 else "")
    if row.detail:
        line += f" — {slack(row.detail, 120)}"
    if why(row):
        line += f"; why: {slack(why(row), 120)}"
    return line


def _source_lines(source: SourceDigest) -> tuple[str, list[str], int]:
    title = f"*{slack(source.name, 80)}* ({slack(source.type, 40)}, {source.provenance.value})"
    if source.status is SourceStatus.FAILED:
        return f":warning: {title}\n*{slack(source.status_line, 400)}*", [], 0
    lines: list[str] = []
    for section in LISTED:
        rows = source.rows(section)
        if rows:
            lines.append(f"_{SECTION_TITLES[section]} ({len(rows):,})_")
            lines.extend(_row_line(r) for r in rows)
    counted = [f"{len(source.rows(s)):,} {COUNT_WORDS[s]}" for s in COUNTED if source.rows(s)]
    head = f"{title}\n{slack(source.status_line, 300)}"
    if counted:
        head += "\n" + " · ".join(counted)
    return head, lines, len(lines)


def _policy_block(policy: PolicyView, budget: int) -> dict[str, Any]:
    """Every source's policy violations in one block, most severe first, before any source."""
    text = f"*Policy violations ({policy.total:,})*, every source, most severe first"
    lines = [f"{_row_line(sr.row)} at *{slack(sr.source, 80)}*" for sr in policy.rows]
    used = 0
    for line in lines:
        if len(text) + len(line) + 80 > budget:
            break
        text += "\n" + line
        used += 1
    if used < len(lines):
        text += f"\n…and {len(lines) - used:,} more: see the email, file or JSON digest"
    return _section(cap(text, SECTION_CHARS))


def _source_block(source: SourceDigest, budget: int) -> dict[str, Any]:
    head, lines, total = _source_lines(source)
    text, used = head, 0
    for line in lines:
        if len(text) + len(line) + 80 > budget:
            break
        text += "\n" + line
        used += 1
    if used < total:
        text += f"\n…and {total - used:,} more lines: see the email, file or JSON digest"
    return _section(cap(text, SECTION_CHARS))


def slack_blocks(digest: Digest, subject: str) -> list[dict[str, Any]]:
    room = MAX_BLOCKS - FIXED_BLOCKS - 1
    shown = digest.sources[:room]
    budget = min(SECTION_CHARS, max(300, TOTAL_CHARS // max(1, len(shown))))
    header = cap(f"drift digest {digest.local_date}", HEADER_CHARS - 1)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        _section(_counts_text(digest)),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": slack(f"{digest.local_time} · {subject}")}],
        },
    ]
    policy = policy_view(digest)
    if policy.total:
        blocks.append(_policy_block(policy, budget))
    blocks.extend(_source_block(s, budget) for s in shown)
    if len(digest.sources) > len(shown):
        rest = len(digest.sources) - len(shown)
        blocks.append(_section(f"…and {rest:,} more sources: see the email or JSON digest"))
    return blocks


def slack_payload(digest: Digest, subject: str) -> str:
    payload = {"text": slack(subject, 300), "blocks": slack_blocks(digest, subject)}
    return json.dumps(payload, indent=2, ensure_ascii=True) + "\n"
