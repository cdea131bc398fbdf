"""Text from the other side, made safe to show: bounded, one line, no credential, no URL path.

Vendors, SMTP servers and webhook receivers can echo what drift sent them (an Authorization
header, the secret path of a Slack webhook URL) in a status field, an error body or a reply.
Every error message passes through :func:`scrub` (``DriftError`` applies it), so such an echo
reaches neither stderr, the logs, the run ledger, a digest, a Slack/webhook body, ``drift status``
nor the outbox.

Two nets, both applied:

- every secret drift has read (:func:`remember`, called by ``EnvRefs.secret``) is replaced
  wherever it appears, in its plain, base64 (HTTP Basic), JSON-escaped and URL-encoded forms, as
  are the long segments of a secret URL's path;
- anything that looks like a credential is replaced even if drift never held it: ``Basic``/
  ``Bearer``/``Token`` header values, ``key=value`` pairs whose key says secret, known token
  shapes (``xox?-``, ``whsec_``, ``phx_``, JWTs), long base64/hex runs, and every URL's path and
  query (``https://hooks.slack.com/…``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from urllib.parse import quote, urlsplit

REDACTED = "[redacted]"
DEFAULT_LIMIT = 1000
_MIN_SECRET = 6  # shorter values (a region, a port) would redact ordinary words

_lock = threading.Lock()
_secrets: set[str] = set()

_URL = re.compile(r"\b([a-z][a-z0-9+.-]*://[^\s/?#\"'<>]+)[/?#][^\s\"'<>]*", re.IGNORECASE)
_AUTH_HEADER = re.compile(r"\b(Basic|Bearer|BASIC|BEARER)\s+[^\s\"',;]+")
_KEY_VALUE = re.compile(
    r"\b([\w-]*(?:secret|token|password|passwd|api[_-]?key|apikey|auth\w*|signature|session)"
    r"[\w-]*)(\"?\s*[:=]\s*\"?)[^\s\"',;&]+",
    re.IGNORECASE,
)
_TOKEN_SHAPES = re.compile(
    r"\b(?:xox[abposr]-[\w-]+|whsec_[\w+/=-]+|ph[xc]_[\w-]+|sk_[\w-]{8,}|"
    r"ey[\w-]{8,}\.[\w-]{8,}\.[\w-]*)"
)
# 24+ characters of base64 or hex with at least one digit and one letter: keys, not words (names
# with ``_``, ``-`` or ``/`` are left alone; secrets of that shape are caught by the known net).
_OPAQUE = re.compile(
    r"(?<![\w+=])(?=[A-Za-z0-9+]*\d)(?=[A-Za-z0-9+]*[A-Za-z])[A-Za-z0-9+]{24,}={0,2}"
)


def remember(value: str | None) -> None:
    """Treat ``value`` as a secret from now on: it, and its encoded forms, are never shown."""
    if not value or len(value) < _MIN_SECRET:
        return
    forms = {value, json.dumps(value)[1:-1], quote(value, safe=""), _b64(value)}
    forms |= _url_parts(value)
    with _lock:
        _secrets.update(f for f in forms if len(f) >= _MIN_SECRET)


def remember_basic(user: str, password: str) -> None:
    """An HTTP Basic credential: the header's base64 of ``user:password`` is a secret too."""
    remember(_b64(f"{user}:{password}"))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


def _url_parts(value: str) -> set[str]:
    """A secret URL's path, and each path segment that looks random (a Slack webhook's token
    parts); words such as ``services`` stay readable."""
    if "://" not in value:
        return set()
    path = urlsplit(value).path
    return {path} | {seg for seg in path.split("/") if _random_looking(seg)}


def _random_looking(segment: str) -> bool:
    mixed = any(c.isdigit() for c in segment) and any(c.isalpha() for c in segment)
    return len(segment) >= 20 or (len(segment) >= 8 and mixed)


def _known(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _patterns(text: str) -> str:
    text = _URL.sub(lambda m: f"{m.group(1)}/…", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _TOKEN_SHAPES.sub(REDACTED, text)
    return _OPAQUE.sub(REDACTED, text)


def _one_line(text: str) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


def scrub(text: object, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` as one printable line of at most ``limit`` characters, with no secret in it."""
    clean = _patterns(_known(_one_line(str(text))))
    return clean if len(clean) <= limit else clean[: limit - 1].rstrip() + "…"
