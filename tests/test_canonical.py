"""Canonical JSON: orjson's fast path writes exactly the bytes of the standard-library encoder.

The reference below is the encoder drift has always hashed with; stored definition hashes depend
on it byte for byte. Where orjson cannot be trusted (lone surrogates, integers beyond 64 bits,
small floats, NaN, non-string keys) the standard library writes the value: those cases are drawn
on purpose, and the fallback is shown to be taken.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drift.canonical import canonical_bytes, canonical_json, content_hash
from drift.model import Item, Provenance, Schema, Scope

_LONE = re.compile("[\ud800-\udfff]")


def reference(value: Any) -> str:
    """drift's canonical JSON before orjson (drift/model.py, issue 15)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _LONE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


HOSTILE_TEXT = st.sampled_from(
    [
        "\ud800",
        "a\udfffb",
        "\x00",
        "nul\x00",
        "\U0001f600",
        "\uffff",
        "\u2028",
        "null",
        "0.0000",
        "1e-7",
    ]
)
ANY_TEXT = st.text(st.characters(exclude_categories=()))  # surrogates included
TEXT = st.one_of(ANY_TEXT, HOSTILE_TEXT, st.text("abcé\x00\ud83d"))
NUMBERS = st.one_of(
    st.integers(),  # unbounded: beyond 64 bits too
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(),  # NaN, infinities, subnormals, -0.0 included
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.sampled_from([1e-5, 2.5e-6, 1e-7, 1e16, 1e22, 5e-324, math.inf, math.nan, -0.0]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(TEXT, inner, max_size=5),
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_canonical_json_is_the_reference_encoding_for_any_value(value: Any) -> None:
    expected = reference(value)
    assert canonical_json(value) == expected
    assert canonical_bytes(value) == expected.encode()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, st.dictionaries(TEXT, VALUES, max_size=4)), max_size=8))
def test_a_schemas_content_hash_is_the_hash_of_its_reference_encoding(
    rows: list[tuple[str, str, dict[str, Any]]],
) -> None:
    import hashlib

    items = [
        Item(Scope.EVENT_PROPERTY, event, name, definition) for event, name, definition in rows
    ]
    schema = Schema.build("s", Provenance.OBSERVED, items)
    document = [(i.scope, i.event, i.name, i.definition) for i in schema.items]
    expected = hashlib.sha256(reference(document).encode()).hexdigest()
    assert schema.content_hash == expected == content_hash(document)


@pytest.mark.parametrize(
    "value",
    [
        {"name": "email\ud800"},  # orjson refuses lone surrogates
        {"max": 2**64},  # and integers beyond 64 bits
        {"min": -(2**63) - 1},
        {1: "non-string key"},
        {"tiny": 1e-5},  # it writes 0.00001 where Python writes 1e-05
        {"tiny": 1e-7},  # and 1e-7 for 1e-07
        {"nan": math.nan},  # and null for NaN
        {"inf": [math.inf]},
        [math.nan],
        math.nan,
        {"a": [1, math.inf, 2]},
    ],
)
def test_the_standard_library_writes_what_orjson_would_get_wrong(value: Any) -> None:
    try:
        fast = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        fast = None
    assert fast != reference(value).encode()  # orjson alone would be wrong or refuse
    assert canonical_json(value) == reference(value)
    assert canonical_bytes(value) == reference(value).encode()


def test_ordinary_definitions_take_the_fast_path_and_match() -> None:
    definition = {"type": ["string"], "description": "The e-mail domain, nullable.", "n": 0.5}
    fast = orjson.dumps(definition, option=orjson.OPT_SORT_KEYS)
    assert fast == reference(definition).encode() == canonical_bytes(definition)


@settings(max_examples=100, deadline=None)
@given(st.lists(VALUES, max_size=12), st.integers(min_value=1, max_value=5))
def test_a_content_hash_written_in_chunks_is_the_hash_of_the_whole_list(
    rows: list[Any], chunk: int
) -> None:
    """Chunk by chunk (some chunks falling back to the standard library, others not), the bytes
    hashed are exactly the whole list's canonical JSON."""
    import hashlib

    expected = hashlib.sha256(reference(rows).encode()).hexdigest()
    assert content_hash(rows, chunk=chunk) == expected == content_hash(iter(rows))
