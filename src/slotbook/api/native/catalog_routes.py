"""The native API's catalog: branches, resources, services, service groups, their hours,
closed days and questions, and the combinations — one object at a time.

Bodies use the catalog file's keys (docs/catalog.md) and go through the file's validation
(``services.catalog_edit``): a problem is a 422 ``invalid_catalog`` naming the place, the same
sentence ``slotbook catalog check`` prints. Reading needs a key of any scope; changing needs
``admin``.
"""

# No "from __future__ import annotations": the routes' parameter types are made per kind
# at run time, and FastAPI must see them as objects.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI, Path, Request
from pydantic import BaseModel, ConfigDict, create_model
from starlette.responses import Response

from slotbook.api.kit.docs import IDEMPOTENCY_KEY, request_body
from slotbook.api.kit.errors import BadInput
from slotbook.api.kit.http import JSON, slotbook_of
from slotbook.api.native.answers import PROBLEMS, PROBLEMS_OF_WRITES
from slotbook.api.native.deps import AdminWriteAccess, BodyDep, ReadAccess
from slotbook.catalog.schema import (
    BranchIn,
    Hours,
    ResourceIn,
    ServiceGroupIn,
    ServiceIn,
)
from slotbook.domain.errors import CatalogError, NotFound
from slotbook.services import catalog_edit
from slotbook.services.catalog_edit import CatalogEntry, Kind


class Stamped(BaseModel):
    """What the server adds to a catalog entry."""

    uuid: str
    retired: bool
    created: datetime
    updated: datetime


class BranchOut(BranchIn, Stamped):
    """A branch as the catalog file writes it (its resources listed apart)."""


class ResourceEntryIn(ResourceIn):
    """A resource as the catalog file writes it, with the branch it belongs to."""

    branch: str


class ResourceOut(ResourceEntryIn, Stamped):
    """A resource with its branch."""


class ServiceOut(ServiceIn, Stamped):
    """A service as the catalog file writes it."""


class ServiceGroupOut(ServiceGroupIn, Stamped):
    """A listing group of services."""


class QuestionIn(BaseModel):
    """A question of a service: ``kind`` plus the catalog file's keys for that kind
    (``information``: ``text``, ``clarification``, ``required``; ``screening``: ``text``,
    ``clarification``, ``yes_required``, ``denied_message``)."""

    model_config = ConfigDict(extra="allow")

    kind: str
    id: str


class QuestionList(BaseModel):
    """A service's questions: information questions first, then screening questions."""

    data: list[dict[str, Any]]


class HoursIn(BaseModel):
    """Opening hours per weekday (``{"mon": ["09:00-12:00", "13:00-17:00"]}``); a resource's
    ``null`` means its branch's hours."""

    hours: Hours | None


class ClosedDaysIn(BaseModel):
    """Whole days closed (``YYYY-MM-DD``), e.g. public holidays."""

    closed: list[str] | None


class CombinationsIn(BaseModel):
    """Lists of service ids that may be booked together."""

    combinations: list[list[str]]


class MergePatch(BaseModel):
    """A JSON merge patch (RFC 7396) of the object's catalog entry: keys given replace,
    ``null`` removes, objects merge."""

    model_config = ConfigDict(extra="allow")


_OUT: dict[Kind, type[BaseModel]] = {
    "branch": BranchOut,
    "resource": ResourceOut,
    "service": ServiceOut,
    "service_group": ServiceGroupOut,
}
_IN: dict[Kind, type[BaseModel]] = {
    "branch": BranchIn,
    "resource": ResourceEntryIn,
    "service": ServiceIn,
    "service_group": ServiceGroupIn,
}
BODIES: tuple[type[BaseModel], ...] = (
    *_IN.values(),
    QuestionIn,
    HoursIn,
    ClosedDaysIn,
    CombinationsIn,
    MergePatch,
)


