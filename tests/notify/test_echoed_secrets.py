"""Hostile counterparts echo every secret drift holds back at it: a Mixpanel 200 whose ``status``
repeats the Authorization header, a Slack webhook and a generic webhook that answer 400 with the
request path, headers and every credential, an SMTP server whose refusal quotes the password.
None of it may reach stderr/stdout, the logs, the run ledger, any stored digest format, the
digest files, the bodies other channels receive, ``drift status`` or ``outbox.last_error``."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as Server
from aiosmtpd.smtp import AuthResult, Envelope, Session
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from drift.cli import cli
from tests.notify.conftest import Mailbox
from tests.sources.conftest import CANARIES, FIRST_PATH, base, serve_happy

SLACK_PATH = "/services/T0CANARY1/B0CANARY2/slackhooktoken4f1e9a"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"webhook-canary-secret-0e7d").decode()
SMTP_PASSWORD = "smtp-canary-pass-61c3"

CONFIG = """
[database]
url = "sqlite:///drift.db"

[[sources]]
name = "mixpanel-prod"
type = "mixpanel"
project_id = 1
username_env = "MIXPANEL_USERNAME"
secret_env = "MIXPANEL_SECRET"
base_url = "{url}"

[[sources]]
name = "posthog-cloud"
type = "posthog"
project_id = 7
api_key_env = "POSTHOG_API_KEY"
base_url = "{url}"

[[notify]]
type = "file"
directory = "reports"

[[notify]]
name = "slack-hostile"
type = "slack"
webhook_url_env = "SLACK_WEBHOOK_URL"

[[notify]]
name = "slack-ok"
type = "slack"
webhook_url_env = "SLACK_OK_URL"

[[notify]]
name = "hook-hostile"
type = "webhook"
url = "{url}/hostile-hook"
secret_env = "DRIFT_WEBHOOK_SECRET"

[[notify]]
name = "hook-ok"
type = "webhook"
url = "{url}/hook"
secret_env = "DRIFT_WEBHOOK_SECRET"

[[notify]]
type = "email"
host = "127.0.0.1"
port = {smtp_port}
security = "starttls"
ca_file = "{ca_file}"
username_env = "SMTP_USERNAME"
password_env = "SMTP_PASSWORD"
from = "drift@example.com"
to = ["sec@example.com"]
"""
HELD = ("MIXPANEL_USERNAME", "MIXPANEL_SECRET", "POSTHOG_API_KEY")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secrets(slack_url: str) -> list[str]:
    """Every secret drift holds, in the forms an echo would carry them."""
    plain = [*(CANARIES[name] for name in HELD), slack_url, SLACK_PATH, "slackhooktoken4f1e9a"]
    plain += [WEBHOOK_SECRET, WEBHOOK_SECRET.removeprefix("whsec_"), SMTP_PASSWORD]
    basic = _b64(f"{CANARIES['MIXPANEL_USERNAME']}:{CANARIES['MIXPANEL_SECRET']}")
    return [*plain, basic, _b64(f"drift:{SMTP_PASSWORD}")]


def echo_everything(request: Request, slack_url: str) -> str:
    """What a hostile counterpart says back: our headers, our path, and every credential."""
    headers = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
    forms = " ".join(secrets(slack_url))
    return f"invalid request {request.path} {request.url} [{headers}] {forms}"


class EchoingMailbox(Mailbox):
    def __init__(self, slack_url: str) -> None:
        super().__init__()
        self.slack_url = slack_url

    async def handle_DATA(self, server: Server, session: Session, envelope: Envelope) -> str:
        quoted = " ".join(secrets(self.slack_url))[:400]
        return f"554 5.7.1 refused for drift password {SMTP_PASSWORD} Basic {quoted}"

    def authenticate(self, *args: Any) -> AuthResult:
        data = args[-1]
        return AuthResult(success=getattr(data, "password", b"") == SMTP_PASSWORD.encode())


def serve(httpserver: HTTPServer, slack_url: str, received: list[bytes]) -> None:
    def mixpanel(request: Request) -> Response:
        return Response(json.dumps({"status": echo_everything(request, slack_url)}), 200)

    def hostile(request: Request) -> Response:
        return Response(echo_everything(request, slack_url), 400)

    def ok(request: Request) -> Response:
        received.append(request.get_data())
        return Response("ok")

    httpserver.expect_request(FIRST_PATH["mixpanel"]).respond_with_handler(mixpanel)
    serve_happy(httpserver, "posthog")
    httpserver.expect_request(SLACK_PATH).respond_with_handler(hostile)
    httpserver.expect_request("/hostile-hook").respond_with_handler(hostile)
    httpserver.expect_request("/slack-ok").respond_with_handler(ok)
    httpserver.expect_request("/hook").respond_with_handler(ok)


def drift(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])  # logs go to stderr
    return result.stdout + result.stderr


def test_no_echoed_secret_reaches_any_output(
    tmp_path: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    smtp_server: Callable[..., Any],
    ca_file: Path,
) -> None:
    slack_url = httpserver.url_for(SLACK_PATH)
    for name, value in {
        **CANARIES,
        "SLACK_WEBHOOK_URL": slack_url,
        "SLACK_OK_URL": httpserver.url_for("/slack-ok"),
        "DRIFT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SMTP_USERNAME": "drift",
        "SMTP_PASSWORD": SMTP_PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)
    received: list[bytes] = []
    serve(httpserver, slack_url, received)
    box = smtp_server("starttls", handler=EchoingMailbox(slack_url))
    config = tmp_path / "drift.toml"
    config.write_text(CONFIG.format(url=base(httpserver), smtp_port=box.port, ca_file=ca_file))
    caplog.set_level(logging.DEBUG)

    output = drift(config, "--debug", "run")
    output += drift(config, "status") + drift(config, "status", "--format", "json")
    output += drift(config, "report", "--format", "text")

    assert "Mixpanel answered status" in output and "[redacted]" in output
    assert len(received) == 2  # the well-behaved Slack and webhook receivers got the digest
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*.*") if p.is_file())
    logs = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("drift"))
    everything = stored + b"".join(received) + output.encode() + logs.encode()
    leaked = [s for s in secrets(slack_url) if s.encode() in everything]
    assert leaked == []
