"""A digest left undelivered is loud: `drift run` exits 6 and says when it retries, `drift status`
stays unhealthy until it is delivered, and JSON logs carry every error line."""

from __future__ import annotations

import json
from pathlib import Path

from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import update

from drift.cli import cli
from drift.store.database import Database
from drift.store.tables import OutboxRow
from tests.notify.conftest import Mailbox, free_port
from tests.test_run import day, make_workdir


def email_block(port: int) -> str:
    return (
        '\n[[notify]]\ntype = "email"\nhost = "127.0.0.1"\n'
        f'port = {port}\nsecurity = "none"\nfrom = "drift@example.com"\n'
        'to = ["security@example.com"]\ntimeout_seconds = 2\n'
    )


def drift(workdir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(workdir / "drift.toml"), *args])
    return result.exit_code, result.stdout, result.stderr


def test_smtp_down_exits_6_says_when_it_retries_and_status_stays_unhealthy(
    tmp_path: Path, db_url: str
) -> None:
    port = free_port()  # nothing listens here: the SMTP server is down
    workdir = make_workdir(tmp_path, db_url, extra=email_block(port))
    day(workdir, 1)
    code, out, err = drift(workdir, "run")
    assert code == 6, out + err
    assert "delivery email: pending" in out
    assert "digest not delivered to email" in err and "retry due" in err
    assert "Europe/Berlin" in err  # the retry time is shown in the configured zone
    assert list((workdir / "reports").glob("*.html"))  # the file channel still got it

    code, _, err = drift(workdir, "status")
    assert code == 6 and "unhealthy: delivery" in err and "email: pending" in err

    box = Mailbox(port=port)
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    try:
        db = Database(db_url)
        with db.session() as session:  # the retry is due (as it is 5 minutes later)
            session.execute(update(OutboxRow).values(next_attempt_at=None))
        db.dispose()
        code, out, err = drift(workdir, "run")
        assert code == 0, out + err
        assert len(box.envelopes) == 1 and "delivery email: sent" in out
        code, out, _ = drift(workdir, "status")
        assert code == 0 and "healthy" in out
    finally:
        server.stop()


def test_json_logs_by_env_var_carry_every_error(tmp_path: Path, db_url: str) -> None:
    workdir = make_workdir(tmp_path, db_url)
    day(workdir, 1)
    (workdir / "current" / "events.ndjson").unlink()  # one source fails
    env = {"DRIFT_LOG_FORMAT": "json"}
    result = CliRunner().invoke(cli, ["--config", str(workdir / "drift.toml"), "run"], env=env)
    assert result.exit_code == 3
    records = [json.loads(line) for line in result.stderr.splitlines()]  # every line is JSON
    failed = [r for r in records if r.get("event") == "source_failed"]
    assert [(r["level"], r["source"]) for r in failed] == [("error", "web-events")]

    result = CliRunner().invoke(
        cli, ["run", "--source", "nope", "--config", "missing.toml"], env=env
    )
    assert result.exit_code == 2
    (record,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert record["level"] == "error" and "missing.toml" in record["message"]
    assert record["exit_code"] == 2


def test_a_new_setup_does_not_mail_failures_of_sources_never_read(
    tmp_path: Path, db_url: str
) -> None:
    """Secrets not exported yet: the terminal and `drift status` say so; the list gets nothing."""
    workdir = make_workdir(tmp_path, db_url)
    day(workdir, 1)
    vendor = (
        '\n[[sources]]\nname = "mixpanel-prod"\ntype = "mixpanel"\nproject_id = 1\n'
        'username_env = "MIXPANEL_USERNAME"\nsecret_env = "MIXPANEL_SECRET"\n'
    )
    config = workdir / "drift.toml"
    config.write_text(config.read_text() + vendor)
    (workdir / "current" / "events.ndjson").unlink()  # the other new source fails too
    code, _, err = drift(workdir, "run", "--source", "mixpanel-prod", "--source", "web-events")
    assert code == 3
    assert "MIXPANEL_USERNAME is not set" in err and "has never been read" in err
    assert not (workdir / "reports").exists()  # nothing mailed: no "all sources failed"
    code, _, err = drift(workdir, "status")
    assert code == 3 and "never read: failing" in err

    code, _, err = drift(workdir, "run")  # the plan works: its digest leaves the others out
    assert code == 3
    (digest,) = [json.loads(p.read_text()) for p in (workdir / "reports").glob("*.json")]
    shown = json.dumps(digest)
    assert "mixpanel-prod" not in shown and "web-events" not in shown


def test_json_logs_keep_warnings_and_notes_in_json(tmp_path: Path, db_url: str) -> None:
    workdir = make_workdir(tmp_path, db_url)
    config = workdir / "drift.toml"
    config.write_text(
        config.read_text() + '\n[[sources]]\nname = "mp"\ntype = "mixpanel"\nproject_id = 1\n'
        'username_env = "MIXPANEL_USERNAME"\nsecret_env = "MIXPANEL_SECRET"\n'
    )
    env = {"DRIFT_LOG_FORMAT": "json"}
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check"], env=env)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert any("MIXPANEL_SECRET" in r["message"] and r["level"] == "warning" for r in records)
    quiet = CliRunner().invoke(cli, ["-q", "--config", str(config), "config", "check"])
    assert quiet.stderr == ""  # -q: errors only
