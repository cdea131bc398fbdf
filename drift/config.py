"""drift.toml: pydantic models, the lookup order, and errors that name the file and the key.

Lookup order for the config file: ``--config PATH``, then ``$DRIFT_CONFIG``, then ``./drift.toml``.
``$DRIFT_DATABASE_URL`` overrides ``[database] url``. Relative paths (the SQLite file, schema files,
rules, report folders) are resolved from the folder of the config file.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
import zoneinfo
from collections.abc import Iterable
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    field_validator,
    model_validator,
)

from drift import scrub
from drift.config_blocks import ConfigPath, NotifierConfig, SourceConfig
from drift.errors import ConfigError
from drift.model import Severity
from drift.plugins import NOTIFIERS, SECTIONS, SOURCES, plugin, plugin_errors, type_names

DEFAULT_PATH = Path("drift.toml")


class Section(BaseModel):
    """Strict: ``"30"`` is not a number and ``"yes"`` not a boolean (a quoted value is a typo to
    report, not to guess); paths and severities are written as strings and stay lax."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


class DatabaseConfig(Section):
    url: str = Field("sqlite:///drift.db", description="SQLAlchemy URL; $DRIFT_DATABASE_URL wins.")


class ScheduleConfig(Section):
    cron: str = Field("0 7 * * *", description="Five-field cron expression for `drift schedule`.")
    timezone: str = Field("UTC", description="IANA zone the cron runs in; never the host's zone.")
    misfire_grace_seconds: int = Field(
        6 * 3600, ge=1, description="How late a run may still start after its fire time."
    )
    run_deadline_seconds: int = Field(1800, ge=10, description="Hard deadline for one run.")
    heartbeat_file: ConfigPath | None = Field(
        None, strict=False, description="File rewritten after each run."
    )

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        """Parsed as ``drift schedule`` parses it: nothing passes here that the job rejects."""
        from drift.cron import parse_cron

        parse_cron(value, zoneinfo.ZoneInfo("UTC"))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown timezone {value!r} (use an IANA name like Europe/Berlin)"
            ) from exc
        return value


class RulesConfig(Section):
    path: ConfigPath | None = Field(
        None, strict=False, description="Extra, overriding or disabled rules (TOML)."
    )
    languages: list[str] | None = Field(
        None,
        description='Languages whose terms grade names, e.g. ["de", "fr"]; English always. '
        "Default: every shipped language (de, es, fr, it, nl, pt).",
    )


class DigestConfig(Section):
    send_when_empty: bool = Field(True, description="Send a heartbeat digest when nothing changed.")
    templates: ConfigPath | None = Field(
        None, strict=False, description="Folder of templates overriding ours."
    )
    max_attachment_bytes: int = Field(
        10_000_000,
        ge=10_000,
        description="Cap per attachment: the full CSV list is gzip-compressed, then split into "
        "parts, to stay under it.",
    )
    max_json_bytes: int = Field(
        20_000_000,
        ge=100_000,
        description="Cap on the stored JSON digest: per-change lists, then row sections, are "
        "left out above it (the CSV attachment keeps every row).",
    )


class PolicyConfig(Section):
    name: str | None = Field(None, description="Label shown with violations.")
    sources: list[str] = Field(default_factory=list, description="Source names it applies to.")
    source_types: list[str] = Field(default_factory=list, description="Or source types.")
    forbid: list[str] = Field(default_factory=list, description="Categories never allowed.")
    allow: list[str] | None = Field(None, description="If set, only these categories are allowed.")
    max_severity: Severity | None = Field(
        None, strict=False, description="Highest severity allowed."
    )

    @model_validator(mode="after")
    def _has_target(self) -> PolicyConfig:
        if not self.sources and not self.source_types:
            raise ValueError("a policy needs 'sources' or 'source_types'")
        return self


class ReconcileConfig(Section):
    plan: str = Field(description="A documented source: what was planned.")
    observed: list[str] = Field(min_length=1, description="Sources showing what arrived.")


