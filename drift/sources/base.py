"""What every source shares: its runtime, the one-method protocol and the base class.

The config base class (``SourceConfig``) lives with the config, in :mod:`drift.config_blocks`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol, get_args, runtime_checkable

from drift.config_blocks import ConfigPath as ConfigPath
from drift.config_blocks import EnvRefs as EnvRefs
from drift.config_blocks import SourceConfig as SourceConfig
from drift.model import ANY_EVENT, Fetched, Provenance, Schema, SourceRole

if TYPE_CHECKING:
    from drift.sources.known_reads import KnownReads


@dataclass
class Runtime:
    """What a fetch may use besides its config: a deadline and a cancel flag (set on SIGTERM)."""

    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    deadline_seconds: float = 300.0
    #: Called with 1 for each page a vendor answered (the progress display counts them).
    on_page: Callable[[int], None] | None = None

    def remaining(self) -> float:
        return self.deadline_seconds - (time.monotonic() - self.started)


@runtime_checkable
class Source(Protocol):
    """A source reads one vendor project (or file) and returns its whole schema, or raises."""

    @property
    def name(self) -> str: ...

    @property
    def provenance(self) -> Provenance: ...

    def fetch(self) -> Schema: ...


class SourceBase:
    """Convenience base: keeps the config and the runtime; subclasses implement ``fetch``."""

    Config: ClassVar[type[SourceConfig]]
    provenance: ClassVar[Provenance] = Provenance.DOCUMENTED
    #: What the source is in the data flow: a vendor, a plan, event samples or a CDP.
    role: ClassVar[SourceRole] = SourceRole.VENDOR
    #: True when a vendor drops items from its listing without deleting them (hidden, garbage
    #: collected): their absence is reported as "no longer listed" rather than "removed".
    absence_is_unlisting: ClassVar[bool] = False
    #: Raise when the connector starts reading the vendor more completely (new fields, nesting,
    #: corrected flags): the digest then reports the difference as a reader upgrade, not as drift
    #: in the vendor. Stored per snapshot.
    reader_version: ClassVar[int] = 1
    #: True when the source reads tracking-plan files from its ``path`` in the formats
    #: ``drift check`` parses: the check then applies that source's policies to files under it.
    reads_plan_files: ClassVar[bool] = False

    @classmethod
    def type_name(cls) -> str:
        """The ``type`` that selects this source in drift.toml (its config's literal)."""
        annotation = cls.Config.model_fields["type"].annotation
        return str(get_args(annotation)[0]) if get_args(annotation) else cls.__name__

    @classmethod
    def plain_event_name(cls, event: str) -> str:
        """The event as other vendors name it: a source whose events carry decorations (Segment's
        ``Order Completed [TRACK v2]``) strips them here; most sources name events plainly."""
        return event

    @classmethod
    def event_aliases(cls, event: str) -> tuple[str, ...]:
        """Every name the event matches under at other sources, the plain name first."""
        return (cls.plain_event_name(event),)

    @classmethod
    def is_project_wide(cls, event: str) -> bool:
        """Properties under this event arrive on every event (``*``, or a decorated ``*``)."""
        return ANY_EVENT in cls.event_aliases(event)

    def __init__(self, config: SourceConfig, runtime: Runtime | None = None) -> None:
        self.config = config
        self.name = config.name
        self.runtime = runtime or Runtime(deadline_seconds=config.timeout_seconds)

    def fetch(self) -> Schema:  # pragma: no cover - abstract
        raise NotImplementedError

    def fetch_known(self, reads: KnownReads) -> Fetched:
        """``fetch()``, or, for a source that reads local files, the input recognised as one it
        read before (``reads`` keeps what those reads gave). Vendors are always fetched."""
        return self.fetch()

    def probe(self) -> str:
        """The cheapest read that proves the source is reachable with its credentials (for
        ``drift doctor``); returns what it saw, in a few words. Files are read whole."""
        return f"{len(self.fetch().items)} items"
