"""drift.toml: every mistake is one line naming the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.config import load_config, masked
from drift.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "drift.toml"
    path.write_text(text, encoding="utf-8")
    return path


PLAN = '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plans/plan.json"\n'


def test_relative_paths_resolve_from_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path,
        PLAN + '[database]\nurl = "sqlite:///state/drift.db"\n'
        '[schedule]\nheartbeat_file = "state/heartbeat.json"\n',
    )
    monkeypatch.chdir("/")
    config = load_config(path)
    assert config.sources[0].path == tmp_path / "plans" / "plan.json"
    assert config.database.url == f"sqlite:///{tmp_path}/state/drift.db"
    # `config check` shows every path as drift uses it
    assert config.schedule.heartbeat_file == tmp_path / "state" / "heartbeat.json"
    assert masked(config)["schedule"]["heartbeat_file"] == str(
        tmp_path / "state" / "heartbeat.json"
    )


def test_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, PLAN)
    monkeypatch.setenv("DRIFT_CONFIG", str(path))
    monkeypatch.setenv("DRIFT_DATABASE_URL", "postgresql+psycopg://u:hunter2@db/drift")
    config = load_config()
    assert config.database.url.startswith("postgresql+psycopg://u:hunter2@")
    assert "hunter2" not in str(masked(config))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[database\nurl = 1", "not valid TOML"),
        (PLAN + "colour = 'blue'\n", "unknown key 'colour'"),
        (
            "[digest]\nsend_when_emtpy = false\n",
            "unknown key 'digest.send_when_emtpy' (did you mean 'send_when_empty'?) "
            "(expected one of: send_when_empty, templates, max_attachment_bytes, max_json_bytes)",
        ),
        (
            PLAN + "[schedul]\ncron = '0 7 * * *'\n",
            "unknown key 'schedul' (did you mean 'schedule'?)",
        ),
        ('[[sources]]\nname = "x"\ntype = "jsonshema"\n', "(did you mean 'jsonschema'?)"),
        (PLAN + '[schedule]\ncron = "0 7 * *"\n', "expected 5 fields"),
        (PLAN + '[schedule]\ncron = "* * *"\n', "expected 5 fields"),
        (PLAN + '[schedule]\ncron = "61 7 * * *"\n', "higher than the maximum value (59)"),
        (PLAN + '[schedule]\ncron = "@daily"\n', "not supported; write '0 0 * * *'"),
        (PLAN + '[schedule]\ncron = "0 7 30 2 *"\n', "never fires"),
        (PLAN + '[schedule]\nmisfire_grace_seconds = "60"\n', "valid integer (write numbers"),
        (
            PLAN + '[digest]\nsend_when_empty = "false"\n',
            "send_when_empty: Input should be a valid",
        ),
        (
            '[[sources]]\nname = "x"\ntype = "jsonschema"\npath = "p.json"\n'
            'timeout_seconds = "9"\n',
            "timeout_seconds: Input should be a valid number",
        ),
        ('[[sources]]\nname = "x"\ntype = "nope"\n', "type = 'nope' is not known (expected"),
        (
            '[[sources]]\nname = "s"\ntype = "segment"\ntoken_env = "T"\nplan_types = ["LIVEE"]\n',
            "plan_types: Input should be 'LIVE', 'ENGAGE', 'PROPERTY_LIBRARY', 'RULE_LIBRARY'",
        ),
        (
            '[[sources]]\nname = "p"\ntype = "posthog"\nproject_id = 1\napi_key_env = "K"\n'
            "max_linked_events = -1\n",
            "max_linked_events: Input should be greater than or equal to 0",
        ),
        ('[[sources]]\nname = "x"\ntype = "jsonschema"\n', "missing key 'path'"),
        (PLAN + PLAN, "source names must be unique; repeated: plan"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
        (
            PLAN + '[[policy]]\nsources = ["plan"]\nforbid = ["emails"]\n',
            "unknown category 'emails'",
        ),
        (
            PLAN + '[[policy]]\nsources = ["nope"]\nforbid = ["contact"]\n',
            "policy sources: unknown 'nope'",
        ),
        (
            PLAN + '[[reconcile]]\nplan = "plan"\nobserved = ["ghost"]\n',
            "reconcile observed: unknown 'ghost'",
        ),
        # A raw '@' in a password: SQLAlchemy and the driver would split the URL differently
        # (and a host error would echo the password's tail); the message never shows the URL.
        (
            PLAN + '[database]\nurl = "postgresql://root:p@ss@127.0.0.1:5432/drift"\n',
            "percent-encode it (@ is %40,",
        ),
        (
            PLAN + '[database]\nurl = "mysql://root:p/ss@127.0.0.1/drift"\n',
            "percent-encode it (@ is %40,",
        ),
        (
            PLAN + '[database]\nurl = "sqlite://u:s3cret@/tmp/drift.db"\n',
            "a SQLite URL names a file, with no user, password or host",
        ),
        (PLAN + '[database]\nurl = "sqlite:////tmp/a\\u0000b.db"\n', "holds a NUL character"),
        (
            PLAN + '[schedule]\nheartbeat_file = "~nosuchuser-drift/hb.json"\n',
            "heartbeat_file: cannot expand '~nosuchuser-drift",
        ),
        (
            PLAN + '[rules]\npath = "~nosuchuser-drift/rules.toml"\n',
            "rules.path: cannot expand '~nosuchuser-drift",
        ),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert expected in message
    assert "s3cret" not in message and "p@ss" not in message and "p/ss" not in message
    assert str(path) in message
    assert "\n" not in message


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="drift init"):
        load_config(tmp_path / "nope.toml")


MIXPANEL = (
    '[[sources]]\nname = "mixpanel-prod"\ntype = "mixpanel"\nproject_id = 1\n'
    'username_env = "MIXPANEL_USERNAME"\n'
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            'secret = "s3cr3t-value"\n',
            "'secret' holds a secret literally; put it in an environment variable",
        ),
        (
            'secret_env = "s3cr3t/value+with=chars"\n',
            "'secret_env' must name an environment variable",
        ),
    ],
)
def test_literal_secrets_are_refused_without_echoing_them(
    tmp_path: Path, extra: str, expected: str
) -> None:
    path = write(tmp_path, MIXPANEL + extra)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value)
    assert "s3cr3t" not in str(info.value)


def test_a_missing_env_var_is_named_with_the_source_and_nothing_is_recorded(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from drift.cli import cli

    path = write(
        tmp_path,
        '[database]\nurl = "sqlite:///drift.db"\n' + MIXPANEL + 'secret_env = "MIXPANEL_SECRET"\n',
    )
    result = CliRunner().invoke(cli, ["--config", str(path), "snapshot"])
    assert result.exit_code != 0
    assert "MIXPANEL_USERNAME is not set (needed by source 'mixpanel-prod'" in result.stderr
    assert result.stderr.count("\n") == 1
    history = CliRunner().invoke(cli, ["--config", str(path), "history", "--format", "json"])
    assert history.exit_code == 0 and history.stdout.strip() == "[]"


def test_every_key_in_the_example_config_is_real(tmp_path: Path) -> None:
    """`drift init`'s example, with every commented-out line switched on, is a valid config."""
    import re

    from drift.commands.setup import example_config

    lines = []
    for line in example_config().splitlines():
        body = re.sub(r"^# ?", "", line) if re.match(r"^# ?(\[|[a-z_]+ = )", line) else line
        lines.append(body)
    path = write(tmp_path, "\n".join(lines))
    (tmp_path / "drift-rules.toml").write_text("")  # policies are checked against the rule set
    config = load_config(path)
    assert {s.type for s in config.sources} == {
        "jsonschema",
        "mixpanel",
        "amplitude",
        "segment",
        "posthog",
        "events",
    }
    assert {n.type for n in config.notify} == {"file", "email", "slack", "webhook"}
    assert (
        config.policy and config.reconcile and config.rules.path and config.schedule.heartbeat_file
    )
