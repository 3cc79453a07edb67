"""Joint meetings (联席会议): a street or the district schedules a meeting with an agenda of the
escalated orders at its level, and records what it decided on each."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from anju.core.models import AuditEvent
from anju.workorders import disputes, services
from anju.workorders.machine import Act, State
from anju.workorders.models import Category, Channel, DisputeStep, JointMeeting

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
WED = MON + timedelta(days=2)


def escalated(world, estate=None, actor=None, now=MON):
    """A cleaning complaint in progress, taken to the street joint meeting."""
    p = world.people
    estate = estate or world.estate_a
    order = services.register(
        actor=actor or p.district_admin,
        data={
            "channel": Channel.ONSITE,
            "category": Category.objects.get(code="service.cleaning"),
            "estate": estate,
            "title": "物业费争议",
            "content": "业主与物业就收费标准发生争议",
            "complainant_name": "赵六",
        },
        now=now,
    )
    services.auto_dispatch(order, now=now)
    order.refresh_from_db()
    lead = order.assignments.get(role="lead", active=True)
    handler = p.company_x_manager if lead.company_id == world.company_x.pk else p.company_y_manager
    services.act(actor=handler, order=order, action=Act.SIGN, now=now)
    services.act(actor=handler, order=order, action=Act.CONTACT, now=now)
    disputes.escalate(actor=p.district_admin, order=order, reason="双方分歧", now=now)
    order.refresh_from_db()
    return order


def at_district_level(world, order):
    return disputes.record(actor=world.people.district_admin, order=order, outcome="failed",
                           met_at=MON, next_reason="提交区级联席会议", now=MON)  # fmt: skip


def test_a_street_meeting_hears_only_orders_at_the_street_level(world):
    officer = world.people.street_a_officer
    first, second = escalated(world), escalated(world)
    upper = at_district_level(world, escalated(world))
    candidates = set(disputes.agenda_candidates(officer, region=world.street_a, level=1))
    assert candidates == {first, second}

    with pytest.raises(ValidationError) as error:
        disputes.schedule_meeting(actor=officer, region=world.street_a, scheduled_at=WED,
                                  orders=[first, upper])  # fmt: skip
    assert "orders" in error.value.error_dict
    assert not JointMeeting.objects.exists()

    meeting = disputes.schedule_meeting(actor=officer, region=world.street_a, scheduled_at=WED,
                                        orders=[first], place="街道二楼会议室",
                                        participants="街道、社区、物业、业委会")  # fmt: skip
    assert meeting.level == 1
    assert first.dispute_steps.get().meeting == meeting
    disputes.add_to_agenda(actor=officer, meeting=meeting, orders=[second])
    assert set(meeting.agenda.all()) == {first, second}
    assert second.dispute_steps.get().meeting == meeting
    assert AuditEvent.objects.filter(action="disputes.meeting.agenda").count() == 1

    district = disputes.schedule_meeting(actor=world.people.district_admin,
                                         region=world.district, scheduled_at=WED,
                                         orders=[upper])  # fmt: skip
    assert district.level == 2
    assert upper.dispute_steps.get(level=2).meeting == district


def test_the_neighbouring_street_may_not_convene_or_add(world):
    order = escalated(world)
    meeting = disputes.schedule_meeting(actor=world.people.street_a_officer,
                                        region=world.street_a, scheduled_at=WED,
                                        orders=[])  # fmt: skip
    with pytest.raises(PermissionDenied):
        disputes.schedule_meeting(actor=world.people.street_b_officer, region=world.street_a,
                                  scheduled_at=WED, orders=[order])  # fmt: skip
    with pytest.raises(PermissionDenied):
        disputes.add_to_agenda(actor=world.people.street_b_officer, meeting=meeting,
                               orders=[order])  # fmt: skip
    # Street B sees none of street A's orders: its own area's candidates are empty.
    assert not disputes.agenda_candidates(
        world.people.street_b_officer, region=world.street_b, level=1
    ).exists()
    assert meeting.agenda.count() == 0


def test_the_outcomes_are_recorded_per_order_with_the_meetings_time(world):
    officer = world.people.street_a_officer
    agreed, failed, later = escalated(world), escalated(world), escalated(world)
    meeting = disputes.schedule_meeting(actor=officer, region=world.street_a, scheduled_at=WED,
                                        orders=[agreed, failed],
                                        participants="街道、物业、业主代表")  # fmt: skip

    with pytest.raises(ValidationError):  # not before it took place
        disputes.record_at_meeting(actor=officer, meeting=meeting, order=agreed,
                                   outcome="agreed", agreement="退费", now=MON)  # fmt: skip
    with pytest.raises(ValidationError):  # not on the agenda
        disputes.record_at_meeting(actor=officer, meeting=meeting, order=later,
                                   outcome="agreed", agreement="退费", now=WED)  # fmt: skip
    with pytest.raises(ValidationError) as error:  # an agreement must say what was agreed
        disputes.record_at_meeting(actor=officer, meeting=meeting, order=agreed,
                                   outcome="agreed", now=WED)  # fmt: skip
    assert "agreement" in error.value.error_dict
    meeting.refresh_from_db()
    assert not meeting.held
    assert not DisputeStep.objects.exclude(outcome="").exists()

    settled = disputes.record_at_meeting(actor=officer, meeting=meeting, order=agreed,
                                         outcome="agreed", agreement="物业退还多收费用",
                                         minutes="双方同意", now=WED)  # fmt: skip
    upward = disputes.record_at_meeting(actor=officer, meeting=meeting, order=failed,
                                        outcome="failed", next_reason="提交区级联席会议",
                                        now=WED)  # fmt: skip

    assert settled.state == State.FEEDBACK_SUBMITTED
    step = settled.dispute_steps.get()
    assert (step.meeting, step.met_at, step.participants) == (meeting, WED, "街道、物业、业主代表")
    assert (step.outcome, step.minutes) == ("agreed", "双方同意")
    assert upward.state == State.ESCALATED
    assert upward.dispute_level == 2
    assert list(upward.dispute_steps.values_list("level", "outcome", "meeting")) == [
        (1, "failed", meeting.pk),
        (2, "", None),
    ]
    meeting.refresh_from_db()
    assert meeting.held
    with pytest.raises(ValidationError):  # recorded once
        disputes.record_at_meeting(actor=officer, meeting=meeting, order=agreed,
                                   outcome="withdrawn", now=WED)  # fmt: skip
    with pytest.raises(ValidationError):  # a held meeting takes no more orders
        disputes.add_to_agenda(actor=officer, meeting=meeting, orders=[later])


# -- the pages ---------------------------------------------------------------------------------


def test_schedule_list_and_record_through_the_pages(world, login):
    officer = world.people.street_a_officer
    order = escalated(world)
    client = login(officer)

    form = client.get(reverse("workorders:meeting_create"), {"order": order.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["orders"] == [order.pk]
    created = client.post(reverse("workorders:meeting_create"), {
        "region": world.street_a.pk, "scheduled_at": "2026-03-04T10:00", "place": "街道会议室",
        "participants": "街道、社区、物业", "orders": [order.pk],
    })  # fmt: skip
    assert created.status_code == 302
    meeting = JointMeeting.objects.get()
    assert created["Location"] == reverse("workorders:meeting_detail", args=[meeting.pk])
    assert list(meeting.agenda.all()) == [order]

    listing = client.get(reverse("workorders:meetings"))
    assert "街道会议室" in listing.content.decode()
    detail = client.get(reverse("workorders:meeting_detail", args=[meeting.pk]))
    assert order.number in detail.content.decode()
    assert f'data-testid="outcome-{order.pk}"' in detail.content.decode()  # it took place

    recorded = client.post(
        reverse("workorders:meeting_outcome", args=[meeting.pk, order.pk]),
        {"outcome": "agreed", "agreement": "物业退还多收费用", "minutes": ""},
        follow=True,
    )
    assert recorded.status_code == 200
    order.refresh_from_db()
    assert order.state == State.FEEDBACK_SUBMITTED
    assert 'data-testid="agenda-outcome-agreed"' in recorded.content.decode()
    # The order page links the meeting from its dispute section.
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert reverse("workorders:meeting_detail", args=[meeting.pk]) in page


def test_bad_input_on_the_meeting_pages_writes_nothing(world, login):
    order = escalated(world)
    client = login(world.people.street_a_officer)
    no_time = client.post(reverse("workorders:meeting_create"), {
        "region": world.street_a.pk, "scheduled_at": "", "orders": [order.pk],
    })  # fmt: skip
    other_street = client.post(reverse("workorders:meeting_create"), {
        "region": world.street_b.pk, "scheduled_at": "2026-03-04T10:00",
    })  # fmt: skip
    assert no_time.status_code == 400
    assert no_time.context["form"].errors["scheduled_at"]
    assert other_street.status_code == 400
    assert other_street.context["form"].errors["region"]
    assert not JointMeeting.objects.exists()
    meeting = disputes.schedule_meeting(actor=world.people.street_a_officer,
                                        region=world.street_a, scheduled_at=MON,
                                        orders=[order])  # fmt: skip
    AuditEvent.objects.all().delete()
    missing_agreement = client.post(
        reverse("workorders:meeting_outcome", args=[meeting.pk, order.pk]),
        {"outcome": "agreed"},
        follow=True,
    )
    assert [m.level_tag for m in missing_agreement.context["messages"]] == ["error"]
    order.refresh_from_db()
    assert order.state == State.ESCALATED
    assert not AuditEvent.objects.exists()


def test_the_list_separates_upcoming_from_past_meetings(world, login):
    officer = world.people.street_a_officer
    ahead = disputes.schedule_meeting(actor=officer, region=world.street_a,
                                      scheduled_at=timezone.now() + timedelta(days=3),
                                      orders=[], place="将来")  # fmt: skip
    disputes.schedule_meeting(actor=officer, region=world.street_a, scheduled_at=MON,
                              orders=[], place="过去")  # fmt: skip
    client = login(officer)
    upcoming = client.get(reverse("workorders:meetings"), {"when": "upcoming"}).content.decode()
    past = client.get(reverse("workorders:meetings"), {"when": "past"}).content.decode()
    assert "将来" in upcoming
    assert "过去" not in upcoming
    assert "过去" in past
    assert "将来" not in past
    assert ahead.held is False
