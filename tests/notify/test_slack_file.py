"""Slack incoming webhook (loopback receiver) and the file notifier."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from drift.errors import DeliveryError
from drift.model import DeliveryStatus, RenderedDigest
from drift.notify.file import FileConfig, FileNotifier
from drift.notify.slack import SlackConfig, SlackNotifier


def _slack(monkeypatch: pytest.MonkeyPatch, url: str) -> SlackNotifier:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", url)
    config = SlackConfig.model_validate({"type": "slack", "webhook_url_env": "SLACK_WEBHOOK_URL"})
    return SlackNotifier(config)


def test_slack_posts_blocks_once(
    httpserver: HTTPServer, rendered: RenderedDigest, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Request] = []
    httpserver.expect_request("/services/T/B/secret").respond_with_handler(
        lambda r: seen.append(r) or Response("ok")
    )
    url = httpserver.url_for("/services/T/B/secret")
    assert _slack(monkeypatch, url).send(rendered).status is DeliveryStatus.SENT
    (request,) = seen
    payload = json.loads(request.get_data())
    assert payload["text"] == rendered.subject and len(payload["blocks"]) <= 50


def test_slack_429_is_transient_with_a_capped_retry_after_and_no_second_post(
    httpserver: HTTPServer, rendered: RenderedDigest, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/s").respond_with_data(
        "", status=429, headers={"Retry-After": "999999"}
    )
    with pytest.raises(DeliveryError) as err:
        _slack(monkeypatch, httpserver.url_for("/s")).send(rendered)
    assert err.value.transient and err.value.retry_after == 3600
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("hint", ["\u00b2", "nan", "-5", "Thu, 99 Foo 2026"])
def test_an_odd_retry_after_is_no_hint(
    httpserver: HTTPServer, rendered: RenderedDigest, monkeypatch: pytest.MonkeyPatch, hint: str
) -> None:
    """A receiver's Retry-After is hostile: a superscript two (a digit to str.isdigit, not to
    float), "nan" or a negative number is not a delay, and never crashes the delivery."""
    httpserver.expect_request("/s").respond_with_data("", status=429, headers={"Retry-After": hint})
    with pytest.raises(DeliveryError) as err:
        _slack(monkeypatch, httpserver.url_for("/s")).send(rendered)
    assert err.value.transient and err.value.retry_after is None


def test_slack_404_is_permanent_and_never_shows_the_url(
    httpserver: HTTPServer, rendered: RenderedDigest, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/services/T/B/canary").respond_with_data("no_service", status=404)
    with pytest.raises(DeliveryError) as err:
        _slack(monkeypatch, httpserver.url_for("/services/T/B/canary")).send(rendered)
    assert not err.value.transient and "no_service" in str(err.value)
    assert "canary" not in str(err.value) and len(httpserver.log) == 1


def test_file_writes_dated_files_atomically_and_once(
    tmp_path: Path, rendered: RenderedDigest
) -> None:
    notifier = FileNotifier(
        FileConfig.model_validate({"type": "file", "directory": tmp_path / "r"})
    )
    first = notifier.send(rendered)
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    stem = f"2026-11-29_{rendered.digest_id}"
    assert names == [f"{stem}.html", f"{stem}.json", f"{stem}.md"]
    assert (tmp_path / "r" / f"{stem}.json").read_text() == rendered.json
    assert first.status is DeliveryStatus.SENT
    assert "already written" in notifier.send(rendered).detail  # idempotent re-send
    other = dataclasses.replace(rendered, html="<p>different</p>")
    with pytest.raises(DeliveryError, match="not overwriting"):
        notifier.send(other)
    assert (tmp_path / "r" / f"{stem}.html").read_text() == rendered.html
