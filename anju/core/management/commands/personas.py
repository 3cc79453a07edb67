import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from anju.core.demo import DEMO_PASSWORD, persona_rows

URL = "http://127.0.0.1:8000"


def owner_persona_id_number() -> str:
    """The registered ID number of the owner persona (demo data only), for the ballot page."""
    from anju.accounts.models import Membership
    from anju.estates.models import Ownership

    membership = Membership.objects.filter(user__username="owner", unit__isnull=False).first()
    if membership is None:
        return ""
    link = (
        Ownership.objects.filter(unit_id=membership.unit_id, is_representative=True)
        .select_related("owner")
        .first()
    )
    return link.owner.id_number if link else ""


def width(text: str) -> int:
    """Return the number of terminal columns text takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


class Command(BaseCommand):
    help = "Print the demo logins (one per role) and the address to open."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            rows = persona_rows()
            if not rows:
                self.stdout.write(_("No demo logins yet: run `manage.py demo_data` first."))
                return
            header = (_("Login"), _("Password"), _("Role"), _("Scope"), _("Name"))
            table = [header] + [
                (username, DEMO_PASSWORD, role, scope, name) for username, name, role, scope in rows
            ]
            widths = [max(width(row[i]) for row in table) for i in range(len(header))]
            rule = "  ".join("-" * w for w in widths)
            self.stdout.write("")
            self.stdout.write(_("Anju demo logins — open %(url)s") % {"url": URL})
            self.stdout.write(rule)
            for index, row in enumerate(table):
                self.stdout.write(
                    "  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
                )
                if index == 0:
                    self.stdout.write(rule)
            self.stdout.write(rule)
            owner_id = owner_persona_id_number()
            if owner_id:
                self.stdout.write(
                    _("The owner login votes after an identity check with ID number %(id)s.")
                    % {"id": owner_id}
                )
            self.stdout.write("")