class DriftConfig(Section):
    """The whole drift.toml, validated; ``path`` is where it was read from."""

    path: Path | None = Field(None, exclude=True, strict=False)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    sources: list[SerializeAsAny[SourceConfig]] = Field(default_factory=list)
    notify: list[SerializeAsAny[NotifierConfig]] = Field(default_factory=list)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    policy: list[PolicyConfig] = Field(default_factory=list)
    reconcile: list[ReconcileConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_exist(self) -> DriftConfig:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique; repeated: {', '.join(dupes)}")
        known_types = set(type_names(SOURCES))
        for block in self.policy:
            _check_known("policy sources", block.sources, names)
            _check_known("policy source_types", block.source_types, known_types)
        for pair in self.reconcile:
            _check_known("reconcile plan", [pair.plan], names)
            _check_known("reconcile observed", pair.observed, names)
        return self

    def require_sources(self) -> None:
        """The daily job (and ``config check``, ``doctor``) refuse a config that reads nothing;
        read-only commands (history, prune...) work without sources."""
        if not self.sources:
            raise ConfigError(
                f"{self.path or 'drift.toml'}: no [[sources]] configured: add one "
                "(`drift init` writes an example); a job without sources reads nothing"
            )

    def source(self, name: str) -> SourceConfig:
        for block in self.sources:
            if block.name == name:
                return block
        names = [s.name for s in self.sources]
        known = ", ".join(names) or "none configured"
        raise ConfigError(
            f"no source named {name!r}{did_you_mean(name, names)} in "
            f"{self.path or 'drift.toml'} (known: {known})"
        )

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def _check_known(what: str, names: list[str], known: Any) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"{what}: unknown {', '.join(map(repr, unknown))}")


def find_config_path(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("DRIFT_CONFIG") or DEFAULT_PATH)


def load_config(path: str | Path | None = None) -> DriftConfig:
    """Read, validate and resolve drift.toml; raise ConfigError with file, key and expectation."""
    config_path = find_config_path(path)
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"no config file at {config_path}; run `drift init` to write one, "
            "or pass --config / set DRIFT_CONFIG"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    return parse_config(raw, config_path.resolve())


def parse_config(raw: dict[str, Any], path: Path | None = None) -> DriftConfig:
    context = {"base_dir": path.parent if path else Path.cwd()}
    where = str(path or "drift.toml")
    raw = dict(raw)
    for group in (SOURCES, NOTIFIERS):
        section = SECTIONS[group]
        raw[section] = _typed_blocks(raw.get(section, []), group, where, context)
    try:
        config = DriftConfig.model_validate(raw, context=context)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_describe(exc)}") from None
    _check_policy_categories(config, where)
    url = os.environ.get("DRIFT_DATABASE_URL") or config.database.url
    check_database_url(url, where)
    database = DatabaseConfig(
        url=resolve_sqlite_url(normalise_database_url(url), config_base(path))
    )
    remember_secrets(config, url)
    return config.model_copy(update={"path": path, "database": database})


def remember_secrets(config: DriftConfig, database_url: str) -> None:
    """Every secret the config points at is known to the scrubber before anything is sent, so an
    echo of one in any error (even from another source or channel) is redacted."""
    for block in [*config.sources, *config.notify]:
        for env_name in block.env_names():
            scrub.remember(os.environ.get(env_name))
    scrub.remember(urlsplit(database_url).password)


def _check_policy_categories(config: DriftConfig, where: str) -> None:
    """Policy categories must exist in the loaded rule set (defaults plus the [rules] file)."""
    if not config.policy:
        return
    from drift.classify.rules import load_rules, require_category

    known = load_rules(config.rules.path).categories
    for index, block in enumerate(config.policy, start=1):
        for key in ("forbid", "allow"):
            for category in getattr(block, key) or ():
                require_category(category, known, f"{where}: [[policy]] #{index} {key}")


def config_base(path: Path | None) -> Path:
    return path.parent if path else Path.cwd()


#: URL schemes people paste (Heroku, Render, docker-compose, psql) -> the driver drift ships with.
URL_SCHEMES = {
    "postgres": ("postgresql+psycopg", "psycopg", "postgres"),
    "postgresql": ("postgresql+psycopg", "psycopg", "postgres"),
    "mysql": ("mysql+pymysql", "pymysql", "mysql"),
    "mariadb": ("mariadb+pymysql", "pymysql", "mysql"),
}


def check_database_url(url: str, where: str) -> None:
    """Refuse what would be read two ways, or crash later; never echo the URL (it may hold a
    password). A raw ``@``, ``/``, ``?`` or ``#`` in a server URL's user or password makes
    SQLAlchemy and the driver split it differently (and a host error would echo the password's
    tail); a SQLite URL with a user or host is not a file; NUL is no path at all."""
    what = f"{where}: [database] url (or DRIFT_DATABASE_URL)"
    if "\x00" in url:
        raise ConfigError(f"{what} holds a NUL character")
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        if parts.netloc:
            raise ConfigError(
                f"{what}: a SQLite URL names a file, with no user, password or host: write "
                "sqlite:///drift.db (relative to the config file) or sqlite:////abs/path.db"
            )
        return
    after_host = parts.path + parts.query + parts.fragment
    if parts.netloc.count("@") > 1 or "@" in after_host:
        raise ConfigError(
            f"{what}: the user or password holds a character URLs reserve (@ / ? #): "
            "percent-encode it (@ is %40, / is %2F, ? is %3F, # is %23)"
        )


