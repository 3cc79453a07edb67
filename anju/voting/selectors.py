"""What other apps read from the owners' votes, always through the actor's scope."""

from django.db.models import QuerySet

from anju.voting.access import motion_policy
from anju.voting.models import MeetingState, Motion
from anju.voting.rules import Matter


def only_fund_use_decisions(qs: QuerySet) -> QuerySet:
    """The published, passed motions to use the maintenance fund among qs."""
    return qs.filter(meeting__state=MeetingState.PUBLISHED, matter=Matter.USE_FUND, passed=True)


def fund_use_decisions(actor, *, estate_id: int | None = None) -> QuerySet[Motion]:
    """The published owners' decisions to use the maintenance fund that the actor may see,
    newest first: what a maintenance-fund application cites as its authority. A motion's
    electorate (the whole estate, some buildings or a unit list) is the 列支范围 that shares
    the cost; its counted result and board head make the decision verifiable."""
    motions = only_fund_use_decisions(motion_policy.visible(actor))
    if estate_id is not None:
        motions = motions.filter(meeting__estate_id=estate_id)
    return (
        motions.select_related("meeting", "meeting__estate")
        .prefetch_related("buildings", "units")
        .order_by("-meeting__closes_at", "-meeting_id", "number")
    )


def approval_counts(motion: Motion) -> dict | None:
    """The persons and area (0.01 m²) that approved a passed motion: its yes ballots, or the
    adopted option's; None before the count."""
    result = motion.result
    if not result or not result.get("passed"):
        return None
    if result.get("kind") == "choice":
        return result["tally"]["options"][result["chosen"]]
    return result["tally"]["yes"]


def adopted_option(motion: Motion) -> str | None:
    result = motion.result or {}
    if result.get("kind") == "choice" and result.get("chosen") is not None:
        return result["labels"][result["chosen"]]
    return None
