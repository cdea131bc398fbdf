"""Prometheus metrics, read from the database at each scrape or write: one source of truth.

``drift run --metrics-file`` and ``drift schedule --metrics-file`` write the text format
atomically (for node_exporter's textfile collector); ``drift schedule --metrics-port`` serves it.
Metrics: last success and failures per source, undelivered digests per channel, findings by
severity in the newest digest, and the last run's duration, exit code and time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server, write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from drift.app import App
from drift.delivery import channel_names
from drift.store import outbox, runs
from drift.store.tables import DigestRow, RunSourceRow

SEVERITIES = {"high": "new_high", "medium": "new_medium", "low": "new_low"}


class DriftCollector(Collector):
    """Collects on demand, so a scrape always shows the database's current state."""

    def __init__(self, app: App) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        with self.app.database.session() as session:
            yield from _sources(session, [s.name for s in self.app.config.sources])
            yield _deliveries(session, [n for n, _ in channel_names(self.app.config)])
            yield _findings(session)
            yield from _last_run(session)


def registry(app: App) -> CollectorRegistry:
    found = CollectorRegistry(auto_describe=False)
    found.register(DriftCollector(app))
    return found


def write_textfile(app: App, path: Path) -> None:
    """Write atomically (a temporary file renamed over ``path``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry(app))


def serve(app: App, port: int, addr: str = "0.0.0.0") -> Any:  # noqa: S104 - a metrics endpoint
    """Serve /metrics in a background thread; returns (server, thread)."""
    return start_http_server(port, addr=addr, registry=registry(app))


def _sources(session: Session, configured: list[str]) -> Iterator[Metric]:
    last = runs.last_successful_snapshot_per_source(session)
    outcomes = runs.last_source_outcomes(session)
    failures = dict(
        session.execute(
            select(RunSourceRow.source_name, func.count())
            .where(RunSourceRow.status == "failed")
            .group_by(RunSourceRow.source_name)
        ).all()
    )
    success = GaugeMetricFamily(
        "drift_source_last_success_timestamp_seconds",
        "When the source was last read successfully (Unix time; absent: never).",
        labels=["source"],
    )
    up = GaugeMetricFamily(
        "drift_source_up", "1 when the source's last read succeeded, else 0.", labels=["source"]
    )
    failed = CounterMetricFamily(
        "drift_source_failures", "Failed reads of the source (in the kept run history).",
        labels=["source"],
    )  # fmt: skip
    for name in configured:
        if name in last:
            success.add_metric([name], last[name].taken_at.timestamp())
        outcome = outcomes.get(name)
        up.add_metric([name], 0.0 if outcome is None or outcome.status == "failed" else 1.0)
        failed.add_metric([name], float(failures.get(name, 0)))
    yield from (success, up, failed)


def _deliveries(session: Session, channels: list[str]) -> Metric:
    open_ = Counter((d.channel, str(d.status)) for d in outbox.undelivered(session, channels))
    gauge = GaugeMetricFamily(
        "drift_deliveries_undelivered",
        "Digests not delivered to a channel, by outbox status (pending: waiting for a retry).",
        labels=["channel", "status"],
    )
    for channel in channels:
        for status in ("pending", "failed", outbox.POSSIBLY_DELIVERED):
            gauge.add_metric([channel, status], float(open_.get((channel, status), 0)))
    return gauge


def _findings(session: Session) -> Metric:
    body = session.scalar(select(DigestRow.body_json).order_by(DigestRow.id.desc()).limit(1))
    counts = json.loads(body).get("counts", {}) if body else {}
    gauge = GaugeMetricFamily(
        "drift_findings",
        "New findings by severity, and policy violations, in the newest digest.",
        labels=["severity"],
    )
    for severity, key in SEVERITIES.items():
        gauge.add_metric([severity], float(counts.get(key, 0)))
    gauge.add_metric(["policy_violation"], float(counts.get("policy_violations", 0)))
    return gauge


def _last_run(session: Session) -> Iterator[Metric]:
    last = runs.last_runs(session, 1, include_dry_runs=False)
    finished = last[0].finished_at if last else None
    if finished is None:
        return
    run = last[0]
    yield GaugeMetricFamily(
        "drift_last_run_duration_seconds", "How long the last finished run took.",
        value=(finished - run.started_at).total_seconds(),
    )  # fmt: skip
    yield GaugeMetricFamily(
        "drift_last_run_timestamp_seconds", "When the last finished run ended (Unix time).",
        value=finished.timestamp(),
    )  # fmt: skip
    yield GaugeMetricFamily(
        "drift_last_run_exit_code", "The last finished run's exit code (0 ok; see README).",
        value=float(run.exit_code if run.exit_code is not None else -1),
    )  # fmt: skip
