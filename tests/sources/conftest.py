"""Loopback servers, a fake clock and one factory per vendor for the connector tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from drift.sources import pacing
from drift.sources.amplitude import AmplitudeConfig, AmplitudeSource
from drift.sources.base import Runtime, SourceBase
from drift.sources.mixpanel import MixpanelConfig, MixpanelSource
from drift.sources.posthog import PostHogConfig, PostHogSource
from drift.sources.segment import SegmentConfig, SegmentSource

VENDORS_DIR = Path(__file__).resolve().parents[1] / "cases" / "vendors"
CANARIES = {
    "MIXPANEL_USERNAME": "canary-mpuser-5e1f",
    "MIXPANEL_SECRET": "canary-mpsecret-9c2d",
    "AMPLITUDE_API_KEY": "canary-ampkey-41aa",
    "AMPLITUDE_SECRET_KEY": "canary-ampsecret-77b0",
    "SEGMENT_TOKEN": "canary-segtoken-0d3e",
    "POSTHOG_API_KEY": "phx_canary-phkey-b6c1",
}


def case(vendor: str, name: str) -> Any:
    return json.loads((VENDORS_DIR / vendor / name).read_text())


class FakeClock(pacing.Clock):
    """Monotonic time that only moves when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return time.time() + (self.now - 1000.0)

    def sleep(self, seconds: float, cancel: threading.Event) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)


