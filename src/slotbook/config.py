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


class InvalidSetting(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings of one server process."""

    database_url: str
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
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
        )

    def to_env(self) -> dict[str, str]:
        """The same settings as environment variables (for server worker processes)."""
        return {
            DATABASE_ENV: self.database_url,
            CORS_ENV: ",".join(self.cors_origins),
            PROXIES_ENV: ",".join(self.trusted_proxies),
        }


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def merged(flags: Sequence[str] | None, from_env: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable flag wins over its environment variable when given."""
    return tuple(flags) if flags else from_env
