"""``type = "amplitude"``: the classic Taxonomy API (the planned/ingested taxonomy).

Provenance is *documented*. Amplitude lists properties for one event type at a time, so a fetch is
2 (events, then events with ``showDeleted=true``) + N (one per live event, at most 4 at once: the
documented concurrent cost limit) + 1 (the shared set, kept under event ``"*"``) + 1 (user
properties) GETs. An event only the ``showDeleted`` list holds (or marked ``deleted``) was deleted
at Amplitude and is recorded with ``deleted``; hidden events vanish from both lists, and
``absence_is_unlisting`` makes the diff say "no longer listed", not "removed". The customer's own
privacy labels (``classifications``: PII, SENSITIVE, REVENUE), event owners, ``is_active`` and the
``is_hidden_from_*`` flags are kept. Custom events (``ce:``) and custom user properties (``gp:``)
are keyed without their prefix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, Literal

from pydantic import Field

from drift.errors import BadResponse
from drift.model import ANY_EVENT, Item, Provenance, Schema, Scope
from drift.sources.http import HttpClient
from drift.sources.pacing import Pace
from drift.sources.vendor import VendorConfig, VendorSource, basic_auth

HOSTS = {"us": "https://amplitude.com", "eu": "https://analytics.eu.amplitude.com"}
# Documented: concurrent cost 4, 7200 cost per hour, GET costs 1.
PACE = Pace("Amplitude", requests=7200, per_seconds=3600.0, concurrency=4)
API = "/api/2/taxonomy"


class AmplitudeConfig(VendorConfig):
    type: Literal["amplitude"] = Field(description="Amplitude Taxonomy API (classic).")
    region: Literal["us", "eu"] = Field(
        "us", description="us (amplitude.com) or eu (analytics.eu.amplitude.com)."
    )
    api_key_env: str = Field(description="Env var holding the project API key.")
    secret_key_env: str = Field(description="Env var holding the project secret key.")
    base_url: str | None = Field(
        None,
        description="scheme://host[/prefix] replacing the region host; /api/2/taxonomy/... is "
        "appended.",
    )


class AmplitudeSource(VendorSource):
    Config = AmplitudeConfig
    hosts, pace = HOSTS, PACE
    provenance = Provenance.DOCUMENTED
    reader_version = 2  # 2: classifications, owners, activity/visibility flags, showDeleted
    absence_is_unlisting = True

    def fetch(self) -> Schema:
        with self._http() as http:
            items = list(self._items(http))
        return Schema.build(self.name, self.provenance, items)

    def probe(self) -> str:
        with self._http() as http:
            return f"{len(self._data(http, f'{API}/event'))} events listed"

    def _http(self) -> HttpClient:
        config = self.config
        assert isinstance(config, AmplitudeConfig)
        auth = basic_auth(config.secret("api_key_env") or "", config.secret("secret_key_env") or "")
        return self.client(auth=auth)

    def _items(self, http: HttpClient) -> Iterator[Item]:
        listed = self._data(http, f"{API}/event")
        with_deleted = self._data(http, f"{API}/event", {"showDeleted": "true"})
        live = {str(e.get("event_type")) for e in listed if not e.get("deleted")}
        names = []
        for event in _by_name(listed + with_deleted):
            raw = str(event["event_type"])
            deleted = raw not in live
            if not deleted:
                names.append(raw)
            fields = _event_fields(event, raw) | {"deleted": deleted}
            yield Item.of(Scope.EVENT, _strip(raw, "ce:"), **fields)
        for raw, props in self._per_event(http, names):
            yield from _properties(props, _strip(raw, "ce:"))
        yield from _properties(self._data(http, f"{API}/event-property"), ANY_EVENT)
        for prop in self._data(http, f"{API}/user-property"):
            if prop.get("user_property"):
                yield _user_property(prop)

    def _per_event(self, http: HttpClient, names: list[str]) -> list[tuple[str, list[Any]]]:
        """One call per event, at most 4 in flight; the first failure fails the fetch."""
        if not names:
            return []
        with ThreadPoolExecutor(4, thread_name_prefix=f"drift-{self.name}") as pool:
            futures = [
                pool.submit(self._data, http, f"{API}/event-property", {"event_type": n})
                for n in names
            ]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in futures if f in done and f.exception() is not None]
            if failed:
                for future in futures:
                    future.cancel()
                raise failed[0].exception()  # type: ignore[misc]
            return [(n, f.result()) for n, f in zip(names, futures, strict=True)]

    def _data(
        self, http: HttpClient, path: str, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        body = http.get_json(path, params)
        if isinstance(body, Mapping) and body.get("success") is False:
            raise BadResponse(f"source '{self.name}': Amplitude GET {path} said success=false")
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list) or not all(isinstance(d, Mapping) for d in data):
            raise BadResponse(
                f"source '{self.name}': Amplitude GET {path} has an unexpected shape "
                "(expected {'success': true, 'data': [...]})"
            )
        return data


def _by_name(events: list[Any]) -> list[Mapping[str, Any]]:
    """One row per event type (the first list wins), rows without a name dropped."""
    rows: dict[str, Mapping[str, Any]] = {}
    for event in events:
        name = str(event.get("event_type") or "")
        if name and name not in rows:
            rows[name] = event
    return list(rows.values())


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) and len(name) > len(prefix) else name


def _description(raw: Any) -> Any:
    """Amplitude sends ``null`` and sometimes the string ``"null"`` for "no description"."""
    return None if raw is None or str(raw).strip().lower() == "null" else raw


def _category(raw: Any) -> Any:
    return raw.get("name") if isinstance(raw, Mapping) else raw if isinstance(raw, str) else None


def _enum(raw: Any) -> list[str] | None:
    if isinstance(raw, list):
        return [str(v) for v in raw]
    if isinstance(raw, str) and raw.strip() and raw.strip().lower() != "null":
        return [v.strip() for v in raw.split(",") if v.strip()]
    return None


HIDDEN_FROM = ("dropdowns", "persona_results", "pathfinder", "timeline")


def _event_fields(event: Mapping[str, Any], raw: str) -> dict[str, Any]:
    owner = event.get("owner")
    return {
        "description": _description(event.get("description")),
        "display_name": event.get("display_name"),
        "category": _category(event.get("category")),
        "tags": [str(t) for t in event.get("tags") or [] if isinstance(event.get("tags"), list)],
        "owners": [owner] if isinstance(owner, str) and owner.strip() else None,
        "vendor": _event_vendor(event, raw),
    }


def _event_vendor(event: Mapping[str, Any], raw: str) -> dict[str, Any]:
    """Amplitude-only flags: custom event, inactive, and where the event is hidden in the UI."""
    hidden_from = [w for w in HIDDEN_FROM if event.get(f"is_hidden_from_{w}") is True]
    return {
        "custom_event": True if raw.startswith("ce:") else None,
        "inactive": True if event.get("is_active") is False else None,
        "hidden_from": hidden_from or None,
    }


def _classifications(raw: Any) -> list[str] | None:
    """The customer's privacy labels (``PII``, ``SENSITIVE``, ``REVENUE``), upper-cased."""
    if not isinstance(raw, list):
        return None
    return [str(c).strip().upper() for c in raw if isinstance(c, str) and c.strip()]


