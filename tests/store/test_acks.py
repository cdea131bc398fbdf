"""The acknowledgement ledger: append-only, scoped, expiring, revocable; on every backend."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from drift.ack_target import AckTarget
from drift.errors import ConfigError
from drift.model import Item, ItemKey, Provenance, Schema, Scope
from drift.store import acks, record
from drift.store.acks import AckState
from drift.store.database import Database
from drift.store.tables import AckRow

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
EMAIL = ItemKey(Scope.EVENT_PROPERTY, "Signup", "email")
EMAIL_CHECKOUT = ItemKey(Scope.EVENT_PROPERTY, "Checkout", "email")


def add(db: Database, target: AckTarget, **kwargs: object) -> acks.Ack:
    kwargs.setdefault("reason", "hashed before sending")
    kwargs.setdefault("by", "ana")
    kwargs.setdefault("now", T0)
    with db.session() as session:
        return acks.add_ack(session, target, **kwargs)  # type: ignore[arg-type]


def index_at(db: Database, now: dt.datetime) -> acks.AckIndex:
    with db.session() as session:
        return acks.active_acks(session, now)


def test_scopes_match_what_they_name(database: Database) -> None:
    add(database, AckTarget.item("plan", EMAIL))
    add(database, AckTarget.property_name("plan", "phone"))
    add(database, AckTarget.glob("utm_*"))
    add(database, AckTarget.glob("debug_*", source="ph"))
    index = index_at(database, T0 + DAY)
    assert index.match("plan", EMAIL, "contact") is not None
    assert index.match("plan", EMAIL_CHECKOUT, "contact") is None  # item scope: one event only
    assert index.match("other", EMAIL, "contact") is None
    phone_anywhere = ItemKey(Scope.USER_PROPERTY, "", "phone")
    assert index.match("plan", phone_anywhere, "contact") is not None
    assert index.match("ph", ItemKey(Scope.EVENT_PROPERTY, "*", "utm_source"), "url") is not None
    assert index.match("ph", ItemKey(Scope.EVENT_PROPERTY, "*", "UTM_source"), "url") is None
    assert index.match("plan", ItemKey(Scope.EVENT_PROPERTY, "A", "debug_x"), None) is None
    assert index.match("ph", ItemKey(Scope.EVENT_PROPERTY, "A", "debug_x"), None) is not None
    assert len(index) == 4


def test_category_limited_ack_covers_only_that_category(database: Database) -> None:
    made = add(database, AckTarget.property_name("plan", "email", category="contact"))
    index = index_at(database, T0 + DAY)
    assert index.match("plan", EMAIL, "contact") == made
    assert index.match("plan", EMAIL, "temporary") is None
    assert index.match("plan", EMAIL, None) is None  # not the item as a whole


def test_expired_acks_resurface_and_revoked_ones_stop_matching(database: Database) -> None:
    expiring = add(database, AckTarget.item("plan", EMAIL), until=T0 + 3 * DAY)
    revoked = add(database, AckTarget.property_name("plan", "ip"))
    with database.session() as session:
        after = acks.revoke_ack(
            session, revoked.id, reason="now sent raw", by="bo", now=T0 + 2 * DAY
        )
    assert after.revoked is not None and after.revoked.by == "bo"
    ip = ItemKey(Scope.EVENT_PROPERTY, "Page", "ip")
    assert index_at(database, T0 + DAY).match("plan", ip) is not None
    assert index_at(database, T0 + 2 * DAY).match("plan", ip) is None
    assert index_at(database, T0 + 3 * DAY - dt.timedelta(seconds=1)).match("plan", EMAIL)
    assert index_at(database, T0 + 3 * DAY).match("plan", EMAIL) is None
    with database.session() as session:
        states = {a.id: a.state(T0 + 4 * DAY) for a in acks.list_acks(session)}
    assert states == {expiring.id: AckState.EXPIRED, revoked.id: AckState.REVOKED}


def test_ledger_is_append_only(database: Database) -> None:
    made = add(database, AckTarget.item("plan", EMAIL))
    with database.session() as session:
        acks.revoke_ack(session, made.id, reason="wrong", by="bo", now=T0 + DAY)
    with database.session() as session:
        rows = session.scalars(select(AckRow).order_by(AckRow.id)).all()
        assert [(r.action, r.revokes) for r in rows] == [("ack", None), ("revoke", made.id)]
        assert rows[0].reason == "hashed before sending" and rows[0].expires_at is None
    with pytest.raises(ConfigError, match="already revoked"), database.session() as session:
        acks.revoke_ack(session, made.id, reason="again", now=T0 + DAY)
    with pytest.raises(ConfigError, match="no acknowledgement"), database.session() as session:
        acks.revoke_ack(session, 999, reason="x", now=T0 + DAY)


def test_in_force_during_a_window(database: Database) -> None:
    made = add(database, AckTarget.item("plan", EMAIL), until=T0 + 2 * DAY)
    assert made.in_force(T0 - DAY, T0)
    assert made.in_force(T0 + DAY, T0 + 5 * DAY)
    assert not made.in_force(T0 + 2 * DAY, T0 + 5 * DAY)
    assert not made.in_force(T0 - 5 * DAY, T0 - DAY)
    with database.session() as session:
        assert acks.acks_in_force(session, T0 - 5 * DAY, T0 - DAY).match("plan", EMAIL) is None
        assert acks.acks_in_force(session, T0 - 5 * DAY, T0).match("plan", EMAIL) == made


@pytest.mark.parametrize(
    ("target", "kwargs", "message"),
    [
        (AckTarget.item("plan", EMAIL), {"reason": "  "}, "--reason is required"),
        (AckTarget.glob(""), {}, "--pattern needs"),
        (AckTarget.property_name("", "email"), {}, "needs --source"),
        (AckTarget.item("plan", EMAIL, category="Not A Category"), {}, "not a category id"),
        (AckTarget.item("plan", EMAIL), {"until": T0 - DAY}, "not in the future"),
    ],
)
def test_invalid_acks_are_one_line_config_errors(
    database: Database, target: AckTarget, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        add(database, target, **kwargs)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AckRow)) == 0


def test_who_comes_from_by_then_drift_user_then_the_os(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFT_USER", "carla")
    assert add(database, AckTarget.glob("x*"), by=None).by == "carla"
    assert add(database, AckTarget.glob("y*"), by="dan").by == "dan"
    monkeypatch.delenv("DRIFT_USER")
    monkeypatch.setenv("LOGNAME", "osuser")  # what the operating system says (getpass reads it)
    assert add(database, AckTarget.glob("z*"), by=None).by == "osuser"


def test_resolve_item_tries_every_colon_split(database: Database) -> None:
    items = [
        Item.of(Scope.EVENT, "Checkout: Step 1"),
        Item.of(Scope.EVENT_PROPERTY, "Checkout: Step 1", "email"),
        Item.of(Scope.USER_PROPERTY, "", "phone"),
        Item.of(Scope.EVENT_PROPERTY, "*", "utm:source"),
    ]
    with database.session() as session:
        record.record_snapshot(
            session,
            Schema.build("plan", Provenance.DOCUMENTED, items),
            source_type="jsonschema",
            taken_at=T0,
        )
    with database.session() as session:
        resolve = acks.resolve_item
        assert resolve(session, "plan", "Checkout: Step 1:email") == ItemKey(
            Scope.EVENT_PROPERTY, "Checkout: Step 1", "email"
        )
        assert resolve(session, "plan", ":phone") == ItemKey(Scope.USER_PROPERTY, "", "phone")
        assert resolve(session, "plan", "*:utm:source").name == "utm:source"
        assert resolve(session, "plan", "Checkout: Step 1").scope is Scope.EVENT
        with pytest.raises(ConfigError, match="never held"):
            resolve(session, "plan", "Signup:email")
        with pytest.raises(ConfigError, match="no snapshots recorded"):
            resolve(session, "nope", "Signup:email")
