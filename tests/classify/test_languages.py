"""Names in German, French, Spanish, Portuguese, Italian, Dutch; folding; compounds; homoglyphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.classify import Classifier, load_classifier, tokenize
from drift.classify.tokens import spellings
from drift.errors import ConfigError


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return load_classifier()


def category(clf: Classifier, name: str, *types: str, description: str = "") -> str | None:
    findings = clf.classify(name, types or ("string",), description)
    return findings[0].category if findings else None


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("teléfono_móvil", ("telefono", "movil")),
        ("número_de_cuenta", ("numero", "de", "cuenta")),
        ("Empfänger", ("empfanger",)),
        ("Straße", ("strasse",)),
        ("cœur_ÆON", ("coeur", "aeon")),
        ("еmail", ("email",)),  # Cyrillic е, read on its confusable skeleton
        ("Ｔｅｌｅｆｏｎ", ("telefon",)),
    ],
)
def test_names_are_folded(name: str, tokens: tuple[str, ...]) -> None:
    assert tokenize(name) == tokens


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("kundenvorname", ("kunden", "vorname")),
        ("kundenName", ("kunden", "name")),
        ("Lieferadresse", ("lieferadresse",)),  # a rule word itself: kept whole
        ("lieferAdresse", ("liefer", "adresse")),
        ("karteninhaber", ("karteninhaber",)),
        ("Karteninhabername", ("karteninhaber", "name")),
        ("personalausweisnummer", ("personalausweis", "nummer")),
        ("gebruikersnaam", ("gebruikersnaam",)),
        ("klantvoornaam", ("klant", "voornaam")),
        ("nom_du_titulaire", ("nom", "titulaire")),
        ("luogo_di_nascita", ("luogo", "nascita")),
        ("l'adresse", ("adresse",)),
        ("numero_de_portable", ("numero", "portable")),
        ("número_de_cuenta", ("numero", "cuenta")),
        ("kunden_der_firma", ("kunden", "firma")),
        ("der_name", ("der", "name")),  # a connector is only dropped between two words
        ("pagename", ("pagename",)),  # English glued words are not split (as before)
        ("callemail", ("callemail",)),  # splits into English words: not "calle mail"
        ("timestamp", ("timestamp",)),
    ],
)
def test_words_rules_see(clf: Classifier, name: str, words: tuple[str, ...]) -> None:
    assert clf.tokens(name) == words


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Empfänger", "person_name"),
        ("Empfaenger", "person_name"),
        ("Empfanger", "person_name"),
        ("kundenname", "person_name"),
        ("lieferadresse", "location"),
        ("karteninhaber", "person_name"),
        ("Telefonnummer", "contact"),
        ("sozialversicherungsnummer", "government_id"),
        ("Steuer-ID", "government_id"),
        ("еmail", "contact"),
        ("рassword", "credential"),  # Cyrillic р
        ("nom_du_titulaire", "person_name"),
        ("luogo_di_nascita", "demographic"),
        ("numero_de_portable", "contact"),
        ("l'adresse", "location"),
        ("teléfono_móvil", "contact"),
        ("número_de_cuenta", "financial"),
        ("NIF", "government_id"),
        ("codice_fiscale", "government_id"),
        ("CPF", "government_id"),
        ("burgerservicenummer", "government_id"),
        ("numero_insee", "government_id"),
        ("siren", "organization"),
        ("mobiele_nummer", "contact"),
        ("adresse_electronique", "contact"),
        ("apellidos", "person_name"),
        ("rufnummer", "contact"),
        ("anschrift", "location"),
        ("geburtstag", "demographic"),
    ],
)
def test_sensitive(clf: Classifier, name: str, expected: str) -> None:
    assert category(clf, name) == expected


@pytest.mark.parametrize(
    ("name", "types"),
    [
        ("artikelname", ("string",)),
        ("produktName", ("string",)),
        ("bestelldatum", ("datetime",)),
        ("geburtstagsrabatt_aktiv", ("boolean",)),
        ("e_mail_bestätigt", ("string",)),
        ("passwort_geändert", ("string",)),
        ("lieferadresse_geaendert", ("string",)),
        ("anzahl_nachrichten", ("string",)),
        ("steuersatz", ("number",)),
        ("alter", ("string",)),  # the English verb: German age only as a number
        ("nom_de_l_article", ("string",)),
        ("nombre_de_la_categoria", ("string",)),
        ("date_de_commande", ("datetime",)),
        ("fecha_de_pedido", ("datetime",)),
        ("direccion_de_desplazamiento", ("string",)),  # scroll direction, not an address
        ("nombre_de_commentaires", ("integer",)),
        ("taux_de_tva", ("number",)),
        ("btw_tarief", ("number",)),
        ("artikelnaam", ("string",)),
        ("nome_del_file", ("string",)),
        ("tipo_de_cartao", ("string",)),
        ("genre_musical", ("string",)),
        ("eta", ("string",)),  # English ETA; Italian età only as a number
        ("genre", ("string",)),  # English genre, not French gender
    ],
)
def test_benign_look_alikes(clf: Classifier, name: str, types: tuple[str, ...]) -> None:
    assert clf.classify(name, types) == ()


def test_reason_names_the_language(clf: Classifier) -> None:
    (found,) = clf.classify("Telefonnummer", ["string"])
    assert found.reason == (
        "name token 'telefonnummer' (German term, type string) looks like a phone number"
    )
    assert "language=de" in found.signals
    (english,) = clf.classify("phone_number", ["string"])
    assert "term" not in english.reason


def test_description_in_german(clf: Classifier) -> None:
    described = "Steuer-Identifikationsnummer des Kunden"
    assert category(clf, "nummer", description=described) == "government_id"
    assert category(clf, "nummer") is None


def test_languages_pick_which_terms_apply() -> None:
    only_english = load_classifier(languages=[])
    assert only_english.classify("telefonnummer", ["string"]) == ()
    assert only_english.classify("phone_number", ["string"]) != ()
    assert load_classifier(languages=["en", "de"]).classify("telefonnummer", ["string"]) != ()
    assert only_english.rules_hash != load_classifier().rules_hash


def test_unknown_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown language 'xx' \(known: de, en"):
        load_classifier(languages=["de", "xx"])


def test_user_file_adds_terms_per_language(tmp_path: Path) -> None:
    path = tmp_path / "drift-rules.toml"
    path.write_text(
        '[languages.de.terms]\n"contact.phone" = ["diensthandy"]\n'
        '[languages.de.unless]\n"contact.phone" = ["ladekabel"]\n',
        encoding="utf-8",
    )
    clf = load_classifier(path)
    (found,) = clf.classify("diensthandy", ["string"])
    assert (found.category, found.rule_id) == ("contact", "contact.phone")
    assert "(German term," in found.reason
    assert clf.classify("telefon_ladekabel", ["string"]) == ()


def test_user_file_term_for_unknown_rule(tmp_path: Path) -> None:
    path = tmp_path / "drift-rules.toml"
    path.write_text('[languages.de.terms]\n"contact.fax" = ["fax"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"languages.de': no rule with id 'contact.fax'"):
        load_classifier(path)


def _pattern_words(clf: Classifier, text: str) -> tuple[str, ...]:
    """The words a rule pattern stands for, read as the classifier reads names."""
    return clf.tokens(text.strip("^$ "))


def test_no_language_vetoes_its_own_terms(clf: Classifier) -> None:
    """A veto word inside a rule's own term (French nombre = count, Spanish nombre = name)."""
    rules, clashes = clf.rules, []
    for spec in rules.rules:
        unless = list(spec.unless)
        unless += [u for lang in rules.languages.values() for u in lang.unless.get(spec.id, ())]
        vetoes = {" ".join(_pattern_words(clf, s)) for u in unless for s in spellings(u)}
        english = set() if spec.language else {_pattern_words(clf, t) for t in spec.tokens}
        foreign = [(t, spec.language) for t in spec.tokens if spec.language]
        foreign += [
            (t, c) for c, lang in rules.languages.items() for t in lang.terms.get(spec.id, ())
        ]
        for term, code in foreign:
            for spelled in spellings(term):
                w = _pattern_words(clf, spelled)
                if w in english:
                    continue  # English wins: the term is the rule's own English word too
                parts = {" ".join(w[i:j]) for i in range(len(w)) for j in range(i + 1, len(w) + 1)}
                if parts & vetoes:
                    clashes.append(f"{spec.id}: {' '.join(w)} ({code}) vs {parts & vetoes}")
    assert clashes == []


def test_lookalike_name_is_graded_and_says_so(clf: Classifier) -> None:
    (found,) = clf.classify("\u0435mail", ["string"])  # Cyrillic е
    (plain,) = clf.classify("email", ["string"])
    assert (found.rule_id, found.severity) == (plain.rule_id, plain.severity)
    assert found.reason == plain.reason + "; read through look-alike characters"
    assert "look-alike characters" in found.signals
    (accented,) = clf.classify("teléfono", ["string"])  # accents are no look-alikes
    assert "look-alike" not in accented.reason


@pytest.mark.parametrize("name", ["x" * 70_000, "email" * 20_000, "passwort" * 9_000])
def test_a_huge_name_is_classified_without_crashing(clf: Classifier, name: str) -> None:
    clf.classify(name, ("string",), "")  # used to exceed the recursion limit splitting compounds
