"""Edges of the daily job a careful user hits: subset runs, rule updates, quiet days with policy
violations, pruning between digests, and hostile names in machine output."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from drift import pipeline
from drift.app import App
from drift.cli import cli
from drift.model import Item, Provenance, Schema, Scope
from drift.report.model import Section
from drift.store.database import Database
from drift.store.prune import prune
from drift.store.record import record_snapshot
from tests.test_run import DEMO, day, make_workdir

LOYALTY_RULE = """
[[rules]]
id = "acme.plan_choice"
category = "financial"
what = "a plan choice (for the test)"
tokens = ["^plan$"]
"""


def run(work: Path, **kwargs: object) -> pipeline.RunResult:
    app = App(work / "drift.toml")
    try:
        return pipeline.run(app, **kwargs)  # type: ignore[arg-type]
    finally:
        app.close()


def rule_rows(result: pipeline.RunResult, source: str) -> list[str]:
    from drift.report.model import Section

    assert result.digest is not None
    found = [s for s in result.digest.sources if s.name == source]
    return [row.name for s in found for row in s.rows(Section.RULES)]


def test_a_rule_update_is_reported_for_every_source_even_after_a_subset_run(
    tmp_path: Path, db_url: str
) -> None:
    work = make_workdir(tmp_path, db_url, extra='\n[rules]\npath = "rules.toml"\n')
    (work / "rules.toml").write_text("")
    day(work, 1)
    run(work)
    (work / "rules.toml").write_text(LOYALTY_RULE)
    subset = run(work, sources=["plan"])
    assert "plan" in rule_rows(subset, "plan")
    full = run(work)
    assert "plan" in rule_rows(full, "web-events")  # not lost because the subset run came first
    assert rule_rows(full, "plan") == []  # and not reported twice


def test_a_rule_update_is_reported_for_a_source_that_had_no_findings(
    tmp_path: Path, db_url: str
) -> None:
    work = make_workdir(tmp_path, db_url, extra='\n[rules]\npath = "rules.toml"\n')
    (work / "rules.toml").write_text("")
    (work / "current" / "plan.json").write_text(
        json.dumps({"events": {"Signup": {"properties": {"plan": {"type": "string"}}}}})
    )
    (work / "current" / "events.ndjson").write_text('{"event": "Signup", "properties": {}}\n')
    run(work)
    (work / "rules.toml").write_text(LOYALTY_RULE)
    assert rule_rows(run(work), "plan") == ["plan"]


def test_a_finding_taken_away_by_a_rule_update_is_reported(tmp_path: Path, db_url: str) -> None:
    """Only risky items' findings are kept per run; one that a rule update leaves with none still
    shows, with its old finding."""
    work = make_workdir(tmp_path, db_url, extra='\n[rules]\npath = "rules.toml"\n')
    (work / "rules.toml").write_text(LOYALTY_RULE)
    (work / "current" / "plan.json").write_text(
        json.dumps({"events": {"Signup": {"properties": {"plan": {"type": "string"}}}}})
    )
    run(work)
    (work / "rules.toml").write_text("")
    result = run(work)
    assert rule_rows(result, "plan") == ["plan"]
    assert result.digest is not None
    (row,) = [r for s in result.digest.sources for r in s.rows(Section.RULES)]
    assert [f.rule_id for f in row.before] == ["acme.plan_choice"] and row.findings == ()


def test_a_policy_violation_is_news_even_on_a_quiet_day(tmp_path: Path, db_url: str) -> None:
    work = make_workdir(tmp_path, db_url, send_when_empty=False)
    config = (work / "drift.toml").read_text().replace('forbid = ["contact"', 'forbid = ["url"')
    (work / "drift.toml").write_text(config.replace("[[policy]]", "[[policy]]\n", 1))
    day(work, 1)
    first = run(work)
    assert first.digest is not None and first.digest.counts.policy_violations
    quiet = run(work)  # nothing changed, but referrer_url still breaks the policy
    assert quiet.digest is not None and not quiet.digest.heartbeat
    assert len(list((work / "reports").glob("*.json"))) == 2


def test_prune_never_drops_a_change_no_digest_reported(tmp_path: Path, db_url: str) -> None:
    work = make_workdir(tmp_path, db_url)
    day(work, 1)
    run(work)
    # two snapshots between digests: the second plan drops page_name, then it stays dropped
    db = Database(db_url)
    plan = json.loads((DEMO / "day1" / "plan.json").read_text())
    del plan["events"]["Product Viewed"]["properties"]["page_name"]
    (work / "current" / "plan.json").write_text(json.dumps(plan))
    app = App(work / "drift.toml")
    pipeline.snapshot(app, ["plan"])
    pipeline.snapshot(app, ["plan"])
    app.close()
    with db.session() as session:
        prune(session, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    db.dispose()
    after = run(work)
    assert after.rendered is not None and "page_name" in after.rendered.json


def test_machine_output_shows_hostile_characters_instead_of_obeying_them(
    tmp_path: Path, db_url: str
) -> None:
    work = make_workdir(tmp_path, db_url)
    hostile = "\x1b[31mred\u202egnp.exe\r\nBcc: x@y"
    db = Database(db_url)
    with db.session() as session:
        record_snapshot(
            session,
            Schema.build(
                "plan", Provenance.DOCUMENTED, [Item.of(Scope.EVENT_PROPERTY, "E", hostile)]
            ),
            source_type="jsonschema",
            taken_at=dt.datetime.now(dt.UTC),
        )
    db.dispose()
    for fmt in ("csv", "json", "markdown"):
        result = CliRunner().invoke(
            cli, ["--config", str(work / "drift.toml"), "show", "--source", "plan", "--format", fmt]
        )
        assert result.exit_code == 0, result.output
        for raw in ("\x1b", "\u202e", "\r"):
            assert raw not in result.stdout, (fmt, raw)
        assert "gnp" in result.stdout and "u202e" in result.stdout
    shutil.rmtree(work / "current")
