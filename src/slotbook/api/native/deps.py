"""Who calls the native API: ``Authorization: Bearer <key>``; the key names the tenant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from slotbook.api.kit.access import Needs, TenantOf
from slotbook.api.kit.http import json_body
from slotbook.services.access import Access
from slotbook.services.actor import Scope


def _no_header(_request: Request) -> str | None:
    return None


_TENANT = TenantOf(_no_header, first_by_default=False)
ReadAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING))]
BookingWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.BOOKING, write=True))]
StaffAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.STAFF))]
StaffWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.STAFF, write=True))]
AdminAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.ADMIN))]
AdminWriteAccess = Annotated[Access, Depends(Needs(_TENANT, Scope.ADMIN, write=True))]
BodyDep = Annotated[Any, Depends(json_body)]
