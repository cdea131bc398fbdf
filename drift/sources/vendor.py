"""What every HTTP vendor connector shares: the ``base_url``/``region`` handling and the client.

A vendor module keeps its own config fields (``region`` with its hosts, ``base_url`` with what is
appended to it, its credentials), its ``HOSTS``, ``PACE`` and parsing; its ``fetch()`` reads
secrets, opens ``self.client(...)`` and parses. ``region`` and ``base_url`` are declared by each
vendor (their choices and descriptions differ, and declaring them here would move them ahead of
the vendor's own keys in ``drift config`` output and "expected one of" errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
from pydantic import Field, field_validator

from drift import scrub
from drift.sources.base import Runtime, SourceBase, SourceConfig
from drift.sources.http import MAX_PAGES, HttpClient, PageGuard, check_base_url
from drift.sources.pacing import REAL_CLOCK, Clock, Pace


class VendorConfig(SourceConfig):
    """A ``[[sources]]`` block of an HTTP vendor: a region host, or a ``base_url`` replacing it."""

    if TYPE_CHECKING:  # declared by each vendor, see the module docstring
        region: str
        base_url: str | None

    _base_url = field_validator("base_url", check_fields=False)(check_base_url)

    def host(self, hosts: Mapping[str, str]) -> str:
        """``base_url`` when set, else the host of the configured region."""
        return self.base_url or hosts[self.region]


def max_pages_field() -> Any:
    """The ``max_pages`` key of a vendor whose listings are paged (Segment, PostHog)."""
    return Field(
        MAX_PAGES,
        ge=2,
        le=1_000_000,
        description="Most pages of one listing read before the fetch stops with an error (a "
        "guard against endless paging; nothing partial is recorded); raise it for a very large "
        "project.",
    )


class VendorSource(SourceBase):
    """An HTTP vendor: keeps a clock (frozen in tests) and builds its paced :class:`HttpClient`."""

    hosts: ClassVar[Mapping[str, str]]
    pace: ClassVar[Pace]

    def __init__(
        self, config: SourceConfig, runtime: Runtime | None = None, *, clock: Clock = REAL_CLOCK
    ) -> None:
        super().__init__(config, runtime)
        self.clock = clock

    def client(
        self, *, auth: httpx.Auth | None = None, headers: Mapping[str, str] | None = None
    ) -> HttpClient:
        """The HTTP client for one fetch (use it as a context manager)."""
        config = self.config
        assert isinstance(config, VendorConfig)
        return HttpClient(
            source=self.name,
            base_url=config.host(self.hosts),
            pace=self.pace,
            runtime=self.runtime,
            env_names=config.env_names(),
            auth=auth,
            headers=headers,
            clock=self.clock,
        )

    def page_guard(self, what: str) -> PageGuard:
        """Cycle and page-count guard for one paged listing, capped at ``max_pages``."""
        limit = getattr(self.config, "max_pages", None)  # only paged vendors have the key
        return PageGuard(self.name, what, limit if isinstance(limit, int) else None)


def basic_auth(user: str, password: str) -> httpx.BasicAuth:
    """HTTP Basic credentials; the header value they make is remembered as a secret to scrub."""
    scrub.remember_basic(user, password)
    return httpx.BasicAuth(user, password)
