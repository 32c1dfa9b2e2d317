"""Turn stored catalog data (the catalog file's own shape) into domain objects. Pure."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from slotbook.domain.model import (
    Address,
    Branch,
    DurationOption,
    ExternalIds,
    InformationQuestion,
    Localized,
    Resource,
    ResourceGroup,
    ResourceSelection,
    ScreeningQuestion,
    Service,
    ServiceGroup,
)
from slotbook.domain.schedule import WEEKDAYS, LocalRange, Schedule


def schedule_of(
    hours: Mapping[str, Iterable[str]] | None, closed: Iterable[date | str]
) -> Schedule:
    """Weekly hours (missing day = closed) plus closure dates."""
    hours = hours or {}
    weekly = tuple(
        tuple(sorted((LocalRange.parse(t) for t in hours.get(day, ())), key=lambda r: r.start))
        for day in WEEKDAYS
    )
    days = frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in closed)
    return _shared(Schedule(weekly, days))


@functools.lru_cache(maxsize=1024)
def _shared(schedule: Schedule) -> Schedule:
    """One object for equal schedules: availability computes a day's opening hours once per
    schedule object, and every resource of a branch has a schedule of its own."""
    return schedule


def _ids(row: Mapping[str, Any]) -> ExternalIds:
    return ExternalIds(uuid=row["uuid"], digits=row["digits"], hex24=row["hex24"])


def resource_of(
    row: Mapping[str, Any], branch_key: str, branch_data: Mapping[str, Any]
) -> Resource:
    """A resource; its own hours replace the branch's, closures add to the branch's."""
    data = row["data"]
    hours = data.get("hours")
    schedule = schedule_of(
        branch_data.get("hours") if hours is None else hours,
        [*branch_data.get("closed", []), *(data.get("closed") or [])],
    )
    return Resource(
        key=row["key"],
        branch_key=branch_key,
        name=data["name"],
        schedule=schedule,
        ids=_ids(row),
        position=row["position"],
        active=row["active"],
        created=row["created"],
        updated=row["updated"],
        ref=row["pk"],
        description=Localized.of(data.get("description")),
        email=data.get("email"),
        phone=data.get("phone"),
        address=_address_of(data.get("address")),
    )


def _address_of(data: Mapping[str, Any] | None) -> Address:
    data = data or {}
    return Address(**{k: data.get(k) for k in Address.__dataclass_fields__})


def branch_of(row: Mapping[str, Any], resources: tuple[Resource, ...]) -> Branch:
    """A branch with its resources."""
    data = row["data"]
    return Branch(
        key=row["key"],
        public_id=row["public_id"],
        name=data["name"],
        time_zone=data["time_zone"],
        schedule=schedule_of(data.get("hours"), data.get("closed", [])),
        resources=resources,
        ids=_ids(row),
        address=_address_of(data.get("address")),
        phone=data.get("phone"),
        email=data.get("email"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        position=row["position"],
        active=row["active"],
        created=row["created"],
        updated=row["updated"],
        ref=row["pk"],
    )


def _question_ids(service_row: Mapping[str, Any], key: str) -> ExternalIds:
    # Questions have no row of their own; their GUID is derived from the service's, stably.
    derived = uuid.uuid5(uuid.UUID(service_row["uuid"]), key)
    return ExternalIds(uuid=str(derived), digits=str(derived.int % 10**12), hex24=derived.hex[:24])


def service_of(row: Mapping[str, Any]) -> Service:
    """A service with its questions and alternative durations."""
    data = row["data"]
    return Service(
        key=row["key"],
        public_id=row["public_id"],
        name=Localized.of(data["name"]),
        description=Localized.of(data.get("description")),
        what_to_bring=Localized.of(data.get("what_to_bring")),
        reminders=tuple(data["reminders"]) if data.get("reminders") is not None else None,
        index=data["index"] if data.get("index") is not None else row["position"],
        duration=data["duration"],
        additional_customer_duration=data.get("additional_customer_duration", 0),
        slot_step=data.get("slot_step"),
        capacity=data.get("capacity", 1),
        buffer_before=data.get("buffer_before", 0),
        buffer_after=data.get("buffer_after", 0),
        price=data.get("price"),
        category=Localized.of(data.get("category")),
        durations=tuple(
            DurationOption(d["minutes"], d.get("price"), d.get("default", False))
            for d in data.get("durations", [])
        ),
        branch_keys=tuple(data["branches"]),
        resource_keys=tuple(data["resources"]) if data.get("resources") is not None else None,
        online_bookable=data.get("online_bookable", True),
        max_reservations=data.get("max_reservations"),
        max_custom_length=data.get("max_custom_length"),
        resource_selection=ResourceSelection(data.get("resource_selection", "none")),
        date_of_birth_required=data.get("date_of_birth_required", False),
        information_questions=tuple(
            InformationQuestion(
                key=q["id"],
                text=Localized.of(q["text"]),
                clarification=Localized.of(q.get("clarification")),
                required=q.get("required", False),
                ids=_question_ids(row, "info:" + q["id"]),
            )
            for q in data.get("information_questions", [])
        ),
        screening_questions=tuple(
            ScreeningQuestion(
                key=q["id"],
                text=Localized.of(q["text"]),
                clarification=Localized.of(q.get("clarification")),
                yes_required=q.get("yes_required", True),
                denied_message=Localized.of(q.get("denied_message")),
                ids=_question_ids(row, "screening:" + q["id"]),
            )
            for q in data.get("screening_questions", [])
        ),
        ids=_ids(row),
        position=row["position"],
        active=row["active"],
        created=row["created"],
        updated=row["updated"],
    )


def group_of(row: Mapping[str, Any]) -> ServiceGroup:
    """A listing group of services."""
    data = row["data"]
    return ServiceGroup(
        key=row["key"],
        name=Localized.of(data["name"]),
        index=data.get("index", row["position"]),
        service_keys=tuple(data["services"]),
        ids=_ids(row),
        description=Localized.of(data.get("description")),
    )


def resource_group_of(data: Mapping[str, Any], tenant_key: str, position: int) -> ResourceGroup:
    """A listing group of resources; kept with the tenant, so its ids derive from both ids."""
    derived = uuid.uuid5(uuid.NAMESPACE_URL, f"slotbook:{tenant_key}:resource-group:{data['id']}")
    return ResourceGroup(
        key=data["id"],
        name=Localized.of(data["name"]),
        index=data.get("index", position),
        resource_keys=tuple(data["resources"]),
        ids=ExternalIds(
            uuid=str(derived), digits=str(derived.int % 10**12), hex24=derived.hex[:24]
        ),
        description=Localized.of(data.get("description")),
    )
