"""The facade every command uses: config, database, classifier and sources, loaded once, lazily."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from drift import plugins
from drift.config import DriftConfig, load_config
from drift.sources.base import Runtime, SourceBase

if TYPE_CHECKING:  # SQLAlchemy and Alembic load only for commands that use the database
    from drift.classify import Classifier
    from drift.store.database import Database


class App:
    def __init__(
        self,
        config_path: str | Path | None = None,
        config: DriftConfig | None = None,
        *,
        read_only: bool = False,
        source_classes: Mapping[str, type[SourceBase]] | None = None,
    ) -> None:
        """``source_classes``: connectors to use for some types instead of the registered ones
        (for a program embedding drift, or a test replaying an older connector)."""
        self._config_path = config_path
        self.read_only = read_only  # a command that only reads: the database opens read-only
        self._source_classes = dict(source_classes or {})
        if config is not None:
            self.__dict__["config"] = config

    @cached_property
    def config(self) -> DriftConfig:
        return load_config(self._config_path)

    @cached_property
    def database(self) -> Database:
        from drift.store.database import Database

        return Database(self.config.database.url, read_only=self.read_only)

    @cached_property
    def classifier(self) -> Classifier:
        from drift.classify import load_classifier

        return load_classifier(self.config.rules.path, self.config.rules.languages)

    @property
    def timezone(self) -> dt.tzinfo:
        return zoneinfo.ZoneInfo(self.config.schedule.timezone)

    def sources(
        self, names: list[str] | tuple[str, ...] = (), cancel: threading.Event | None = None
    ) -> list[SourceBase]:
        """Build the named sources (all when none named); each gets its own deadline."""
        configs = [self.config.source(n) for n in names] if names else list(self.config.sources)
        cancel = cancel or threading.Event()
        return [
            self.source_class(c.type)(c, Runtime(cancel=cancel, deadline_seconds=c.timeout_seconds))
            for c in configs
        ]

    def source_class(self, type_name: str) -> type[SourceBase]:
        """The connector of a source type: one given to ``App``, else the plugin registry's."""
        return self._source_classes.get(type_name) or plugins.source_class(type_name)

    def close(self) -> None:
        if "database" in self.__dict__:
            self.database.dispose()
