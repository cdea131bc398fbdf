"""``drift status`` counts deliveries as the run's exit code and the metrics do: a partial
delivery (some recipients refused) was delivered, so it is not listed as "not sent"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from drift.cli import cli
from drift.store.database import Database
from drift.store.tables import DigestRow, OutboxRow


def test_a_partial_delivery_is_not_listed_as_not_sent(tmp_path: Path, db_url: str) -> None:
    now = dt.datetime.now(dt.UTC)
    db = Database(db_url)
    with db.session() as session:
        digest = DigestRow(digest_key="d1", created_at=now, rules_hash="r", subject="s")
        session.add(digest)
        session.flush()
        for channel, status in (("email", "partial"), ("slack", "pending")):
            session.add(
                OutboxRow(
                    digest_id=digest.id, channel=channel, idempotency_key=channel,
                    status=status, attempts=1, created_at=now,
                )
            )  # fmt: skip
    db.dispose()
    config = tmp_path / "drift.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n')

    result = CliRunner().invoke(cli, ["--config", str(config), "status", "--format", "json"])

    document = json.loads(result.stdout)
    (waiting,) = document["deliveries"]
    assert waiting["channel"] == "slack"
    assert document["problems"] == [
        f"delivery #{waiting['outbox_id']} to slack: pending after 1 attempt(s)"
    ]
