"""`[rules] languages` in drift.toml, as `drift classify` and `drift config check` show it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from drift.cli import cli
from drift.exitcodes import Exit
from tests.govern.scenario import CONFIG


def config(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "drift.toml"
    db = f"sqlite:///{tmp_path}/drift.db"
    path.write_text(f'[database]\nurl = "{db}"\n{CONFIG}\n[rules]\n{rules}\n', encoding="utf-8")
    return path


def invoke(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(path), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def verdicts(path: Path, *names: str) -> dict[str, dict]:
    code, out, _ = invoke(path, "classify", *names, "--type", "string", "--format", "json")
    assert code == 0
    return {v["name"]: v for v in json.loads(out)}


def test_classify_names_the_language_and_honours_the_pick(tmp_path: Path) -> None:
    everything = verdicts(config(tmp_path, ""), "Rufnummer", "nom_du_titulaire")
    (phone,) = everything["Rufnummer"]["findings"]
    assert phone["reason"] == (
        "name token 'rufnummer' (German term, type string) looks like a phone number"
    )
    assert "language=de" in phone["signals"]
    (holder,) = everything["nom_du_titulaire"]["findings"]
    assert "(French term, type string)" in holder["reason"]
    assert everything["nom_du_titulaire"]["tokens"] == ["nom", "titulaire"]

    german_only = verdicts(config(tmp_path, 'languages = ["de"]'), "Rufnummer", "nom_du_titulaire")
    assert german_only["Rufnummer"]["verdict"] == "flagged"
    assert german_only["nom_du_titulaire"]["verdict"] == "benign"


def test_unknown_language_is_one_clear_config_error(tmp_path: Path) -> None:
    code, out, err = invoke(config(tmp_path, 'languages = ["de", "klingon"]'), "config", "check")
    assert code == Exit.CONFIG
    assert "unknown language 'klingon' (known: de, en, es, fr, it, nl, pt)" in err
    assert "Traceback" not in err + out


def test_user_file_adds_a_language(tmp_path: Path) -> None:
    rules = tmp_path / "drift-rules.toml"
    rules.write_text(
        '[languages.sv]\nname = "Swedish"\n[languages.sv.terms]\n'
        '"government_id.national" = ["personnummer"]\n"contact.phone" = ["mobilnummer"]\n',
        encoding="utf-8",
    )
    path = config(tmp_path, f'path = "{rules.name}"\nlanguages = ["sv"]')
    found = verdicts(path, "personnummer", "kund_mobilnummer", "telefonnummer")
    assert found["personnummer"]["findings"][0]["category"] == "government_id"
    # personnummer is also an English default term: English wins in the reason
    assert "(Swedish term, type string)" in found["kund_mobilnummer"]["findings"][0]["reason"]
    assert found["telefonnummer"]["verdict"] == "benign"  # German is not picked
