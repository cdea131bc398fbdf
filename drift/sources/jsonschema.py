"""``type = "jsonschema"``: a tracking plan kept as JSON Schema, in one file or a folder of them.

Accepted document shapes (detected per file):

- plain: ``{"events": {"Signup Completed": {JSON Schema of its properties}}, "user": {...}}``
- Mixpanel Lexicon export: ``{"results": [{"entityType": "event", "name", "schemaJson"}]}``
- Segment rules export: ``{"rules": [{"key": ..., "type": "TRACK", "jsonSchema": ...}]}`` or a
  saved Public API answer ``{"data": {"rules": [...]}}``, read by the ``segment`` connector's own
  parser (:mod:`drift.sources.segment_rules`); or the legacy plan ``{"events": [{"name": ...,
  "rules": ...}]}`` (typewriter).
- a single event: ``{"title": "Signup Completed", "type": "object", "properties": {...}}``
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from drift.errors import BadResponse
from drift.model import Fetched, Item, KnownRead, Provenance, Schema, Scope, SourceRole
from drift.sources import known_reads
from drift.sources.base import ConfigPath, SourceBase, SourceConfig
from drift.sources.jsonschema_walk import dig, event_fields, event_items, property_items
from drift.sources.segment_rules import plain_event, rules_items

if TYPE_CHECKING:
    from drift.sources.known_reads import KnownReads

MAX_FILE_BYTES = 64 * 1024 * 1024


class JsonSchemaConfig(SourceConfig):
    type: Literal["jsonschema"]
    path: ConfigPath = Field(description="A .json file, or a folder read recursively for *.json.")


class JsonSchemaSource(SourceBase):
    Config = JsonSchemaConfig
    provenance = Provenance.DOCUMENTED
    role = SourceRole.PLAN
    reader_version = 2  # 2: Segment exports through the segment_rules parser
    reads_plan_files = True

    @classmethod
    def plain_event_name(cls, event: str) -> str:
        return plain_event(event)  # a Segment export's rules are events "<key> [TRACK v2]"

    def fetch(self) -> Schema:
        return self._parse(self._read())

    def fetch_known(self, reads: KnownReads) -> Fetched:
        """The plan, or, when its files, options, reader and drift's code are those of a kept
        read, that read's content hash and item count (the bytes are parsed only if needed)."""
        raw = self._read()
        options = self.config.model_dump_json()
        fingerprint = known_reads.fingerprint(self.type_name(), self.reader_version, options, raw)
        known = reads.get(fingerprint)
        if known is None:
            schema = self._parse(raw)
            reads.put(fingerprint, schema)
            return schema
        return KnownRead(
            self.name,
            self.provenance,
            known.content_hash,
            known.item_count,
            lambda: self._parse(list(raw)),
        )

    def _read(self) -> list[tuple[str, bytes]]:
        """Each file's name and bytes, in reading order."""
        config = self.config
        assert isinstance(config, JsonSchemaConfig)
        return [(str(file), _read_bytes(file)) for file in _files(config.path)]

    def _parse(self, raw: list[tuple[str, bytes]]) -> Schema:
        """The schema of the files in ``raw``, which it empties as it goes: each file's bytes
        are let go once read, so a plan in many files is never held twice over."""
        items: list[Item] = []
        raw.reverse()
        while raw:
            where, data = raw.pop()
            document = parse_document(_decoded(data, where), where)
            del data
            items.extend(items_from_document(document, where))
        return Schema.build(self.name, self.provenance, items)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            raise BadResponse(f"{path}: folder has no *.json files; point 'path' at your plan")
        return files
    if not path.is_file():
        raise BadResponse(f"{path}: no such file or folder; check 'path' in drift.toml")
    return [path]


def _read_bytes(file: Path) -> bytes:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise BadResponse(f"{file}: larger than {MAX_FILE_BYTES // 2**20} MiB; split the plan")
        return file.read_bytes()
    except OSError as exc:
        raise BadResponse(f"{file}: cannot read: {exc}") from None


def _decoded(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadResponse(f"{where}: cannot read: {exc}") from None


def parse_document(text: str, where: str) -> Any:
    """The JSON of a plan file, or one line saying where it is broken."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadResponse(
            f"{where}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise BadResponse(f"{where}: JSON nested too deeply to be a plan") from None


def items_from_document(doc: Any, where: str) -> Iterator[Item]:
    if not isinstance(doc, Mapping):
        raise BadResponse(f"{where}: expected a JSON object at the top level")
    if isinstance(dig(doc, "data").get("rules"), list):  # a saved Public API response
        doc = doc["data"]
    if isinstance(doc.get("results"), list):
        yield from lexicon_items(doc["results"], where)
    elif isinstance(doc.get("rules"), list):
        yield from segment_rule_items(doc["rules"], where)
    elif isinstance(doc.get("events"), list):
        yield from legacy_segment_items(doc["events"], where)
    elif isinstance(doc.get("events"), Mapping):
        yield from plain_items(doc, where)
    elif isinstance(doc.get("properties"), Mapping) and isinstance(doc.get("title"), str):
        yield from event_items(doc["title"], doc)
    else:
        raise BadResponse(
            f"{where}: not a tracking plan drift knows (expected 'events', 'results' (Mixpanel "
            "Lexicon export), 'rules' (Segment) or a titled JSON Schema)"
        )


def plain_items(doc: Mapping[str, Any], where: str) -> Iterator[Item]:
    for name, schema in doc["events"].items():
        if not isinstance(schema, Mapping):
            raise BadResponse(f"{where}: events.{name} must be a JSON Schema object")
        yield from event_items(name, schema)
    for key in ("user", "user_properties", "traits"):
        if isinstance(doc.get(key), Mapping):
            yield from property_items(Scope.USER_PROPERTY, "", doc[key])
    groups = doc.get("groups")
    if isinstance(groups, Mapping):
        for group, schema in groups.items():
            if isinstance(schema, Mapping):
                yield from property_items(Scope.GROUP_PROPERTY, group, schema)


def lexicon_items(results: list[Any], where: str) -> Iterator[Item]:
    """Mixpanel Lexicon schemas, read exactly as the ``mixpanel`` connector reads the API, so a
    project can move between an exported file and the API without a day of phantom changes."""
    from drift.sources.mixpanel import entity_items  # here: the connector module imports httpx

    for entry in results:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise BadResponse(f"{where}: a Lexicon entry has no name")
        yield from entity_items(entry)


def segment_rule_items(rules: list[Any], where: str) -> Iterator[Item]:
    """Segment Protocols rules, read exactly as the ``segment`` connector reads the Public API
    (one plan per file, so names carry no plan prefix)."""
    if not all(isinstance(rule, Mapping) for rule in rules):
        raise BadResponse(f"{where}: a Segment rule is not an object")
    yield from rules_items(rules)


def legacy_segment_items(events: list[Any], where: str) -> Iterator[Item]:
    """The legacy plan format (Segment typewriter's fixture): ``events[].rules``."""
    for event in events:
        if not isinstance(event, Mapping) or not isinstance(event.get("name"), str):
            raise BadResponse(f"{where}: an event in 'events' has no name")
        rules = dig(event, "rules")
        fields = event_fields(rules)
        fields["description"] = event.get("description") or fields.get("description")
        yield Item.of(Scope.EVENT, event["name"], "", **fields)
        yield from property_items(
            Scope.EVENT_PROPERTY, event["name"], dig(rules, "properties", "properties")
        )
