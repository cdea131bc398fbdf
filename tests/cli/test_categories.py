"""Categories come from the loaded rule set, everywhere a user names one.

A category a user rules file adds is accepted alike by ``[[policy]]``, ``drift ack --category``
and ``drift inventory --category``; an unknown one is refused alike, with the same line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drift.cli import cli
from drift.exitcodes import Exit

RULES = """
[categories.loyalty]
severity = "medium"
what = "loyalty programme data"

[[rules]]
id = "acme.loyalty_number"
category = "loyalty"
what = "a loyalty card number"
tokens = ["loyalty number"]
"""

EVENTS = '{"event": "Signup", "properties": {"loyalty_number": "L-1", "plan": "pro"}}\n'


def workdir(tmp_path: Path, db_url: str, category: str) -> Path:
    (tmp_path / "rules.toml").write_text(RULES)
    (tmp_path / "events.ndjson").write_text(EVENTS)
    config = tmp_path / "drift.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[rules]\npath = "rules.toml"\n'
        '[[sources]]\nname = "web"\ntype = "events"\npath = "events.ndjson"\n'
        f'[[policy]]\nsources = ["web"]\nforbid = ["{category}"]\n'
    )
    return config


def drift(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_user_category_is_accepted_by_policy_ack_and_inventory(
    tmp_path: Path, db_url: str
) -> None:
    config = workdir(tmp_path, db_url, "loyalty")
    assert drift(config, "db", "upgrade")[0] == 0
    assert drift(config, "snapshot")[0] == 0

    code, out, err = drift(config, "policy", "check", "--format", "json")
    assert code == Exit.FINDINGS, err
    assert [v["category"] for v in json.loads(out)["violations"]] == ["loyalty"]

    code, out, err = drift(config, "inventory", "--category", "loyalty", "--format", "json")
    assert code == 0, err
    assert [p["property"] for p in json.loads(out)["properties"]] == ["loyalty_number"]

    ack = ("--source", "web", "--property", "loyalty_number", "--category", "loyalty")
    code, _, err = drift(config, "ack", *ack, "--reason", "programme approved by the DPO")
    assert code == 0, err


@pytest.mark.parametrize(
    "args",
    [
        ("config", "check"),
        ("inventory", "--category", "loyalty_typo"),
        (
            "ack",
            "--source",
            "web",
            "--property",
            "x",
            "--category",
            "loyalty_typo",
            "--reason",
            "r",
        ),
    ],
    ids=["policy", "inventory", "ack"],
)
def test_an_unknown_category_is_refused_alike(
    tmp_path: Path, db_url: str, args: tuple[str, ...]
) -> None:
    good = workdir(tmp_path, db_url, "loyalty")
    assert drift(good, "db", "upgrade")[0] == 0
    config = workdir(tmp_path, db_url, "loyalty_typo") if args[0] == "config" else good
    code, _, err = drift(config, *args)
    assert code == Exit.CONFIG
    assert "unknown category 'loyalty_typo' (known: " in err
    assert "loyalty," in err and "[categories.loyalty_typo]" in err
    assert len(err.strip().splitlines()) == 1
