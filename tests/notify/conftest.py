"""A real SMTP server on 127.0.0.1 (aiosmtpd, in-process), with trustme certificates."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as Server
from aiosmtpd.smtp import AuthResult, Envelope, Session

from drift.model import RenderedDigest
from drift.report.build import build_digest
from drift.report.render import render_digest
from tests.report.fixtures import fixture_input


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    port: int = 0
    envelopes: list[Envelope] = field(default_factory=list)
    auth_attempts: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Server, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Server, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        self.auth_attempts.append(mechanism)
        ok = getattr(data, "login", b"") == b"drift" and getattr(data, "password", b"") == b"s3cret"
        return AuthResult(success=ok)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


@pytest.fixture
def smtp_server(server_tls: ssl.SSLContext) -> Iterator[Callable[..., Mailbox]]:
    """Call with mode 'starttls' | 'ssl' | 'plain' (no STARTTLS offered) to start a server."""
    controllers: list[Controller] = []

    def start(mode: str = "starttls", handler: Mailbox | None = None, **extra: Any) -> Mailbox:
        box = handler or Mailbox()
        box.port = free_port()
        kwargs: dict[str, Any] = {
            "hostname": "127.0.0.1",
            "port": box.port,
            "authenticator": box.authenticate,
            "auth_require_tls": mode != "plain",
            **extra,
        }
        if mode == "starttls":
            kwargs["tls_context"] = server_tls
        elif mode == "ssl":
            kwargs["ssl_context"] = server_tls
            kwargs["server_hostname"] = "127.0.0.1"
        controller = Controller(box, **kwargs)
        controller.start()
        controllers.append(controller)
        return box

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="session")
def rendered() -> RenderedDigest:
    return render_digest(build_digest(fixture_input()))
