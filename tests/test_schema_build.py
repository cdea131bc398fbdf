"""``Schema.build``: one item per key, in key order, whatever order the source fetched them in."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from drift.model import Item, Provenance, Schema, Scope

DEFINITIONS: list[dict[str, Any]] = [
    {},
    {"type": ["string"]},
    {"type": ["integer"]},
    {"description": "d"},
    {"type": ["string"], "description": "d"},
]
ROWS = st.lists(
    st.tuples(
        st.sampled_from(list(Scope)),
        st.sampled_from(["", "Signup", "signup", "Ünïcode"]),
        st.sampled_from(["", "plan", "plan.seats"]),
        st.sampled_from(DEFINITIONS),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(ROWS, st.randoms(use_true_random=False))
def test_one_item_per_key_the_definition_that_sorts_first_in_any_fetch_order(
    rows: list[tuple[Scope, str, str, dict[str, Any]]], rnd: random.Random
) -> None:
    items = [Item(scope, event, name, definition) for scope, event, name, definition in rows]
    best: dict[Any, str] = {}
    for item in items:
        best[item.key] = min(best.get(item.key, item.definition_json), item.definition_json)
    shuffled = items[:]
    rnd.shuffle(shuffled)
    for fetched in (items, shuffled):
        built = Schema.build("s", Provenance.DOCUMENTED, fetched)
        assert [i.key for i in built.items] == sorted(best)
        assert {i.key: i.definition_json for i in built.items} == best
