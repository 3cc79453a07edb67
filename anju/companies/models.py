from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anju.core.models import TimeStampedModel
from anju.core.pii import EncryptedCharField
from anju.estates.models import Estate
from anju.regions.models import Region


class PropertyCompany(TimeStampedModel):
    """A property service company (物业服务企业)."""

    name = models.CharField(_("company name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("registered district"),
        on_delete=models.PROTECT,
        related_name="companies",
        limit_choices_to={"level": Region.Level.DISTRICT},
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), blank=True)
    has_party_org = models.BooleanField(_("has party organisation"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("companies:detail", args=[self.pk])


class ServiceContract(TimeStampedModel):
    """A company serving an estate: the 前期 (preliminary) or 选聘 (selected) contract."""

    class Kind(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary (developer-appointed)")
        SELECTED = "selected", _("Selected by owners")

    class Level(models.TextChoices):
        ONE = "1", _("Level 1")
        TWO = "2", _("Level 2")
        THREE = "3", _("Level 3")
        FOUR = "4", _("Level 4")
        FIVE = "5", _("Level 5")

    class Filing(models.TextChoices):
        NOT_FILED = "not_filed", _("Not filed")
        FILED = "filed", _("Filed")
        REJECTED = "rejected", _("Filing rejected")

    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="contracts"
    )
    kind = models.CharField(_("contract type"), max_length=16, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    fee_standard = models.DecimalField(
        _("fee (yuan/m²/month)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    service_level = models.CharField(_("service level"), max_length=2, choices=Level.choices)
    filing_status = models.CharField(
        _("filing status"), max_length=16, choices=Filing.choices, default=Filing.NOT_FILED
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(fee_standard__gte=0),
                name="contract_fee_non_negative",
                violation_error_message=_("The fee cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.estate}"

    @property
    def region_code(self) -> str:
        return self.estate.region_code


class ProjectManager(TimeStampedModel):
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="managers",
    )
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("estate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_managers",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedCharField(_("phone"), blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=50, blank=True)

    class Meta:
        ordering = ["company_id", "name"]
        verbose_name = _("project manager")
        verbose_name_plural = _("project managers")

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        """The managed estate's region, else the company's district (where audits look)."""
        return self.estate.region_code if self.estate_id else self.company.region_code
