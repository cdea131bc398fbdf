"""httpx's one home: the client settings and header parsing that sources and notifiers share.

- :func:`make_client` builds every ``httpx.Client`` drift uses: explicit timeouts, TLS always
  verified, redirects never followed (credentials never travel to another host).
- :func:`retry_after_seconds` and :func:`seconds_until_http_date` read a server's ``Retry-After``
  as delay-seconds or an HTTP date.
- Importing this module quiets the ``httpx`` and ``httpcore`` loggers: httpx logs every request
  (full URLs, which may be secret) at INFO and httpcore logs raw headers at DEBUG; neither belongs
  in drift's logs, which may be shipped somewhere less private than the vendor's API.

What is specific to one side stays there: deadlines, pacing, pagination and the size cap in
:mod:`drift.sources.http`; delivery retries in :mod:`drift.notify._http`.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

NOISY_LOGGERS = ("httpx", "httpcore")


def quiet_http_loggers() -> None:
    """Raise httpx's and httpcore's loggers to WARNING (done once, on import)."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


quiet_http_loggers()


def make_client(
    *,
    timeout: httpx.Timeout,
    base_url: str = "",
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    limits: httpx.Limits | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` with explicit timeouts, TLS verified and redirects not followed."""
    options: dict[str, Any] = {} if limits is None else {"limits": limits}
    return httpx.Client(
        base_url=base_url,
        auth=auth,
        headers=headers,
        follow_redirects=False,
        verify=True,
        trust_env=True,
        timeout=timeout,
        **options,
    )


def seconds_until_http_date(text: str, now: Callable[[], float] | None = None) -> float | None:
    """An HTTP/RFC 5322 date as seconds from ``now()`` (0 if past); None if it is not a date."""
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now or time.time)())


def ascii_digits(text: str) -> bool:
    """``text`` is a plain decimal number: ``"²"`` and ``"٣"`` are digits to ``str.isdigit``, and
    ``int``/``float`` reject or reinterpret them, so a header is read only when this holds."""
    return text.isascii() and text.isdigit()


def retry_after_seconds(value: str | None, cap: float) -> float | None:
    """``Retry-After`` as delay-seconds or an HTTP-date, clamped to ``[0, cap]``."""
    if not value:
        return None
    value = value.strip()
    if ascii_digits(value):
        return min(float(value), cap)
    seconds = seconds_until_http_date(value)
    return None if seconds is None else max(0.0, min(seconds, cap))
