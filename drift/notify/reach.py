"""Is an HTTP endpoint reachable, without sending it anything? (``drift doctor`` for webhooks.)

Resolves the host, opens a TCP connection and, for https, completes a verified TLS handshake, then
closes: no request is made, so nothing is posted. Messages name the host, never the URL (a Slack
webhook URL is a secret).
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

from drift.errors import DeliveryError


def reach(channel: str, url: str, timeout: float = 10.0) -> str:
    """One line saying what worked; raises DeliveryError naming the step that failed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise DeliveryError(f"{channel}: cannot resolve host {host!r}: {exc}") from None
    found = f"{host} resolves ({len(addresses)} address{'es' if len(addresses) > 1 else ''})"
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if parts.scheme != "https":
                return f"{found}; TCP connect to port {port} ok (plain http)"
            context = ssl.create_default_context()
            with context.wrap_socket(sock, server_hostname=host) as tls:
                return f"{found}; TLS ok ({tls.version()}, certificate verified)"
    except ssl.SSLError as exc:
        reason = getattr(exc, "verify_message", None) or exc.reason or type(exc).__name__
        raise DeliveryError(f"{channel}: TLS handshake with {host} failed: {reason}") from None
    except OSError as exc:
        raise DeliveryError(
            f"{channel}: cannot connect to {host} port {port}: {exc.strerror or exc}"
        ) from None
