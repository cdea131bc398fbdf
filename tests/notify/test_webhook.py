"""Generic webhook against a real loopback HTTP receiver: signature, stable id, retry policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from drift.errors import DeliveryError
from drift.model import DeliveryStatus, RenderedDigest
from drift.notify.webhook import WebhookConfig, WebhookNotifier, sign

SECRET = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def _notifier(url: str, secret_env: str | None = "DRIFT_WEBHOOK_SECRET") -> WebhookNotifier:
    config = WebhookConfig.model_validate(
        {"type": "webhook", "url": url, "secret_env": secret_env, "attempts": 3}
    )
    return WebhookNotifier(config)


def _verify(request: Request, secret: bytes) -> bool:
    """An independent Standard Webhooks verifier."""
    msg_id = request.headers["webhook-id"]
    ts = request.headers["webhook-timestamp"]
    signed = f"{msg_id}.{ts}.".encode() + request.get_data()
    expected = base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in request.headers["webhook-signature"].split()]
    return any(hmac.compare_digest(expected, g) for g in given)


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFT_WEBHOOK_SECRET", "whsec_" + SECRET)


def test_signed_delivery(
    httpserver: HTTPServer, rendered: RenderedDigest, secret_env: None
) -> None:
    seen: list[Request] = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda r: seen.append(r) or Response("ok")
    )
    result = _notifier(httpserver.url_for("/hook")).send(rendered)
    assert result.status is DeliveryStatus.SENT
    (request,) = seen
    assert _verify(request, base64.b64decode(SECRET))
    assert request.headers["webhook-id"] == rendered.digest_id
    assert request.headers["webhook-timestamp"].isdigit()
    assert json.loads(request.get_data())["version"] == 2
    assert request.get_data() == rendered.json.encode()


def test_500_is_transient_and_posted_once(
    httpserver: HTTPServer, rendered: RenderedDigest, secret_env: None
) -> None:
    httpserver.expect_request("/hook").respond_with_data("boom", status=500)
    with pytest.raises(DeliveryError) as err:
        _notifier(httpserver.url_for("/hook")).send(rendered)
    assert err.value.transient and len(httpserver.log) == 1
    (request, _), *_ = httpserver.log
    assert request.headers["idempotency-key"] == request.headers["webhook-id"]


def test_400_is_permanent_and_not_retried(httpserver: HTTPServer, rendered: RenderedDigest) -> None:
    httpserver.expect_request("/hook").respond_with_data("bad", status=400)
    with pytest.raises(DeliveryError) as err:
        _notifier(httpserver.url_for("/hook"), secret_env=None).send(rendered)
    assert not err.value.transient and "HTTP 400" in str(err.value)
    assert len(httpserver.log) == 1
    assert "webhook-signature" not in httpserver.log[0][0].headers


def test_503_is_transient_and_left_to_the_outbox(
    httpserver: HTTPServer, rendered: RenderedDigest
) -> None:
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    with pytest.raises(DeliveryError) as err:
        _notifier(httpserver.url_for("/hook"), secret_env=None).send(rendered)
    assert err.value.transient and len(httpserver.log) == 1


def test_redirect_is_not_followed(httpserver: HTTPServer, rendered: RenderedDigest) -> None:
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": "http://10.0.0.1/"}
    )
    with pytest.raises(DeliveryError, match="HTTP 302"):
        _notifier(httpserver.url_for("/hook"), secret_env=None).send(rendered)


def test_spec_signature_vector() -> None:
    """The example from the Standard Webhooks spec / reference libraries."""
    secret = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    assert (
        sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_config_rejects_credentials_in_url() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        WebhookConfig.model_validate({"type": "webhook", "url": "https://u:p@example.com/h"})


def test_an_oversized_digest_is_lightened_to_fit_and_says_so() -> None:
    import json

    from drift.notify.webhook import fit_body

    digest = {
        "version": 1,
        "counts": {"new_high": 3},
        "sources": [
            {"name": "big", "status": "read", "sections": {"new": []}, "changes": ["x" * 50] * 5000}
        ],
    }
    text = json.dumps(digest)
    assert fit_body(text, len(text) + 1) == text.encode()
    small = json.loads(fit_body(text, 4096))
    assert small["counts"] == {"new_high": 3} and small["sources"][0]["status"] == "read"
    assert "changes" not in small["sources"][0] and small["sources"][0]["changes_omitted"] is True
    assert small["truncated"]["omitted"] == ["changes"]
