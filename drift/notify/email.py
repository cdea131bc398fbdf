"""Email over SMTP: multipart/alternative (text, then HTML), plus the full list when truncated.

TLS is always verified (``ssl.create_default_context()``, optionally with a private CA file). In
``starttls`` mode STARTTLS is issued unconditionally, so a server that does not offer it fails
before any AUTH. Headers come only from ``EmailMessage(policy=SMTP)``; the Message-ID derives from
the digest id, so a retried send carries the same id and receivers can deduplicate.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from drift.errors import ConfigError, DeliveryError
from drift.model import DeliveryResult, DeliveryStatus, RenderedDigest
from drift.notify.base import NotifierConfig
from drift.notify.smtp_errors import translate
from drift.sources.base import ConfigPath


class EmailConfig(NotifierConfig):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: Literal["email"] = Field(description="Send the digest by email (SMTP).")
    host: str = Field(min_length=1, description="SMTP server host name.")
    port: int = Field(587, ge=1, le=65535, description="SMTP port (587 starttls, 465 ssl).")
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="starttls (required, never skipped), ssl (implicit TLS) or none (no TLS: "
        "local relays only; no AUTH allowed).",
    )
    username_env: str | None = Field(None, description="Env var with the SMTP user name.")
    password_env: str | None = Field(None, description="Env var with the SMTP password.")
    from_: str = Field(alias="from", description="Sender address.")
    to: list[str] = Field(min_length=1, description="Recipient addresses.")
    ca_file: ConfigPath | None = Field(
        None, description="PEM file of CA certificates to trust instead of the system store."
    )
    timeout_seconds: float = Field(30.0, gt=0, le=300, description="Socket timeout per step.")
    attempts: int = Field(3, ge=1, le=10, description="Attempts for transient failures.")

    @field_validator("from_", "to")
    @classmethod
    def _addresses(cls, value: str | list[str]) -> str | list[str]:
        for address in [value] if isinstance(value, str) else value:
            _, parsed = email.utils.parseaddr(address)
            if "@" not in parsed or not address.isprintable() or "=?" in address:
                raise ValueError(f"not an email address: {header_text(address, 80)!r}")
        return value

    @model_validator(mode="after")
    def _no_auth_in_the_clear(self) -> EmailConfig:
        if self.security == "none" and (self.username_env or self.password_env):
            raise ValueError("security = 'none' cannot send a password; use starttls or ssl")
        if self.password_env and not self.username_env:
            raise ValueError("password_env needs username_env")
        return self


def header_text(text: str, limit: int = 200) -> str:
    """Defence in depth (the report stage already sanitised it): one line, no control chars."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    # "=?charset?Q?=0A?=" is an RFC 2047 encoded newline: older CPythons (CVE-2024-6923) fold it
    # back into a raw line break. Break the encoded-word syntax instead of trusting the library.
    flat = " ".join(cleaned.split()).replace("=?", "= ?")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _domain(address: str) -> str:
    domain = email.utils.parseaddr(address)[1].rpartition("@")[2]
    return "".join(ch for ch in domain if ch.isalnum() or ch in ".-") or "drift.invalid"


def build_message(digest: RenderedDigest, config: EmailConfig) -> EmailMessage:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = header_text(digest.subject)
    msg["From"] = config.from_
    msg["To"] = ", ".join(config.to)
    msg["Date"] = email.utils.format_datetime(_created(digest))
    msg["Message-ID"] = f"<{digest.digest_id}@{_domain(config.from_)}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(digest.text)
    msg.add_alternative(digest.html, subtype="html")
    for att in digest.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        msg.add_attachment(
            att.content, maintype=maintype, subtype=subtype or "octet-stream", filename=att.filename
        )
    _verify_headers(msg)
    return msg


EXPECTED_HEADERS = frozenset(
    {"subject", "from", "to", "date", "message-id", "auto-submitted", "x-auto-response-suppress"}
)


def _verify_headers(msg: EmailMessage) -> None:
    """Parse what would go on the wire: exactly our headers, each once, or nothing is sent."""
    head = msg.as_bytes().split(b"\r\n\r\n", 1)[0]
    parsed = BytesHeaderParser(policy=email.policy.SMTP).parsebytes(head + b"\r\n\r\n")
    names = [k.lower() for k in parsed]
    extra = set(names) - EXPECTED_HEADERS - {"content-type", "mime-version"}
    if extra or len(names) != len(set(names)):
        raise DeliveryError("email: the message headers did not survive serialisation intact")


def _created(digest: RenderedDigest) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(digest.created_at.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(dt.UTC)


class EmailNotifier:
    Config: ClassVar[type[EmailConfig]] = EmailConfig

    def __init__(self, config: EmailConfig, *, sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self._sleep = sleep

    def send(self, digest: RenderedDigest) -> DeliveryResult:
        msg = build_message(digest, self.config)
        retrying = Retrying(
            stop=stop_after_attempt(self.config.attempts),
            wait=wait_random_exponential(multiplier=2, max=30),
            retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.transient),
            sleep=self._sleep,
            reraise=True,
        )
        refused = retrying(self._send_once, msg)
        if refused:
            names = tuple(sorted(refused))
            detail = f"{len(names)} of {len(self.config.to)} recipients refused"
            return DeliveryResult(DeliveryStatus.PARTIAL, detail, names)
        return DeliveryResult(DeliveryStatus.SENT, f"accepted for {len(self.config.to)} recipients")

    def _context(self) -> ssl.SSLContext:
        ca = str(self.config.ca_file) if self.config.ca_file else None
        try:
            return ssl.create_default_context(cafile=ca)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"{self.config.label()}: cannot load ca_file: {exc}") from None

    def _credentials(self) -> tuple[str, str] | None:
        if not self.config.username_env:
            return None
        user = self.config.secret("username_env") or ""
        return user, self.config.secret("password_env", required=False) or ""

    def _send_once(self, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
        credentials = self._credentials()
        try:
            with self._connect() as smtp:
                if credentials:
                    smtp.login(*credentials)
                return smtp.send_message(msg, self.config.from_, list(self.config.to))
        except (smtplib.SMTPException, OSError) as exc:
            raise translate(exc, self.config.label()) from None

    def _connect(self) -> smtplib.SMTP:
        c, timeout = self.config, self.config.timeout_seconds
        if c.security == "ssl":
            return smtplib.SMTP_SSL(c.host, c.port, timeout=timeout, context=self._context())
        smtp = smtplib.SMTP(c.host, c.port, timeout=timeout)
        try:
            smtp.ehlo()
            if c.security == "starttls":
                smtp.starttls(context=self._context())  # unconditional: no silent downgrade
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp
