# ruff: noqa: F811 - the SMTP fixtures are imported from tests/notify/conftest.py
"""`drift doctor` against real loopback servers: a line per check, nothing sent, non-zero on any
failure; and against each config the job would reject (`config check` rejects the same)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from drift.cli import cli
from tests.notify.conftest import Mailbox, ca, ca_file, server_tls, smtp_server  # noqa: F401
from tests.sources.conftest import base, case

PLAN = '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n'


def doctor(path: Path, *args: str) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(cli, ["--config", str(path), "doctor", *args])
    return result.exit_code, result.stdout.splitlines(), result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PLAN + '[schedule]\ncron = "0 7 * *"\n', "expected 5 fields"),
        (PLAN + '[schedule]\ncron = "61 7 * * *"\n', "higher than the maximum value (59)"),
        (PLAN + '[schedule]\ncron = "* * *"\n', "expected 5 fields"),
        (PLAN + '[schedule]\ncron = "@daily"\n', "write '0 0 * * *'"),
        (PLAN + '[schedule]\ncron = "0 7 30 2 *"\n', "never fires"),
        ("", "no [[sources]] configured"),
        (
            PLAN.replace('path = "plan.json"', 'path = "plan.json"\ntimeout_seconds = "30"'),
            "number",
        ),
        (PLAN + "[digest]\nsend_when_empty = 'no'\n", "valid boolean"),
        (PLAN + '[schedule]\ntimezon = "UTC"\n', "(did you mean 'timezone'?)"),
    ],
)
def test_doctor_and_config_check_reject_what_the_job_rejects(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "drift.toml"
    path.write_text(text)
    code, lines, _ = doctor(path)
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("FAIL  config:") and expected in lines[0]
    check = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    assert check.exit_code == 2 and expected in check.stderr


def healthy_config(
    tmp_path: Path, db_url: str, server: HTTPServer, smtp_port: int, ca: Path
) -> Path:
    (tmp_path / "plan.json").write_text(json.dumps({"events": {"Signup": {"properties": {}}}}))
    path = tmp_path / "drift.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n{PLAN}'
        '[[sources]]\nname = "posthog-cloud"\ntype = "posthog"\nproject_id = 7\n'
        f'api_key_env = "POSTHOG_API_KEY"\nbase_url = "{base(server)}"\n'
        '[[notify]]\ntype = "email"\nhost = "127.0.0.1"\n'
        f'port = {smtp_port}\nfrom = "drift@example.com"\nto = ["security@example.com"]\n'
        f'username_env = "SMTP_USERNAME"\npassword_env = "SMTP_PASSWORD"\nca_file = "{ca}"\n'
        f'[[notify]]\ntype = "webhook"\nurl = "{server.url_for("/hook")}"\n'
        '[[notify]]\ntype = "file"\ndirectory = "reports"\n'
        '[schedule]\ncron = "0 7 * * 1-5"\ntimezone = "Europe/Berlin"\n'
    )
    return path


def test_doctor_passes_a_working_setup_and_sends_nothing(
    tmp_path: Path,
    db_url: str,
    httpserver: HTTPServer,
    smtp_server: Callable[..., Mailbox],
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box = smtp_server("starttls")
    httpserver.expect_request("/api/projects/7/event_definitions/").respond_with_json(
        case("posthog", "event_defs_page1.json")
    )
    monkeypatch.setenv("POSTHOG_API_KEY", "phx_doctor")
    monkeypatch.setenv("SMTP_USERNAME", "drift")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    path = healthy_config(tmp_path, db_url, httpserver, box.port, ca_file)
    code, lines, err = doctor(path)
    assert code == 0, "\n".join(lines) + err
    checks = {line.split(":")[0].split(maxsplit=1)[1]: line for line in lines}
    assert all(line.startswith("ok") for line in lines)
    assert "next run" in checks["schedule"] and "Europe/Berlin" in checks["schedule"]
    assert "(current)" in checks["database"]
    assert "2 event definitions" in checks["source posthog-cloud"]
    assert "STARTTLS, login ok" in checks["channel email"] and box.auth_attempts
    assert "TCP connect" in checks["channel webhook"]
    assert box.envelopes == []  # nothing was sent
    assert [r.path for r, _ in httpserver.log] == ["/api/projects/7/event_definitions/"]
    assert not (tmp_path / "reports").exists()


def test_doctor_names_each_broken_part(
    tmp_path: Path,
    db_url: str,
    httpserver: HTTPServer,
    smtp_server: Callable[..., Mailbox],
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box = smtp_server("starttls")
    httpserver.expect_request("/api/projects/7/event_definitions/").respond_with_data(
        "", status=401
    )
    monkeypatch.setenv("POSTHOG_API_KEY", "phx_wrong")  # the vendor answers 401
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")  # SMTP_USERNAME is not exported
    path = healthy_config(tmp_path, db_url, httpserver, box.port, ca_file)
    text = path.read_text().replace(httpserver.url_for("/hook"), "https://drift-doctor.invalid/h")
    plain_http_as_https = httpserver.url_for("/hook").replace("http://", "https://")
    text += f'[[notify]]\ntype = "webhook"\nurl = "{plain_http_as_https}"\n'
    path.write_text(text.replace('path = "plan.json"', 'path = "missing.json"'))
    code, lines, err = doctor(path)
    assert code == 1
    failed = {line.split(":")[0].split(maxsplit=1)[1] for line in lines if line.startswith("FAIL")}
    assert failed == {
        "source plan",
        "source posthog-cloud",
        "channel email",
        "channel webhook-1",
        "channel webhook-2",
    }
    assert "cannot resolve host 'drift-doctor.invalid'" in "\n".join(lines)
    assert "TLS handshake with localhost failed" in "\n".join(lines)
    assert "SMTP_USERNAME is not set" in "\n".join(lines)
    assert "5 check(s) failed" in err and "phx_wrong" not in "\n".join(lines)


def test_doctor_reports_an_unreachable_database(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{}")
    path = tmp_path / "drift.toml"
    path.write_text(
        '[database]\nurl = "postgresql+psycopg://drift:hunter2@127.0.0.1:1/drift"\n' + PLAN
    )
    code, lines, _ = doctor(path)
    (database,) = [line for line in lines if " database:" in line]
    assert code == 1 and database.startswith("FAIL") and "hunter2" not in database


def test_doctor_creates_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Right after `drift init`: doctor says the SQLite file will be created by the first run
    (its folder is writable) and, sending nothing, creates nothing either."""
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    _, lines, _ = doctor(tmp_path / "drift.toml")
    (database,) = [line for line in lines if " database:" in line]
    assert database.startswith("ok") and "no database yet" in database, database
    assert "the first run creates it" in database
    assert not (tmp_path / "drift.db").exists()


