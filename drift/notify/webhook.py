"""Generic JSON webhook: the digest JSON, signed with Standard Webhooks headers.

``webhook-id`` is the digest id (the same across retries and re-runs, so receivers deduplicate;
``Idempotency-Key`` carries it too, for receivers that follow the IETF draft),
``webhook-timestamp`` is this attempt's Unix time, and ``webhook-signature`` is
``v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`` over the exact bytes sent.
One POST per send: the outbox is the one retry layer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from drift.errors import ConfigError
from drift.model import DeliveryResult, DeliveryStatus, RenderedDigest, utcnow
from drift.notify._http import post
from drift.notify.base import NotifierConfig
from drift.report.serialize import fit_json

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


class WebhookConfig(NotifierConfig):
    type: Literal["webhook"] = Field(description="A generic JSON webhook.")
    url: str = Field(description="Where the digest JSON is POSTed (https; http only for tests).")
    secret_env: str | None = Field(
        None,
        description="Environment variable holding the signing secret (whsec_<base64> or raw).",
    )
    attempts: int = Field(
        5, ge=1, le=10, description="Attempts across runs (the outbox retries) before giving up."
    )
    timeout_seconds: float = Field(60.0, gt=0, le=900, description="Timeout for one POST.")
    max_body_bytes: int = Field(
        1_048_576,
        ge=4096,
        description="Above this size the body leaves out the per-change lists, then the row "
        "sections, and says so in 'truncated' (counts and statuses always stay).",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")) or "@" in value.split("/")[2]:
            raise ValueError("must be an http(s) URL without user:password")
        return value


def secret_bytes(secret: str) -> bytes:
    """``whsec_``-prefixed secrets are base64 (Standard Webhooks); others are used as UTF-8."""
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode()
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("the webhook secret starts with whsec_ but is not base64") from None


def sign(secret: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def fit_body(digest_json: str, limit: int) -> bytes:
    """The digest JSON, lightened until it fits ``limit`` bytes: receivers often cap bodies at
    1 MiB, and a 20,000-change digest is far larger. The file and email channels keep it all."""
    return fit_json(digest_json, limit).encode("utf-8")


class WebhookNotifier:
    Config: ClassVar[type[WebhookConfig]] = WebhookConfig

    def __init__(self, config: WebhookConfig) -> None:
        self.config = config

    def _request(
        self, digest: RenderedDigest, secret: bytes | None
    ) -> tuple[bytes, Mapping[str, str]]:
        body = fit_body(digest.json, self.config.max_body_bytes)
        msg_id = digest.digest_id.replace(".", "_")
        timestamp = int(utcnow().timestamp())
        headers = {
            "content-type": "application/json",
            "user-agent": "drift-digest",
            "webhook-id": msg_id,
            "idempotency-key": msg_id,
            "webhook-timestamp": str(timestamp),
        }
        if secret is not None:
            headers["webhook-signature"] = sign(secret, msg_id, timestamp, body)
        return body, headers

    def check(self) -> str:
        """Reachable without posting (``drift doctor``); the signing secret must be readable."""
        from drift.notify.reach import reach

        self.config.secret("secret_env", required=False)
        return reach(f"webhook {self.config.label()}", self.config.url)

    def send(self, digest: RenderedDigest) -> DeliveryResult:
        raw = self.config.secret("secret_env", required=False)
        secret = secret_bytes(raw) if raw else None
        body, headers = self._request(digest, secret)
        response = post(
            f"webhook {self.config.label()}",
            self.config.url,
            body,
            headers,
            timeout_seconds=self.config.timeout_seconds,
        )
        return DeliveryResult(DeliveryStatus.SENT, f"HTTP {response.status_code}")
