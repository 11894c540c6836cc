"""Deterministic demo data: a crypto exchange's support floor in five languages.

Historical conversations are written straight to the tables (with their events), as an
import would: they describe the past, so no realtime notification or SLA clock applies.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent, Team, Tier
from firstline.agents.passwords import hash_password
from firstline.agents.roles import Role
from firstline.attachments.store import FileStore
from firstline.cases.categories import base58_encode
from firstline.chat.service import create_site
from firstline.conversations.models import AuthorKind, Channel, Conversation, Message, Priority, Status
from firstline.customers.models import Customer
from firstline.demo import corpus
from firstline.demo.cases import seed_cases
from firstline.demo.sla import seed_sla
from firstline.kit.time import utcnow
from firstline.timeline.models import Event
from firstline.timeline.service import ActorKind, EventKind

DEMO_PASSWORD = "firstline-demo"  # noqa: S105 - the published password of the demo accounts
DEMO_DOMAIN = "firstline.example"
# The demo page embeds the chat widget with this site (docs/chat-protocol.md); published on purpose.
DEMO_CHAT_SITE_KEY = "pk_demo_firstline_exchange"
DEMO_CHAT_SITE_SECRET = "sk_demo_firstline_exchange_secret"  # noqa: S105 - the published demo secret
# One account per role and L1 language, printed by `firstline demo` and listed in the README.
SHOWCASE_LOGINS = (
    "admin",
    "lead",
    "l1.en",
    "l1.it",
    "l1.pt",
    "l1.de",
    "l1.es",
    "l2",
    "technical",
    "compliance",
    "kyc",
    "qa",
)
LANGUAGE_WEIGHTS = {"en": 30, "it": 20, "pt": 18, "de": 16, "es": 16}
CATEGORY_WEIGHTS = {
    "deposit_not_credited": 22,
    "wrong_network_or_memo": 10,
    "withdrawal_pending": 18,
    "2fa_reset": 12,
    "account_frozen": 7,
    "kyc_rejected": 12,
    "p2p_appeal": 6,
    "futures_liquidation": 6,
    "fees": 7,
}
ASSETS = [
    ("USDT", "TRC20"),
    ("USDT", "ERC20"),
    ("USDT", "BEP20"),
    ("BTC", "Bitcoin"),
    ("ETH", "ERC20"),
    ("SOL", "Solana"),
    ("XRP", "XRP Ledger"),
    ("TON", "TON"),
    ("BNB", "BEP20"),
    ("USDC", "Polygon"),
]
MAIL_DOMAINS = ["example.com", "example.net", "example.org"]
COUNTRIES = {
    "en": ["GB", "US", "NG", "IN", "IE"],
    "it": ["IT"],
    "pt": ["BR", "PT"],
    "de": ["DE", "AT", "CH"],
    "es": ["ES", "MX", "AR", "CO"],
}


@dataclass
class SeedSummary:
    agents: int = 0
    customers: int = 0
    conversations: int = 0
    messages: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    cases: dict[str, int] = field(default_factory=dict)


TEAMS = [
    ("L1-English", Tier.L1, "en", "First line, English"),
    ("L1-Italian", Tier.L1, "it", "First line, Italian"),
    ("L1-Portuguese", Tier.L1, "pt", "First line, Portuguese"),
    ("L1-German", Tier.L1, "de", "First line, German"),
    ("L1-Spanish", Tier.L1, "es", "First line, Spanish"),
    ("L2", Tier.L2, None, "Second line: cases L1 could not close"),
    ("Technical", Tier.TECHNICAL, None, "Blockchain operations, wallets, API"),
    ("Compliance", Tier.COMPLIANCE, None, "Frozen accounts, AML reviews, authority requests"),
    ("KYC", Tier.L2, None, "Identity verification review"),
    ("QA", Tier.L1, None, "Quality assurance and coaching"),
]

# (login local part, role, tier, languages, team names, skills)
AGENT_PLAN: list[tuple[str, Role, Tier, dict[str, str], list[str], list[str]]] = [
    ("admin", Role.ADMIN, Tier.L2, {"en": "fluent", "de": "working"}, [], []),
    (
        "lead",
        Role.TEAM_LEAD,
        Tier.L2,
        {"en": "native", "es": "fluent", "pt": "working"},
        ["L1-English", "L1-Spanish"],
        [],
    ),
    (
        "l1.en",
        Role.AGENT_L1,
        Tier.L1,
        {"en": "native"},
        ["L1-English"],
        ["deposit_not_credited", "withdrawal_pending"],
    ),
    (
        "l1.en2",
        Role.AGENT_L1,
        Tier.L1,
        {"en": "native", "es": "working"},
        ["L1-English"],
        ["2fa_reset", "fees"],
    ),
    (
        "l1.en3",
        Role.AGENT_L1,
        Tier.L1,
        {"en": "fluent", "de": "fluent"},
        ["L1-English", "L1-German"],
        ["kyc_rejected"],
    ),
    ("l1.en4", Role.AGENT_L1, Tier.L1, {"en": "fluent", "it": "working"}, ["L1-English"], ["p2p_appeal"]),
    (
        "l1.it",
        Role.AGENT_L1,
        Tier.L1,
        {"it": "native", "en": "fluent"},
        ["L1-Italian"],
        ["deposit_not_credited", "2fa_reset"],
    ),
    (
        "l1.it2",
        Role.AGENT_L1,
        Tier.L1,
        {"it": "native", "en": "fluent", "es": "working"},
        ["L1-Italian"],
        ["kyc_rejected"],
    ),
    (
        "l1.pt",
        Role.AGENT_L1,
        Tier.L1,
        {"pt": "native", "en": "fluent", "es": "fluent"},
        ["L1-Portuguese"],
        ["withdrawal_pending"],
    ),
    ("l1.pt2", Role.AGENT_L1, Tier.L1, {"pt": "native", "en": "fluent"}, ["L1-Portuguese"], ["p2p_appeal"]),
    (
        "l1.de",
        Role.AGENT_L1,
        Tier.L1,
        {"de": "native", "en": "fluent"},
        ["L1-German"],
        ["futures_liquidation"],
    ),
    (
        "l1.de2",
        Role.AGENT_L1,
        Tier.L1,
        {"de": "native", "en": "fluent", "it": "basic"},
        ["L1-German"],
        ["fees"],
    ),
    (
        "l1.es",
        Role.AGENT_L1,
        Tier.L1,
        {"es": "native", "en": "fluent", "pt": "working"},
        ["L1-Spanish"],
        ["deposit_not_credited"],
    ),
    (
        "l1.es2",
        Role.AGENT_L1,
        Tier.L1,
        {"es": "native", "en": "fluent"},
        ["L1-Spanish"],
        ["wrong_network_or_memo"],
    ),
    (
        "l2",
        Role.AGENT_L2,
        Tier.L2,
        {"en": "fluent", "it": "native", "de": "working"},
        ["L2"],
        ["futures_liquidation", "p2p_appeal"],
    ),
    (
        "l2.b",
        Role.AGENT_L2,
        Tier.L2,
        {"en": "fluent", "pt": "native", "es": "fluent"},
        ["L2"],
        ["wrong_network_or_memo"],
    ),
    (
        "technical",
        Role.TECHNICAL,
        Tier.TECHNICAL,
        {"en": "fluent", "de": "native"},
        ["Technical"],
        ["api", "wrong_network_or_memo"],
    ),
    (
        "compliance",
        Role.COMPLIANCE,
        Tier.COMPLIANCE,
        {"en": "native", "es": "fluent"},
        ["Compliance"],
        ["account_frozen"],
    ),
    (
        "kyc",
        Role.KYC_REVIEWER,
        Tier.L2,
        {"en": "fluent", "it": "fluent", "pt": "fluent"},
        ["KYC"],
        ["kyc_rejected"],
    ),
    ("qa", Role.QA, Tier.L2, {"en": "native", "de": "fluent", "es": "working"}, ["QA"], []),
]


def seed_demo(
    session: Session,
    *,
    seed: int = 7,
    customers: int = 500,
    conversations: int = 2000,
    progress: bool = False,
    files: FileStore | None = None,
) -> SeedSummary:
    """Fill an empty database with the demo floor. The same seed always gives the same data."""
    rng = random.Random(seed)
    now = utcnow().replace(second=0, microsecond=0)
    summary = SeedSummary()
    teams = _seed_teams(session)
    agents = _seed_agents(session, rng, teams, summary)
    # Before any conversation, so every clock the demo starts counts under the seeded policies.
    seed_sla(session, now=now, lead_id=next(a.id for a in agents if a.email.startswith("lead@")))
    people = _seed_customers(session, rng, customers, now)
    summary.customers = len(people)
    create_site(
        session,
        name="Firstline Exchange",
        public_key=DEMO_CHAT_SITE_KEY,
        secret=DEMO_CHAT_SITE_SECRET,
        enforce_identity=True,
        allow_anonymous=True,
    )
    builder = _ConversationBuilder(session, rng, now, agents, teams, summary)
    with _progress(progress, conversations, "Writing demo conversations") as tick:
        for start in range(0, conversations, 200):
            for _ in range(start, min(start + 200, conversations)):
                builder.add(rng.choice(people))
                tick()
            builder.flush()
    cases = seed_cases(session, rng=rng, now=now, agents=agents, placed=builder.placed, files=files)
    summary.cases = {name: value for name, value in vars(cases).items() if isinstance(value, int)}
    # The cases added notes, letters and incident updates to the conversations.
    summary.messages = session.scalar(select(func.count()).select_from(Message)) or 0
    return summary


class _progress:
    """A progress bar on the terminal, or nothing."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self.bar = typer.progressbar(length=total, label=label) if enabled else None

    def __enter__(self) -> Any:
        if self.bar is None:
            return lambda: None
        bar = self.bar.__enter__()
        return lambda: bar.update(1)

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _seed_teams(session: Session) -> dict[str, Team]:
    teams = {
        name: Team(name=name, tier=tier, language=lang, description=desc) for name, tier, lang, desc in TEAMS
    }
    session.add_all(teams.values())
    session.flush()
    return teams


