"""Classify property names by privacy risk: rules as data, whole-token matching.

```python
from drift.classify import load_classifier, explain

clf = load_classifier()                      # or load_classifier(Path("drift-rules.toml"))
clf.classify("userEmail", ["string"])        # -> (Finding(rule_id="contact.email", ...),)
clf.classify("Telefonnummer", ["string"])    # German term: reason says "(German term, ...)"
explain(clf, "tmp_email", ["string"], "")   # -> JSON-able dict for `drift classify`
clf.rules_hash                               # changes when the effective rules change
```

Default rules live in ``default_rules.toml``; the user rule format is documented in
:mod:`drift.classify.rules` and ``docs/rules.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from drift.classify.engine import Classifier
from drift.classify.explain import explain
from drift.classify.rules import RuleSet, load_rules
from drift.classify.tokens import tokenize

__all__ = ["Classifier", "RuleSet", "explain", "load_classifier", "tokenize"]


def load_classifier(
    user_rules_path: Path | None = None, languages: Sequence[str] | None = None
) -> Classifier:
    """The default rules, with the user's rules file (if any) laid over them.

    ``languages``: codes whose terms are used besides English (``[rules] languages``); None:
    every shipped language. Raises :class:`drift.errors.ConfigError` naming the file and key
    when the file is invalid, or the unknown language.
    """
    return Classifier(load_rules(user_rules_path, languages))
