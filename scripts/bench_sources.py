"""Benchmark: 20 vendor sources against a loopback server with 200 ms latency per request.

Prints the wall time of ``fetch_all`` (concurrent) against fetching one source after another, and
the ratio. Each mode gets its own server (its own port), so the per-host vendor pacers start fresh
and both modes stay within each vendor's pace (Mixpanel: 5 sources = 5 requests, under 5/min).

    .venv/bin/python scripts/bench_sources.py [--latency 0.2] [--workers 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drift.model import Schema
from drift.sources.amplitude import AmplitudeConfig, AmplitudeSource
from drift.sources.base import Runtime, SourceBase
from drift.sources.fetching import fetch_all
from drift.sources.mixpanel import MixpanelConfig, MixpanelSource
from drift.sources.posthog import PostHogConfig, PostHogSource
from drift.sources.segment import SegmentConfig, SegmentSource

CASES = Path(__file__).resolve().parents[1] / "tests" / "cases" / "vendors"
PER_VENDOR = 5


def route(path: str, query: dict[str, str]) -> str | None:
    """Fixture file (vendor/name) answering ``path``; None for 404."""
    if path.endswith("/schemas"):
        return "mixpanel/schemas.json"
    if path.startswith("/api/2/taxonomy/"):
        kind = path.rsplit("/", 1)[1]
        event = query.get("event_type")
        by_event = {"Checkout Completed": "props_checkout", "ce:Viewed Pricing": "props_pricing"}
        names = {"event": "events", "user-property": "user_props"}
        return f"amplitude/{names.get(kind) or by_event.get(event or '', 'props_shared')}.json"
    if path.startswith("/tracking-plans"):
        page = "2" if query.get("pagination.cursor") else "1"
        return f"segment/{'rules' if path.endswith('/rules') else 'plans'}_page{page}.json"
    if path.endswith("/event_definitions/"):
        return f"posthog/event_defs_page{int(query.get('offset', '0')) + 1}.json"
    if path.endswith("/property_definitions/"):
        kind = query.get("type")
        if kind in ("event", "person"):
            return f"posthog/props_{kind}.json"
        return (
            "posthog/props_group0.json"
            if query.get("group_type_index") == "0"
            else "posthog/empty.json"
        )
    return None


def serve(latency: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            time.sleep(latency)
            name = route(parts.path, query)
            body = (CASES / name).read_bytes() if name else b"{}"
            self.send_response(200 if name else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sources(base_url: str) -> list[SourceBase]:
    out: list[SourceBase] = []
    for i in range(PER_VENDOR):
        common = {"timeout_seconds": 120.0, "base_url": base_url}
        out += [
            MixpanelSource(
                MixpanelConfig(
                    name=f"mp{i}",
                    type="mixpanel",
                    project_id=i + 1,
                    username_env="B_USER",
                    secret_env="B_SECRET",
                    **common,
                )
            ),
            AmplitudeSource(
                AmplitudeConfig(
                    name=f"amp{i}",
                    type="amplitude",
                    api_key_env="B_USER",
                    secret_key_env="B_SECRET",
                    **common,
                )
            ),
            SegmentSource(
                SegmentConfig(name=f"seg{i}", type="segment", token_env="B_SECRET", **common)
            ),
            PostHogSource(
                PostHogConfig(
                    name=f"ph{i}",
                    type="posthog",
                    project_id=i + 1,
                    api_key_env="B_SECRET",
                    **common,
                )
            ),
        ]
    for source in out:
        source.runtime = Runtime(deadline_seconds=120.0)
    return out


def timed(label: str, latency: float, run) -> float:  # type: ignore[no-untyped-def]
    server = serve(latency)
    try:
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        started = time.perf_counter()
        results = run(sources(base_url))
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
    failed = {k: str(v) for k, v in results.items() if not isinstance(v, Schema)}
    if failed:
        raise SystemExit(f"{label}: failures: {failed}")
    print(f"{label:<12} {len(results)} sources  {elapsed:6.2f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("B_USER", "bench-user")
    os.environ.setdefault("B_SECRET", "bench-secret")

    def one_by_one(srcs: list[SourceBase]) -> dict[str, object]:
        return {s.name: s.fetch() for s in srcs}

    sequential = timed("sequential", args.latency, one_by_one)
    concurrent = timed(
        f"fetch_all/{args.workers}", args.latency, lambda s: fetch_all(s, max_workers=args.workers)
    )
    print(f"ratio        {sequential / concurrent:6.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
