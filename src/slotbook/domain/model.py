"""Booking domain objects: tenant catalog (branches, resources, services) and appointments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from slotbook.domain.errors import Forbidden, InvalidRequest, NotFound, NotHeld, WrongState
from slotbook.domain.events import AppointmentEvent, EventKind
from slotbook.domain.schedule import Schedule

MAX_CUSTOM_LENGTH = 480


@dataclass(frozen=True, slots=True)
class ExternalIds:
    """Identifiers in the formats that public APIs show: GUID, digit string, 24-hex."""

    uuid: str
    digits: str
    hex24: str


@dataclass(frozen=True, slots=True)
class Localized:
    """A text in several locales (``en_US``, ``nl_NL`` ...); key ``""`` is the untagged text."""

    texts: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, value: str | Mapping[str, str] | None) -> Localized:
        """Build from a plain string, a locale mapping or nothing."""
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls((("", value),))
        return cls(tuple(value.items()))

    def get(self, locale: str | None, default_locale: str | None = None) -> str | None:
        """Text in ``locale``, else the default locale, else untagged, else any."""
        found = dict(self.texts)
        for wanted in (locale, default_locale, ""):
            if wanted is not None and wanted in found:
                return found[wanted]
        return next(iter(found.values()), None)

    def as_value(self) -> str | dict[str, str] | None:
        """Back to the catalog form."""
        if not self.texts:
            return None
        if len(self.texts) == 1 and self.texts[0][0] == "":
            return self.texts[0][1]
        return dict(self.texts)


@dataclass(frozen=True, slots=True)
class Address:
    """Postal address of a branch or customer."""

    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None


class ResourceSelection(StrEnum):
    """Whether a client may or must choose the resource of a service."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True, slots=True)
class Resource:
    """A desk, room or person that hosts appointments; belongs to one branch."""

    key: str
    branch_key: str
    name: str
    schedule: Schedule
    ids: ExternalIds
    position: int = 0
    active: bool = True
    created: datetime | None = None
    updated: datetime | None = None
    ref: int = 0  # storage reference, opaque to the domain
    description: Localized = Localized()
    email: str | None = None
    phone: str | None = None
    address: Address = Address()


@dataclass(frozen=True, slots=True)
class Branch:
    """An office that receives customers, with its own time zone and opening hours."""

    key: str
    public_id: str
    name: str
    time_zone: str
    schedule: Schedule
    resources: tuple[Resource, ...]
    ids: ExternalIds
    address: Address = Address()
    phone: str | None = None
    email: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    position: int = 0
    active: bool = True
    created: datetime | None = None
    updated: datetime | None = None
    ref: int = 0

    @property
    def zone(self) -> ZoneInfo:
        """The branch's IANA zone."""
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True, slots=True)
class DurationOption:
    """An alternative length a client may pick for a service."""

    minutes: int
    price: float | None = None
    default: bool = False


@dataclass(frozen=True, slots=True)
class InformationQuestion:
    """A question the customer answers when confirming."""

    key: str
    text: Localized
    clarification: Localized
    required: bool
    ids: ExternalIds


@dataclass(frozen=True, slots=True)
class ScreeningQuestion:
    """A yes/no question the client shows before booking."""

    key: str
    text: Localized
    clarification: Localized
    yes_required: bool
    denied_message: Localized
    ids: ExternalIds


@dataclass(frozen=True, slots=True)
class Service:
    """Something a customer books: its lengths, grid, capacity and where it is offered."""

    key: str
    public_id: str
    name: Localized
    duration: int
    branch_keys: tuple[str, ...]
    resource_keys: tuple[str, ...] | None
    ids: ExternalIds
    description: Localized = Localized()
    what_to_bring: Localized = Localized()
    reminders: tuple[int, ...] | None = None  # overrides the tenant's reminder times
    index: int = 0
    additional_customer_duration: int = 0
    slot_step: int | None = None
    capacity: int = 1
    buffer_before: int = 0
    buffer_after: int = 0
    price: float | None = None
    category: Localized = Localized()  # a plain name or a name per locale
    durations: tuple[DurationOption, ...] = ()
    online_bookable: bool = True
    max_reservations: int | None = None
    max_custom_length: int | None = None
    resource_selection: ResourceSelection = ResourceSelection.NONE
    date_of_birth_required: bool = False
    information_questions: tuple[InformationQuestion, ...] = ()
    screening_questions: tuple[ScreeningQuestion, ...] = ()
    position: int = 0
    active: bool = True
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def is_group(self) -> bool:
        """True when several customers share one session of this service."""
        return self.capacity > 1

    @property
    def step(self) -> int:
        """Grid of start times in minutes."""
        return self.slot_step or self.default_duration

    @property
    def default_duration(self) -> int:
        """Length in minutes of one customer's appointment (the default alternative)."""
        for option in self.durations:
            if option.default:
                return option.minutes
        return self.duration

    @property
    def allowed_durations(self) -> tuple[int, ...]:
        """Lengths a client may ask for explicitly."""
        return tuple(dict.fromkeys([self.default_duration, *(d.minutes for d in self.durations)]))

    @property
    def reservation_limit(self) -> int:
        """Most people one appointment of this service may hold."""
        if self.max_reservations is not None:
            return self.max_reservations
        return self.capacity if self.is_group else 1


