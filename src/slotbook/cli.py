"""Command line: ``slotbook serve | demo | migrate | catalog | keys``. Thin: parse, then call."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from slotbook.catalog.loader import read_catalog_file
from slotbook.config import DATABASE_ENV
from slotbook.domain.errors import CatalogError, DomainError
from slotbook.persistence.database import UnsupportedDatabase, default_database_url

DEMO_DATABASE = "sqlite:///slotbook-demo.sqlite3"


def _database_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help=f"database URL (default: ${DATABASE_ENV} or a SQLite file in the working directory); "
        "postgresql://user@host:port/db selects PostgreSQL",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slotbook", description="Self-hosted appointment booking")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server")
    _database_arg(serve)
    serve.add_argument("--catalog", metavar="FILE", help="load this catalog file on start")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")

    demo = commands.add_parser("demo", help="serve the demo catalog on SQLite")
    demo.add_argument("--database", metavar="URL", default=DEMO_DATABASE)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    _database_arg(migrate)

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
    create.add_argument("--tenant", required=True)
    create.add_argument("--internal", action="store_true", help="may book offline services")
    create.add_argument("--label")
    _database_arg(create)
    listing = key_commands.add_parser("list", help="list keys (never their values)")
    listing.add_argument("--tenant")
    _database_arg(listing)
    revoke = key_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    _database_arg(revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``slotbook`` command."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except CatalogError as exc:
        print("catalog refused, nothing was applied:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"error: cannot use the database: {exc.orig}", file=sys.stderr)
        return 1
    except UnsupportedDatabase as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from slotbook.bootstrap import build_slotbook
    from slotbook.services import access
    from slotbook.services.catalog import load_catalog

    if args.command == "catalog" and args.action == "check":
        document = read_catalog_file(args.file)
        print(f"{args.file}: ok ({len(document.tenants)} tenant(s))")
        return 0
    database = getattr(args, "database", None) or default_database_url()
    if args.command == "demo":
        from slotbook.demo import DEMO_CATALOG

        args.catalog, args.workers = str(DEMO_CATALOG), 1
        print("Slotbook demo: the bundled catalog on", database)
        return _serve(args, database)
    if args.command == "serve":
        return _serve(args, database)
    app = build_slotbook(database)
    if args.command == "migrate":
        print("schema is up to date")
    elif args.command == "catalog":
        document = read_catalog_file(args.file)
        load_catalog(app, document)
        print(f"{args.file}: loaded {len(document.tenants)} tenant(s)")
    elif args.action == "create":
        created = access.create_key(
            app, tenant_key=args.tenant, internal=args.internal, label=args.label
        )
        print(created.key)
        print(
            f"key id {created.info.id} for tenant {args.tenant}; "
            "store it now, it is not shown again",
            file=sys.stderr,
        )
    elif args.action == "list":
        for info in access.list_keys(app, tenant_key=args.tenant):
            state = "revoked" if info.revoked else "active"
            kind = "internal" if info.internal else "public"
            print(
                "\t".join(
                    [
                        str(info.id),
                        info.tenant_key,
                        info.prefix + "…",
                        kind,
                        info.source,
                        state,
                        info.label or "",
                    ]
                )
            )
    else:
        access.revoke_key(app, key_id=args.id)
        print(f"key {args.id} revoked")
    return 0


def _serve(args: argparse.Namespace, database: str) -> int:
    import uvicorn

    from slotbook.bootstrap import build_slotbook
    from slotbook.services.catalog import load_catalog

    app = build_slotbook(database)  # migrates before any worker starts
    if args.catalog:
        load_catalog(app, read_catalog_file(args.catalog))
    os.environ[DATABASE_ENV] = database
    uvicorn.run(
        "slotbook.bootstrap:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        log_level="info",
    )
    return 0
