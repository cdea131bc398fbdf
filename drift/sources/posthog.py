"""``type = "posthog"``: event and property definitions (what actually arrived).

Provenance is *observed*: PostHog creates definitions from ingested events, so new properties show
up here before anyone documents them. Definitions can also vanish (garbage collected after events
stop), so ``absence_is_unlisting`` reports them as "no longer listed". Property definitions are
project-wide; drift links them to events by asking, for each event definition (the first
``max_linked_events`` by name, one paced call each), which properties were seen on it
(``event_names=["E"]&filter_by_event_names=true``). A linked property is keyed under each event it
arrives on; one never seen on a linked event stays under event ``"*"``. Person properties are user
properties, session properties event properties of event ``"$session"``, and group properties
sit under their group type index (``"0"`` ... ``"4"``, PostHog's maximum of five).
Description, hidden and verified exist on paid plans only and are optional. Paging follows the
query of each ``next`` URL on our own base URL, so a proxy's or self-hosted install's idea of its
own host never redirects credentials elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import Field

from drift.errors import BadResponse
from drift.model import ANY_EVENT, Item, Provenance, Schema, Scope
from drift.sources.http import HttpClient
from drift.sources.pacing import Pace
from drift.sources.vendor import VendorConfig, VendorSource, max_pages_field

HOSTS = {"us": "https://us.posthog.com", "eu": "https://eu.posthog.com"}
# Documented: 480/minute and 4800/hour per personal API key; we stay at 400/min.
PACE = Pace("PostHog", requests=400, per_seconds=60.0, concurrency=4)
PAGE_SIZE = 100
GROUP_TYPES = range(5)
SESSION_EVENT = "$session"
DEFAULT_LINKED_EVENTS = 200
TYPES = {
    "string": "string",
    "numeric": "number",
    "boolean": "boolean",
    "datetime": "datetime",
    "duration": "number",
}


class PostHogConfig(VendorConfig):
    type: Literal["posthog"] = Field(description="PostHog event and property definitions.")
    project_id: int = Field(gt=0, description="PostHog project id (the number in the app URL).")
    region: Literal["us", "eu"] = Field(
        "us", description="us (us.posthog.com) or eu (eu.posthog.com); base_url for self-hosted."
    )
    api_key_env: str = Field(description="Env var holding a personal API key (phx_...).")
    base_url: str | None = Field(
        None,
        description="scheme://host[/prefix] of a self-hosted PostHog or proxy; "
        "/api/projects/... is appended.",
    )
    max_linked_events: int = Field(
        DEFAULT_LINKED_EVENTS,
        ge=0,
        le=10_000,
        description="How many events (first by name) get their properties linked per run, one "
        "paced request each; properties of the rest stay under event '*'. 0 links none.",
    )
    max_pages: int = max_pages_field()


class PostHogSource(VendorSource):
    Config = PostHogConfig
    hosts, pace = HOSTS, PACE
    provenance = Provenance.OBSERVED
    reader_version = 2  # 2: properties linked to events, session properties
    absence_is_unlisting = True

    def fetch(self) -> Schema:
        with self._http() as http:
            items = list(self._items(http, self._base()))
        return Schema.build(self.name, self.provenance, items)

    def probe(self) -> str:
        with self._http() as http:
            body = http.get_json(f"{self._base()}/event_definitions/", {"limit": "1"})
        count = body.get("count") if isinstance(body, Mapping) else None
        return f"{count} event definitions" if isinstance(count, int) else "answered"

    def _base(self) -> str:
        config = self.config
        assert isinstance(config, PostHogConfig)
        return f"/api/projects/{config.project_id}"

    def _http(self) -> HttpClient:
        config = self.config
        assert isinstance(config, PostHogConfig)
        key = config.secret("api_key_env")
        return self.client(headers={"Authorization": f"Bearer {key}"})

    def _items(self, http: HttpClient, base: str) -> Iterator[Item]:
        config = self.config
        assert isinstance(config, PostHogConfig)
        events = [e for e in self._paged(http, f"{base}/event_definitions/", {}) if e.get("name")]
        for event in events:
            since = event.get("created_at")
            yield Item.of(Scope.EVENT, str(event["name"]), since=since, **_event_fields(event))
        props = f"{base}/property_definitions/"
        linked = sorted({str(e["name"]) for e in events})[: config.max_linked_events]
        yield from self._event_props(http, props, linked)
        yield from _props(self._paged(http, props, {"type": "person"}), Scope.USER_PROPERTY, "")
        sessions = self._paged(http, props, {"type": "session"})
        yield from _props(sessions, Scope.EVENT_PROPERTY, SESSION_EVENT)
        for index in GROUP_TYPES:
            found = self._paged(http, props, {"type": "group", "group_type_index": index})
            yield from _props(found, Scope.GROUP_PROPERTY, str(index))

    def _event_props(self, http: HttpClient, path: str, events: list[str]) -> Iterator[Item]:
        """Each property under the events it was seen on, or under ``*`` when on none of them."""
        rows = {str(r["name"]): r for r in self._paged(http, path, {"type": "event"})}
        seen_on: dict[str, list[str]] = {}
        for event in events:
            for row in self._paged(http, path, _seen_on(event)):
                rows.setdefault(str(row["name"]), row)
                seen_on.setdefault(str(row["name"]), []).append(event)
        for name, row in rows.items():
            for event in seen_on.get(name, [ANY_EVENT]):
                yield from _props([row], Scope.EVENT_PROPERTY, event)

    def _paged(
        self, http: HttpClient, path: str, params: dict[str, Any]
    ) -> list[Mapping[str, Any]]:
        """DRF limit/offset: follow the *query* of ``next`` until it is null."""
        guard = self.page_guard(f"PostHog {path}")
        query = {k: str(v) for k, v in {**params, "limit": PAGE_SIZE, "offset": 0}.items()}
        guard.first(_page_key(query))
        out: list[Mapping[str, Any]] = []
        while True:
            body = http.get_json(path, query)
            results = body.get("results") if isinstance(body, Mapping) else None
            if not isinstance(results, list):
                raise BadResponse(
                    f"source '{self.name}': PostHog GET {path} has an unexpected shape "
                    "(expected a 'results' list)"
                )
            out.extend(r for r in results if isinstance(r, Mapping) and r.get("name"))
            following = body.get("next")
            if not following:
                return out
            query = dict(parse_qsl(urlsplit(str(following)).query))
            guard.next(_page_key(query))


def _seen_on(event: str) -> dict[str, Any]:
    """Query for the event properties PostHog has seen on ``event`` (JSON-encoded list)."""
    names = json.dumps([event], ensure_ascii=False)
    return {"type": "event", "event_names": names, "filter_by_event_names": "true"}


def _page_key(query: Mapping[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(query.items()))


def _owner(raw: Any) -> list[str]:
    """The expanded owner (enterprise serializer): name, or email when there is no name."""
    if not isinstance(raw, Mapping):
        return []
    name = f"{raw.get('first_name') or ''} {raw.get('last_name') or ''}".strip()
    return [name or str(raw.get("email") or "")]


def _tags(raw: Any) -> list[str]:
    return [str(t) for t in raw] if isinstance(raw, list) else []


def _event_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "description": event.get("description"),
        "tags": _tags(event.get("tags")),
        "hidden": bool(event.get("hidden")),
        "owners": _owner(event.get("owner")),
        "vendor": {"verified": True} if event.get("verified") else None,
    }


def _props(found: list[Mapping[str, Any]], scope: Scope, event: str) -> Iterator[Item]:
    for prop in found:
        if not prop.get("virtual"):
            yield Item.of(scope, event, str(prop["name"]), **_prop_fields(prop))


def _prop_fields(prop: Mapping[str, Any]) -> dict[str, Any]:
    raw = str(prop.get("property_type") or "").strip().lower()
    kind = TYPES.get(raw, raw) or ("number" if prop.get("is_numerical") else None)
    vendor: dict[str, Any] = {"verified": True if prop.get("verified") else None}
    if raw == "duration":
        vendor["property_type"] = "Duration"
    return {
        "type": kind,
        "description": prop.get("description"),
        "tags": _tags(prop.get("tags")),
        "hidden": bool(prop.get("hidden")),
        "vendor": vendor,
    }
