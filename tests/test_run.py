"""`drift run` end to end: real files in, real database, digests out through the file channel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from drift import pipeline
from drift.app import App
from drift.exitcodes import Exit
from drift.model import Severity
from drift.report.model import Section
from drift.store import queries
from drift.store.database import Database
from drift.store.tables import DigestRow, OutboxRow, RunRow, RunSourceRow, SnapshotRow

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"


def make_workdir(
    tmp_path: Path, db_url: str, *, send_when_empty: bool = True, extra: str = ""
) -> Path:
    (tmp_path / "current").mkdir(parents=True)
    config = (DEMO / "drift.toml").read_text()
    config = config.replace('url = "sqlite:///drift-demo.db"', f'url = "{db_url}"')
    config = config.replace(
        "send_when_empty = true", f"send_when_empty = {str(send_when_empty).lower()}"
    )
    (tmp_path / "drift.toml").write_text(config + extra)
    return tmp_path


def day(workdir: Path, n: int) -> None:
    for file in (DEMO / f"day{n}").iterdir():
        shutil.copy(file, workdir / "current" / file.name)


def run(workdir: Path, **kwargs: object) -> pipeline.RunResult:
    app = App(workdir / "drift.toml")
    try:
        return pipeline.run(app, **kwargs)  # type: ignore[arg-type]
    finally:
        app.close()


def digests(workdir: Path) -> list[dict[str, object]]:
    found = [json.loads(p.read_text()) for p in (workdir / "reports").glob("*.json")]
    return sorted(found, key=lambda d: str(d["run_at"]))


def count(db_url: str, table: type) -> int:
    db = Database(db_url)
    with db.session() as session:
        n = int(session.scalar(select(func.count()).select_from(table)) or 0)
    db.dispose()
    return n


def test_two_days_inventory_then_changes(tmp_path: Path, db_url: str) -> None:
    work = make_workdir(tmp_path, db_url)
    day(work, 1)
    first = run(work)
    assert first.exit_code == Exit.OK
    assert first.digest is not None and first.digest.first_run
    day(work, 2)
    second = run(work, fail_on=Severity.HIGH)
    assert second.exit_code == Exit.FINDINGS
    assert second.digest is not None and second.digest.counts.new_high >= 2
    files = digests(work)
    assert len(files) == 2
    text = json.dumps(files[1])
    for name in (
        "email_domain",
        "search_query",
        "ai_prompt",
        "tmp_phone_number",
        "support_ticket_id",
    ):
        assert name in text
    # values from the event samples never reach a digest or the database
    for value in ("jane@example.org", "red shoes", "203.0.113.9"):
        assert value not in text
    assert count(db_url, OutboxRow) == 2


def test_rerun_never_resends_and_sends_a_heartbeat(tmp_path: Path, db_url: str) -> None:
    work = make_workdir(tmp_path, db_url)
    day(work, 1)
    run(work)
    again = run(work)
    assert again.exit_code == Exit.OK
    assert again.digest is not None and again.digest.heartbeat
    sent = [d for d in again.deliveries]
    assert len(sent) == 1 and sent[0].digest_id == again.rendered.digest_id  # type: ignore[union-attr]
    assert len(digests(work)) == 2


def test_no_heartbeat_when_switched_off(tmp_path: Path, db_url: str) -> None:
    work = make_workdir(tmp_path, db_url, send_when_empty=False)
    day(work, 1)
    run(work)
    again = run(work)
    assert again.deliveries == () and len(digests(work)) == 1
    assert count(db_url, DigestRow) == 1


def test_a_failed_source_is_shown_failed_and_the_exit_code_says_partial(
    tmp_path: Path, db_url: str
) -> None:
    work = make_workdir(tmp_path, db_url)
    day(work, 1)
    run(work)
    day(work, 2)
    (work / "current" / "events.ndjson").write_text(
        '{"event": "Signup", "properties": {"email": "x@y.z"\n'
    )
    result = run(work)
    assert result.exit_code == Exit.PARTIAL
    assert result.digest is not None
    by_name = {s.name: s for s in result.digest.sources}
    assert by_name["web-events"].status == "failed"
    assert "events.ndjson:1" in by_name["web-events"].reason
    assert by_name["plan"].status == "read"
    db = Database(db_url)
    with db.session() as session:
        assert len(queries.snapshots(session, "web-events")) == 1  # the failure recorded nothing
        statuses = dict(
            session.execute(
                select(RunSourceRow.source_name, RunSourceRow.status).where(
                    RunSourceRow.run_id == result.run_id
                )
            ).all()
        )
    db.dispose()
    assert statuses == {"plan": "read", "web-events": "failed"}
    # the next good run still reports web-events' day-2 changes: nothing lost between digests
    day(work, 2)
    later = run(work)
    assert later.digest is not None
    [events] = [s for s in later.digest.sources if s.name == "web-events"]
    assert "email_domain" in {row.name for row in events.rows(Section.NEW)}


def test_dry_run_records_and_sends_nothing(tmp_path: Path, db_url: str) -> None:
    work = make_workdir(tmp_path, db_url)
    day(work, 1)
    result = run(work, dry_run=True)
    assert result.rendered is not None and "Signup Completed" in result.rendered.json
    assert count(db_url, SnapshotRow) == 0 and count(db_url, RunRow) == 0
    assert not (work / "reports").exists()


PHASES = ["fetched", "recorded", "rendered", "enqueued", "delivered"]


def state_summary(db_url: str, workdir: Path) -> tuple[object, ...]:
    db = Database(db_url)
    with db.session() as session:
        hashes = []
        for name in ("plan", "web-events"):
            latest = queries.resolve_ref(session, name, "latest")
            hashes.append(queries.state_at(session, latest).content_hash if latest else None)
        subjects = list(session.scalars(select(DigestRow.subject).order_by(DigestRow.id)))
        outbox = list(
            session.execute(select(OutboxRow.channel, OutboxRow.status).order_by(OutboxRow.id))
        )
    db.dispose()
    messages = [(d["subject"], d.get("counts")) for d in digests(workdir)]
    return tuple(hashes), subjects, [tuple(o) for o in outbox], messages


@pytest.mark.parametrize("phase", PHASES)
def test_crash_after_any_phase_then_rerun_equals_one_clean_run(
    tmp_path: Path, db_url: str, phase: str
) -> None:
    work = make_workdir(tmp_path / "crashy", db_url, send_when_empty=False)
    day(work, 1)

    def crash(reached: str) -> None:
        if reached == phase:
            raise RuntimeError(f"injected crash after {phase}")

    with pytest.raises(RuntimeError, match="injected crash"):
        run(work, after_phase=crash)
    assert run(work).exit_code == Exit.OK
    crashed = state_summary(db_url, work)

    reference_dir = tmp_path / "reference"
    reference = make_workdir(
        reference_dir, f"sqlite:///{reference_dir / 'ref.db'}", send_when_empty=False
    )
    day(reference, 1)
    assert run(reference).exit_code == Exit.OK
    assert crashed == state_summary(f"sqlite:///{reference_dir / 'ref.db'}", reference)