def _seed_agents(
    session: Session, rng: random.Random, teams: dict[str, Team], summary: SeedSummary
) -> list[Agent]:
    password_hash = hash_password(DEMO_PASSWORD)
    used: set[str] = set()
    agents = []
    for local, role, tier, languages, team_names, skills in AGENT_PLAN:
        name = _agent_name(rng, languages, used)
        used.add(name)
        agent = Agent(
            email=f"{local}@{DEMO_DOMAIN}",
            name=name,
            password_hash=password_hash,
            roles=[role.value],
            languages=languages,
            tier=tier,
            skills=skills,
            max_concurrent_chats=4 if role == Role.AGENT_L1 else 3,
            teams=[teams[t] for t in team_names],
        )
        agents.append(agent)
        if local in SHOWCASE_LOGINS:
            summary.logins.append((agent.email, f"{role.value} · {name} · {', '.join(languages)}"))
    session.add_all(agents)
    session.flush()
    summary.agents = len(agents)
    return agents


def _agent_name(rng: random.Random, languages: dict[str, str], used: set[str]) -> str:
    """An unused name from the agent's languages, first language first."""
    pools = [corpus.AGENT_NAMES[code] for code in languages] + list(corpus.AGENT_NAMES.values())
    for pool in pools:
        free = [name for name in pool if name not in used]
        if free:
            return rng.choice(free)
    raise ValueError("not enough demo agent names")


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _seed_customers(session: Session, rng: random.Random, count: int, now: datetime) -> list[Customer]:
    people = []
    uids = rng.sample(range(10_000_000, 99_999_999), count)
    for index in range(count):
        language = _weighted(rng, LANGUAGE_WEIGHTS)
        first = rng.choice(corpus.FIRST_NAMES[language])
        last = rng.choice(corpus.LAST_NAMES[language])
        handle = _ascii(f"{first}.{last}").lower()
        attributes: dict[str, Any] = {
            "country": rng.choice(COUNTRIES[language]),
            "kyc_level": rng.choices([0, 1, 2, 3], weights=[5, 20, 60, 15])[0],
            "registered": (now - timedelta(days=rng.randint(30, 1500))).date().isoformat(),
        }
        if rng.random() < 0.4:
            attributes["anti_phishing_code"] = "".join(
                rng.choices(string.ascii_uppercase + string.digits, k=8)
            )
        people.append(
            Customer(
                exchange_uid=str(uids[index]),
                email=f"{handle}{rng.randint(1, 99)}@{rng.choice(MAIL_DOMAINS)}",
                name=f"{first} {last}",
                preferred_language=language,
                vip_tier=rng.choices([0, 1, 2, 3], weights=[85, 8, 5, 2])[0],
                attributes=attributes,
                created_at=now - timedelta(days=rng.randint(1, 200)),
            )
        )
    session.add_all(people)
    session.flush()
    return people


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "")


