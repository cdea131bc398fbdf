"""Prometheus metrics, read from the database at each scrape or write: one source of truth.

``drift run --metrics-file`` and ``drift schedule --metrics-file`` write the text format
atomically (for node_exporter's textfile collector); ``drift schedule --metrics-port`` serves it.
Metrics: last success and failures per source, undelivered digests per channel, findings by
severity in the newest digest, and the last run's duration, exit code and time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server, write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from drift.answers import status as health
from drift.answers.status import OpenDelivery, SourceHealth, Status
from drift.app import App
from drift.delivery import channel_names
from drift.model import MOST_SEVERE_FIRST, DeliveryStatus


class DriftCollector(Collector):
    """Collects on demand, so a scrape always shows the database's current state."""

    def __init__(self, app: App) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        found = health.status(self.app)  # what `drift status` and its exit code judge
        channels = [n for n, _ in channel_names(self.app.config)]
        yield from _sources([s for s in found.sources if s.configured])
        yield _deliveries([d for d in found.deliveries if d.channel in channels], channels)
        yield _findings(found.digest_counts)
        yield from _last_run(found)


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


def _sources(configured: list[SourceHealth]) -> Iterator[Metric]:
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
    for source in configured:
        name = source.source
        if source.last_snapshot is not None:
            success.add_metric([name], source.last_snapshot.taken_at.timestamp())
        up.add_metric([name], 1.0 if source.up else 0.0)
        failed.add_metric([name], float(source.failures))
    yield from (success, up, failed)


def _deliveries(open_deliveries: list[OpenDelivery], channels: list[str]) -> Metric:
    open_ = Counter((d.channel, str(d.status)) for d in open_deliveries)
    gauge = GaugeMetricFamily(
        "drift_deliveries_undelivered",
        "Digests not delivered to a channel, by outbox status (pending: waiting for a retry).",
        labels=["channel", "status"],
    )
    statuses = (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.POSSIBLY_DELIVERED)
    for channel in channels:
        for status in statuses:
            gauge.add_metric([channel, status.value], float(open_.get((channel, status), 0)))
    return gauge


def _findings(counts: Mapping[str, int]) -> Metric:
    gauge = GaugeMetricFamily(
        "drift_findings",
        "New findings by severity, and policy violations, in the newest digest.",
        labels=["severity"],
    )
    for severity in MOST_SEVERE_FIRST:  # the digest counts them as new_high, new_medium...
        gauge.add_metric([severity.value], float(counts.get(f"new_{severity.value}", 0)))
    gauge.add_metric(["policy_violation"], float(counts.get("policy_violations", 0)))
    return gauge


def _last_run(found: Status) -> Iterator[Metric]:
    run = found.last_run
    finished = run.finished_at if run else None
    if run is None or finished is None:
        return
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
