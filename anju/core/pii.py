"""Personal information: encryption at rest, lookup digests and masking (PIPL)."""

import base64
import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(settings.ANJU_PII_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.ANJU_PII_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def digest(value: str) -> str:
    """Return a keyed hash of value, so equal values can be found without decrypting."""
    if not value:
        return ""
    key = base64.urlsafe_b64decode(settings.ANJU_PII_KEY.encode())
    normalized = value.strip().upper().encode()
    return hmac.new(key, normalized, hashlib.sha256).hexdigest()


def mask(value: str) -> str:
    """Mask a phone (138****5678), an ID number (5101**********1234) or other identifier.

    At least a third of any value of three or more characters is hidden: a 7- or 8-digit
    landline keeps two digits at each end (86****34), never shown whole.
    """
    if not value:
        return ""
    n = len(value)
    if n >= 15:
        keep_head, keep_tail = 4, 4
    elif n >= 11:
        keep_head, keep_tail = 3, 4
    elif n >= 7:
        keep_head, keep_tail = 2, 2
    elif n >= 3:
        keep_head, keep_tail = 1, 1
    else:
        return "*" * n
    return value[:keep_head] + "*" * (n - keep_head - keep_tail) + value[n - keep_tail :]


class EncryptedCharField(models.TextField):
    """Text stored as a Fernet token; Python sees the plain value."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""


class Revealable(NamedTuple):
    model: type
    policy: Any
    fields: tuple[str, ...]
    # (actor, obj) -> the region code the reveal is logged under, for objects (like owners)
    # that carry none themselves; by default the object's own region_code.
    region_of: Callable[[Any, Any], str] | None = None


# Models whose encrypted fields may be revealed, by kind.
REVEALABLE: dict[str, Revealable] = {}


def register_revealable(
    kind: str,
    model: type,
    policy,
    fields: tuple[str, ...],
    *,
    region_of: Callable[[Any, Any], str] | None = None,
) -> None:
    REVEALABLE[kind] = Revealable(model, policy, fields, region_of)


def revealable_kind(model: type) -> str:
    for kind, entry in REVEALABLE.items():
        if entry.model is model:
            return kind
    raise KeyError(model)
