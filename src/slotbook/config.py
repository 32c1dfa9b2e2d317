"""Settings, read when asked (never at import time)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from slotbook.persistence.database import default_database_url

DATABASE_ENV = "SLOTBOOK_DATABASE_URL"
CORS_ENV = "SLOTBOOK_CORS_ORIGINS"
PROXIES_ENV = "SLOTBOOK_TRUSTED_PROXIES"
SMTP_ENV = "SLOTBOOK_SMTP_URL"
MAIL_FOLDER_ENV = "SLOTBOOK_MAIL_FOLDER"
MAIL_FROM_ENV = "SLOTBOOK_MAIL_FROM"
MAIL_TEMPLATES_ENV = "SLOTBOOK_MAIL_TEMPLATES"
PUBLIC_URL_ENV = "SLOTBOOK_PUBLIC_URL"
WORKER_ENV = "SLOTBOOK_WORKER"
GIVE_UP_ENV = "SLOTBOOK_DELIVERY_GIVE_UP_AFTER"
LEASE_ENV = "SLOTBOOK_DELIVERY_LEASE"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEFAULT_MAIL_FROM = "slotbook@localhost"


class InvalidSetting(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings of one server process."""

    database_url: str
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    smtp_url: str | None = None
    mail_folder: str | None = None  # without an SMTP server: each mail as an .eml file here
    mail_from: str = DEFAULT_MAIL_FROM
    mail_templates: str | None = None  # <dir>/<tenant>/<template> overrides a mail template
    public_url: str = DEFAULT_PUBLIC_URL  # where citizens reach this server (manage links)
    worker: bool = True  # deliver the outbox from this process
    delivery_give_up_hours: float = 24.0  # retry a message this long, then mark it failed
    # How long a worker holds a message it is sending; after a crash, another worker takes it
    # over once this has passed. Longer than any one send (SMTP 30 s, webhooks 10 s).
    delivery_lease_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise InvalidSetting("--smtp-url: give smtp://user:password@host:port or smtps://…")
        if not 0 < self.delivery_give_up_hours <= 24 * 30:
            raise InvalidSetting("--delivery-give-up-after: give hours, more than 0, at most 720")
        if not self.public_url.startswith(("http://", "https://")):
            raise InvalidSetting(
                f"--public-url {self.public_url!r}: give a scheme and host, e.g. "
                "https://afspraak.example.org"
            )
        for origin in self.cors_origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise InvalidSetting(
                    f"cors origin {origin!r}: give a scheme and host, e.g. https://example.org"
                )
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise InvalidSetting(
                    f"trusted proxy {proxy!r}: give an IP address or network, e.g. 10.0.0.0/8"
                ) from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment (``SLOTBOOK_…``)."""
        env = os.environ if env is None else env
        return cls(
            database_url=env.get(DATABASE_ENV) or default_database_url(),
            cors_origins=_listed(env.get(CORS_ENV)),
            trusted_proxies=_listed(env.get(PROXIES_ENV)),
            smtp_url=env.get(SMTP_ENV) or None,
            mail_folder=env.get(MAIL_FOLDER_ENV) or None,
            mail_from=env.get(MAIL_FROM_ENV) or DEFAULT_MAIL_FROM,
            mail_templates=env.get(MAIL_TEMPLATES_ENV) or None,
            public_url=env.get(PUBLIC_URL_ENV) or DEFAULT_PUBLIC_URL,
            worker=env.get(WORKER_ENV, "1") != "0",
            delivery_give_up_hours=_hours(env.get(GIVE_UP_ENV)),
            delivery_lease_seconds=float(env.get(LEASE_ENV) or 300),
        )

    def to_env(self) -> dict[str, str]:
        """The same settings as environment variables (for server worker processes)."""
        return {
            DATABASE_ENV: self.database_url,
            CORS_ENV: ",".join(self.cors_origins),
            PROXIES_ENV: ",".join(self.trusted_proxies),
            SMTP_ENV: self.smtp_url or "",
            MAIL_FOLDER_ENV: self.mail_folder or "",
            MAIL_FROM_ENV: self.mail_from,
            MAIL_TEMPLATES_ENV: self.mail_templates or "",
            PUBLIC_URL_ENV: self.public_url,
            WORKER_ENV: "1" if self.worker else "0",
            GIVE_UP_ENV: str(self.delivery_give_up_hours),
            LEASE_ENV: str(self.delivery_lease_seconds),
        }


def _hours(value: str | None) -> float:
    try:
        return float(value) if value else 24.0
    except ValueError:
        raise InvalidSetting(f"{GIVE_UP_ENV}={value!r}: give a number of hours") from None


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def merged(flags: Sequence[str] | None, from_env: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable flag wins over its environment variable when given."""
    return tuple(flags) if flags else from_env
