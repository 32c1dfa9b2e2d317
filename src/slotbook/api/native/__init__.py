"""Slotbook's own REST API (``/api/v1``): canonical ids, problem details, bearer keys."""
