"""``drift check`` needs no database, no network and no vendor secrets."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy

from tests.check.conftest import run_check


def test_runs_with_no_config_an_unreachable_database_and_no_secrets(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFT_DATABASE_URL", "postgresql+psycopg://nobody@192.0.2.1:1/none")
    opened: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        opened.append(repr(args[:2]))
        raise AssertionError("drift check opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(sqlalchemy, "create_engine", refuse)
    monkeypatch.setattr("drift.store.database.create_engine", refuse, raising=False)
    assert not (repo / "drift.toml").exists()
    result = run_check("plan.json", "--base", "HEAD~1", "--format", "json")
    assert result.code == 5, result.err
    assert opened == []


def test_uses_the_rules_file_of_drift_toml_when_present(repo: Path) -> None:
    (repo / "rules.toml").write_text('disable = ["contact.email"]\n')
    (repo / "drift.toml").write_text('[rules]\npath = "rules.toml"\n')
    result = run_check("plan.json", "--base", "HEAD~1")
    assert result.code == 0, result.out
    assert "has_email" not in result.out


def test_policy_violations_fail_whatever_fail_on(repo: Path) -> None:
    (repo / "drift.toml").write_text(
        '[[policy]]\nname = "no org data"\nsource_types = ["jsonschema"]\n'
        'forbid = ["organization"]\n'
    )
    result = run_check("plan.json", "--base", "HEAD~1", "--fail-on", "high")
    assert result.code == 5
    assert 'plan.json:8: FAIL policy email_domain on Signup Completed breaks policy "no org' in (
        result.out
    )
