"""The pre-commit hook and the composite GitHub Action at the repository root, run for real."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.check.conftest import HEAD_PLAN, git, run_check
from tests.conftest import REPO


def _load(name: str) -> Any:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def test_pre_commit_hook_fails_a_commit_that_adds_a_risky_property(repo: Path) -> None:
    (hook,) = _load(".pre-commit-hooks.yaml")
    assert hook["id"] == "drift-check" and hook["language"] == "python"
    assert hook["pass_filenames"] is True
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["drift", "check"]
    (repo / "plan.json").write_text(HEAD_PLAN.replace('"plan"', '"phone_number"'))
    git(repo, "add", "plan.json")
    staged = run_check(*entry[2:], "plan.json")
    assert staged.code == 5, staged.out
    assert "phone_number (added" in staged.out
    git(repo, "checkout", "-q", "--", ".")
    git(repo, "reset", "-q", "--hard")
    assert run_check(*entry[2:], "plan.json").code == 0


def _steps() -> dict[str, dict[str, Any]]:
    action = _load("action.yml")
    assert action["runs"]["using"] == "composite"
    return {
        step.get("id") or step.get("name") or step["uses"]: step for step in action["runs"]["steps"]
    }


def test_action_never_expands_expressions_inside_scripts() -> None:
    for step in _steps().values():
        assert "${{" not in step.get("run", ""), step


def test_action_uploads_sarif_to_code_scanning() -> None:
    uses = [s.get("uses", "") for s in _steps().values()]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)


def test_action_check_step_annotates_writes_sarif_and_reports_the_exit_code(
    repo: Path, tmp_path: Path
) -> None:
    outputs = tmp_path / "github_output"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PATHS": "plan.json",
        "BASE": "HEAD~1",
        "FAIL_ON": "high",
        "ALLOWANCES": "",
        "CONFIG": "",
        "SARIF": "drift.sarif",
        "GITHUB_OUTPUT": str(outputs),
    }
    script = _steps()["check"]["run"]
    done = subprocess.run(
        ["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "exit-code=5" in outputs.read_text()
    assert re.search(r"^::error file=plan\.json,line=7,", done.stdout, re.MULTILINE)
    sarif = json.loads((repo / "drift.sarif").read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 2
