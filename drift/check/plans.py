"""Plan files for ``drift check``: read from disk (or git), parsed by the ``jsonschema`` source's
own parsers, every item placed at the file and line that define it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from drift.check.locate import Locator
from drift.check.positions import scan
from drift.errors import ConfigError, SourceError
from drift.model import Item, ItemKey, Provenance, Schema, Scope
from drift.sources.jsonschema import (
    MAX_FILE_BYTES,
    JsonSchemaSource,
    items_from_document,
    parse_document,
)

#: The source class whose parsers read plan files: its traits (event naming, its ``type`` for
#: ``[[policy]] source_types``) are the files' traits.
READER = JsonSchemaSource


@dataclass(frozen=True)
class PlanText:
    """One plan file's text, from the working tree or from a git ref."""

    path: str  # as shown in reports: POSIX form, relative when given relative
    text: str


@dataclass(frozen=True)
class Place:
    file: str
    line: int


@dataclass(frozen=True)
class Plan:
    """The items of a set of plan files, and where each one is defined."""

    schema: Schema
    places: dict[ItemKey, Place]

    def place(self, key: ItemKey) -> Place:
        return self.places[key]


def display_path(path: Path) -> str:
    return path.as_posix()


def plan_files(paths: Sequence[Path]) -> list[Path]:
    """The given files, and every ``*.json`` under given folders (as the jsonschema source)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"{path}: no such file or folder; give plan files or folders")
    return list(dict.fromkeys(files))


def read_texts(files: Iterable[Path]) -> list[PlanText]:
    return [PlanText(display_path(f), _read(f)) for f in files]


def _read(file: Path) -> str:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{file}: larger than {MAX_FILE_BYTES // 2**20} MiB; split the plan")
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 text ({exc.reason}); save the plan as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None


def load_plan(texts: Iterable[PlanText], source: str, *, locate: bool = True) -> Plan:
    """Parse every text with the ``jsonschema`` source's parsers; bad input is a ConfigError."""
    items: list[Item] = []
    places: dict[ItemKey, Place] = {}
    for plan in texts:
        found = _items(plan)
        items += found
        if locate:
            _place(plan, found, places)
    return Plan(Schema.build(source, Provenance.DOCUMENTED, items), places)


def _items(plan: PlanText) -> list[Item]:
    if not plan.text.strip():
        return []  # an empty file (or one new in the change, read at the base) holds nothing
    try:
        return list(items_from_document(parse_document(plan.text, plan.path), plan.path))
    except SourceError as exc:
        raise ConfigError(str(exc)) from None


def _place(plan: PlanText, items: list[Item], places: dict[ItemKey, Place]) -> None:
    if not items:
        return
    events = {item.event for item in items if item.scope is Scope.EVENT}
    locator = Locator(scan(plan.text), events, READER.plain_event_name)
    for item in items:
        if item.key not in places:
            places[item.key] = Place(plan.path, locator.line(item.key))
