"""Policy objects: one per scoped model, answering visible(), can() and get() for an actor.

Fetching and authorising happen in one call, and an object outside the actor's scope raises
Http404 exactly like a missing one.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from anju.accounts.scope import Scope, scope_of


class Policy:
    def __init__(
        self,
        model: type[Model],
        *,
        view: str,
        change: str,
        scope_filter: Callable[[Scope, str], Q],
    ):
        self.model = model
        self.view_action = view
        self.change_action = change
        self.scope_filter = scope_filter

    def visible(self, actor, action: str | None = None, qs: QuerySet | None = None) -> QuerySet:
        """Return the rows of qs (default: all) the actor may act on with action."""
        action = action or self.view_action
        scope = scope_of(actor)
        qs = self.model._default_manager.all() if qs is None else qs
        if not scope.allows(action):
            return qs.none()
        return qs.filter(self.scope_filter(scope, action))

    def get(self, actor, pk, action: str | None = None, qs: QuerySet | None = None):
        """Fetch one row the actor may see; Http404 when missing or out of scope."""
        try:
            return self.visible(actor, action, qs).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc

    def can(self, actor, action: str, obj: Model) -> bool:
        return self.visible(actor, action).filter(pk=obj.pk).exists()

    def require(self, actor, action: str, obj: Model) -> None:
        """Raise PermissionDenied unless the actor may perform action on obj."""
        if not self.can(actor, action, obj):
            raise PermissionDenied

    def allows(self, actor, action: str) -> bool:
        return scope_of(actor).allows(action)

    def require_action(self, actor, action: str | None = None) -> None:
        """Raise PermissionDenied unless one of the actor's roles allows action at all.

        Lists and create operations call this first, so a role lacking the action hears 403
        rather than an empty list or a 404 for the region or estate it names.
        """
        if not self.allows(actor, action or self.view_action):
            raise PermissionDenied
