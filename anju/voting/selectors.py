"""What other apps read from the owners' votes, always through the actor's scope."""

from anju.voting.access import meeting_policy
from anju.voting.models import MeetingState, Motion
from anju.voting.rules import Matter


def fund_use_decisions(actor, *, estate_id: int | None = None):
    """The published owners' decisions to use the maintenance fund that the actor may see,
    newest first: what a maintenance-fund application cites as its authority. A motion's
    electorate (the whole estate, some buildings or a unit list) is the 列支范围 that shares
    the cost; its counted result and board head make the decision verifiable."""
    meetings = meeting_policy.visible(actor).filter(state=MeetingState.PUBLISHED)
    if estate_id is not None:
        meetings = meetings.filter(estate_id=estate_id)
    return (
        Motion.objects.filter(meeting__in=meetings, matter=Matter.USE_FUND, passed=True)
        .select_related("meeting", "meeting__estate")
        .prefetch_related("buildings", "units")
        .order_by("-meeting__closes_at", "-meeting_id", "number")
    )
