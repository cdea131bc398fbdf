"""A Lexicon export read as a file equals the same Lexicon read from Mixpanel's API."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer

from drift.sources.jsonschema import JsonSchemaConfig, JsonSchemaSource
from tests.sources.conftest import FIRST_PATH, VENDORS_DIR, base, make_source, serve_happy


def test_file_export_and_api_describe_the_schema_identically(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve_happy(httpserver, "mixpanel")
    from_api = make_source("mixpanel", base(httpserver)).fetch()
    assert FIRST_PATH["mixpanel"] in str(httpserver.log[0][0].path)
    export = tmp_path / "lexicon.json"
    export.write_text((VENDORS_DIR / "mixpanel" / "schemas.json").read_text())
    from_file = JsonSchemaSource(JsonSchemaConfig(name="x", type="jsonschema", path=export)).fetch()
    as_data = [(i.key, json.dumps(dict(i.definition), sort_keys=True)) for i in from_api.items]
    assert as_data == [
        (i.key, json.dumps(dict(i.definition), sort_keys=True)) for i in from_file.items
    ]
    assert len(from_api.items) > 3
