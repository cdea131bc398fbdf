"""``type = "segment"``: Segment Protocols tracking plans through the Public API.

Provenance is *documented*. Rules are read by :mod:`drift.sources.segment_rules` (shared with the
``jsonschema`` source's Segment exports): the newest version of each rule as an event
``"Order Completed [TRACK v2]"``, nested properties as dotted paths, COMMON fields under ``*``.
By default only ``LIVE`` and ``ENGAGE`` plans are read (they validate real traffic; libraries and
templates hold reusable definitions): ``plan_types`` picks other types, ``tracking_plans`` picks
plans by id whatever their type. When the source covers more than one plan (``tracking_plans``
unset or listing several) the plan's slug prefixes every name, ``"web/Order Completed [TRACK v2]"``,
so two plans never collide. Segment publishes no numeric rate limit: we pace at 2 requests a
second and obey ``X-RateLimit-*`` and ``msBeforeNext``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from drift.errors import BadResponse
from drift.model import Item, Provenance, Schema, SourceRole
from drift.sources.http import HttpClient
from drift.sources.pacing import Pace
from drift.sources.segment_rules import event_aliases, plain_event, rules_items
from drift.sources.vendor import VendorConfig, VendorSource, max_pages_field

HOSTS = {"us": "https://api.segmentapis.com", "eu": "https://eu1.api.segmentapis.com"}
PACE = Pace("Segment", requests=120, per_seconds=60.0, concurrency=2)
PAGE_SIZE = 200
PlanType = Literal["LIVE", "ENGAGE", "PROPERTY_LIBRARY", "RULE_LIBRARY", "TEMPLATE"]
#: Plans that validate real traffic (Segment's ``TrackingPlanV1.type``).
LIVE_PLAN_TYPES: tuple[PlanType, ...] = ("LIVE", "ENGAGE")


class SegmentConfig(VendorConfig):
    type: Literal["segment"] = Field(description="Segment Public API tracking plans (Protocols).")
    region: Literal["us", "eu"] = Field(
        "us", description="us (api.segmentapis.com) or eu (eu1.api.segmentapis.com)."
    )
    token_env: str = Field(description="Env var holding a Public API token (Tracking Plan read).")
    tracking_plans: list[str] | None = Field(
        None,
        description="Tracking plan ids (tp_...) to read, whatever their type; default: every "
        "plan of plan_types.",
    )
    plan_types: list[PlanType] = Field(
        list(LIVE_PLAN_TYPES),
        min_length=1,
        description="Plan types read when tracking_plans is unset: LIVE, ENGAGE (default), "
        "PROPERTY_LIBRARY, RULE_LIBRARY, TEMPLATE.",
    )
    base_url: str | None = Field(
        None,
        description="scheme://host[/prefix] replacing the region host; /tracking-plans "
        "is appended.",
    )
    max_pages: int = max_pages_field()


class SegmentSource(VendorSource):
    Config = SegmentConfig
    hosts, pace = HOSTS, PACE
    provenance = Provenance.DOCUMENTED
    role = SourceRole.CDP
    reader_version = 2  # 2: segment_rules (nesting, COMMON, newest versions, zero-time)

    @classmethod
    def plain_event_name(cls, event: str) -> str:
        return plain_event(event)

    @classmethod
    def event_aliases(cls, event: str) -> tuple[str, ...]:
        return event_aliases(event)  # also without the plan prefix of a multi-plan source

    def probe(self) -> str:
        with self._http() as http:
            path = "/tracking-plans"
            data = _data(
                http.get_json(path, {"pagination.count": 1}), "trackingPlans", self.name, path
            )
        total = (data.get("pagination") or {}).get("totalEntries")
        return f"{total} tracking plans" if isinstance(total, int) else "answered"

    def _http(self) -> HttpClient:
        config = self.config
        assert isinstance(config, SegmentConfig)
        token = config.secret("token_env")
        accept = "application/vnd.segment.v1+json, application/json"
        return self.client(headers={"Authorization": f"Bearer {token}", "Accept": accept})

    def fetch(self) -> Schema:
        config = self.config
        assert isinstance(config, SegmentConfig)
        with self._http() as http:
            plans = self._plans(http, config)
            prefixed = config.tracking_plans is None or len(config.tracking_plans) > 1
            items: list[Item] = []
            for plan_id, label in plans:
                rules = self._paged(http, f"/tracking-plans/{plan_id}/rules", "rules")
                items.extend(rules_items(rules, label if prefixed else ""))
        return Schema.build(self.name, self.provenance, items)

    def _plans(self, http: HttpClient, config: SegmentConfig) -> list[tuple[str, str]]:
        if config.tracking_plans is not None:
            return [(p, p) for p in config.tracking_plans]
        plans = self._paged(http, "/tracking-plans", "trackingPlans")
        wanted = set(config.plan_types)
        return [
            (str(p["id"]), str(p.get("slug") or p["id"]))
            for p in plans
            if p.get("id") and str(p.get("type") or "LIVE").upper() in wanted
        ]

    def _paged(self, http: HttpClient, path: str, key: str) -> list[Mapping[str, Any]]:
        """Follow ``data.pagination.next`` until it is missing or null, guarding cycles."""
        guard, cursor = self.page_guard(f"Segment {path}"), None
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