def test_doctor_leaves_an_existing_database_as_it_was(tmp_path: Path) -> None:
    """Doctor opens the database read-only: a SQLite file in rollback-journal mode stays so (a
    read-write open would switch it to WAL and leave -wal/-shm files beside it)."""
    (tmp_path / "plan.json").write_text("{}")
    database = tmp_path / "drift.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("PRAGMA journal_mode=delete")
    before = database.read_bytes()
    path = tmp_path / "drift.toml"
    path.write_text(PLAN.replace("plan.json", str(tmp_path / "plan.json")))
    _, lines, _ = doctor(path)
    assert any(" database:" in line for line in lines)
    assert database.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drift.db", "drift.toml", "plan.json"]


def test_doctor_fails_a_database_folder_that_does_not_exist(tmp_path: Path) -> None:
    """drift creates the SQLite file on the first run, not its folder: doctor says so now."""
    (tmp_path / "plan.json").write_text("{}")
    path = tmp_path / "drift.toml"
    path.write_text('[database]\nurl = "sqlite:///nosuchdir/drift.db"\n' + PLAN)
    code, lines, _ = doctor(path)
    (database,) = [line for line in lines if " database:" in line]
    assert (
        code == 1 and database.startswith("FAIL") and "not an existing writable folder" in database
    )
