"""Live chat end to end in Chromium: the demo exchange's page with the widget, and the agent console.

One live server (uvicorn in a thread, on a small demo floor with the demo chat site) serves every test
of this module; xdist keeps them in one group. Customers and agents are separate browser contexts, as
they would be separate people: each customer chats in the language of their page (Italian, Portuguese,
German) with an agent of that language, loses the network in the middle, and reloads the page; every
message must then be shown exactly once on both sides.
"""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    ViewportSize,
    WebSocketRoute,
    expect,
    sync_playwright,
)
from sqlalchemy import select

from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.conversations.service import post_message
from firstline.customers.models import Customer as CustomerRow
from firstline.db import declare_write, make_engine, make_session_factory, session_scope
from firstline.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from tests.browser import LAPTOP, ConsoleErrors, log_in, screenshot, serve_console

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-chat")]

CUSTOMER_SCREEN: ViewportSize = {"width": 1280, "height": 800}
ATTACHMENT_LIMIT = 2 * 1024 * 1024  # the widget learns it from the server; small keeps the test fast


# --- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chat_browser(
    request: pytest.FixtureRequest, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    """Chromium for this module only, stopped when the module ends.

    pytest-playwright's session-wide Playwright keeps an asyncio loop running in the worker's main thread
    until the session ends, which breaks every later test of the worker that calls ``asyncio.run``
    (the chat protocol tests do). If another module already started it, share it instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        yield request.getfixturevalue("browser")
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**browser_type_launch_args)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_errors() -> Iterator[ConsoleErrors]:
    errors = ConsoleErrors()
    yield errors
    assert errors.seen == []


# --- the live server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSite:
    url: str
    database_url: str

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="module")
def live_site(request: pytest.FixtureRequest) -> Iterator[LiveSite]:
    with serve_console(
        request,
        "browser_chat",
        lambda session: seed_demo(session, seed=11, customers=12, conversations=16),
        run_timers=False,  # no routing timer assigns the test's chats behind the agents' backs
        attachment_max_bytes=ATTACHMENT_LIMIT,
    ) as server:
        yield LiveSite(url=server.url, database_url=server.database_url)


# --- the people -------------------------------------------------------------------------------------


class Customer:
    """A visitor of the demo exchange's help page, chatting through the widget."""

    def __init__(self, page: Page, site: LiveSite, language: str) -> None:
        self.page = page
        self.site = site
        self.language = language

    def visit(self) -> None:
        self.page.goto(self.site.at(f"/demo/exchange?lang={self.language}"))
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        expect(self.launcher).to_be_visible()

    @property
    def launcher(self) -> Locator:
        return self.page.locator(".fl-launcher")

    @property
    def window(self) -> Locator:
        return self.page.locator(".fl-window")

    @property
    def messages(self) -> Locator:
        return self.page.locator(".fl-messages > li")

    def start_chat(self, *, launcher: str, name_label: str, topic_label: str, start: str, name: str) -> None:
        expect(self.launcher).to_contain_text(launcher)
        self.launcher.click()
        self.page.get_by_label(name_label, exact=True).fill(name)
        self.page.get_by_label(topic_label, exact=True).select_option("deposit_not_credited")
        self.page.get_by_role("button", name=start).click()
        expect(self.page.locator(".fl-composer textarea")).to_be_focused()

    def send(self, text: str) -> None:
        composer = self.page.locator(".fl-composer textarea")
        composer.fill(text)
        composer.press("Enter")
        expect(composer).to_have_value("")

    def bubble(self, text: str) -> Locator:
        return self.page.locator(".fl-messages > li.fl-msg").filter(has_text=text)

    def screenshot(self, name: str) -> Path:
        return screenshot(self.page, name, full_page=False)


