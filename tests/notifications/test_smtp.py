"""Sending e-mail to a real SMTP server (aiosmtpd on 127.0.0.1) and to a folder."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from icalendar import Calendar

from slotbook.notifications.errors import DeliveryError
from slotbook.notifications.payload import BOOKED
from slotbook.notifications.smtp import FolderSender, SmtpSender, mail_sender_from
from tests.notifications.payloads import event, mail
from tests.notifications.servers import Collector, free_port, smtp_server

USER, PASSWORD = "mail user", "p@ss:w/rd"  # both need percent-encoding in a URL
CREDENTIALS = "mail%20user:p%40ss%3Aw%2Frd"


class RefusingRecipients(Collector):
    """Says no to every recipient, quoting the address the way real servers do."""

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        return f"{self.code} 5.1.1 <{address}>: Recipient address rejected: no such user"


def authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def message() -> EmailMessage:
    return mail(event(BOOKED))


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl tool)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_a_message_arrives_whole(message: EmailMessage) -> None:
    handler = Collector()
    with smtp_server(handler) as port:
        SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5).send(message)
    (envelope,) = handler.envelopes
    assert envelope.mail_from == "afspraken@katwijk.example"
    assert envelope.rcpt_tos == ["ann@example.org"]
    assert isinstance(envelope.content, bytes)
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert received["Message-ID"] == message["Message-ID"]
    assert received["Subject"] == message["Subject"]
    (ics,) = [p for p in received.walk() if p.get_content_type() == "text/calendar"]
    (entry,) = Calendar.from_ical(ics.get_payload(decode=True)).events
    assert str(entry["uid"]).endswith("@slotbook")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_login_when_the_server_requires_it(message: EmailMessage) -> None:
    handler = Collector()
    options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
    with smtp_server(handler, **options) as port:
        with pytest.raises(DeliveryError) as anonymous:
            SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5).send(message)
        with pytest.raises(DeliveryError) as wrong:
            SmtpSender(f"smtp://{USER}:wrong@127.0.0.1:{port}", timeout=5).send(message)
        SmtpSender(f"smtp://{CREDENTIALS}@127.0.0.1:{port}", timeout=5).send(message)
    assert anonymous.value.permanent
    assert anonymous.value.reason.startswith("SMTP 530 refused the sender")
    assert wrong.value.permanent
    assert wrong.value.reason.startswith("SMTP 535 refused the login")
    assert len(handler.envelopes) == 1


def test_a_refused_recipient_is_permanent_and_not_logged(message: EmailMessage) -> None:
    with smtp_server(RefusingRecipients(550)) as port, pytest.raises(DeliveryError) as caught:
        SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5).send(message)
    assert caught.value.permanent
    assert caught.value.reason.startswith("SMTP 550 refused the recipient")
    assert "ann@example.org" not in caught.value.reason
    assert "example.org" not in str(caught.value)


def test_a_greylisted_recipient_is_tried_again(message: EmailMessage) -> None:
    with smtp_server(RefusingRecipients(450)) as port, pytest.raises(DeliveryError) as caught:
        SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5).send(message)
    assert not caught.value.permanent
    assert "example.org" not in caught.value.reason


def test_an_unreachable_server_is_tried_again(message: EmailMessage) -> None:
    with pytest.raises(DeliveryError) as caught:
        SmtpSender(f"smtp://127.0.0.1:{free_port()}", timeout=5).send(message)
    assert not caught.value.permanent


def test_a_server_that_never_answers_times_out(message: EmailMessage) -> None:
    # A listening socket completes the TCP handshake without accept(), then says nothing.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        began = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            SmtpSender(f"smtp://127.0.0.1:{port}", timeout=1).send(message)
        assert time.monotonic() - began < 10
    assert not caught.value.permanent
    assert "timed out" in caught.value.reason


def test_starttls_when_the_server_offers_it(
    message: EmailMessage, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Collector()
    options = {"tls_context": server_tls(certificate), "require_starttls": True}
    with smtp_server(handler, **options) as port:
        # The system's trust store does not know the test certificate: refuse, retry later.
        with pytest.raises(DeliveryError) as untrusted:
            SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5).send(message)
        assert not untrusted.value.permanent
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.value.reason
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5).send(message)
    assert handler.encrypted == [True]


def test_smtps_is_tls_from_the_start(
    message: EmailMessage, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    handler = Collector()
    with smtp_server(handler, ssl_context=server_tls(certificate)) as port:
        SmtpSender(f"smtps://127.0.0.1:{port}", timeout=5).send(message)
    assert len(handler.envelopes) == 1


def test_the_folder_keeps_one_file_per_message_id(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    sender = FolderSender(folder)
    first = mail(event(BOOKED))
    sender.send(first)
    sender.send(mail(event(BOOKED)))  # a resend: same Message-ID
    (written,) = folder.iterdir()
    assert written.name.endswith("-7a1f0c5e-2b1d-4c39-9d0e-5f6a7b8c9d0e@slotbook.eml")
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == first["Message-ID"]
    sender.send(mail(event(BOOKED), message_id="<other/../id@slotbook>"))
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2
    assert all(n.endswith(".eml") and "/" not in n and not n.startswith(".") for n in names)


def test_mail_sender_from_settings(tmp_path: Path) -> None:
    assert isinstance(mail_sender_from("smtp://mail.example.org", tmp_path), SmtpSender)
    assert isinstance(mail_sender_from("smtps://u:p@mail.example.org:2465", None), SmtpSender)
    assert isinstance(mail_sender_from(None, tmp_path), FolderSender)
    assert mail_sender_from(None, None) is None
    with pytest.raises(ValueError, match="--smtp-url"):
        mail_sender_from("https://mail.example.org", None)
    with pytest.raises(ValueError, match="host"):
        SmtpSender("smtp://")
