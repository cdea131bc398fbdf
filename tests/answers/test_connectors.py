"""A connector given to ``App`` (``source_classes``) is the one every answer asks for its traits:
how it names events (reconcile) and its role (the cross-vendor inventory), not only for fetching.
Each test fails when the answer asks the plugin registry instead."""

from __future__ import annotations

from drift.answers.inventory import inventory
from drift.answers.reconcile import reconcile
from drift.app import App
from drift.config import DriftConfig
from drift.model import Provenance, Schema, SourceRole
from drift.sources.base import SourceBase
from drift.sources.events import EventsSource
from drift.store.database import Database
from drift.store.record import record_snapshot
from tests.govern.scenario import DAYS, config, plan_schema, prop, record_days


class DecoratedEvents(EventsSource):
    """Names each event ``NAME (web)``; the plain name is the part before the decoration."""

    @classmethod
    def plain_event_name(cls, event: str) -> str:
        return event.removesuffix(" (web)")


class VendorEvents(EventsSource):
    """The same files, read as what a vendor holds rather than as samples."""

    role = SourceRole.VENDOR


def app_on(db_url: str, connectors: dict[str, type[SourceBase]] | None = None) -> App:
    parsed: DriftConfig = config()
    database = parsed.database.model_copy(update={"url": db_url})
    return App(config=parsed.model_copy(update={"database": database}), source_classes=connectors)


def test_reconcile_names_events_as_the_given_connector_does(
    database: Database, db_url: str
) -> None:
    web = Schema.build(
        "web-events",
        Provenance.OBSERVED,
        [prop("Signup (web)", "email", "string"), prop("Signup (web)", "plan", "string")],
    )
    app = Schema.build("app-events", Provenance.OBSERVED, [prop("*", "plan", "string")])
    for schema, kind in ((plan_schema(), "jsonschema"), (web, "events"), (app, "events")):
        with database.session() as session:
            record_snapshot(session, schema, source_type=kind, taken_at=DAYS[0])

    def undocumented(connectors: dict[str, type[SourceBase]] | None) -> set[tuple[str, ...]]:
        answer = app_on(database.url, connectors)
        try:
            return {(u.name, *u.events) for u in reconcile(answer).report.undocumented}
        finally:
            answer.close()

    assert undocumented(None) == {("email", "Signup (web)"), ("plan", "Signup (web)")}
    assert undocumented({"events": DecoratedEvents}) == set()


def test_the_cross_vendor_view_asks_the_given_connector_for_its_role(
    database: Database, db_url: str
) -> None:
    record_days(database)

    def sent_direct(connectors: dict[str, type[SourceBase]] | None) -> dict[str, tuple[str, ...]]:
        answer = app_on(db_url, connectors)
        try:
            rows = inventory(answer, across=True).properties
        finally:
            answer.close()
        return {row.name: row.direct_to_vendor for row in rows if row.direct_to_vendor}

    assert sent_direct(None) == {}  # event samples are not a vendor
    assert sent_direct({"events": VendorEvents}) == {
        "ip_address": ("app-events",),
        "phone_number": ("web-events",),
    }
