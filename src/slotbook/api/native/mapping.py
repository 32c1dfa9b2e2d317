"""Domain objects -> native API answers."""

from __future__ import annotations

from slotbook.api.native.schemas import AuditEntryOut, KeyOut
from slotbook.services.ports import ApiKeyInfo, AuditEntry


def key_out(info: ApiKeyInfo) -> KeyOut:
    """A key as listed."""
    return KeyOut(
        id=info.id,
        prefix=info.prefix,
        scope=info.scope,
        label=info.label,
        source=info.source,
        created=info.created,
        revoked=info.revoked,
    )


def audit_out(entry: AuditEntry) -> AuditEntryOut:
    """An audit entry."""
    assert entry.id is not None
    return AuditEntryOut(
        id=entry.id,
        at=entry.at,
        operation=entry.operation,
        outcome=entry.outcome,
        key_id=entry.key_id,
        scope=entry.scope,
        client_address=entry.client_address,
        route=entry.route,
        appointment=entry.appointment,
        detail=entry.detail,
    )
