"""The layers hold: commands run no queries, and the digest says what the commands say.

Commands parse options and format; their data comes from ``drift.answers``, which the daily job
calls too. So no module of ``drift/commands/`` imports the store or SQLAlchemy (not even inside a
function), and a digest's findings and policy violations for a source are those of
``drift inventory`` and ``drift policy check`` on the same database.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from drift import commands, metrics
from drift.exitcodes import Exit
from tests.events_world import POLICY, events_world, mailed_digest, run_drift


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_command_module_imports_the_store_or_sqlalchemy() -> None:
    folder = Path(commands.__file__).parent
    offenders = {
        f"{path.name}: {module}"
        for path in sorted(folder.glob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] == "sqlalchemy"
        or module.startswith("drift.store")
        or module in ("drift.compose", "drift.gather")
    }
    assert not offenders


def test_no_command_module_renders_templates() -> None:
    """Jinja2 (and its markupsafe) live in drift/report/: commands format through it."""
    folder = Path(commands.__file__).parent
    offenders = {
        f"{path.name}: {module}"
        for path in sorted(folder.glob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] in ("jinja2", "markupsafe")
    }
    assert not offenders


def test_the_metrics_format_the_status_answer() -> None:
    """Metrics, ``drift status`` and its exit code come from one answer, so they cannot disagree:
    drift/metrics.py runs no queries of its own."""
    offenders = {
        module
        for module in imported_modules(Path(metrics.__file__))
        if module.split(".")[0] == "sqlalchemy" or module.startswith("drift.store")
    }
    assert not offenders
    assert "drift.answers.status" in imported_modules(Path(metrics.__file__))


def test_the_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "lazy.py"
    source.write_text("def f():\n    from drift.store import queries\n    import sqlalchemy\n")
    assert {"drift.store", "drift.store.queries", "sqlalchemy"} <= imported_modules(source)


EVENTS = (
    '{"event": "Signup", "properties": {"email": "a@b.example", "first_name": "A", "plan": "p"}}\n'
    '{"event": "Purchase", "properties": {"email": "a@b.example", "amount": 3}}\n'
    '{"event": "Purchase", "properties": {"$user": {"phone": "+1"}}}\n'
)


def test_the_digest_lists_the_findings_and_violations_the_commands_list(
    tmp_path: Path, db_url: str
) -> None:
    config = events_world(tmp_path, db_url, EVENTS, POLICY)
    run_drift(config, "run")  # the first digest is an inventory of what is there
    (source,) = mailed_digest(config)["sources"]
    sections = source["sections"]

    inventory = run_drift(config, "inventory", "--format", "json")["properties"]
    assert {
        (row["name"], tuple(row["events"]), json.dumps(row["findings"]))
        for row in sections["inventory"]
    } == {
        (row["property"], tuple(row["events"]), json.dumps(row["findings"]))
        for row in inventory
        if row["findings"]
    }

    violations = run_drift(config, "policy", "check", "--format", "json", code=Exit.FINDINGS)
    assert {
        (row["name"], tuple(row["events"]), row["category"], row["severity"], row["detail"])
        for row in sections["policy"]
    } == {
        (v["property"], tuple(v["events"]), v["category"], v["severity"], v["rule"])
        for v in violations["violations"]
    }
    assert len(violations["violations"]) == 2  # email on two events, phone on the user


def test_report_and_the_digest_leave_out_the_same_never_read_source(
    tmp_path: Path, db_url: str
) -> None:
    never_read = '[[sources]]\nname = "app"\ntype = "events"\npath = "missing.ndjson"\n'
    config = events_world(tmp_path, db_url, EVENTS, never_read)
    run_drift(config, "run", code=Exit.PARTIAL)  # "app" fails: never read, so not mailed
    mailed = mailed_digest(config)["sources"]

    reported = run_drift(config, "report", "--format", "json")["sources"]

    assert [s["name"] for s in reported] == [s["name"] for s in mailed] == ["web"]
