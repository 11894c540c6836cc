"""Email ingest: a generated mailbox through ``firstline import-mail``'s path, django-helpdesk and a floor.

Run from the repository root: ``.venv/bin/python bench/email_ingest.py`` (2,000 mails, three rounds) or
with ``--quick`` (200 mails, under a minute). Progress goes to stderr; the last stdout line is one JSON
object: messages, msgs_per_s, baseline_msgs_per_s, ratio_to_baseline, floor_msgs_per_s, threading_accuracy.

The corpus is generated from a fixed seed: customers writing in five languages, 5–50 KB a mail, a fifth
with attachments, a third multipart/alternative with HTML, and replies mixed in (with In-Reply-To and
References; References only under a changed subject; Outlook-style with no threading headers, so only
the subject can thread them; several customers sharing a subject, which must never join them). Every
mail is 7-bit (quoted-printable or base64), so the baseline can read it.

Three measurements, each from a fresh database in a temporary directory, median of the rounds:
- Firstline: ``collect`` + ``import_items`` (what ``firstline import-mail DIR`` runs) on SQLite, with the
  whole service path: raw mail and attachments stored, threading, conversations, messages, timeline
  events and the routing/SLA/cases reactions to them.
- django-helpdesk's ``get_email`` on a local-directory queue, in its own virtual environment (installed
  on first use under ~/.cache/firstline-bench and reused), run as a subprocess with a settings module
  written here; SQLite in WAL mode like Firstline's. It deletes each file it ingests, so each round gets
  a copy of the corpus.
- The floor: each mail parsed by the standard library (modern policy, body text extracted) and one row
  per mail inserted and committed on the same SQLite set-up as Firstline's.
- The parse ceiling: the floor's parsing alone, with no database. No pipeline that parses each mail with
  the standard library in one process can go faster; its ratio to the baseline bounds what any ratio can be.

threading_accuracy is the share of generated replies that Firstline put in the conversation of the mail
that started their thread (known from generation).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from firstline.config import Settings  # noqa: E402
from firstline.db import make_engine, make_session_factory, migrate  # noqa: E402

HELPDESK_VERSION = "2.6.1"
SEED = 20240611
LANGUAGES = ("en", "it", "pt", "de", "es")
WORDS = {
    "en": "deposit withdrawal account verification network fee wallet address please help thanks waiting "
    "transfer balance support ticket order trade pending confirmed blockchain hours since yesterday",
    "it": "deposito prelievo conto verifica rete commissione portafoglio indirizzo aiuto grazie attesa "
    "trasferimento saldo perché già città più però ordine scambio confermato ieri",
    "pt": "depósito saque conta verificação rede taxa carteira endereço ajuda obrigado espera "
    "transferência saldo não já também então ordem negociação confirmação ontem",
    "de": "Einzahlung Auszahlung Konto Überprüfung Netzwerk Gebühr Wallet Adresse Hilfe danke warten "
    "Überweisung Guthaben bitte schön für größer Auftrag Börse bestätigt gestern",
    "es": "depósito retiro cuenta verificación red comisión billetera dirección ayuda gracias espera "
    "transferencia saldo también así año orden intercambio confirmado ayer",
}
NAMES = ("Ana Souza", "Luca Bianchi", "Jürgen Müller", "María López", "John Smith", "Chloé Martin",
         "Søren Kierkegaard", "Giulia Rossi", "João Pereira", "Zoë Taylor", "Ömer Yılmaz", "Paula Gómez")  # fmt: skip
SHARED_SUBJECTS = ("Withdrawal pending", "Account locked", "KYC verification", "Deposit not credited",
                   "2FA reset", "Fee question")  # fmt: skip
TOPICS = ("Withdrawal {n} stuck", "Deposit {n} missing", "Order {n} not filled", "Verification case {n}",
          "Refund for trade {n}", "Transfer {n} to wrong network")  # fmt: skip
ATTRIBUTIONS = {
    "en": "On {date}, {name} wrote:",
    "it": "Il giorno {date} {name} ha scritto:",
    "pt": "Em {date}, {name} escreveu:",
    "de": "Am {date} schrieb {name}:",
    "es": "El {date}, {name} escribió:",
}


def log(message: str) -> None:
    print(f"[email_ingest] {message}", file=sys.stderr, flush=True)


# --- corpus --------------------------------------------------------------------------------------------


@dataclass
class Generated:
    name: str  # file name in the corpus directory: its order is the arrival order
    raw: bytes
    message_id: str
    root_id: str  # Message-ID of the mail that started the thread
    is_reply: bool


@dataclass
class _Thread:
    customer: int
    subject: str
    language: str
    root_id: str
    ids: list[str]
    last_text: str
    last_date: datetime


def _paragraphs(rng: random.Random, language: str, size: int) -> str:
    words = WORDS[language].split()
    out: list[str] = []
    length = 0
    while length < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(6, 18)))
        paragraph = textwrap.fill(sentence.capitalize() + ". " + sentence + ".", width=72)
        out.append(paragraph)
        length += len(paragraph.encode()) + 2
    return "\n\n".join(out)


def _message(
    rng: random.Random,
    *,
    customer: int,
    thread: _Thread,
    subject: str,
    message_id: str,
    date: datetime,
    body: str,
    html: bool,
    attachment: int,
) -> bytes:
    mail = EmailMessage()
    name = NAMES[customer % len(NAMES)]
    mail["From"] = f"{name} <customer{customer}@mail{customer % 7}.example>"
    mail["To"] = "Support <support@exchange.example>"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(date)
    mail["Message-ID"] = message_id
    mail["Content-Language"] = thread.language
    ascii_only = body.isascii()
    mail.set_content(body, cte="7bit" if ascii_only else "quoted-printable")
    if html:
        escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        markup = "<html><body>" + "".join(f"<p>{p}</p>" for p in escaped.split("\n\n")) + "</body></html>"
        mail.add_alternative(markup, subtype="html", cte="quoted-printable")
    if attachment:
        kind = rng.choice((("application", "pdf", "statement.pdf"), ("image", "png", "screenshot.png")))
        mail.add_attachment(rng.randbytes(attachment), maintype=kind[0], subtype=kind[1], filename=kind[2])
    for part in mail.walk():
        if part.is_multipart():
            part.set_boundary(f"=_{rng.getrandbits(64):016x}")  # the generator's own would be random
    return bytes(mail)


def generate_corpus(count: int, seed: int) -> list[Generated]:
    """``count`` mails in arrival order; about a third are replies to earlier mails of the same customer."""
    rng = random.Random(seed)
    customers = max(2, count // 5)
    clock = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    threads: list[_Thread] = []
    used_subjects: dict[int, set[str]] = {}
    corpus: list[Generated] = []
    for index in range(count):
        clock += timedelta(seconds=rng.randint(5, 90))
        open_threads = [t for t in threads if len(t.ids) < 5]
        reply = bool(open_threads) and rng.random() < 0.35
        target = rng.randint(5 * 1024, 50 * 1024)
        attachment = rng.randint(target // 5, target // 2) * 3 // 4 if rng.random() < 0.2 else 0
        html = rng.random() < 0.33
        message_id = f"<{rng.getrandbits(64):016x}.{index}@mail.example>"
        if reply:
            thread = rng.choice(open_threads[-40:])  # replies come to recent threads
            customer, language = thread.customer, thread.language
            new_text = _paragraphs(rng, language, rng.randint(200, 1500))
            attribution = ATTRIBUTIONS[language].format(
                date=format_datetime(thread.last_date), name="Support"
            )
            quoted = "\n".join("> " + line for line in thread.last_text.splitlines())
            budget = max(0, target - attachment * 4 // 3) // (2 if html else 1)
            body = f"{new_text}\n\n{attribution}\n{quoted}"[: max(budget, len(new_text) + 200)]
            style = rng.random()
            mail = _reply(rng, thread, customer, message_id, clock, body, html, attachment, style)
        else:
            customer = rng.randrange(customers)
            language = LANGUAGES[customer % len(LANGUAGES)]
            subject = _new_subject(rng, used_subjects.setdefault(customer, set()))
            thread = _Thread(customer, subject, language, message_id, [], "", clock)
            threads.append(thread)
            budget = max(1024, target - attachment * 4 // 3) // (2 if html else 1)
            body = _paragraphs(rng, language, budget)
            mail = _message(
                rng, customer=customer, thread=thread, subject=subject, message_id=message_id,
                date=clock, body=body, html=html, attachment=attachment,
            )  # fmt: skip
        thread.ids.append(message_id)
        thread.last_text = body[:4000]
        thread.last_date = clock
        assert mail.isascii(), "the corpus must be 7-bit for the baseline"
        corpus.append(Generated(f"{index:06d}.eml", mail, message_id, thread.root_id, reply))
    return corpus


def _new_subject(rng: random.Random, used: set[str]) -> str:
    """A subject this customer has not used yet; shared subjects recur across customers on purpose."""
    while True:
        if rng.random() < 0.4:
            subject = rng.choice(SHARED_SUBJECTS)
        else:
            subject = rng.choice(TOPICS).format(n=rng.randint(10_000, 99_999))
        if subject.lower() not in used:
            used.add(subject.lower())
            return subject


def _reply(
    rng: random.Random,
    thread: _Thread,
    customer: int,
    message_id: str,
    date: datetime,
    body: str,
    html: bool,
    attachment: int,
    style: float,
) -> bytes:
    """Replies as real clients write them: half with full headers, the rest missing or bending some."""
    if style < 0.5:  # a well-behaved client
        subject, in_reply_to, references = f"Re: {thread.subject}", thread.ids[-1], thread.ids[-10:]
    elif style < 0.7:  # Outlook rewriting: no In-Reply-To or References, only the subject survives
        subject, in_reply_to, references = f"RE: {thread.subject}", "", []
    elif style < 0.85:  # a changed subject: References alone carry the thread
        subject, in_reply_to, references = f"{thread.subject} - still waiting", "", thread.ids[-10:]
    else:  # answering the first mail again, in another language's prefix
        subject, in_reply_to, references = f"AW: {thread.subject}", thread.root_id, [thread.root_id]
    raw = _message(
        rng, customer=customer, thread=thread, subject=subject, message_id=message_id, date=date,
        body=body, html=html, attachment=attachment,
    )  # fmt: skip
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = " ".join(references)
    if not in_reply_to and not references:
        mail["Thread-Topic"] = thread.subject
        mail["Thread-Index"] = base64.b64encode(rng.randbytes(22)).decode()
    return bytes(mail)


def write_corpus(corpus: list[Generated], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for mail in corpus:
        (directory / mail.name).write_bytes(mail.raw)


# --- Firstline -------------------------------------------------------------------------------------------


def run_firstline(corpus_dir: Path, corpus: list[Generated], workdir: Path) -> tuple[float, float]:
    """Seconds to import the corpus into a fresh database, and the threading accuracy it reached."""
    from firstline.email.importer import collect, import_items

    workdir.mkdir(parents=True)
    url = f"sqlite:///{workdir / 'firstline.db'}"
    migrate(url)
    settings = Settings(data_dir=workdir, database_url=url, secret_key="bench-" + "x" * 40)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        started = time.perf_counter()
        summary = import_items(factory, collect([corpus_dir]), settings=settings)
        seconds = time.perf_counter() - started
        with engine.connect() as connection:
            conversation_of = dict(
                connection.execute(text("SELECT message_id, conversation_id FROM inbound_mail")).all()
            )
    finally:
        engine.dispose()
    stored = summary.imported + summary.threaded
    if stored != len(corpus) or summary.rejected or summary.duplicates:
        log(f"warning: {summary.as_dict()}")
    replies = [mail for mail in corpus if mail.is_reply]
    right = sum(
        1
        for mail in replies
        if conversation_of.get(mail.message_id) is not None
        and conversation_of.get(mail.message_id) == conversation_of.get(mail.root_id)
    )
    return seconds, right / len(replies) if replies else 1.0


# --- the floor -------------------------------------------------------------------------------------------


def run_floor(corpus_dir: Path, workdir: Path) -> float:
    """Seconds to parse every mail with the standard library and commit one row for each."""
    workdir.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{workdir / 'floor.db'}")  # the same SQLite set-up as Firstline's
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE mail (id INTEGER PRIMARY KEY, message_id TEXT UNIQUE, sender TEXT, "
                "subject TEXT, body TEXT)"
            )
        )
    insert = text("INSERT INTO mail (message_id, sender, subject, body) VALUES (:m, :f, :s, :b)")
    parser = BytesParser(policy=policy.default)
    try:
        started = time.perf_counter()
        for path in sorted(corpus_dir.iterdir()):
            message = parser.parsebytes(path.read_bytes())
            part = message.get_body(preferencelist=("plain", "html"))
            body = part.get_content() if part is not None else ""
            with engine.begin() as connection:
                connection.execute(
                    insert,
                    {
                        "m": message["Message-ID"],
                        "f": str(message["From"]),
                        "s": message["Subject"],
                        "b": body,
                    },
                )
        return time.perf_counter() - started
    finally:
        engine.dispose()


def run_parse_only(corpus_dir: Path) -> float:
    """Seconds to parse every mail as the floor does, storing nothing: the ceiling of any ingest."""
    raws = [path.read_bytes() for path in sorted(corpus_dir.iterdir())]
    parser = BytesParser(policy=policy.default)
    started = time.perf_counter()
    for raw in raws:
        message = parser.parsebytes(raw)
        part = message.get_body(preferencelist=("plain", "html"))
        _ = (part.get_content() if part is not None else "", message["Message-ID"], str(message["From"]))
    return time.perf_counter() - started


# --- django-helpdesk -------------------------------------------------------------------------------------

BASELINE_SETTINGS = """
from pathlib import Path
BASE = Path(__file__).resolve().parent
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.sites",
    "django.contrib.humanize", "rest_framework", "helpdesk",
]
SITE_ID = 1
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": __import__("os").environ["BENCH_HELPDESK_DB"],
    # The same SQLite set-up as Firstline's, so the ratio compares the software, not the journal mode.
    "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
}}
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "support@exchange.example"
MEDIA_ROOT = str(BASE / "media")
ROOT_URLCONF = "bench_urls"
HELPDESK_TEAMS_MODE_ENABLED = False
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""

