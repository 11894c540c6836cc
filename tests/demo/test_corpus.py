"""Sanity checks on the hand-written demo corpus (firstline.demo.corpus)."""

from __future__ import annotations

import ast
import inspect
import string

import pytest

from firstline.demo import corpus
from firstline.demo.corpus import (
    AGENT_CLOSINGS,
    AGENT_NAMES,
    AGENT_REPLIES,
    CATEGORIES,
    CATEGORY_LABELS,
    CUSTOMER_FOLLOWUPS,
    FIRST_NAMES,
    INTERNAL_NOTES,
    LANGUAGES,
    LAST_NAMES,
    OPENERS,
    SUBJECTS,
)

ALLOWED_PLACEHOLDERS = {"coin", "network", "amount", "txid", "uid", "order_id"}
SAMPLE_VALUES = {
    "coin": "USDT",
    "network": "TRC20",
    "amount": "250",
    "txid": "0x3f9a1c0b7e2d4a6f8b1c3e5d7f9a0b2c4d6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a",
    "uid": "48213977",
    "order_id": "20240611093512884",
}

# [language][category] -> list tables and the minimum number of texts per list.
PER_CATEGORY_TABLES: dict[str, tuple[dict[str, dict[str, list[str]]], int]] = {
    "SUBJECTS": (SUBJECTS, 3),
    "OPENERS": (OPENERS, 6),
    "CUSTOMER_FOLLOWUPS": (CUSTOMER_FOLLOWUPS, 4),
    "AGENT_REPLIES": (AGENT_REPLIES, 5),
}

# Things a real exchange agent never asks for, in every corpus language.
FORBIDDEN_IN_AGENT_TEXT = (
    # en
    "seed phrase",
    "recovery phrase",
    "mnemonic",
    "password",
    "passcode",
    "private key",
    "2fa code",
    "authenticator code",
    "google authenticator code",
    # it
    "frase seed",
    "frase di recupero",
    "chiave privata",
    "codice 2fa",
    "codice dell'autenticatore",
    # pt
    "frase semente",
    "frase de recuperação",
    "senha",
    "chave privada",
    "código 2fa",
    "código do autenticador",
    # de
    "seed-phrase",
    "wiederherstellungsphrase",
    "passwort",
    "kennwort",
    "privater schlüssel",
    "privaten schlüssel",
    "2fa-code",
    "authenticator-code",
    # es
    "frase semilla",
    "frase de recuperación",
    "contraseña",
    "clave privada",
    "código 2fa",
    "código del autenticador",
)


def _all_template_lists() -> list[tuple[str, list[str]]]:
    """Every list of texts in the corpus that may carry placeholders, with a readable label."""
    out: list[tuple[str, list[str]]] = []
    for name, (table, _minimum) in PER_CATEGORY_TABLES.items():
        for lang, per_cat in table.items():
            for cat, texts in per_cat.items():
                out.append((f"{name}[{lang}][{cat}]", texts))
    for lang, texts in AGENT_CLOSINGS.items():
        out.append((f"AGENT_CLOSINGS[{lang}]", texts))
    for cat, texts in INTERNAL_NOTES.items():
        out.append((f"INTERNAL_NOTES[{cat}]", texts))
    return out


def _all_lists() -> list[tuple[str, list[str]]]:
    out = _all_template_lists()
    for name, table in (
        ("FIRST_NAMES", FIRST_NAMES),
        ("LAST_NAMES", LAST_NAMES),
        ("AGENT_NAMES", AGENT_NAMES),
    ):
        for lang, names in table.items():
            out.append((f"{name}[{lang}]", names))
    return out


def test_languages_and_categories() -> None:
    assert LANGUAGES == ("en", "it", "pt", "de", "es")
    assert CATEGORIES == (
        "deposit_not_credited",
        "wrong_network_or_memo",
        "withdrawal_pending",
        "2fa_reset",
        "account_frozen",
        "kyc_rejected",
        "p2p_appeal",
        "futures_liquidation",
        "fees",
    )
    assert set(CATEGORY_LABELS) == set(CATEGORIES)
    assert all(label.strip() for label in CATEGORY_LABELS.values())


