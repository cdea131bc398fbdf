"""The scrubber: one bounded line; remembered secrets, credential shapes and URL paths gone."""

import base64
import json
from urllib.parse import quote

from drift.scrub import remember, remember_basic, scrub


def test_remembered_secrets_vanish_in_every_encoding() -> None:
    secret = "s3cr/et+value-4411"
    remember(secret)
    remember_basic("user-x", secret)
    basic = base64.b64encode(f"user-x:{secret}".encode()).decode()
    for form in (secret, json.dumps(secret)[1:-1], quote(secret, safe=""), basic):
        assert form not in scrub(f"the server said: {form}!")


def test_secret_url_path_and_its_token_segments_vanish() -> None:
    remember("https://hooks.slack.com/services/T01ABCDEF/B01ABCDEF/abcdefghijklmnopqrstuvwx")
    text = scrub("invalid_token for /services/T01ABCDEF/B01ABCDEF/abcdefghijklmnopqrstuvwx")
    assert "abcdefghijklmnopqrstuvwx" not in text and "T01ABCDEF" not in text
    assert scrub("services are up") == "services are up"


def test_credential_shapes_and_url_paths_are_redacted_without_being_known() -> None:
    text = scrub(
        "Authorization: Bearer abc.def password=hunter2 xoxb-123-456 "
        "https://example.com/hook/T9/secret?token=1 sig c2VjcmV0LXZhbHVlLXRoYXQtaXMtbG9uZzEyMw=="
    )
    for leaked in ("abc.def", "hunter2", "xoxb-123", "/hook/T9", "token=1", "c2VjcmV0"):
        assert leaked not in text
    assert "https://example.com/…" in text


def test_ordinary_messages_are_kept_and_bounded_to_one_line() -> None:
    message = "file notifier: cannot write to /srv/drift/reports_2024: permission denied"
    assert scrub(message) == message
    assert (
        scrub("digest delivered to slack (basic tier)") == "digest delivered to slack (basic tier)"
    )
    long = scrub("a\nb\x1b[31m" + "word " * 1000, limit=100)
    assert "\n" not in long and "\x1b" not in long and len(long) == 100
