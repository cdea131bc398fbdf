"""The forms users type work, or say what to do: pasted database URLs, `init` into a new folder,
unknown sources, names in another naming style, relative dates; and acks that could never match
(a typo) or never cover a policy violation (no expiry) say so."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner

from drift.cli import cli
from drift.clockface import relative_day
from drift.config import parse_config
from drift.model import Item, Provenance, Schema, Scope
from drift.store.database import Database
from drift.store.record import record_snapshot

NOW = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)  # already 30 November in Berlin
BERLIN = ZoneInfo("Europe/Berlin")
PLAN = '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n'


def drift(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--config", str(config)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Iterator[Path]:
    db = Database(db_url)
    items = [Item.of(Scope.EVENT_PROPERTY, "Signup", "email_domain", type="string")]
    with db.session() as session:
        schema = Schema.build("plan", Provenance.DOCUMENTED, items)
        taken = NOW - dt.timedelta(days=2)
        record_snapshot(session, schema, source_type="jsonschema", taken_at=taken)
    db.dispose()
    path = tmp_path / "drift.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n[schedule]\ntimezone = "Europe/Berlin"\n{PLAN}'
        '[[policy]]\nsources = ["plan"]\nforbid = ["contact"]\n'
    )
    with time_machine.travel(NOW, tick=False):
        yield path


def test_pasted_server_urls_work(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pasted = db_url.replace("postgresql+psycopg://", "postgres://").replace(
        "mysql+pymysql://", "mysql://"
    )
    if pasted == db_url:
        pytest.skip("a server backend's URL form")
    monkeypatch.setenv("DRIFT_DATABASE_URL", pasted)
    path = tmp_path / "drift.toml"
    path.write_text(PLAN)
    assert parse_config({"sources": []}).database.url == db_url
    code, out, err = drift(path, "db", "upgrade")
    assert code == 0, err
    assert "database already at" in out


def test_relative_days_are_read_in_the_configured_zone() -> None:
    assert relative_day("today", BERLIN, NOW) == "2026-11-30"
    assert relative_day("yesterday", BERLIN, NOW) == "2026-11-29"
    assert relative_day("7d", BERLIN, NOW) == "2026-11-23"
    assert relative_day("+30d", BERLIN, NOW) == "2026-12-30"
    assert relative_day("2026-11-01", BERLIN, NOW) == "2026-11-01"


def test_init_creates_the_folder_and_the_paths_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init"], env={"DRIFT_CONFIG": "sub/x.toml"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sub" / "x.toml").is_file() and (tmp_path / "sub" / "plans").is_dir()


def test_unknown_sources_and_other_naming_styles(config: Path) -> None:
    code, _, err = drift(config, "timeline", "email_domain", "--source", "nope")
    assert code == 2 and "no such source 'nope'" in err
    code, _, err = drift(config, "timeline", "email_domain", "--source", "plna")
    assert "(did you mean 'plan'?)" in err
    code, out, err = drift(config, "timeline", "emailDomain", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["name"] == "email_domain"
    assert "note: nothing is named 'emailDomain'; showing 'email_domain'" in err


def test_relative_dates_work_where_dates_are_accepted(config: Path) -> None:
    code, out, err = drift(config, "show", "--source", "plan", "--at", "yesterday")
    assert code == 0, err
    assert "email_domain" in out
    code, out, err = drift(config, "show", "--source", "plan", "--at", "7d")
    assert "not a" not in err and "email_domain" not in out  # read, but nothing a week ago


def test_an_ack_for_a_name_never_seen_needs_force(config: Path) -> None:
    ack = ["ack", "--source", "plan", "--property", "emial_domain", "--reason", "typo?"]
    code, _, err = drift(config, *ack)
    assert code == 2 and "matches nothing drift has seen" in err
    assert "(did you mean 'email_domain'?)" in err
    code, _, err = drift(config, *ack, "--force")
    assert code == 0, err


def test_an_ack_without_expiry_says_it_does_not_cover_policy_violations(config: Path) -> None:
    ack = ["ack", "--source", "plan", "--property", "email_domain", "--reason", "hashed"]
    code, _, err = drift(config, *ack)
    assert code == 0 and "does not cover [[policy]] violations" in err and "--until" in err
    code, out, _ = drift(config, "ack", "--list", "--format", "json")
    assert json.loads(out)[0]["covers_policy"] == "no: needs --until"
    code, _, err = drift(config, *ack, "--until", "+30d")
    assert code == 0 and "does not cover" not in err
    code, out, _ = drift(config, "ack", "--list", "--format", "json")
    assert [a["covers_policy"] for a in json.loads(out)] == ["no: needs --until", "yes"]


#: Every command that takes ``--source`` (see ``drift --help``), with what else it needs to run.
#: timeline and exposure look among the recorded sources (a source removed from drift.toml keeps
#: its history), so they word it "no such source"; the others check drift.toml.
SOURCE_COMMANDS = [
    ["diff"],
    ["history"],
    ["show"],
    ["snapshot"],
    ["run"],
    ["inventory"],
    ["ack", "--property", "email_domain", "--reason", "hashed"],
    ["check", "plan.json"],
    ["timeline", "email_domain"],
    ["exposure", "--since", "2026-11-01", "--until", "2026-11-02"],
]


@pytest.mark.parametrize("command", SOURCE_COMMANDS, ids=lambda c: str(c[0]))
def test_a_source_name_typo_gets_a_suggestion_in_every_command(
    config: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(config.parent)
    Path("plan.json").write_text('{"events": {"Signup": {"type": "object", "properties": {}}}}')
    code, _, err = drift(config, *command, "--source", "plna")
    unknown = "no such source" if command[0] in ("timeline", "exposure") else "no source named"
    assert code == 2 and f"{unknown} 'plna'" in err, err
    assert "(did you mean 'plan'?)" in err


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["history"],
        ["timeline", "email"],
        ["diff", "--source", "plan"],
        ["exposure", "--since", "2026-11-01", "--until", "2026-11-02"],
    ],
)
def test_reading_before_anything_was_recorded_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Right after `drift init` there is no SQLite file yet: a read-only command says drift has
    recorded nothing and what to run (exit 7, "no records"), not "unable to open database file",
    and creates nothing."""
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    code, _, err = drift(tmp_path / "drift.toml", *args)
    assert code == 7, err
    assert f"no database at {tmp_path / 'drift.db'}" in err and "`drift run`" in err
    assert "unable to open" not in err
    assert not (tmp_path / "drift.db").exists()


@pytest.mark.parametrize("ref", ["²", "٣", "99999999999999999999", "-1"])
def test_an_odd_reference_is_one_clear_line(config: Path, ref: str) -> None:
    """A digit that is not ASCII, or an id beyond any snapshot's, is refused like any bad REF."""
    for args in (
        ["diff", "--source", "plan", "--from", ref],
        ["show", "--source", "plan", "--at", ref],
    ):
        code, _, err = drift(config, *args)
        assert code == 2, err
        assert err.startswith("error: ") and err.count("\n") == 1 and "is not a" in err
