"""Output formats of ``drift check``: each renders a CheckResult to one string, escaping every
name (attacker-controlled) for its own syntax."""

from __future__ import annotations

from collections.abc import Callable

from drift.check.formats import github, jsondoc, junit, sarif, text
from drift.check.result import CheckResult

Renderer = Callable[[CheckResult], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": jsondoc.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}


def render(result: CheckResult, fmt: str) -> str:
    return FORMATS[fmt](result)
