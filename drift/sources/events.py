"""``type = "events"``: NDJSON event samples; keys and JSON types inferred, values dropped on read.

Each line is one event: ``{"event": ..., "properties": {...}}``, or Segment-style with ``type``
(``track`` / ``identify`` / ``group`` / ``page`` / ``screen``), ``traits`` and ``context.traits``.
A value is looked at only long enough to name its JSON type; it is never kept, logged or stored.
A page/screen call is named after its ``name`` only when that is a short one-line string
(``Page: Home``); any other ``name`` is a value and the call is ``Page Viewed`` / ``Screen Viewed``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from drift.errors import BadResponse
from drift.model import Item, ItemKey, Provenance, Schema, Scope, SourceRole
from drift.sources.base import ConfigPath, SourceBase, SourceConfig

MAX_DEPTH = 3
MAX_LINE_BYTES = 1024 * 1024
MAX_VIEW_NAME = 100  # longer page/screen names are treated as values


class EventsConfig(SourceConfig):
    type: Literal["events"]
    path: ConfigPath = Field(
        description="An NDJSON file (one JSON event per line), or a folder of *.ndjson."
    )


class EventsSource(SourceBase):
    Config = EventsConfig
    provenance = Provenance.OBSERVED
    role = SourceRole.SAMPLE
    reader_version = 2  # 2: page/screen names kept only when short strings
    absence_is_unlisting = True

    def fetch(self) -> Schema:
        config = self.config
        assert isinstance(config, EventsConfig)
        seen: dict[ItemKey, set[str]] = defaultdict(set)
        for file in _files(config.path):
            _scan(file, seen)
        items = [Item.of(k.scope, k.event, k.name, type=sorted(types)) for k, types in seen.items()]
        return Schema.build(self.name, self.provenance, items)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.suffix in (".ndjson", ".jsonl") and p.is_file()
        )
        if not files:
            raise BadResponse(f"{path}: folder has no *.ndjson or *.jsonl files")
        return files
    if not path.exists():  # a named pipe is fine too: samples can be streamed in
        raise BadResponse(f"{path}: no such file or folder; check 'path' in drift.toml")
    return [path]


def _scan(file: Path, seen: dict[ItemKey, set[str]]) -> None:
    try:
        with file.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if len(raw) > MAX_LINE_BYTES:
                    raise BadResponse(f"{file}:{number}: line longer than 1 MiB")
                if raw.strip():
                    _event(_parse(raw, file, number), seen, f"{file}:{number}")
    except OSError as exc:
        raise BadResponse(f"{file}: cannot read: {exc}") from None


def _parse(raw: bytes, file: Path, number: int) -> Mapping[str, Any]:
    try:
        event = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        # The message names the position only: the line itself may hold personal data.
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise BadResponse(
            f"{file}:{number}: not a complete JSON event ({reason}); fix or drop that line"
        ) from None
    if not isinstance(event, Mapping):
        raise BadResponse(f"{file}:{number}: expected a JSON object per line")
    return event


def _event(event: Mapping[str, Any], seen: dict[ItemKey, set[str]], where: str) -> None:
    for section in ("properties", "traits", "context"):
        if event.get(section) is not None and not isinstance(event[section], Mapping):
            raise BadResponse(f"{where}: '{section}' must be a JSON object; fix or drop that line")
    kind = str(event.get("type") or "track").lower()
    name = event.get("event")
    if kind in ("page", "screen") and not name:
        name = view_name(kind, event.get("name"))
    if kind == "track" or name:
        if not isinstance(name, str) or not name:
            raise BadResponse(f"{where}: event has no 'event' name")
        seen[ItemKey(Scope.EVENT, name, "")]
        _keys(event.get("properties"), Scope.EVENT_PROPERTY, name, "", seen, 0)
    if kind == "identify":
        _keys(event.get("traits"), Scope.USER_PROPERTY, "", "", seen, 0)
    if kind == "group":
        _keys(event.get("traits"), Scope.GROUP_PROPERTY, "group", "", seen, 0)
    context = event.get("context")
    if isinstance(context, Mapping):
        _keys(context.get("traits"), Scope.USER_PROPERTY, "", "", seen, 0)


def view_name(kind: str, name: Any) -> str:
    """``Page: Home`` when ``name`` is a short one-line string, else ``Page Viewed``: a name of
    another type (an object, a number) or a long text is a value, and values are never kept."""
    usable = isinstance(name, str) and 0 < len(name.strip()) <= MAX_VIEW_NAME
    if usable and name.isprintable():
        return f"{kind.title()}: {name.strip()}"
    return f"{kind.title()} Viewed"


def _keys(
    values: Any, scope: Scope, event: str, prefix: str, seen: dict[ItemKey, set[str]], depth: int
) -> None:
    if not isinstance(values, Mapping):
        return
    for key, value in values.items():
        name = f"{prefix}{key}"
        seen[ItemKey(scope, event, name)].add(json_type(value))
        if isinstance(value, Mapping) and depth < MAX_DEPTH:
            _keys(value, scope, event, f"{name}.", seen, depth + 1)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
