"""``drift exposure`` ranks a property's findings like every other answer: one per rule and
category (``model.ranked_findings``), not one per category."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from drift.cli import cli

RULES = """
[categories.loyalty]
severity = "medium"
what = "loyalty programme data"

[[rules]]
id = "acme.code_text"
category = "loyalty"
what = "a loyalty code written out"
tokens = ["loyalty code"]
types = ["string"]

[[rules]]
id = "acme.code_number"
category = "loyalty"
what = "a loyalty code as a number"
tokens = ["loyalty code"]
types = ["integer"]
"""


def drift(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_property_graded_by_two_rules_of_one_category_keeps_both(
    tmp_path: Path, db_url: str
) -> None:
    events = tmp_path / "events.ndjson"
    (tmp_path / "rules.toml").write_text(RULES)
    config = tmp_path / "drift.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[rules]\npath = "rules.toml"\n'
        '[[sources]]\nname = "web"\ntype = "events"\npath = "events.ndjson"\n'
    )
    drift(config, "db", "upgrade")
    events.write_text('{"event": "Signup", "properties": {"loyalty_code": "L-1"}}\n')
    drift(config, "snapshot")
    events.write_text('{"event": "Signup", "properties": {"loyalty_code": 7}}\n')
    drift(config, "snapshot")

    out = drift(
        config, "exposure", "--since", "2000-01-01", "--until", "2999-01-01", "--format", "json"
    )
    (row,) = json.loads(out)["properties"]
    assert [(f["rule_id"], f["category"]) for f in row["findings"]] == [
        ("acme.code_number", "loyalty"),
        ("acme.code_text", "loyalty"),
    ]
