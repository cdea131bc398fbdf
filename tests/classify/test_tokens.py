from __future__ import annotations

import pytest

from drift.classify import tokenize


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("user_email", ("user", "email")),
        ("userEmail", ("user", "email")),
        ("UserEmail", ("user", "email")),
        ("userIPAddress", ("user", "ip", "address")),
        ("HTTPServerURL", ("http", "server", "url")),
        ("user-agent", ("user", "agent")),
        ("page.title", ("page", "title")),
        ("Email Address", ("email", "address")),
        ("$email", ("email",)),
        ("$initial_referrer", ("initial", "referrer")),
        ("gp:first_name", ("first", "name")),
        ("GP:Plan", ("plan",)),
        ("e-mail", ("e", "mail")),
        ("ssn_last4", ("ssn", "last4")),
        ("ipv6", ("ipv6",)),
        ("2faCode", ("2fa", "code")),
        ("x__y--z", ("x", "y", "z")),
        ("[Amplitude] City", ("amplitude", "city")),
        ("ＥＭＡＩＬ", ("email",)),  # fullwidth letters, NFKC-folded
        ("ÉmailAdresse", ("email", "adresse")),  # accents folded
        ("", ()),
        ("$$$", ()),
    ],
)
def test_tokenize(name: str, tokens: tuple[str, ...]) -> None:
    assert tokenize(name) == tokens
