"""Turn JSON Schema documents (tracking plans, Lexicon and Segment rules) into items.

Nested object properties become dotted names (``address.city``); properties of array items too
(``items.sku``), with ``is_array`` on the array itself. Value-bearing keywords (examples, default,
const) are never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from drift.model import Item, Scope

MAX_DEPTH = 6


def schema_fields(node: Mapping[str, Any], *, required: bool = False) -> dict[str, Any]:
    """Definition fields of one JSON Schema node (its own metadata, not its children)."""
    mixpanel = dig(node, "metadata", "com.mixpanel")
    types = node.get("type")
    any_of = node.get("anyOf") or node.get("oneOf")
    if types is None and isinstance(any_of, list):
        types = [sub.get("type") for sub in any_of if isinstance(sub, Mapping) and sub.get("type")]
    enum = node.get("enum")
    return {
        "type": types,
        "description": _text(node.get("description")),
        "display_name": _text(mixpanel.get("displayName")) or _text(node.get("title")),
        "required": required or None,
        "enum": sorted({str(v) for v in enum}) if isinstance(enum, list) else None,
        "pattern": _text(node.get("pattern")),
        "format": _text(node.get("format")),
        "hidden": bool(mixpanel.get("hidden")) or None,
        "dropped": bool(mixpanel.get("dropped")) or None,
        "deprecated": bool(node.get("deprecated")) or None,
        "tags": mixpanel.get("tags") if isinstance(mixpanel.get("tags"), list) else None,
        "owners": _owners(mixpanel.get("owners")),
    }


def event_fields(node: Mapping[str, Any]) -> dict[str, Any]:
    """An event's own fields: its schema's ``type: object`` says nothing, so it is left out."""
    fields = schema_fields(node)
    fields.pop("type", None)
    return fields


def property_items(
    scope: Scope, event: str, node: Mapping[str, Any], prefix: str = "", depth: int = 0
) -> Iterator[Item]:
    """Items for every property under ``node["properties"]``, recursing into objects and arrays."""
    props = node.get("properties")
    if not isinstance(props, Mapping) or depth > MAX_DEPTH:
        return
    required = node.get("required")
    required = required if isinstance(required, list) else []
    for key, child in props.items():
        if not isinstance(child, Mapping):
            child = {}
        name = f"{prefix}{key}"
        fields = schema_fields(child, required=key in required)
        items = child.get("items")
        if isinstance(items, Mapping):
            fields["is_array"] = True
        yield Item.of(scope, event, name, **fields)
        yield from property_items(scope, event, child, f"{name}.", depth + 1)
        if isinstance(items, Mapping):
            yield from property_items(scope, event, items, f"{name}.", depth + 1)


def event_items(event: str, schema: Mapping[str, Any], **extra: Any) -> Iterator[Item]:
    """The event itself plus its properties (from a plain JSON Schema of the event's properties)."""
    yield Item.of(Scope.EVENT, event, "", **{**event_fields(schema), **extra})
    yield from property_items(Scope.EVENT_PROPERTY, event, schema)


def dig(node: Any, *keys: str) -> Mapping[str, Any]:
    """``node[k1][k2]...`` when every step is an object, else ``{}``."""
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _owners(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    names = []
    for owner in value:
        if isinstance(owner, Mapping):
            names.append(owner.get("name") or owner.get("email") or "")
        elif isinstance(owner, str):
            names.append(owner)
    return names
