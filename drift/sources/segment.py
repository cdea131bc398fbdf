"""``type = "segment"``: Segment Protocols tracking plans through the Public API.

Provenance is *documented*. Each rule becomes an event item keyed with its type and version,
``"Order Completed [TRACK v2]"`` (one key can carry several versions; IDENTIFY and GROUP rules have
their own shapes); when the source covers more than one plan (``tracking_plans`` unset or listing
several) the plan's slug prefixes the key, ``"web/Order Completed [TRACK v2]"``, so two plans never
collide. Event properties come from ``jsonSchema.properties.properties.properties``; traits of the
newest IDENTIFY rule are user properties, of the newest GROUP rule group properties (group
``"group"``). ``deprecatedAt`` marks a rule deprecated. Segment publishes no numeric rate limit:
we pace at 2 requests a second and obey ``X-RateLimit-*`` and ``msBeforeNext``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import Field

from drift.errors import BadResponse
from drift.model import Item, Provenance, Schema, Scope
from drift.sources.http import HttpClient, PageGuard
from drift.sources.jsonschema_walk import dig
from drift.sources.pacing import Pace
from drift.sources.vendor import VendorConfig, VendorSource

HOSTS = {"us": "https://api.segmentapis.com", "eu": "https://eu1.api.segmentapis.com"}
PACE = Pace("Segment", requests=120, per_seconds=60.0, concurrency=2)
PAGE_SIZE = 200
TRAIT_SCOPES = {"IDENTIFY": (Scope.USER_PROPERTY, ""), "GROUP": (Scope.GROUP_PROPERTY, "group")}


class SegmentConfig(VendorConfig):
    type: Literal["segment"] = Field(description="Segment Public API tracking plans (Protocols).")
    region: Literal["us", "eu"] = Field(
        "us", description="us (api.segmentapis.com) or eu (eu1.api.segmentapis.com)."
    )
    token_env: str = Field(description="Env var holding a Public API token (Tracking Plan read).")
    tracking_plans: list[str] | None = Field(
        None, description="Tracking plan ids (tp_...) to read; default: every plan."
    )
    base_url: str | None = Field(
        None,
        description="scheme://host[/prefix] replacing the region host; /tracking-plans "
        "is appended.",
    )


class SegmentSource(VendorSource):
    Config = SegmentConfig
    hosts, pace = HOSTS, PACE
    provenance = Provenance.DOCUMENTED

    def fetch(self) -> Schema:
        config = self.config
        assert isinstance(config, SegmentConfig)
        token = config.secret("token_env")
        accept = "application/vnd.segment.v1+json, application/json"
        with self.client(headers={"Authorization": f"Bearer {token}", "Accept": accept}) as http:
            plans = self._plans(http, config)
            prefixed = config.tracking_plans is None or len(config.tracking_plans) > 1
            items: list[Item] = []
            for plan_id, label in plans:
                rules = self._paged(http, f"/tracking-plans/{plan_id}/rules", "rules")
                items.extend(plan_items(rules, f"{label}/" if prefixed else ""))
        return Schema.build(self.name, self.provenance, items)

    def _plans(self, http: HttpClient, config: SegmentConfig) -> list[tuple[str, str]]:
        if config.tracking_plans is not None:
            return [(p, p) for p in config.tracking_plans]
        plans = self._paged(http, "/tracking-plans", "trackingPlans")
        return [(str(p["id"]), str(p.get("slug") or p["id"])) for p in plans if p.get("id")]

    def _paged(self, http: HttpClient, path: str, key: str) -> list[Mapping[str, Any]]:
        """Follow ``data.pagination.next`` until it is missing or null, guarding cycles."""
        guard, cursor = PageGuard(self.name, f"Segment {path}"), None
        out: list[Mapping[str, Any]] = []
        while True:
            params: dict[str, Any] = {"pagination.count": PAGE_SIZE}
            if cursor:
                params["pagination.cursor"] = cursor
            data = _data(http.get_json(path, params), key, self.name, path)
            out.extend(r for r in data[key] if isinstance(r, Mapping))
            page = data.get("pagination")
            following = page.get("next") if isinstance(page, Mapping) else None
            if not following:
                return out
            cursor = guard.next(str(following))


def _data(body: Any, key: str, source: str, path: str) -> Mapping[str, Any]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or not isinstance(data.get(key), list):
        raise BadResponse(
            f"source '{source}': Segment GET {path} has an unexpected shape "
            f"(expected data.{key} to be a list)"
        )
    return data


def plan_items(rules: list[Mapping[str, Any]], prefix: str) -> Iterator[Item]:
    """Items of one plan: every rule as an event, its properties, and the newest traits."""
    newest: dict[str, Mapping[str, Any]] = {}
    for rule in rules:
        kind = str(rule.get("type") or "TRACK").upper()
        event = f"{prefix}{rule_label(rule)}"
        yield Item.of(Scope.EVENT, event, deprecated=bool(rule.get("deprecatedAt")))
        yield from _props(_sub(rule, "properties"), Scope.EVENT_PROPERTY, event)
        if kind in TRAIT_SCOPES and _version(rule) >= _version(newest.get(kind, {})):
            newest[kind] = rule
    for kind, rule in newest.items():
        scope, event = TRAIT_SCOPES[kind]
        yield from _props(_sub(rule, "traits"), scope, event)


def rule_label(rule: Mapping[str, Any]) -> str:
    kind = str(rule.get("type") or "TRACK").upper()
    key = str(rule.get("key") or "").strip() or kind.lower()
    return f"{key} [{kind} v{_version(rule)}]"


def _version(rule: Mapping[str, Any]) -> int:
    version = rule.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def _sub(rule: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """``jsonSchema.properties.<name>`` (where PAPI wraps properties or traits)."""
    return dig(rule, "jsonSchema", "properties", name)


def _props(sub: Mapping[str, Any], scope: Scope, event: str) -> Iterator[Item]:
    required = sub.get("required")
    required = required if isinstance(required, list) else []
    props = sub.get("properties")
    for key, prop in props.items() if isinstance(props, Mapping) else []:
        if isinstance(prop, Mapping):
            yield Item.of(scope, event, str(key), **_fields(prop, key in required))


def _fields(prop: Mapping[str, Any], required: bool) -> dict[str, Any]:
    types = prop.get("type")
    type_list = types if isinstance(types, list) else [types]
    return {
        "type": types,
        "description": prop.get("description"),
        "required": required,
        "enum": prop.get("enum") if isinstance(prop.get("enum"), list) else None,
        "pattern": prop.get("pattern"),
        "format": prop.get("format"),
        "is_array": "array" in type_list,
    }
