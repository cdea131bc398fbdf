"""The one HTTP helper every vendor connector uses: bounded, paced, and quiet about secrets.

Why each guard exists (see reliability-checklist.md section 4):

- httpx's timeouts count *inactivity*, so a server dripping a byte a second never trips them. Each
  request also runs under a watchdog that shuts its socket at the source's deadline
  (``Runtime.remaining()``), and the body is read in chunks with the deadline checked in between.
- Retries (tenacity, full jitter) cover connect errors, 408, 429 and 5xx only, and stop on attempts,
  on elapsed time and before any sleep that would cross the deadline. ``Retry-After`` (seconds or
  HTTP date), Segment's ``msBeforeNext`` and ``X-RateLimit-Reset`` are honoured, capped.
- A process-wide pacer per vendor host (:mod:`drift.sources.pacing`) keeps us at or below each
  vendor's documented rate (Mixpanel allows 5 requests a minute for a whole organisation).
- Bodies are streamed and counted against a size cap; TLS is always verified; redirects are never
  followed, so credentials never travel to another host (:mod:`drift.http_common` builds the
  client).
- Errors name the source, the status and the URL *path* only, never headers, query strings or keys.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from drift.errors import (
    AuthError,
    BadResponse,
    DeadlineExceeded,
    RateLimited,
    RetryableAttempt,
    SourceError,
)
from drift.http_common import ascii_digits, make_client, seconds_until_http_date
from drift.sources.base import Runtime
from drift.sources.pacing import REAL_CLOCK, Clock, Pace, check_alive, shared_pacer

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024 * 1024  # a 64 MiB data dictionary is already suspicious
MAX_PAGES = 1000
MAX_HINT_SECONDS = 600.0  # never let a server make us sleep longer than this
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def check_base_url(value: str | None) -> str | None:
    """``scheme://host[/prefix]``: https, or http on loopback only; no credentials or query."""
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("base_url must look like https://host[/prefix]")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("base_url must not contain credentials, a query or a fragment")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise ValueError("base_url must use https (plain http only for 127.0.0.1/localhost)")
    return value.strip().rstrip("/")


