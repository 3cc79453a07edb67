import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from anju.accounts.roles import Role


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # Bumped whenever the user's memberships or the region tree change: a scope kept in the
    # session is only used while it carries the current version (anju.accounts.scope).
    scope_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """A role granted over one scope: a region, grid, department, company, estate or unit."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE
    )
    grid = models.ForeignKey(
        "regions.Grid", verbose_name=_("grid"), null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    company = models.ForeignKey(
        "companies.PropertyCompany",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    estate = models.ForeignKey(
        "estates.Estate", verbose_name=_("estate"), null=True, blank=True, on_delete=models.CASCADE
    )
    unit = models.ForeignKey(
        "estates.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        target = (
            self.region or self.grid or self.department or self.company or self.estate or self.unit
        )
        return f"{self.user} · {self.get_role_display()} · {target}"


class ApiToken(models.Model):
    """A bearer token for API clients; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=50)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        raw = "anju_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=cls.hash(raw)), raw
