"""A source whose data the database refuses fails alone (exit 3) and `drift status` says so."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from drift.cli import cli
from drift.exitcodes import Exit
from drift.store.database import Database
from tests.test_run import digests, make_workdir

# A real refusal by the real database: SQLite raises it for this one name (as PostgreSQL did for NUL
# and MariaDB for 64 KiB names, before drift stored those in a form they accept).
REFUSE = """CREATE TRIGGER refuse_poison BEFORE INSERT ON item_key
WHEN NEW.name = 'poison' BEGIN SELECT RAISE(ABORT, 'value refused by the database'); END"""


def test_a_refused_source_fails_alone_and_status_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    Database(url).upgrade()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(REFUSE))
    engine.dispose()
    work = make_workdir(tmp_path / "w", url)
    plan = {"events": {"Signup": {"properties": {"poison": {"type": "string"}}}}}
    (work / "current" / "plan.json").write_text(json.dumps(plan))
    (work / "current" / "events.ndjson").write_text('{"event": "Page Viewed"}\n')
    config = ["--config", str(work / "drift.toml")]

    ran = CliRunner().invoke(cli, [*config, "run"])
    assert ran.exit_code == Exit.PARTIAL, ran.output
    [digest] = digests(work)
    status = {s["name"]: s["status"] for s in digest["sources"]}
    # plan was never read: its failure is left out of the mail (issue 14 item 7), not lost
    assert "plan" not in status and status["web-events"] != "failed"

    shown = CliRunner().invoke(cli, [*config, "status", "--format", "json"])
    sources = {s["source"]: s for s in json.loads(shown.output)["sources"]}
    assert sources["plan"]["flag"] == "never read: failing"
    assert "could not record" in sources["plan"]["last_error"]
    assert "value refused by the database" in sources["plan"]["last_error"]
    assert sources["web-events"]["flag"] == "ok"

    snap = CliRunner().invoke(cli, [*config, "snapshot"])
    assert snap.exit_code == Exit.PARTIAL
    assert "plan: failed: could not record" in snap.output
