"""Who calls: tenant, key, scope and language, for every route of this surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from pydantic import WithJsonSchema

from slotbook.api.kit.access import Needs, TenantOf, credential
from slotbook.api.kit.errors import BadInput, install_error_handlers
from slotbook.api.kit.http import json_body, slotbook_of
from slotbook.api.kit.locale import resolve_locale
from slotbook.api.qmatic.errors import TABLE, message_of, render
from slotbook.api.qmatic.mapping import Texts
from slotbook.domain.model import Catalog
from slotbook.services.access import Access
from slotbook.services.actor import Actor, Scope
from slotbook.services.context import Slotbook


@dataclass(frozen=True, slots=True)
class Caller:
    """The tenant a request acts for, who acts, and the language of the answers."""

    catalog: Catalog
    actor: Actor
    locale: str

    @property
    def internal(self) -> bool:
        """True for staff and admin keys."""
        return self.actor.staff

    @property
    def text(self) -> Texts:
        """Texts in the caller's language."""
        return Texts(self.catalog, self.locale)


SlotbookDep = Annotated[Slotbook, Depends(slotbook_of)]


def _tenant_header(request: Request) -> str | None:
    """``X-TENANT-ID``; without it the key names the tenant, and without a key it is 400."""
    tenant = request.headers.get("x-tenant-id", "").strip() or None
    if tenant is None and credential(request) is None:
        raise BadInput("The X-TENANT-ID header is required", code="tenant_required")
    return tenant


_TENANT = TenantOf(_tenant_header, first_by_default=False)


# Headers as the document declares them (``Needs`` and the idempotency middleware read them
# from the request themselves; these parameters make them part of every operation).
_TEXT = WithJsonSchema({"type": "string"})
TenantHeader = Annotated[
    str | None,
    _TEXT,
    Header(
        alias="X-TENANT-ID",
        description="The tenant (catalog `tenants[].id`); optional when the API key names it.",
    ),
]
LanguageHeader = Annotated[
    str | None,
    _TEXT,
    Header(
        alias="Accept-Language",
        description="Language of service, group and question texts "
        "(`en_US, en_UK, fr_FR, nl_NL, de_DE, it_IT, es_ES`; `nl-NL` or `nl` too).",
    ),
]
IdempotencyHeader = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"}),
    Header(
        alias="Idempotency-Key",
        description="A retried request with the same key gets the first answer (24 hours); "
        "the same key with another request is 422.",
    ),
]


def idempotency_key(key: IdempotencyHeader = None) -> str | None:
    """``Idempotency-Key``, which the idempotency middleware applies to every write."""
    return key


def _caller(access: Access, language: str | None) -> Caller:
    locale = resolve_locale(language, access.catalog.settings.default_locale)
    return Caller(access.catalog, access.actor, locale)


def reading_caller(
    access: Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING))],
    tenant: TenantHeader = None,
    language: LanguageHeader = None,
) -> Caller:
    """A caller that reads (booking scope)."""
    del tenant  # read by Needs (see _tenant_header)
    return _caller(access, language)


def writing_caller(
    access: Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING, write=True))],
    _key: Annotated[str | None, Depends(idempotency_key)],
    tenant: TenantHeader = None,
    language: LanguageHeader = None,
) -> Caller:
    """A caller that books or changes (booking scope, counted against the write limit)."""
    del tenant  # read by Needs (see _tenant_header)
    return _caller(access, language)


CallerDep = Annotated[Caller, Depends(reading_caller)]
WriterDep = Annotated[Caller, Depends(writing_caller)]
BodyDep = Annotated[Any, Depends(json_body)]


def install_errors(app: FastAPI) -> None:
    """Every error of the surface in its format; core field names translated."""
    install_error_handlers(app, render, TABLE, message_of=message_of)
