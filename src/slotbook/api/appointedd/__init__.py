"""Appointedd API (``/v1``): group bookings with spaces."""