BASELINE_URLS = """
from django.urls import include, path
urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""

BASELINE_RUNNER = """
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")
import django
django.setup()
from django.core.management import call_command
if sys.argv[1] == "migrate":
    call_command("migrate", verbosity=0)
    from helpdesk.models import Queue
    Queue.objects.create(
        title="Support", slug="support", email_address="support@exchange.example",
        email_box_type="local", email_box_local_dir=sys.argv[2], email_box_interval=0,
        allow_email_submission=True, logging_type="none",
    )
    sys.exit(0)
from helpdesk.email import process_email
from helpdesk.models import FollowUp, Ticket
started = time.perf_counter()
process_email(quiet=True)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds, "tickets": Ticket.objects.count(), "followups": FollowUp.objects.count(),
    "left": len(os.listdir(sys.argv[2])),
}))
"""


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "firstline-bench" / f"django-helpdesk-{HELPDESK_VERSION}"


def ensure_helpdesk_venv() -> tuple[Path | None, str]:
    """The baseline's Python, installing django-helpdesk into a virtual environment of its own on first use."""
    venv = _cache_dir()
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import helpdesk, django"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python, ""
    log(f"installing django-helpdesk {HELPDESK_VERSION} into {venv} (once)")
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"django-helpdesk=={HELPDESK_VERSION}"],
    ]  # fmt: skip
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"could not install django-helpdesk: {type(exc).__name__}: {exc}"[:300]
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"could not install django-helpdesk: {tail[0]}"[:300]
    return python, ""


