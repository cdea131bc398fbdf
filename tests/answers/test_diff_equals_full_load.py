"""``drift diff`` reads only the intervals that opened or closed between two snapshots; its changes
must be those of diffing the two full states, for every pair of days of a changing history.

The reference loads both states whole and diffs them with ``diff_schemas``; "seen before" is every
property name the source held on any day up to the earlier snapshot (what makes a property *new to
the source* rather than *added to another event*). Both read paths are held to it: the driver-only
one of a read-only app (``drift diff``, :mod:`drift.store.lean`) and the store's (SQLAlchemy).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from drift.answers.changes import changes_between
from drift.app import App
from drift.config import parse_config
from drift.diff.engine import compare
from drift.model import Item, Provenance, Schema, Scope
from drift.store import lean
from drift.store.database import Database
from tests.recording import store

EVENTS = ["Signup", "Checkout", "*"]
#: With names kept in their escaped stored form (NUL, a lone surrogate, a leading U+FFFF), which
#: both paths must read back as the vendor sent them.
NAMES = ["email", "plan", "ip", "x", "a.b", "e\x00mail", "ip\ud800", "\uffffplan"]


def _definition(rng: random.Random) -> dict[str, Any]:
    """Definitions the quick field diff answers, and some only DeepDiff can (other lists)."""
    found: dict[str, Any] = {"type": rng.choice(["string", "integer", ["string", "null"]])}
    if rng.random() < 0.5:
        found["description"] = rng.choice(["", "Buyer", "Buyer email"])
    if rng.random() < 0.3:
        found["enum"] = rng.sample(["a", "b", "c"], rng.randint(1, 3))
    if rng.random() < 0.3:
        found["vendor"] = {"verified": rng.random() < 0.5, "owners": rng.randint(0, 2)}
    if rng.random() < 0.2:
        found["examples"] = rng.sample(["x", "y", "z"], rng.randint(1, 3))
    return found


def _history(seed: int, days: int) -> list[Schema]:
    rng = random.Random(seed)
    current: dict[tuple[Scope, str, str], dict[str, Any]] = {}
    schemas = []
    for _ in range(days):
        for _ in range(rng.randint(1, 6)):
            scope = rng.choice([Scope.EVENT_PROPERTY, Scope.EVENT_PROPERTY, Scope.USER_PROPERTY])
            event = rng.choice(EVENTS) if scope is Scope.EVENT_PROPERTY else ""
            key = (scope, event, rng.choice(NAMES))
            if key in current and rng.random() < 0.4:
                del current[key]
            else:
                current[key] = _definition(rng)
        items = [Item.of(Scope.EVENT, e) for e in EVENTS if e != "*"]
        items += [Item.of(s, e, n, **d) for (s, e, n), d in current.items()]
        schemas.append(Schema.build("plan", Provenance.DOCUMENTED, items))
    return schemas


def _full_load_diff(schemas: list[Schema], i: int, j: int) -> list[Any]:
    """Both states whole: ``compare`` skips the keys whose definitions are equal itself, so the
    reference keeps no copy of the "touched" filter the code under test uses."""
    seen = {k.name for s in schemas[: min(i, j) + 1] for k in s.by_key() if k.scope != Scope.EVENT}
    return compare("plan", schemas[i].by_key(), schemas[j].by_key(), name_known=seen.__contains__)


@pytest.mark.parametrize("read_only", [True, False], ids=["driver-only", "store"])
@pytest.mark.parametrize("seed", [3, 4])
def test_diff_of_any_two_snapshots_is_the_full_load_diff(
    db_url: str, tmp_path: Path, seed: int, read_only: bool
) -> None:
    schemas = _history(seed, 8)
    database = Database(db_url)
    ids = [store(database, schema, day).snapshot_id for day, schema in enumerate(schemas)]
    database.dispose()
    raw = {
        "database": {"url": db_url},
        "sources": [{"name": "plan", "type": "jsonschema", "path": str(tmp_path / "plan.json")}],
    }
    app = App(config=parse_config(raw, tmp_path / "drift.toml"), read_only=read_only)
    url = app.config.database.url
    assert lean.touched(url, "plan", str(ids[0]), str(ids[-1])) is not None
    try:
        for i, a in enumerate(ids):
            for j, b in enumerate(ids):
                answer = changes_between(app, "plan", str(a), str(b))
                assert list(answer.changes) == _full_load_diff(schemas, i, j), (i, j)
    finally:
        app.close()
