"""The delivery worker: sends the outbox's due messages, retries what failed, announces holds
that ran out.

Any number of workers (threads in ``slotbook serve``, or ``slotbook worker`` processes) may run
against one database: each message is claimed by one worker for a lease, so two workers never
send it at once; a worker killed mid-send leaves its claim to expire, and the message is sent
again with the same Message-ID / webhook-id, so receivers can tell it is a repeat.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import httpx2

from slotbook.config import DEFAULT_MAIL_FROM, DEFAULT_PUBLIC_URL, Settings
from slotbook.domain.errors import NotFound
from slotbook.domain.model import Appointment, Catalog
from slotbook.notifications.errors import DeliveryError
from slotbook.notifications.mail import compose_mail
from slotbook.notifications.payload import CANCELLED, REMINDER, WAITLIST_OFFER, EventPayload
from slotbook.notifications.sms import send_sms, sms_text
from slotbook.notifications.smtp import MailSender, mail_sender_from
from slotbook.notifications.webhooks import post_webhook, webhook_client
from slotbook.services import deliveries, queries, waitlist
from slotbook.services.catalog import tenant_catalog, tenant_keys
from slotbook.services.context import Slotbook
from slotbook.services.deliveries import Outcome
from slotbook.services.ports import Delivery
from slotbook.web.security import MANAGE, OFFER, sign

log = logging.getLogger("slotbook.worker")


@dataclass
class WorkerSettings:
    """Where messages go and how the worker paces itself."""

    mail: MailSender | None = None  # None: mails wait (and are retried) until one is set
    mail_from: str = DEFAULT_MAIL_FROM  # for tenants without notifications.from
    public_url: str = DEFAULT_PUBLIC_URL  # the booking page's address, for manage links
    templates: Path | None = None  # per-tenant mail templates: <templates>/<tenant>/<name>
    lease: timedelta = timedelta(minutes=5)  # longer than any one send can take
    batch: int = 20
    poll_seconds: float = 1.0
    http_timeout: float = 10.0
    give_up_after: timedelta = deliveries.GIVE_UP_AFTER  # then a message is marked failed
    waitlist_every: float = 5.0  # seconds between two rounds of offering freed times


@dataclass
class Worker:
    """One delivery worker; ``run_once`` is one cycle, ``run`` loops until stopped."""

    app: Slotbook
    settings: WorkerSettings = field(default_factory=WorkerSettings)
    name: str = field(default_factory=lambda: f"worker-{uuid.uuid4().hex[:12]}")

    def __post_init__(self) -> None:
        self._http: httpx2.Client | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_waitlist_round = 0.0

    def start(self) -> None:
        """Run in a daemon thread of this process (``slotbook serve`` does)."""
        self._thread = threading.Thread(
            target=self.run, args=(self._stop,), name="slotbook-delivery", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after the message in hand (a claim left behind simply expires)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def run_once(self) -> int:
        """Announce expired holds, then send what is due; the number of messages handled."""
        catalogs = {key: tenant_catalog(self.app, key) for key in tenant_keys(self.app)}
        for catalog in catalogs.values():
            deliveries.announce_expired_holds(self.app, catalog)
        if time.monotonic() >= self._next_waitlist_round:
            self._next_waitlist_round = time.monotonic() + self.settings.waitlist_every
            for catalog in catalogs.values():
                waitlist.offer_freed_times(self.app, catalog)
        handled = 0
        while True:
            batch = deliveries.claim(
                self.app, self.name, lease=self.settings.lease, limit=self.settings.batch
            )
            for delivery in batch:
                if self._stop.is_set():
                    # The rest of the batch stays claimed until its lease runs out; then any
                    # worker takes it (a stop waits for one message, not for a whole batch).
                    return handled
                catalog = catalogs.get(delivery.tenant_key) or tenant_catalog(
                    self.app, delivery.tenant_key
                )
                outcome = self._attempt(catalog, delivery)
                status = deliveries.finish(
                    self.app,
                    delivery,
                    self.name,
                    outcome,
                    give_up_after=self.settings.give_up_after,
                )
                log.info(
                    "delivery %s %s %s: %s%s",
                    delivery.id,
                    delivery.channel,
                    delivery.event_type,
                    status,
                    f" ({outcome.reason})" if outcome.reason else "",
                )
                handled += 1
            if len(batch) < self.settings.batch:
                return handled

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; a failing cycle is logged and the next one tried."""
        self._stop = stop  # also checked between the messages of a batch (``run_once``)
        try:
            while not stop.is_set():
                try:
                    handled = self.run_once()
                except Exception:
                    log.exception("delivery cycle failed; trying again")
                    handled = 0
                if not handled:
                    stop.wait(self.settings.poll_seconds)
        finally:
            self.close()

    def close(self) -> None:
        """Close the HTTP client."""
        if self._http is not None:
            self._http.close()
            self._http = None

    @property
    def http(self) -> httpx2.Client:
        """The HTTP client for webhooks and SMS gateways (made on first use)."""
        if self._http is None:
            self._http = webhook_client(self.settings.http_timeout)
        return self._http

    # --- one attempt ---------------------------------------------------------------------------

    def _attempt(self, catalog: Catalog, delivery: Delivery) -> Outcome:
        now = self.app.now()
        payload = cast(EventPayload, delivery.payload)
        if delivery.event_type == REMINDER:
            grace = timedelta(minutes=catalog.settings.notifications.reminder_grace_minutes)
            if now > delivery.due_at + grace:
                # The worker was away: a reminder this late would confuse more than help.
                return Outcome(sent=False, dropped=True, reason="too late for a reminder")
            if not self._still_booked(catalog, payload):
                return Outcome(sent=False, dropped=True, reason="no longer booked")
        try:
            if delivery.channel == "email":
                self._mail(catalog, delivery, payload)
            elif delivery.channel == "webhook":
                self._webhook(catalog, delivery, payload)
            elif delivery.channel == "sms":
                self._sms(catalog, delivery, payload)
            else:
                return Outcome(sent=False, permanent=True, reason="unknown channel")
        except DeliveryError as error:
            return Outcome(sent=False, reason=error.reason, permanent=error.permanent)
        except Exception as error:  # a bug must not stop the other messages
            # The type only: an exception's text or traceback may quote the message's
            # addressee, and the log carries no personal data.
            log.error("delivery %s failed unexpectedly: %s", delivery.id, type(error).__name__)
            return Outcome(sent=False, reason=f"unexpected {type(error).__name__}")
        return Outcome(sent=True)

    def _mail(self, catalog: Catalog, delivery: Delivery, payload: EventPayload) -> None:
        if self.settings.mail is None:
            raise DeliveryError("no mail server configured (--smtp-url)")
        settings = catalog.settings.notifications
        templates = self.settings.templates
        own = templates / catalog.key if templates is not None else None
        message = compose_mail(
            payload,
            to=delivery.target,
            sender=settings.sender or self.settings.mail_from,
            reply_to=settings.reply_to,
            message_id=f"<{delivery.message_id}@slotbook>",
            manage_url=self._link(catalog, payload),
            tenant_name=catalog.settings.page.name or catalog.name,
            templates=own if own is not None and own.is_dir() else None,
        )
        self.settings.mail.send(message)

    def _webhook(self, catalog: Catalog, delivery: Delivery, payload: EventPayload) -> None:
        hook = next(
            (h for h in catalog.settings.notifications.webhooks if h.url == delivery.target), None
        )
        if hook is None:
            raise DeliveryError("the receiver is no longer in the catalog", permanent=True)
        post_webhook(
            self.http,
            url=hook.url,
            secret=hook.secret,
            message_id=delivery.message_id,
            payload=payload,
            # The wall clock, not the scheduling clock: receivers check it against theirs.
            timestamp=datetime.now(UTC),
        )

    def _sms(self, catalog: Catalog, delivery: Delivery, payload: EventPayload) -> None:
        gateway = catalog.settings.notifications.sms
        if gateway is None:
            raise DeliveryError("the tenant has no SMS gateway any more", permanent=True)
        text = sms_text(gateway.template, payload, manage_url=self._manage_url(catalog, payload))
        send_sms(
            self.http,
            url=gateway.url,
            token=gateway.token,
            to=delivery.target,
            text=text,
            message_id=delivery.message_id,
        )

    def _link(self, catalog: Catalog, payload: EventPayload) -> str | None:
        """The link a mail carries: confirm an offer, manage an appointment, or none."""
        if payload["type"] == CANCELLED:
            return None
        if payload["type"] == WAITLIST_OFFER:
            token = sign(self.app, OFFER, payload["data"].get("waitlist_id", ""))
            return f"{self.settings.public_url.rstrip('/')}/book/{catalog.key}/offer/{token}"
        return self._manage_url(catalog, payload)

    def _manage_url(self, catalog: Catalog, payload: EventPayload) -> str | None:
        found = self._appointment(catalog, payload)
        if found is None:
            return None
        token = sign(self.app, MANAGE, found.public_id)
        return f"{self.settings.public_url.rstrip('/')}/book/{catalog.key}/manage/{token}"

    def _still_booked(self, catalog: Catalog, payload: EventPayload) -> bool:
        found = self._appointment(catalog, payload)
        return found is not None and found.status.value in ("confirmed", "reserved")

    def _appointment(self, catalog: Catalog, payload: EventPayload) -> Appointment | None:
        try:
            return queries.get_appointment(
                self.app, catalog, ("uuid", payload["data"]["appointment"]["id"])
            )
        except NotFound:  # erased or gone: nothing to link to
            return None


def worker_settings(settings: Settings) -> WorkerSettings:
    """The worker's settings from the server's (``--smtp-url``, ``--mail-folder``, …)."""
    folder = Path(settings.mail_folder) if settings.mail_folder else None
    return WorkerSettings(
        mail=mail_sender_from(settings.smtp_url, folder),
        mail_from=settings.mail_from,
        public_url=settings.public_url,
        templates=Path(settings.mail_templates) if settings.mail_templates else None,
        give_up_after=timedelta(hours=settings.delivery_give_up_after),
        lease=timedelta(seconds=settings.delivery_lease),
    )
