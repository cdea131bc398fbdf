"""The base classes every ``[[sources]]`` and ``[[notify]]`` block extends, with the config.

Secrets are only ever names of environment variables (``*_env`` keys); relative paths are
resolved from the config file's folder. Connectors and notifiers subclass :class:`SourceConfig`
and :class:`NotifierConfig` with a ``type`` literal; drift.toml is parsed in :mod:`drift.config`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar

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

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
#: Keys that would hold a secret literally; each has an ``*_env`` twin.
LITERAL_SECRET_KEYS = frozenset(
    {"secret", "password", "token", "api_key", "secret_key", "username", "webhook_url", "key"}
)


def resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Relative paths in drift.toml are relative to the config file, not the working directory."""
    base = (info.context or {}).get("base_dir")
    try:
        value = value.expanduser()
    except RuntimeError:  # "~nosuchuser/...": no such user, or no home to expand "~" to
        raise ValueError(f"cannot expand {str(value)!r}: no such user's home folder") from None
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


class NotifierConfig(EnvRefs):
    """Keys every ``[[notify]]`` block has; each notifier subclasses it with a ``type`` literal."""

    section: ClassVar[str] = "notify"
    type: str = Field(description="Which channel delivers the digest.")
    name: str | None = Field(None, description="Optional label; defaults to the type and index.")
