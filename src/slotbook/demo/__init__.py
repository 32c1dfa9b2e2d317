"""The demo catalog shipped with Slotbook."""

from pathlib import Path

DEMO_CATALOG = Path(__file__).with_name("catalog.json")
