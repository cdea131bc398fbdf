"""What every notifier shares: its config base class and the one-method protocol."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from drift.config_blocks import NotifierConfig as NotifierConfig
from drift.model import DeliveryResult, RenderedDigest


@runtime_checkable
class Notifier(Protocol):
    """Deliver one rendered digest. Raise ``DeliveryError(transient=...)`` when it did not go."""

    def send(self, digest: RenderedDigest) -> DeliveryResult: ...


class NotifierClass(Protocol):
    """What the registry holds for a notifier: a class with a ``Config`` model, built from one
    validated ``[[notify]]`` block."""

    @property
    def Config(self) -> type[NotifierConfig]: ...

    def __call__(self, config: Any) -> Notifier: ...
