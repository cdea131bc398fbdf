"""The vendor's privacy labels as findings: who labelled it, which labels count, severities."""

from __future__ import annotations

from pathlib import Path

from drift.classify import load_classifier
from drift.govern import cached_findings
from drift.model import Item, Scope, Severity


def item(**fields: object) -> Item:
    return Item.of(Scope.EVENT_PROPERTY, "Checkout", "buyer_ref", type="string", **fields)


def test_pii_label_grades_a_harmless_name_and_names_the_labeller() -> None:
    findings = cached_findings(load_classifier())
    assert findings(item()) == ()
    (found,) = findings(item(classifications=["PII", "REVENUE"], classified_by="Amplitude"))
    assert (found.category, found.severity) == ("vendor_pii", Severity.HIGH)
    assert found.reason == "Amplitude classifies it PII" and found.rule_id == "vendor_label.pii"
    assert findings(item(classifications=["REVENUE"], classified_by="Amplitude")) == ()


def test_labels_add_to_the_name_rules_and_rank_by_severity() -> None:
    findings = cached_findings(load_classifier())
    labelled = Item.of(
        Scope.USER_PROPERTY, "", "company_name", classifications=["SENSITIVE"], classified_by="X"
    )
    assert [f.category for f in findings(labelled)] == ["organization", "vendor_sensitive"]


def test_rules_file_overrides_the_label_severity(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[severity]\nvendor_pii = "medium"\n')
    findings = cached_findings(load_classifier(rules))
    (found,) = findings(item(classifications=["pii"]))
    assert found.severity is Severity.MEDIUM and found.reason == "the vendor classifies it PII"
