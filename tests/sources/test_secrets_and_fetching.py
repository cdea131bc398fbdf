"""Secrets never leak into logs or errors; fetch_all isolates each source's failure."""

from __future__ import annotations

import base64
import logging

import pytest
from pytest_httpserver import HTTPServer

from drift.errors import AuthError, BadResponse, DriftError, SourceError
from drift.model import Provenance, Schema
from drift.sources.fetching import fetch_all
from tests.sources.conftest import CANARIES, FIRST_PATH, VENDORS, base, make_source, serve_happy


def leaks(text: str) -> list[str]:
    found = [v for v in CANARIES.values() if v in text]
    pairs = [
        ("MIXPANEL_USERNAME", "MIXPANEL_SECRET"),
        ("AMPLITUDE_API_KEY", "AMPLITUDE_SECRET_KEY"),
    ]
    for user, secret in pairs:
        token = base64.b64encode(f"{CANARIES[user]}:{CANARIES[secret]}".encode()).decode()
        found += [token] if token in text else []
    return found


def test_canary_secrets_never_reach_logs_or_errors(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for vendor in VENDORS:
        serve_happy(httpserver, vendor)
    sources = [make_source(v, base(httpserver)) for v in VENDORS]
    results = fetch_all(sources)
    assert all(isinstance(r, Schema) and r.items for r in results.values()), results
    auth = {r.headers.get("Authorization", "") for r, _ in httpserver.log}
    assert f"Bearer {CANARIES['SEGMENT_TOKEN']}" in auth  # the secrets really were used

    httpserver.clear()
    for vendor, status in zip(VENDORS, (401, 403, 401, 403), strict=True):
        httpserver.expect_request(FIRST_PATH[vendor]).respond_with_json({"e": 1}, status=status)
    failed = fetch_all([make_source(v, base(httpserver)) for v in VENDORS])
    assert all(isinstance(e, AuthError) for e in failed.values())

    httpserver.clear()
    for vendor in VENDORS:
        httpserver.expect_request(FIRST_PATH[vendor]).respond_with_data("{oops")
    broken = fetch_all([make_source(v, base(httpserver)) for v in VENDORS])
    assert all(isinstance(e, BadResponse) for e in broken.values())

    texts = [caplog.text]
    for err in [*failed.values(), *broken.values()]:
        texts += [str(err), repr(err), str(err.__cause__ or ""), str(err.__context__ or "")]
    assert leaks("\n".join(texts)) == []


class Boom:
    name = "boom"
    provenance = Provenance.OBSERVED

    def fetch(self) -> Schema:
        raise RuntimeError("connector bug")


def test_fetch_all_isolates_failures(httpserver: HTTPServer) -> None:
    serve_happy(httpserver, "posthog")
    httpserver.expect_request(FIRST_PATH["segment"]).respond_with_json({}, status=401)
    good = make_source("posthog", base(httpserver))
    bad = make_source("segment", base(httpserver))
    results = fetch_all([good, bad, Boom()], max_workers=2)
    assert list(results) == ["posthog-test", "segment-test", "boom"]
    assert isinstance(results["posthog-test"], Schema)
    assert isinstance(results["segment-test"], AuthError)
    assert "SEGMENT_TOKEN" in str(results["segment-test"])
    boom = results["boom"]
    assert isinstance(boom, SourceError) and "connector bug" in str(boom)


def test_fetch_all_with_a_missing_secret_is_a_config_error(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POSTHOG_API_KEY")
    results = fetch_all([make_source("posthog", base(httpserver))])
    err = results["posthog-test"]
    assert isinstance(err, DriftError) and "POSTHOG_API_KEY is not set" in str(err)
