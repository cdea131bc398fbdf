from __future__ import annotations

import pytest

from drift.classify import Classifier, explain, load_classifier
from drift.model import Finding, Severity


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return load_classifier()


def top(clf: Classifier, name: str, *types: str, description: str = "") -> Finding | None:
    findings = clf.classify(name, types, description)
    return findings[0] if findings else None


def category(clf: Classifier, name: str, *types: str, description: str = "") -> str | None:
    found = top(clf, name, *types, description=description)
    return found.category if found else None


@pytest.mark.parametrize(
    ("name", "types", "expected"),
    [
        ("email", ("string",), "contact"),
        ("$email", ("string",), "contact"),
        ("gp:email", ("string",), "contact"),
        ("userIPAddress", ("string",), "device_id"),
        ("first_name", ("string",), "person_name"),
        ("firstname", ("string",), "person_name"),
        ("zipcode", ("string",), "location"),
        ("useragent", ("string",), "device_id"),
        ("user-agent", ("string",), "device_id"),
        ("api_key", ("string",), "credential"),
        ("credit_card_number", ("string",), "financial"),
        ("date_of_birth", ("string",), "demographic"),
        ("medication", ("string",), "health"),
        ("search_query", ("string",), "free_text"),
        ("system_prompt", ("string",), "ai_content"),
        ("company_name", ("string",), "organization"),
        ("zendesk_ticket_id", ("string",), "external_ref"),
        ("$current_url", ("string",), "url"),
        ("distinct_id", ("string",), "user_id"),
    ],
)
def test_categories(clf: Classifier, name: str, types: tuple[str, ...], expected: str) -> None:
    assert category(clf, name, *types) == expected


@pytest.mark.parametrize(
    ("name", "types"),
    [
        ("page_name", ("string",)),
        ("event_name", ("string",)),
        ("template_name", ("string",)),
        ("email_verified", ("boolean",)),
        ("email_confirmed", ("boolean",)),
        ("email_verified", ()),  # no type: the word itself vetoes
        ("is_email_verified", ()),
        ("email_campaign_id", ("string",)),
        ("email_sent_at", ()),  # shape says datetime
        ("token_count", ("integer",)),
        ("output_tokens", ("integer",)),
        ("prompt_tokens", ()),
        ("company_size", ("string",)),
        ("unzip_duration", ("number",)),
        ("gzip", ("boolean",)),
        ("zip_file_size", ("integer",)),
        ("ip_country", ("string",)),
        ("password_changed", ("boolean",)),
        ("screen_orientation", ("string",)),
        ("split_test_arm", ("string",)),
        ("is_test_user", ("boolean",)),
        ("message_id", ("string",)),
        ("button_copy", ("string",)),
    ],
)
def test_negatives(clf: Classifier, name: str, types: tuple[str, ...]) -> None:
    assert clf.classify(name, types) == (), clf.classify(name, types)


def test_zip_code_is_not_an_ip_address(clf: Classifier) -> None:
    assert category(clf, "zip_code", "string") == "location"


def test_type_gate(clf: Classifier) -> None:
    assert category(clf, "user_email", "string") == "contact"
    assert category(clf, "user_email", "array") == "contact"
    assert clf.classify("user_email", ("boolean",)) == ()
    assert clf.classify("user_email", ("integer",)) == ()
    # health and demographics stay sensitive as booleans
    assert category(clf, "is_pregnant", "boolean") == "health"


def test_description_gate(clf: Classifier) -> None:
    assert clf.classify("license_number", ("string",)) == ()
    found = top(clf, "license_number", "string", description="Driver's license number")
    assert found is not None and found.category == "government_id"
    assert "description mentions 'driver'" in found.signals
    chat = top(clf, "messages", "array", description="Conversation history sent to the model")
    assert chat is not None and chat.category == "ai_content"
    assert category(clf, "messages", "array") == "free_text"


def test_finding_explains_itself(clf: Classifier) -> None:
    (found,) = clf.classify("email", ["string"])
    assert found.rule_id == "contact.email"
    assert found.severity is Severity.HIGH
    assert found.tokens == ("email",)
    assert found.signals == ("type=string",)
    assert found.reason == "name token 'email' (type string) looks like an email address"
    (ip,) = clf.classify("userIPAddress", [])
    assert ip.reason == "name tokens 'ip address' (type unknown) look like an IP or MAC address"


def test_most_severe_first(clf: Classifier) -> None:
    findings = clf.classify("stripe_customer_id", ["string"])
    assert [f.category for f in findings] == ["external_ref", "user_id"]
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize(
    ("name", "types", "severity", "cat"),
    [
        ("tmp_ip_address", ("string",), Severity.HIGH, "device_id"),  # medium -> high
        ("test_url", ("string",), Severity.MEDIUM, "url"),  # low -> medium
        ("tmp_email", ("string",), Severity.HIGH, "contact"),  # high stays high
        ("name_copy", ("string",), Severity.HIGH, "person_name"),
        ("temp_value", ("string",), Severity.LOW, "temporary"),
        ("wip_feature_x", ("boolean",), Severity.LOW, "temporary"),
        ("old_price", ("number",), Severity.LOW, "temporary"),
    ],
)
def test_temporary(
    clf: Classifier, name: str, types: tuple[str, ...], severity: Severity, cat: str
) -> None:
    found = top(clf, name, *types)
    assert found is not None
    assert (found.category, found.severity, found.temporary) == (cat, severity, True)


def test_temporary_reason_says_it_raised(clf: Classifier) -> None:
    found = top(clf, "tmp_ip_address", "string")
    assert found is not None
    assert found.reason.endswith("temporary marker 'tmp' raises severity to high")
    assert "temporary marker 'tmp'" in found.signals


def test_explain(clf: Classifier) -> None:
    doc = explain(clf, "tmp_userEmail", ["string"], "")
    assert doc["tokens"] == ["tmp", "user", "email"]
    assert doc["verdict"] == "flagged"
    assert doc["findings"][0]["rule_id"] == "contact.email"
    assert doc["findings"][0]["temporary"] is True
    benign = explain(clf, "button_label", ["string"], "")
    assert benign["verdict"] == "benign" and benign["findings"] == []


def test_rules_hash_is_stable(clf: Classifier) -> None:
    assert clf.rules_hash == load_classifier().rules_hash
    assert len(clf.rules_hash) == 64
