"""POST a body with bounded retries: the HTTP plumbing the Slack and webhook notifiers share.

Transient (retried, then ``DeliveryError(transient=True)``): connection errors, timeouts, 408, 429
(``Retry-After`` honoured, capped) and 5xx. Permanent (not retried): every other non-2xx, 3xx
included (redirects are never followed). Error messages name the channel and status only: never
the URL (Slack webhook URLs are secrets) nor the body.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from drift.errors import DeliveryError
from drift.http_common import make_client, retry_after_seconds

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
RETRY_AFTER_CAP = 60.0  # seconds; a hostile or buggy server cannot park the run
TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=20.0, pool=10.0)


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def _wait(base: Callable[[RetryCallState], float]) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = exc.retry_after if isinstance(exc, _Transient) else None
        return hint if hint is not None else base(state)

    return wait


def post(
    channel: str,
    url: str,
    make_request: Callable[[], tuple[bytes, Mapping[str, str]]],
    *,
    attempts: int = 4,
    deadline: float = 120.0,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
) -> httpx.Response:
    """POST ``make_request()`` (called per attempt: body and headers) until a 2xx, a permanent
    failure, or the attempt/time budget runs out."""
    retrying = Retrying(
        stop=stop_after_attempt(attempts) | stop_after_delay(deadline),
        wait=_wait(wait_random_exponential(multiplier=backoff, max=30)),
        retry=retry_if_exception(lambda e: isinstance(e, _Transient)),
        sleep=sleep,
        reraise=True,
    )
    own = client is None
    http = client or make_client(timeout=TIMEOUT)
    try:
        return retrying(_attempt, channel, http, url, make_request)
    except _Transient as exc:
        raise DeliveryError(f"{channel}: {exc} (gave up after retries)", transient=True) from None
    finally:
        if own:
            http.close()


def _attempt(
    channel: str,
    http: httpx.Client,
    url: str,
    make_request: Callable[[], tuple[bytes, Mapping[str, str]]],
) -> httpx.Response:
    body, headers = make_request()
    try:
        response = http.post(url, content=body, headers=dict(headers))
    except httpx.TimeoutException:
        raise _Transient("timed out") from None
    except httpx.TransportError as exc:
        raise _Transient(f"connection failed ({type(exc).__name__})") from None
    status = response.status_code
    if 200 <= status < 300:
        return response
    if status in TRANSIENT_STATUS:
        hint = retry_after_seconds(response.headers.get("retry-after"), RETRY_AFTER_CAP)
        raise _Transient(f"HTTP {status}", hint)
    detail = _short(response.text)
    raise DeliveryError(f"{channel}: HTTP {status} {detail}".strip(), transient=False)


def _short(text: str, limit: int = 80) -> str:
    """A server's error word (e.g. Slack's ``invalid_payload``), one line, no more."""
    flat = " ".join(text.split())[:limit]
    return "".join(ch for ch in flat if ch.isprintable())
