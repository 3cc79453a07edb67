from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from anju.accounts.roles import Action
from anju.core.forms import StyledFormMixin
from anju.estates.models import Building, Compound, Estate, Owner, Resident, Unit
from anju.regions.models import Region
from anju.regions.permissions import region_policy


class EstateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Estate
        fields = [
            "name",
            "region",
            "address",
            "kind",
            "management_mode",
            "built_year",
            "total_households",
            "total_floor_area",
            "red_property",
            "longitude",
            "latitude",
        ]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_policy.visible(actor, Action.REGIONS_VIEW).filter(
            level=Region.Level.COMMUNITY
        )

    def validate_unique(self):
        # Uniqueness is checked by the service (with the region it may assign).
        pass


class BuildingForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Building
        fields = ["number", "floors", "has_lift"]

    def validate_unique(self):
        pass


class UnitForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "building",
            "entrance",
            "floor",
            "number",
            "kind",
            "area",
            "area_source",
            "delivery",
        ]

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = estate.buildings.all()

    def validate_unique(self):
        pass


class OwnerForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Owner
        fields = ["kind", "name", "id_number", "phone", "is_developer"]
        widgets = {"id_number": forms.TextInput, "phone": forms.TextInput}

    def validate_unique(self):
        pass

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
            raise forms.ValidationError(_("Enter a phone number of 7 to 12 digits."))
        return phone


class NewOwnerForm(OwnerForm):
    share = forms.DecimalField(
        label=_("share"),
        min_value=Decimal("0.0001"),
        max_value=Decimal(1),
        initial=Decimal(1),
        decimal_places=4,
    )
    is_representative = forms.BooleanField(
        label=_("voting representative"), required=False, initial=True
    )


class ResidentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Resident
        fields = ["name", "kind", "phone", "moved_in"]
        widgets = {"phone": forms.TextInput, "moved_in": forms.DateInput(attrs={"type": "date"})}


class CompoundForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Compound
        fields = ["name", "households"]
