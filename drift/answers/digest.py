"""One digest from the answers the commands give: changes since the last digest, findings, policy
and reconcile, per source, rendered once.

``drift.pipeline`` (the daily job) composes it in the run's session, right after recording;
``drift report`` composes it from what is recorded. Policy and reconcile come from the same
functions as ``drift policy check`` and ``drift reconcile`` (:func:`drift.answers.policy.judge`,
:func:`drift.answers.reconcile.compare_plans`), findings from the same grading as
``drift inventory``, so the digest and the commands cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from drift.answers.changes import LastDigest, SinceLastDigest, last_digests, since_last_digest
from drift.answers.findings import (
    ByKey,
    FindingsState,
    findings_fn,
    item_states,
    risky,
    rule_changes,
    still_open,
)
from drift.answers.policy import judge
from drift.answers.reconcile import compare_plans
from drift.answers.schemas import latest_snapshot
from drift.app import App
from drift.govern.properties import FindingsFn
from drift.govern.reconcile import new_undocumented
from drift.model import RenderedDigest, Schema, SourceStatus, utcnow
from drift.report.build import build_digest
from drift.report.model import (
    Digest,
    DigestInput,
    PolicyViolation,
    SourceInput,
    UndocumentedProperty,
)
from drift.report.render import render_digest
from drift.store import firstseen, queries, runs
from drift.store.acks import AckIndex, active_acks

if TYPE_CHECKING:  # SQLAlchemy itself lives in drift/store/
    from sqlalchemy.orm import Session

__all__ = ["Composed", "SourcePart", "compose", "report"]


@dataclass(frozen=True)
class Composed:
    digest: Digest
    rendered: RenderedDigest
    findings: FindingsState  # kept with the digest: the next one tells rule-update changes
    coverage: dict[str, int]  # source -> the snapshot this digest covers
    left_out: tuple[str, ...] = ()  # sources never read: quiet until they work once


@dataclass(frozen=True)
class SourcePart:
    """One source's part of the digest, and the schema it was read from (None: not read)."""

    input: SourceInput
    schema: Schema | None


@dataclass(frozen=True)
class _Context:
    """What every source's part is judged against: one moment, one ledger, one grading."""

    now: dt.datetime
    acks: AckIndex
    findings: FindingsFn
    state: FindingsState


def compose(
    app: App,
    session: Session,
    names: Sequence[str],
    failed: Mapping[str, str],
    *,
    now: dt.datetime,
    run_id: int | None,
) -> Composed:
    """Diff every source against its last digest, classify, govern, and render the digest once.
    ``failed`` names the sources this run could not read (with why): shown as failed, unless
    they were never read (:func:`never_read`)."""
    left_out = never_read(session, names)
    names = [n for n in names if n not in left_out]
    last = last_digests(session, names)
    ctx = _Context(
        now, active_acks(session, now), findings_fn(app), FindingsState(app.classifier.rules_hash)
    )
    parts = [_part(app, session, name, failed.get(name), last.get(name), ctx) for name in names]
    schemas = {p.input.name: p.schema for p in parts if p.schema is not None}
    since = {n: d.at for n, d in last.items()}
    inputs = _governed(app, session, [p.input for p in parts], schemas, ctx, since)
    digest = build_digest(
        DigestInput(
            run_at=now,
            sources=tuple(inputs),
            timezone=app.config.schedule.timezone,
            send_when_empty=app.config.digest.send_when_empty,
            run_id=run_id,
            since=min(since.values(), default=None),
        )
    )
    settings = app.config.digest
    rendered = render_digest(
        digest,
        settings.templates,
        attachment_cap=settings.max_attachment_bytes,
        json_cap=settings.max_json_bytes,
    )
    coverage = {s.name: s.snapshot_id for s in inputs if s.snapshot_id is not None}
    return Composed(digest, rendered, ctx.state, coverage, tuple(sorted(left_out)))


def never_read(session: Session, names: Iterable[str]) -> set[str]:
    """Sources with no snapshot: until a source works once, its failures go to the terminal and
    ``drift status``, not to the digest's readers (a new setup whose secrets are not exported yet
    must not mail "all sources failed" to the whole list)."""
    read = runs.last_successful_snapshot_per_source(session)
    return {name for name in names if name not in read}


