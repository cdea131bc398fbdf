"""Every property maps back to the line of its key, in every plan format, hostile names included."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drift.check.plans import PlanText, load_plan
from drift.check.positions import scan
from drift.model import ItemKey, Scope
from tests.conftest import CASES

_KEY = re.compile(r'"(?:[^"\\]|\\.)*"\s*:')
REAL_PLANS = [
    CASES / "real-world" / "segment-typewriter-tracking-plan.json",  # legacy plan, hostile names
    CASES / "vendors" / "mixpanel" / "schemas.json",  # Lexicon export
    CASES / "vendors" / "segment" / "ios_rules.json",  # Segment rules (Public API answer)
]


def _keys_on(line: str) -> set[str]:
    return {json.loads(token.rstrip(": \t")) for token in _KEY.findall(line)}


@pytest.mark.parametrize("path", REAL_PLANS, ids=lambda p: p.name)
def test_every_property_of_a_real_plan_sits_on_the_line_of_its_key(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    plan = load_plan([PlanText(path.name, text)], "plan")
    lines = text.splitlines()
    props = [i for i in plan.schema.items if i.scope is not Scope.EVENT]
    assert props
    for item in props:
        line = plan.place(item.key).line
        leaf_keys = _keys_on(lines[line - 1])
        assert any(item.name == k or item.name.endswith("." + k) for k in leaf_keys), (
            item.key,
            line,
            lines[line - 1],
        )


HOSTILE = r"""{
  "events": {
    "Signup": {
      "properties": {
        "email": {"type": "string"},
        "quote\"d": {"type": "string"},
        "nul\u0000byte": {"type": "string"},
        "new\nline \u202e": {"type": "string"},
        "cafe\u0301": {"type": "string"},
        "a.b": {"type": "string"},
        "a": {"type": "object", "properties": {"b": {"type": "string"}}}
      }
    },
    "Order": {"properties": {
      "email": {"type": "string"},
      "cart": {"type": "array", "items": {"properties": {"sku": {"type": "string"}}}}
    }}
  },
  "user": {"properties": {"email": {"type": "string"}}}
}
"""


def _line(plan_text: str, scope: Scope, event: str, name: str) -> int:
    plan = load_plan([PlanText("plan.json", plan_text)], "plan")
    return plan.place(ItemKey(scope, event, name)).line


@pytest.mark.parametrize(
    ("scope", "event", "name", "line"),
    [
        (Scope.EVENT_PROPERTY, "Signup", "email", 5),
        (Scope.EVENT_PROPERTY, "Signup", 'quote"d', 6),
        (Scope.EVENT_PROPERTY, "Signup", "nul\x00byte", 7),
        (Scope.EVENT_PROPERTY, "Signup", "new\nline \u202e", 8),
        (Scope.EVENT_PROPERTY, "Signup", "caf\u00e9", 9),  # NFD in the file, NFC in the item
        (Scope.EVENT_PROPERTY, "Signup", "a", 11),
        (Scope.EVENT_PROPERTY, "Signup", "a.b", 10),  # the literal key and the nested one collide
        (Scope.EVENT_PROPERTY, "Order", "email", 15),  # same name, other event
        (Scope.EVENT_PROPERTY, "Order", "cart", 16),
        (Scope.EVENT_PROPERTY, "Order", "cart.sku", 16),  # nested under array items
        (Scope.USER_PROPERTY, "", "email", 19),
    ],
)
def test_hostile_and_repeated_names_map_to_their_own_line(
    scope: Scope, event: str, name: str, line: int
) -> None:
    assert _line(HOSTILE, scope, event, name) == line


def test_segment_rules_map_by_rule_key_and_traits_apart_from_properties() -> None:
    text = json.dumps(
        {
            "rules": [
                {
                    "key": "Order Completed",
                    "type": "TRACK",
                    "version": 2,
                    "jsonSchema": {
                        "properties": {"properties": {"properties": {"email": {"type": "string"}}}}
                    },
                },
                {
                    "key": "",
                    "type": "IDENTIFY",
                    "version": 1,
                    "jsonSchema": {
                        "properties": {"traits": {"properties": {"email": {"type": "string"}}}}
                    },
                },
            ]
        },
        indent=1,
    )
    lines = text.splitlines()
    email_lines = [i + 1 for i, line in enumerate(lines) if '"email"' in line]
    plan = load_plan([PlanText("rules.json", text)], "plan")
    event = ItemKey(Scope.EVENT_PROPERTY, "Order Completed [TRACK v2]", "email")
    user = ItemKey(Scope.USER_PROPERTY, "", "email")
    assert [plan.place(event).line, plan.place(user).line] == email_lines


def test_the_scan_agrees_with_json_loads_on_keys() -> None:
    tree = scan(HOSTILE)
    signup = tree["events"][1]["Signup"][1]["properties"][1]
    assert list(signup) == list(json.loads(HOSTILE)["events"]["Signup"]["properties"])
