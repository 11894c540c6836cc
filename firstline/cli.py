"""The ``firstline`` command."""

from __future__ import annotations

import gc
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from firstline.config import Settings, get_settings
from firstline.db import make_engine, make_session_factory, migrate, session_scope
from firstline.kit.logging import configure_logging

app = typer.Typer(
    help="Firstline: customer support for crypto exchanges. Live chat, email, cases — answered by people.",
    no_args_is_help=True,
    add_completion=False,
)
log = logging.getLogger("firstline.cli")


def _serve(settings: Settings) -> None:
    import uvicorn

    from firstline.web.app import create_app

    web_app = create_app(settings)
    tune_collector()
    # Chat frames are a few hundred bytes: per-message deflate would cost more CPU than it saves bandwidth.
    uvicorn.run(
        web_app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        ws_per_message_deflate=False,
    )


def tune_collector() -> None:
    """Keep the cyclic garbage collector's pauses out of chat latency.

    With thousands of open connections a full collection walks every live object and stalls every
    socket of the process for tens of milliseconds. What exists once the app is built lives as long as
    the process, so it is frozen out of collections; and collections run after 50,000 net allocations
    instead of 700, so the oldest generation is walked rarely. Reference counting still frees
    everything that is not in a cycle at once.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@app.command()
def serve() -> None:
    """Serve the console and API on FIRSTLINE_HOST:FIRSTLINE_PORT (default 127.0.0.1:8000), after migrating."""
    settings = get_settings()
    configure_logging(json_lines=settings.log_json, level=settings.log_level)
    migrate(settings.effective_database_url)
    typer.echo(f"Firstline on http://{settings.host}:{settings.port}")
    _serve(settings)


@app.command(name="migrate")
def migrate_command() -> None:
    """Bring the database (FIRSTLINE_DATABASE_URL, default SQLite in FIRSTLINE_DATA_DIR) to the latest schema."""
    settings = get_settings()
    configure_logging(json_lines=settings.log_json, level=settings.log_level)
    migrate(settings.effective_database_url)
    typer.echo("Database is at the latest schema.")


@app.command()
def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after seeding.")
    ] = True,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same demo data.")] = 7,
) -> None:
    """Create a fresh SQLite demo database with a realistic support floor, then serve it."""
    from firstline.attachments.store import FileStore
    from firstline.demo.seed import DEMO_PASSWORD, seed_demo

    base = get_settings()
    demo_dir = base.data_dir / "demo"
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    settings = base.model_copy(update={"data_dir": demo_dir, "database_url": ""})
    configure_logging(json_lines=settings.log_json, level=settings.log_level)
    migrate(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    with session_scope(make_session_factory(engine)) as session:
        files = FileStore(settings.attachments_dir, max_bytes=settings.attachment_max_bytes)
        summary = seed_demo(session, seed=seed, progress=True, files=files)
    engine.dispose()
    typer.echo(
        f"Demo data: {summary.agents} agents, {summary.customers} customers, "
        f"{summary.conversations} conversations, {summary.messages} messages."
    )
    typer.echo(
        "Cases: " + ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in summary.cases.items())
    )
    typer.echo(f"\nFirstline demo: http://{settings.host}:{settings.port}")
    typer.echo(f"Customer chat (demo exchange page): http://{settings.host}:{settings.port}/demo/exchange\n")
    typer.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, role in summary.logins:
        typer.echo(f"  {email:<34} {role}")
    if serve_after:
        _serve(settings)


@app.command("create-agent")
def create_agent(
    email: Annotated[str, typer.Option(help="Login email.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[list[str], typer.Option(help="Role; repeat for several (agent_l1, admin, …).")],
    language: Annotated[list[str], typer.Option(help="Language as code:proficiency, e.g. it:native.")] = [],  # noqa: B006
    tier: Annotated[str, typer.Option(help="l1, l2, technical or compliance.")] = "l1",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create an agent account (prompts for the password)."""
    from firstline.agents.service import create_agent as do_create
    from firstline.kit.errors import FirstlineError

    settings = get_settings()
    migrate(settings.effective_database_url)
    languages = dict(_language_level(item) for item in language) or None
    engine = make_engine(settings.effective_database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            agent = do_create(
                session, email=email, name=name, password=password, roles=role, languages=languages, tier=tier
            )
            typer.echo(f"Created agent {agent.id}: {agent.email} ({', '.join(agent.roles)})")
    except FirstlineError as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(2) from error
    finally:
        engine.dispose()


def _language_level(item: str) -> tuple[str, str]:
    """'it:native' -> ('it', 'native'); a bare code means fluent."""
    code, _, level = item.partition(":")
    return code, level or "fluent"


@app.command("create-token")
def create_token(
    email: Annotated[str, typer.Option(help="The agent the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")],
) -> None:
    """Create an API token for an agent and print it once."""
    from firstline.agents.auth import create_api_token
    from firstline.agents.service import get_agent_by_email

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            agent = get_agent_by_email(session, email=email)
            if agent is None:
                typer.echo(f"Error: no agent with email {email}.", err=True)
                raise typer.Exit(2)
            _, secret = create_api_token(session, agent_id=agent.id, name=name)
            typer.echo(secret)
    finally:
        engine.dispose()


@app.command("import-mail")
def import_mail(
    paths: Annotated[list[Path], typer.Argument(help=".eml files, directories (Maildir too) or mbox files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    mailbox: Annotated[str, typer.Option(help="Address of the mailbox the mail belongs to.")] = "",
) -> None:
    """Import stored mail through the email intake: threaded, deduplicated, rejected mail kept with a reason."""
    from firstline.email.importer import collect, import_items
    from firstline.email.service import mailbox_id_for
    from firstline.kit.errors import FirstlineError

    settings = get_settings()
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        typer.echo(f"Error: no such file or directory: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    migrate(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine)
    try:
        try:
            with session_scope(factory) as session:
                mailbox_id = mailbox_id_for(session, address=mailbox) if mailbox else None
        except FirstlineError as error:
            typer.echo(f"Error: {error.message}", err=True)
            raise typer.Exit(2) from error
        items = collect(paths)
        with typer.progressbar(length=len(items), label="Importing mail", file=sys.stderr) as bar:
            summary = import_items(
                factory, items, settings=settings, mailbox_id=mailbox_id, on_each=lambda: bar.update(1)
            )
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    typer.echo(
        f"{summary.total} mails: {summary.imported} imported as new conversations, "
        f"{summary.threaded} threaded into existing ones, {summary.duplicates} duplicates skipped, "
        f"{summary.bounces} bounces attached, {summary.rejected} rejected."
    )
    for rejection in summary.rejections:
        typer.echo(f"  rejected {rejection['source']}: {rejection['reason']}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
