from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "anju.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        # The 12345 hotline ledger registers itself with the Excel ledger framework.
        from anju.workorders import ledgers  # noqa: F401
