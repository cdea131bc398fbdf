"""The first commands, as a user runs them: init, config check, db upgrade, history, show."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drift.cli import cli, main
from drift.model import Item, Provenance, Schema, Scope
from drift.store.database import Database
from drift.store.record import record_snapshot


def config_file(tmp_path: Path, db_url: str, extra: str = "") -> Path:
    path = tmp_path / "drift.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n'
        '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n' + extra
    )
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_a_config_that_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("init")
    assert code == 0 and (tmp_path / "drift.toml").exists()
    code, out, err = invoke("config", "check")
    assert code == 0, err
    assert json.loads(out)["sources"][0]["name"] == "plan"
    assert "drift init" not in err


def test_errors_are_one_red_line_with_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "drift.toml"
    path.write_text("[[sources]]\nname='x'\ntype='mixpanel-typo'\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["--config", str(path), "config", "check"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mixpanel-typo" in err and str(path) in err


def test_history_and_show_read_the_store(tmp_path: Path, db_url: str) -> None:
    db = Database(db_url)
    day0 = Schema.build(
        "plan",
        Provenance.DOCUMENTED,
        [
            Item.of(Scope.EVENT, "Signup"),
            Item.of(Scope.EVENT_PROPERTY, "Signup", "plan", type="string"),
        ],
    )
    day1 = Schema.build(
        "plan",
        Provenance.DOCUMENTED,
        [*day0.items, Item.of(Scope.EVENT_PROPERTY, "Signup", "email_domain", type="string")],
    )
    t0 = dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC)
    for i, s in enumerate([day0, day1]):
        with db.session() as session:
            record_snapshot(
                session, s, source_type="jsonschema", taken_at=t0 + dt.timedelta(days=i)
            )
    db.dispose()
    path = config_file(tmp_path, db_url)
    code, out, _ = invoke("--config", str(path), "history", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["items"] for r in rows] == [3, 2] and rows[0]["added"] == 1
    code, out, _ = invoke(
        "--config", str(path), "show", "--source", "plan", "--at", "2026-11-01", "--format", "json"
    )
    assert {i["name"] for i in json.loads(out)["items"]} == {"", "plan"}
    code, out, _ = invoke("--config", str(path), "diff", "--source", "plan", "--format", "json")
    changes = json.loads(out)["changes"]
    assert [(c["kind"], c["item"]) for c in changes] == [("property_new", "Signup.email_domain")]
    code, _, err = invoke("--config", str(path), "show", "--source", "nope")
    assert code == 2 and "no source named 'nope'" in err
