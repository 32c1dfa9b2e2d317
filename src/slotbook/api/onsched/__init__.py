"""OnSched consumer API (``/consumer/v1``) and the ``/connect/token`` exchange."""
