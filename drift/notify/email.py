"""Email over SMTP: multipart/alternative (text, then HTML), plus the full list when truncated.

TLS is always verified (``ssl.create_default_context()``, optionally with a private CA file). In
``starttls`` mode STARTTLS is issued unconditionally, so a server that does not offer it fails
before any AUTH. Headers come only from ``EmailMessage(policy=SMTP)``; the Message-ID derives from
the digest id, so a retried send carries the same id and receivers can deduplicate.

One attempt per send: the outbox is the one retry layer. A connection that drops or times out
after DATA was issued raises ``PossiblyDelivered`` (the server may have stored the message) instead
of a retryable error. A message refused for its size (552) is sent once more without attachments.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import smtplib
import ssl
from dataclasses import replace
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from html import escape as html_escape
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from drift.config_blocks import ConfigPath
from drift.errors import ConfigError, DeliveryError, MessageTooLarge
from drift.model import DeliveryResult, DeliveryStatus, RenderedDigest, utcnow
from drift.notify.base import NotifierConfig
from drift.notify.smtp_errors import translate

if TYPE_CHECKING:
    from typing_extensions import Buffer


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
    attempts: int = Field(
        5, ge=1, le=10, description="Attempts across runs (the outbox retries) before giving up."
    )

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
        return utcnow()


class _Tracking(smtplib.SMTP):
    """Remembers whether DATA was issued: after that, a dropped connection or a timeout means
    the server may have accepted the message."""

    data_started = False

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


class _TrackingSSL(_Tracking, smtplib.SMTP_SSL):
    pass


def _too_large(exc: BaseException) -> bool:
    if not isinstance(exc, smtplib.SMTPResponseException):
        return False
    reply = exc.smtp_error if isinstance(exc.smtp_error, bytes) else b""
    return exc.smtp_code == 552 or b"5.3.4" in reply


def shortened(digest: RenderedDigest) -> RenderedDigest:
    """The digest without its attachments, saying where the full list is instead."""
    names = ", ".join(a.filename for a in digest.attachments)
    size = sum(len(a.content) for a in digest.attachments)
    note = (
        f"The full list ({names}, {size:,} bytes) was too large for this mail server and is not "
        f"attached. It is kept with digest {digest.digest_id}: the file channel writes it beside "
        "the digest's files, and the JSON digest has every row."
    )
    html = digest.html.replace("<body>", f"<body><p><strong>{html_escape(note)}</strong></p>", 1)
    return replace(digest, text=f"{note}\n\n{digest.text}", html=html, attachments=())


class EmailNotifier:
    Config: ClassVar[type[EmailConfig]] = EmailConfig

    def __init__(self, config: EmailConfig) -> None:
        self.config = config

    def send(self, digest: RenderedDigest) -> DeliveryResult:
        """One attempt (the outbox retries). A message refused for its size is sent once more
        without attachments, saying where the full list is: never a lost digest."""
        try:
            refused = self._send_once(build_message(digest, self.config))
        except MessageTooLarge:
            if not digest.attachments:
                raise DeliveryError(
                    f"email {self.config.label()}: the server refused the message as too large "
                    "even without attachments",
                    transient=False,
                ) from None
            return self._result(self._send_short(digest), shortened=True)
        return self._result(refused)

    def _send_short(self, digest: RenderedDigest) -> dict[str, tuple[int, bytes]]:
        try:
            return self._send_once(build_message(shortened(digest), self.config))
        except MessageTooLarge:
            raise DeliveryError(
                f"email {self.config.label()}: the server refused even the shortened message "
                "as too large",
                transient=False,
            ) from None

    def _result(
        self, refused: dict[str, tuple[int, bytes]], shortened: bool = False
    ) -> DeliveryResult:
        note = " (shortened: attachments too large for the server)" if shortened else ""
        if refused:
            names = tuple(sorted(refused))
            detail = f"{len(names)} of {len(self.config.to)} recipients refused{note}"
            return DeliveryResult(DeliveryStatus.PARTIAL, detail, names)
        detail = f"accepted for {len(self.config.to)} recipients{note}"
        return DeliveryResult(DeliveryStatus.SENT, detail)

    def check(self) -> str:
        """Connect, TLS as configured, log in, NOOP, quit: nothing is sent (``drift doctor``)."""
        credentials = self._credentials()
        try:
            with self._connect() as smtp:
                if credentials:
                    smtp.login(*credentials)
                smtp.noop()
        except (smtplib.SMTPException, OSError) as exc:
            raise translate(exc, self.config.label()) from None
        steps = {"ssl": "implicit TLS", "starttls": "STARTTLS", "none": "no TLS"}
        login = ", login ok" if credentials else ""
        return f"{self.config.host}:{self.config.port}: {steps[self.config.security]}{login}"

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
        smtp: _Tracking | None = None
        try:
            smtp = self._connect()
            if credentials:
                smtp.login(*credentials)
            return smtp.send_message(msg, self.config.from_, list(self.config.to))
        except (smtplib.SMTPException, OSError) as exc:
            if _too_large(exc):
                raise MessageTooLarge(
                    f"email {self.config.label()}: refused as too large"
                ) from None
            sent = smtp is not None and smtp.data_started
            raise translate(exc, self.config.label(), data_sent=sent) from None
        finally:
            if smtp is not None:
                _close_quietly(smtp)

    def _connect(self) -> _Tracking:
        c, timeout = self.config, self.config.timeout_seconds
        if c.security == "ssl":
            return _TrackingSSL(c.host, c.port, timeout=timeout, context=self._context())
        smtp = _Tracking(c.host, c.port, timeout=timeout)
        try:
            smtp.ehlo()
            if c.security == "starttls":
                smtp.starttls(context=self._context())  # unconditional: no silent downgrade
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT after the message was accepted (or not) changes nothing: its failure is ignored."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
