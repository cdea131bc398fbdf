"""Names and descriptions no backend can store as given are kept losslessly, on every backend.

Lone surrogates (valid JSON: ``"email\\ud800"``) cannot be UTF-8 encoded, PostgreSQL refuses NUL in
text, and MariaDB's TEXT holds 65,535 bytes: each used to crash every run.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from drift.model import Item, Provenance, Schema, Scope
from drift.store import queries, record
from drift.store.database import Database
from drift.store.stored_form import stored_text, unstored_text

T0 = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
LONG = "x" * 70_000 + "é" * 10  # over 65,535 bytes
HOSTILE = [
    "email\ud800",
    "\udfffphone",
    "nul\x00name",
    "\uffff starts with the escape marker",
    '\uffff"{}\\',
    LONG,
    "plain",
]


def _schema(names: list[str], *, description: str = "") -> Schema:
    items = [Item.of(Scope.EVENT, "Signup\x00\ud83d")]
    items += [
        Item.of(Scope.EVENT_PROPERTY, "Signup\x00\ud83d", n, type="string", description=description)
        for n in names
    ]
    return Schema.build("plan", Provenance.DOCUMENTED, items)


def _record(db: Database, schema: Schema, day: int = 0) -> record.Recorded:
    with db.session() as session:
        return record.record_snapshot(
            session, schema, source_type="jsonschema", taken_at=T0 + dt.timedelta(days=day)
        )


def test_hostile_names_and_descriptions_round_trip(database: Database) -> None:
    schema = _schema(HOSTILE, description="desc\ud800\x00" + LONG)
    first = _record(database, schema)
    again = _record(database, schema, day=1)
    assert first.added == len(schema.items) and again.unchanged
    with database.session() as session:
        back = queries.state_at(session, again.snapshot_id)
    assert [(i.key, dict(i.definition)) for i in back.items] == [
        (i.key, dict(i.definition)) for i in schema.items
    ]


def test_a_changed_hostile_description_is_a_change(database: Database) -> None:
    _record(database, _schema(["email\ud800"], description="a\ud800"))
    changed = _record(database, _schema(["email\ud800"], description="a\udc00"), day=1)
    assert (changed.added, changed.removed, changed.changed) == (0, 0, 1)


@pytest.mark.parametrize(
    "text", [*HOSTILE, "", "\uffff", "a\uffffb", "back\\slash\x00", "\\u0000", "\ud83d\ude00"]
)
def test_the_stored_form_is_reversible_and_valid_unicode(text: str) -> None:
    stored = stored_text(text)
    stored.encode("utf-8")  # no surrogate survives
    assert "\x00" not in stored
    assert unstored_text(stored) == text


@pytest.mark.parametrize("text", ["plain", "a\uffffb", "\\u0000", LONG, "é🙂", ""])
def test_storable_names_are_stored_as_they_are(text: str) -> None:
    assert stored_text(text) == text


def test_canonical_json_of_a_surrogate_is_valid_utf8_and_exact() -> None:
    item = Item.of(Scope.EVENT_PROPERTY, "e", "n", description="a\ud800b")
    item.definition_json.encode("utf-8")
    assert json.loads(item.definition_json) == {"description": "a\ud800b"}
    assert len(item.definition_hash) == 64
