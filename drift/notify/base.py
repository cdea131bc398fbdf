"""What every notifier shares: its config base class and the one-method protocol."""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from pydantic import Field

from drift.model import DeliveryResult, RenderedDigest
from drift.sources.base import EnvRefs


class NotifierConfig(EnvRefs):
    """Keys every ``[[notify]]`` block has; each notifier subclasses it with a ``type`` literal."""

    section: ClassVar[str] = "notify"
    type: str = Field(description="Which channel delivers the digest.")
    name: str | None = Field(None, description="Optional label; defaults to the type and index.")


@runtime_checkable
class Notifier(Protocol):
    """Deliver one rendered digest. Raise ``DeliveryError(transient=...)`` when it did not go."""

    def send(self, digest: RenderedDigest) -> DeliveryResult: ...
