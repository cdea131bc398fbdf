"""drift must not become a shadow copy of personal data: planted values never reach the database."""

from __future__ import annotations

import json
from pathlib import Path

from drift import pipeline
from drift.app import App

CANARIES = ["canary-4242@example.com", "Canary Street 9", "sk_live_canary_token", "198.51.100.77"]


def test_ndjson_values_never_reach_the_database_file(tmp_path: Path) -> None:
    sample = tmp_path / "events.ndjson"
    sample.write_text(
        "\n".join(
            json.dumps(line)
            for line in [
                {
                    "event": "Signup",
                    "properties": {"email": CANARIES[0], "address": {"street": CANARIES[1]}},
                },
                {
                    "type": "identify",
                    "traits": {"api_token": CANARIES[2]},
                    "context": {"traits": {"ip": CANARIES[3]}},
                },
            ]
        )
    )
    (tmp_path / "drift.toml").write_text(
        '[database]\nurl = "sqlite:///drift.db"\n'
        '[[sources]]\nname = "sample"\ntype = "events"\npath = "events.ndjson"\n'
        '[[notify]]\ntype = "file"\ndirectory = "reports"\n'
    )
    app = App(tmp_path / "drift.toml")
    result = pipeline.run(app)
    app.close()
    assert result.exit_code == 0
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("drift.db*"))
    assert b"address.street" in stored  # the key is kept...
    reports = b"".join(p.read_bytes() for p in (tmp_path / "reports").iterdir())
    for canary in CANARIES:
        assert canary.encode() not in stored  # ...its value is not
        assert canary.encode() not in reports
