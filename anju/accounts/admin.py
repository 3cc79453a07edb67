from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from anju.accounts.models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["region", "grid", "department", "company", "estate"]
    raw_id_fields = ["unit"]


@admin.register(User)
class AnjuUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name"]
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ["display_name"]}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at"]
    readonly_fields = ["digest", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]
