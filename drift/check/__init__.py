"""``drift check``: what a change to tracking-plan files introduces, without a database.

```
plans (files, git ref) --parse--> Plan (items + file:line) --diff--> touched properties
  --classify, [[policy]], allowances--> CheckResult --format--> text|json|sarif|github|junit
```

The plan files are parsed by the plan-file source's parsers (``plans.READER``, the
``jsonschema`` source), the change by the diff stage, the findings by the classifier with the
``[rules]`` file and the ``[[policy]]`` blocks of drift.toml: the same judgement as the daily
job, at the pull request that adds the property. Nothing here opens the database or the network.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from drift.check.allowances import load_allowances
from drift.check.assess import findings_of, stale_allowances, touched, violations_of
from drift.check.gitbase import base_texts
from drift.check.plans import READER, Plan, load_plan, plan_files, read_texts
from drift.check.result import CheckResult
from drift.config import DriftConfig
from drift.errors import ConfigError
from drift.govern.properties import cached_findings
from drift.model import Classifier, Severity
from drift.plugins import source_class

DEFAULT_SOURCE = "plan"


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[Path, ...]
    fail_on: Severity = Severity.HIGH
    base_ref: str | None = None  # compare with the same paths at this git ref
    against: Path | None = None  # or with this older file
    allowances: Path | None = None  # None: drift-allow.toml when present
    source: str | None = None  # whose policies and allowances apply


def run_check(
    request: CheckRequest, config: DriftConfig, classifier: Classifier, now: dt.datetime
) -> CheckResult:
    """The whole check; bad input raises ConfigError (one line, exit 2)."""
    if request.base_ref is not None and request.against is not None:
        raise ConfigError("give either --base or --against, not both")
    files = plan_files(request.paths)
    source, kind = source_of(config, request.source, files)
    head = load_plan(read_texts(files), source)
    base = _base(request, files, source)
    tz = config_timezone(config)
    categories = classifier.category_ids
    allowances = load_allowances(request.allowances, now, tz, categories)
    findings = cached_findings(classifier)
    changes = touched(head, base)
    return CheckResult(
        files=tuple(f.as_posix() for f in files),
        compared_with=_compared_with(request),
        fail_on=request.fail_on,
        findings=tuple(findings_of(head, changes, findings, allowances)),
        violations=tuple(
            violations_of(
                config, head, kind, {t.item.key for t in changes}, findings, allowances, now
            )
        ),
        stale=stale_allowances(head, findings, allowances),
        expired=allowances.expired,
    )


def _base(request: CheckRequest, files: list[Path], source: str) -> Plan | None:
    if request.base_ref is not None:
        return load_plan(base_texts(request.base_ref, list(request.paths)), source, locate=False)
    if request.against is not None:
        return load_plan(read_texts(plan_files([request.against])), source, locate=False)
    return None


def _compared_with(request: CheckRequest) -> str:
    if request.base_ref is not None:
        return f"git ref {request.base_ref}"
    if request.against is not None:
        return request.against.as_posix()
    return ""


def source_of(config: DriftConfig, name: str | None, files: list[Path]) -> tuple[str, str | None]:
    """The source whose policies and allowances apply, and its type.

    ``--source NAME`` when given: a configured source (a name the config does not have is
    refused, with a "did you mean", so a typo cannot apply no policy), or any name when the config
    has no sources (a plan checked before drift reads it; the plan reader's type); else the
    configured source that reads plan files (``reads_plan_files``) from a path holding every
    file; else ``plan`` (the plan reader's type: ``jsonschema``)."""
    if name:
        if not config.sources:
            return name, READER.type_name()
        return name, str(config.source(name).type)
    for block in config.sources:
        root = getattr(block, "path", None)  # only file sources have one
        reads_files = source_class(str(block.type)).reads_plan_files
        if reads_files and root and all(_inside(f, Path(root)) for f in files):
            return block.name, str(block.type)
    return DEFAULT_SOURCE, READER.type_name()


def _inside(file: Path, root: Path) -> bool:
    file, root = file.resolve(), root.resolve()
    return file == root or root in file.parents


def config_timezone(config: DriftConfig) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(config.schedule.timezone)