def run_baseline(python: Path, corpus_dir: Path, workdir: Path, rounds: int) -> tuple[list[float], str]:
    """Seconds for django-helpdesk's get_email to ingest a copy of the corpus, one fresh database a round."""
    app = workdir / "helpdesk"
    app.mkdir(parents=True)
    (app / "bench_settings.py").write_text(BASELINE_SETTINGS)
    (app / "bench_urls.py").write_text(BASELINE_URLS)
    (app / "runner.py").write_text(BASELINE_RUNNER)
    template = app / "template.sqlite3"
    mail_dir = app / "maildir"
    environment = {**os.environ, "BENCH_HELPDESK_DB": str(template), "PYTHONPATH": str(app)}
    environment.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [str(python), "runner.py", "migrate", str(mail_dir)],
        cwd=app, env=environment, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        return [], f"django-helpdesk set-up failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"[:300]
    expected = len(list(corpus_dir.iterdir()))
    timings: list[float] = []
    for number in range(rounds):
        database = app / f"round{number}.sqlite3"
        shutil.copyfile(template, database)
        shutil.rmtree(mail_dir, ignore_errors=True)
        shutil.copytree(corpus_dir, mail_dir)  # get_email deletes what it ingests
        done = subprocess.run(
            [str(python), "runner.py", "ingest", str(mail_dir)],
            cwd=app, env={**environment, "BENCH_HELPDESK_DB": str(database)},
            capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        if done.returncode != 0:
            return [], f"django-helpdesk get_email failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"[
                :300
            ]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["left"]:
            return [], f"django-helpdesk left {result['left']} of {expected} mails unprocessed"
        log(
            f"django-helpdesk round {number + 1}: {expected / result['seconds']:.1f} msgs/s "
            f"({result['tickets']} tickets, {result['followups']} follow-ups)"
        )
        timings.append(result["seconds"])
    return timings, ""


# --- main --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 mails: under a minute")
    parser.add_argument("--messages", type=int, help="corpus size (default 2000, or 200 with --quick)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of each measurement; medians are quoted"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip django-helpdesk")
    args = parser.parse_args()
    count = args.messages or (200 if args.quick else 2000)
    with tempfile.TemporaryDirectory(prefix="firstline-email-bench-") as temporary:
        workdir = Path(temporary)
        corpus = generate_corpus(count, SEED)
        corpus_dir = workdir / "corpus"
        write_corpus(corpus, corpus_dir)
        size = sum(len(mail.raw) for mail in corpus)
        replies = sum(mail.is_reply for mail in corpus)
        log(f"corpus: {count} mails, {size / count / 1024:.1f} KB on average, {replies} replies")

        # Warm-up, untimed: module imports, first-use set-up and the parser's caches, for both sides.
        warm_dir = workdir / "warm-corpus"
        write_corpus(corpus[:30], warm_dir)
        run_firstline(warm_dir, corpus[:30], workdir / "warm-firstline")
        run_floor(warm_dir, workdir / "warm-floor")

        firstline_times: list[float] = []
        floor_times: list[float] = []
        parse_times: list[float] = []
        accuracies: list[float] = []
        for number in range(args.rounds):
            seconds, accuracy = run_firstline(corpus_dir, corpus, workdir / f"firstline{number}")
            firstline_times.append(seconds)
            accuracies.append(accuracy)
            floor_times.append(run_floor(corpus_dir, workdir / f"floor{number}"))
            parse_times.append(run_parse_only(corpus_dir))
            log(
                f"round {number + 1}: Firstline {count / seconds:.1f} msgs/s (threading {accuracy:.3f}), "
                f"floor {count / floor_times[-1]:.1f} msgs/s, parsing alone {count / parse_times[-1]:.1f} msgs/s"
            )

        baseline: float | None = None
        reason = "skipped (--no-baseline)" if args.no_baseline else ""
        if not args.no_baseline:
            python, reason = ensure_helpdesk_venv()
            if python is not None:
                baseline_rounds = 1 if args.quick else args.rounds
                timings, reason = run_baseline(python, corpus_dir, workdir / "baseline", baseline_rounds)
                baseline = count / statistics.median(timings) if timings else None

    rate = count / statistics.median(firstline_times)
    floor = count / statistics.median(floor_times)
    parse_ceiling = count / statistics.median(parse_times)
    result: dict[str, object] = {
        "messages": count,
        "msgs_per_s": round(rate, 1),
        "baseline_msgs_per_s": round(baseline, 1) if baseline is not None else None,
        "ratio_to_baseline": round(rate / baseline, 2) if baseline else None,
        "floor_msgs_per_s": round(floor, 1),
        "ratio_to_floor": round(rate / floor, 2),
        "threading_accuracy": round(min(accuracies), 4),
        "parse_only_msgs_per_s": round(parse_ceiling, 1),
        "parse_only_ratio_to_baseline": round(parse_ceiling / baseline, 2) if baseline else None,
        "replies": replies,
        "rounds": args.rounds,
    }
    if baseline is None:
        result["baseline_reason"] = reason
    print(json.dumps(result))


if __name__ == "__main__":
    main()