@dataclass(frozen=True, slots=True)
class ServiceGroup:
    """A named, ordered group of services for listings."""

    key: str
    name: Localized
    index: int
    service_keys: tuple[str, ...]
    ids: ExternalIds
    description: Localized = Localized()


@dataclass(frozen=True, slots=True)
class ResourceGroup:
    """A named, ordered group of resources for listings."""

    key: str
    name: Localized
    index: int
    resource_keys: tuple[str, ...]
    ids: ExternalIds
    description: Localized = Localized()


@dataclass(frozen=True, slots=True)
class PageSettings:
    """The booking page's look (name, logo, colour) and who may embed it in a frame."""

    name: str | None = None
    logo_url: str | None = None
    primary_colour: str | None = None
    frame_ancestors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Webhook:
    """A receiver of the tenant's events, signed with its Standard Webhooks secret."""

    url: str
    secret: str
    events: tuple[str, ...] = ("*",)


@dataclass(frozen=True, slots=True)
class SmsGateway:
    """An HTTP gateway that sends text reminders (the tenant's own provider)."""

    url: str
    token: str | None = None
    template: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    """Who mails come from, when reminders go, and who else hears of changes."""

    sender: str | None = None  # the server's --mail-from when not set
    reply_to: str | None = None
    email: bool = True
    reminders: tuple[int, ...] = (1440,)  # minutes before the start
    reminder_grace_minutes: int = 60  # a reminder later than this after its time is dropped
    sms: SmsGateway | None = None
    webhooks: tuple[Webhook, ...] = ()


@dataclass(frozen=True, slots=True)
class TenantSettings:
    """Per-tenant booking rules."""

    reservation_ttl_seconds: int | None = None
    horizon_days: int = 60
    min_notice_minutes: int = 0
    default_locale: str = "en_US"
    max_live_holds_per_client: int | None = 5
    writes_per_minute: int | None = 30
    retention_days: int | None = None
    waitlist_hold_minutes: int = 120  # how long a time freed for a waiting person is held
    page: PageSettings = PageSettings()
    notifications: NotificationSettings = NotificationSettings()

    def hold_ttl(self, surface_default: int = 600) -> timedelta:
        """How long a hold lasts: the catalog's value, else the calling surface's default."""
        seconds = self.reservation_ttl_seconds
        return timedelta(seconds=surface_default if seconds is None else seconds)