class _StopAtDeadline(stop_base):
    """Give up now rather than sleep past the deadline (or past a cancel)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def __call__(self, state: RetryCallState) -> bool:
        return self.runtime.cancel.is_set() or state.upcoming_sleep >= self.runtime.remaining()


class _Watchdog:
    """Shuts the request's socket at the deadline: the only guard against dripping servers."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def trace(self, name: str, info: Mapping[str, Any]) -> None:
        """httpcore trace hook: remember the newest stream (TCP, then TLS) of this request."""
        stream = info.get("return_value")
        get_extra_info = getattr(stream, "get_extra_info", None)
        if name.endswith(".complete") and get_extra_info is not None:
            sock = get_extra_info("socket")
            if isinstance(sock, socket.socket):
                self._sock = sock

    def _fire(self) -> None:
        self.fired = True
        if self._sock is not None:
            with suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class HttpClient:
    """GET JSON from one vendor for one source; see the module docstring for the guards."""

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        pace: Pace,
        runtime: Runtime,
        env_names: list[str],
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        clock: Clock = REAL_CLOCK,
        max_bytes: int = MAX_BYTES,
        max_attempts: int = 4,
        retry_seconds: float = 240.0,
    ) -> None:
        self.source, self.runtime, self.clock = source, runtime, clock
        self.vendor, self.env_names, self.max_bytes = pace.vendor, env_names, max_bytes
        self.max_attempts, self.retry_seconds = max_attempts, retry_seconds
        self.pacer = shared_pacer(pace, base_url, clock)
        self.floor = pace.rate_limit_floor
        self._client = make_client(
            base_url=base_url,
            auth=auth,
            headers={"Accept": "application/json", "User-Agent": "drift", **(headers or {})},
            # No keep-alive: each request gets a fresh socket the watchdog can shut.
            limits=httpx.Limits(max_connections=pace.concurrency, max_keepalive_connections=0),
            timeout=httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=10.0),
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` (relative to base_url) and parse JSON, retrying what is worth retrying."""
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts)
            | stop_after_delay(self.retry_seconds)
            | _StopAtDeadline(self.runtime),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableAttempt),
            sleep=lambda seconds: self.clock.sleep(seconds, self.runtime.cancel),
            reraise=True,
        )
        try:
            page = retrying(self._attempt, path, dict(params or {}))
        except RetryableAttempt as exc:
            check_alive(self.source, self.runtime)
            raise self._gave_up(exc, path) from None
        if self.runtime.on_page is not None:
            self.runtime.on_page(1)
        return page

    # ------------------------------------------------------------------ retry policy

    _jitter = wait_random_exponential(multiplier=1, max=60)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableAttempt) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), MAX_HINT_SECONDS)
        wait = self._jitter(state)
        if isinstance(exc, RetryableAttempt) and exc.status == 429:
            wait = max(wait, self.floor)
        return min(wait, MAX_HINT_SECONDS)

    def _where(self, path: str) -> str:
        return f"source '{self.source}': {self.vendor} GET {_path(path)}"

    def _gave_up(self, exc: RetryableAttempt, path: str) -> SourceError:
        where = self._where(path)
        if exc.status == 429:
            return RateLimited(
                f"{where} is still rate limited (HTTP 429) after retries; "
                "try again later or run fewer sources of this vendor at once"
            )
        return SourceError(f"{where} failed after retries: {exc.message}; try again later")

    # ------------------------------------------------------------------ one attempt

    def _attempt(self, path: str, params: dict[str, Any]) -> Any:
        check_alive(self.source, self.runtime)
        with self.pacer.turn(self.source, self.runtime):
            remaining = self.runtime.remaining()
            timeout = httpx.Timeout(
                connect=min(10.0, remaining),
                read=min(60.0, remaining),
                write=min(30.0, remaining),
                pool=min(10.0, remaining),
            )
            with _Watchdog(remaining) as dog:
                try:
                    return self._send(path, params, timeout, dog)
                except httpx.TransportError as exc:
                    raise self._transport_error(exc, path, dog) from None

    def _send(
        self, path: str, params: dict[str, Any], timeout: httpx.Timeout, dog: _Watchdog
    ) -> Any:
        with self._client.stream(
            "GET", path, params=params, timeout=timeout, extensions={"trace": dog.trace}
        ) as response:
            self._check_status(response, path)
            body = self._read(response, path, dog)
            self._note_budget(response)
        return self._parse(body, path)

    def _transport_error(self, exc: httpx.TransportError, path: str, dog: _Watchdog) -> Exception:
        where = self._where(path)
        if dog.fired or self.runtime.remaining() <= 0:
            return DeadlineExceeded(
                f"{where} was still answering at the source's deadline "
                f"({self.runtime.deadline_seconds:.0f} s); the vendor is slow or stalling; "
                "try later or raise timeout_seconds"
            )
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if "CERTIFICATE_VERIFY_FAILED" in reason:
            return SourceError(
                f"{where}: the server's TLS certificate is not trusted ({reason}); drift always "
                "verifies TLS: fix the certificate or point SSL_CERT_FILE at your CA bundle",
                transient=False,
            )
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return RetryableAttempt(f"cannot connect ({reason})")
        if isinstance(exc, httpx.RemoteProtocolError):
            return BadResponse(f"{where}: the response was cut off or malformed ({reason})")
        return SourceError(f"{where}: {reason}; try again later")

    def _check_status(self, response: httpx.Response, path: str) -> None:
        status = response.status_code
        where = self._where(path)
        if status in (401, 403):
            raise AuthError(
                f"{where} refused the credentials (HTTP {status}); check "
                f"{', '.join(self.env_names)} and the key's permissions and project"
            )
        if status in RETRY_STATUSES or 500 <= status < 600:
            hint = self._hint(response)
            raise RetryableAttempt(f"HTTP {status}", status=status, retry_after=hint)
        if 300 <= status < 400:
            host = urlsplit(response.headers.get("location", "")).hostname or "the same host"
            raise BadResponse(
                f"{where} answered a redirect (HTTP {status}) to {host}; drift does not follow "
                "redirects: set base_url or region to the host that serves the API"
            )
        if status >= 400:
            raise SourceError(
                f"{where} failed with HTTP {status}; check project_id, region and base_url",
                transient=False,
            )

    def _read(self, response: httpx.Response, path: str, dog: _Watchdog) -> bytes:
        where = self._where(path)
        too_big = f"{where}: response is larger than the {self.max_bytes:,}-byte cap"
        length = response.headers.get("content-length", "")
        if ascii_digits(length) and int(length) > self.max_bytes:
            raise BadResponse(too_big)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise BadResponse(too_big)
            if dog.fired or self.runtime.remaining() <= 0:
                raise httpx.ReadTimeout("deadline")
            chunks.append(chunk)
        return b"".join(chunks)

    def _parse(self, body: bytes, path: str) -> Any:
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise BadResponse(
                f"{self._where(path)} did not return valid JSON "
                f"({reason}, {len(body)} bytes); the vendor or a proxy sent something else"
            ) from None

    # ------------------------------------------------------------------ server hints

    def _hint(self, response: httpx.Response) -> float | None:
        """Seconds the server asked us to wait: Retry-After, Segment's body or reset header."""
        retry_after = _seconds_until(response.headers.get("retry-after"), self.clock)
        if retry_after is not None:
            return retry_after
        try:
            data = json.loads(_head(response, 65536) or b"null")
            ms = data["errors"][0]["data"]["msBeforeNext"]
            if isinstance(ms, int | float) and not isinstance(ms, bool):
                return float(ms) / 1000.0
        except (ValueError, KeyError, IndexError, TypeError, httpx.HTTPError):
            pass
        return _seconds_until(response.headers.get("x-ratelimit-reset"), self.clock)

    def _note_budget(self, response: httpx.Response) -> None:
        """Segment-style ``X-RateLimit-Remaining: 0``: hold everyone until the reset."""
        if response.headers.get("x-ratelimit-remaining", "").strip() == "0":
            wait = _seconds_until(response.headers.get("x-ratelimit-reset"), self.clock)
            if wait:
                self.pacer.defer(min(wait, MAX_HINT_SECONDS))


def _seconds_until(value: str | None, clock: Clock) -> float | None:
    """Delay-seconds, an HTTP/RFC 5322 date, or an epoch timestamp -> seconds from now."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        return seconds_until_http_date(text, clock.time)
    if number > 1e9:  # an epoch timestamp, not a delay
        return max(0.0, number - clock.time())
    return max(0.0, number)


def _head(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of an error body: a 429 must not bypass the size cap."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _path(url: str) -> str:
    """Only the path of a URL goes into messages: never a query string or userinfo."""
    return urlsplit(url).path or "/"


class PageGuard:
    """Stops pagination that loops or runs away: an error, never a silent truncation."""

    def __init__(self, source: str, what: str, max_pages: int | None = None) -> None:
        self.source, self.what, self.max_pages = source, what, max_pages or MAX_PAGES
        self.seen: set[str] = set()
        self.pages = 1  # the first page is read without a cursor

    def first(self, cursor: str) -> str:
        """Remember the first page's own cursor (a listing that points back to it is a cycle)."""
        self.seen.add(cursor)
        return cursor

    def next(self, cursor: str) -> str:
        """Record ``cursor`` as the next page to fetch; raise on a repeat or past the cap."""
        if cursor in self.seen:
            raise BadResponse(
                f"source '{self.source}': {self.what} pagination returned a cursor it already "
                "gave (a cycle); the vendor's listing is inconsistent, try again later"
            )
        if self.pages >= self.max_pages:
            raise BadResponse(
                f"source '{self.source}': {self.what} has more than {self.max_pages} pages; "
                "stopped rather than fetch a partial or endless listing"
            )
        self.seen.add(cursor)
        self.pages += 1
        return cursor
