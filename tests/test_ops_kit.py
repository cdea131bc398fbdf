"""The ops kit users copy: Dockerfile, crontab and the Kubernetes CronJob say what they must.

pyyaml is not a dependency, so the manifest is read with a few line-based checks; when pyyaml is
installed, the manifest is also parsed for real and its structure checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from drift import scheduler

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "examples" / "kubernetes-cronjob.yaml"


def lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]


def yaml_value(text: str, key: str) -> str:
    found = re.findall(rf"^\s*{key}:\s*([^#\n]+?)\s*(?:#.*)?$", text, re.MULTILINE)
    assert len(found) == 1, f"expected one {key!r} in the manifest, found {found}"
    return found[0].strip().strip('"')


def test_dockerfile_runs_drift_as_pid_1_as_a_non_root_user() -> None:
    text = (REPO / "Dockerfile").read_text()
    instructions = [ln for ln in lines(REPO / "Dockerfile") if not ln.startswith("#")]
    assert instructions[0].startswith("FROM python:3.11-slim")
    assert any(ln.startswith("FROM python:3.11-slim") for ln in instructions[1:])
    assert '"drift-schema[postgres,mysql]"' in text and ".[postgres,mysql]" in text
    (user,) = [ln for ln in instructions if ln.startswith("USER ")]
    assert user.split()[1].split(":")[0] not in ("root", "0")
    (entrypoint,) = [ln for ln in instructions if ln.startswith("ENTRYPOINT")]
    (cmd,) = [ln for ln in instructions if ln.startswith("CMD")]
    assert json.loads(entrypoint.removeprefix("ENTRYPOINT")) == ["drift"]  # exec form
    assert json.loads(cmd.removeprefix("CMD")) == ["schedule"]


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    ignored = set(lines(REPO / ".dockerignore"))
    assert {".git", ".venv", "*.db", "drift.toml", ".env"} <= ignored


def test_crontab_runs_drift_daily_in_an_explicit_zone() -> None:
    entries = [ln for ln in lines(REPO / "examples" / "crontab") if not ln.startswith("#")]
    assert "CRON_TZ=Europe/Berlin" in entries
    jobs = [ln.split(maxsplit=5) for ln in entries if "=" not in ln.split()[0]]
    assert any(" run " in f" {job[5]} " and len(job) == 6 for job in jobs)


def test_cronjob_manifest_sets_the_guards_against_double_and_stuck_runs() -> None:
    text = MANIFEST.read_text()
    assert yaml_value(text, "kind") == "CronJob"
    assert yaml_value(text, "concurrencyPolicy") == "Forbid"
    assert yaml_value(text, "timeZone") == "Europe/Berlin"
    assert int(yaml_value(text, "startingDeadlineSeconds")) > 0
    assert int(yaml_value(text, "backoffLimit")) >= 0
    assert int(yaml_value(text, "activeDeadlineSeconds")) > 1800 + scheduler.SHUTDOWN_GRACE_SECONDS
    grace = int(yaml_value(text, "terminationGracePeriodSeconds"))
    assert grace > scheduler.SHUTDOWN_GRACE_SECONDS
    assert text.count("secretKeyRef:") >= 2 and "DRIFT_DATABASE_URL" in text
    assert not re.search(r"^\s*value:\s*\S*(://\S*@|hooks\.slack\.com)", text, re.MULTILINE)


def test_cronjob_manifest_structure() -> None:
    import yaml  # type: ignore[import-untyped]

    doc = yaml.safe_load(MANIFEST.read_text())
    job = doc["spec"]["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    assert doc["spec"]["concurrencyPolicy"] == "Forbid" and doc["spec"]["timeZone"]
    assert pod["terminationGracePeriodSeconds"] > scheduler.SHUTDOWN_GRACE_SECONDS
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert "secretKeyRef" in env["DRIFT_DATABASE_URL"]["valueFrom"]
