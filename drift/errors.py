"""Every error drift raises on purpose.

```
DriftError                  one line for the user; .transient says "retry next run"
├── ConfigError             drift.toml, rules, policy or CLI input is wrong (terminal)
├── SourceError             a source could not be read (transient unless noted)
│   ├── AuthError           401/403: credentials wrong or missing scope (terminal)
│   ├── RateLimited         429 after the retry budget (transient)
│   ├── BadResponse         malformed, truncated, oversized or cyclic data (terminal)
│   └── DeadlineExceeded    the per-source deadline passed (transient)
├── StoreError              the database refused or is on an old schema
│   ├── NoDatabase          a read-only command found no SQLite file: nothing recorded yet
│   └── LeaseHeld           another run holds the run lease
│       └── LeaseLost       this run's lease was taken over: its results are not committed
├── DeliveryError           a digest could not be delivered (see .transient)
│   ├── PossiblyDelivered   sent, but no answer: the receiver may have it (not re-sent blindly)
│   └── MessageTooLarge     the mail server refused the message for its size (552 / 5.3.4)
├── Cancelled               the run was asked to stop: SIGTERM, deadline, lost lease (transient)
└── RetryableAttempt        one HTTP attempt failed in a way worth retrying (never leaves the
                            source HTTP helper: it retries, then raises a SourceError)
```

Library exceptions are translated at the boundary (`raise SourceError(...) from exc`); messages
never contain secrets or property values, and say what to do next. Every message passes through
`drift.scrub.scrub`: one bounded line, with anything the other side echoed that looks like a
credential or a URL path replaced.
"""

from __future__ import annotations

from drift.scrub import scrub


class DriftError(Exception):
    """Base class: `str(err)` is one line a user can act on."""

    transient: bool = False

    def __init__(self, message: str, *, transient: bool | None = None) -> None:
        super().__init__(scrub(message))
        if transient is not None:
            self.transient = transient


class ConfigError(DriftError):
    """Configuration, rules, policy or command-line input is invalid."""


class SourceError(DriftError):
    """A source could not be fetched; nothing is recorded for it."""

    transient = True


class AuthError(SourceError):
    """The vendor refused the credentials (401/403)."""

    transient = False


class RateLimited(SourceError):
    """The vendor kept answering 429 beyond the retry budget."""


class BadResponse(SourceError):
    """The vendor (or file) answered with something drift cannot trust."""

    transient = False


class DeadlineExceeded(SourceError):
    """The per-source or per-run deadline passed before the fetch finished."""


class StoreError(DriftError):
    """The database failed, or its schema is older than this drift."""


class NoDatabase(StoreError):
    """A command that only reads found no SQLite file where the config points: drift has recorded
    nothing there yet (exit 7, "no records"; the file is not created). ``path``: that file."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class LeaseHeld(StoreError):
    """Another run holds the run lease."""

    transient = True


class LeaseLost(LeaseHeld):
    """This run's lease expired and was taken over (or released); its results must not commit."""

    transient = True


class DeliveryError(DriftError):
    """A digest could not be delivered to a channel (``retry_after``: seconds the receiver asked
    us to wait, if it said)."""

    def __init__(
        self, message: str, *, transient: bool | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, transient=transient)
        self.retry_after = retry_after


class PossiblyDelivered(DeliveryError):
    """The message went out and no answer came back (a timeout or a dropped connection after the
    request or the SMTP DATA was sent): the receiver may have it. Not retried blindly."""

    transient = False


class MessageTooLarge(DeliveryError):
    """The mail server refused the message for its size (552 / 5.3.4); the email notifier catches
    it and sends the digest once more without its attachments."""

    transient = False


class Cancelled(DriftError):
    """The run was asked to stop (SIGTERM, deadline, or its lease was taken over)."""

    transient = True


class RetryableAttempt(DriftError):
    """One HTTP attempt failed in a way worth retrying: ``status`` (None: no answer) and how long
    the server asked us to wait (``retry_after``, seconds), if it said."""

    transient = True

    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.retry_after = str(self), status, retry_after
