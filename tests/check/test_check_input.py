"""Bad input is one line on stderr and exit 2; every plan format drift reads is accepted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.check.conftest import BASE_PLAN, commit, run_check
from tests.conftest import CASES


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"events": {', "plan.json: not valid JSON at line 1 column 13"),
        ('{"tracking": []}', "plan.json: not a tracking plan drift knows"),
        ("[1, 2]", "plan.json: expected a JSON object at the top level"),
        (b"\xff\xfe{}", "plan.json: not UTF-8 text"),
    ],
)
def test_an_unreadable_or_unknown_plan_is_one_line_and_exit_2(
    repo: Path, content: str | bytes, message: str
) -> None:
    path = repo / "plan.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run_check("plan.json")
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert message in result.err


def test_a_missing_path_and_conflicting_options_are_exit_2(repo: Path) -> None:
    missing = run_check("nope.json")
    assert missing.code == 2 and "nope.json: no such file or folder" in missing.err
    both = run_check("plan.json", "--base", "HEAD", "--against", "plan.json")
    assert both.code == 2 and "either --base or --against" in both.err


def test_base_outside_a_git_repository_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_text(BASE_PLAN)
    result = run_check("plan.json", "--base", "HEAD")
    assert result.code == 2 and "not inside a git repository" in result.err


def test_a_ref_that_looks_like_an_option_is_refused(repo: Path) -> None:
    result = run_check("plan.json", "--base=--output=/tmp/x")
    assert result.code == 2 and "is not a git ref" in result.err


@pytest.mark.parametrize(
    "case",
    [
        "real-world/segment-typewriter-tracking-plan.json",
        "vendors/mixpanel/schemas.json",
        "vendors/segment/ios_rules.json",
    ],
)
def test_every_plan_format_is_checked(case: str, repo: Path) -> None:
    commit(repo, {"p.json": (CASES / case).read_text(encoding="utf-8")}, "plan")
    result = run_check("p.json", "--format", "json", "--fail-on", "low")
    assert result.code in (0, 5), result.err
    doc = json.loads(result.out)
    assert doc["files"] == ["p.json"]
    assert (result.code == 5) == bool(doc["findings"])


def test_a_folder_at_a_base_compares_file_by_file_union(repo: Path) -> None:
    plan = json.loads(BASE_PLAN)
    commit(repo, {"plans/a.json": json.dumps(plan)}, "a")
    plan["events"]["Signup Completed"]["properties"]["ip_address"] = {"type": "string"}
    commit(repo, {"plans/b.json": json.dumps(plan)}, "b, with an address")
    result = run_check("plans", "--base", "HEAD~1", "--format", "json", "--fail-on", "low")
    found = [(f["file"], f["name"]) for f in json.loads(result.out)["findings"]]
    assert found == [("plans/b.json", "ip_address")]


def test_a_description_that_adds_a_category_is_reported_as_reclassified(repo: Path) -> None:
    rules = (
        '[[rules]]\nid = "acme.code"\ncategory = "health"\nwhat = "a diagnosis code"\n'
        'tokens = ["code"]\ndescription_any = ["diagnosis"]\n'
    )
    (repo / "rules.toml").write_text(rules)
    (repo / "drift.toml").write_text('[rules]\npath = "rules.toml"\n')
    plan = json.loads(BASE_PLAN)
    plan["events"]["Signup Completed"]["properties"]["code"] = {"type": "string"}
    commit(repo, {"plan.json": json.dumps(plan, indent=2)}, "code")
    plan["events"]["Signup Completed"]["properties"]["code"]["description"] = "ICD-10 diagnosis"
    commit(repo, {"plan.json": json.dumps(plan, indent=2)}, "describe code")
    doc = json.loads(run_check("plan.json", "--base", "HEAD~1", "--format", "json").out)
    assert [(f["name"], f["introduced"], f["finding"]["category"]) for f in doc["findings"]] == [
        ("code", "reclassified", "health")
    ]


def test_output_goes_to_a_file_or_fails_in_one_line(repo: Path) -> None:
    written = run_check("plan.json", "--base", "HEAD~1", "--format", "sarif", "--output", "o.sarif")
    assert written.code == 5 and written.out == ""
    assert json.loads((repo / "o.sarif").read_text())["version"] == "2.1.0"
    failed = run_check("plan.json", "--output", "no/such/dir/o.txt")
    assert failed.code == 2 and "--output no/such/dir/o.txt: cannot write" in failed.err
    assert not list(repo.glob("**/.o.txt.tmp"))


def test_head_before_the_first_commit_is_an_empty_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.check.conftest import git

    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    (tmp_path / "plan.json").write_text(BASE_PLAN.replace('"plan"', '"email"'))
    git(tmp_path, "add", "plan.json")
    result = run_check("plan.json", "--base", "HEAD", "--format", "json")
    assert result.code == 5, result.err
    assert [f["introduced"] for f in json.loads(result.out)["findings"]] == ["added"]
    assert run_check("plan.json", "--base", "main~3").code == 2


def _rules(version: int, email_type: str) -> str:
    rule = {
        "key": "Order Completed",
        "type": "TRACK",
        "version": version,
        "jsonSchema": {
            "properties": {
                "properties": {
                    "properties": {
                        "email": {"type": email_type},
                        "ip": {"type": "string"},
                    }
                }
            }
        },
    }
    return json.dumps({"rules": [rule]}, indent=2)


def test_a_new_segment_rule_version_reports_only_what_changed(repo: Path) -> None:
    commit(repo, {"rules.json": _rules(1, "boolean")}, "v1")
    commit(repo, {"rules.json": _rules(2, "string")}, "v2: email becomes an address")
    result = run_check("rules.json", "--base", "HEAD~1", "--format", "json", "--fail-on", "low")
    found = [(f["event"], f["name"], f["introduced"]) for f in json.loads(result.out)["findings"]]
    assert found == [("Order Completed [TRACK v2]", "email", "retyped")]
    assert json.loads(result.out)["findings"][0]["line"] == 11
