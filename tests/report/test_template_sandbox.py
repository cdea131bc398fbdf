"""Override templates ([digest] templates) render in Jinja's immutable sandbox: a hostile template
can neither run commands, write files nor read the environment, and a broken one is one red line
with exit 2, caught already by `drift config check`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drift.cli import cli
from tests.test_run import make_workdir

GLOBALS = "cycler.__init__.__globals__.os"
HOSTILE = {
    "runs a command": f"{{{{ {GLOBALS}.popen('echo PWNED-BY-TEMPLATE').read() }}}}",
    "writes a file": f"{{{{ {GLOBALS}.system('touch pwned.txt') }}}}",
    "reads a secret": f"{{{{ {GLOBALS}.environ.MIXPANEL_SECRET }}}}",
    "mutates the digest": "{{ digest.sources.append(1) }}{{ view.__dict__ }}",
}


def workdir_with_template(tmp_path: Path, body: str) -> Path:
    workdir = make_workdir(tmp_path, f"sqlite:///{tmp_path / 'drift.db'}")
    (workdir / "tpl").mkdir()
    (workdir / "tpl" / "digest.txt.j2").write_text(body)
    config = workdir / "drift.toml"
    text = config.read_text().replace("[digest]\n", '[digest]\ntemplates = "tpl"\n', 1)
    config.write_text(text)
    return workdir


def drift(workdir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(workdir / "drift.toml"), *args])
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_override_template_is_refused(
    body: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIXPANEL_SECRET", "template-canary-secret")
    monkeypatch.chdir(tmp_path)
    workdir = workdir_with_template(tmp_path, body)
    code, output = drift(workdir, "report", "--format", "text")
    assert code == 2, output
    assert "PWNED-BY-TEMPLATE" not in output and "template-canary-secret" not in output
    assert not (tmp_path / "pwned.txt").exists()
    (line,) = output.strip().splitlines()
    assert line.startswith("error: [digest] templates") and "digest.txt.j2" in line


def test_a_broken_template_is_one_line_exit_2_and_config_check_finds_it(tmp_path: Path) -> None:
    workdir = workdir_with_template(tmp_path, "fine\n{% if %}\n")
    for command in (["config", "check"], ["report", "--format", "text"]):
        code, output = drift(workdir, *command)
        assert code == 2, output
        errors = [line for line in output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "digest.txt.j2:2" in errors[0]
        assert "Traceback" not in output


def test_a_well_behaved_override_still_renders(tmp_path: Path) -> None:
    workdir = workdir_with_template(tmp_path, "custom: {{ subject }}\n")
    code, output = drift(workdir, "report", "--format", "text")
    assert code == 0 and output.startswith("custom: drift ")
