from django.db import models
from django.utils.translation import gettext_lazy as _

from anju.core.models import TimeStampedModel


class Region(TimeStampedModel):
    """A node of the 12-digit statistical division code tree (district, street, community)."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"),
                name="region_code_12_digits",
                violation_error_message=_("A division code has 12 digits."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.code

    @property
    def prefix(self) -> str:
        """Return the code prefix shared by this node and all its descendants."""
        return self.code[: PREFIX_LENGTH[self.level]]


PREFIX_LENGTH = {Region.Level.DISTRICT: 6, Region.Level.STREET: 9, Region.Level.COMMUNITY: 12}


class Department(TimeStampedModel):
    """A functional department (职能部门) of a district: 公安, 消防救援, 市场监管, 城管..."""

    class Kind(models.TextChoices):
        HOUSING = "housing", _("Housing and construction")
        POLICE = "police", _("Public security")
        FIRE = "fire", _("Fire and rescue")
        MARKET = "market", _("Market regulation")
        URBAN = "urban", _("Urban management")
        DEVELOPMENT = "development", _("Development and reform")
        PLANNING = "planning", _("Planning and natural resources")
        ENVIRONMENT = "environment", _("Ecology and environment")
        CIVIL = "civil", _("Civil affairs")
        JUSTICE = "justice", _("Justice")
        COURT = "court", _("Court")
        ECONOMY = "economy", _("Economy and information")
        HEALTH = "health", _("Health")
        EMERGENCY = "emergency", _("Emergency management")
        OTHER = "other", _("Other")

    district = models.ForeignKey(
        Region, verbose_name=_("district"), on_delete=models.PROTECT, related_name="departments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["district_id", "kind", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.district.code


class Grid(TimeStampedModel):
    """A grid (网格) inside a community, looked after by grid workers."""

    community = models.ForeignKey(
        Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="grids"
    )
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["community_id", "name"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.community.code