def _prop_fields(prop: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": prop.get("type"),
        "description": _description(prop.get("description")),
        "enum": _enum(prop.get("enum_values")),
        "pattern": prop.get("regex"),
        "is_array": bool(prop.get("is_array_type")),
        "required": bool(prop.get("is_required")),
        "hidden": bool(prop.get("is_hidden")),
        "deleted": prop.get("deleted") is True,
        **_labels(prop.get("classifications")),
    }


def _labels(raw: Any) -> dict[str, Any]:
    """The privacy labels and who set them (read by :mod:`drift.classify.vendor_labels`)."""
    labels = _classifications(raw)
    return {"classifications": labels, "classified_by": "Amplitude" if labels else None}


def _properties(props: list[Any], event: str) -> Iterator[Item]:
    for prop in props:
        if prop.get("event_property"):
            name = str(prop["event_property"])
            yield Item.of(Scope.EVENT_PROPERTY, event, name, **_prop_fields(prop))


def _user_property(prop: Mapping[str, Any]) -> Item:
    raw = str(prop.get("user_property") or "")
    custom = raw.startswith("gp:")
    fields = _prop_fields(prop) | {"vendor": {"custom": True} if custom else None}
    return Item.of(Scope.USER_PROPERTY, "", _strip(raw, "gp:"), **fields)