def _shown(found: CatalogEntry) -> dict[str, Any]:
    entry = dict(found.entry)
    entry.update(
        uuid=found.uuid,
        retired=found.retired,
        created=found.created.isoformat(),
        updated=found.updated.isoformat(),
    )
    return entry


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, ``null`` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadInput("Give the object as a JSON object")
    return body


def catalog_routes(app: FastAPI) -> None:
    """Add the catalog routes."""
    kinds: tuple[tuple[Kind, str], ...] = (
        ("branch", "branches"),
        ("resource", "resources"),
        ("service", "services"),
        ("service_group", "service-groups"),
    )
    for kind, plural in kinds:
        _kind_routes(app, kind, plural)
    for kind, plural in kinds[:2]:
        _part_route(app, kind, plural, "hours", "hours", HoursIn)
        _part_route(app, kind, plural, "closed-days", "closed", ClosedDaysIn)
    _question_routes(app)
    _combination_routes(app)


def _kind_routes(app: FastAPI, kind: Kind, plural: str) -> None:
    out = _OUT[kind]
    name = kind.replace("_", " ")
    path = f"/{plural}/{{{kind}_id}}"
    ObjectId = Annotated[str, Path(alias=f"{kind}_id")]
    listed = create_model(
        f"{out.__name__}List",
        __doc__=f"Every {name}, in catalog order.",
        data=(list[out], ...),  # type: ignore[valid-type]
    )

    def list_all(request: Request, access: ReadAccess, include_retired: bool = False) -> JSON:
        found = catalog_edit.listing(
            slotbook_of(request), access.catalog.key, kind, include_retired=include_retired
        )
        return JSON({"data": [_shown(f) for f in found]})

    def read_one(object_id: ObjectId, request: Request, access: ReadAccess) -> JSON:
        found = catalog_edit.read(slotbook_of(request), access.catalog.key, kind, object_id)
        return JSON(_shown(found))

    def create_one(request: Request, access: AdminWriteAccess, body: BodyDep) -> JSON:
        found = catalog_edit.create(slotbook_of(request), access.catalog.key, kind, body)
        return JSON(_shown(found), status_code=201)

    def replace_one(
        object_id: ObjectId, request: Request, access: AdminWriteAccess, body: BodyDep
    ) -> JSON:
        entry = _object(body)
        found = catalog_edit.update(
            slotbook_of(request), access.catalog.key, kind, object_id, lambda _current: entry
        )
        return JSON(_shown(found))

    def update_one(
        object_id: ObjectId, request: Request, access: AdminWriteAccess, body: BodyDep
    ) -> JSON:
        patch = _object(body)
        found = catalog_edit.update(
            slotbook_of(request),
            access.catalog.key,
            kind,
            object_id,
            lambda current: merge_patch(current, patch),
        )
        return JSON(_shown(found))

    def retire_one(object_id: ObjectId, request: Request, access: AdminWriteAccess) -> Response:
        catalog_edit.retire(slotbook_of(request), access.catalog.key, kind, object_id)
        return Response(status_code=204)

    list_all.__doc__ = (
        f"Every {name} in use, in catalog order; with ``include_retired`` the retired ones too."
    )
    read_one.__doc__ = f"One {name} by its catalog id or UUID (retired ones too)."
    create_one.__doc__ = f"Add a {name}; a retired {name} with the same id comes back."
    replace_one.__doc__ = f"Replace a {name}'s catalog entry (its id stays)."
    update_one.__doc__ = f"Change some of a {name}'s catalog entry (JSON merge patch)."
    retire_one.__doc__ = (
        f"Retire a {name}: no longer offered, still readable; its appointments stay. The "
        "catalog must stay valid (a service may not name a retired branch)."
    )
    writes = {"parameters": [IDEMPOTENCY_KEY]}
    app.get(f"/{plural}", response_model=listed, responses=PROBLEMS, name=f"list_{kind}s")(list_all)
    app.post(
        f"/{plural}",
        status_code=201,
        response_model=out,
        responses=PROBLEMS_OF_WRITES,
        name=f"create_{kind}",
        openapi_extra={"requestBody": request_body(_IN[kind]), **writes},
    )(create_one)
    app.get(path, response_model=out, responses=PROBLEMS, name=f"read_{kind}")(read_one)
    app.put(
        path,
        response_model=out,
        responses=PROBLEMS_OF_WRITES,
        name=f"replace_{kind}",
        openapi_extra={"requestBody": request_body(_IN[kind]), **writes},
    )(replace_one)
    app.patch(
        path,
        response_model=out,
        responses=PROBLEMS_OF_WRITES,
        name=f"update_{kind}",
        openapi_extra={"requestBody": request_body(MergePatch), **writes},
    )(update_one)
    app.delete(
        path,
        status_code=204,
        responses=PROBLEMS_OF_WRITES,
        name=f"retire_{kind}",
        openapi_extra=writes,
    )(retire_one)


