"""``type = "mixpanel"``: the Lexicon Schemas API (documented schemas, not what arrived).

Provenance is *documented*: the API "only returns events with associated schemas", so undocumented
events and properties (often the risky new ones) never show up here; pair this source with an
observed one. Mixpanel allows 5 requests a minute for a whole organisation, so one fetch is one
request: ``GET /api/app/projects/{id}/schemas`` lists every entity type (events and the ``$user``
profile) at once, and no per-event calls are made.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import Field

from drift.errors import BadResponse
from drift.model import Item, Provenance, Schema, Scope
from drift.sources.jsonschema_walk import dig
from drift.sources.pacing import Pace
from drift.sources.vendor import VendorConfig, VendorSource, basic_auth

log = logging.getLogger(__name__)

HOSTS = {
    "us": "https://mixpanel.com",
    "eu": "https://eu.mixpanel.com",
    "in": "https://in.mixpanel.com",
}
# Documented: 5 requests per minute per organisation; a 429 without Retry-After waits >= 60 s.
PACE = Pace("Mixpanel", requests=5, per_seconds=60.0, concurrency=1, rate_limit_floor=60.0)
_KNOWN_META = {
    "displayName",
    "tags",
    "hidden",
    "dropped",
    "owners",
    "contacts",
    "teamContacts",
    "$source",
}


class MixpanelConfig(VendorConfig):
    type: Literal["mixpanel"] = Field(description="Mixpanel Lexicon Schemas API.")
    project_id: int = Field(gt=0, description="Mixpanel project id (Settings > Overview).")
    region: Literal["us", "eu", "in"] = Field(
        "us", description="Data residency: us (mixpanel.com), eu or in."
    )
    username_env: str = Field(description="Env var holding the service account username.")
    secret_env: str = Field(description="Env var holding the service account secret.")
    base_url: str | None = Field(
        None,
        description="scheme://host[/prefix] replacing the region host (proxy, test server); "
        "/api/app/projects/... is appended.",
    )


class MixpanelSource(VendorSource):
    Config = MixpanelConfig
    hosts, pace = HOSTS, PACE
    provenance = Provenance.DOCUMENTED
    reader_version = 2  # 2: owners from contacts and teamContacts

    def fetch(self) -> Schema:
        config = self.config
        assert isinstance(config, MixpanelConfig)
        auth = basic_auth(config.secret("username_env") or "", config.secret("secret_env") or "")
        with self.client(auth=auth) as http:
            body = http.get_json(f"/api/app/projects/{config.project_id}/schemas")
        items = [item for entry in entries(body, self.name) for item in entity_items(entry)]
        return Schema.build(self.name, self.provenance, items)


def entries(body: Any, source: str) -> list[Mapping[str, Any]]:
    """Accept every documented wrapper: ``{results: [...]}``, ``{results: {...}}``, a bare
    schema entry, or a bare list (the docs and third-party clients disagree)."""
    if isinstance(body, Mapping) and body.get("status") not in (None, "ok"):
        raise BadResponse(f"source '{source}': Mixpanel answered status {body.get('status')!r}")
    if isinstance(body, Mapping) and "results" in body:
        body = body["results"]
    if isinstance(body, Mapping) and ("schemaJson" in body or "entityType" in body):
        body = [body]
    if not isinstance(body, list) or not all(isinstance(e, Mapping) for e in body):
        raise BadResponse(
            f"source '{source}': Mixpanel schemas response has an unexpected shape "
            "(expected a list of schema entries under 'results')"
        )
    return body


def entity_owners(meta: Mapping[str, Any]) -> list[str]:
    """Owners from the current spec (``contacts``, ``teamContacts``: lists of names or emails)
    and from the older one (``owners[{name, email}]``)."""
    return [
        *_owners(meta.get("owners")),
        *_owners(meta.get("contacts")),
        *_owners(meta.get("teamContacts")),
    ]


def _owners(raw: Any) -> list[str]:
    """Owner name, or email when there is no name."""
    out = []
    for owner in raw if isinstance(raw, list) else []:
        if isinstance(owner, Mapping):
            out.append(str(owner.get("name") or owner.get("email") or "").strip())
        elif isinstance(owner, str):
            out.append(owner)
    return [o for o in out if o]


def entity_items(entry: Mapping[str, Any]) -> Iterator[Item]:
    """One schema entry: an event (with its properties) or the ``$user`` profile."""
    kind, name = str(entry.get("entityType") or "event"), str(entry.get("name") or "")
    schema = dig(entry, "schemaJson")
    if not name:
        return
    if kind == "event":
        scope, event = Scope.EVENT_PROPERTY, name
        yield Item.of(Scope.EVENT, name, **_entity_fields(schema))
    elif kind == "profile" and name == "$user":
        scope, event = Scope.USER_PROPERTY, ""
    elif kind in ("profile", "group"):
        scope, event = Scope.GROUP_PROPERTY, name
    else:
        log.debug("mixpanel: skipping entity type %r", kind)
        return
    required = (
        set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
    )
    props = schema.get("properties")
    for key, prop in props.items() if isinstance(props, Mapping) else []:
        if isinstance(prop, Mapping):
            yield Item.of(scope, event, str(key), **_property_fields(prop, key in required))


def _entity_fields(schema: Mapping[str, Any]) -> dict[str, Any]:
    meta = dig(schema, "metadata", "com.mixpanel")
    extra = {k: v for k, v in meta.items() if k not in _KNOWN_META}
    if meta.get("$source"):
        extra["source"] = meta["$source"]
    return {
        "description": schema.get("description"),
        "display_name": meta.get("displayName"),
        "hidden": bool(meta.get("hidden")),
        "dropped": bool(meta.get("dropped")),
        "tags": meta.get("tags") if isinstance(meta.get("tags"), list) else [],
        "owners": entity_owners(meta),
        "vendor": extra,
    }


def _property_fields(prop: Mapping[str, Any], required: bool) -> dict[str, Any]:
    meta = dig(prop, "metadata", "com.mixpanel")
    types = prop.get("type")
    items = dig(prop, "items")
    return {
        "type": types,
        "description": prop.get("description"),
        "display_name": meta.get("displayName"),
        "required": required,
        "enum": prop.get("enum") if isinstance(prop.get("enum"), list) else None,
        "pattern": prop.get("pattern"),
        "format": prop.get("format"),
        "hidden": bool(meta.get("hidden")),
        "dropped": bool(meta.get("dropped")),
        "is_array": types == "array" or (isinstance(types, list) and "array" in types),
        "vendor": {"items_type": items.get("type")} if items.get("type") else None,
    }
