"""Qmatic cloud booking API (``/external/v1``)."""
