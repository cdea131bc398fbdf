"""Prometheus metrics from the database: a textfile after `drift run`, an endpoint for
`drift schedule --metrics-port`; and `drift schedule` retries a due delivery between runs."""

from __future__ import annotations

from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from drift import metrics, pipeline
from drift.app import App
from drift.cli import cli
from drift.store.database import Database
from drift.store.tables import OutboxRow
from tests.notify.conftest import Mailbox, free_port
from tests.test_loud_failures import email_block
from tests.test_run import day, make_workdir


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_run_writes_a_metrics_textfile(tmp_path: Path, db_url: str) -> None:
    port = free_port()  # SMTP is down: one delivery waits
    workdir = make_workdir(tmp_path, db_url, extra=email_block(port))
    day(workdir, 1)
    prom = tmp_path / "metrics" / "drift.prom"
    args = ["--config", str(workdir / "drift.toml"), "run", "--metrics-file", str(prom)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 6, first.output
    (workdir / "current" / "events.ndjson").unlink()  # the second run: web-events fails
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 3
    found = samples(prom.read_text())
    assert found[("drift_source_up", (("source", "plan"),))] == 1.0
    assert found[("drift_source_up", (("source", "web-events"),))] == 0.0
    assert found[("drift_source_failures_total", (("source", "web-events"),))] == 1.0
    assert found[("drift_source_last_success_timestamp_seconds", (("source", "plan"),))] > 0
    waiting = ("drift_deliveries_undelivered", (("channel", "email"), ("status", "pending")))
    assert found[waiting] == 2  # both runs' digests wait for SMTP
    assert ("drift_findings", (("severity", "high"),)) in found
    assert found[("drift_last_run_exit_code", ())] == 3.0
    assert found[("drift_last_run_duration_seconds", ())] >= 0


def test_metrics_endpoint_serves_the_same(tmp_path: Path, db_url: str) -> None:
    workdir = make_workdir(tmp_path, db_url)
    day(workdir, 1)
    app = App(workdir / "drift.toml")
    try:
        pipeline.run(app)
        port = free_port()
        server, thread = metrics.serve(app, port, addr="127.0.0.1")
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        finally:
            server.shutdown()
            thread.join(5)
    finally:
        app.close()
    assert samples(text)[("drift_source_up", (("source", "plan"),))] == 1.0


def test_a_due_delivery_is_retried_between_runs(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    workdir = make_workdir(tmp_path, db_url, extra=email_block(port))
    day(workdir, 1)
    app = App(workdir / "drift.toml")
    try:
        assert pipeline.run(app).exit_code == 6
        assert pipeline.deliver_due(app) == []  # not due yet: the backoff has not passed
        box = Mailbox(port=port)
        server = Controller(box, hostname="127.0.0.1", port=port)
        server.start()
        try:
            db = Database(db_url)
            with db.session() as session:  # five minutes later
                session.execute(update(OutboxRow).values(next_attempt_at=None))
            db.dispose()
            sent = pipeline.deliver_due(app)
        finally:
            server.stop()
    finally:
        app.close()
    assert [d.status for d in sent] == ["sent"] and len(box.envelopes) == 1