class Agent:
    """An agent in the console's live chats workspace."""

    def __init__(self, page: Page, site: LiveSite) -> None:
        self.page = page
        self.site = site

    def log_in(self, login: str) -> None:
        log_in(self.page, self.site.url, f"{login}@{DEMO_DOMAIN}", DEMO_PASSWORD)

    def open_workspace(self) -> None:
        self.page.get_by_role("link", name="Chats", exact=True).click()
        expect(self.page).to_have_url(self.site.at("/chats"))
        expect(self.page.locator("#chat-connection")).to_have_text("Live")

    def take_waiting_chat(self, customer_name: str, *, announced_live: bool = True) -> Locator:
        waiting = self.page.locator("#queue-waiting .queue-item").filter(has_text=customer_name)
        expect(waiting).to_be_visible()
        if announced_live:  # it arrived over the websocket, after the page was loaded
            expect(waiting).to_contain_text("New")
        waiting.click()
        panel = self.panel(customer_name)
        # An answer sent before the history is in would be refused as written from a stale view.
        expect(panel.locator("li.msg-customer").first).to_be_visible()
        return panel

    def name(self) -> str:
        return self.page.locator(".me-name").inner_text()

    def panel(self, customer_name: str) -> Locator:
        return self.page.locator(".chat-panel").filter(
            has=self.page.locator(".chat-name", has_text=customer_name)
        )

    def reply(self, panel: Locator, text: str) -> None:
        composer = panel.locator(".chat-composer textarea")
        composer.fill(text)
        composer.press("Enter")
        expect(composer).to_have_value("")

    def screenshot(self, name: str) -> Path:
        return screenshot(self.page, name, full_page=False)


@pytest.fixture
def people(
    chat_browser: Browser, live_site: LiveSite, browser_errors: ConsoleErrors
) -> Iterator[Callable[[str], tuple[Customer, Agent, BrowserContext]]]:
    """Makes a customer (own browser context, page in ``language``) and an agent (own context)."""
    contexts: list[BrowserContext] = []

    def make(language: str) -> tuple[Customer, Agent, BrowserContext]:
        customer_context = chat_browser.new_context(viewport=CUSTOMER_SCREEN, locale=language)
        agent_context = chat_browser.new_context(viewport=LAPTOP, locale="en-GB")
        contexts.extend([customer_context, agent_context])
        customer = Customer(browser_errors.watch(customer_context.new_page()), live_site, language)
        agent = Agent(browser_errors.watch(agent_context.new_page()), live_site)
        return customer, agent, customer_context

    yield make
    for context in contexts:
        context.close()


def each_once(locator: Locator, texts: list[str]) -> None:
    """Every text shows in exactly one element of ``locator``."""
    for text in texts:
        expect(locator.filter(has_text=text)).to_have_count(1)


# --- the stories ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    language: str
    agent_login: str
    customer_name: str
    launcher: str  # the widget's strings in the page's language
    name_label: str
    topic_label: str
    start: str
    joined: str
    sending: str
    seen: str
    in_line: str  # how the customer's place in line begins
    first: str  # customer
    answer: str  # agent
    while_offline_agent: str
    while_offline_customer: str
    after_reload_agent: str
    last: str  # customer


STORIES = [
    Story(
        language="it",
        agent_login="l1.it",
        customer_name="Marco Bianchi",
        launcher="Chatta con l'assistenza",
        name_label="Nome",
        topic_label="Argomento",
        start="Inizia la chat",
        joined="è entrato nella chat",
        sending="Invio…",
        seen="Letto",
        in_line="Sei il numero",
        first="Ciao, il mio deposito di 250 USDT (TRC20) non è ancora arrivato.",
        answer="Ciao Marco! Controllo subito la transazione.",
        while_offline_agent="Vedo 19 conferme sulla rete TRON: il deposito è in accredito.",
        while_offline_customer="Ecco l'hash: https://tronscan.org/#/transaction/7f3a9c",
        after_reload_agent="Fatto: i 250 USDT sono ora sul suo conto spot. Serve altro?",
        last="No, grazie mille! Buona serata.",
    ),
    Story(
        language="pt",
        agent_login="l1.pt",
        customer_name="João Silva",
        launcher="Falar com o suporte",
        name_label="Nome",
        topic_label="Assunto",
        start="Iniciar chat",
        joined="entrou no chat",
        sending="A enviar…",
        seen="Vista",
        in_line="Você é o número",
        first="Olá, o meu depósito de 0,05 BTC ainda não foi creditado.",
        answer="Olá João! Vou verificar a transação agora mesmo.",
        while_offline_agent="A transação tem 2 confirmações; precisamos de 3 para creditar.",
        while_offline_customer="Obrigado. O endereço de destino começa por bc1q.",
        after_reload_agent="Pronto: os 0,05 BTC já estão na sua conta. Posso ajudar em mais alguma coisa?",
        last="Não, é tudo. Muito obrigado!",
    ),
    Story(
        language="de",
        agent_login="l1.de",
        customer_name="Lukas Weber",
        launcher="Mit dem Support chatten",
        name_label="Name",
        topic_label="Thema",
        start="Chat starten",
        joined="ist dem Chat beigetreten",
        sending="Wird gesendet…",
        seen="Gelesen",
        in_line="Sie sind Nummer",
        first="Hallo, meine ETH-Einzahlung über Arbitrum ist nicht angekommen.",
        answer="Hallo Lukas! Ich prüfe die Transaktion sofort.",
        while_offline_agent="Die Einzahlung ist auf Arbitrum bestätigt und wird gerade gutgeschrieben.",
        while_offline_customer="Danke! Hier ist der Hash: 0x9b1e4c",
        after_reload_agent="Erledigt: die ETH sind jetzt auf Ihrem Spot-Konto. Noch etwas?",
        last="Nein, alles gut. Vielen Dank!",
    ),
]


