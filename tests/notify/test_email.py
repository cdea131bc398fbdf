"""Email against a real loopback SMTP server: TLS verified, STARTTLS enforced, headers safe."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from drift.errors import DeliveryError, PossiblyDelivered
from drift.model import DeliveryStatus, RenderedDigest
from drift.notify.email import EmailConfig, EmailNotifier, build_message
from tests.notify.conftest import Mailbox


def _config(port: int, **extra: object) -> EmailConfig:
    base: dict[str, object] = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "security": "starttls",
        "from": "drift@example.com",
        "to": ["sec@example.com", "ops@example.com"],
        "timeout_seconds": 5,
        "attempts": 1,
    }
    return EmailConfig.model_validate({**base, **extra})


def _parse(box: Mailbox) -> EmailMessage:
    (envelope,) = box.envelopes
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)  # type: ignore[return-value]


def _counts(html: str) -> list[tuple[str, str]]:
    body = html.split("<body", 1)[1]
    words = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return re.findall(r"(\d+) (high|medium|low) new", words)


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SMTP_USERNAME", "drift")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    return {"username_env": "SMTP_USERNAME", "password_env": "SMTP_PASSWORD"}


def test_starttls_delivery_with_auth(
    smtp_server: Callable[..., Mailbox],
    ca_file: Path,
    creds: dict[str, str],
    rendered: RenderedDigest,
) -> None:
    box = smtp_server("starttls")
    result = EmailNotifier(_config(box.port, ca_file=ca_file, **creds)).send(rendered)
    assert result.status is DeliveryStatus.SENT
    assert box.auth_attempts
    msg = _parse(box)
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text, html = (p.get_content() for p in msg.iter_parts())
    assert "3 high, 1 medium, 1 low" in text
    assert _counts(html)[:3] == [("3", "high"), ("1", "medium"), ("1", "low")]
    assert msg["Subject"] == rendered.subject
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"] == f"<{rendered.digest_id}@example.com>"
    assert msg["Date"] and msg["From"] == "drift@example.com"
    assert box.envelopes[0].rcpt_tos == ["sec@example.com", "ops@example.com"]


def test_implicit_tls(
    smtp_server: Callable[..., Mailbox], ca_file: Path, rendered: RenderedDigest
) -> None:
    box = smtp_server("ssl")
    result = EmailNotifier(_config(box.port, security="ssl", ca_file=ca_file)).send(rendered)
    assert result.status is DeliveryStatus.SENT and len(box.envelopes) == 1


def test_one_refused_recipient_is_partial(
    smtp_server: Callable[..., Mailbox], ca_file: Path, rendered: RenderedDigest
) -> None:
    box = smtp_server("starttls")
    config = _config(box.port, ca_file=ca_file, to=["a@example.com", "refuse@example.com"])
    result = EmailNotifier(config).send(rendered)
    assert result.status is DeliveryStatus.PARTIAL
    assert result.refused == ("refuse@example.com",)
    assert box.envelopes[0].rcpt_tos == ["a@example.com"]


def test_all_recipients_refused_is_permanent(
    smtp_server: Callable[..., Mailbox], ca_file: Path, rendered: RenderedDigest
) -> None:
    box = smtp_server("starttls")
    config = _config(box.port, ca_file=ca_file, to=["refuse@example.com"])
    with pytest.raises(DeliveryError) as err:
        EmailNotifier(config).send(rendered)
    assert not err.value.transient and not box.envelopes


def test_no_starttls_offered_fails_before_auth(
    smtp_server: Callable[..., Mailbox],
    ca_file: Path,
    creds: dict[str, str],
    rendered: RenderedDigest,
) -> None:
    box = smtp_server("plain")
    with pytest.raises(DeliveryError, match="does not offer STARTTLS") as err:
        EmailNotifier(_config(box.port, ca_file=ca_file, **creds)).send(rendered)
    assert not err.value.transient
    assert box.auth_attempts == [] and box.envelopes == []
    assert "s3cret" not in str(err.value)


def test_untrusted_certificate_fails(
    smtp_server: Callable[..., Mailbox], creds: dict[str, str], rendered: RenderedDigest
) -> None:
    box = smtp_server("starttls")
    with pytest.raises(DeliveryError, match="not trusted") as err:
        EmailNotifier(_config(box.port, **creds)).send(rendered)
    assert not err.value.transient and box.auth_attempts == []


def test_connection_refused_is_transient_and_tried_once(rendered: RenderedDigest) -> None:
    from tests.notify.conftest import free_port

    with pytest.raises(DeliveryError) as err:
        EmailNotifier(_config(free_port())).send(rendered)
    assert err.value.transient and not isinstance(err.value, PossiblyDelivered)


@pytest.mark.parametrize(
    "subject", ["x\r\nBcc: evil@x", "x\n", "=?UTF-8?Q?=0A?=Bcc: e@x", "a\u2028Bcc: e@x\x00"]
)
def test_no_header_injection(subject: str, rendered: RenderedDigest) -> None:
    hostile = dataclasses.replace(rendered, subject=subject)
    config = _config(25, security="none")
    raw = build_message(hostile, config).as_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert (
        "Bcc" not in msg
        and "bcc" not in raw.decode("ascii", "replace").lower().split("\r\n\r\n")[0].split(":")[0]
    )
    assert set(msg.keys()) == {
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
        "Auto-Submitted",
        "X-Auto-Response-Suppress",
        "Content-Type",
        "MIME-Version",
    }
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])


def test_attachment_travels_with_the_email(rendered: RenderedDigest) -> None:
    from drift.model import Attachment

    with_csv = dataclasses.replace(
        rendered, attachments=(Attachment("full.csv", "text/csv", b"a,b\r\n"),)
    )
    msg = build_message(with_csv, _config(25, security="none"))
    assert msg.get_content_type() == "multipart/mixed"
    inner, attached = msg.iter_parts()
    assert inner.get_content_type() == "multipart/alternative"
    assert attached.get_filename() == "full.csv"


def test_config_refuses_passwords_in_the_clear() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="cannot send a password"):
        _config(25, security="none", username_env="U", password_env="P")
    with pytest.raises(ValidationError, match="not an email address"):
        _config(25, to=["x\r\nBcc: a@b"])
