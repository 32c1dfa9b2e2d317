"""Settings, read when asked (never at import time).

Every setting has a command-line flag, an environment variable (``SLOTBOOK_…``) and a key in
an optional TOML settings file (``--config slotbook.toml``). One rule decides which counts:
a flag beats the environment, the environment beats the file, the file beats the default.
``OPTIONS`` is the one table of them; the README's table and ``slotbook config show`` follow
it.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from slotbook.persistence.database import DEFAULT_SQLITE_FILE

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
CONFIG_ENV = "SLOTBOOK_CONFIG"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEFAULT_MAIL_FROM = "slotbook@localhost"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_SQLITE_FILE}"
PRECEDENCE = (
    "Every setting is a flag, an environment variable (SLOTBOOK_…) and a key in the settings "
    "file (--config FILE or SLOTBOOK_CONFIG, TOML): a flag beats the environment, the "
    "environment beats the file, the file beats the default. `slotbook config show` prints "
    "the result."
)
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
Kind = Literal["text", "int", "float", "bool", "list", "choice"]
Source = Literal["flag", "environment", "file", "default"]


class InvalidSetting(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Option:
    """One setting: its file key (also the ``Settings`` field), flag and environment name."""

    key: str
    flag: str
    env: str
    kind: Kind
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    secret: bool = False  # masked in `config show`
    check: Callable[[Any], str | None] | None = None  # a problem with the value, or None
    dest: str = ""  # the parsed flag's attribute, when not the key

    @property
    def attribute(self) -> str:
        """Where argparse puts the flag's value."""
        return self.dest or self.key

    def named(self) -> str:
        """How a message names the setting: key, flag and environment variable."""
        return f"{self.key} ({self.flag}, {self.env})"


def _url_with_scheme(value: str | None) -> str | None:
    if value is None or value.startswith(("http://", "https://")):
        return None
    return "give a scheme and host, e.g. https://afspraak.example.org"


def _smtp(value: str | None) -> str | None:
    if value is None or value.startswith(("smtp://", "smtps://")):
        return None
    return "give smtp://user:password@host:port or smtps://…"


def _port(value: int | None) -> str | None:
    return None if value is None or 0 < value < 65536 else "give a port from 1 to 65535"


def _positive(value: float) -> str | None:
    return None if value > 0 else "give a number more than 0"


def _give_up(value: float) -> str | None:
    return None if 0 < value <= 24 * 30 else "give hours, more than 0, at most 720"


def _origins(values: tuple[str, ...]) -> str | None:
    for origin in values:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            return f"origin {origin!r}: give a scheme and host, e.g. https://example.org"
    return None


def _proxies(values: tuple[str, ...]) -> str | None:
    for proxy in values:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            return f"proxy {proxy!r}: give an IP address or network, e.g. 10.0.0.0/8"
    return None


def _workers(value: int) -> str | None:
    return None if 1 <= value <= 64 else "give a number of processes from 1 to 64"


