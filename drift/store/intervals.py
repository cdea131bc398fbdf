"""The interval reads, written once as SQL text for both ways drift reads its store.

The state of a source at snapshot S is its items with ``valid_from <= S`` and (``valid_to`` NULL
or ``> S``). Between two snapshots lo < hi only two kinds of interval differ: those open at lo
that closed by hi (in the state at lo, not at hi) and those opened after lo and still open at hi
(in the state at hi, not at lo). These conditions, the statements that read the items and their
definitions, the property names a source held, and the snapshot references ``latest``,
``previous`` and an id live here, and only here. The store runs them through
``sqlalchemy.text`` (:mod:`drift.store.queries`); ``drift diff`` runs them through the database
driver alone (:mod:`drift.store.lean`), so this module must not import SQLAlchemy.

Statements take named parameters (``:sid``), which SQLAlchemy binds as written and lean turns
into its driver's paramstyle; they hold no other ``:`` or ``%``. Tables are named, not aliased,
so a condition also fits a SQLAlchemy ``select`` of the mapped tables. Keep the plans in
docs/query-plans.md in mind when changing one: the indexes they use follow the conditions' form.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from drift.model import Item, Scope

#: A condition on ``item`` and its parameters.
Where = tuple[str, dict[str, int]]

SOURCE_ID = "SELECT id FROM source WHERE name = :name"
#: The newest snapshots of a source, newest first: row ``NAMED_REFS[ref]`` is that reference.
NEWEST = "SELECT id FROM snapshot WHERE source_id = :sid ORDER BY id DESC LIMIT 2"
NAMED_REFS = {"latest": 0, "previous": 1}
#: Up to this many values go into one ``IN`` list (the store sends more through a temporary table;
#: ``drift diff``'s driver-only reader, in lists of this many).
IN_LIST = 500
#: Snapshot ids are 64-bit integers on every backend.
MAX_ID = 2**63 - 1
#: A snapshot id, if it is one of this source's.
SNAPSHOT_OF_SOURCE = "SELECT id FROM snapshot WHERE id = :id AND source_id = :sid"


def snapshot_number(ref: str) -> int | None:
    """``ref`` as a snapshot id when it is written as one: ASCII digits (``"²"`` and ``"٣"`` are
    digits to ``str.isdigit``), no larger than any id can be. None for anything else."""
    if not (ref.isascii() and ref.isdigit()) or len(ref) > 19:
        return None
    number = int(ref)
    return number if number <= MAX_ID else None


_PRESENT = (
    "item.source_id = :sid AND item.valid_from <= :at"
    " AND (item.valid_to IS NULL OR item.valid_to > :at)"
)
_CLOSED = (
    "item.source_id = :sid AND item.valid_from <= :lo AND item.valid_to > :lo"
    " AND item.valid_to <= :hi"
)
_OPENED = (
    "item.source_id = :sid AND item.valid_from > :lo AND item.valid_from <= :hi"
    " AND (item.valid_to IS NULL OR item.valid_to > :hi)"
)
#: Of ``item_key JOIN item``: the property names a source held at any snapshot up to ``:at``
#: (the caller limits them to the wanted name hashes). ``+ 0``: the name hashes must drive the
#: query (a few look-ups in ``ix_item_key_name_hash``), not the source, whose (source_id,
#: key_hash) index SQLite would otherwise scan whole.
NAMES_SEEN_WHERE = (
    "item_key.source_id + 0 = :sid AND item_key.scope != :event_scope AND item.valid_from <= :at"
)


def present_at(sid: int, at: int) -> Where:
    """The items of source ``sid`` in its state at snapshot ``at``."""
    return _PRESENT, {"sid": sid, "at": at}


def touched(sid: int, a: int, b: int) -> tuple[Where, Where]:
    """(items of the state at ``a``, of the state at ``b``) of source ``sid`` whose interval
    opened or closed between the two snapshots, in either order: what a diff from a to b reads."""
    bounds = {"sid": sid, "lo": min(a, b), "hi": max(a, b)}
    closed, opened = (_CLOSED, bounds), (_OPENED, bounds)
    return (closed, opened) if a <= b else (opened, closed)


def item_rows(where: str) -> str:
    """``(scope, event, name, definition_id)`` of each item matching ``where``."""
    return (
        "SELECT item_key.scope, item_key.event, item_key.name, item.definition_id"  # noqa: S608
        f" FROM item JOIN item_key ON item_key.id = item.key_id WHERE {where}"
    )


def definition_rows(where: str) -> str:
    """``(id, body)`` of each distinct definition of the items matching ``where``."""
    return (
        "SELECT id, body FROM definition WHERE id IN"  # noqa: S608 (conditions from this module)
        f" (SELECT DISTINCT item.definition_id FROM item WHERE {where})"
    )


def items_of(rows: Iterable[Sequence[Any]], bodies: Mapping[int, str]) -> list[Item]:
    """Items from ``item_rows`` and ``definition_rows``: each definition parsed once."""
    parsed = dict(zip(bodies, json.loads(f"[{','.join(bodies.values())}]"), strict=True))
    scopes = {str(s): s for s in Scope}
    return [Item(scopes[s], e, n, parsed[d]) for s, e, n, d in rows]


def names_seen(sid: int, at: int, hashes: Sequence[bytes]) -> tuple[str, dict[str, Any]]:
    """Which of the property names with these hashes (``identity.name_h16``) source ``sid`` held
    up to snapshot ``at``: one statement with an ``IN`` list of them (``:h0``, ``:h1``...)."""
    marks = ", ".join(f":h{i}" for i in range(len(hashes)))
    statement = (
        "SELECT DISTINCT item_key.name"  # noqa: S608 (constants and numbered parameters)
        " FROM item_key JOIN item ON item.key_id = item_key.id"
        f" WHERE {NAMES_SEEN_WHERE} AND item_key.name_hash IN ({marks})"
    )
    params = names_seen_params(sid, at)
    params.update((f"h{i}", h) for i, h in enumerate(hashes))
    return statement, params


def names_seen_params(sid: int, at: int) -> dict[str, Any]:
    """The parameters of ``NAMES_SEEN_WHERE``."""
    return {"sid": sid, "event_scope": str(Scope.EVENT), "at": at}
