"""Each connector against a real loopback server: documented shapes in, clear errors out."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer

from drift.errors import AuthError, BadResponse, DeadlineExceeded, RateLimited, SourceError
from drift.model import Schema
from tests.sources.conftest import (
    FIRST_PATH,
    VENDORS,
    FakeClock,
    RawServer,
    base,
    case,
    make_source,
    serve_happy,
)


def fetch(vendor: str, server: HTTPServer, clock: FakeClock, **kw: object) -> Schema:
    return make_source(vendor, base(server), clock=clock, **kw).fetch()  # type: ignore[arg-type]


def test_mixpanel_429_without_hint_gives_up_when_a_minute_does_not_fit(httpserver, clock) -> None:
    first(httpserver, "mixpanel").respond_with_data("", status=429)
    with pytest.raises(RateLimited, match="still rate limited"):
        fetch("mixpanel", httpserver, clock, deadline=30.0)
    assert clock.sleeps == [] and len(httpserver.log) == 1


def labels(schema: Schema) -> dict[str, dict]:
    return {f"{i.scope}:{i.key.label}": dict(i.definition) for i in schema.items}


# ------------------------------------------------------------------ happy paths


MIXPANEL_ITEMS = {
    "event:Added To Cart": {
        "description": "Tracked when a user adds an item to their cart.",
        "display_name": "Item Added",
        "tags": ["Shopping"],
        # owners (older spec), contacts and teamContacts (current spec)
        "owners": ["Analytics Team", "Pat Davis", "first.last@example.com", "ops@example.com"],
        "vendor": {"source": "api"},
    },
    "event:Legacy Checkout": {"description": "Old checkout", "hidden": True, "dropped": True},
    "event_property:Added To Cart.email_domain": {  # its "default" value is never kept
        "type": ["string"],
        "description": "Buyer email domain",
    },
    "event_property:Added To Cart.item_id": {  # no examples: values never enter a definition
        "type": ["integer"],
        "description": "Internal item id",
        "display_name": "Item ID",
        "required": True,
    },
    "event_property:Added To Cart.signup_at": {"type": ["string"], "format": "date-time"},
    "event_property:Legacy Checkout.coupon": {"type": ["null", "string"], "hidden": True},
    "user_property:user.$email": {"type": ["string"], "description": "Email address"},
    "user_property:user.plan": {"type": ["string"], "enum": ["free", "pro"]},
}


def test_mixpanel_events_profile_and_lexicon_metadata(httpserver: HTTPServer, clock) -> None:
    serve_happy(httpserver, "mixpanel")
    assert labels(fetch("mixpanel", httpserver, clock)) == MIXPANEL_ITEMS
    assert len(httpserver.log) == 1  # one request: Mixpanel allows 5 a minute per org


@pytest.mark.parametrize("name", ["single_bare.json", "single_wrapped.json", "bare_list.json"])
def test_mixpanel_every_wrapper_form(httpserver: HTTPServer, clock, name: str) -> None:
    httpserver.expect_request(FIRST_PATH["mixpanel"]).respond_with_json(case("mixpanel", name))
    got = labels(fetch("mixpanel", httpserver, clock))
    assert got["event_property:Added To Cart.item_id"]["type"] == ["integer"]


# ------------------------------------------------------------------ failures, every vendor


def first(server: HTTPServer, vendor: str):  # type: ignore[no-untyped-def]
    return server.expect_request(FIRST_PATH[vendor])


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("headers", [{"Retry-After": "7"}, {}])
def test_429_then_success(httpserver: HTTPServer, clock, vendor: str, headers: dict) -> None:
    httpserver.expect_oneshot_request(FIRST_PATH[vendor]).respond_with_json(
        {"error": "slow down"}, status=429, headers=headers
    )
    serve_happy(httpserver, vendor)
    schema = fetch(vendor, httpserver, clock, deadline=120.0)
    assert schema.items
    if headers:
        assert clock.sleeps[0] == 7.0
    elif vendor == "mixpanel":
        assert clock.sleeps[0] >= 60.0  # Mixpanel: back off a minute when it does not say
    else:
        assert 0 <= clock.sleeps[0] <= 1.0  # full jitter, first step


@pytest.mark.parametrize("vendor", VENDORS)
def test_5xx_retried_then_given_up(httpserver: HTTPServer, clock, vendor: str) -> None:
    first(httpserver, vendor).respond_with_data("oops", status=503)
    with pytest.raises(SourceError) as err:
        fetch(vendor, httpserver, clock)
    assert f"source '{vendor}-test'" in str(err.value) and "HTTP 503" in str(err.value)
    assert "after retries" in str(err.value) and err.value.transient
    assert len(httpserver.log) == 4


@pytest.mark.parametrize("vendor", VENDORS)
def test_429_forever_is_rate_limited(httpserver: HTTPServer, clock, vendor: str) -> None:
    first(httpserver, vendor).respond_with_data("", status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited, match="still rate limited"):
        fetch(vendor, httpserver, clock)


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_name_the_env_vars(httpserver, clock, vendor: str, status: int) -> None:
    first(httpserver, vendor).respond_with_json({"error": "nope"}, status=status)
    with pytest.raises(AuthError) as err:
        fetch(vendor, httpserver, clock)
    message = str(err.value)
    assert f"HTTP {status}" in message and f"'{vendor}-test'" in message
    assert vendor.upper() in message.replace("POSTHOG", "POSTHOG")  # e.g. SEGMENT_TOKEN
    assert len(httpserver.log) == 1  # never retried


@pytest.mark.parametrize("vendor", VENDORS)
def test_malformed_json(httpserver: HTTPServer, clock, vendor: str) -> None:
    first(httpserver, vendor).respond_with_data("{not json", content_type="application/json")
    with pytest.raises(BadResponse, match="did not return valid JSON"):
        fetch(vendor, httpserver, clock)


@pytest.mark.parametrize("vendor", VENDORS)
def test_wrong_shape(httpserver: HTTPServer, clock, vendor: str) -> None:
    first(httpserver, vendor).respond_with_json({"data": "surprise", "results": 3})
    with pytest.raises(BadResponse, match="unexpected shape"):
        fetch(vendor, httpserver, clock)


@pytest.mark.parametrize("vendor", VENDORS)
def test_truncated_body(raw_server, clock, vendor: str) -> None:
    server: RawServer = raw_server("truncate")
    with pytest.raises(BadResponse, match="cut off"):
        make_source(vendor, server.url, clock=clock).fetch()


@pytest.mark.parametrize("vendor", VENDORS)
def test_server_that_never_answers_hits_the_deadline(raw_server, vendor: str) -> None:
    server: RawServer = raw_server("silent")
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="deadline"):
        make_source(vendor, server.url, deadline=1.0).fetch()
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("mode", ["drip_body", "drip_headers"])
def test_byte_dripping_server_is_cut_at_the_deadline(raw_server, mode: str) -> None:
    server: RawServer = raw_server(mode)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        make_source("posthog", server.url, deadline=1.0).fetch()
    assert time.monotonic() - started < 3.0


# ------------------------------------------------------------------ pagination


def test_segment_cursor_cycle(httpserver: HTTPServer, clock) -> None:
    pages = {None: "A", "A": "B", "B": "A"}

    def handler(request):  # type: ignore[no-untyped-def]
        import json

        from werkzeug import Response

        cursor = request.args.get("pagination.cursor")
        body = {"data": {"trackingPlans": [], "pagination": {"next": pages[cursor]}}}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/tracking-plans").respond_with_handler(handler)
    with pytest.raises(BadResponse, match="cycle"):
        fetch("segment", httpserver, clock)
    assert len(httpserver.log) == 3


def test_posthog_next_cycle(httpserver: HTTPServer, clock) -> None:
    body = {
        "results": [],
        "next": "https://us.posthog.com/api/projects/7/event_definitions/?limit=100&offset=100",
    }
    httpserver.expect_request(FIRST_PATH["posthog"]).respond_with_json(body)
    with pytest.raises(BadResponse, match="cycle"):
        fetch("posthog", httpserver, clock)


@pytest.mark.parametrize("vendor", ["segment", "posthog"])
def test_runaway_page_count(httpserver, clock, vendor: str) -> None:
    counter = iter(range(10_000))

    def handler(request):  # type: ignore[no-untyped-def]
        import json

        from werkzeug import Response

        n = next(counter)
        if vendor == "segment":
            body = {"data": {"trackingPlans": [], "pagination": {"next": f"c{n}"}}}
        else:
            body = {"results": [], "next": f"https://x/?limit=1&offset={n + 1}"}
        return Response(json.dumps(body), content_type="application/json")

    first(httpserver, vendor).respond_with_handler(handler)
    with pytest.raises(BadResponse, match="more than 5 pages"):
        fetch(vendor, httpserver, clock, max_pages=5)  # the [[sources]] key
    assert len(httpserver.log) <= 5


@pytest.mark.parametrize("vendor", ["segment", "posthog"])
def test_a_listing_of_exactly_max_pages_is_read_whole(httpserver, clock, vendor: str) -> None:
    pages = iter(range(10_000))

    def handler(request):  # type: ignore[no-untyped-def]
        import json

        from werkzeug import Response

        n = next(pages)
        more = n < 4  # five pages in all
        if vendor == "segment":
            body = {
                "data": {"trackingPlans": [], "pagination": {"next": f"c{n}" if more else None}}
            }
        else:
            body = {"results": [], "next": f"https://x/?limit=1&offset={n + 1}" if more else None}
        return Response(json.dumps(body), content_type="application/json")

    first(httpserver, vendor).respond_with_handler(handler)
    serve_happy(httpserver, vendor)  # the vendor's other listings
    fetch(vendor, httpserver, clock, max_pages=5)
    assert next(pages) == 5  # every page was read


def test_posthog_next_url_host_is_ignored(httpserver: HTTPServer, clock) -> None:
    """The ``next`` URL names another host; only its query is used, on our own base URL."""
    serve_happy(httpserver, "posthog")
    fetch("posthog", httpserver, clock)
    offsets = [r.args.get("offset") for r, _ in httpserver.log if "event_def" in r.path]  # type: ignore[attr-defined]
    assert offsets == ["0", "1"]


@pytest.mark.parametrize("vendor", ["mixpanel"])
def test_fixture_readme_names_every_file(vendor: str) -> None:
    from tests.sources.conftest import VENDORS_DIR

    readme = (VENDORS_DIR / vendor / "README.md").read_text()
    for path in (VENDORS_DIR / vendor).glob("*.json"):
        assert f"`{path.name}`" in readme


def test_max_pages_is_a_key_of_paged_vendors_only() -> None:
    from drift.config import parse_config
    from drift.errors import ConfigError

    def source(type_: str, extra: dict[str, object]) -> dict[str, object]:
        keys = {"segment": {"token_env": "T"}, "posthog": {"project_id": 1, "api_key_env": "T"}}
        keys["mixpanel"] = {"project_id": 1, "username_env": "U", "secret_env": "S"}
        return {"name": "s", "type": type_, **keys[type_], **extra}

    for type_ in ("segment", "posthog"):
        block = parse_config({"sources": [source(type_, {})]}).sources[0]
        assert block.max_pages == 1000  # type: ignore[attr-defined]
        raised = parse_config({"sources": [source(type_, {"max_pages": 50_000})]}).sources[0]
        assert raised.max_pages == 50_000  # type: ignore[attr-defined]
        with pytest.raises(ConfigError, match="max_pages"):
            parse_config({"sources": [source(type_, {"max_pages": 1})]})
    with pytest.raises(ConfigError, match="max_pages"):  # Mixpanel answers in one response
        parse_config({"sources": [source("mixpanel", {"max_pages": 5})]})
