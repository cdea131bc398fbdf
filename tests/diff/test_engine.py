"""Diff semantics: kinds, absence vs deletion, determinism, and algebraic properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drift.diff.engine import apply_changes, diff_schemas
from drift.model import ChangeKind, Item, Provenance, Schema, Scope, canonical_json

NAMES = st.sampled_from(["email", "Email", "plan", "user_id", "名前", "x\u202e", "a.b", ""])
EVENTS = st.sampled_from(["Signup", "Checkout", "*"])
DEFS = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["string", "integer", ["string", "null"]]),
        "description": st.sampled_from(["", "Buyer email", "x"]),
        "hidden": st.booleans(),
        "tags": st.lists(st.sampled_from(["a", "b"]), max_size=2),
    },
)


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    items = [Item.of(Scope.EVENT, e) for e in draw(st.sets(EVENTS, max_size=3))]
    for _ in range(draw(st.integers(0, 8))):
        items.append(
            Item.of(
                draw(st.sampled_from([Scope.EVENT_PROPERTY, Scope.USER_PROPERTY])),
                draw(EVENTS),
                draw(NAMES) or "p",
                **draw(DEFS),
            )
        )
    return Schema.build("src", Provenance.DOCUMENTED, items)


@given(schemas())
def test_diff_of_a_schema_with_itself_is_empty(a: Schema) -> None:
    assert diff_schemas(a, a) == []


@settings(max_examples=200)
@given(schemas(), schemas())
def test_applying_the_diff_gives_the_target(a: Schema, b: Schema) -> None:
    assert apply_changes(a, diff_schemas(a, b)).content_hash == b.content_hash


@settings(max_examples=200)
@given(schemas(), schemas())
def test_diffs_mirror_each_other(a: Schema, b: Schema) -> None:
    forward, backward = diff_schemas(a, b), diff_schemas(b, a)
    assert {(c.key, canonical_json(c.before), canonical_json(c.after)) for c in forward} == {
        (c.key, canonical_json(c.after), canonical_json(c.before)) for c in backward
    }


@given(schemas(), schemas())
def test_output_is_deterministic(a: Schema, b: Schema) -> None:
    first = diff_schemas(a, b)
    again = diff_schemas(
        Schema.build("src", a.provenance, reversed(a.items)),
        Schema.build("src", b.provenance, reversed(b.items)),
    )
    assert [c.fingerprint for c in first] == [c.fingerprint for c in again]
    assert first == again


def build(*items: Item) -> Schema:
    return Schema.build("src", Provenance.DOCUMENTED, items)


def test_kinds_name_what_a_reviewer_cares_about() -> None:
    a = build(
        Item.of(Scope.EVENT, "Signup"),
        Item.of(Scope.EVENT_PROPERTY, "Signup", "email", type="string", description="old"),
    )
    b = build(
        Item.of(Scope.EVENT, "Signup"),
        Item.of(Scope.EVENT, "Checkout"),
        Item.of(
            Scope.EVENT_PROPERTY,
            "Signup",
            "email",
            type="integer",
            description="new",
            dropped=True,
            vendor={"owner_team": "growth"},
        ),
        Item.of(Scope.EVENT_PROPERTY, "Checkout", "email", type="string"),
        Item.of(Scope.EVENT_PROPERTY, "Checkout", "email_domain", type="string"),
    )
    kinds = [(c.kind, c.key.label) for c in diff_schemas(a, b)]
    assert kinds == [
        (ChangeKind.EVENT_ADDED, "Checkout"),
        (ChangeKind.PROPERTY_ADDED, "Checkout.email"),
        (ChangeKind.PROPERTY_NEW, "Checkout.email_domain"),
        (ChangeKind.TYPE_CHANGED, "Signup.email"),
        (ChangeKind.DESCRIPTION_CHANGED, "Signup.email"),
        (ChangeKind.VISIBILITY_CHANGED, "Signup.email"),
        (ChangeKind.METADATA_CHANGED, "Signup.email"),
    ]
    type_change = diff_schemas(a, b)[3]
    assert [(f.path, f.before, f.after) for f in type_change.fields] == [
        ("type", ["string"], ["integer"])
    ]


def test_absence_is_reported_as_no_longer_listed_for_observed_sources() -> None:
    a = build(Item.of(Scope.EVENT, "Old"), Item.of(Scope.EVENT_PROPERTY, "*", "email"))
    b = build()
    assert {c.kind for c in diff_schemas(a, b, absence_is_unlisting=True)} == {
        ChangeKind.EVENT_UNLISTED,
        ChangeKind.PROPERTY_UNLISTED,
    }
    assert {c.kind for c in diff_schemas(a, b)} == {
        ChangeKind.EVENT_REMOVED,
        ChangeKind.PROPERTY_REMOVED,
    }


def test_volatile_and_value_fields_never_make_a_change() -> None:
    a = build(
        Item.of(Scope.EVENT_PROPERTY, "E", "p", type="string", examples=["x@y.z"], default="a")
    )
    b = build(Item.of(Scope.EVENT_PROPERTY, "E", "p", type="str", examples=["other"], default="b"))
    assert diff_schemas(a, b) == []


def test_fingerprints_are_stable_and_short() -> None:
    change = diff_schemas(build(), build(Item.of(Scope.EVENT, "Signup")))[0]
    assert (
        change.fingerprint
        == diff_schemas(build(), build(Item.of(Scope.EVENT, "Signup")))[0].fingerprint
    )
    assert len(change.fingerprint) == 12