OPTIONS: tuple[Option, ...] = (
    Option(
        "database_url",
        "--database",
        DATABASE_ENV,
        "text",
        "database URL; postgresql://user@host:port/db selects PostgreSQL "
        f"(default: the SQLite file {DEFAULT_SQLITE_FILE} in the working directory)",
        metavar="URL",
        secret=True,
        dest="database",  # every command's --database, since before settings files
    ),
    Option(
        "host",
        "--host",
        "SLOTBOOK_HOST",
        "text",
        "address to listen on (default 127.0.0.1)",
        metavar="ADDRESS",
    ),
    Option(
        "port",
        "--port",
        "SLOTBOOK_PORT",
        "int",
        "port to listen on (default 8000)",
        metavar="PORT",
        check=_port,
    ),
    Option(
        "workers",
        "--workers",
        "SLOTBOOK_WORKERS",
        "int",
        "server processes (default 1)",
        metavar="N",
        check=_workers,
    ),
    Option(
        "catalog",
        "--catalog",
        "SLOTBOOK_CATALOG",
        "text",
        "load this catalog file on start",
        metavar="FILE",
    ),
    Option(
        "cors_origins",
        "--cors-origin",
        CORS_ENV,
        "list",
        "a website whose pages may call the API from a browser (repeatable; the variable "
        "and the file take a list; default: none, CORS off)",
        metavar="URL",
        check=_origins,
    ),
    Option(
        "trusted_proxies",
        "--trusted-proxy",
        PROXIES_ENV,
        "list",
        "a reverse proxy (address or network) whose X-Forwarded-For names the client (repeatable)",
        metavar="ADDRESS",
        check=_proxies,
    ),
    Option(
        "public_url",
        "--public-url",
        PUBLIC_URL_ENV,
        "text",
        "where citizens reach this server, for the links in mails (default: "
        "http://HOST:PORT of this server)",
        metavar="URL",
        check=_url_with_scheme,
    ),
    Option(
        "smtp_url",
        "--smtp-url",
        SMTP_ENV,
        "text",
        "mail server: smtp://user:password@host:port (STARTTLS when offered) or smtps://…",
        metavar="URL",
        secret=True,
        check=_smtp,
    ),
    Option(
        "mail_folder",
        "--mail-folder",
        MAIL_FOLDER_ENV,
        "text",
        "without a mail server, write each mail as an .eml file here",
        metavar="DIR",
    ),
    Option(
        "mail_from",
        "--mail-from",
        MAIL_FROM_ENV,
        "text",
        f"sender for tenants without notifications.from (default {DEFAULT_MAIL_FROM})",
        metavar="ADDRESS",
    ),
    Option(
        "mail_templates",
        "--mail-templates",
        MAIL_TEMPLATES_ENV,
        "text",
        "per-tenant mail templates: DIR/<tenant>/mail.txt, mail.html",
        metavar="DIR",
    ),
    Option(
        "worker",
        "--worker",
        WORKER_ENV,
        "bool",
        "send notifications from this server (default on; --no-worker: run `slotbook worker`)",
    ),
    Option(
        "delivery_give_up_after",
        "--delivery-give-up-after",
        GIVE_UP_ENV,
        "float",
        "retry a notification this long, then mark it failed (default 24)",
        metavar="HOURS",
        check=_give_up,
    ),
    Option(
        "delivery_lease",
        "--delivery-lease",
        LEASE_ENV,
        "float",
        "how long a worker may take to send one message before another takes it over (default 300)",
        metavar="SECONDS",
        check=_positive,
    ),
    Option(
        "log_level",
        "--log-level",
        "SLOTBOOK_LOG_LEVEL",
        "choice",
        "the least severe log lines written (default info)",
        choices=LOG_LEVELS,
    ),
    Option(
        "log_format",
        "--log-format",
        "SLOTBOOK_LOG_FORMAT",
        "choice",
        "text (one readable line each) or json (one JSON object each) (default text)",
        choices=LOG_FORMATS,
    ),
    Option(
        "metrics",
        "--metrics",
        "SLOTBOOK_METRICS",
        "bool",
        "serve Prometheus metrics at /metrics (default on; --no-metrics: off)",
    ),
    Option(
        "metrics_port",
        "--metrics-port",
        "SLOTBOOK_METRICS_PORT",
        "int",
        "serve /metrics on this port instead of the main one",
        metavar="PORT",
        check=_port,
    ),
    Option(
        "metrics_host",
        "--metrics-host",
        "SLOTBOOK_METRICS_HOST",
        "text",
        "address of the separate metrics port (default 127.0.0.1)",
        metavar="ADDRESS",
    ),
)
BY_KEY = {option.key: option for option in OPTIONS}
SERVER_KEYS = tuple(option.key for option in OPTIONS)
WORKER_KEYS = (
    "database_url",
    "public_url",
    "smtp_url",
    "mail_folder",
    "mail_from",
    "mail_templates",
    "delivery_give_up_after",
    "delivery_lease",
    "log_level",
    "log_format",
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings of one server process (fields named as the settings file's keys)."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    catalog: str | None = None
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    public_url: str = DEFAULT_PUBLIC_URL  # where citizens reach this server (manage links)
    smtp_url: str | None = None
    mail_folder: str | None = None  # without an SMTP server: each mail as an .eml file here
    mail_from: str = DEFAULT_MAIL_FROM
    mail_templates: str | None = None  # <dir>/<tenant>/<template> overrides a mail template
    worker: bool = True  # deliver the outbox from this process
    delivery_give_up_after: float = 24.0  # hours: retry a message this long, then fail it
    # Seconds a worker holds a message it is sending; after a crash, another worker takes it
    # over once this has passed. Longer than any one send (SMTP 30 s, webhooks 10 s).
    delivery_lease: float = 300.0
    log_level: str = "info"
    log_format: str = "text"
    metrics: bool = True
    metrics_port: int | None = None  # None: /metrics on the main port
    metrics_host: str = "127.0.0.1"
    sources: Mapping[str, Source] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for option in OPTIONS:
            value = getattr(self, option.key)
            if option.choices and value not in option.choices:
                raise InvalidSetting(f"{option.named()}: {value!r}: give one of {_or(option)}")
            problem = option.check(value) if option.check else None
            if problem:
                raise InvalidSetting(f"{option.named()}: {problem}")
        if self.metrics_port is not None and self.metrics_port == self.port:
            raise InvalidSetting(
                f"{BY_KEY['metrics_port'].named()}: {self.metrics_port} is the main port; "
                "leave it unset to serve /metrics there"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment (``SLOTBOOK_…``), the file ``SLOTBOOK_CONFIG`` names
        and defaults (an ASGI server started without ``slotbook serve`` gets them all)."""
        env = os.environ if env is None else env
        path = env.get(CONFIG_ENV) or None
        file = read_settings_file(path) if path else None
        return resolve(env=env, file=file, file_name=str(path))

    def to_env(self) -> dict[str, str]:
        """Every setting as an environment variable (for the server's worker processes)."""
        return {option.env: _as_text(getattr(self, option.key)) for option in OPTIONS}

    def shown(self) -> list[tuple[str, str, Source]]:
        """Each setting's key, value as the file would say it (secrets masked) and source."""
        rows = []
        for option in OPTIONS:
            value = getattr(self, option.key)
            text = _as_toml(masked(value) if option.secret and isinstance(value, str) else value)
            rows.append((option.key, text, self.sources.get(option.key, "default")))
        return rows


def _or(option: Option) -> str:
    return ", ".join(option.choices)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _as_toml(value: object) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


_SECRET_PARAMS = frozenset({"password", "pass", "token", "secret", "key", "api_key", "sslkey"})


def masked(value: str) -> str:
    """A URL with its password (and password- or token-like query values) replaced by ***."""
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return "***"
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    pairs = [pair.partition("=") for pair in parts.query.split("&")] if parts.query else []
    query = "&".join(
        f"{name}{eq}{'***' if name.lower() in _SECRET_PARAMS else text}" for name, eq, text in pairs
    )
    if (netloc, query) == (parts.netloc, parts.query):
        return value  # nothing secret: exactly as given
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def read_settings_file(path: str | Path) -> dict[str, Any]:
    """The keys of a TOML settings file; unknown keys and unreadable files are refused."""
    try:
        with Path(path).open("rb") as file:
            found = tomllib.load(file)
    except OSError as exc:
        raise InvalidSetting(f"settings file {path}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidSetting(f"settings file {path}: not valid TOML ({exc})") from None
    unknown = sorted(set(found) - set(BY_KEY))
    if unknown:
        raise InvalidSetting(
            f"settings file {path}: unknown setting {unknown[0]!r} "
            f"(known: {', '.join(sorted(BY_KEY))})"
        )
    return found


def resolve(
    *,
    flags: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    file: Mapping[str, Any] | None = None,
    file_name: str = "settings file",
    defaults: Mapping[str, object] | None = None,
) -> Settings:
    """The effective settings: a flag beats the environment, which beats the file, which
    beats the default. ``flags`` holds only the flags given (None: not given)."""
    values: dict[str, object] = {}
    sources: dict[str, Source] = {}
    for option in OPTIONS:
        flag = (flags or {}).get(option.key)
        text = (env or {}).get(option.env, "")
        if flag is not None and flag != []:
            values[option.key] = _from_flag(option, flag)
            sources[option.key] = "flag"
        elif text.strip():
            values[option.key] = _parse(option, text.strip(), f"{option.env}={text!r}")
            sources[option.key] = "environment"
        elif file is not None and option.key in file:
            raw = file[option.key]
            values[option.key] = _from_file(option, raw, f"{option.key} = {raw!r} in {file_name}")
            sources[option.key] = "file"
        elif defaults and option.key in defaults:
            values[option.key] = defaults[option.key]
    if "public_url" not in values:
        # Links in mails point at this server itself unless told otherwise.
        host = str(values.get("host", "127.0.0.1"))
        port = values.get("port", 8000)
        values["public_url"] = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    for key, value in values.items():
        option = BY_KEY[key]
        where = {"flag": option.flag, "environment": option.env, "file": file_name}.get(
            sources.get(key, "default"), "default"
        )
        problem = _problem(option, value)
        if problem:
            raise InvalidSetting(f"{option.named()} from {where}: {problem}")
    return Settings(**values, sources=sources)  # type: ignore[arg-type]


def _problem(option: Option, value: object) -> str | None:
    if option.choices and value not in option.choices:
        return f"{value!r}: give one of {_or(option)}"
    return option.check(value) if option.check else None


def _from_flag(option: Option, value: object) -> object:
    if option.kind == "list" and isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    if isinstance(value, bool):
        return value
    return _parse(option, str(value), f"{option.flag} {value!r}")


def _parse(option: Option, text: str, shown: str) -> object:
    try:
        if option.kind == "int":
            return int(text)
        if option.kind == "float":
            return float(text)
        if option.kind == "bool":
            lowered = text.lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError
            return lowered in ("1", "true", "yes", "on")
    except ValueError:
        want = {"int": "a whole number", "float": "a number", "bool": "true or false"}
        raise InvalidSetting(f"{option.named()}: {shown}: give {want[option.kind]}") from None
    if option.kind == "list":
        return tuple(part.strip() for part in text.split(",") if part.strip())
    if option.kind == "choice":
        return text.lower()
    return text


def _from_file(option: Option, raw: object, shown: str) -> object:
    expected: dict[Kind, tuple[type, ...]] = {
        "text": (str,),
        "choice": (str,),
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
        "list": (list,),
    }
    wrong = isinstance(raw, bool) and option.kind != "bool"
    if wrong or not isinstance(raw, expected[option.kind]):
        want = {
            "text": "a string",
            "choice": "a string",
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "list": "a list of strings",
        }
        raise InvalidSetting(f"{option.named()}: {shown}: give {want[option.kind]}")
    if option.kind == "list":
        assert isinstance(raw, list)
        if not all(isinstance(item, str) for item in raw):
            raise InvalidSetting(f"{option.named()}: {shown}: give a list of strings")
        return tuple(item.strip() for item in raw if item.strip())
    if option.kind == "float":
        assert isinstance(raw, int | float)
        return float(raw)
    if option.kind == "choice":
        assert isinstance(raw, str)
        return raw.lower()
    return raw


def add_flags(parser: argparse.ArgumentParser, keys: Iterable[str]) -> None:
    """Add the flags of these settings; each defaults to None, meaning "not given"."""
    for key in keys:
        option = BY_KEY[key]
        extra = f" ({option.env}; file key {option.key})"
        if option.kind == "bool":
            parser.add_argument(
                option.flag,
                dest=option.attribute,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=option.help + extra,
            )
        elif option.kind == "list":
            parser.add_argument(
                option.flag,
                dest=option.attribute,
                action="append",
                metavar=option.metavar,
                help=option.help + extra,
            )
        else:
            parser.add_argument(
                option.flag,
                dest=option.attribute,
                metavar=option.metavar,
                choices=option.choices or None,
                help=option.help + extra,
            )


def config_arg(parser: argparse.ArgumentParser) -> None:
    """The ``--config FILE`` flag."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"a TOML settings file (also {CONFIG_ENV}); flags and SLOTBOOK_… variables win "
        "over it",
    )


def from_args(
    args: argparse.Namespace,
    env: Mapping[str, str] | None = None,
    defaults: Mapping[str, object] | None = None,
) -> Settings:
    """The effective settings for a command's parsed flags, the environment and the file."""
    env = os.environ if env is None else env
    path = getattr(args, "config", None) or env.get(CONFIG_ENV) or None
    file = read_settings_file(path) if path else None
    flags = {option.key: getattr(args, option.attribute, None) for option in OPTIONS}
    return resolve(flags=flags, env=env, file=file, file_name=str(path), defaults=defaults)


def database_from(args: argparse.Namespace) -> str:
    """The database URL for commands that need only it (same precedence as every setting)."""
    flag = getattr(args, "database", None)
    if flag:
        return str(flag)
    path = getattr(args, "config", None) or os.environ.get(CONFIG_ENV) or None
    env_value = os.environ.get(DATABASE_ENV, "").strip()
    if env_value:
        return env_value
    if path:
        file = read_settings_file(path)
        if "database_url" in file:
            value = _from_file(BY_KEY["database_url"], file["database_url"], str(path))
            return str(value)
    return DEFAULT_DATABASE_URL
