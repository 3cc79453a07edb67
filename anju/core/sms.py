"""Text messages through a pluggable backend (settings.ANJU_SMS_BACKEND).

The default backend writes each message to the log and keeps it in `LogBackend.outbox`, so
development and tests see what would have been sent without a gateway.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("anju.sms")


class LogBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> bool:
        self.outbox.append((phone, text))
        log.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], text)
        return True


def send(phone: str, text: str) -> bool:
    """Send one message; False when there is no number or the backend refused it."""
    if not phone:
        return False
    backend = import_string(settings.ANJU_SMS_BACKEND)()
    return bool(backend.send(phone, text))
