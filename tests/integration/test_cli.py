"""The ``slotbook`` command: catalog checks and loads, schema migration, key rotation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from slotbook.bootstrap import build_slotbook
from slotbook.domain.errors import AuthenticationRequired
from slotbook.services.access import identify as authorize
from tests.factories import issue_catalog


def slotbook(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slotbook", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_catalog_check_accepts_a_good_file_and_names_problems_of_a_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(issue_catalog()))
    assert slotbook("catalog", "check", str(good)).returncode == 0
    broken = issue_catalog()
    broken["tenants"][0]["branches"][0]["time_zone"] = "Mars/Olympus"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    result = slotbook("catalog", "check", str(bad))
    assert result.returncode == 2
    assert "tenants[0].branches[0].time_zone" in result.stderr
    assert "nothing was applied" in result.stderr


def test_keys_can_be_created_listed_and_revoked(db_url: str, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(issue_catalog()))
    assert slotbook("catalog", "load", str(catalog), "--database", db_url).returncode == 0
    created = slotbook(
        "keys", "create", "--tenant", "acme", "--label", "kiosk", "--database", db_url
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("sk_")
    listed = slotbook("keys", "list", "--database", db_url).stdout
    assert "acme" in listed and "kiosk" in listed and "active" in listed
    assert key not in listed  # only a prefix is ever shown
    app = build_slotbook(db_url, run_migrations=False)
    try:
        with pytest.raises(AuthenticationRequired):
            authorize(app, tenant_key="acme", credential=None)
        assert authorize(app, tenant_key="acme", credential=key).catalog.key == "acme"
        key_id = listed.split("\t", 1)[0]
        assert slotbook("keys", "revoke", key_id, "--database", db_url).returncode == 0
        assert "revoked" in slotbook("keys", "list", "--database", db_url).stdout
        # Revoking the last key locks the tenant; it never opens it again.
        for credential in (key, None):
            with pytest.raises(AuthenticationRequired):
                authorize(app, tenant_key="acme", credential=credential)
    finally:
        app.uows.close()  # type: ignore[attr-defined]
    unknown = slotbook("keys", "create", "--tenant", "nobody", "--database", db_url)
    assert unknown.returncode == 1
    assert "nobody" in unknown.stderr


def test_migrate_on_a_fresh_sqlite_file_says_what_it_did(tmp_path: Path) -> None:
    database = ("--database", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = slotbook("migrate", *database)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created the schema (revision ")
    assert (tmp_path / "fresh.sqlite3").exists()
    assert slotbook("migrate", *database).stdout.startswith("the schema is up to date")


def test_catalog_check_reports_every_problem_in_one_run(tmp_path: Path) -> None:
    broken = issue_catalog()
    tenant = broken["tenants"][0]
    tenant["branches"][0]["time_zone"] = "Mars/Olympus"  # a meaning problem
    tenant["services"][0]["duration"] = "10"  # a shape problem
    tenant["services"][1]["branches"] = ["south"]  # a reference problem
    tenant["combinations"] = [["passport", "nothing"]]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    result = slotbook("catalog", "check", str(bad))
    assert result.returncode == 2
    for place in (
        "tenants[0].services[0].duration",
        "tenants[0].branches[0].time_zone",
        "tenants[0].services[1].branches[0]",
        "tenants[0].combinations[0][1]",
    ):
        assert place in result.stderr, result.stderr


def test_keys_get_a_scope(db_url: str, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(issue_catalog()))
    assert slotbook("catalog", "load", str(catalog), "--database", db_url).returncode == 0
    for args in (("--scope", "admin"), ("--internal",), ()):
        made = slotbook("keys", "create", "--tenant", "acme", *args, "--database", db_url)
        assert made.returncode == 0, made.stderr
    scopes = [
        line.split("\t")[3]
        for line in slotbook("keys", "list", "--database", db_url).stdout.splitlines()
    ]
    assert scopes == ["admin", "staff", "booking"]
    both = slotbook(
        "keys", "create", "--tenant", "acme", "--internal", "--scope", "admin", "--database", db_url
    )
    assert both.returncode == 1


def test_customers_are_erased_audited_and_kept_only_as_long_as_the_tenant_says(
    db_url: str, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(issue_catalog(retention_days=30)))
    assert slotbook("catalog", "load", str(catalog), "--database", db_url).returncode == 0
    app = build_slotbook(db_url, run_migrations=False)
    try:
        from slotbook.domain.model import CustomerDetails
        from slotbook.services.catalog import tenant_catalog
        from slotbook.services.queries import create_customer

        acme = tenant_catalog(app, "acme")
        create_customer(app, acme, CustomerDetails(last_name="Lee", email="ann@example.com"))
    finally:
        app.uows.close()  # type: ignore[attr-defined]
    erased = slotbook(
        "customers", "erase", "--tenant", "acme", "--email", "ANN@example.com", "--database", db_url
    )
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.strip() == "erased 1 customer(s); anonymised 0 appointment(s)"
    retention = slotbook("retention", "run", "--database", db_url)
    assert retention.returncode == 0, retention.stderr
    assert retention.stdout.startswith("acme: anonymised 0 appointment(s)")
    audit = slotbook("audit", "--tenant", "acme", "--database", db_url)
    assert audit.returncode == 0, audit.stderr
    lines = audit.stdout.splitlines()
    assert lines[0].startswith("at\tkey\tscope")
    assert any("\terase_customer\t" in line and "1 customer(s)" in line for line in lines)
    assert "ann@example.com" not in audit.stdout.lower()
    assert (
        slotbook("audit", "--tenant", "acme", "--since", "31-12", "--database", db_url).returncode
        == 1
    )


def test_an_unreachable_or_unsupported_database_is_a_clear_error(tmp_path: Path) -> None:
    missing = slotbook("migrate", "--database", "postgresql://postgres@127.0.0.1:1/none")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: cannot use the database")
    other = slotbook("migrate", "--database", "mysql://somewhere/db")
    assert other.returncode == 1
    assert "unsupported database 'mysql'" in other.stderr


def test_a_revoked_catalog_key_stays_revoked_when_the_catalog_is_loaded_again(
    db_url: str, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(issue_catalog(api_keys=["leaked-key-0001", "kept-key-0001"])))
    load = ("catalog", "load", str(catalog), "--database", db_url)
    assert slotbook(*load).returncode == 0
    listed = slotbook("keys", "list", "--database", db_url).stdout.splitlines()
    leaked_id = listed[0].split("\t", 1)[0]
    assert slotbook("keys", "revoke", leaked_id, "--database", db_url).returncode == 0
    assert slotbook(*load).returncode == 0  # e.g. the next `serve --catalog` start
    app = build_slotbook(db_url, run_migrations=False)
    try:
        with pytest.raises(AuthenticationRequired):
            authorize(app, tenant_key="acme", credential="leaked-key-0001")
        assert authorize(app, tenant_key="acme", credential="kept-key-0001").catalog.key == "acme"
    finally:
        app.uows.close()  # type: ignore[attr-defined]
