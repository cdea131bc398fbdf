"""Progress on long work, as a user sees it: one log line per phase with counts and timings when
stderr is a file or a collector, a live display per phase and source on a terminal, nothing under
``-q``. Real `drift` processes on the example config that `drift init` writes."""

from __future__ import annotations

import json
import logging
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from drift.cli import cli
from drift.plural import counted
from drift.progress import LogProgress, Phase
from tests.sources.conftest import CANARIES, base, case, serve_happy

DRIFT = [sys.executable, "-m", "drift"]
PLAN = {
    "events": {
        "Signup Completed": {
            "type": "object",
            "properties": {"email": {"type": "string"}, "plan": {"type": "string"}},
        }
    }
}
COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9;]*m|\x1b\[9[0-7]m")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The example config from `drift init`, with a small plan in its plans/ folder."""
    path = tmp_path / "drift.toml"
    subprocess.run([*DRIFT, "--config", str(path), "init"], check=True, capture_output=True)
    (tmp_path / "plans" / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    return path


def drift(config: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*DRIFT, "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_logs_get_one_line_per_phase_with_counts_and_timings(config: Path) -> None:
    snap = drift(config, "snapshot").stderr
    assert re.search(r"INFO drift\.progress: fetched plan: 3 items in \d+\.\d s", snap), snap
    assert re.search(r"INFO drift\.progress: recorded plan: 3 items in \d+\.\d s", snap), snap
    run = drift(config, "run").stderr
    assert "recorded plan: 3 items in" in run
    assert re.search(r"composed digest: 1 source, \d+ changes? in \d+\.\d s", run), run
    assert re.search(r"delivered digest: 1 delivery in \d+\.\d s", run), run
    phases = [m.group(1) for m in re.finditer(r"drift\.progress: (\w+) ", run)]
    assert phases == ["fetched", "recorded", "composed", "delivered"]


def test_json_logs_carry_the_counts_as_fields(config: Path) -> None:
    stderr = drift(config, "snapshot", DRIFT_LOG_FORMAT="json").stderr
    records = [json.loads(line) for line in stderr.splitlines()]
    progress = {r["phase"]: r for r in records if r.get("event") == "progress"}
    assert progress["record"]["items"] == 3 and progress["record"]["source"] == "plan"
    assert progress["record"]["message"].startswith("recorded plan: 3 items in ")
    assert isinstance(progress["fetch"]["seconds"], float)


def test_quiet_shows_no_progress(config: Path) -> None:
    assert drift(config, "-q", "snapshot").stderr == ""
    assert drift(config, "run", "-q").stderr == ""


def on_a_terminal(config: Path, *args: str, **env: str) -> tuple[str, str]:
    """Run drift with stderr on a pseudo-terminal (stdout piped): what a person sees, and the
    command's results."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*DRIFT, "--config", str(config), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", **env},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty closes (EIO) once drift exits
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    assert proc.wait(timeout=120) == 0, seen.decode(errors="replace")
    return seen.decode(errors="replace"), stdout


def test_a_terminal_shows_each_phase_and_source_live(config: Path) -> None:
    screen, stdout = on_a_terminal(config, "run")
    text = ANSI.sub("", screen)
    for phase in ("fetch", "record", "compose", "deliver"):
        assert re.search(rf"(^|\n|\r){phase} ", text), text
    assert "1/1 source" in screen and "  plan" in screen
    assert "3 items in " in screen and "1 delivery in " in screen
    assert "drift.progress" not in screen  # the display, not log lines
    assert "plan: unchanged, 3 items" not in stdout and "plan: read, 3 items" in stdout
    assert COLOUR.search(screen)


def test_no_color_on_a_terminal(config: Path) -> None:
    screen, _ = on_a_terminal(config, "snapshot", NO_COLOR="1")
    assert "3 items in " in screen
    assert not COLOUR.search(screen), repr(screen)


def test_vendor_pages_are_counted(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env in ("MIXPANEL_USERNAME", "MIXPANEL_SECRET"):
        monkeypatch.setenv(env, CANARIES[env])
    serve_happy(httpserver, "mixpanel")
    (tmp_path / "drift.toml").write_text(
        '[database]\nurl = "sqlite:///drift.db"\n[[sources]]\nname = "mixpanel-prod"\n'
        'type = "mixpanel"\nproject_id = 1\nusername_env = "MIXPANEL_USERNAME"\n'
        f'secret_env = "MIXPANEL_SECRET"\nbase_url = "{base(httpserver)}"\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "drift.toml"), "snapshot"])
    assert result.exit_code == 0, result.output
    items = len(case("mixpanel", "schemas.json")["results"])
    assert items
    fetched = re.search(r"fetched mixpanel-prod: 1 page, ([\d,]+) items in", result.stderr)
    assert fetched, result.stderr
    recorded = re.search(r"recorded mixpanel-prod: ([\d,]+) items in", result.stderr)
    assert recorded and recorded.group(1) == fetched.group(1)


def test_names_reach_the_log_escaped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="drift.progress")
    task = LogProgress().start(Phase.RECORD, "evil\x1b]0;owned\x07\u202eplan")
    task.advance(2)
    task.finish()
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("recorded evil\\u001b]0;owned\\u0007\\u202eplan: 2 items in ")


def test_counts_read_as_english() -> None:
    assert counted(1, "items") == "1 item" and counted(100_070, "items") == "100,070 items"
    assert counted(1, "deliveries") == "1 delivery" and counted(0, "pages") == "0 pages"
