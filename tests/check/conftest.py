"""A real git repository with two commits of a tracking plan, as a pull request would have."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from drift.cli import cli

BASE_PLAN = """\
{
  "events": {
    "Signup Completed": {
      "type": "object",
      "properties": {
        "plan": {"type": "string"},
        "has_email": {"type": "boolean"}
      }
    }
  }
}
"""

# The change: has_email retyped boolean -> string (now an address), email_domain added.
HEAD_PLAN = """\
{
  "events": {
    "Signup Completed": {
      "type": "object",
      "properties": {
        "plan": {"type": "string"},
        "has_email": {"type": "string"},
        "email_domain": {"type": "string"}
      }
    }
  }
}
"""
HAS_EMAIL_LINE, EMAIL_DOMAIN_LINE = 7, 8


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run_check(*args: str) -> Outcome:
    result = CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture(scope="session")
def _template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "repo"
    root.mkdir()
    git(root, "init", "-q")
    commit(root, {"plan.json": BASE_PLAN}, "plan")
    commit(root, {"plan.json": HEAD_PLAN}, "add email_domain, retype has_email")
    return root


@pytest.fixture
def repo(_template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two commits: the plan, then the change; the working directory is the repository."""
    root = tmp_path / "repo"
    shutil.copytree(_template_repo, root)
    monkeypatch.chdir(root)
    return root
