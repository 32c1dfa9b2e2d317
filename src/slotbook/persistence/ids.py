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
        # 18 digits, first one non-zero: ~60 random bits, still fits a signed 64-bit integer.
        "digits": str(secrets.choice("123456789"))
        + "".join(secrets.choice("0123456789") for _ in range(17)),
        "hex24": secrets.token_hex(12),
    }
