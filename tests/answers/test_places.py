"""Where a property lives is written one way (``ItemKey.place``) by every output that shows it:
``drift inventory``, ``drift exposure``, ``drift policy check`` and the digest."""

from __future__ import annotations

from pathlib import Path

from drift.exitcodes import Exit
from drift.model import ItemKey, Scope
from tests.events_world import POLICY, events_world, mailed_digest, run_drift

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
    config = events_world(tmp_path, db_url, EVENTS, POLICY)
    run_drift(config, "run")
    (source,) = mailed_digest(config)["sources"]
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