@dataclass(frozen=True)
class Catalog:
    """One tenant's configuration: everything availability and booking need to know."""

    key: str
    name: str
    settings: TenantSettings
    branches: tuple[Branch, ...]
    services: tuple[Service, ...]
    service_groups: tuple[ServiceGroup, ...] = ()
    resource_groups: tuple[ResourceGroup, ...] = ()
    combinations: tuple[tuple[str, ...], ...] = ()
    revision: int = 0
    position: int = 0
    created: datetime | None = None
    updated: datetime | None = None
    ref: int = 0

    @cached_property
    def _branches(self) -> dict[str, Branch]:
        return {b.key: b for b in self.branches}

    @cached_property
    def _services(self) -> dict[str, Service]:
        return {s.key: s for s in self.services}

    @cached_property
    def _resources(self) -> dict[str, Resource]:
        return {r.key: r for b in self.branches for r in b.resources}

    @cached_property
    def _by_alias(self) -> dict[tuple[str, str], str]:
        # Active objects first, and public identifiers before catalog ids, so a retired
        # object or a catalog id never shadows the public id of an active one.
        aliases: dict[tuple[str, str], str] = {}
        catalog_ids: list[tuple[tuple[str, str], str]] = []
        for kind, objects in (("branch", self.branches), ("service", self.services)):
            for obj in sorted(objects, key=lambda o: not o.active):
                assert isinstance(obj, Branch | Service)
                for alias in (obj.public_id, obj.ids.uuid, obj.ids.digits, obj.ids.hex24):
                    aliases.setdefault((kind, alias.lower()), obj.key)
                catalog_ids.append(((kind, obj.key.lower()), obj.key))
        for res in sorted(self._resources.values(), key=lambda r: not r.active):
            for alias in (res.ids.uuid, res.ids.digits, res.ids.hex24):
                aliases.setdefault(("resource", alias.lower()), res.key)
            catalog_ids.append((("resource", res.key.lower()), res.key))
        for group in self.service_groups:
            aliases.setdefault(("group", group.ids.uuid.lower()), group.key)
            catalog_ids.append((("group", group.key.lower()), group.key))
        for alias_key, key in catalog_ids:
            aliases.setdefault(alias_key, key)
        return aliases

    # --- lookups (active objects only unless ``include_retired``) -------------------------
    def branch(self, key: str, *, include_retired: bool = False) -> Branch:
        """Branch by catalog id; NotFound when unknown or retired."""
        found = self._branches.get(key)
        if found is None or not (found.active or include_retired):
            raise NotFound("branch", key)
        return found

    def service(self, key: str, *, include_retired: bool = False) -> Service:
        """Service by catalog id; NotFound when unknown or retired."""
        found = self._services.get(key)
        if found is None or not (found.active or include_retired):
            raise NotFound("service", key)
        return found

    def resource(self, key: str, *, include_retired: bool = False) -> Resource:
        """Resource by catalog id; NotFound when unknown or retired."""
        found = self._resources.get(key)
        if found is None or not (found.active or include_retired):
            raise NotFound("resource", key)
        return found

    def find_key(self, kind: str, alias: str) -> str | None:
        """Catalog id of a branch/service/resource/group by any of its identifiers.

        Public ids (publicId, GUID, digits, 24-hex) win; the catalog id is accepted too.
        """
        return self._by_alias.get((kind, alias.lower()))

    def branch_by_alias(self, alias: str) -> Branch:
        """Active branch by public id, GUID, digit or hex id."""
        key = self.find_key("branch", alias)
        if key is None:
            raise NotFound("branch", alias)
        return self.branch(key)

    def service_by_alias(self, alias: str) -> Service:
        """Active service by public id, GUID, digit or hex id."""
        key = self.find_key("service", alias)
        if key is None:
            raise NotFound("service", alias)
        return self.service(key)

    def resource_by_alias(self, alias: str) -> Resource:
        """Active resource by GUID, digit or hex id."""
        key = self.find_key("resource", alias)
        if key is None:
            raise NotFound("resource", alias)
        return self.resource(key)

    # --- relations ------------------------------------------------------------------------
    def active_branches(self) -> list[Branch]:
        """Branches in catalog order."""
        return [b for b in self.branches if b.active]

    def active_services(self) -> list[Service]:
        """Services in listing order: their ``index``, then catalog order."""
        return sorted((s for s in self.services if s.active), key=lambda s: (s.index, s.position))

    def services_at(self, branch_key: str) -> list[Service]:
        """Services offered at a branch."""
        return [s for s in self.active_services() if branch_key in s.branch_keys]

    def branches_for(self, service_key: str) -> list[Branch]:
        """Branches offering a service."""
        service = self._services.get(service_key)
        if service is None or not service.active:
            return []
        return [b for b in self.active_branches() if b.key in service.branch_keys]

    def resources_for(self, branch_key: str, services: tuple[Service, ...]) -> list[Resource]:
        """Resources of a branch able to perform every given service, in catalog order."""
        branch = self._branches.get(branch_key)
        if branch is None:
            return []
        result = []
        for res in branch.resources:
            if not res.active:
                continue
            if all(
                branch_key in s.branch_keys
                and (s.resource_keys is None or res.key in s.resource_keys)
                for s in services
            ):
                result.append(res)
        return result

    def active_combinations(self) -> list[tuple[Service, ...]]:
        """Combinations whose services are all still offered, in catalog order."""
        return [
            tuple(self._services[k] for k in combo)
            for combo in self.combinations
            if all(k in self._services and self._services[k].active for k in combo)
        ]

    def combination_offered_at(self, combo: tuple[Service, ...], branch_key: str) -> bool:
        """True when every service of a combination is offered at the branch by one resource."""
        return bool(self.resources_for(branch_key, combo))

    def is_combination(self, service_keys: tuple[str, ...]) -> bool:
        """True when these services (in any order) form a catalog combination."""
        wanted = sorted(service_keys)
        return any(sorted(c) == wanted for c in self.combinations)


