"""Golden files for every format of the fixture digest (fixed clock).

Regenerate with ``DRIFT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report/test_golden.py`` and review
the diff: these files are what security people read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.model import RenderedDigest
from drift.report.build import build_digest
from drift.report.render import render_digest
from tests.report.fixtures import first_run_input, fixture_input, heartbeat_input

GOLDEN = Path(__file__).resolve().parents[1] / "cases" / "digest"
UPDATE = os.environ.get("DRIFT_UPDATE_GOLDEN") == "1"
FORMATS = {"html": "html", "text": "txt", "markdown": "md", "json": "json", "slack": "slack.json"}
CASES = {"fixture": fixture_input, "heartbeat": heartbeat_input, "first_run": first_run_input}


def _rendered(case: str) -> RenderedDigest:
    return render_digest(build_digest(CASES[case]()))


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} missing: run with DRIFT_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file (DRIFT_UPDATE_GOLDEN=1)"


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_format_matches_golden(case: str, fmt: str) -> None:
    _check(f"{case}.{FORMATS[fmt]}", getattr(_rendered(case), fmt))


@pytest.mark.parametrize("case", sorted(CASES))
def test_subject_matches_golden(case: str) -> None:
    _check(f"{case}.subject.txt", _rendered(case).subject + "\n")


def test_rendering_is_deterministic() -> None:
    assert _rendered("fixture") == _rendered("fixture")
