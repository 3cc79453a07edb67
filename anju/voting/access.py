"""Who sees which votes: a meeting is in scope when its estate is (anju.accounts.scope)."""

from anju.accounts.roles import Action
from anju.accounts.scope import estate_filter
from anju.core.policy import Policy
from anju.voting.models import Meeting, Motion

meeting_policy = Policy(
    Meeting,
    view=Action.VOTES_VIEW,
    change=Action.VOTES_ORGANISE,
    scope_filter=lambda scope, action: estate_filter(scope, action, path="estate__"),
)

motion_policy = Policy(
    Motion,
    view=Action.VOTES_VIEW,
    change=Action.VOTES_ORGANISE,
    scope_filter=lambda scope, action: estate_filter(scope, action, path="meeting__estate__"),
)