# --- customers and appointments -------------------------------------------------------------


@dataclass(slots=True)
class Customer:
    """A person who books; one record per ``external_id`` within a tenant."""

    public_id: str
    ids: ExternalIds
    external_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    identification_number: str | None = None
    address: Address = Address()
    custom: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    id: int | None = None

    @property
    def name(self) -> str | None:
        """Full name as shown in listings."""
        parts = [p for p in (self.first_name, self.last_name) if p]
        return " ".join(parts) if parts else None


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """Customer fields a client sends; ``None`` means not given."""

    external_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    identification_number: str | None = None
    address: Address = Address()
    custom: str | None = None


class Status(StrEnum):
    """Life cycle of an appointment."""

    HELD = "held"  # reserved for a while; stops counting the moment it expires
    RESERVED = "reserved"  # kept without expiry, not yet confirmed
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    RELEASED = "released"  # a hold given up, expired and cleared, or used up


class Arrival(StrEnum):
    """What happened on the day of a booked appointment (its status stays confirmed)."""

    CHECKED_IN = "checked_in"  # the customer is here
    NO_SHOW = "no_show"  # the customer did not come
    COMPLETED = "completed"  # served


LIVE_STATUSES = (Status.HELD, Status.RESERVED, Status.CONFIRMED)
FIRM_STATUSES = (Status.RESERVED, Status.CONFIRMED)
# The life cycle: which status may follow which.
_NEXT = {
    Status.HELD: (Status.RESERVED, Status.CONFIRMED, Status.CANCELLED, Status.RELEASED),
    Status.RESERVED: (Status.CONFIRMED, Status.CANCELLED),
    Status.CONFIRMED: (Status.CANCELLED,),
}


