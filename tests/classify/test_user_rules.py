from __future__ import annotations

from pathlib import Path

import pytest

from drift.classify import load_classifier
from drift.errors import ConfigError
from drift.model import Severity


def rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "drift-rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_add_rule(tmp_path: Path) -> None:
    path = rules_file(
        tmp_path,
        """
        [[rules]]
        id = "acme.loyalty"
        category = "financial"
        what = "a loyalty card number"
        tokens = ["loyalty number", "loyalty card"]
        types = ["string"]
        unless = ["count"]
        """,
    )
    clf = load_classifier(path)
    (found,) = clf.classify("loyaltyCardNumber", ["string"])
    assert (found.rule_id, found.category, found.severity) == (
        "acme.loyalty",
        "financial",
        Severity.HIGH,
    )
    assert clf.classify("loyalty_card_count", ["string"]) == ()
    assert clf.rules_hash != load_classifier().rules_hash


def test_override_severity_by_category_and_rule(tmp_path: Path) -> None:
    path = rules_file(
        tmp_path,
        """
        [severity]
        url = "medium"
        "contact.phone" = "medium"
        """,
    )
    clf = load_classifier(path)
    assert clf.classify("page_url", ["string"])[0].severity is Severity.MEDIUM
    assert clf.classify("phone", ["string"])[0].severity is Severity.MEDIUM
    assert clf.classify("email", ["string"])[0].severity is Severity.HIGH


def test_replace_rule_by_id(tmp_path: Path) -> None:
    path = rules_file(
        tmp_path,
        """
        [[rules]]
        id = "url.page"
        category = "url"
        what = "a link"
        tokens = ["link"]
        """,
    )
    clf = load_classifier(path)
    assert clf.classify("page_url", ["string"]) == ()
    assert clf.classify("link", ["string"])[0].reason.endswith("looks like a link")


def test_disable_rule(tmp_path: Path) -> None:
    clf = load_classifier(rules_file(tmp_path, 'disable = ["user_id.pseudonymous"]\n'))
    assert clf.classify("user_id", ["string"]) == ()
    assert clf.classify("email", ["string"]) != ()


def test_new_category_and_temporary_markers(tmp_path: Path) -> None:
    path = rules_file(
        tmp_path,
        """
        [categories.loyalty]
        severity = "medium"

        [[rules]]
        id = "acme.points"
        category = "loyalty"
        what = "loyalty points"
        tokens = ["points balance"]

        [temporary]
        anywhere = ["scratch"]
        """,
    )
    clf = load_classifier(path)
    (found,) = clf.classify("scratch_points_balance", ["integer"])
    assert (found.category, found.severity, found.temporary) == ("loyalty", Severity.HIGH, True)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('disable = ["nope.rule"]\n', "disable[0]"),
        ('[severity]\nnope = "high"\n', "severity.nope"),
        ('[severity]\nurl = "urgent"\n', "severity.url"),
        ('colour = "red"\n', "colour"),
        (
            '[[rules]]\nid = "a.b"\ncategory = "url"\nwhat = "x"\ntokens = ["x"]\ntokns = []\n',
            "rules[0].tokns",
        ),
        ('[[rules]]\nid = "a.b"\ncategory = "url"\nwhat = "x"\n', "rules[0].tokens"),
        ('[[rules]]\nid = "a.b"\ncategory = "nope"\nwhat = "x"\ntokens = ["x"]\n', "category"),
        ('[[rules]]\nid = "a.b"\ncategory = "url"\nwhat = "x"\ntokens = ["$$"]\n', "tokens"),
        (
            '[[rules]]\nid = "a.b"\ncategory = "url"\nwhat = "x"\ntokens = ["x"]\ntypes=["str"]\n',
            "types",
        ),
        ("[temporary]\neverywhere = []\n", "temporary.everywhere"),
    ],
)
def test_invalid_rules_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = rules_file(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_classifier(path)
    message = str(err.value)
    assert str(path) in message and key in message
    assert "\n" not in message


def test_unknown_key_lists_expected(tmp_path: Path) -> None:
    path = rules_file(tmp_path, 'colour = "red"\n')
    with pytest.raises(ConfigError, match="expected one of: disable, severity"):
        load_classifier(path)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_classifier(rules_file(tmp_path, "disable = [\n"))
    with pytest.raises(ConfigError, match="cannot read rules file"):
        load_classifier(tmp_path / "missing.toml")
