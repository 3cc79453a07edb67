from django import forms

from anju.accounts.roles import Action
from anju.companies.models import PropertyCompany, ServiceContract
from anju.core.forms import StyledFormMixin
from anju.estates.permissions import estate_policy
from anju.regions.models import Region
from anju.regions.permissions import region_policy


class CompanyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PropertyCompany
        fields = [
            "name",
            "uscc",
            "region",
            "registered_address",
            "contact_name",
            "contact_phone",
            "has_party_org",
        ]
        widgets = {"contact_phone": forms.TextInput}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_policy.visible(actor).filter(
            level=Region.Level.DISTRICT
        )

    def validate_unique(self):
        pass


class ContractForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceContract
        fields = [
            "company",
            "estate",
            "kind",
            "start_date",
            "end_date",
            "fee_standard",
            "service_level",
            "filing_status",
            "filed_on",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "filed_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estate_policy.visible(actor, Action.CONTRACTS_CHANGE)
        self.fields["company"].queryset = PropertyCompany.objects.all()
