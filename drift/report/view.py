"""What a size-bounded format shows of a digest: at most ``limit`` rows per section, the rest
counted ("N more"). The digest itself is never cut; JSON and the CSV attachment stay complete."""

from __future__ import annotations

from dataclasses import dataclass

from drift.model import ChangeKind, Severity
from drift.report.build import row_order
from drift.report.model import SECTION_TITLES, Digest, Row, Section, SourceDigest

EVENTS_SHOWN = 5

KIND_LABELS = {
    ChangeKind.EVENT_ADDED: "event added",
    ChangeKind.EVENT_REMOVED: "event removed",
    ChangeKind.EVENT_UNLISTED: "event no longer listed",
    ChangeKind.PROPERTY_NEW: "new property",
    ChangeKind.PROPERTY_ADDED: "property added",
    ChangeKind.PROPERTY_REMOVED: "property removed",
    ChangeKind.PROPERTY_UNLISTED: "property no longer listed",
    ChangeKind.TYPE_CHANGED: "type changed",
    ChangeKind.DESCRIPTION_CHANGED: "description changed",
    ChangeKind.VISIBILITY_CHANGED: "visibility changed",
    ChangeKind.METADATA_CHANGED: "metadata changed",
}


@dataclass(frozen=True)
class GroupView:
    severity: Severity | None
    category: str
    rows: tuple[Row, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class SectionView:
    section: Section
    title: str
    groups: tuple[GroupView, ...]
    total: int

    @property
    def more(self) -> int:
        return sum(g.more for g in self.groups)

    @property
    def collapsed(self) -> bool:
        return self.section in (Section.ACKNOWLEDGED, Section.UPGRADE)


@dataclass(frozen=True)
class SourceView:
    source: SourceDigest
    sections: tuple[SectionView, ...]


@dataclass(frozen=True)
class SourcedRow:
    """A row shown outside its source's block (policy violations come first, across sources)."""

    source: str
    row: Row


@dataclass(frozen=True)
class PolicyView:
    """Every source's policy violations, most severe first, whatever the source's name."""

    rows: tuple[SourcedRow, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class View:
    digest: Digest
    subject: str
    sources: tuple[SourceView, ...]  # their sections, policy violations left out (see ``policy``)
    limit: int
    attachment: str  # file name of the full list, when something was cut
    policy: PolicyView = PolicyView((), 0)

    @property
    def hidden(self) -> int:
        return self.policy.more + sum(s.more for src in self.sources for s in src.sections)


def trim(digest: Digest, subject: str, limit: int, attachment: str = "") -> View:
    sources = tuple(SourceView(s, _sections(s, limit)) for s in digest.sources)
    return View(digest, subject, sources, limit, attachment, policy_view(digest, limit))


def policy_view(digest: Digest, limit: int | None = None) -> PolicyView:
    found = [SourcedRow(s.name, r) for s in digest.sources for r in s.rows(Section.POLICY)]
    found.sort(key=lambda sr: (row_order(sr.row), sr.source))
    return PolicyView(tuple(found[:limit] if limit is not None else found), len(found))


def _sections(source: SourceDigest, limit: int) -> tuple[SectionView, ...]:
    out = []
    for section, groups in source.sections:
        if section is Section.POLICY:
            continue
        left = limit
        views = []
        for group in groups:
            shown = group.rows[: max(left, 0)]
            left -= len(shown)
            views.append(GroupView(group.severity, group.category, shown, len(group.rows)))
        total = sum(g.total for g in views)
        out.append(SectionView(section, SECTION_TITLES[section], tuple(views), total))
    return tuple(out)


def kinds_label(kinds: tuple[ChangeKind, ...]) -> str:
    return ", ".join(KIND_LABELS[k] for k in kinds)


def events_label(row: Row, shown: int = EVENTS_SHOWN) -> str:
    """Plain text (escaped later by the format): 'A, B, C and 4 more events'."""
    if not row.events:
        return ""
    head = ", ".join(row.events[:shown])
    rest = len(row.events) - shown
    return f"{head} and {rest:,} more" if rest > 0 else head


def describe(row: Row) -> str:
    """The row's one-line detail: what changed, else why it is risky, else its kinds."""
    reason = row.findings[0].reason if row.findings else ""
    return row.detail or reason or kinds_label(row.kinds)


def why(row: Row) -> str:
    """The one-line reason under a row whose detail line says something else (every format)."""
    if not row.findings or not row.detail:
        return ""
    return row.findings[0].reason or row.findings[0].rule_id


def carried_by(row: Row) -> str:
    """How a row's ``events`` are introduced: "on" an event or ``(group:TYPE)``
    (:attr:`ItemKey.place`, the one display form of where a property lives)."""
    return "on"
