"""The ops kit users copy: Dockerfile, crontab and the Kubernetes CronJob say what they must,
and work: the crontab line runs under /bin/sh with its secrets exported, the CronJob passes the
Pod Security "restricted" profile and writes only to writable volumes.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from pytest_httpserver import HTTPServer

from drift import scheduler
from drift.config import parse_config
from tests.sources.conftest import CANARIES, base, serve_happy

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "examples" / "kubernetes-cronjob.yaml"


def lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]


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
    (health,) = [ln for ln in instructions if ln.startswith("HEALTHCHECK")]
    assert "drift" in health and "status" in health
    assert "DRIFT_LOG_FORMAT=json" in text


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    ignored = set(lines(REPO / ".dockerignore"))
    assert {".git", ".venv", "*.db", "drift.toml", ".env"} <= ignored


def crontab() -> tuple[dict[str, str], list[str]]:
    """The crontab's environment lines and its jobs' commands (after the five time fields)."""
    entries = [ln for ln in lines(REPO / "examples" / "crontab") if not ln.startswith("#")]
    env = dict(ln.split("=", 1) for ln in entries if "=" in ln.split()[0])
    jobs = [ln.split(maxsplit=5)[5] for ln in entries if "=" not in ln.split()[0]]
    return env, jobs


def test_crontab_runs_drift_daily_in_an_explicit_zone() -> None:
    env, jobs = crontab()
    assert env["CRON_TZ"] == "Europe/Berlin" and env["DRIFT_LOG_FORMAT"] == "json"
    assert any(" run " in f" {job} " for job in jobs)


def test_crontab_line_exports_its_env_file_under_bin_sh(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """The daily line as cron runs it: /bin/sh, cron's tiny environment, secrets from a KEY=value
    file. Every secret must reach drift (a plain `. file` would leave them unexported)."""
    serve_happy(httpserver, "mixpanel")
    (tmp_path / "secrets.env").write_text(
        "".join(f"{k}={v}\n" for k, v in CANARIES.items() if k.startswith("MIXPANEL"))
    )
    (tmp_path / "drift.toml").write_text(
        '[database]\nurl = "sqlite:///drift.db"\n[[sources]]\nname = "mixpanel-prod"\n'
        'type = "mixpanel"\nproject_id = 1\nusername_env = "MIXPANEL_USERNAME"\n'
        f'secret_env = "MIXPANEL_SECRET"\nbase_url = "{base(httpserver)}"\n'
    )
    (tmp_path / "log").mkdir()
    env, jobs = crontab()
    (daily,) = [job for job in jobs if " run " in f" {job} "]
    command = daily.replace("/etc/drift/secrets.env", shlex.quote(str(tmp_path / "secrets.env")))
    command = command.replace("/var/log/drift", shlex.quote(str(tmp_path / "log")))
    env |= {
        "DRIFT_CONFIG": str(tmp_path / "drift.toml"),
        "PATH": f"{Path(sys.executable).parent}:{env['PATH']}",
        "HOME": str(tmp_path),
        "NO_PROXY": "127.0.0.1,localhost",
    }
    done = subprocess.run(["/bin/sh", "-c", command], env=env, timeout=60, check=False)
    log = (tmp_path / "log" / "run.log").read_text()
    assert done.returncode == 0, log
    assert "mixpanel-prod: read" in log
    assert all(json.loads(ln) for ln in log.splitlines() if ln.startswith("{"))


def manifest() -> dict[str, dict[str, Any]]:
    docs = list(yaml.safe_load_all(MANIFEST.read_text()))
    return {doc["kind"]: doc for doc in docs}


def test_cronjob_manifest_sets_the_guards_against_double_and_stuck_runs() -> None:
    cron = manifest()["CronJob"]["spec"]
    job = cron["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    assert cron["concurrencyPolicy"] == "Forbid" and cron["timeZone"] == "Europe/Berlin"
    assert cron["startingDeadlineSeconds"] > 0 and job["backoffLimit"] >= 0
    assert job["activeDeadlineSeconds"] > 1800 + scheduler.SHUTDOWN_GRACE_SECONDS
    assert pod["terminationGracePeriodSeconds"] > scheduler.SHUTDOWN_GRACE_SECONDS
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert "secretKeyRef" in env["DRIFT_DATABASE_URL"]["valueFrom"]
    assert env["DRIFT_LOG_FORMAT"]["value"] == "json"
    assert all("://" not in str(e.get("value", "")) for e in env.values())


def test_cronjob_passes_the_restricted_pod_security_profile() -> None:
    """https://kubernetes.io/docs/concepts/security/pod-security-standards/ ("Restricted")."""
    pod = manifest()["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    for container in pod["containers"]:
        ctx = container["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False
        assert ctx["capabilities"]["drop"] == ["ALL"] and "add" not in ctx["capabilities"]
        assert ctx.get("runAsUser", 1) != 0 and ctx.get("privileged") is not True
        assert ctx.get("seccompProfile", {"type": "RuntimeDefault"})["type"] == "RuntimeDefault"
    kinds = {key for volume in pod["volumes"] for key in volume if key != "name"}
    assert kinds <= {"configMap", "emptyDir", "persistentVolumeClaim", "secret", "projected"}


def test_cronjob_writes_only_to_writable_volumes() -> None:
    """The SQLite file and the reports live on the data volume, not the read-only config."""
    docs = manifest()
    pod = docs["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["/config"]["readOnly"] is True and not mounts["/data"].get("readOnly")
    volumes = {v["name"]: v for v in pod["volumes"]}
    claim = volumes[mounts["/data"]["name"]]["persistentVolumeClaim"]["claimName"]
    assert docs["PersistentVolumeClaim"]["metadata"]["name"] == claim
    toml = docs["ConfigMap"]["data"]["drift.toml"]
    config = parse_config(tomllib.loads(toml), Path("/config/drift.toml"))
    assert config.database.url == "sqlite:////data/drift.db"
    (folder,) = [n.directory for n in config.notify if n.type == "file"]
    assert Path(folder).is_relative_to("/data")


def test_cronjob_maps_exit_codes_in_its_failure_policy() -> None:
    job = manifest()["CronJob"]["spec"]["jobTemplate"]["spec"]
    rules = job["podFailurePolicy"]["rules"]
    by_code = {
        code: rule["action"]
        for rule in rules
        for code in rule.get("onExitCodes", {}).get("values", [])
    }
    assert {by_code[c] for c in (2, 4, 5)} == {"FailJob"}  # a retry cannot help
    assert {by_code[c] for c in (1, 3, 6)} == {"Count"}  # a retry can
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    assert any(
        r["action"] == "Ignore" and r["onPodConditions"][0]["type"] == "DisruptionTarget"
        for r in rules
    )
