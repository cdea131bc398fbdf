"""The DeepDiff-free field diff reports exactly what DeepDiff reports, or declines."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.diff.engine import deepdiff_levels, field_changes
from drift.diff.quick import WHOLE_FIELDS, quick_levels
from drift.model import FieldChange

KEYS = st.sampled_from(
    ["type", "tags", "enum", "owners", "description", "a", "b", "a.b", "enum.x", "hidden"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True, width=16),
    st.sampled_from(["", "x", "y", "1"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=10,
)
DEFINITIONS = st.dictionaries(KEYS, VALUES, max_size=6)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two unrelated definitions, or one and a few fields of it changed or dropped."""
    old = draw(DEFINITIONS)
    if draw(st.booleans()):
        return old, draw(DEFINITIONS)
    new = dict(old)
    for key in draw(st.lists(KEYS, max_size=3)):
        if draw(st.booleans()):
            new[key] = draw(VALUES)
        else:
            new.pop(key, None)
    return old, new


def as_reported(levels: list[Any], old: dict[str, Any], new: dict[str, Any]) -> list[Any]:
    """What field_changes makes of the levels: whole fields collapsed, sorted by path."""
    out = {}
    for parts, before, after in levels:
        path = ".".join(map(str, parts))
        top = path.split(".", 1)[0]
        out[top if top in WHOLE_FIELDS else path] = (
            (top, old.get(top), new.get(top)) if top in WHOLE_FIELDS else (path, before, after)
        )
    return [out[k] for k in sorted(out)]


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs())
def test_quick_levels_are_deepdiffs_or_none(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair
    quick = quick_levels(old, new)
    if quick is not None:
        assert as_reported(quick, old, new) == as_reported(deepdiff_levels(old, new), old, new)


def test_common_changes_need_no_deepdiff() -> None:
    old = {"type": ["string", "null"], "description": "Buyer", "enum": ["a", "b"], "x": {"y": 1}}
    new = {"type": "integer", "description": "Buyer email", "enum": ["b", "c"], "x": {"y": 1.0}}
    assert quick_levels(old, new) is not None
    assert field_changes(old, new) == (
        FieldChange("description", "Buyer", "Buyer email"),
        FieldChange("enum", ["a", "b"], ["b", "c"]),
        FieldChange("type", ["string", "null"], "integer"),
        FieldChange("x.y", 1, 1.0),
    )


def test_lists_that_differ_outside_the_whole_fields_go_to_deepdiff() -> None:
    old, new = {"examples": ["a", "b"]}, {"examples": ["a", "c"]}
    assert quick_levels(old, new) is None
    assert field_changes(old, new) == (FieldChange("examples.1", "b", "c"),)
    assert quick_levels({"examples": ["a", "b"]}, {"examples": ["b", "a", "a"]}) == []
