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
    """Definition fields of one JSON Schema node (its own metadata, not its children). Only the
    fields the node has: most nodes have a type and a description, and plans have 100k of them."""
    get = node.get
    fields: dict[str, Any] = {}
    types = get("type")
    if types is None:
        any_of = get("anyOf") or get("oneOf")
        if isinstance(any_of, list):
            types = [
                sub.get("type") for sub in any_of if isinstance(sub, Mapping) and sub.get("type")
            ]
    if types is not None:
        fields["type"] = types
    if description := _text(get("description")):
        fields["description"] = description
    metadata = get("metadata")
    mixpanel = dig(metadata, "com.mixpanel") if metadata is not None else _NOTHING
    if display_name := _text(mixpanel.get("displayName")) or _text(get("title")):
        fields["display_name"] = display_name
    if required:
        fields["required"] = True
    enum = get("enum")
    if isinstance(enum, list):
        fields["enum"] = sorted({str(v) for v in enum})
    if pattern := _text(get("pattern")):
        fields["pattern"] = pattern
    if format_ := _text(get("format")):
        fields["format"] = format_
    if mixpanel:
        for flag in ("hidden", "dropped"):
            if mixpanel.get(flag):
                fields[flag] = True
    if get("deprecated"):
        fields["deprecated"] = True
    if mixpanel:
        if isinstance(tags := mixpanel.get("tags"), list):
            fields["tags"] = tags
        if (owners := _owners(mixpanel.get("owners"))) is not None:
            fields["owners"] = owners
    return fields


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
        if type(child) is not dict and not isinstance(child, Mapping):  # dict: the fast check
            child = {}
        name = prefix + key if prefix else key
        fields = schema_fields(child, required=key in required)
        items = child.get("items")
        is_array = items is not None and isinstance(items, Mapping)
        if is_array:
            fields["is_array"] = True
        yield Item.from_fields(scope, event, name, fields)
        if "properties" in child:
            yield from property_items(scope, event, child, f"{name}.", depth + 1)
        if is_array:
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


_NOTHING: Mapping[str, Any] = {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
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
