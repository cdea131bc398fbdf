"""Slack incoming webhook: posts the digest's Block Kit payload as rendered.

The webhook URL is a credential: it is read from the environment, never logged, and never part
of an error message. One POST per send: the outbox retries (after ``Retry-After`` on 429); other
4xx are permanent. Slack incoming webhooks take no idempotency key, so an ambiguous outcome (sent,
no answer) is re-sent at most once (see ``drift.delivery``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field

from drift.errors import ConfigError
from drift.model import DeliveryResult, DeliveryStatus, RenderedDigest
from drift.notify._http import post
from drift.notify.base import NotifierConfig


class SlackConfig(NotifierConfig):
    type: Literal["slack"] = Field(description="A Slack incoming webhook.")
    webhook_url_env: str = Field(
        description="Environment variable holding the incoming-webhook URL (a secret)."
    )
    attempts: int = Field(
        5, ge=1, le=10, description="Attempts across runs (the outbox retries) before giving up."
    )
    timeout_seconds: float = Field(60.0, gt=0, le=900, description="Timeout for one POST.")


class SlackNotifier:
    Config: ClassVar[type[SlackConfig]] = SlackConfig

    def __init__(self, config: SlackConfig) -> None:
        self.config = config

    def _url(self) -> str:
        url = self.config.secret("webhook_url_env") or ""
        if not url.startswith(("https://", "http://")):
            raise ConfigError(
                f"{self.config.webhook_url_env} does not hold an http(s) URL "
                f"(needed by {self.config.label()})"
            )
        return url

    def check(self) -> str:
        """Reachable without posting (``drift doctor``)."""
        from drift.notify.reach import reach

        return reach(f"slack {self.config.label()}", self._url())

    def send(self, digest: RenderedDigest) -> DeliveryResult:
        body = digest.slack.encode("utf-8")
        headers: Mapping[str, str] = {"content-type": "application/json; charset=utf-8"}

        response = post(
            f"slack {self.config.label()}",
            self._url(),
            body,
            headers,
            timeout_seconds=self.config.timeout_seconds,
        )
        return DeliveryResult(DeliveryStatus.SENT, f"HTTP {response.status_code}")
