from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "anju.estates"
    label = "estates"
    verbose_name = _("Registry")

    def ready(self):
        from anju.core.pii import register_revealable
        from anju.estates.models import Owner, Resident
        from anju.estates.permissions import owner_policy, owner_region_code, resident_policy

        register_revealable(
            "owner", Owner, owner_policy, ("id_number", "phone"), region_of=owner_region_code
        )
        register_revealable("resident", Resident, resident_policy, ("phone",))
