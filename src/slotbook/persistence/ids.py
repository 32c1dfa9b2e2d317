"""Random, unguessable identifiers in the formats the public APIs show."""

from __future__ import annotations

import secrets
import uuid


def new_public_id() -> str:
    """A 64-character hex id (256 random bits)."""
    return secrets.token_hex(32)


def new_id_columns() -> dict[str, str]:
    """Fresh values for the ``uuid``, ``digits`` and ``hex24`` columns."""
    return {
        "uuid": str(uuid.uuid4()),
        # 18 digits, first one non-zero: ~60 random bits, still fits a signed 64-bit integer
        # (drawn at once: a draw per digit was 18 reads of the system's random source).
        "digits": str(10**17 + secrets.randbelow(9 * 10**17)),
        "hex24": secrets.token_hex(12),
    }
