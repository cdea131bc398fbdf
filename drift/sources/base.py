"""What every source shares: its config base class, its runtime and the one-method protocol."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Protocol, runtime_checkable

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from drift import scrub
from drift.errors import ConfigError
from drift.model import Provenance, Schema

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
#: Keys that would hold a secret literally; each has an ``*_env`` twin.
LITERAL_SECRET_KEYS = frozenset(
    {"secret", "password", "token", "api_key", "secret_key", "username", "webhook_url", "key"}
)


def resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Relative paths in drift.toml are relative to the config file, not the working directory."""
    base = (info.context or {}).get("base_dir")
    value = value.expanduser()
    return value if value.is_absolute() or base is None else (Path(base) / value).resolve()


ConfigPath = Annotated[Path, AfterValidator(resolve_path)]


class EnvRefs(BaseModel):
    """A config block whose secrets are names of environment variables (``*_env`` keys)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    section: ClassVar[str] = "sources"

    @model_validator(mode="before")
    @classmethod
    def _refuse_literal_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key in LITERAL_SECRET_KEYS and f"{key}_env" in cls.model_fields:
                    raise ValueError(
                        f"'{key}' holds a secret literally; put it in an environment variable "
                        f"and name that variable in '{key}_env'"
                    )
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _env_names_look_like_env_names(cls, value: Any, info: ValidationInfo) -> Any:
        is_env_ref = bool(info.field_name and info.field_name.endswith("_env"))
        if is_env_ref and value is not None and not ENV_NAME.match(str(value)):
            raise ValueError(
                f"'{info.field_name}' must name an environment variable (like MY_SECRET), "
                "not hold the secret itself"
            )
        return value

    def label(self) -> str:
        name = getattr(self, "name", None) or getattr(self, "type", "?")
        return f"{self.section[:-1] if self.section.endswith('s') else self.section} '{name}'"

    def secret(self, key: str, *, required: bool = True) -> str | None:
        """Read the environment variable named by ``key`` (e.g. ``secret_env``)."""
        env_name = getattr(self, key)
        if env_name is None:
            if required:
                raise ConfigError(f"{self.label()} needs '{key}' in drift.toml")
            return None
        value = os.environ.get(env_name)
        if not value:
            if not required:
                return None
            raise ConfigError(
                f"{env_name} is not set (needed by {self.label()}, key {key} in drift.toml); "
                f"export it before running drift"
            )
        scrub.remember(value)
        return value

    def env_names(self) -> list[str]:
        return [
            getattr(self, k)
            for k in type(self).model_fields
            if k.endswith("_env") and getattr(self, k)
        ]


class SourceConfig(EnvRefs):
    """Keys every ``[[sources]]`` block has; connectors subclass it with a ``type`` literal."""

    name: str = Field(
        min_length=1, max_length=200, description="Unique name used in every command."
    )
    type: str = Field(description="Which connector reads this source.")
    timeout_seconds: float = Field(
        300.0,
        gt=0,
        le=3600,
        description="Deadline for fetching this source, all requests included.",
    )


@dataclass
class Runtime:
    """What a fetch may use besides its config: a deadline and a cancel flag (set on SIGTERM)."""

    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    deadline_seconds: float = 300.0

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
    #: True when a vendor drops items from its listing without deleting them (hidden, garbage
    #: collected): their absence is reported as "no longer listed" rather than "removed".
    absence_is_unlisting: ClassVar[bool] = False
    #: Raise when the connector starts reading the vendor more completely (new fields, nesting,
    #: corrected flags): the digest then reports the difference as a reader upgrade, not as drift
    #: in the vendor. Stored per snapshot.
    reader_version: ClassVar[int] = 1

    def __init__(self, config: SourceConfig, runtime: Runtime | None = None) -> None:
        self.config = config
        self.name = config.name
        self.runtime = runtime or Runtime(deadline_seconds=config.timeout_seconds)

    def fetch(self) -> Schema:  # pragma: no cover - abstract
        raise NotImplementedError

    def probe(self) -> str:
        """The cheapest read that proves the source is reachable with its credentials (for
        ``drift doctor``); returns what it saw, in a few words. Files are read whole."""
        return f"{len(self.fetch().items)} items"
