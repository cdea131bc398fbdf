"""POST a body once: the HTTP plumbing the Slack and webhook notifiers share.

There is no retry here: the outbox is drift's one retry layer (``drift.delivery``). This module
only says what one attempt's outcome means:

- a 2xx: delivered;
- nothing was delivered (connection refused or never opened, the request could not be written,
  408, 429, 5xx): ``DeliveryError(transient=True)``, with the server's ``Retry-After`` (capped);
- the request went out and no answer came back (read timeout, connection dropped before the
  status line): ``PossiblyDelivered`` -- the receiver may have acted on it, so it is not re-sent
  blindly;
- any other status, 3xx included (redirects are never followed): permanent.

Error messages name the channel and status, plus at most a short, scrubbed word from the body
(e.g. Slack's ``invalid_payload``): never the URL (Slack webhook URLs are secrets).
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from drift.errors import DeliveryError, PossiblyDelivered
from drift.http_common import make_client, retry_after_seconds
from drift.scrub import scrub

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
RETRY_AFTER_CAP = 3600.0  # seconds; a hostile or buggy server cannot park a delivery for days
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError)
NO_ANSWER = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)


def timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(10.0, seconds))


def post(
    channel: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout_seconds: float,
    client: httpx.Client | None = None,
) -> httpx.Response:
    """POST once; return the 2xx response or raise what the outcome means (see module doc)."""
    own = client is None
    http = client or make_client(timeout=timeout(timeout_seconds))
    try:
        response = _send(channel, http, url, body, headers)
    finally:
        if own:
            http.close()
    return _check(channel, response)


def _send(
    channel: str, http: httpx.Client, url: str, body: bytes, headers: Mapping[str, str]
) -> httpx.Response:
    try:
        return http.post(url, content=body, headers=dict(headers))
    except NOT_SENT as exc:
        raise DeliveryError(f"{channel}: not sent ({type(exc).__name__})", transient=True) from None
    except httpx.WriteTimeout:
        raise DeliveryError(f"{channel}: not sent (timed out sending)", transient=True) from None
    except NO_ANSWER as exc:
        raise PossiblyDelivered(
            f"{channel}: possibly delivered: the request was sent and no answer came back "
            f"({type(exc).__name__})"
        ) from None
    except httpx.TransportError as exc:
        raise PossiblyDelivered(f"{channel}: possibly delivered ({type(exc).__name__})") from None


def _check(channel: str, response: httpx.Response) -> httpx.Response:
    status = response.status_code
    if 200 <= status < 300:
        return response
    detail = scrub(response.text, 80)
    if status in TRANSIENT_STATUS:
        hint = retry_after_seconds(response.headers.get("retry-after"), RETRY_AFTER_CAP)
        raise DeliveryError(f"{channel}: HTTP {status} {detail}", transient=True, retry_after=hint)
    raise DeliveryError(f"{channel}: HTTP {status} {detail}".strip(), transient=False)