def _part_route(
    app: FastAPI, kind: Kind, plural: str, path: str, key: str, body: type[BaseModel]
) -> None:
    """GET and PUT of one key of a branch's or resource's entry (hours, closed days)."""
    ObjectId = Annotated[str, Path(alias=f"{kind}_id")]
    route = f"/{plural}/{{{kind}_id}}/{path}"
    words = f"{path.replace('-', ' ')} of a {kind}"

    def read_part(object_id: ObjectId, request: Request, access: ReadAccess) -> JSON:
        found = catalog_edit.read(slotbook_of(request), access.catalog.key, kind, object_id)
        return JSON({key: found.entry.get(key)})

    def replace_part(
        object_id: ObjectId, request: Request, access: AdminWriteAccess, body: BodyDep
    ) -> JSON:
        given = _object(body)
        if set(given) != {key}:
            raise BadInput(f'Give exactly one key, "{key}"', field=key)

        def edit(current: dict[str, Any]) -> dict[str, Any]:
            return {**current, key: given[key]}

        found = catalog_edit.update(slotbook_of(request), access.catalog.key, kind, object_id, edit)
        return JSON({key: found.entry.get(key)})

    read_part.__doc__ = f"The {words}."
    replace_part.__doc__ = f"Replace the {words}; availability follows at once."
    name = path.replace("-", "_")
    app.get(route, response_model=body, responses=PROBLEMS, name=f"read_{kind}_{name}")(read_part)
    app.put(
        route,
        response_model=body,
        responses=PROBLEMS_OF_WRITES,
        name=f"replace_{kind}_{name}",
        openapi_extra={"requestBody": request_body(body), "parameters": [IDEMPOTENCY_KEY]},
    )(replace_part)


_QUESTION_LISTS = {"information": "information_questions", "screening": "screening_questions"}


def _questions(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"kind": kind, **question}
        for kind, listed in _QUESTION_LISTS.items()
        for question in entry.get(listed) or []
    ]


def _question(entry: dict[str, Any], question_id: str) -> dict[str, Any]:
    for question in _questions(entry):
        if question["id"] == question_id:
            return question
    raise NotFound("question", question_id, f'No question "{question_id}" on this service')


def _with_question(
    entry: dict[str, Any], question: dict[str, Any], replacing: str | None
) -> dict[str, Any]:
    """The service entry with ``question`` put in its kind's list (in place of ``replacing``)."""
    question = dict(question)
    kind = question.pop("kind", None)
    if kind not in _QUESTION_LISTS:
        raise CatalogError(['kind: give "information" or "screening"'])
    entry = {
        name: [q for q in entry.get(name) or [] if q.get("id") != replacing]
        if replacing is not None
        else list(entry.get(name) or [])
        for name in _QUESTION_LISTS.values()
    } | {k: v for k, v in entry.items() if k not in _QUESTION_LISTS.values()}
    entry[_QUESTION_LISTS[kind]] = [*entry[_QUESTION_LISTS[kind]], question]
    return entry


