from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "anju.companies"
    label = "companies"
    verbose_name = _("Companies")

    def ready(self):
        from anju.companies.models import ProjectManager, PropertyCompany
        from anju.companies.permissions import company_policy, project_manager_policy
        from anju.core.pii import register_revealable

        register_revealable("company", PropertyCompany, company_policy, ("contact_phone",))
        register_revealable("manager", ProjectManager, project_manager_policy, ("phone",))
