"""The periodic sweep over open orders (complaints.md §2.3 timers, §9 notes).

For every active assignment whose feedback clock is running (order open and not paused,
no feedback yet) it issues, once each:
1. a warning at 80 % of the feedback time (`warn_at`, computed at dispatch);
2. at the deadline: the overdue flag, a typed `order.overdue` event, and an automatic 催办
   to the unit lead, which also fixes `report_at` = 5 working days later;
3. at `report_at`, still without feedback: a 通报 to the district (`order.reported`).

Then it brings the daily metric rollups up to date (anju.workorders.rollups): the days that
ended since, the days changed since and the days whose clocks have run out since.

Set-based: each step selects due rows through indexed instants, locks them (PostgreSQL skips
rows another sweep holds), stamps the flag and writes the notices in one transaction per
batch. A row stamped once never qualifies again, and notices are unique per (assignment,
kind), so two sweeps at once — or one run twice — issue each notice exactly once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from anju.core.worktime import calendar
from anju.workorders import machine, rollups
from anju.workorders.models import Assignment, DomainEvent, Notice, WorkOrder

BATCH = 2000
REPORT_AFTER_WORKING_DAYS = 5
# While the unit works on it; the clock stops at feedback (review, visit) and while paused.
RUNNING = sorted(
    {machine.State.DISPATCHED, machine.State.RETURN_REQUESTED, machine.State.SIGNED}
    | {machine.State.IN_PROGRESS}
)


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    urged: int = 0
    reported: int = 0
    rollup_days: int = 0
    seconds: float = 0.0
    notices: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "warned": self.warned,
            "overdue": self.overdue,
            "urged": self.urged,
            "reported": self.reported,
            "rollup_days": self.rollup_days,
            "seconds": round(self.seconds, 3),
        }


def _running():
    return Assignment.objects.filter(
        active=True, feedback_at__isnull=True, order__state__in=RUNNING
    )


def _lock(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs  # SQLite: write transactions are serialised (BEGIN IMMEDIATE)


def _step(candidates, stamp: dict, notice_kind: str | None, now, event=None) -> int:
    """Stamp candidate rows in batches; write a notice (and event) per stamped row."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                _lock(candidates.order_by("id")).values("id", "order_id", "feedback_due")[:BATCH]
            )
            if not rows:
                return done
            ids = [r["id"] for r in rows]
            Assignment.objects.filter(id__in=ids).update(**stamp)
            if notice_kind is not None:
                Notice.objects.bulk_create(
                    [
                        Notice(
                            order_id=r["order_id"],
                            assignment_id=r["id"],
                            kind=notice_kind,
                            due=r["feedback_due"],
                            created_at=now,
                        )
                        for r in rows
                    ],
                    ignore_conflicts=True,
                )
            if event is not None:
                _events(rows, event, now)
            done += len(rows)


def _events(rows, type_, now) -> None:
    assignments = Assignment.objects.in_bulk([r["id"] for r in rows])
    regions = dict(
        WorkOrder.objects.filter(pk__in={r["order_id"] for r in rows}).values_list(
            "pk", "region_code"
        )
    )
    DomainEvent.objects.bulk_create(
        [
            DomainEvent(
                type=type_,
                order_id=r["order_id"],
                company_id=assignments[r["id"]].company_id,
                department_id=assignments[r["id"]].department_id,
                region_code=regions[r["order_id"]],
                data={"due": r["feedback_due"].isoformat() if r["feedback_due"] else ""},
                at=now,
                key=f"{type_}:{r['order_id']}:{r['id']}:{r['feedback_due']:%Y%m%d%H%M}"[:80],
            )
            for r in rows
        ],
        ignore_conflicts=True,
    )


def sweep(now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    started = timezone.now()
    result = SweepResult()
    running = _running()
    result.warned = _step(
        running.filter(warned_at__isnull=True, warn_at__lte=now),
        {"warned_at": now},
        Notice.Kind.WARNING,
        now,
    )
    cal = calendar()

    overdue = running.filter(overdue_at__isnull=True, feedback_due__lte=now)
    # Urged now: reported to the district if still without feedback 5 working days later.
    report_at = cal.add_working_days(now, REPORT_AFTER_WORKING_DAYS).at
    result.overdue = _step(
        overdue,
        {"overdue_at": now, "urged_at": now, "warned_at": now, "report_at": report_at},
        Notice.Kind.OVERDUE,
        now,
        event=DomainEvent.Type.ORDER_OVERDUE,
    )
    # The 催办 goes out with the overdue flag; its notices are written for the same rows.
    result.urged = _urge_notices(now)
    result.reported = _step(
        running.filter(reported_at__isnull=True, report_at__lte=now),
        {"reported_at": now},
        Notice.Kind.REPORT,
        now,
        event=DomainEvent.Type.ORDER_REPORTED,
    )
    result.rollup_days = rollups.refresh(now)
    result.seconds = (timezone.now() - started).total_seconds()
    return result


def _urge_notices(now) -> int:
    """A 催办 notice for every assignment urged at this sweep that has none yet."""
    urged = Assignment.objects.filter(urged_at=now).exclude(notices__kind=Notice.Kind.URGE)
    rows = list(urged.values("id", "order_id", "feedback_due"))
    Notice.objects.bulk_create(
        [
            Notice(
                order_id=r["order_id"],
                assignment_id=r["id"],
                kind=Notice.Kind.URGE,
                due=r["feedback_due"],
                created_at=now,
            )
            for r in rows
        ],
        ignore_conflicts=True,
    )
    return len(rows)
