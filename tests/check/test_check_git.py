"""``drift check --base`` on a real git repository: exactly what the change introduces."""

from __future__ import annotations

import json
from pathlib import Path

from tests.check.conftest import (
    BASE_PLAN,
    EMAIL_DOMAIN_LINE,
    HAS_EMAIL_LINE,
    commit,
    run_check,
)


def _findings(out: str) -> list[tuple[str, int, str, str]]:
    doc = json.loads(out)
    return [(f["file"], f["line"], f["name"], f["introduced"]) for f in doc["findings"]]


def test_base_reports_exactly_the_added_and_the_retyped_property(repo: Path) -> None:
    result = run_check("plan.json", "--base", "HEAD~1", "--format", "json")
    assert result.code == 5, result.err
    assert _findings(result.out) == [
        ("plan.json", HAS_EMAIL_LINE, "has_email", "retyped"),
        ("plan.json", EMAIL_DOMAIN_LINE, "email_domain", "added"),
    ]
    doc = json.loads(result.out)
    assert [f["finding"]["category"] for f in doc["findings"]] == ["contact", "organization"]
    assert doc["findings"][0]["detail"] == "type boolean → string"


def test_text_report_names_file_line_property_category_and_severity(repo: Path) -> None:
    result = run_check("plan.json", "--base", "HEAD~1")
    assert result.code == 5
    lines = result.out.splitlines()
    assert lines[1].startswith(f"plan.json:{HAS_EMAIL_LINE}: FAIL high contact [contact.email]")
    assert "Signup Completed.has_email (retyped: type boolean → string)" in lines[1]
    assert lines[2].startswith(f"plan.json:{EMAIL_DOMAIN_LINE}: note medium organization")


def test_without_a_base_everything_in_the_file_is_checked(repo: Path) -> None:
    commit(repo, {"plan.json": BASE_PLAN.replace('"plan"', '"email"')}, "an email property")
    result = run_check("plan.json", "--format", "json")
    assert [(n, i) for _, _, n, i in _findings(result.out)] == [("email", "present")]
    assert result.code == 5


def test_a_file_new_in_the_change_has_an_empty_base(repo: Path) -> None:
    commit(repo, {"plans/web.json": BASE_PLAN.replace('"plan"', '"phone_number"')}, "new plan")
    result = run_check("plans/web.json", "--base", "HEAD~1", "--format", "json")
    assert [(f, n) for f, _, n, _ in _findings(result.out)] == [("plans/web.json", "phone_number")]
    assert result.code == 5


def test_nothing_introduced_exits_zero(repo: Path) -> None:
    result = run_check("plan.json", "--base", "HEAD")
    assert result.code == 0
    assert result.out.startswith("drift check: 0 findings")


def test_a_bad_ref_is_one_line_and_exit_2(repo: Path) -> None:
    result = run_check("plan.json", "--base", "no-such-branch")
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert "--base 'no-such-branch': no such commit" in result.err


def test_against_an_older_file(repo: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(BASE_PLAN)
    result = run_check("plan.json", "--against", str(old), "--format", "json")
    assert [n for _, _, n, _ in _findings(result.out)] == ["has_email", "email_domain"]