def report(app: App, *, now: dt.datetime | None = None) -> Composed:
    """What the next digest would say from what is recorded: nothing fetched, nothing written.

    A source whose last fetch failed is shown as failed, with that run's reason; one never read
    is left out, as the daily job leaves it out."""
    names = [s.name for s in app.config.sources]
    with app.database.session() as session:
        last = runs.last_source_outcomes(session)
        failed = {
            n: f"the last run (#{o.run_id}) could not read it: {o.error or 'failed'}"
            for n, o in last.items()
            if n in names and o.status is SourceStatus.FAILED
        }
        return compose(app, session, names, failed, now=now or utcnow(), run_id=None)


def _part(
    app: App,
    session: Session,
    name: str,
    failed: str | None,
    last: LastDigest | None,
    ctx: _Context,
) -> SourcePart:
    """One source's part: failed, or what changed since ``last`` with its findings."""
    type_ = app.config.source(name).type
    provenance = app.source_class(type_).provenance
    current = None if failed is not None else latest_snapshot(session, name)
    if current is None:
        reason = failed or "never read successfully; see `drift status`"
        failure = SourceInput(name, type_, provenance, SourceStatus.FAILED, reason=reason)
        return SourcePart(failure, None)
    schema = queries.state_at(session, current)
    findings = risky(schema, ctx.findings)
    ctx.state.keep(name, findings)
    baseline = last.snapshot_id if last else None
    since = since_last_digest(app, session, name, baseline, current, findings, schema)
    read = SourceInput(name, type_, provenance, _status(baseline, since), snapshot_id=current)
    return SourcePart(_assessed(session, read, schema, findings, since, last, ctx), schema)


def _status(baseline: int | None, since: SinceLastDigest) -> SourceStatus:
    if baseline is None:
        return SourceStatus.FIRST_RUN
    return SourceStatus.READ if since.changes else SourceStatus.UNCHANGED


def _assessed(
    session: Session,
    read: SourceInput,
    schema: Schema,
    findings: ByKey,
    since: SinceLastDigest,
    last: LastDigest | None,
    ctx: _Context,
) -> SourceInput:
    """A read source's part: its changes, the items they touch (every risky one on a first run)
    with findings and acknowledgements, what is still open, and what the rules changed.
    ``findings`` holds the risky items only."""
    name, current = read.name, read.snapshot_id
    assert current is not None
    first_run = read.status is SourceStatus.FIRST_RUN
    # A first digest is an inventory of the risky items: its changes (every item) need no state,
    # first-seen date or bookkeeping of their own.
    touched = set() if first_run else {c.key for c in since.changes}
    shown = touched | {c.key for c in since.reader_upgrade}
    if first_run:
        shown |= set(findings)
    first_seen = firstseen.first_seen_by_key(session, name, [*findings, *touched])
    snap = queries.snapshot_info(session, current)
    return replace(
        read,
        content_hash=snap.content_hash,
        item_count=snap.item_count,
        changes=since.changes,
        items=item_states(name, sorted(shown), findings, ctx.acks, first_seen),
        open_findings=()
        if first_run
        else still_open(name, findings, touched, ctx.acks, first_seen),
        rule_changes=rule_changes(
            name, schema, findings, touched, last.findings if last else None, ctx.state.rules_hash
        ),
        reader_upgrade=since.reader_upgrade,
        reader_versions=since.reader_versions,
    )


def _governed(
    app: App,
    session: Session,
    inputs: list[SourceInput],
    schemas: dict[str, Schema],
    ctx: _Context,
    since: dict[str, dt.datetime],
) -> list[SourceInput]:
    """Add policy violations and new undocumented properties to each source's part."""
    violations: dict[str, list[PolicyViolation]] = {}
    if app.config.policy:
        for v in judge(app, schemas, ctx.acks, ctx.now).open:
            violations.setdefault(v.source, []).extend(
                PolicyViolation(key, v.rule, v.category, v.severity, v.reason)
                for key in v.keys or (v.key,)
            )
    undocumented: dict[str, list[UndocumentedProperty]] = {}
    if app.config.reconcile:
        for u in new_undocumented(compare_plans(app, session, schemas), since):
            undocumented.setdefault(u.observed, []).extend(
                UndocumentedProperty(key, u.observed, u.plan, u.first_seen) for key in u.keys
            )
    return [
        replace(
            s,
            policy_violations=tuple(violations.get(s.name, ())),
            undocumented=tuple(undocumented.get(s.name, ())),
        )
        for s in inputs
    ]