@dataclass(slots=True)
class Appointment:
    """One booking (or hold) of one or more services on one resource for some people."""

    public_id: str
    ids: ExternalIds
    branch_key: str
    resource_key: str
    service_keys: tuple[str, ...]
    start: datetime
    end: datetime
    status: Status
    people: int = 1
    spaces: int = 1
    buffer_before: int = 0
    buffer_after: int = 0
    expires_at: datetime | None = None
    custom_length: int | None = None
    title: str | None = None
    notes: str | None = None
    customer_message: str | None = None
    custom: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    customers: list[Customer] = field(default_factory=list)
    customer_spaces: list[int] = field(default_factory=list)
    source: str = "api"
    client_ref: str | None = None  # who took it: a hash of key and address (for hold caps)
    created: datetime | None = None
    updated: datetime | None = None
    session_id: int | None = None
    session_ids: ExternalIds | None = None
    id: int | None = None
    sequence: int = 0  # grows on every change the customer is told about (.ics SEQUENCE)
    language: str | None = None  # the customer's language for messages ("en", "nl")
    expiry_noted: bool = False  # a hold whose expiry has been announced
    arrival: Arrival | None = None
    arrived_at: datetime | None = None  # when the arrival was recorded
    events: list[AppointmentEvent] = field(default_factory=list, compare=False, repr=False)

    # --- life cycle: every status change goes through these, which record the events -------

    def _become(self, status: Status) -> None:
        if status not in _NEXT.get(self.status, ()):
            raise WrongState(f"An appointment in status {self.status} cannot become {status}")
        self.status = status

    def book(self, now: datetime) -> None:
        """A new appointment placed as booked (no hold before it)."""
        if self.status is not Status.CONFIRMED or self.id is not None:
            raise WrongState("Only a new appointment is booked directly")
        self.events.append(AppointmentEvent(EventKind.BOOKED, now))

    def confirm(self, now: datetime) -> None:
        """A live hold or a reservation becomes a booked appointment."""
        if self.is_expired_hold(now):
            raise NotHeld(expired=True)
        self._become(Status.CONFIRMED)
        self.expires_at = None
        self.events.append(AppointmentEvent(EventKind.BOOKED, now))

    def reserve(self, now: datetime) -> None:
        """A live hold is kept without expiry (not yet booked: nobody is told)."""
        if not self.is_live_hold(now):
            raise NotHeld("The hold has expired", expired=True)
        self._become(Status.RESERVED)
        self.expires_at = None

    def release(self) -> None:
        """A hold is given up or used up (for another appointment's move): no event."""
        self._become(Status.RELEASED)
        self.expires_at = None

    def cancel(
        self,
        now: datetime,
        *,
        reason: str | None = None,
        by_staff: bool = False,
        notify: bool = True,
    ) -> None:
        """Cancelled by the customer or by staff; only a booking's cancel is an event.

        What happened on the day cannot be undone by a cancellation: a no-show or a served
        appointment stays what it was. ``notify=False`` tells webhooks but not the customer.
        """
        if self.arrival in (Arrival.NO_SHOW, Arrival.COMPLETED):
            raise WrongState(f"An appointment marked {self.arrival} cannot be cancelled")
        was_booked = self.status in FIRM_STATUSES
        self._become(Status.CANCELLED)
        self.expires_at = None
        if was_booked:
            self.sequence += 1
            self.events.append(
                AppointmentEvent(
                    EventKind.CANCELLED, now, reason=reason, by_staff=by_staff, notify=notify
                )
            )

    def rescheduled(self, now: datetime, previous_start: datetime, previous_end: datetime) -> None:
        """Record a move the scheduler made (start, end, resource already changed)."""
        if self.status not in LIVE_STATUSES:
            raise WrongState("Only a live appointment can be rescheduled")
        if (self.start, self.end) == (previous_start, previous_end) or self.status is Status.HELD:
            return  # a resize in place, or a hold: nothing the customer was told changed
        self.sequence += 1
        self.events.append(
            AppointmentEvent(
                EventKind.RESCHEDULED, now, previous_start=previous_start, previous_end=previous_end
            )
        )

    def check_in(self, now: datetime, zone: tzinfo) -> None:
        """The customer has arrived: only for a booked appointment, only on its day."""
        if self.status is not Status.CONFIRMED or self.arrival is not None:
            raise WrongState("Only a booked appointment nobody has arrived for can check in")
        if now.astimezone(zone).date() != self.start.astimezone(zone).date():
            raise WrongState("Check-in is only possible on the day of the appointment")
        self._arrive(Arrival.CHECKED_IN, EventKind.CHECKED_IN, now)

    def mark_no_show(self, now: datetime) -> None:
        """The customer did not come: once the start has passed, and they did not check in."""
        if self.status is not Status.CONFIRMED or self.arrival is not None:
            raise WrongState("Only a booked appointment nobody has arrived for can be a no-show")
        if now < self.start:
            raise WrongState("An appointment is a no-show only once its start has passed")
        self._arrive(Arrival.NO_SHOW, EventKind.NO_SHOW, now)

    def complete(self, now: datetime) -> None:
        """The customer was served (after checking in)."""
        if self.status is not Status.CONFIRMED or self.arrival is not Arrival.CHECKED_IN:
            raise WrongState("Only a checked-in appointment can be completed")
        self.arrival, self.arrived_at = Arrival.COMPLETED, now

    def _arrive(self, arrival: Arrival, kind: EventKind, now: datetime) -> None:
        self.arrival, self.arrived_at = arrival, now
        self.events.append(AppointmentEvent(kind, now))

    def expire(self, now: datetime) -> None:
        """Announce, once, that a hold ran out (it stopped counting the moment it did)."""
        if not self.is_expired_hold(now) or self.expiry_noted:
            raise WrongState("Only a hold that ran out can expire")
        self.expiry_noted = True
        self.events.append(AppointmentEvent(EventKind.HOLD_EXPIRED, self.expires_at or now))

    def pop_events(self) -> list[AppointmentEvent]:
        """The events recorded since the last call."""
        events, self.events = self.events, []
        return events

    def is_live_hold(self, now: datetime) -> bool:
        """True for a hold that has not yet expired."""
        return self.status is Status.HELD and self.expires_at is not None and self.expires_at > now

    def is_expired_hold(self, now: datetime) -> bool:
        """True for a hold whose time ran out (it no longer blocks anything)."""
        return self.status is Status.HELD and not self.is_live_hold(now)

    def is_live(self, now: datetime) -> bool:
        """True when the appointment occupies its slot at ``now``."""
        return self.status in FIRM_STATUSES or self.is_live_hold(now)

    @property
    def length_minutes(self) -> int:
        """Length in whole minutes."""
        return int((self.end - self.start).total_seconds() // 60)


# --- length rules -----------------------------------------------------------------------------


def appointment_length(
    services: tuple[Service, ...],
    people: int,
    *,
    custom_length: int | None = None,
    chosen_duration: int | None = None,
) -> int:
    """Length in minutes: per service ``duration + additional × (people − 1)``, summed.

    A custom length replaces the sum, except for a group service: its session has its own
    length whatever the number of people (they share it). ``chosen_duration`` picks one of a
    single service's alternative durations.
    """
    if people < 1:
        raise InvalidRequest("The number of customers must be at least 1", "numberOfCustomers")
    custom_length = effective_custom_length(services, custom_length)
    if custom_length is not None:
        return custom_length
    if chosen_duration is not None:
        if len(services) != 1:
            raise InvalidRequest("A duration can only be chosen for a single service", "duration")
        if chosen_duration not in services[0].allowed_durations:
            allowed = ", ".join(str(m) for m in services[0].allowed_durations)
            raise InvalidRequest(
                f"Duration {chosen_duration} is not offered for this service (allowed: {allowed})",
                "duration",
            )
    total = 0
    for service in services:
        base = chosen_duration if chosen_duration is not None else service.default_duration
        extra = 0 if service.is_group else service.additional_customer_duration * (people - 1)
        total += base + extra
    return total


def effective_custom_length(services: tuple[Service, ...], custom_length: int | None) -> int | None:
    """The custom length that applies: none for a group service, whose sessions keep theirs."""
    if custom_length is None:
        return None
    if not 1 <= custom_length <= MAX_CUSTOM_LENGTH:
        raise InvalidRequest(
            f"customSlotLength must be between 1 and {MAX_CUSTOM_LENGTH} minutes",
            "customSlotLength",
        )
    return None if any(service.is_group for service in services) else custom_length


def longest_allowed(services: tuple[Service, ...], people: int) -> int:
    """The longest appointment a client without staff rights may ask for.

    Per service its catalog ``max_custom_length``, else its longest offered length (of its
    ``durations``) for these people.
    """
    return sum(
        service.max_custom_length
        or max(
            appointment_length((service,), people, chosen_duration=minutes)
            for minutes in service.allowed_durations
        )
        for service in services
    )


def check_length(
    services: tuple[Service, ...], people: int, minutes: int | None, *, staff: bool, field: str
) -> None:
    """Refuse a requested length that the service's rules do not allow for this caller.

    Staff may book any length up to ``MAX_CUSTOM_LENGTH``; everyone else up to
    ``longest_allowed``. ``field`` names what the client sent (a length, or an end).
    """
    if minutes is None or any(service.is_group for service in services):
        return
    if not 1 <= minutes <= MAX_CUSTOM_LENGTH:
        raise InvalidRequest(
            f"the appointment would last {minutes} minutes; "
            f"a length must be from 1 to {MAX_CUSTOM_LENGTH} minutes",
            field,
        )
    limit = longest_allowed(services, people)
    if not staff and minutes > limit:
        raise Forbidden(
            f"{field}: the appointment would last {minutes} minutes; this service allows at "
            f"most {limit} without a staff key"
        )


def check_details(
    services: tuple[Service, ...], customers: list[Customer], answers: Mapping[str, str]
) -> None:
    """The catalog's required fields and questions, the same on every surface.

    A service with ``date_of_birth_required`` needs the first customer's date of birth;
    a required information question needs a non-blank answer.
    """
    problems: list[str] = []
    first = customers[0] if customers else None
    if any(s.date_of_birth_required for s in services) and (
        first is None or first.date_of_birth is None
    ):
        problems.append("dateOfBirth is required for this service")
    for service in services:
        for question in service.information_questions:
            if question.required and not (answers.get(question.key) or "").strip():
                problems.append(f'question "{question.key}" must be answered')
    if problems:
        field = "dateOfBirth" if problems[0].startswith("dateOfBirth") else "answers"
        raise InvalidRequest("; ".join(problems), field)


def spaces_needed(services: tuple[Service, ...], people: int) -> int:
    """Spaces an appointment takes in its session: people for a group service, else 1."""
    if len(services) == 1 and services[0].is_group:
        return people
    return 1


def session_capacity(services: tuple[Service, ...]) -> int:
    """Capacity of a new session: a single group service's capacity, else exclusive."""
    if len(services) == 1:
        return services[0].capacity
    return 1


def buffers_of(services: tuple[Service, ...]) -> tuple[int, int]:
    """Minutes kept free before the first and after the last service."""
    return services[0].buffer_before, services[-1].buffer_after