def _question_routes(app: FastAPI) -> None:
    base = "/services/{service_id}/questions"
    writes = {"parameters": [IDEMPOTENCY_KEY]}

    @app.get(base, response_model=QuestionList, responses=PROBLEMS)
    def list_questions(service_id: str, request: Request, access: ReadAccess) -> JSON:
        """A service's questions (``kind``: ``information`` asked when confirming,
        ``screening`` yes/no before booking)."""
        found = catalog_edit.read(slotbook_of(request), access.catalog.key, "service", service_id)
        return JSON({"data": _questions(found.entry)})

    @app.get(f"{base}/{{question_id}}", response_model=QuestionIn, responses=PROBLEMS)
    def read_question(
        service_id: str, question_id: str, request: Request, access: ReadAccess
    ) -> JSON:
        """One question of a service."""
        found = catalog_edit.read(slotbook_of(request), access.catalog.key, "service", service_id)
        return JSON(_question(found.entry, question_id))

    def change(
        request: Request,
        access: AdminWriteAccess,
        service_id: str,
        edit: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> CatalogEntry:
        return catalog_edit.update(
            slotbook_of(request), access.catalog.key, "service", service_id, edit
        )

    @app.post(
        base,
        status_code=201,
        response_model=QuestionIn,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(QuestionIn), **writes},
    )
    def create_question(
        service_id: str, request: Request, access: AdminWriteAccess, body: BodyDep
    ) -> JSON:
        """Add a question to a service (asked from the next booking on)."""
        question = _object(body)
        done = change(request, access, service_id, lambda e: _with_question(e, question, None))
        return JSON(_question(done.entry, str(question.get("id"))), status_code=201)

    @app.put(
        f"{base}/{{question_id}}",
        response_model=QuestionIn,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={"requestBody": request_body(QuestionIn), **writes},
    )
    def replace_question(
        service_id: str, question_id: str, request: Request, access: AdminWriteAccess, body: BodyDep
    ) -> JSON:
        """Replace a question of a service (its id stays)."""
        question = {"id": question_id, **_object(body)}
        if question["id"] != question_id:
            raise BadInput("id: a question keeps its id", field="id")

        def edit(entry: dict[str, Any]) -> dict[str, Any]:
            _question(entry, question_id)
            return _with_question(entry, question, question_id)

        done = change(request, access, service_id, edit)
        return JSON(_question(done.entry, question_id))

    @app.delete(
        f"{base}/{{question_id}}",
        status_code=204,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra=writes,
    )
    def retire_question(
        service_id: str, question_id: str, request: Request, access: AdminWriteAccess
    ) -> Response:
        """Stop asking a question (answers already given stay with their appointments)."""

        def edit(entry: dict[str, Any]) -> dict[str, Any]:
            _question(entry, question_id)
            return {
                k: [q for q in v if q.get("id") != question_id]
                if k in _QUESTION_LISTS.values()
                else v
                for k, v in entry.items()
            }

        change(request, access, service_id, edit)
        return Response(status_code=204)


def _combination_routes(app: FastAPI) -> None:
    @app.get("/combinations", response_model=CombinationsIn, responses=PROBLEMS)
    def read_combinations(request: Request, access: ReadAccess) -> JSON:
        """The lists of services that may be booked together in one appointment."""
        found = catalog_edit.combinations(slotbook_of(request), access.catalog.key)
        return JSON({"combinations": found})

    @app.put(
        "/combinations",
        response_model=CombinationsIn,
        responses=PROBLEMS_OF_WRITES,
        openapi_extra={
            "requestBody": request_body(CombinationsIn),
            "parameters": [IDEMPOTENCY_KEY],
        },
    )
    def replace_combinations(request: Request, access: AdminWriteAccess, body: BodyDep) -> JSON:
        """Replace the combinations (every list names at least two services)."""
        given = _object(body)
        if set(given) != {"combinations"}:
            raise BadInput('Give exactly one key, "combinations"', field="combinations")
        found = catalog_edit.set_combinations(
            slotbook_of(request), access.catalog.key, given["combinations"]
        )
        return JSON({"combinations": found})
