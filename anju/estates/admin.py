from django.contrib import admin

from anju.core.admin import ReadOnlyAdmin
from anju.estates.models import Building, Compound, Estate


class CompoundInline(admin.TabularInline):
    model = Compound
    extra = 0


@admin.register(Estate)
class EstateAdmin(ReadOnlyAdmin):
    """Read-mostly view for superusers; registry writes go through the audited pages and API."""

    list_display = ["name", "region", "kind", "management_mode", "total_households"]
    list_filter = ["kind", "management_mode", "red_property"]
    search_fields = ["name", "address", "region_code"]
    inlines = [CompoundInline]
    readonly_fields = ["region_code"]


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ["number", "estate", "floors", "has_lift"]
    search_fields = ["number", "estate__name"]
    raw_id_fields = ["estate"]
