"""Command line: ``slotbook serve | demo | worker | deliveries | migrate | catalog | keys |
customers | retention | audit``. Thin: parse, then call."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy.exc import OperationalError

from slotbook.catalog.loader import read_catalog_file
from slotbook.config import (
    DATABASE_ENV,
    PRECEDENCE,
    SERVER_KEYS,
    WORKER_KEYS,
    InvalidSetting,
    Settings,
    add_flags,
    config_arg,
    database_from,
    from_args,
)
from slotbook.domain.errors import CatalogError, DomainError
from slotbook.persistence.database import UnsupportedDatabase

METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
DEMO_FILE = "slotbook-demo.sqlite3"
DEMO_DATABASE = f"sqlite:///{DEMO_FILE}"
DEMO_MAIL_FOLDER = "slotbook-demo-mail"
SCOPES = ("booking", "staff", "admin")


def _database_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help=f"database URL (default: ${DATABASE_ENV}, database_url in the settings file, or a "
        "SQLite file in the working directory); postgresql://user@host:port/db selects PostgreSQL",
    )
    config_arg(parser)


def _server_settings(parser: argparse.ArgumentParser, keys: Sequence[str] = SERVER_KEYS) -> None:
    """Every setting of a server as a flag (see ``slotbook.config.OPTIONS``)."""
    config_arg(parser)
    add_flags(parser, keys)


def _tenant_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", required=True, help="tenant id")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slotbook", description="Self-hosted appointment booking", epilog=PRECEDENCE
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server", epilog=PRECEDENCE)
    _server_settings(serve)

    worker = commands.add_parser(
        "worker", help="send the notifications (e-mail, webhooks, SMS)", epilog=PRECEDENCE
    )
    _server_settings(worker, WORKER_KEYS)

    sent = commands.add_parser("deliveries", help="the log of notifications; resend one")
    _database_arg(sent)
    sent.add_argument("--tenant", help="tenant id (required to list)")
    sent.add_argument("--failed", action="store_true", help="only those that failed")
    sent.add_argument("action", nargs="?", choices=["retry"], help="retry ID: send it again")
    sent.add_argument("id", nargs="?", type=int)

    demo = commands.add_parser(
        "demo", help=f"serve the demo catalog on SQLite (data in ./{DEMO_FILE})"
    )
    # The demo's own database, whatever SLOTBOOK_DATABASE_URL says: never a real one.
    demo.add_argument("--database", metavar="URL", default=DEMO_DATABASE)
    demo.add_argument(
        "--reset", action="store_true", help="start from an empty demo database (deletes it)"
    )
    _server_settings(
        demo, [k for k in SERVER_KEYS if k not in ("database_url", "catalog", "workers")]
    )

    config = commands.add_parser("config", help="the server's settings")
    config_commands = config.add_subparsers(dest="action", required=True)
    show = config_commands.add_parser(
        "show",
        help="print the effective settings (secrets masked) and where each comes from",
        epilog=PRECEDENCE,
    )
    _server_settings(show)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    _database_arg(migrate)

    for name, what in (
        ("backup", "write a consistent copy of the database to FILE, while it serves"),
        ("restore", "replace the database with the backup in FILE (servers stopped), migrate"),
    ):
        copy = commands.add_parser(name, help=what)
        _database_arg(copy)
        copy.add_argument("file", metavar="FILE")

    catalog = commands.add_parser("catalog", help="check or load a catalog file")
    catalog_commands = catalog.add_subparsers(dest="action", required=True)
    check = catalog_commands.add_parser("check", help="validate a catalog file, change nothing")
    check.add_argument("file")
    load = catalog_commands.add_parser("load", help="validate and apply a catalog file")
    load.add_argument("file")
    _database_arg(load)

    keys = commands.add_parser("keys", help="manage API keys")
    key_commands = keys.add_subparsers(dest="action", required=True)
    create = key_commands.add_parser("create", help="create a key (shown once)")
    _tenant_arg(create)
    create.add_argument(
        "--scope",
        choices=SCOPES,
        help="booking: a citizen's page or app; staff: desks and integrations; "
        "admin: catalog, keys, erasure (default booking)",
    )
    create.add_argument("--internal", action="store_true", help="the older name of --scope staff")
    create.add_argument("--label")
    _database_arg(create)
    listing = key_commands.add_parser("list", help="list keys (never their values)")
    listing.add_argument("--tenant")
    _database_arg(listing)
    revoke = key_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    _database_arg(revoke)

    customers = commands.add_parser("customers", help="customers' personal data")
    customer_commands = customers.add_subparsers(dest="action", required=True)
    erase = customer_commands.add_parser(
        "erase", help="anonymise a customer everywhere (appointment times stay)"
    )
    _tenant_arg(erase)
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--external-id")
    who.add_argument("--id", help="any id of the customer")
    _database_arg(erase)

    retention = commands.add_parser("retention", help="apply the tenants' retention periods")
    retention_commands = retention.add_subparsers(dest="action", required=True)
    run = retention_commands.add_parser("run", help="anonymise what is older than retention_days")
    _database_arg(run)

    audit = commands.add_parser("audit", help="print a tenant's audit log (tab-separated)")
    _tenant_arg(audit)
    audit.add_argument("--since", metavar="YYYY-MM-DD", help="from this day on (UTC)")
    _database_arg(audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``slotbook`` command."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except CatalogError as exc:
        print(
            f"catalog refused ({len(exc.problems)} problem(s)), nothing was applied:",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"error: cannot use the database: {exc.orig}", file=sys.stderr)
        return 1
    except (UnsupportedDatabase, InvalidSetting) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "catalog" and args.action == "check":
        document = read_catalog_file(args.file)
        print(f"{args.file}: ok ({len(document.tenants)} tenant(s))")
        return 0
    if args.command == "config":
        return _show_config(from_args(args))
    database = database_from(args)
    if args.command == "demo":
        return _demo(args, database)
    if args.command == "serve":
        return _serve(args, database)
    if args.command == "migrate":
        return _migrate(database)
    if args.command in ("backup", "restore"):
        return _backup(args.command, database, Path(args.file))
    if args.command == "worker":
        return _worker(args, database)
    from slotbook.bootstrap import build_slotbook

    app = build_slotbook(database)
    if args.command == "catalog":
        from slotbook.services.catalog import load_catalog

        document = read_catalog_file(args.file)
        load_catalog(app, document)
        print(f"{args.file}: loaded {len(document.tenants)} tenant(s)")
    elif args.command == "keys":
        _keys(app, args)
    elif args.command == "customers":
        from slotbook.services.catalog import tenant_catalog
        from slotbook.services.privacy import erase_customer

        done = erase_customer(
            app,
            tenant_catalog(app, args.tenant),
            email=args.email,
            external_id=args.external_id,
            customer_id=args.id,
        )
        print(f"erased {done.customers} customer(s); anonymised {done.appointments} appointment(s)")
    elif args.command == "retention":
        from slotbook.services.housekeeping import run_retention

        for tenant, done in run_retention(app).items():
            print(
                f"{tenant}: anonymised {done.appointments} appointment(s), "
                f"{done.customers} customer(s)"
            )
    elif args.command == "deliveries":
        return _deliveries(app, args)
    else:
        _audit(app, args)
    return 0


def _show_config(settings: Settings) -> int:
    """Print the settings as a settings file would say them, each with its source."""
    for key, value, source in settings.shown():
        print(f"{key} = {value}  # {source}")
    return 0


def _worker(args: argparse.Namespace, database: str) -> int:
    import signal
    import threading

    from slotbook.api.kit.logs import configure_logging
    from slotbook.bootstrap import build_slotbook
    from slotbook.notifications.worker import Worker, worker_settings

    settings = from_args(args)
    configure_logging(settings.log_level, settings.log_format)
    worker = Worker(build_slotbook(settings.database_url), worker_settings(settings))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"Slotbook worker {worker.name}: sending notifications (Ctrl-C stops)", file=sys.stderr)
    worker.run(stop)
    return 0


def _deliveries(app: object, args: argparse.Namespace) -> int:
    from slotbook.services import deliveries
    from slotbook.services.catalog import tenant_catalog
    from slotbook.services.context import Slotbook

    assert isinstance(app, Slotbook)
    catalog = tenant_catalog(app, args.tenant) if args.tenant else None
    if args.action == "retry":
        if args.id is None:
            raise InvalidSetting("deliveries retry ID: give the id the list shows")
        if not deliveries.retry(app, catalog, args.id):
            print(f"delivery {args.id}: not found, or not failed or dropped", file=sys.stderr)
            return 1
        print(f"delivery {args.id} queued again")
        return 0
    if catalog is None:
        raise InvalidSetting("deliveries: give --tenant to list a tenant's deliveries")
    print("\t".join(["id", "created", "event", "channel", "status", "attempts", "last error"]))
    for d in deliveries.listing(app, catalog, failed_only=args.failed):
        # The target (an address, a phone number) is personal data: not printed.
        row = [str(d.id), d.created.isoformat(timespec="seconds"), d.event_type, d.channel]
        print("\t".join([*row, d.status, str(d.attempts), d.last_error or ""]))
    return 0


def _keys(app: object, args: argparse.Namespace) -> None:
    from slotbook.services import access
    from slotbook.services.actor import Scope
    from slotbook.services.context import Slotbook

    assert isinstance(app, Slotbook)
    if args.action == "create":
        if args.internal and args.scope not in (None, "staff"):
            raise InvalidSetting("--internal means --scope staff; give one of them")
        scope = Scope(args.scope or ("staff" if args.internal else "booking"))
        created = access.create_key(app, tenant_key=args.tenant, scope=scope, label=args.label)
        print(created.key)
        print(
            f"key id {created.info.id} ({scope} scope) for tenant {args.tenant}; "
            "store it now, it is not shown again",
            file=sys.stderr,
        )
    elif args.action == "list":
        for info in access.list_keys(app, tenant_key=args.tenant):
            state = "revoked" if info.revoked else "active"
            fields = [str(info.id), info.tenant_key, info.prefix + "…", info.scope, info.source]
            print("\t".join([*fields, state, info.label or ""]))
    else:
        access.revoke_key(app, key_id=args.id)
        print(f"key {args.id} revoked")


def _audit(app: object, args: argparse.Namespace) -> None:
    from slotbook.services.audit import read_log
    from slotbook.services.catalog import tenant_catalog
    from slotbook.services.context import Slotbook

    assert isinstance(app, Slotbook)
    since = None
    if args.since:
        try:
            since = datetime.combine(date.fromisoformat(args.since), time(0), tzinfo=UTC)
        except ValueError:
            raise InvalidSetting(f"--since {args.since!r}: give a date as YYYY-MM-DD") from None
    print(
        "\t".join(
            [
                "at",
                "key",
                "scope",
                "client",
                "operation",
                "appointment",
                "outcome",
                "route",
                "detail",
            ]
        )
    )
    for entry in read_log(app, tenant_catalog(app, args.tenant), since=since):
        row = [
            entry.at.isoformat(timespec="seconds"),
            "-" if entry.key_id is None else str(entry.key_id),
            entry.scope or "-",
            entry.client_address or "-",
            entry.operation,
            entry.appointment or "-",
            entry.outcome,
            entry.route or "-",
            entry.detail or "",
        ]
        print("\t".join(row))


def _migrate(database: str) -> int:
    from slotbook.persistence.database import create_db_engine, migrate

    before, after = migrate(create_db_engine(database))
    if before is None:
        print(f"created the schema (revision {after})")
    elif before == after:
        print(f"the schema is up to date (revision {after})")
    else:
        print(f"upgraded the schema from revision {before} to {after}")
    return 0


def _backup(command: str, database: str, file: Path) -> int:
    from slotbook.persistence.backup import BackupError, backup, restore

    try:
        done = (backup if command == "backup" else restore)(database, file)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    verb = "wrote" if command == "backup" else "restored from"
    print(f"{verb} {done.file} ({done.size} bytes); schema revision {done.revision}")
    return 0


def _demo(args: argparse.Namespace, database: str) -> int:
    from slotbook.demo import DEMO_CATALOG

    if args.reset and database == DEMO_DATABASE:
        for suffix in ("", "-wal", "-shm"):
            Path(DEMO_FILE + suffix).unlink(missing_ok=True)
    args.catalog, args.workers = str(DEMO_CATALOG), 1
    if not (args.smtp_url or args.mail_folder or os.environ.get("SLOTBOOK_SMTP_URL")):
        args.mail_folder = DEMO_MAIL_FOLDER
    print(f"Slotbook demo: the bundled catalog on {database}")
    if args.mail_folder:
        print(f"  mails are written to {Path(args.mail_folder).resolve()}/ as .eml files")
    print("  (start again from scratch with: slotbook demo --reset)")
    return _serve(args, database)


def _serve(args: argparse.Namespace, database: str) -> int:
    import shutil
    import signal
    import tempfile

    settings = from_args(args)
    made_dir = None
    if settings.metrics and not os.environ.get(METRICS_DIR_ENV):
        # Before prometheus_client is imported (below): each process then writes its numbers
        # to this folder and a scrape adds them up, however many workers there are.
        made_dir = tempfile.mkdtemp(prefix="slotbook-metrics-")
        os.environ[METRICS_DIR_ENV] = made_dir
        # uvicorn hands a SIGTERM back to the handler it found once it has shut down: make
        # that an exit that runs the clean-up below (the default would kill the process).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return _run_server(settings)
    finally:
        if made_dir is not None:
            shutil.rmtree(made_dir, ignore_errors=True)
            os.environ.pop(METRICS_DIR_ENV, None)


def _run_server(settings: Settings) -> int:
    import tempfile

    import uvicorn

    from slotbook.api.kit.logs import configure_logging, uvicorn_log_config
    from slotbook.api.kit.metrics import serve_metrics
    from slotbook.api.kit.server import FAIR_LOOP, NODELAY_PROTOCOL, SHARES_ENV
    from slotbook.bootstrap import build_slotbook, database_numbers
    from slotbook.services.catalog import load_catalog

    configure_logging(settings.log_level, settings.log_format)
    app = build_slotbook(settings.database_url)  # migrates before any worker starts
    if settings.catalog:
        load_catalog(app, read_catalog_file(settings.catalog))
    os.environ.update(settings.to_env())
    stop_metrics = None
    if settings.metrics and settings.metrics_port is not None:
        engine = getattr(app.uows, "engine")  # noqa: B009 (not in the protocol)
        stop_metrics = serve_metrics(
            settings.metrics_host, settings.metrics_port, database_numbers(engine, app)
        )
    shares = None
    if settings.workers > 1:  # the workers count their connections here (api/kit/server.py)
        handle, shares = tempfile.mkstemp(prefix="slotbook-connections-")
        os.close(handle)
        os.environ[SHARES_ENV] = shares
    try:
        uvicorn.run(
            "slotbook.bootstrap:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers if settings.workers > 1 else None,
            log_level=settings.log_level,
            log_config=uvicorn_log_config(settings.log_level, settings.log_format),
            # Slotbook writes its own request line (routes, not paths: no personal data), and
            # decides itself which proxies may name the client (--trusted-proxy).
            access_log=False,
            proxy_headers=False,
            http=NODELAY_PROTOCOL,
            loop=FAIR_LOOP if shares else "auto",
        )
    finally:
        if shares is not None:
            os.environ.pop(SHARES_ENV, None)
            Path(shares).unlink(missing_ok=True)
        if stop_metrics is not None:
            stop_metrics()
    return 0
