"""``drift status`` and the metrics show the newest digest's counts without reading its body.

A first digest of a large plan has a JSON body of up to ~20 MB (in 1 MiB chunks). Status and every
Prometheus scrape only need its ``counts``, a few hundred bytes, which are stored with the digest.
"""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from drift import metrics
from drift.answers import status as health
from drift.app import App
from drift.model import RenderedDigest
from drift.report.build import build_digest
from drift.report.render import render_digest
from drift.store import outbox
from tests.report.fixtures import huge_input

T0 = dt.datetime(2026, 11, 29, 7, 0, tzinfo=dt.UTC)
MB = 1_000_000


@pytest.fixture(scope="module")
def huge() -> RenderedDigest:
    """20,000 changes, a third of them new risky properties: a JSON body of about 11 MB."""
    return render_digest(build_digest(huge_input()))


def test_counts_of_a_digest_with_a_large_body_come_without_reading_it(
    huge: RenderedDigest, db_url: str, tmp_path: Path
) -> None:
    in_body = json.loads(huge.json)["counts"]
    assert len(huge.json.encode()) > 10 * MB
    assert in_body["new_high"] > 3000 and in_body["new_medium"] > 3000
    (tmp_path / "drift.toml").write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    app = App(tmp_path / "drift.toml")
    try:
        with app.database.session() as session:
            outbox.commit_digest(
                session, huge, run_id=None, rules_hash="r", findings_json="{}", coverage={},
                channels=[], now=T0,
            )  # fmt: skip
        health.status(app)  # connections and imports are not what is measured
        tracemalloc.start()
        try:
            found = health.status(app)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        scraped = generate_latest(metrics.registry(app)).decode()
    finally:
        app.close()

    assert found.digest_counts == in_body
    assert f'drift_findings{{severity="high"}} {float(in_body["new_high"])}' in scraped
    assert f'drift_findings{{severity="medium"}} {float(in_body["new_medium"])}' in scraped
    # before: 55.6 MB on SQLite, the body joined from its chunks and parsed
    assert peak < MB, f"status held {peak / MB:.1f} MB"
