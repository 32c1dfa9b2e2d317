"""How a channel says a message could not be delivered."""

from __future__ import annotations


class DeliveryError(Exception):
    """The message did not get through.

    ``permanent`` means trying again cannot help (a refused address, a 4xx from a webhook
    receiver other than 408/429); otherwise the worker retries with backoff. The text is kept
    in the delivery log, so it must not contain personal data.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
