"""Slack incoming webhook: posts the digest's Block Kit payload as rendered.

The webhook URL is a credential: it is read from the environment, never logged, and never part
of an error message. 429 is retried after ``Retry-After`` (capped); other 4xx are permanent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
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
    attempts: int = Field(4, ge=1, le=10, description="Attempts per send for transient errors.")
    timeout_seconds: float = Field(
        120.0, gt=0, le=900, description="Deadline for one send, retries included."
    )


class SlackNotifier:
    Config: ClassVar[type[SlackConfig]] = SlackConfig

    def __init__(self, config: SlackConfig, *, sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self._sleep = sleep

    def _url(self) -> str:
        url = self.config.secret("webhook_url_env") or ""
        if not url.startswith(("https://", "http://")):
            raise ConfigError(
                f"{self.config.webhook_url_env} does not hold an http(s) URL "
                f"(needed by {self.config.label()})"
            )
        return url

    def send(self, digest: RenderedDigest) -> DeliveryResult:
        body = digest.slack.encode("utf-8")
        headers: Mapping[str, str] = {"content-type": "application/json; charset=utf-8"}

        response = post(
            f"slack {self.config.label()}",
            self._url(),
            lambda: (body, headers),
            attempts=self.config.attempts,
            deadline=self.config.timeout_seconds,
            sleep=self._sleep,
        )
        return DeliveryResult(DeliveryStatus.SENT, f"HTTP {response.status_code}")
