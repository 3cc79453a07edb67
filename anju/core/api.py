"""Shared pieces of the JSON API: authentication, errors, pagination."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.utils import timezone
from ninja import Schema
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from anju.core import sql_template
from anju.core.errors import DomainError, validation_error_messages

TOKEN_TOUCH = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """Bearer tokens issued per user (see ApiToken); the request acts as that user."""

    def authenticate(self, request, token):
        from anju.accounts.models import ApiToken, User

        # Every API request starts here: the lookup is compiled once (core/sql_template.py).
        alias = router.db_for_read(ApiToken)
        user_fields = [f.attname for f in User._meta.concrete_fields]
        rows = sql_template.rows(
            ("api-token", alias),
            lambda digest: (
                ApiToken.objects.filter(digest=digest, user__is_active=True)
                .order_by()
                .values("id", "last_used_at", *(f"user__{name}" for name in user_fields))
            ),
            digest=ApiToken.hash(token),
        )
        if not rows:
            return None
        row = rows[0]
        user = sql_template.instance(User, alias, {n: row[f"user__{n}"] for n in user_fields})
        # "Last used" to the minute: a client sending many requests costs one write a minute.
        now = timezone.now()
        if row["last_used_at"] is None or now - row["last_used_at"] >= TOKEN_TOUCH:
            ApiToken.objects.filter(pk=row["id"]).update(last_used_at=now)
        request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser session; CSRF is checked only when a session cookie is actually sent.

    Without one the request cannot ride on a session, so there is nothing to forge, and
    checking anyway refused bearer-token clients on every POST and PATCH.
    """

    def _get_key(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


# The token first: a request that names its bearer token acts with it, whatever cookies it has.
AUTH = [TokenAuth(), SessionAuth()]


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    errors: dict[str, list[str]] | None = None


def install_error_handlers(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(
            request, {"detail": str(exc.message), "field": exc.field}, status=400
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = validation_error_messages(exc)
        first = next(iter(errors.values()))[0] if errors else ""
        return api.create_response(request, {"detail": first, "errors": errors}, status=400)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        from django.utils.translation import gettext as _

        return api.create_response(
            request, {"detail": _("You may not perform this action.")}, status=403
        )


def page_of(qs, *, limit: int, offset: int, out=None) -> dict[str, Any]:
    """Return one page of qs as {count, capped, items}, counting at most ANJU_COUNT_CAP rows.

    Items stay model rows: the operation's response schema (out) serialises them once. Turning
    them into schema objects here would run its resolvers a second time, on the schema object.
    """
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    cap = settings.ANJU_COUNT_CAP
    count = qs.order_by()[: cap + 1].count()
    items = list(qs[offset : offset + limit])
    return {"count": min(count, cap), "capped": count > cap, "items": items}


def apply_patch(payload: Schema) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)
