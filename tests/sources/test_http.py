"""The shared HTTP helper: pacing, back-off hints, size cap, TLS, redirects, cancel."""

from __future__ import annotations

import email.utils
import logging
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from pytest_httpserver import HTTPServer

from drift.errors import BadResponse, DeadlineExceeded, RateLimited, SourceError
from drift.sources import http, pacing
from drift.sources.base import Runtime
from drift.sources.mixpanel import PACE as MIXPANEL_PACE
from tests.sources.conftest import FakeClock, RawServer, base, make_source

SOURCES_DIR = Path(http.__file__).parent


def client(server_url: str, clock: pacing.Clock, **kw) -> http.HttpClient:  # type: ignore[no-untyped-def]
    runtime = kw.pop("runtime", None) or Runtime(deadline_seconds=3600)
    pace = kw.pop("pace", pacing.Pace("Test", requests=1000, per_seconds=1.0))
    return http.HttpClient(
        source="t",
        base_url=server_url,
        pace=pace,
        runtime=runtime,
        env_names=["T_KEY"],
        clock=clock,
        **kw,
    )


def test_mixpanel_pace_never_exceeds_5_per_minute() -> None:
    clock = FakeClock()
    pacer = pacing.Pacer(MIXPANEL_PACE, clock)
    runtime = Runtime(deadline_seconds=3600)
    sent = []
    for _ in range(20):
        with pacer.turn("mp", runtime):
            sent.append(clock.monotonic())
    assert sent[-1] - sent[0] >= 180.0
    assert all(sent[i + 5] - sent[i] >= 60.0 for i in range(len(sent) - 5))


def test_pace_that_cannot_fit_the_deadline_is_a_clear_error() -> None:
    pacer = pacing.Pacer(MIXPANEL_PACE, FakeClock())
    runtime = Runtime(deadline_seconds=30)
    for _ in range(5):
        with pacer.turn("mp", runtime):
            pass
    with pytest.raises(DeadlineExceeded, match="5 requests per 60 s"), pacer.turn("mp", runtime):
        pass


def test_sources_of_one_vendor_host_share_a_pacer() -> None:
    one = pacing.shared_pacer(MIXPANEL_PACE, "https://mixpanel.com")
    assert pacing.shared_pacer(MIXPANEL_PACE, "https://MIXPANEL.com/") is one
    assert pacing.shared_pacer(MIXPANEL_PACE, "https://eu.mixpanel.com") is not one


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Retry-After": "120"}, "", 120.0),
        ({"Retry-After": "999999"}, "", 600.0),  # clamped
        ({}, '{"errors":[{"data":{"remainingPoints":0,"msBeforeNext":57647}}]}', 57.647),
        ({"X-RateLimit-Reset": "__DATE__"}, "", 30.0),
        ({"Retry-After": "__DATE__"}, "", 30.0),
    ],
)
def test_server_hints_are_honoured_and_capped(httpserver, headers, body, expected) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    date = email.utils.formatdate(clock.time() + 30, usegmt=True)
    headers = {k: v.replace("__DATE__", date) for k, v in headers.items()}
    httpserver.expect_oneshot_request("/x").respond_with_data(body, status=429, headers=headers)
    httpserver.expect_request("/x").respond_with_json({"ok": True})
    with client(base(httpserver), clock) as c:
        assert c.get_json("/x") == {"ok": True}
    assert clock.sleeps[0] == pytest.approx(expected, abs=1.5)


def test_backoff_is_full_jitter_and_bounded(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    httpserver.expect_request("/x").respond_with_data("", status=502)
    with client(base(httpserver), clock, max_attempts=6) as c, pytest.raises(SourceError):
        c.get_json("/x")
    assert len(clock.sleeps) == 5
    assert all(0 <= s <= min(60, 2**n) for n, s in enumerate(clock.sleeps))


def test_hint_past_the_deadline_gives_up_at_once(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    httpserver.expect_request("/x").respond_with_data("", status=429, headers={"Retry-After": "90"})
    with (
        client(base(httpserver), clock, runtime=Runtime(deadline_seconds=20)) as c,
        pytest.raises(RateLimited),
    ):
        c.get_json("/x")
    assert clock.sleeps == []


def test_ratelimit_remaining_zero_holds_the_next_request(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    reset = email.utils.formatdate(clock.time() + 20, usegmt=True)
    httpserver.expect_request("/x").respond_with_json(
        {}, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    )
    with client(base(httpserver), clock) as c:
        c.get_json("/x")
        c.get_json("/x")
    assert clock.sleeps and clock.sleeps[0] == pytest.approx(20, abs=1.5)


def test_content_length_over_the_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("[" + "1," * 5000 + "1]")
    with (
        client(base(httpserver), FakeClock(), max_bytes=1000) as c,
        pytest.raises(BadResponse, match="larger than"),
    ):
        c.get_json("/x")


def test_chunked_body_without_length_is_cut_off(raw_server) -> None:  # type: ignore[no-untyped-def]
    server: RawServer = raw_server("chunked_big")
    with (
        client(server.url, FakeClock(), max_bytes=10 * 1024) as c,
        pytest.raises(BadResponse, match="larger than"),
    ):
        c.get_json("/x")


def test_redirect_to_another_host_is_not_followed(httpserver: HTTPServer) -> None:
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/steal").respond_with_json({})
        httpserver.expect_request("/x").respond_with_data(
            "", status=302, headers={"Location": other.url_for("/steal")}
        )
        with (
            client(base(httpserver), FakeClock()) as c,
            pytest.raises(BadResponse, match="redirect"),
        ):
            c.get_json("/x")
        assert other.log == []
    finally:
        other.stop()


def test_self_signed_tls_is_refused(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"https://localhost:{server.server_address[1]}"
        with pytest.raises(SourceError, match="TLS certificate is not trusted") as err:
            make_source("posthog", url, clock=FakeClock()).fetch()
        assert err.value.transient is False
    finally:
        server.shutdown()


def test_cancel_stops_before_the_next_request(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_json({})
    runtime = Runtime(deadline_seconds=60)
    runtime.cancel.set()
    with (
        client(base(httpserver), FakeClock(), runtime=runtime) as c,
        pytest.raises(SourceError, match="cancelled"),
    ):
        c.get_json("/x")
    assert httpserver.log == []


@pytest.mark.parametrize(
    "url", ["ftp://x", "http://example.com", "https://u:p@host", "https://h/?a=1", "nohost"]
)
def test_base_url_is_checked(url: str) -> None:
    with pytest.raises(ValueError):
        http.check_base_url(url)


def test_base_url_keeps_its_prefix(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/proxy/api/app/projects/1/schemas").respond_with_json(
        {"results": []}
    )
    schema = make_source("mixpanel", base(httpserver) + "/proxy/", clock=FakeClock()).fetch()
    assert schema.items == ()


def test_httpx_request_logging_is_silenced() -> None:
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING


def test_no_tls_bypass_and_every_retry_has_a_stop() -> None:
    for path in SOURCES_DIR.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"verify\s*=\s*False", text), path
        assert "timeout=None" not in text, path
        for call in re.finditer(r"\b(?:retry|Retrying)\(", text):
            assert "stop=" in text[call.end() : call.end() + 300], (path, call.group())


def test_a_slow_but_steady_server_within_the_deadline_is_fine(httpserver: HTTPServer) -> None:
    def slow(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        time.sleep(0.3)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/x").respond_with_handler(slow)
    with client(base(httpserver), FakeClock(), runtime=Runtime(deadline_seconds=5)) as c:
        assert c.get_json("/x") == {}