def normalise_database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` use psycopg 3, ``mysql://``/``mariadb://`` PyMySQL
    (SQLAlchemy would pick drivers drift does not install); a missing driver gets the pip line."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in URL_SCHEMES:
        return url
    driver_url, module, extra = URL_SCHEMES[scheme]
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ConfigError(
            f"[database] url: {scheme}:// needs the {module} driver; "
            f"run: pip install 'drift-schema[{extra}]'"
        )
    return f"{driver_url}://{rest}"


def resolve_sqlite_url(url: str, base: Path) -> str:
    """``sqlite:///drift.db`` is relative to the config file; absolute and memory URLs are kept."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.startswith(prefix + "/") or url == "sqlite://":
        return url
    rest = url[len(prefix) :]
    if rest in ("", ":memory:"):
        return url
    return prefix + str((base / rest).resolve())


def _typed_blocks(blocks: Any, group: str, where: str, context: dict[str, Any]) -> list[Any]:
    """Each block validated by its type's ``Config``; only the configured types are imported."""
    section = SECTIONS[group]
    if not isinstance(blocks, list):
        raise ConfigError(f"{where}: [[{section}]] must be an array of tables")
    out = []
    for index, block in enumerate(blocks):
        label = f"[[{section}]] #{index + 1}"
        if isinstance(block, dict) and block.get("name"):
            label = f"[[{section}]] {block['name']!r}"
        kind = block.get("type") if isinstance(block, dict) else None
        cls = plugin(group, kind) if isinstance(kind, str) else None
        if cls is None:
            broken = plugin_errors().get(f"{section}:{kind}")
            if broken:
                raise ConfigError(f"{where}: {label}: type {kind!r} failed to load: {broken}")
            names = type_names(group)
            raise ConfigError(
                f"{where}: {label}: type = {kind!r} is not known"
                f"{did_you_mean(str(kind), names)} (expected {' | '.join(names)})"
            )
        try:
            out.append(_strict(cls.Config, block, context))
        except ValidationError as exc:
            raise ConfigError(f"{where}: {label}: {_describe(exc, cls.Config)}") from None
    return out


def _strict(model: type[BaseModel], block: dict[str, Any], context: dict[str, Any]) -> Any:
    """Validate a plugin's block strictly, as JSON: numbers and booleans must be written as such
    (``port = "587"`` is refused), while strings still become paths and enums."""
    return model.model_validate_json(json.dumps(block, default=str), strict=True, context=context)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'timezone'?)`` for a near miss, else an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close and word.lower() in (c.lower() for c in choices):
        close = [c for c in choices if c.lower() == word.lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(exc: ValidationError, model: type[BaseModel] | None = None) -> str:
    """First error as one line: key path, what is wrong, what was expected (never the value)."""
    errors = exc.errors(include_url=False, include_input=False)
    err = min(errors, key=lambda e: e["type"] != "extra_forbidden")  # a typo explains a "missing"
    parts = [p for p in err["loc"] if not isinstance(p, int)]
    loc = ".".join(str(p) for p in parts) or "(top level)"
    if err["type"] == "extra_forbidden":
        owner = _model_at(model or DriftConfig, parts[:-1])
        keys = [
            str(f.alias or k)
            for k, f in owner.model_fields.items()
            if k != "path" or owner is not DriftConfig
        ]
        hint = did_you_mean(str(parts[-1]), keys) if parts else ""
        return f"unknown key {loc!r}{hint} (expected one of: {', '.join(keys)})"
    if err["type"] == "missing":
        return f"missing key {loc!r}"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in ("int_type", "float_type", "bool_type"):
        message += " (write numbers and true/false without quotes)"
    return f"{loc}: {message}" if loc != "(top level)" else message


def _model_at(model: type[BaseModel], path: list[Any]) -> type[BaseModel]:
    """The pydantic model that owns the key at ``path`` (to list the keys it accepts)."""
    for part in path:
        field = model.model_fields.get(str(part))
        if field is None:
            break
        candidates = [field.annotation, *get_args(field.annotation)]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            break
        model = nested[0]
    return model


def masked(config: DriftConfig) -> dict[str, Any]:
    """The resolved config as plain data, with database passwords masked (secrets are env names)."""
    data = config.model_dump(mode="json", by_alias=True)
    data["sources"] = [s.model_dump(mode="json", by_alias=True) for s in config.sources]
    data["notify"] = [n.model_dump(mode="json", by_alias=True) for n in config.notify]
    data["database"]["url"] = mask_url(config.database.url)
    return data


def mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
        secret_params = {
            k: "***" for k in parsed.query if "pass" in k.lower() or "secret" in k.lower()
        }
        return parsed.update_query_dict(secret_params).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]
