"""Look-alike names fold to their ASCII twin and are flagged; ordinary names are not."""

import pytest

from drift.confusables import is_suspicious, skeleton


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("\u0435mail", "email"),  # Cyrillic е
        ("p\u0430ssword", "password"),  # Cyrillic а
        ("\u03bfrder_id", "order_id"),  # Greek ο
        ("USER_\u0399D", "USER_ID"),  # Greek capital iota
        ("\uff45\uff4d\uff41\uff49\uff4c", "email"),  # fullwidth
        ("e\u200bmail", "email"),  # zero-width space
        ("email", "email"),
        ("Straße", "Straße"),
        ("购买", "购买"),
    ],
)
def test_skeleton_folds_lookalikes_only(name: str, folded: str) -> None:
    assert skeleton(name) == folded


@pytest.mark.parametrize(
    "name",
    ["\u0435mail", "\u0441\u043e\u0441\u043e", "\uff45mail", "e\u200bmail", "Sign\u202eUp"],
)
def test_lookalike_names_are_suspicious(name: str) -> None:
    assert is_suspicious(name)


@pytest.mark.parametrize(
    "name",
    [
        "email",
        "Straße",
        "café_visit",
        "привет",
        "ユーザーID",
        "购买 Completed",
        "👩\u200d💻 signup",
        "email\ud800",
    ],
)
def test_ordinary_names_are_not_suspicious(name: str) -> None:
    assert not is_suspicious(name)
