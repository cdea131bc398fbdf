"""smtplib and socket errors as one-line ``DeliveryError``s, transient or not, with no secrets
(server replies are reduced to their status code: some echo the user name)."""

from __future__ import annotations

import smtplib
import socket
import ssl

from drift.errors import DeliveryError, PossiblyDelivered


def _code_transient(code: int) -> bool:
    return 400 <= code < 500


def translate(exc: BaseException, label: str, *, data_sent: bool = False) -> DeliveryError:
    """``data_sent``: DATA was issued, so losing the connection now may mean it was accepted."""
    where = f"email {label}"
    if data_sent and not isinstance(exc, smtplib.SMTPResponseException | ssl.SSLError):
        return PossiblyDelivered(
            f"{where}: possibly delivered: the connection was lost after the message was sent "
            f"and before the server confirmed it ({type(exc).__name__})"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(
            f"{where}: the server's TLS certificate is not trusted ({exc.verify_message}); "
            "set ca_file for a private CA",
            transient=False,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(
            f"{where}: the server does not offer STARTTLS; refusing to send without TLS",
            transient=False,
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(
            f"{where}: the server refused the credentials (code {exc.smtp_code})", transient=False
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        transient = bool(codes) and all(_code_transient(c) for c in codes)
        return DeliveryError(
            f"{where}: every recipient was refused (codes {sorted(set(codes))})",
            transient=transient,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryError(
            f"{where}: the server answered {exc.smtp_code}",
            transient=_code_transient(exc.smtp_code),
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | socket.timeout):
        return DeliveryError(f"{where}: connection lost ({type(exc).__name__})", transient=True)
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(f"{where}: TLS failed ({exc.reason})", transient=False)
    if isinstance(exc, OSError):
        return DeliveryError(f"{where}: cannot connect ({exc.strerror or exc})", transient=True)
    return DeliveryError(f"{where}: {type(exc).__name__}", transient=False)
