from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anju.core.models import TimeStampedModel
from anju.core.pii import EncryptedCharField
from anju.regions.models import Grid, Region


class Estate(TimeStampedModel):
    """A 物业管理区域 (estate); may group several adjacent old compounds."""

    class Kind(models.TextChoices):
        COMMERCIAL = "commercial", _("Commercial housing")
        OLD = "old", _("Old estate")
        RESETTLEMENT = "resettlement", _("Resettlement housing")
        AFFORDABLE = "affordable", _("Affordable housing")
        WORK_UNIT = "work_unit", _("Work-unit built")

    class ManagementMode(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional property company")
        SELF = "self", _("Self-managed by work unit")
        COMMUNITY = "community", _("Managed by community")
        NONE = "none", _("No property management")

    name = models.CharField(_("estate name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    kind = models.CharField(_("estate type"), max_length=16, choices=Kind.choices)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    total_households = models.PositiveIntegerField(_("households"), default=0)
    total_floor_area = models.DecimalField(
        _("total floor area (m²)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    management_mode = models.CharField(
        _("management mode"), max_length=16, choices=ManagementMode.choices
    )
    red_property = models.BooleanField(_("red property"), default=False)
    region = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="estates",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    # Copied from region.code so that scope filters are one indexed prefix match.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="estate_unique_name"),
            models.CheckConstraint(
                condition=models.Q(total_floor_area__gte=0),
                name="estate_area_non_negative",
                violation_error_message=_("Total floor area cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["region_code", "name"], name="estate_scope_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("estates:detail", args=[self.pk])


class Compound(TimeStampedModel):
    """An old compound grouped into a larger 物业管理区域 (S0: adjacent, >= 100 households)."""

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="compounds"
    )
    name = models.CharField(_("compound name"), max_length=100)
    households = models.PositiveIntegerField(_("households"), default=0)

    class Meta:
        ordering = ["estate_id", "name"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self) -> str:
        return self.name


class Building(TimeStampedModel):
    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="buildings"
    )
    number = models.CharField(_("building number"), max_length=32)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    has_lift = models.BooleanField(_("has lift"), default=False)

    class Meta:
        ordering = ["estate_id", "number"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["estate", "number"], name="building_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.number}"

    @property
    def region_code(self) -> str:
        return self.estate.region_code


class Unit(TimeStampedModel):
    """An exclusive part (专有部分): a flat, a shop, a parking space or a storeroom."""

    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")
        PARKING = "parking", _("Parking space")
        STORAGE = "storage", _("Storage room")

    class AreaSource(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        SURVEYED = "surveyed", _("Surveyed")
        CONTRACT = "contract", _("Contract")

    class Delivery(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        UNSOLD = "unsold", _("Unsold or undelivered")

    # Indexed as the first column of unit_estate_kind and unit_order.
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("estate"),
        on_delete=models.PROTECT,
        related_name="units",
        db_index=False,
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    entrance = models.CharField(_("entrance"), max_length=16, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    # Indexed for the unit search by room-number prefix.
    number = models.CharField(_("room number"), max_length=32, db_index=True)
    kind = models.CharField(
        _("unit kind"), max_length=16, choices=Kind.choices, default=Kind.RESIDENTIAL
    )
    area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    area_source = models.CharField(
        _("area source"), max_length=16, choices=AreaSource.choices, default=AreaSource.REGISTERED
    )
    delivery = models.CharField(
        _("delivery status"), max_length=16, choices=Delivery.choices, default=Delivery.DELIVERED
    )

    class Meta:
        ordering = ["estate_id", "building_id", "entrance", "number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "number"], name="unit_unique_in_building"
            ),
            models.UniqueConstraint(
                fields=["estate", "entrance", "number"],
                condition=models.Q(building__isnull=True),
                name="unit_unique_without_building",
                violation_error_message=_("This room number already exists in the estate."),
            ),
            models.CheckConstraint(
                condition=models.Q(area__gt=0),
                name="unit_area_positive",
                violation_error_message=_("Floor area must be greater than 0."),
            ),
        ]
        indexes = [
            models.Index(fields=["estate", "kind"], name="unit_estate_kind"),
            models.Index(fields=["estate", "building", "entrance", "number"], name="unit_order"),
            # The room-number search within a scope's estates: one short range per estate.
            models.Index(fields=["estate", "number"], name="unit_estate_number"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("estates:unit_detail", args=[self.pk])

    @property
    def label(self) -> str:
        parts = [self.building.number if self.building_id else ""]
        if self.entrance:
            parts.append(str(_("entrance %(n)s")) % {"n": self.entrance})
        parts.append(self.number)
        return " ".join(p for p in parts if p)

    @property
    def region_code(self) -> str:
        return self.estate.region_code


class Owner(TimeStampedModel):
    """A natural person or an organisation that owns units; the developer is one too."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Natural person")
        ORGANISATION = "organisation", _("Organisation")

    kind = models.CharField(
        _("owner type"), max_length=16, choices=Kind.choices, default=Kind.PERSON
    )
    name = models.CharField(_("name"), max_length=100)
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedCharField(_("phone"), blank=True)
    is_developer = models.BooleanField(_("developer"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~models.Q(id_number_digest=""),
                name="owner_unique_id_number",
                violation_error_message=_("An owner with this ID number is already registered."),
            ),
        ]
        # The list's order: its first page walks this index instead of sorting every owner.
        indexes = [models.Index(fields=["name", "id"], name="owner_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("estates:owner_detail", args=[self.pk])


class Ownership(TimeStampedModel):
    """An owner's share of a unit; exactly one co-owner per unit is its voting representative."""

    # Indexed as the first column of ownership_unique_owner.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="ownerships",
        db_index=False,
    )
    owner = models.ForeignKey(
        Owner, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ownerships"
    )
    share = models.DecimalField(
        _("share"), max_digits=5, decimal_places=4, default=Decimal("1.0000")
    )
    is_representative = models.BooleanField(_("voting representative"), default=False)
    since = models.DateField(_("owner since"), null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "-is_representative", "id"]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        constraints = [
            models.UniqueConstraint(fields=["unit", "owner"], name="ownership_unique_owner"),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(is_representative=True),
                name="ownership_one_representative",
                violation_error_message=_("A unit has exactly one voting representative."),
            ),
            models.CheckConstraint(
                condition=models.Q(share__gt=0, share__lte=1),
                name="ownership_share_range",
                violation_error_message=_("A share lies between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} — {self.unit}"

    @property
    def region_code(self) -> str:
        return self.unit.estate.region_code


class Resident(TimeStampedModel):
    """A person living in a unit who is not (necessarily) its owner: tenant or family."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family member")
        TENANT = "tenant", _("Tenant")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="residents"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("relation"), max_length=16, choices=Kind.choices)
    phone = EncryptedCharField(_("phone"), blank=True)
    moved_in = models.DateField(_("moved in"), null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "name"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.unit.estate.region_code