@pytest.mark.parametrize("table_name", sorted(PER_CATEGORY_TABLES))
def test_every_language_and_category_has_minimum_texts(table_name: str) -> None:
    table, minimum = PER_CATEGORY_TABLES[table_name]
    assert set(table) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(table[lang]) == set(CATEGORIES), (table_name, lang)
        for cat in CATEGORIES:
            assert len(table[lang][cat]) >= minimum, (table_name, lang, cat)


def test_closings_notes_and_names_have_minimum_counts() -> None:
    assert set(AGENT_CLOSINGS) == set(LANGUAGES)
    assert all(len(AGENT_CLOSINGS[lang]) >= 4 for lang in LANGUAGES)
    assert set(INTERNAL_NOTES) == set(CATEGORIES)
    assert all(len(INTERNAL_NOTES[cat]) >= 3 for cat in CATEGORIES)
    for table in (FIRST_NAMES, LAST_NAMES):
        assert set(table) == set(LANGUAGES)
        assert all(len(table[lang]) >= 30 for lang in LANGUAGES)
    assert set(AGENT_NAMES) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert len(AGENT_NAMES[lang]) >= 6
        assert all(len(full.split()) >= 2 for full in AGENT_NAMES[lang]), lang


def test_internal_notes_are_english() -> None:
    # Notes are for colleagues and always in English; a cheap proxy is plain ASCII.
    for cat, notes in INTERNAL_NOTES.items():
        for note in notes:
            assert note.isascii(), (cat, note)


@pytest.mark.parametrize(("label", "texts"), _all_lists(), ids=[label for label, _ in _all_lists()])
def test_no_duplicates_and_clean_whitespace(label: str, texts: list[str]) -> None:
    assert len(set(texts)) == len(texts), f"duplicate text in {label}"
    for text in texts:
        assert isinstance(text, str) and text, label
        assert text == text.strip(), (label, text)
        assert "  " not in text and "\n" not in text, (label, text)


def test_placeholders_are_only_the_allowed_names() -> None:
    formatter = string.Formatter()
    used: set[str] = set()
    for label, texts in _all_template_lists():
        for text in texts:
            for _literal, field, spec, conversion in formatter.parse(text):
                if field is None:
                    continue
                assert field in ALLOWED_PLACEHOLDERS, (label, text, field)
                assert not spec and conversion is None, (label, text)
                used.add(field)
    # The templates should actually exercise every placeholder somewhere.
    assert used == ALLOWED_PLACEHOLDERS


def test_every_template_formats_with_sample_values() -> None:
    for label, texts in _all_template_lists():
        for text in texts:
            rendered = text.format(**SAMPLE_VALUES)
            assert "{" not in rendered and "}" not in rendered, (label, rendered)


def test_agent_texts_never_ask_for_secrets() -> None:
    agent_texts: list[tuple[str, str]] = []
    for lang, per_cat in AGENT_REPLIES.items():
        for cat, texts in per_cat.items():
            agent_texts += [(f"{lang}/{cat}", t) for t in texts]
    for lang, texts in AGENT_CLOSINGS.items():
        agent_texts += [(f"{lang}/closing", t) for t in texts]
    for where, text in agent_texts:
        lowered = text.lower()
        for word in FORBIDDEN_IN_AGENT_TEXT:
            assert word not in lowered, (where, word, text)


def test_translations_are_not_copies_of_english() -> None:
    for name, (table, _minimum) in PER_CATEGORY_TABLES.items():
        for lang in LANGUAGES:
            if lang == "en":
                continue
            for cat in CATEGORIES:
                shared = set(table[lang][cat]) & set(table["en"][cat])
                assert not shared, (name, lang, cat, shared)
    english_closings = set(AGENT_CLOSINGS["en"])
    for lang in LANGUAGES:
        if lang != "en":
            assert not set(AGENT_CLOSINGS[lang]) & english_closings, lang


def test_module_is_pure_data() -> None:
    tree = ast.parse(inspect.getsource(corpus))
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Import | ast.ImportFrom), "corpus must not import anything"
        assert not isinstance(node, ast.Call), f"corpus must not call anything (line {node.lineno})"
