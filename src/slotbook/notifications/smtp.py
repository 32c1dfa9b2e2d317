"""Where composed e-mail goes: an SMTP server, or a folder of ``.eml`` files (tests, demos).

Failures become ``DeliveryError``s whose reason is kept in the delivery log, so a reason never
carries the recipient's address, whatever the server put in its reply.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import ssl
import tempfile
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from slotbook.notifications.errors import DeliveryError

_SCHEMES = {"smtp": 25, "smtps": 465}
_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]")
_STAMP = "%Y%m%dT%H%M%S%fZ"  # no "-", so a file name splits into stamp and id at the first one


class MailSender(Protocol):
    """Sends one composed message or raises ``DeliveryError``."""

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over for delivery to the addresses in its headers."""


class SmtpSender:
    """An SMTP server at ``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://``."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise ValueError("an SMTP URL starts with smtp:// or smtps://")
        if not parts.hostname:
            raise ValueError("an SMTP URL needs a host, as in smtp://mail.example.org:587")
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname
        # .port raises ValueError itself for a port outside 0-65535.
        self._port = parts.port or _SCHEMES[parts.scheme]
        # Passwords often hold "@", ":" or "/", which only fit in a URL percent-encoded.
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password or "")
        self._timeout = timeout

    def send(self, message: EmailMessage) -> None:
        """Deliver over a fresh connection; 5xx replies are permanent, anything else is retried."""
        try:
            smtp = self._connect()
            try:
                if self._user:
                    smtp.login(self._user, self._password)
                smtp.send_message(message)
                _say_goodbye(smtp)
            finally:
                smtp.close()
        except smtplib.SMTPRecipientsRefused as error:
            replies = list(error.recipients.values())
            codes = sorted({code for code, _ in replies})
            # A 4xx here is greylisting or a full mailbox: worth another try later.
            raise DeliveryError(
                f"SMTP {'/'.join(map(str, codes))} refused the recipient"
                + _server_text(replies[0][1] if replies else b""),
                permanent=all(code >= 500 for code in codes),
            ) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(
                f"SMTP {error.smtp_code} {_stage(error)}{_server_text(error.smtp_error)}",
                permanent=error.smtp_code >= 500,
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            # The server lacks AUTH or SMTPUTF8: retrying against the same server cannot help.
            raise DeliveryError(f"SMTP server: {error}", permanent=True) from None
        except (OSError, smtplib.SMTPException) as error:  # refused, timed out, TLS, hung up
            detail = _scrub(str(error)) or type(error).__name__
            raise DeliveryError(f"SMTP {self._host}:{self._port} failed: {detail}") from None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self._implicit_tls:
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()  # the capabilities (AUTH among them) may differ once encrypted
        except BaseException:
            smtp.close()
            raise
        return smtp


class FolderSender:
    """Writes each message to ``<folder>/<timestamp>-<message-id>.eml``; a resend overwrites it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        """Write the message whole (temp file, then rename) so readers never see half of it."""
        message_id = str(message["Message-ID"] or "").strip("<> \t") or uuid.uuid4().hex
        safe = _UNSAFE.sub("_", message_id)[:150]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self._existing(safe) or self.folder / (
                f"{datetime.now(UTC).strftime(_STAMP)}-{safe}.eml"
            )
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(message.as_bytes())
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise DeliveryError(f"cannot write to the mail folder: {error.strerror}") from None

    def _existing(self, safe: str) -> Path | None:
        """The file an earlier send of this Message-ID wrote, if any."""
        for path in self.folder.glob(f"*-{safe}.eml"):
            if path.name.split("-", 1)[1] == f"{safe}.eml":
                return path
        return None


def mail_sender_from(url: str | None, folder: Path | None) -> MailSender | None:
    """The configured sender: SMTP when ``url`` is set, else a folder, else none (no e-mail)."""
    if url:
        if urlsplit(url).scheme not in _SCHEMES:
            raise ValueError("--smtp-url must start with smtp:// or smtps://")
        return SmtpSender(url)
    if folder is not None:
        return FolderSender(folder)
    return None


def _say_goodbye(smtp: smtplib.SMTP) -> None:
    """QUIT after a delivery; a server that answers it badly has still accepted the message."""
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.quit()


def _stage(error: smtplib.SMTPResponseException) -> str:
    """Which step the server said no to, in words without personal data."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "refused the login"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "refused the sender"
    if isinstance(error, smtplib.SMTPDataError):
        return "refused the message"
    if isinstance(error, smtplib.SMTPConnectError):
        return "refused the connection"
    return "refused"


def _server_text(reply: bytes | str) -> str:
    text = _scrub(reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply))
    return f": {text}" if text else ""


def _scrub(text: str) -> str:
    """One line of at most 200 characters, with anything like an e-mail address removed."""
    return _ADDRESS.sub("<address>", " ".join(text.split()))[:200]
