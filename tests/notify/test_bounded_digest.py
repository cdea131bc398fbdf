"""Bounded digests: the stored JSON digest and every attachment stay under their caps (the CSV
compressed, then split), and a digest too large for the mail server still reaches the mailbox,
shortened, saying where the full list is (a 552 must not lose the email channel's digest)."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
from collections.abc import Callable

from drift.model import Attachment, DeliveryStatus, RenderedDigest
from drift.notify.email import EmailConfig, EmailNotifier
from drift.report.attachments import bounded_csv
from drift.report.build import build_digest
from drift.report.render import render_digest
from drift.report.serialize import digest_json, fit_json
from tests.notify.conftest import Mailbox
from tests.report.fixtures import huge_input

BIG = build_digest(huge_input(3_000))


def rows(attachments: tuple[Attachment, ...]) -> list[list[str]]:
    """Every data row of the (possibly compressed, possibly split) CSV attachments."""
    found: list[list[str]] = []
    for att in attachments:
        data = gzip.decompress(att.content) if att.filename.endswith(".gz") else att.content
        found += list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    return found


def test_attachment_is_compressed_then_split_under_the_cap_and_loses_no_row() -> None:
    whole = render_digest(BIG, attachment_cap=50_000_000)
    (plain,) = whole.attachments
    assert plain.filename.endswith(".csv") and len(plain.content) > 200_000
    (gz,) = bounded_csv(plain.content, plain.filename, 200_000)
    assert gz.filename.endswith(".csv.gz") and len(gz.content) <= 200_000
    assert rows((gz,)) == rows(whole.attachments)
    split = render_digest(BIG, attachment_cap=10_000).attachments
    assert len(split) > 1 and all(len(a.content) <= 10_000 for a in split)
    assert rows(split) == rows(whole.attachments)


def test_stored_json_digest_has_a_budget_and_says_what_it_left_out() -> None:
    whole = digest_json(BIG, "subject")
    assert len(whole.encode()) > 200_000
    bounded = fit_json(whole, 200_000)
    data = json.loads(bounded)
    assert len(bounded.encode()) <= 200_000
    assert data["truncated"]["omitted"] and data["counts"] == json.loads(whole)["counts"]


def test_a_552_still_delivers_a_shortened_digest(
    smtp_server: Callable[..., Mailbox], rendered: RenderedDigest
) -> None:
    box = smtp_server("plain", data_size_limit=150_000)
    big = dataclasses.replace(
        rendered, attachments=(Attachment("full.csv", "text/csv", b"a,b\r\n" * 60_000),)
    )
    config = EmailConfig.model_validate(
        {
            "type": "email",
            "host": "127.0.0.1",
            "port": box.port,
            "security": "none",
            "from": "drift@example.com",
            "to": ["sec@example.com"],
        }
    )
    result = EmailNotifier(config).send(big)
    assert result.status is DeliveryStatus.SENT and "shortened" in result.detail
    (envelope,) = box.envelopes
    body = envelope.content.decode("utf-8", "replace")
    assert "too large for this mail server" in body and "full.csv" in body
