"""Keep scopes kept in sessions honest: bump User.scope_version when what a scope is built
from changes (anju.accounts.scope.session_cached).

A membership changes its user's scope; a region, grid or department changes what every
user's filters offer, so it bumps everyone (they change a few times a year).
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save


def bump_scope_version(user_ids=None) -> None:
    """Invalidate the session scopes of these users (of every user when None)."""
    from anju.accounts.models import User

    users = User.objects.all() if user_ids is None else User.objects.filter(pk__in=user_ids)
    users.update(scope_version=F("scope_version") + 1)


def _membership_changed(sender, instance, **kwargs) -> None:
    bump_scope_version([instance.user_id])


def _regions_changed(sender, instance, **kwargs) -> None:
    bump_scope_version()


def connect() -> None:
    from anju.accounts.models import Membership
    from anju.regions.models import Department, Grid, Region

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_membership_changed, sender=Membership, dispatch_uid=f"scope-m-{name}")
        for model in (Region, Grid, Department):
            signal.connect(
                _regions_changed, sender=model, dispatch_uid=f"scope-{model.__name__}-{name}"
            )
