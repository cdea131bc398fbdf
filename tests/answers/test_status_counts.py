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
from sqlalchemy import update

from drift import metrics
from drift.answers import status as health
from drift.app import App
from drift.model import RenderedDigest
from drift.report.build import build_digest
from drift.report.render import render_digest
from drift.store.tables import DigestRow
from tests.digests import commit
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
            commit(session, huge, now=T0)
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


def small_digest(key: str, counts: dict[str, int]) -> RenderedDigest:
    body = json.dumps({"version": 1, "counts": counts, "sources": []})
    return RenderedDigest(key, "s", "", "", "", body, "{}", "", counts=counts)


def status_after_an_older_drift_committed(
    db_url: str, tmp_path: Path, digest: RenderedDigest
) -> tuple[health.Status, str]:
    """Status and a metrics scrape after a digest with counts, then ``digest`` committed as a
    drift older than revision 0008 commits it: its INSERT does not know ``counts_json``."""
    (tmp_path / "drift.toml").write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    app = App(tmp_path / "drift.toml")
    try:
        with app.database.session() as session:
            for rendered in (small_digest("new", {"new_high": 9}), digest):
                digest_id = commit(session, rendered, now=T0)
            session.execute(
                update(DigestRow).where(DigestRow.id == digest_id).values(counts_json=None)
            )
        return health.status(app), generate_latest(metrics.registry(app)).decode()
    finally:
        app.close()


def test_a_digest_committed_without_counts_by_an_older_drift_shows_its_bodys_counts(
    db_url: str, tmp_path: Path
) -> None:
    """A ``drift schedule`` started before revision 0008 checks the schema once, and keeps
    committing digests after a newer drift upgraded the database: its rows have no
    ``counts_json``. Status and the metrics showed 0 findings for them."""
    counts = {"new_high": 4, "new_medium": 3, "new_low": 1, "policy_violations": 2}
    found, scraped = status_after_an_older_drift_committed(
        db_url, tmp_path, small_digest("old", counts)
    )

    assert found.digest_counts == counts
    assert 'drift_findings{severity="high"} 4.0' in scraped
    assert 'drift_findings{severity="policy_violation"} 2.0' in scraped


def test_status_answers_when_that_body_cannot_be_parsed(db_url: str, tmp_path: Path) -> None:
    """A corrupt body nested too deeply for ``json`` (RecursionError): its counts are unknown."""
    corrupt = RenderedDigest("old", "s", "", "", "", "[" * 200_000, "{}", "")
    found, scraped = status_after_an_older_drift_committed(db_url, tmp_path, corrupt)

    assert found.digest_counts == {}
    assert 'drift_findings{severity="high"} 0.0' in scraped