class _ConversationBuilder:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        now: datetime,
        agents: list[Agent],
        teams: dict[str, Team],
        summary: SeedSummary,
    ) -> None:
        self.session, self.rng, self.now, self.summary = session, rng, now, summary
        self.teams = teams
        self.front_line = [a for a in agents if a.tier == Tier.L1 and Role.AGENT_L1.value in a.roles]
        self.by_tier = {
            tier: [a for a in agents if a.tier == tier and Role.AGENT_L1.value not in a.roles]
            for tier in Tier
        }
        self.pending: list[tuple[Conversation, list[Message], list[Event]]] = []
        self.placed: list[tuple[Conversation, dict[str, str]]] = []  # with the values its texts name

    def add(self, customer: Customer) -> None:
        rng = self.rng
        language = customer.preferred_language if rng.random() < 0.93 else rng.choice(list(LANGUAGE_WEIGHTS))
        category = _weighted(rng, CATEGORY_WEIGHTS)
        channel = Channel.CHAT if rng.random() < 0.65 else Channel.EMAIL
        # About one in twelve arrived during the current shift, so the live inbox has work in it.
        recent = rng.random() < 0.08
        age_minutes = (
            rng.randint(2, 8 * 60) if recent else int(rng.triangular(8 * 60, 120 * 24 * 60, 12 * 60))
        )
        opened = self.now - timedelta(minutes=age_minutes)
        status = self._status_for(age_minutes)
        speakers = [a for a in self.front_line if language in a.languages] or self.front_line
        agent = rng.choice(speakers)
        assignee = None if status == Status.OPEN and rng.random() < 0.45 else agent
        values = self._placeholders(customer)
        conversation = Conversation(
            customer_id=customer.id,
            channel=channel,
            status=status,
            subject=rng.choice(corpus.SUBJECTS[language][category]).format(**values)
            if channel == Channel.EMAIL
            else "",
            language=language,
            category=category,
            priority=Priority.HIGH
            if customer.vip_tier >= 2
            else rng.choices(list(Priority), weights=[10, 70, 15, 5])[0],
            tier=Tier.L1,
            team_id=self.teams[next(name for name, _, lang, _ in TEAMS if lang == language)].id,
            assignee_id=assignee.id if assignee else None,
            tags=[],
            created_at=opened,
        )
        messages, events = self._exchange(
            conversation, customer, language, category, values, opened, status, assignee
        )
        self.pending.append((conversation, messages, events))
        self.placed.append((conversation, values))

    def _status_for(self, age_minutes: int) -> Status:
        if age_minutes < 6 * 60:
            return self.rng.choices([Status.OPEN, Status.PENDING, Status.RESOLVED], weights=[60, 20, 20])[0]
        if age_minutes < 3 * 24 * 60:
            return self.rng.choices([Status.OPEN, Status.PENDING, Status.RESOLVED], weights=[8, 22, 70])[0]
        return self.rng.choices([Status.RESOLVED, Status.CLOSED], weights=[15, 85])[0]

    def _placeholders(self, customer: Customer) -> dict[str, str]:
        rng = self.rng
        coin, network = rng.choice(ASSETS)
        txid = "".join(rng.choices("0123456789abcdef", k=64))
        if network in ("ERC20", "BEP20", "Polygon"):
            txid = "0x" + txid
        elif network == "Solana":  # a signature: 64 bytes in base58
            txid = base58_encode(bytes.fromhex(txid + txid[::-1]))
        amount = rng.choice([25, 50, 100, 150, 250, 480, 1000, 1250, 3000, 7500])
        if coin in ("BTC", "ETH"):
            amount_text = f"{amount / (60000 if coin == 'BTC' else 3000):.4f}"
        else:
            amount_text = str(amount)
        return {
            "coin": coin,
            "network": network,
            "amount": amount_text,
            "txid": txid,
            "uid": customer.exchange_uid or "",
            "order_id": str(rng.randint(10**17, 10**18 - 1)),
        }

    def _exchange(
        self,
        conversation: Conversation,
        customer: Customer,
        language: str,
        category: str,
        values: dict[str, str],
        opened: datetime,
        status: Status,
        assignee: Agent | None,
    ) -> tuple[list[Message], list[Event]]:
        """The messages and events of one conversation, in the order they happened."""
        rng = self.rng
        at = opened
        messages: list[Message] = []
        events: list[Event] = [
            self._event(
                EventKind.CONVERSATION_OPENED,
                at,
                ActorKind.CUSTOMER,
                data={"channel": conversation.channel, "language": language},
            )
        ]

        def say(kind: AuthorKind, text: str, author: Agent | None = None) -> None:
            messages.append(
                Message(
                    seq=len(messages) + 1,
                    author_kind=kind,
                    author_agent_id=author.id if author else None,
                    body=text.format(**values),
                    created_at=at,
                )
            )
            event_kind = EventKind.NOTE_ADDED if kind == AuthorKind.NOTE else EventKind.MESSAGE_POSTED
            actor = ActorKind.CUSTOMER if kind == AuthorKind.CUSTOMER else ActorKind.AGENT
            events.append(
                self._event(event_kind, at, actor, author, {"seq": len(messages), "author_kind": kind.value})
            )

        say(AuthorKind.CUSTOMER, rng.choice(corpus.OPENERS[language][category]))
        if assignee is None:
            return messages, events
        at += timedelta(
            seconds=rng.randint(8, 90) if conversation.channel == Channel.CHAT else rng.randint(600, 14400)
        )
        events.append(
            self._event(EventKind.ASSIGNED, at, ActorKind.SYSTEM, data={"from": None, "to": assignee.id})
        )
        replies = rng.sample(corpus.AGENT_REPLIES[language][category], k=2)
        followups = rng.sample(corpus.CUSTOMER_FOLLOWUPS[language][category], k=2)
        say(AuthorKind.AGENT, replies[0], assignee)
        conversation.first_response_at = at
        if status == Status.OPEN and rng.random() < 0.5:
            return messages, events
        at += timedelta(minutes=rng.randint(1, 20))
        say(AuthorKind.CUSTOMER, followups[0])
        if rng.random() < 0.15:
            at += timedelta(minutes=rng.randint(1, 5))
            say(AuthorKind.NOTE, rng.choice(corpus.INTERNAL_NOTES[category]), assignee)
        at += timedelta(minutes=rng.randint(1, 15))
        say(AuthorKind.AGENT, replies[1] + "\n\n" + rng.choice(corpus.AGENT_CLOSINGS[language]), assignee)
        if status == Status.PENDING:
            events.append(
                self._event(
                    EventKind.STATUS_CHANGED, at, ActorKind.AGENT, assignee, {"from": "open", "to": "pending"}
                )
            )
        elif status in (Status.RESOLVED, Status.CLOSED):
            at += timedelta(minutes=rng.randint(1, 10))
            say(AuthorKind.CUSTOMER, followups[1])
            events.append(
                self._event(
                    EventKind.STATUS_CHANGED,
                    at,
                    ActorKind.AGENT,
                    assignee,
                    {"from": "open", "to": "resolved"},
                )
            )
            conversation.resolved_at = at
            if status == Status.CLOSED:
                closed = at + timedelta(days=3)
                events.append(
                    self._event(
                        EventKind.STATUS_CHANGED,
                        closed,
                        ActorKind.SYSTEM,
                        data={"from": "resolved", "to": "closed"},
                    )
                )
                conversation.closed_at = closed
        return messages, events

    def _event(
        self,
        kind: EventKind,
        at: datetime,
        actor_kind: ActorKind,
        actor: Agent | None = None,
        data: dict[str, Any] | None = None,
    ) -> Event:
        return Event(
            kind=kind.value,
            actor_kind=actor_kind.value,
            actor_agent_id=actor.id if actor else None,
            data=data or {},
            created_at=at,
        )

    def flush(self) -> None:
        """Write the pending conversations, then their messages and events with the new ids."""
        if not self.pending:
            return
        self.session.add_all(c for c, _, _ in self.pending)
        self.session.flush()
        rows: list[Message | Event] = []
        for conversation, messages, events in self.pending:
            public = [m for m in messages if m.author_kind != AuthorKind.NOTE]
            conversation.last_seq = len(messages)
            conversation.last_message_at = public[-1].created_at
            conversation.preview = public[-1].body[:200]
            conversation.updated_at = max(e.created_at for e in events)
            for message in messages:
                message.conversation_id = conversation.id
            for event in events:
                event.conversation_id = conversation.id
                event.customer_id = conversation.customer_id
            rows.extend(messages)
            rows.extend(events)
            self.summary.messages += len(messages)
            self.summary.conversations += 1
        self.session.add_all(rows)
        self.session.flush()
        self.pending.clear()
