"""Diff every source against its last digest, classify, govern, and render the digest once.

Part of the pipeline layer: ``drift.pipeline`` (the daily job) and ``drift report`` call it; it
joins the store, diff, classify, govern and report stages without those importing each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from drift import gather, govern
from drift.app import App
from drift.diff.engine import compare
from drift.errors import DriftError
from drift.model import Change, Provenance, RenderedDigest, Schema, Scope, utcnow
from drift.plugins import source_classes
from drift.report.build import build_digest
from drift.report.model import (
    Digest,
    DigestInput,
    PolicyViolation,
    SourceInput,
    UndocumentedProperty,
)
from drift.report.render import render_digest
from drift.store import outbox, queries, runs
from drift.store.acks import AckIndex, active_acks
from drift.store.firstseen import load_first_seen


def diff_source(app: App, session: Session, source: str, a: int | None, b: int) -> list[Change]:
    """Changes of ``source`` from snapshot ``a`` (None: first run) to ``b``, from the intervals."""
    before, after = queries.touched_between(session, source, a, b)
    names = [k.name for k in after if k.scope is not Scope.EVENT]
    known = queries.names_seen_by(session, source, names, min(a, b) if a is not None else None)
    return compare(
        source,
        before,
        after,
        name_known=known.__contains__,
        absence_is_unlisting=_unlisting(app, source),
    )


def _unlisting(app: App, source: str) -> bool:
    """Observed sources and vendors that hide items report absence as "no longer listed"."""
    try:
        config = app.config.source(source)
    except DriftError:
        return False
    cls = source_classes().get(config.type)
    return bool(cls and (cls.absence_is_unlisting or cls.provenance is Provenance.OBSERVED))


@dataclass(frozen=True)
class Composed:
    digest: Digest
    rendered: RenderedDigest
    findings: gather.FindingsState
    coverage: dict[str, int]


def compose(
    app: App,
    session: Session,
    names: Sequence[str],
    failed: dict[str, str],
    *,
    now: dt.datetime,
    run_id: int | None,
) -> Composed:
    """Diff every source against its last digest, classify, and render the digest once."""
    baselines = {n: b for n, b in outbox.baselines(session).items() if n in names}
    saved = outbox.findings_json(session, {b.digest_id for b in baselines.values()})
    previous = {
        n: gather.FindingsState.from_json(saved.get(b.digest_id)) for n, b in baselines.items()
    }
    classifier = app.classifier
    state = gather.FindingsState(classifier.rules_hash)
    acks = active_acks(session, now)
    findings = govern.cached_findings(classifier)
    inputs: list[SourceInput] = []
    schemas: dict[str, Schema] = {}
    coverage: dict[str, int] = {}
    for name in names:
        config = app.config.source(name)
        cls = source_classes()[config.type]
        current = None if name in failed else _latest(session, name)
        baseline = baselines[name].snapshot_id if name in baselines else None
        ctx = gather.SourceContext(
            name, config.type, cls.provenance, failed.get(name), baseline, current
        )
        source_input, schema = gather.source_input(
            session,
            ctx,
            diff=lambda s, n, a, b: diff_source(app, s, n, a, b),
            classify=findings,
            acks=acks,
            previous=previous.get(name),
            state=state,
        )
        inputs.append(source_input)
        if current is not None and schema is not None:
            coverage[name], schemas[name] = current, schema
    since_by_source = {n: b.digest_at for n, b in baselines.items()}
    since = min(since_by_source.values(), default=None)
    inputs = _governed(app, session, inputs, schemas, findings, acks, now, since_by_source)
    digest = build_digest(
        DigestInput(
            run_at=now,
            sources=tuple(inputs),
            timezone=app.config.schedule.timezone,
            send_when_empty=app.config.digest.send_when_empty,
            run_id=run_id,
            since=since,
        )
    )
    settings = app.config.digest
    rendered = render_digest(
        digest,
        settings.templates,
        attachment_cap=settings.max_attachment_bytes,
        json_cap=settings.max_json_bytes,
    )
    return Composed(digest, rendered, state, coverage)


def _governed(
    app: App,
    session: Session,
    inputs: list[SourceInput],
    schemas: dict[str, Schema],
    findings: gather.Classify,
    acks: AckIndex,
    now: dt.datetime,
    since: dict[str, dt.datetime],
) -> list[SourceInput]:
    """Add policy violations and new undocumented properties to each source's part."""
    config = app.config
    violations: dict[str, list[PolicyViolation]] = {}
    if config.policy:
        for v in govern.evaluate_policies(config, schemas, findings, acks.match, now):
            violations.setdefault(v.source, []).append(
                PolicyViolation(v.key, v.rule, v.category, v.severity, v.reason)
            )
    undocumented: dict[str, list[UndocumentedProperty]] = {}
    if config.reconcile:
        first_seen = load_first_seen(session, list(schemas))
        report = govern.reconcile_all(config, schemas, first_seen)
        for u in govern.new_undocumented(report, since):
            for key in u.keys:
                found = UndocumentedProperty(key, u.observed, u.plan, u.first_seen)
                undocumented.setdefault(u.observed, []).append(found)
    return [
        replace(
            s,
            policy_violations=tuple(violations.get(s.name, ())),
            undocumented=tuple(undocumented.get(s.name, ())),
        )
        for s in inputs
    ]


def _latest(session: Session, name: str) -> int | None:
    try:
        return queries.resolve_ref(session, name, "latest")
    except DriftError:
        return None


def report(app: App, *, now: dt.datetime | None = None) -> Composed:
    """What the next digest would say from what is recorded: nothing fetched, nothing written.

    A source whose last fetch failed is shown as failed, with that run's reason."""
    names = [s.name for s in app.config.sources]
    with app.database.session() as session:
        last = runs.last_source_outcomes(session)
        failed = {
            n: f"the last run (#{o.run_id}) could not read it: {o.error or 'failed'}"
            for n, o in last.items()
            if n in names and o.status == "failed"
        }
        return compose(app, session, names, failed, now=now or utcnow(), run_id=None)
