"""Where a property lives is written one way (``ItemKey.place``) by every output that shows it:
``drift inventory``, ``drift exposure``, ``drift policy check`` and the digest."""

from __future__ import annotations

import json
from pathlib import Path

from drift.exitcodes import Exit
from drift.model import ItemKey, Scope
from tests.answers.test_layers import run_drift

EVENTS = (
    '{"type": "group", "groupId": "g1", "traits": {"email": "a@b.example"}}\n'
    '{"event": "Signup", "properties": {"email": "a@b.example"}}\n'
)


def test_the_places_of_a_key() -> None:
    assert ItemKey(Scope.GROUP_PROPERTY, "company", "email").place == "(group:company)"
    assert ItemKey(Scope.USER_PROPERTY, "", "email").place == "(user)"
    assert ItemKey(Scope.EVENT_PROPERTY, "", "email").place == "*"
    assert ItemKey(Scope.EVENT_PROPERTY, "Signup", "email").place == "Signup"


def test_a_group_property_is_shown_alike_by_every_output(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "events.ndjson").write_text(EVENTS)
    config = tmp_path / "drift.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n'
        '[[sources]]\nname = "web"\ntype = "events"\npath = "events.ndjson"\n'
        '[[policy]]\nname = "no contact data"\nsources = ["web"]\nforbid = ["contact"]\n'
        '[[notify]]\ntype = "file"\ndirectory = "reports"\n'
    )
    run_drift(config, "db", "upgrade")
    run_drift(config, "run")
    (digest_file,) = (tmp_path / "reports").glob("*.json")
    (source,) = json.loads(digest_file.read_text())["sources"]
    digest = {e for row in source["sections"]["inventory"] for e in row["events"]}
    inventory = run_drift(config, "inventory", "--format", "json")["properties"]
    exposure = run_drift(
        config, "exposure", "--since", "7d", "--until", "today", "--format", "json"
    )["properties"]
    policy = run_drift(config, "policy", "check", "--format", "json", code=Exit.FINDINGS)

    (inventory_row,) = inventory
    (exposure_row,) = exposure
    (violation,) = policy["violations"]
    places = {"Signup", "(group:group)"}
    assert set(inventory_row["events"]) == places
    assert set(exposure_row["events"]) == places
    assert set(violation["events"]) == places
    assert digest == places
    (markdown,) = (tmp_path / "reports").glob("*.md")
    assert "(group:group)" in markdown.read_text()