class TestLiveChatInThreeLanguages:
    @pytest.mark.parametrize("story", STORIES, ids=[story.language for story in STORIES])
    def test_customer_and_agent_chat_across_a_dropped_network_and_a_reload_without_losing_or_doubling(
        self,
        story: Story,
        people: Callable[[str], tuple[Customer, Agent, BrowserContext]],
        browser_errors: ConsoleErrors,
        live_site: LiveSite,
    ) -> None:
        customer, agent, customer_context = people(story.language)
        agent.log_in(story.agent_login)
        agent.open_workspace()

        customer.visit()
        customer.start_chat(
            launcher=story.launcher,
            name_label=story.name_label,
            topic_label=story.topic_label,
            start=story.start,
            name=story.customer_name,
        )
        customer.send(story.first)
        expect(customer.bubble(story.first)).not_to_have_class(re.compile("fl-pending"))
        # Nobody has it yet: the customer is told their place in line, in their language.
        expect(customer.page.locator(".fl-queue-line")).to_contain_text(story.in_line)
        customer.screenshot(f"chat-{story.language}-customer-in-line")

        panel = agent.take_waiting_chat(story.customer_name)
        expect(panel.locator("li.msg-customer")).to_contain_text(story.first)
        panel.locator(".chat-composer textarea").fill(story.answer[:12])
        expect(customer.page.locator(".fl-typing")).to_contain_text(agent.name())  # typing, never stored
        agent.reply(panel, story.answer)
        expect(customer.page.locator(".fl-event")).to_contain_text(story.joined)
        expect(customer.bubble(story.answer)).to_be_visible()
        expect(customer.page.locator(".fl-subtitle")).to_contain_text(agent.name())
        expect(customer.page.locator(".fl-queue-line")).to_be_hidden()

        # The customer's network drops: the agent writes meanwhile, and so does the customer.
        browser_errors.network_may_fail = True
        customer_context.set_offline(True)
        expect(customer.page.locator(".fl-connection")).to_be_visible()
        agent.reply(panel, story.while_offline_agent)
        customer.send(story.while_offline_customer)
        expect(customer.bubble(story.while_offline_customer)).to_contain_text(story.sending)
        expect(customer.bubble(story.while_offline_agent)).to_have_count(0)
        customer.screenshot(f"chat-{story.language}-customer-offline")
        customer_context.set_offline(False)
        expect(customer.bubble(story.while_offline_agent)).to_be_visible(timeout=15_000)
        expect(customer.page.locator(".fl-connection")).to_be_hidden()
        expect(customer.page.locator(".fl-pending")).to_have_count(0)
        expect(panel.locator("li.msg-customer").filter(has_text=story.while_offline_customer)).to_be_visible()
        browser_errors.network_may_fail = False

        # A reload keeps the conversation (and the open window); the chat goes on.
        customer.page.reload()
        expect(customer.window).to_be_visible()
        expect(customer.bubble(story.while_offline_customer)).to_be_visible()
        agent.reply(panel, story.after_reload_agent)
        expect(customer.bubble(story.after_reload_agent)).to_be_visible()
        customer.page.locator(".fl-composer textarea").fill(story.last[:8])
        expect(panel.locator(".chat-typing")).to_have_text(f"{story.customer_name} is typing…")
        customer.send(story.last)
        expect(panel.locator("li.msg-customer").filter(has_text=story.last)).to_be_visible()
        expect(panel.locator(".chat-typing")).to_be_hidden()

        customer_texts = [story.first, story.while_offline_customer, story.last]
        agent_texts = [story.answer, story.while_offline_agent, story.after_reload_agent]
        each_once(customer.page.locator(".fl-messages > li.fl-msg"), customer_texts + agent_texts)
        expect(customer.page.locator(".fl-messages > li.fl-msg")).to_have_count(6)
        expect(customer.page.locator(".fl-pending")).to_have_count(0)
        each_once(panel.locator("li.msg"), customer_texts + agent_texts)
        expect(panel.locator("li.msg")).to_have_count(6)
        expect(panel.locator("li.msg-pending")).to_have_count(0)
        _assert_stored_once(live_site, story.customer_name, customer_texts + agent_texts)

        # Read receipts travel both ways (never stored): each side sees the other has read the latest.
        expect(customer.bubble(story.last).locator(".fl-state")).to_have_text(story.seen)
        expect(panel.locator("li.msg-agent").filter(has_text=story.after_reload_agent)).to_contain_text(
            "Seen by the customer"
        )
        customer.screenshot(f"chat-{story.language}-customer")
        agent.screenshot(f"chat-{story.language}-agent")


