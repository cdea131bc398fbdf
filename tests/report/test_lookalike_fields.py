"""The look-alike flag reaches the machine formats too: the JSON digest marks each row and change
whose name impersonates another (``еmail`` with a Cyrillic е), and the CSV attachment has a
``lookalike`` column; an ordinary name is marked false."""

from __future__ import annotations

import csv
import io
import json

from drift.model import ChangeKind, ItemKey, Provenance, SourceStatus
from drift.report.build import build_digest
from drift.report.model import DigestInput, ItemState, SourceInput
from drift.report.render import render_digest
from tests.report.fixtures import CONTACT, EP, RUN_AT, ch, day

LOOKALIKE = "\u0435mail"  # Cyrillic е
PLAIN = "email"


def _input() -> DigestInput:
    s = "mixpanel-prod"
    names = (LOOKALIKE, PLAIN)
    changes = tuple(ch(s, ChangeKind.PROPERTY_NEW, EP, "Signup", n) for n in names)
    items = tuple(ItemState(ItemKey(EP, "Signup", n), (CONTACT,), None, day(29)) for n in names)
    src = SourceInput(
        name=s,
        type="mixpanel",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.READ,
        item_count=2,
        changes=changes,
        items=items,
    )
    return DigestInput(run_at=RUN_AT, sources=(src,))


def test_json_digest_flags_lookalike_rows_and_changes() -> None:
    data = json.loads(render_digest(build_digest(_input())).json)
    source = data["sources"][0]
    rows = {r["name"]: r for rows in source["sections"].values() for r in rows}
    assert rows[LOOKALIKE]["lookalike"] is True
    assert rows[PLAIN]["lookalike"] is False
    changes = {c["name"]: c for c in source["changes"]}
    assert changes[LOOKALIKE]["lookalike"] is True
    assert changes[PLAIN]["lookalike"] is False


def test_csv_attachment_has_a_lookalike_column() -> None:
    rendered = render_digest(build_digest(_input()), html_budget=1)  # every row cut: CSV attached
    (attachment,) = rendered.attachments
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode("utf-8-sig"))))
    flags = {r["name"]: r["lookalike"] for r in rows}
    assert flags == {LOOKALIKE: "yes", PLAIN: ""}
