"""The demo exchange's help page: a fake exchange that embeds the chat widget with the demo site.

It exists only while the demo chat site does (``firstline demo`` seeds it), so a production install
serves no such page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.chat.identity import sign_uid
from firstline.chat.models import ChatSite
from firstline.demo.seed import DEMO_CHAT_SITE_KEY
from firstline.kit.errors import NotFound

PAGE_LANGUAGES = ("en", "it", "pt", "de", "es")
_UID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Only the page's own copy; the widget carries its strings itself.
COPY: dict[str, dict[str, object]] = {
    "en": {
        "title": "Help Center",
        "hero": "How can we help?",
        "search": "Search: deposit, 2FA, KYC, withdrawal…",
        "popular": "Popular topics",
        "topics": [
            ("Deposit not credited", "Check confirmations, network and memo/tag."),
            ("Withdrawal pending", "Why a withdrawal waits, and how long it takes."),
            ("Reset 2FA", "Lost your authenticator? Start a secure reset."),
            ("Identity verification", "Documents we accept and why a KYC is rejected."),
            ("Futures liquidation", "Margin, mark price and how liquidation works."),
            ("P2P appeals", "When a P2P order goes wrong."),
        ],
        "contact": "Still need help?",
        "contact_text": "Our support team answers live chat around the clock, in your language. "
        "Open the chat at the bottom right.",
        "warning": "We will never ask for your password, 2FA codes or seed phrase.",
        "logged_in": "Logged in as UID",
    },
    "it": {
        "title": "Centro assistenza",
        "hero": "Come possiamo aiutarti?",
        "search": "Cerca: deposito, 2FA, KYC, prelievo…",
        "popular": "Argomenti frequenti",
        "topics": [
            ("Deposito non accreditato", "Controlla conferme, rete e memo/tag."),
            ("Prelievo in sospeso", "Perché un prelievo è in attesa e quanto ci vuole."),
            ("Reset 2FA", "Hai perso l'autenticatore? Avvia un reset sicuro."),
            ("Verifica dell'identità", "Documenti accettati e perché un KYC viene rifiutato."),
            ("Liquidazione futures", "Margine, prezzo mark e come funziona la liquidazione."),
            ("Ricorsi P2P", "Quando un ordine P2P va storto."),
        ],
        "contact": "Ti serve ancora aiuto?",
        "contact_text": "Il nostro team risponde in chat a ogni ora, nella tua lingua. "
        "Apri la chat in basso a destra.",
        "warning": "Non ti chiederemo mai password, codici 2FA o la frase seed.",
        "logged_in": "Accesso come UID",
    },
    "pt": {
        "title": "Central de ajuda",
        "hero": "Como podemos ajudar?",
        "search": "Pesquisar: depósito, 2FA, KYC, levantamento…",
        "popular": "Assuntos frequentes",
        "topics": [
            ("Depósito não creditado", "Verifique confirmações, rede e memo/tag."),
            ("Levantamento pendente", "Porque um levantamento aguarda e quanto demora."),
            ("Redefinir 2FA", "Perdeu o autenticador? Inicie uma redefinição segura."),
            ("Verificação de identidade", "Documentos aceites e porque um KYC é recusado."),
            ("Liquidação de futuros", "Margem, preço de marcação e como funciona a liquidação."),
            ("Recursos P2P", "Quando uma ordem P2P corre mal."),
        ],
        "contact": "Ainda precisa de ajuda?",
        "contact_text": "A nossa equipa responde no chat a qualquer hora, no seu idioma. "
        "Abra o chat no canto inferior direito.",
        "warning": "Nunca pediremos a sua senha, códigos 2FA ou frase de recuperação.",
        "logged_in": "Sessão iniciada como UID",
    },
    "de": {
        "title": "Hilfe-Center",
        "hero": "Wie können wir helfen?",
        "search": "Suchen: Einzahlung, 2FA, KYC, Auszahlung…",
        "popular": "Häufige Themen",
        "topics": [
            ("Einzahlung nicht gutgeschrieben", "Bestätigungen, Netzwerk und Memo/Tag prüfen."),
            ("Auszahlung ausstehend", "Warum eine Auszahlung wartet und wie lange es dauert."),
            ("2FA zurücksetzen", "Authenticator verloren? Sicheren Reset starten."),
            ("Identitätsprüfung", "Akzeptierte Dokumente und warum ein KYC abgelehnt wird."),
            ("Futures-Liquidation", "Margin, Mark-Preis und wie eine Liquidation abläuft."),
            ("P2P-Einsprüche", "Wenn eine P2P-Order schiefgeht."),
        ],
        "contact": "Noch Fragen?",
        "contact_text": "Unser Support-Team antwortet rund um die Uhr im Live-Chat, in Ihrer Sprache. "
        "Öffnen Sie den Chat unten rechts.",
        "warning": "Wir fragen Sie nie nach Passwort, 2FA-Codes oder Seed-Phrase.",
        "logged_in": "Angemeldet als UID",
    },
    "es": {
        "title": "Centro de ayuda",
        "hero": "¿Cómo podemos ayudarte?",
        "search": "Buscar: depósito, 2FA, KYC, retiro…",
        "popular": "Temas frecuentes",
        "topics": [
            ("Depósito no acreditado", "Revisa confirmaciones, red y memo/tag."),
            ("Retiro pendiente", "Por qué un retiro espera y cuánto tarda."),
            ("Restablecer 2FA", "¿Perdiste tu autenticador? Inicia un restablecimiento seguro."),
            ("Verificación de identidad", "Documentos aceptados y por qué se rechaza un KYC."),
            ("Liquidación de futuros", "Margen, precio de marca y cómo funciona la liquidación."),
            ("Apelaciones P2P", "Cuando una orden P2P sale mal."),
        ],
        "contact": "¿Aún necesitas ayuda?",
        "contact_text": "Nuestro equipo responde por chat a cualquier hora, en tu idioma. "
        "Abre el chat abajo a la derecha.",
        "warning": "Nunca te pediremos tu contraseña, códigos 2FA ni frase semilla.",
        "logged_in": "Sesión iniciada como UID",
    },
}


@dataclass(frozen=True)
class ExchangePage:
    language: str
    site_key: str
    identity_json: str  # for the script's data-identity; empty for an anonymous visitor
    uid: str
    copy: dict[str, object]


def exchange_page(session: Session, *, language: str = "en", uid: str = "") -> ExchangePage:
    """The demo page in ``language``; with ``uid`` the visitor is a logged-in customer, signed as the
    exchange's backend would sign them (the demo site's secret is published, so this proves nothing)."""
    site = session.scalar(select(ChatSite).where(ChatSite.public_key == DEMO_CHAT_SITE_KEY))
    if site is None or not site.is_active:
        raise NotFound("The demo exchange page needs the demo data: run `firstline demo`.")
    language = language if language in PAGE_LANGUAGES else "en"
    uid = uid if _UID.match(uid) else ""
    identity = json.dumps({"uid": uid, "signature": sign_uid(site.secret, uid)}) if uid else ""
    return ExchangePage(
        language=language, site_key=site.public_key, identity_json=identity, uid=uid, copy=COPY[language]
    )
