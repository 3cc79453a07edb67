"""Facts about the client of a request."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address. Behind a reverse proxy (ANJU_BEHIND_PROXY) it is the last entry
    of X-Forwarded-For, the one the proxy itself appended; earlier entries come from the
    client and cannot be trusted."""
    if settings.ANJU_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None