def _assert_stored_once(site: LiveSite, customer_name: str, texts: list[str]) -> None:
    """The database holds each message once: the source of truth agrees with both screens."""
    conversation_id = _conversation_id_of(site, customer_name)
    engine = make_engine(site.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            bodies = list(
                session.scalars(select(Message.body).where(Message.conversation_id == conversation_id))
            )
    finally:
        engine.dispose()
    assert sorted(bodies) == sorted(texts)


def _conversation_id_of(site: LiveSite, customer_name: str) -> int:
    """The latest chat of the customer with this name (each test's customers have names of their own)."""
    engine = make_engine(site.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            conversation_id = session.scalar(
                select(Conversation.id)
                .join(CustomerRow, CustomerRow.id == Conversation.customer_id)
                .where(CustomerRow.name == customer_name, Conversation.channel == "chat")
                .order_by(Conversation.id.desc())
            )
    finally:
        engine.dispose()
    assert conversation_id is not None
    return conversation_id


class TestStaleView:
    def test_an_agent_answering_a_stale_view_is_shown_what_the_customer_wrote_and_can_send_again(
        self, people: Callable[[str], tuple[Customer, Agent, BrowserContext]]
    ) -> None:
        customer, agent, _ = people("it")
        held: list[str] = []
        hold = {"on": False}

        def agent_socket(route: WebSocketRoute) -> None:
            """Between the console and the server: while ``hold`` is on, the customer's messages stay here."""
            server = route.connect_to_server()
            route.on_message(lambda message: server.send(message))

            def to_console(message: str | bytes) -> None:
                text = message if isinstance(message, str) else message.decode()
                if hold["on"] and text.startswith('{"type":"event"') and '"author_kind":"customer"' in text:
                    held.append(text)
                    return
                route.send(message)

            server.on_message(to_console)

        agent.page.route_web_socket(re.compile(r"/api/v1/chat/ws/agent$"), agent_socket)
        agent.log_in("l1.it")
        agent.open_workspace()
        customer.visit()
        customer.start_chat(
            launcher="Chatta con l'assistenza", name_label="Nome", topic_label="Argomento",
            start="Inizia la chat", name="Giorgia Conti",
        )  # fmt: skip
        customer.send("Buongiorno, ho bisogno di resettare il 2FA.")
        panel = agent.take_waiting_chat("Giorgia Conti")
        agent.reply(panel, "Buongiorno Giorgia, la aiuto io.")
        expect(customer.bubble("Buongiorno Giorgia, la aiuto io.")).to_be_visible()

        hold["on"] = True  # the console's view goes stale: the customer's next message does not reach it
        customer.send("Ho perso il telefono con l'app di autenticazione.")
        expect(customer.bubble("Ho perso il telefono")).not_to_have_class(re.compile("fl-pending"))
        assert held, "the customer's message should have been held back from the console"
        agent.reply(panel, "Può confermarmi l'email del suo account?")

        unsent = panel.locator("li.msg-conflict")
        expect(unsent).to_contain_text("Può confermarmi l'email del suo account?")
        expect(unsent).to_contain_text("Not sent")
        expect(panel.locator(".chat-alert")).to_contain_text("wrote in the meantime")
        missed = panel.locator("li.msg-customer").filter(has_text="Ho perso il telefono")
        expect(missed).to_have_count(1)  # shown from the conflict's own copy of what was missed
        expect(customer.bubble("Può confermarmi")).to_have_count(0)
        agent.screenshot("chat-stale-view-agent")

        hold["on"] = False
        unsent.get_by_role("button", name="Send anyway").click()
        expect(customer.bubble("Può confermarmi l'email del suo account?")).to_be_visible()
        expect(panel.locator("li.msg-conflict")).to_have_count(0)
        expect(panel.locator(".chat-alert")).to_be_hidden()
        each_once(
            panel.locator("li.msg"),
            ["Ho perso il telefono", "Può confermarmi l'email del suo account?", "Buongiorno Giorgia"],
        )
        each_once(
            customer.page.locator(".fl-messages > li.fl-msg"), ["Può confermarmi l'email del suo account?"]
        )


class TestLostAcknowledgement:
    def test_a_message_whose_ack_was_lost_is_resent_after_reconnecting_and_stored_once(
        self,
        people: Callable[[str], tuple[Customer, Agent, BrowserContext]],
        browser_errors: ConsoleErrors,
        live_site: LiveSite,
    ) -> None:
        customer, agent, _ = people("de")
        marker = "Meine Auszahlung hängt seit zwei Stunden"
        sent_ids: list[str] = []
        connections: list[WebSocketRoute] = []

        def customer_socket(route: WebSocketRoute) -> None:
            """The first connection loses the answers to the marked message, then breaks."""
            connections.append(route)
            first = len(connections) == 1
            server = route.connect_to_server()

            def to_server(message: str | bytes) -> None:
                text = message if isinstance(message, str) else message.decode()
                if marker in text:
                    sent_ids.append(re.search(r'"client_msg_id":"([^"]+)"', text).group(1))  # type: ignore[union-attr]
                server.send(message)

            def to_page(message: str | bytes) -> None:
                text = message if isinstance(message, str) else message.decode()
                if first and sent_ids and sent_ids[0] in text:
                    if '"type":"ack"' in text:
                        route.close(code=1011, reason="connection lost after the message was stored")
                        server.close()
                    return  # neither the ack nor the echo reaches the page
                route.send(message)

            route.on_message(to_server)
            server.on_message(to_page)

        customer.page.route_web_socket(re.compile(r"/api/v1/chat/ws/customer$"), customer_socket)
        agent.log_in("l1.de")
        agent.open_workspace()
        customer.visit()
        customer.start_chat(
            launcher="Mit dem Support chatten", name_label="Name", topic_label="Thema",
            start="Chat starten", name="Sabine Krüger",
        )  # fmt: skip
        browser_errors.network_may_fail = True
        customer.send(marker + " (USDT, TRC20).")

        expect(customer.bubble(marker)).not_to_have_class(re.compile("fl-pending"), timeout=10_000)
        assert len(connections) >= 2, "the widget should have reconnected"
        assert len(sent_ids) >= 2 and len(set(sent_ids)) == 1, (
            "the same client_msg_id should have been resent"
        )
        each_once(customer.page.locator(".fl-messages > li.fl-msg"), [marker])
        panel = agent.take_waiting_chat("Sabine Krüger")
        expect(panel.locator("li.msg-customer").filter(has_text=marker)).to_have_count(1)
        _assert_stored_once(live_site, "Sabine Krüger", [marker + " (USDT, TRC20)."])


def tiny_png(width: int = 48, height: int = 32, rgb: tuple[int, int, int] = (240, 185, 11)) -> bytes:
    """A valid PNG of one colour, made here so the test needs no file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class TestAttachmentsAndTheRest:
    def test_a_spanish_chat_with_an_image_refused_files_an_automatic_message_status_changes_and_a_transcript(
        self,
        people: Callable[[str], tuple[Customer, Agent, BrowserContext]],
        browser_errors: ConsoleErrors,
        live_site: LiveSite,
    ) -> None:
        customer, agent, _ = people("es")
        browser_errors.expect_status(415)
        agent.log_in("l1.es")  # stays on the inbox: the new chat is announced there
        customer.visit()
        customer.start_chat(
            launcher="Chatear con soporte", name_label="Nombre", topic_label="Tema",
            start="Iniciar chat", name="Lucía Fernández",
        )  # fmt: skip
        alert = agent.page.locator("[data-chat-alerts]")
        expect(alert).to_contain_text("Lucía Fernández")
        expect(alert).to_contain_text("ES")
        expect(alert).to_contain_text("1 new chat")
        agent.screenshot("chat-es-inbox-new-chat")

        files = customer.page.locator(".fl-composer input[type=file]")
        files.set_input_files(
            files=[
                {
                    "name": "extracto.png",
                    "mimeType": "image/png",
                    "buffer": b"Saldo: 1.250 USDT (texto, no una imagen)",
                }
            ]
        )
        notice = customer.page.locator(".fl-notice")
        expect(notice).to_contain_text("solo se aceptan imágenes (PNG, JPEG, GIF, WebP) y PDF")
        files.set_input_files(
            files=[
                {"name": "video.png", "mimeType": "image/png", "buffer": tiny_png() + b"0" * ATTACHMENT_LIMIT}
            ]
        )
        expect(notice).to_contain_text("demasiado grande: el límite es 2 MB")
        customer.screenshot("chat-es-customer-refused-file")
        files.set_input_files(
            files=[{"name": "comprobante.png", "mimeType": "image/png", "buffer": tiny_png()}]
        )
        expect(customer.page.locator(".fl-files li.fl-file-ready")).to_contain_text("comprobante.png")
        customer.send(
            "Hola, adjunto el comprobante del retiro: https://example.com/tx?id=9f2 <b>no es HTML</b>"
        )
        mine = customer.bubble("adjunto el comprobante")
        expect(mine.locator("img[alt='comprobante.png']")).to_be_visible()
        expect(mine.locator("a[href='https://example.com/tx?id=9f2']")).to_have_attribute(
            "rel", "noopener noreferrer nofollow"
        )
        expect(mine.locator("b")).to_have_count(0)  # text, never HTML
        expect(mine).to_contain_text("<b>no es HTML</b>")

        agent.page.get_by_role("link", name="Open Live chats").click()
        panel = agent.take_waiting_chat("Lucía Fernández", announced_live=False)
        image = panel.locator("li.msg-customer img[alt='comprobante.png']")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 48
        agent.reply(panel, "¡Hola Lucía! Ya veo el comprobante, lo reviso.")

        conversation_id = _conversation_id_of(live_site, "Lucía Fernández")
        engine = make_engine(live_site.database_url)
        try:
            with session_scope(make_session_factory(engine)) as session:
                declare_write(session)  # the live server writes too: take SQLite's write lock up front
                post_message(
                    session,
                    conversation_id=conversation_id,
                    author_kind=AuthorKind.SYSTEM,
                    body="Tiempo de espera estimado: 2 minutos.",
                    is_automatic=True,
                )
        finally:
            engine.dispose()
        automatic = customer.page.locator(".fl-msg.fl-automatic")
        expect(automatic).to_contain_text("Mensaje automático")
        expect(automatic).to_contain_text("Tiempo de espera estimado")
        expect(automatic.locator(".fl-author")).to_have_count(0)  # no person's name on it
        agent_automatic = panel.locator("li.msg-automatic")
        expect(agent_automatic).to_contain_text("Automatic message")
        expect(agent_automatic.locator(".badge.auto")).to_have_text("automatic")

        panel.get_by_role("button", name="Resolve").click()
        expect(panel.locator(".chat-head .badge.status")).to_have_text("Resolved")
        expect(customer.page.locator(".fl-status-line")).to_contain_text("marcó como resuelto")
        panel.get_by_role("button", name="Reopen").click()
        expect(panel.locator(".chat-head .badge.status")).to_have_text("Open")
        expect(customer.page.locator(".fl-status-line")).to_be_hidden()

        customer.page.get_by_role("button", name="Minimizar el chat").click()
        expect(customer.window).to_be_hidden()
        agent.reply(panel, "¿Necesita algo más?")
        expect(customer.page.locator(".fl-badge")).to_have_text("1")
        expect(customer.launcher).to_have_attribute("aria-label", re.compile("1 sin leer"))
        customer.launcher.click()
        expect(customer.page.locator(".fl-badge")).to_be_hidden()
        expect(customer.bubble("¿Necesita algo más?")).to_be_visible()

        with customer.page.expect_download() as download:
            customer.page.get_by_text("Descargar la transcripción").click()
        transcript = Path(download.value.path()).read_text(encoding="utf-8")
        assert download.value.suggested_filename.endswith(".txt")
        assert "adjunto el comprobante" in transcript and "comprobante.png" in transcript
        assert "[automático]" in transcript and "Ya veo el comprobante" in transcript
        customer.screenshot("chat-es-customer")
        agent.screenshot("chat-es-agent")
