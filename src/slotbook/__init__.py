"""Slotbook: a self-hostable appointment-booking server."""

__version__ = "0.1.0"
