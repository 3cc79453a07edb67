"""Work-order services: registration, routing, dispatch with clocks, moves, scope, protection."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anju.core.models import AuditEvent
from anju.workorders import services
from anju.workorders.access import actors_for, may_see_complainant, order_policy
from anju.workorders.machine import Act, Actor, IllegalTransition, State
from anju.workorders.models import Assignment, Category, Channel, Event, ResponsibilityRule

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday, 10:00


@pytest.fixture
def matrix(db):
    # A small matrix of its own, beside the seeded one (codes of their own).
    fire = Category.objects.create(code="t-fire", name="消防安全")
    exit_blocked = Category.objects.create(code="t-fire.exit", name="消防通道堵塞", parent=fire)
    service = Category.objects.create(code="t-service", name="物业服务")
    cleaning = Category.objects.create(code="t-service.cleaning", name="保洁", parent=service)
    ResponsibilityRule.objects.create(
        category=fire, lead="dept:fire", co=["street"], basis="消防救援机构负责", source="S0"
    )
    ResponsibilityRule.objects.create(
        category=service, lead="company", co=[], basis="物业企业负责", source="S3"
    )
    ResponsibilityRule.objects.create(
        category=service,
        estate_kind="old",
        lead="community",
        co=["street"],
        basis="老旧小区由社区托管",
        source="S3",
    )
    return {"fire": fire, "exit": exit_blocked, "service": service, "cleaning": cleaning}


def register(world, matrix, actor=None, **extra):
    data = {
        "channel": Channel.PHONE,
        "category": matrix["exit"],
        "estate": world.estate_a,
        "title": "3栋消防通道被堵",
        "content": "电动车堆满消防通道。",
        "complainant_name": "李四",
        "complainant_phone": "13812345678",
    }
    data.update(extra)
    return services.register(actor=actor or world.people.street_a_officer, data=data, now=MON)


def test_registration_numbers_records_and_audits(world, matrix):
    order = register(world, matrix)
    assert order.state == State.REGISTERED
    assert order.number == "GD2026030200001"
    assert order.region_code == world.estate_a.region_code
    assert order.deadline_class == "general"
    assert register(world, matrix).number == "GD2026030200002"
    assert Event.objects.filter(order=order, action="register").count() == 1
    assert AuditEvent.objects.filter(action="workorders.register", target_id=str(order.pk)).exists()
    assert order.complainant_phone == "13812345678"


def test_registration_refuses_what_is_outside_or_incomplete(world, matrix):
    with pytest.raises(ValidationError) as error:
        register(world, matrix, estate=world.estate_n)
    assert "estate" in error.value.message_dict
    with pytest.raises(ValidationError):
        register(world, matrix, complainant_name="", complainant_phone="")
    with pytest.raises(ValidationError):
        register(world, matrix, category=matrix["fire"])  # a group, not a leaf
    with pytest.raises(PermissionDenied):
        register(world, matrix, actor=world.people.company_x_manager)
    anonymous = register(world, matrix, anonymous=True)
    assert anonymous.complainant_name == ""
    assert anonymous.complainant_phone == ""


def test_a_hotline_number_is_registered_once(world, matrix):
    register(world, matrix, channel=Channel.HOTLINE, source_ref="12345-001")
    with pytest.raises(ValidationError):
        register(world, matrix, channel=Channel.HOTLINE, source_ref="12345-001")


def test_an_owner_reports_for_their_own_estate_only(world, matrix):
    owner = world.people.owner_unit_101
    order = register(world, matrix, actor=owner, channel=Channel.OWNER)
    assert order.complainant_user == owner
    assert actors_for(owner, order) == {Actor.CITIZEN}
    with pytest.raises(ValidationError):
        register(world, matrix, actor=owner, channel=Channel.OWNER, estate=world.estate_b)


def test_the_most_specific_rule_routes(world, matrix):
    fire_order = register(world, matrix)
    assert services.rule_for(fire_order).lead == "dept:fire"
    cleaning = register(world, matrix, category=matrix["cleaning"])
    assert services.rule_for(cleaning).lead == "company"
    old = register(world, matrix, category=matrix["cleaning"], estate=world.estate_a2)
    assert services.rule_for(old).lead == "community"
    lead, co, _rule = services.suggest_units(old)
    assert lead.region == world.a2
    assert [u.region for u in co] == [world.street_a]


def test_auto_dispatch_starts_every_clock_in_working_time(world, matrix):
    order = register(world, matrix)
    assert services.auto_dispatch(order, now=MON)
    order.refresh_from_db()
    assert order.state == State.DISPATCHED
    lead = order.assignments.get(role=Assignment.Role.LEAD)
    assert lead.department == world.fire
    assert lead.sign_due == datetime(2026, 3, 2, 15, 30, tzinfo=TZ)  # 4 working hours
    assert lead.contact_due == datetime(2026, 3, 3, 17, 30, tzinfo=TZ)  # 1 working day
    assert lead.feedback_due == datetime(2026, 3, 9, 10, 0, tzinfo=TZ)  # 7 days
    assert order.feedback_due == lead.feedback_due
    assert order.due_trace["sign"]["steps"]
    co = order.assignments.get(role=Assignment.Role.CO)
    assert co.region == world.street_a


def test_no_rule_no_auto_dispatch(world, matrix):
    other = Category.objects.create(code="t-other", name="其他")
    order = register(world, matrix, category=other)
    assert not services.auto_dispatch(order)
    order.refresh_from_db()
    assert order.state == State.REGISTERED


def test_the_whole_life_of_a_complaint(world, matrix):
    p = world.people
    order = register(world, matrix)
    services.auto_dispatch(order, now=MON)
    with pytest.raises(PermissionDenied):  # the neighbouring district's fire brigade
        services.act(actor=p.fire_n_handler, order=order, action=Act.SIGN, now=MON)
    with pytest.raises(IllegalTransition):  # the street is a co-unit, not the lead
        services.act(actor=p.street_a_officer, order=order, action=Act.SIGN, now=MON)
    services.act(actor=p.fire_handler, order=order, action=Act.SIGN, now=MON)
    with pytest.raises(IllegalTransition):  # feedback before contacting the complainant
        services.act(actor=p.fire_handler, order=order, action=Act.SUBMIT_FEEDBACK,
                     payload={"result": "solved", "reply": "已清理"}, now=MON)  # fmt: skip
    services.act(actor=p.fire_handler, order=order, action=Act.CONTACT, now=MON)
    services.act(actor=p.fire_handler, order=order, action=Act.SUBMIT_FEEDBACK,
                 payload={"result": "solved", "reply": "已清理"}, now=MON)  # fmt: skip
    services.act(actor=p.district_admin, order=order, action=Act.APPROVE_FEEDBACK, now=MON)
    order = services.act(actor=p.district_admin, order=order, action=Act.CLOSE,
                         payload={"rating": "satisfied"}, now=MON)  # fmt: skip
    assert order.state == State.CLOSED
    assert order.closed_at == MON
    assert order.reply == "已清理"
    lead = order.assignments.get(role=Assignment.Role.LEAD)
    assert lead.signed_at == lead.contacted_at == lead.feedback_at == MON
    actions = list(order.events.values_list("action", "as_role"))
    assert actions == [
        ("register", Actor.INTAKE),
        ("dispatch", Actor.SYSTEM),
        ("sign", Actor.HANDLER),
        ("contact", Actor.HANDLER),
        ("submit_feedback", Actor.UNIT_LEAD),
        ("approve_feedback", Actor.DISPATCHER),
        ("close", Actor.VISITOR),
    ]


def test_who_sees_an_order(world, matrix):
    p = world.people
    order = register(world, matrix, concerns_company=True)
    services.dispatch(
        actor=p.district_admin,
        order=order,
        lead=services.UnitRef("company", company_id=world.company_x.pk),
        now=MON,
    )

    def sees(user):
        return order_policy.visible(user).filter(pk=order.pk).exists()

    assert sees(p.district_admin)
    assert sees(p.street_a_officer)
    assert sees(p.community_a1_worker)
    assert sees(p.grid_a1_worker)
    assert sees(p.company_x_manager)
    assert sees(p.auditor)
    assert not sees(p.neighbour_admin)
    assert not sees(p.street_b_officer)
    assert not sees(p.company_y_manager)
    assert not sees(p.fire_handler)  # not assigned to the fire brigade
    assert not sees(p.owner_unit_101)  # not their complaint
    # The company complained about handles it but never learns who complained.
    assert not may_see_complainant(p.company_x_manager, order)
    assert may_see_complainant(p.street_a_officer, order)
    assert Actor.UNIT_LEAD in actors_for(p.company_x_manager, order)


def test_suspension_moves_the_deadline_by_the_working_time_lost(world, matrix):
    p = world.people
    order = register(world, matrix, category=matrix["exit"])
    order.deadline_class = "directive"  # 5 working days, counted in working time
    order.save()
    services.auto_dispatch(order, now=MON)
    services.act(actor=p.fire_handler, order=order, action=Act.SIGN, now=MON)
    services.act(actor=p.fire_handler, order=order, action=Act.CONTACT, now=MON)
    order.refresh_from_db()
    due = order.feedback_due
    assert due == datetime(2026, 3, 9, 17, 30, tzinfo=TZ)
    services.act(actor=p.district_admin, order=order, action=Act.SUSPEND,
                 payload={"reason": "等待鉴定"}, now=MON)  # fmt: skip
    # Resumed the next Monday: five working days (35 h) lost.
    resumed = datetime(2026, 3, 9, 10, 0, tzinfo=TZ)
    order = services.act(actor=p.district_admin, order=order, action=Act.RESUME, now=resumed)
    assert order.feedback_due == datetime(2026, 3, 16, 17, 30, tzinfo=TZ)
    pause = order.pauses.get()
    assert (pause.started_at, pause.ended_at) == (MON, resumed)


def test_a_return_goes_to_a_new_unit_with_fresh_clocks(world, matrix):
    p = world.people
    order = register(world, matrix)
    services.auto_dispatch(order, now=MON)
    services.act(actor=p.fire_handler, order=order, action=Act.REQUEST_RETURN,
                 payload={"reason": "属物业管理范围", "legal_basis": "《物业管理条例》"},
                 now=MON)  # fmt: skip
    later = datetime(2026, 3, 3, 10, 0, tzinfo=TZ)
    company = services.UnitRef("company", company_id=world.company_x.pk)
    order = services.act(actor=p.district_admin, order=order, action=Act.APPROVE_RETURN,
                         payload={"unit": company}, now=later)  # fmt: skip
    assert order.state == State.DISPATCHED
    old, new = order.assignments.filter(role=Assignment.Role.LEAD).order_by("id")
    assert not old.active
    assert new.active
    assert new.company_id == world.company_x.pk
    assert new.sign_due == datetime(2026, 3, 3, 15, 30, tzinfo=TZ)
    assert Actor.HANDLER in actors_for(p.company_x_manager, order)
    assert Actor.HANDLER not in actors_for(p.fire_handler, order)


def test_the_seeded_matrix_sends_a_blocked_fire_exit_to_the_fire_brigade(world):
    category = Category.objects.get(code="fire.exit_blocked")
    assert category.deadline_class == "urgent"
    order = services.register(
        actor=world.people.street_a_officer,
        data={
            "channel": Channel.HOTLINE,
            "category": category,
            "estate": world.estate_a,
            "title": "消防通道堵塞",
            "content": "楼道堆物",
            "anonymous": True,
        },
        now=MON,
    )
    assert services.auto_dispatch(order, now=MON)
    lead = order.assignments.get(role=Assignment.Role.LEAD, active=True)
    units = {a.unit_kind for a in order.assignments.all()}
    assert "dept:fire" in units
    assert lead.sign_due == datetime(2026, 3, 2, 10, 15, tzinfo=TZ)  # urgent: 15 minutes
    assert services.rule_for(order).source.startswith("S0")
