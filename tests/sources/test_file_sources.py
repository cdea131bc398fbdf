"""The jsonschema and events sources read real files as others wrote them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.errors import BadResponse
from drift.model import Scope
from drift.sources.events import EventsConfig, EventsSource
from drift.sources.jsonschema import JsonSchemaConfig, JsonSchemaSource
from tests.conftest import CASES


def plan_source(path: Path) -> JsonSchemaSource:
    return JsonSchemaSource(JsonSchemaConfig(name="plan", type="jsonschema", path=path))


def events_source(path: Path) -> EventsSource:
    return EventsSource(EventsConfig(name="sample", type="events", path=path))


def test_typewriter_legacy_plan_with_hostile_names() -> None:
    schema = plan_source(CASES / "real-world" / "segment-typewriter-tracking-plan.json").fetch()
    events = {i.event for i in schema.items if i.scope is Scope.EVENT}
    assert "42_--terrible==\"event'++name~!3" in events
    assert "Empty Event" in events
    by_label = {i.key.label: i for i in schema.items}
    regex = by_label["Example Event.optional string regex"]
    assert regex.definition["pattern"] == "FOO|BAR" and regex.types == ("string",)
    assert by_label["Example Event.required any"].definition.get("required") is True
    assert "Example Event.optional array.required sub-property" in by_label  # array of objects
    assert by_label["42_--terrible==\"event'++name~!3.0000---terrible-property-name~!3"].types == ()


def test_plain_lexicon_and_segment_shapes_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "plain.json").write_text(
        json.dumps(
            {
                "events": {
                    "Signup": {"properties": {"email": {"type": "string", "examples": ["a@b.c"]}}}
                },
                "user": {"properties": {"plan": {"type": "string"}}},
            }
        )
    )
    (tmp_path / "lexicon.json").write_text(
        json.dumps(
            {
                "status": "ok",
                "results": [
                    {
                        "entityType": "event",
                        "name": "Added To Cart",
                        "schemaJson": {
                            "description": "cart",
                            "metadata": {"com.mixpanel": {"hidden": True, "tags": ["Shop"]}},
                            "properties": {"item_id": {"type": "integer", "examples": [12345]}},
                        },
                    },
                    {
                        "entityType": "profile",
                        "name": "$user",
                        "schemaJson": {"properties": {"$email": {"type": "string"}}},
                    },
                ],
            }
        )
    )
    (tmp_path / "segment.json").write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "key": "Order Completed",
                        "type": "TRACK",
                        "version": 2,
                        "deprecatedAt": "2026-01-01",
                        "jsonSchema": {
                            "properties": {
                                "properties": {"properties": {"total": {"type": "number"}}}
                            }
                        },
                    },
                    {
                        "type": "IDENTIFY",
                        "jsonSchema": {
                            "properties": {"traits": {"properties": {"phone": {"type": "string"}}}}
                        },
                    },
                ]
            }
        )
    )
    schema = plan_source(tmp_path).fetch()
    labels = {i.key.label: i for i in schema.items}
    assert labels["Signup.email"].types == ("string",)
    assert labels["Added To Cart"].definition == {
        "description": "cart",
        "hidden": True,
        "tags": ["Shop"],
    }
    assert labels["user.$email"].scope is Scope.USER_PROPERTY
    assert labels["Order Completed [TRACK v2]"].definition["deprecated"] is True
    assert labels["user.phone"].scope is Scope.USER_PROPERTY
    assert "12345" not in json.dumps([dict(i.definition) for i in schema.items])
    assert "a@b.c" not in json.dumps([dict(i.definition) for i in schema.items])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON at line 1"),
        ("[1, 2]", "expected a JSON object"),
        ('{"foo": 1}', "not a tracking plan drift knows"),
    ],
)
def test_malformed_plan_names_the_file(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(BadResponse) as info:
        plan_source(path).fetch()
    assert expected in str(info.value) and str(path) in str(info.value)


def test_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(BadResponse, match="no such file or folder"):
        plan_source(tmp_path / "missing.json").fetch()


def test_ndjson_keys_and_types_inferred_and_values_dropped(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    lines = [
        {
            "event": "Signup",
            "properties": {
                "email": "canary-value@example.com",
                "age": 41,
                "ok": True,
                "address": {"city": "Lyon-canary"},
            },
        },
        {"event": "Signup", "properties": {"age": 41.5, "coupon": None}},
        {"type": "identify", "traits": {"phone": "+33-canary"}},
        {"type": "group", "traits": {"company": "ACME-canary"}},
        {"type": "page", "name": "Home", "properties": {"url": "https://x.test/?token=canary"}},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    schema = events_source(path).fetch()
    labels = {i.key.label: i.types for i in schema.items}
    assert labels["Signup.age"] == ("integer", "number")
    assert labels["Signup.address.city"] == ("string",)
    assert labels["Signup.coupon"] == ("null",)
    assert labels["user.phone"] == ("string",)
    assert labels["group.company"] == ("string",)
    assert "Page: Home.url" in labels
    assert "canary" not in repr(schema)


def test_truncated_ndjson_line_is_named_without_its_content(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text(
        '{"event": "A", "properties": {}}\n{"event": "B", "properties": {"email": "secret-canary'
    )
    with pytest.raises(BadResponse) as info:
        events_source(path).fetch()
    assert f"{path}:2:" in str(info.value)
    assert "secret-canary" not in str(info.value)


@pytest.mark.parametrize(
    "name",
    [
        {"email": "alice-canary@example.com"},
        ["alice-canary@example.com"],
        4111111111111111,
        True,
        "x" * 101 + "canary",
        "line\ncanary",
    ],
)
def test_page_name_that_is_not_a_short_string_never_becomes_an_event(
    tmp_path: Path, name: object
) -> None:
    """Issue #13 item 5: a page/screen ``name`` is a name only when it is a short string."""
    path = tmp_path / "events.ndjson"
    lines = [
        {"type": "page", "name": name, "properties": {"path": "/home"}},
        {"type": "screen", "name": name},
        {"type": "page", "name": "Pricing"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    schema = events_source(path).fetch()
    events = {i.event for i in schema.items if i.scope is Scope.EVENT}
    assert events == {"Page Viewed", "Screen Viewed", "Page: Pricing"}
    assert {i.key.label for i in schema.items if i.name} == {"Page Viewed.path"}
    assert "canary" not in repr(schema)
