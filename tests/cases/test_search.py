"""Full-text search on the database under test (SQLite FTS5, or PostgreSQL when FIRSTLINE_DATABASE_URL is set),
and the customer 360 timeline with merging."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import text

from firstline.cases.customers import customer_timeline, merge_customers
from firstline.cases.search.ddl import fold_accents
from firstline.cases.search.service import SearchFilters, search, snippet
from firstline.conversations.models import AuthorKind
from firstline.conversations.service import open_conversation, post_message
from firstline.customers.service import create_customer
from firstline.kit.errors import Conflict, InvalidInput
from firstline.kit.time import utcnow

TXID = "0x" + "c" * 64


@pytest.fixture
def corpus(db, portuguese_customer, italian_l1_agent):
    chat = open_conversation(
        db, customer_id=portuguese_customer.id, channel="chat", category="deposit_not_credited"
    )
    mail = open_conversation(
        db, customer_id=portuguese_customer.id, channel="email", language="it", category="fees"
    )
    post_message(
        db,
        conversation_id=chat.id,
        author_kind=AuthorKind.CUSTOMER,
        body=f"Depósito USDT ERC20 não creditado, TxID {TXID}",
    )
    post_message(
        db,
        conversation_id=mail.id,
        author_kind=AuthorKind.CUSTOMER,
        body="Commissione di prelievo troppo alta",
    )
    post_message(
        db,
        conversation_id=chat.id,
        author_kind=AuthorKind.NOTE,
        body="Checked the node, deposit stuck",
        author_agent_id=italian_l1_agent.id,
    )
    return chat, mail


class TestSearch:
    def test_a_txid_finds_its_message(self, db, corpus, italian_l1_agent) -> None:
        chat, _ = corpus
        (hit,) = search(db, viewer=italian_l1_agent, query=TXID)
        assert hit.conversation_id == chat.id and hit.kind == "message"

    def test_notes_are_searched_and_every_word_must_match(self, db, corpus, italian_l1_agent) -> None:
        assert [h.kind for h in search(db, viewer=italian_l1_agent, query="deposit stuck")] == ["note"]
        assert search(db, viewer=italian_l1_agent, query="deposit banana") == []

    def test_filters_narrow_the_hits(self, db, corpus, italian_l1_agent) -> None:
        chat, mail = corpus
        assert search(db, viewer=italian_l1_agent, query="commissione", filters=SearchFilters(language="it"))
        assert not search(
            db, viewer=italian_l1_agent, query="commissione", filters=SearchFilters(language="pt")
        )
        assert not search(
            db, viewer=italian_l1_agent, query="commissione", filters=SearchFilters(category="api")
        )
        assert search(
            db, viewer=italian_l1_agent, query="commissione", filters=SearchFilters(status="open", tier="l1")
        )
        tomorrow = utcnow() + timedelta(days=1)
        assert not search(
            db, viewer=italian_l1_agent, query="commissione", filters=SearchFilters(since=tomorrow)
        )

    def test_query_syntax_cannot_reach_the_engine(self, db, corpus, italian_l1_agent) -> None:
        assert search(db, viewer=italian_l1_agent, query='USDT" OR body:* NEAR(') == []
        with pytest.raises(InvalidInput):
            search(db, viewer=italian_l1_agent, query="!!! ---")

    def test_the_api_searches_with_filters(self, client, api_as, corpus, italian_l1_agent) -> None:
        response = client.get(
            "/api/v1/search", params={"q": "prelievo", "language": "it"}, headers=api_as(italian_l1_agent)
        )
        assert response.status_code == 200 and len(response.json()) == 1
        bad = client.get(
            "/api/v1/search", params={"q": "prelievo", "status": "lost"}, headers=api_as(italian_l1_agent)
        )
        assert bad.status_code == 422


class TestCustomer360:
    def test_the_timeline_holds_messages_notes_and_events_in_order(
        self, db, corpus, portuguese_customer, italian_l1_agent
    ) -> None:
        items = customer_timeline(db, customer_id=portuguese_customer.id, viewer=italian_l1_agent)
        kinds = {item.kind for item in items}
        assert {"message", "note", "event"} <= kinds
        assert [item.at for item in items] == sorted(item.at for item in items)

    def test_merging_a_duplicate_moves_its_history_and_is_recorded(
        self, db, corpus, portuguese_customer, team_lead
    ) -> None:
        duplicate = create_customer(db, name="Joao Silva", email="joao.s@example.com")
        extra = open_conversation(db, customer_id=duplicate.id, channel="email")
        merge = merge_customers(
            db, into_id=portuguese_customer.id, duplicate_id=duplicate.id, actor=team_lead
        )
        assert merge.moved["conversations"] == 1 and extra.customer_id == portuguese_customer.id
        again = merge_customers(
            db, into_id=portuguese_customer.id, duplicate_id=duplicate.id, actor=team_lead
        )
        assert again is merge
        titles = [
            i.title for i in customer_timeline(db, customer_id=portuguese_customer.id, viewer=team_lead)
        ]
        assert "customer.merged" in titles
        with pytest.raises(Conflict):
            merge_customers(db, into_id=duplicate.id, duplicate_id=portuguese_customer.id, actor=team_lead)

    def test_the_customer_page_shows_the_timeline_and_merge_form(
        self, db, client, corpus, portuguese_customer, team_lead
    ) -> None:
        from tests.conftest import login

        db.commit()
        login(client, team_lead)
        page = client.get(f"/customers/{portuguese_customer.id}")
        assert page.status_code == 200 and "customer-timeline" in page.text and "merge-form" in page.text
        assert "Commissione di prelievo" in page.text


ACCENTED = {
    "pt": "Enviei a petição sobre a transferência não creditada",
    "de": "Die Überweisung auf mein Konto wurde nicht gutgeschrieben, Gebühr zu hoch",
    "es": "La comisión del retiro en la red Tron sigue sin confirmación",
    "it": "Il prelievo è bloccato perché la verifica è già scaduta",
}


@pytest.fixture
def accented_corpus(db, portuguese_customer):
    ids = {}
    for language, body in ACCENTED.items():
        conversation = open_conversation(
            db, customer_id=portuguese_customer.id, channel="chat", language=language
        )
        ids[language] = post_message(
            db, conversation_id=conversation.id, author_kind=AuthorKind.CUSTOMER, body=body
        ).message.id
    return ids


class TestAccentFolding:
    @pytest.mark.parametrize(
        ("language", "query"),
        [
            ("pt", "peticao"),
            ("pt", "transferencia nao"),
            ("pt", "PETIÇÃO"),
            ("de", "uberweisung"),
            ("de", "Gebuhr"),
            ("es", "comision confirmacion"),
            ("es", "comisión"),
            ("it", "perche gia"),
            ("it", "perché"),
        ],
    )
    def test_a_query_finds_the_message_with_or_without_its_accents(
        self, db, accented_corpus, italian_l1_agent, language, query
    ) -> None:
        hits = search(db, viewer=italian_l1_agent, query=query)
        assert [hit.id for hit in hits] == [accented_corpus[language]]

    def test_an_accented_query_finds_text_written_without_accents(
        self, db, portuguese_customer, italian_l1_agent
    ) -> None:
        conversation = open_conversation(db, customer_id=portuguese_customer.id, channel="email")
        message = post_message(
            db, conversation_id=conversation.id, author_kind=AuthorKind.CUSTOMER, body="Minha peticao urgente"
        ).message
        assert [hit.id for hit in search(db, viewer=italian_l1_agent, query="petição urgente")] == [
            message.id
        ]

    def test_letters_without_a_decomposition_are_not_folded(
        self, db, portuguese_customer, italian_l1_agent
    ) -> None:
        conversation = open_conversation(
            db, customer_id=portuguese_customer.id, channel="chat", language="de"
        )
        post_message(
            db,
            conversation_id=conversation.id,
            author_kind=AuthorKind.CUSTOMER,
            body="Die Straße ist gesperrt",
        )
        assert search(db, viewer=italian_l1_agent, query="straße")
        assert search(db, viewer=italian_l1_agent, query="strasse") == []

    def test_both_engines_fold_every_accented_latin_letter_alike(self, db) -> None:
        # Each letter between two ASCII letters must index as the same word on either database.
        letters = [chr(code) for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))]
        words = [f"x{c}y" for c in letters if c.isalpha() and c not in "\u01e0\u01e1\u017f\u1e9b"]
        folded = [fold_accents(word) for word in words]
        assert len([word for word in folded if word.isascii()]) > 400  # most letters fold
        if db.get_bind().dialect.name == "postgresql":
            assert (
                db.scalar(text("SELECT firstline_fold(:words)"), {"words": " ".join(words)}).split() == folded
            )
        else:
            probe = sqlite3.connect(":memory:")
            probe.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
            probe.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
            probe.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(words))
            tokens = [term for (term,) in probe.execute("SELECT term FROM v ORDER BY doc")]
            probe.close()
            assert tokens == [word.lower() for word in folded]

    def test_the_snippet_finds_an_unaccented_query_in_accented_text(self) -> None:
        body = "x" * 300 + " a petição foi enviada"
        assert "petição" in snippet(body, "peticao", width=60)
