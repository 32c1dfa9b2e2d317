"""Settings, read when asked (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from slotbook.persistence.database import default_database_url

DATABASE_ENV = "SLOTBOOK_DATABASE_URL"


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings of one server process."""

    database_url: str

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from the environment (``SLOTBOOK_DATABASE_URL``)."""
        return cls(database_url=os.environ.get(DATABASE_ENV) or default_database_url())