@pytest.fixture(autouse=True)
def _secrets_and_fresh_pacers(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    pacing._PACERS.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def base(server: HTTPServer) -> str:
    return server.url_for("").rstrip("/")


def make_source(
    vendor: str,
    base_url: str,
    *,
    deadline: float = 30.0,
    clock: pacing.Clock = pacing.REAL_CLOCK,
    **extra: Any,
) -> SourceBase:
    """A source of ``vendor`` pointed at ``base_url`` with a short deadline."""
    runtime = Runtime(deadline_seconds=deadline)
    common = {"name": f"{vendor}-test", "type": vendor, "base_url": base_url}
    if vendor == "mixpanel":
        cfg = MixpanelConfig(
            **common, project_id=1, username_env="MIXPANEL_USERNAME", secret_env="MIXPANEL_SECRET"
        )
        return MixpanelSource(cfg, runtime, clock=clock)
    if vendor == "amplitude":
        amp = AmplitudeConfig(
            **common, api_key_env="AMPLITUDE_API_KEY", secret_key_env="AMPLITUDE_SECRET_KEY"
        )
        return AmplitudeSource(amp, runtime, clock=clock)
    if vendor == "segment":
        seg = SegmentConfig(**common, token_env="SEGMENT_TOKEN", **extra)
        return SegmentSource(seg, runtime, clock=clock)
    ph = PostHogConfig(**common, project_id=7, api_key_env="POSTHOG_API_KEY", **extra)
    return PostHogSource(ph, runtime, clock=clock)


#: The first request each vendor makes; the generic failure tests break it.
FIRST_PATH = {
    "mixpanel": "/api/app/projects/1/schemas",
    "amplitude": "/api/2/taxonomy/event",
    "segment": "/tracking-plans",
    "posthog": "/api/projects/7/event_definitions/",
}
VENDORS = list(FIRST_PATH)


def serve_happy(server: HTTPServer, vendor: str) -> None:
    """Every endpoint of ``vendor`` answering with the documented fixture shapes."""
    if vendor == "mixpanel":
        server.expect_request(FIRST_PATH[vendor]).respond_with_json(case(vendor, "schemas.json"))
    elif vendor == "amplitude":
        _serve_amplitude(server)
    elif vendor == "segment":
        _serve_segment(server)
    else:
        _serve_posthog(server)


def _serve_amplitude(server: HTTPServer) -> None:
    api = "/api/2/taxonomy"
    server.expect_request(f"{api}/event").respond_with_handler(
        by_arg(
            "amplitude", "showDeleted", {None: "events.json", "true": "events_with_deleted.json"}
        )
    )
    per_event = {
        "Checkout Completed": "props_checkout.json",
        "ce:Viewed Pricing": "props_pricing.json",
        "Promo Banner Seen": "props_banner.json",
        None: "props_shared.json",
    }
    server.expect_request(f"{api}/event-property").respond_with_handler(
        by_arg("amplitude", "event_type", per_event)
    )
    server.expect_request(f"{api}/user-property").respond_with_json(
        case("amplitude", "user_props.json")
    )


SEGMENT_RULES = {
    "tp_web": {None: "web_rules_page1.json", "Mw==": "web_rules_page2.json"},
    "tp_ios": {None: "ios_rules.json"},
    "tp_lib": {None: "lib_rules.json"},
}


def _serve_segment(server: HTTPServer) -> None:
    pages = {None: "plans_page1.json", "Mw==": "plans_page2.json"}
    server.expect_request("/tracking-plans").respond_with_handler(
        paged("segment", pages, "pagination.cursor")
    )
    for plan, rules in SEGMENT_RULES.items():
        server.expect_request(f"/tracking-plans/{plan}/rules").respond_with_handler(
            paged("segment", rules, "pagination.cursor")
        )


POSTHOG_PROPS = {
    ("event", None, None): "props_event.json",
    ("event", '["$pageview"]', None): "props_on_pageview.json",
    ("event", '["support_ticket_opened"]', None): "props_on_support.json",
    ("person", None, None): "props_person.json",
    ("session", None, None): "props_session.json",
    ("group", None, "0"): "props_group0.json",
}


def _serve_posthog(server: HTTPServer) -> None:
    api = "/api/projects/7"
    server.expect_request(f"{api}/event_definitions/").respond_with_handler(
        paged("posthog", {"0": "event_defs_page1.json", "1": "event_defs_page2.json"}, "offset")
    )

    def props(request: Any) -> Any:
        from werkzeug import Response

        args = request.args
        if args.get("event_names") is not None and args.get("filter_by_event_names") != "true":
            return Response("{}", status=400, content_type="application/json")
        key = (args.get("type"), args.get("event_names"), args.get("group_type_index"))
        name = POSTHOG_PROPS.get(key, "empty.json")
        return Response(json.dumps(case("posthog", name)), content_type="application/json")

    server.expect_request(f"{api}/property_definitions/").respond_with_handler(props)


def by_arg(vendor: str, arg: str, files: dict[Any, str]) -> Callable[[Any], Any]:
    """A handler answering with the fixture chosen by one query argument (404 when unknown)."""

    def handler(request: Any) -> Any:
        from werkzeug import Response

        name = files.get(request.args.get(arg))
        if name is None:
            return Response("{}", status=404, content_type="application/json")
        return Response(json.dumps(case(vendor, name)), content_type="application/json")

    return handler


def paged(vendor: str, pages: dict[Any, str], arg: str) -> Callable[[Any], Any]:
    def handler(request: Any) -> Any:
        from werkzeug import Response

        body = case(vendor, pages[request.args.get(arg)])
        return Response(json.dumps(body), content_type="application/json")

    return handler


@dataclass
class RawServer:
    """A loopback TCP server that misbehaves on purpose (``mode``)."""

    mode: str
    sock: socket.socket = field(default_factory=socket.socket)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def start(self) -> RawServer:
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                self._behave(conn)
            except OSError:
                pass

    def _behave(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if self.mode == "truncate":
            conn.sendall(head + b'Content-Length: 5000\r\n\r\n{"results": [{"name": "x"')
        elif self.mode == "silent":
            self.stop.wait(30)
        elif self.mode == "drip_body":
            conn.sendall(head + b"Content-Length: 100000\r\n\r\n")
            self._drip(conn, b" ")
        elif self.mode == "drip_headers":
            self._drip(conn, b"X")
        elif self.mode == "chunked_big":
            conn.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
            for _ in range(50):
                conn.sendall(b"400\r\n" + b" " * 1024 + b"\r\n")
            conn.sendall(b"0\r\n\r\n")

    def _drip(self, conn: socket.socket, byte: bytes) -> None:
        while not self.stop.wait(0.1):
            conn.sendall(byte)


@pytest.fixture
def raw_server() -> Iterator[Callable[[str], RawServer]]:
    made: list[RawServer] = []

    def make(mode: str) -> RawServer:
        server = RawServer(mode).start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop.set()
        server.sock.close()
