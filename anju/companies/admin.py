from django.contrib import admin

from anju.companies.models import PropertyCompany
from anju.core.admin import ReadOnlyAdmin


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "region", "has_party_org"]
    search_fields = ["name", "uscc"]
    readonly_fields = ["region_code"]
