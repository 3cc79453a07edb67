"""Demo and benchmark work orders over an existing registry, deterministic by seed.

Orders are spread over the 400 days before `now`: channels in the proportions of S2's
summary (on site 47, phone 109, online 25, 12345 86, directives 11, plus owners' own
reports), categories and lead units from the seeded responsibility matrix, states by age
(old orders mostly closed, some rejected, merged or referred; recent ones at every step),
clocks, lateness, return visits and a timeline per order. Deadlines here are wall-clock
approximations of the deadline classes (the real ones are computed at dispatch); they only
need to look right and to give the sweep and the metrics realistic work.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from anju.companies.models import ServiceContract
from anju.core.imports import bulk_insert, bulk_insert_returning
from anju.core.pii import digest
from anju.estates.models import Estate
from anju.regions.models import Department, Region
from anju.workorders import rollups
from anju.workorders.machine import State
from anju.workorders.models import (
    Assignment,
    Category,
    Channel,
    Event,
    ResponsibilityRule,
    Visit,
    WorkOrder,
)

CHANNELS = [
    (Channel.ONSITE, 47),
    (Channel.PHONE, 109),
    (Channel.ONLINE, 25),
    (Channel.HOTLINE, 86),
    (Channel.DIRECTIVE, 11),
    (Channel.OWNER, 40),
]
CLOCKS = {  # sign, contact, feedback
    "urgent": (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=2)),
    "timely": (timedelta(hours=1), timedelta(hours=2), timedelta(hours=24)),
    "general": (timedelta(hours=4), timedelta(days=1), timedelta(days=7)),
    "complex": (timedelta(hours=4), timedelta(days=1), timedelta(days=15)),
    "directive": (timedelta(hours=2), timedelta(days=1), timedelta(days=7)),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超秀英华"
BATCH = 5000
SPAN_DAYS = 400


@dataclass
class Place:
    estate_id: int
    region_code: str
    kind: str
    company_id: int | None
    street_id: int | None
    community_id: int | None


class OrderBuilder:
    def __init__(self, seed: int = 2026, now: datetime | None = None, timeline: bool = True):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.now = now or timezone.now()
        self.timeline = timeline
        # Serials continue after every existing order, so a second run never repeats a number.
        base = WorkOrder.objects.count()
        self.serial: dict[str, int] = defaultdict(lambda: base)
        self._load()

    def _load(self) -> None:
        today = timezone.localdate(self.now)
        companies = dict(
            ServiceContract.objects.filter(start_date__lte=today)
            .exclude(end_date__lt=today)
            .order_by("estate_id", "start_date")
            .values_list("estate_id", "company_id")
        )
        regions = dict(Region.objects.values_list("code", "pk"))
        self.places = [
            Place(pk, code, kind, companies.get(pk), regions.get(code[:9] + "000"),
                  regions.get(code))
            for pk, code, kind in Estate.objects.values_list("pk", "region_code", "kind")
        ]  # fmt: skip
        self.departments = {
            (code[:6], kind): pk
            for pk, code, kind in Department.objects.values_list("pk", "district__code", "kind")
        }
        leaves = Category.objects.filter(children__isnull=True, active=True)
        self.categories = list(leaves.values("pk", "parent_id", "deadline_class", "kind"))
        self.rules = {
            (r.category_id, r.estate_kind): r.lead for r in ResponsibilityRule.objects.all()
        }
        if not self.places or not self.categories:
            raise ValueError("demo orders need estates and the seeded categories")
        weights = [w for _, w in CHANNELS]
        self.channel_pool = [c for c, _ in CHANNELS]
        self.channel_weights = weights

    def lead_for(self, place: Place, category: dict) -> dict:
        for key in (
            (category["pk"], place.kind),
            (category["pk"], ""),
            (category["parent_id"], place.kind),
            (category["parent_id"], ""),
        ):
            kind = self.rules.get(key)
            if kind:
                break
        else:
            kind = "street"
        if kind == "company" and place.company_id:
            return {"unit_kind": kind, "company_id": place.company_id}
        if kind.startswith("dept:"):
            dept = self.departments.get((place.region_code[:6], kind[5:]))
            if dept:
                return {"unit_kind": kind, "department_id": dept}
        if kind == "community" and place.community_id:
            return {"unit_kind": kind, "region_id": place.community_id}
        return {"unit_kind": "street", "region_id": place.street_id}

    def state_for(self, age: timedelta, kind: str) -> str:
        roll = self.rng.random()
        if kind == "consult" and roll < 0.7:
            return State.ANSWERED
        if age > timedelta(days=20):
            for state, share in (
                (State.REJECTED, 0.03),
                (State.MERGED, 0.03),
                (State.WITHDRAWN, 0.01),
                (State.REFERRED, 0.005),
                (State.IN_PROGRESS, 0.01),
            ):
                if roll < share:
                    return state
                roll -= share
            return State.CLOSED
        return self.rng.choice(
            [
                State.REGISTERED,
                State.DISPATCHED,
                State.SIGNED,
                State.IN_PROGRESS,
                State.IN_PROGRESS,
                State.FEEDBACK_SUBMITTED,
                State.PENDING_VISIT,
                State.CLOSED,
                State.CLOSED,
                State.SUSPENDED,
            ]
        )

    def number(self, created: datetime) -> str:
        day = timezone.localtime(created).strftime("%Y%m%d")
        self.serial[day] += 1
        return f"GD{day}{self.serial[day]:05d}"  # five digits or more

    def build(self, count: int, progress=None) -> dict[str, int]:
        totals = defaultdict(int)
        done = 0
        while done < count:
            n = min(BATCH, count - done)
            for name, value in self._batch(n).items():
                totals[name] += value
            done += n
            if progress:
                progress(f"{done:,}/{count:,} orders")
        # Written in bulk, not through the services: the metric rollups of every day these
        # orders count on are stale (the sweep or `manage.py metrics_rollup` recomputes them).
        first = rollups.day_of(self.now - timedelta(days=SPAN_DAYS))
        last = rollups.day_of(self.now)
        rollups.mark_stale(first + timedelta(days=n) for n in range((last - first).days + 1))
        return dict(totals)

    def _batch(self, n: int) -> dict[str, int]:
        rng = self.rng
        orders, plans = [], []
        for _ in range(n):
            place = rng.choice(self.places)
            category = rng.choice(self.categories)
            created = self.now - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
            channel = rng.choices(self.channel_pool, self.channel_weights)[0]
            kind = category["kind"]
            state = self.state_for(self.now - created, kind)
            anonymous = rng.random() < 0.08
            name = "" if anonymous else rng.choice(SURNAMES) + rng.choice(GIVEN)
            phone = "" if anonymous else f"13{rng.randrange(10**9):09d}"
            cls = "directive" if channel == Channel.DIRECTIVE else category["deadline_class"]
            orders.append(
                WorkOrder(
                    number=self.number(created),
                    channel=channel,
                    kind=kind,
                    category_id=category["pk"],
                    estate_id=place.estate_id,
                    region_code=place.region_code,
                    title="演示工单",
                    content="演示数据：业主反映的问题。",
                    anonymous=anonymous,
                    complainant_name=name,
                    complainant_phone=phone,
                    complainant_phone_digest=digest(phone) if phone else "",
                    concerns_company=category["parent_id"] is not None and rng.random() < 0.3,
                    source_ref="",  # set below from the unique order number
                    deadline_class=cls,
                    state=state,
                    created_at=created,
                    updated_at=created,
                )
            )
            if channel == Channel.HOTLINE:
                orders[-1].source_ref = f"12345-{orders[-1].number[2:]}"
            plans.append((place, category, created, state, cls, anonymous))
        bulk_insert_returning(WorkOrder, orders)
        # bulk_insert stamps created_at with the import time: put the demo times back.
        assignments, events, visits = [], [], []
        for order, (place, category, created, state, cls, anonymous) in zip(
            orders, plans, strict=True
        ):
            order.created_at = created
            self._life(order, place, category, created, state, cls, anonymous,
                       assignments, events, visits)  # fmt: skip
        _restamp(orders)
        bulk_insert(Assignment, assignments)
        bulk_insert(Event, events)
        bulk_insert(Visit, visits)
        return {
            "orders": len(orders),
            "assignments": len(assignments),
            "events": len(events),
            "visits": len(visits),
        }

    def _life(self, order, place, category, created, state, cls, anonymous, assignments,
              events, visits) -> None:  # fmt: skip
        rng = self.rng

        def event(action, before, after, at, role):
            if self.timeline or action in ("register", "dispatch", "close"):
                events.append(Event(order_id=order.pk, as_role=role, action=action,
                                    from_state=before, to_state=after, at=at))  # fmt: skip

        event("register", "", State.REGISTERED, created, "intake")
        if state in (State.REGISTERED, State.REJECTED, State.MERGED, State.ANSWERED):
            if state != State.REGISTERED:
                event(state, State.REGISTERED, state, created + timedelta(hours=1), "intake")
            order._dispatched = None
            return
        dispatched = created + timedelta(minutes=rng.randrange(5, 240))
        sign, contact, feedback = CLOCKS[cls]
        late = rng.random() < 0.15
        lead = Assignment(
            order_id=order.pk,
            role=Assignment.Role.LEAD,
            active=True,
            sign_due=dispatched + sign,
            contact_due=dispatched + contact,
            feedback_due=dispatched + feedback,
            warn_at=dispatched + feedback * 0.8,
            order_state=state,
            **self.lead_for(place, category),
        )
        order._lead = (lead.region_id, lead.department_id, lead.company_id)
        order._dispatched = dispatched
        order._feedback_due = lead.feedback_due
        event("dispatch", State.REGISTERED, State.DISPATCHED, dispatched, "system")
        steps = [State.SIGNED, State.IN_PROGRESS, State.FEEDBACK_SUBMITTED,
                 State.PENDING_VISIT, State.CLOSED]  # fmt: skip
        reached = {
            State.DISPATCHED: 0, State.SIGNED: 1, State.IN_PROGRESS: 2, State.SUSPENDED: 2,
            State.FEEDBACK_SUBMITTED: 3, State.PENDING_VISIT: 4, State.CLOSED: 5,
            State.REFERRED: 2, State.WITHDRAWN: 1,
        }.get(state, 2)  # fmt: skip
        at = dispatched
        stretch = 1.3 if late else 0.5
        if reached >= 1:
            lead.signed_at = dispatched + sign * (stretch * rng.random())
            event("sign", State.DISPATCHED, State.SIGNED, lead.signed_at, "handler")
        if reached >= 2:
            lead.contacted_at = dispatched + contact * (stretch * rng.random())
            if anonymous:
                lead.contacted_at = lead.signed_at
            event("contact", State.SIGNED, State.IN_PROGRESS, lead.contacted_at, "handler")
        if reached >= 3:
            lead.feedback_at = dispatched + feedback * (0.3 + (0.9 if late else 0.6) * rng.random())
            event("submit_feedback", State.IN_PROGRESS, State.FEEDBACK_SUBMITTED,
                  lead.feedback_at, "unit_lead")  # fmt: skip
            at = lead.feedback_at
        if reached >= 4:
            at = at + timedelta(hours=rng.randrange(1, 48))
            event("approve_feedback", steps[2], steps[3], at, "dispatcher")
        if state == State.CLOSED:
            at = at + timedelta(hours=rng.randrange(1, 72))
            if at > self.now:
                at = self.now
            order._closed = at
            roll = rng.random()
            satisfaction = "satisfied" if roll < 0.7 else "basic" if roll < 0.9 else "unsatisfied"
            visits.append(
                Visit(order_id=order.pk, token=f"demo{order.pk:012d}",
                      method="link" if rng.random() < 0.6 else "phone",
                      solved=rng.random() < (0.9 if satisfaction != "unsatisfied" else 0.3),
                      satisfaction="" if anonymous else satisfaction,
                      exempt="anonymous" if anonymous else "", answered_at=at)
            )  # fmt: skip
            event("close", State.PENDING_VISIT, State.CLOSED, at, "visitor")
        elif state in (State.REFERRED, State.WITHDRAWN, State.SUSPENDED):
            event(state, State.IN_PROGRESS, state, dispatched + timedelta(days=2), "supervisor")
        # Overdue flags as the sweep would have set them.
        if lead.feedback_at is None and lead.feedback_due < self.now and state not in (
            State.SUSPENDED, State.REFERRED, State.WITHDRAWN
        ):  # fmt: skip
            lead.warned_at = lead.warn_at
            lead.overdue_at = lead.urged_at = lead.feedback_due
        assignments.append(lead)


def _restamp(orders) -> None:
    """Set the demo times (bulk inserts stamp created_at/updated_at with the insert time) and
    the lead unit copied onto the order."""
    from django.db import connection

    rows = [
        (
            o.created_at,
            getattr(o, "_dispatched", None),
            getattr(o, "_feedback_due", None),
            getattr(o, "_closed", None),
            *getattr(o, "_lead", (None, None, None)),
            o.pk,
        )
        for o in orders
    ]
    table = connection.ops.quote_name(WorkOrder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET created_at = %s, updated_at = %s, dispatched_at = %s, "  # noqa: S608
            "feedback_due = %s, closed_at = %s, lead_region_id = %s, lead_department_id = %s, "
            "lead_company_id = %s WHERE id = %s",
            [(c, c, d, f, x, *lead, pk) for c, d, f, x, *lead, pk in rows],
        )


def build_orders(count: int, seed: int = 2026, now=None, progress=None, timeline=True):
    return OrderBuilder(seed, now, timeline).build(count, progress)
