"""The reference data the district administrator edits: the category tree, the figures of the
deadline classes, the class of a category on a channel, and the rework deadline. Changes
apply to what happens afterwards; deadlines already set stay."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anju.core.models import AuditEvent
from anju.core.views import audit_policy
from anju.workorders import configuration, services
from anju.workorders.deadlines import DEFAULT_REWORK_DAYS, class_for, rework_days
from anju.workorders.machine import Act
from anju.workorders.models import (
    Assignment,
    Category,
    Channel,
    DeadlineChoice,
    DeadlineClass,
    DeadlineSettings,
)

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday


def register(world, *, code="service.cleaning", channel=Channel.PHONE, now=MON):
    return services.register(
        actor=world.people.street_a_officer,
        data={
            "channel": channel,
            "category": Category.objects.get(code=code),
            "estate": world.estate_a,
            "title": "楼道垃圾未清运",
            "content": "三天没有清运。",
            "complainant_name": "王五",
        },
        now=now,
    )


def dispatched(world, **kwargs):
    order = register(world, **kwargs)
    services.auto_dispatch(order, now=kwargs.get("now", MON))
    order.refresh_from_db()
    return order


# -- category × channel -----------------------------------------------------------------------


def test_a_class_chosen_for_a_category_and_channel_applies_to_later_orders(world):
    admin = world.people.district_admin
    cleaning = Category.objects.get(code="service.cleaning")
    assert cleaning.deadline_class == "general"
    before = register(world, channel=Channel.HOTLINE)

    configuration.deadline_choice_set(
        actor=admin, category=cleaning, channel=Channel.HOTLINE, deadline_class="timely"
    )

    assert register(world, channel=Channel.HOTLINE).deadline_class == "timely"
    assert register(world, channel=Channel.PHONE).deadline_class == "general"  # other channel
    before.refresh_from_db()
    assert before.deadline_class == "general"  # registered before the change
    event = AuditEvent.objects.get(action="matrix.deadline_choice.set")
    assert event.changes == {"deadline_class:hotline": [None, "timely"]}
    # Shared configuration: the neighbouring district's auditors see the change too.
    assert audit_policy.visible(world.people.neighbour_admin).filter(pk=event.pk).exists()


def test_a_group_choice_covers_its_categories_and_a_leaf_choice_wins(world):
    admin = world.people.district_admin
    cleaning = Category.objects.get(code="service.cleaning")
    configuration.deadline_choice_set(
        actor=admin, category=cleaning.parent, channel=Channel.DIRECTIVE, deadline_class="complex"
    )
    assert class_for(cleaning, Channel.DIRECTIVE) == "complex"  # overrides the directive class
    configuration.deadline_choice_set(
        actor=admin, category=cleaning, channel=Channel.DIRECTIVE, deadline_class="urgent"
    )
    assert class_for(cleaning, Channel.DIRECTIVE) == "urgent"
    # Removing both: a leader's directive takes the directive class again.
    for category in (cleaning, cleaning.parent):
        configuration.deadline_choice_set(
            actor=admin, category=category, channel=Channel.DIRECTIVE, deadline_class=""
        )
    assert class_for(cleaning, Channel.DIRECTIVE) == "directive"
    assert not DeadlineChoice.objects.exists()


def test_only_the_district_admin_chooses_and_bad_input_writes_nothing(world):
    cleaning = Category.objects.get(code="service.cleaning")
    with pytest.raises(PermissionDenied):
        configuration.deadline_choice_set(actor=world.people.street_a_officer, category=cleaning,
                                          channel="hotline", deadline_class="urgent")  # fmt: skip
    with pytest.raises(ValidationError) as error:
        configuration.deadline_choice_set(actor=world.people.district_admin, category=cleaning,
                                          channel="fax", deadline_class="urgent")  # fmt: skip
    assert "channel" in error.value.error_dict
    assert not DeadlineChoice.objects.exists()
    assert not AuditEvent.objects.exists()


# -- class figures ----------------------------------------------------------------------------


def test_new_figures_apply_to_orders_dispatched_afterwards(world):
    admin = world.people.district_admin
    earlier = dispatched(world)
    assert earlier.feedback_due == MON + timedelta(days=7)  # general: 7 calendar days

    configuration.deadline_class_update(
        actor=admin,
        code="general",
        data={"feedback_amount": 10, "feedback_unit": "natural_days"},
    )

    later = dispatched(world)
    assert later.feedback_due == MON + timedelta(days=10)
    earlier.refresh_from_db()
    assert earlier.feedback_due == MON + timedelta(days=7)  # unchanged
    lead = earlier.assignments.get(role=Assignment.Role.LEAD)
    assert lead.feedback_due == MON + timedelta(days=7)
    row = DeadlineClass.objects.get(code="general")
    assert (row.feedback_amount, row.sign_amount) == (10, 240)  # the other clocks stay
    event = AuditEvent.objects.get(action="matrix.deadline_class.update")
    assert event.changes == {"feedback_amount": [7, 10]}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"feedback_amount": 0, "feedback_unit": "natural_days"}, "feedback_amount"),
        ({"feedback_amount": 91, "feedback_unit": "natural_days"}, "feedback_amount"),
        ({"sign_amount": 30, "sign_unit": "fortnights"}, "sign_unit"),
        ({"contact_amount": "2", "contact_unit": "working_days"}, "contact_amount"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(world, data, field):
    before = list(DeadlineClass.objects.values())
    with pytest.raises(ValidationError) as error:
        configuration.deadline_class_update(
            actor=world.people.district_admin, code="general", data=data
        )
    assert field in error.value.error_dict
    assert list(DeadlineClass.objects.values()) == before
    assert not AuditEvent.objects.exists()


# -- the rework deadline ----------------------------------------------------------------------


def awaiting_visit(world):
    p = world.people
    order = dispatched(world)
    for actor, action, payload in (
        (p.company_x_manager, Act.SIGN, {}),
        (p.company_x_manager, Act.CONTACT, {}),
        (p.company_x_manager, Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清运"}),
        (p.district_admin, Act.APPROVE_FEEDBACK, {}),
    ):
        order = services.act(actor=actor, order=order, action=action, payload=payload, now=MON)
    return order


def rework(world, order, now):
    return services.act(actor=world.people.district_admin, order=order, action=Act.REWORK,
                        payload={"reason": "仍未清运"}, now=now)  # fmt: skip


def test_the_rework_deadline_defaults_to_three_working_days(world):
    assert not DeadlineSettings.objects.exists()
    assert rework_days() == DEFAULT_REWORK_DAYS == 3
    order = rework(world, awaiting_visit(world), MON)
    # Counted from the next day, due at close of business: Tue, Wed, Thu.
    assert order.feedback_due == datetime(2026, 3, 5, 17, 30, tzinfo=TZ)


def test_a_changed_rework_deadline_applies_to_reworks_ordered_afterwards(world):
    admin = world.people.district_admin
    first = rework(world, awaiting_visit(world), MON)
    second = awaiting_visit(world)

    configuration.deadline_settings_update(actor=admin, rework_days=5)

    second = rework(world, second, MON)
    assert second.feedback_due == datetime(2026, 3, 9, 17, 30, tzinfo=TZ)  # Tue..Fri, Mon
    first.refresh_from_db()
    assert first.feedback_due == datetime(2026, 3, 5, 17, 30, tzinfo=TZ)  # unchanged
    assert AuditEvent.objects.filter(action="matrix.deadline_settings.update").count() == 1


@pytest.mark.parametrize("days", [0, 31, "5", True])
def test_a_bad_rework_deadline_is_refused(world, days):
    with pytest.raises(ValidationError) as error:
        configuration.deadline_settings_update(actor=world.people.district_admin, rework_days=days)
    assert "rework_days" in error.value.error_dict
    assert not DeadlineSettings.objects.exists()
    with pytest.raises(PermissionDenied):
        configuration.deadline_settings_update(actor=world.people.district_staff, rework_days=5)


# -- the category tree -----------------------------------------------------------------------


def test_the_district_admin_grows_the_tree_and_it_is_audited(world):
    admin = world.people.district_admin
    group = configuration.category_create(
        actor=admin, data={"code": "heating", "name": "供暖", "deadline_class": "timely"}
    )
    leaf = configuration.category_create(
        actor=admin,
        data={"code": "heating.cold", "name": "室温不达标", "parent": group, "kind": "help"},
    )
    assert leaf.parent == group
    assert (leaf.deadline_class, leaf.kind, leaf.active) == ("general", "help", True)
    audited = AuditEvent.objects.filter(action="matrix.category.create")
    assert set(audited.values_list("target_id", flat=True)) == {str(group.pk), str(leaf.pk)}
    # Orders take it at once.
    order = register(world, code="heating.cold")
    assert order.category == leaf


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "Fire Exit", "name": "x"}, "code"),
        ({"code": "fire.exit_blocked", "name": "重复"}, "code"),
        ({"code": "fire.new", "name": ""}, "name"),
        ({"code": "fire.new", "name": "x", "deadline_class": "someday"}, "deadline_class"),
    ],
)
def test_bad_categories_are_refused_naming_the_field(world, data, field):
    count = Category.objects.count()
    with pytest.raises(ValidationError) as error:
        configuration.category_create(actor=world.people.district_admin, data=data)
    assert field in error.value.error_dict
    assert Category.objects.count() == count
    assert not AuditEvent.objects.exists()


def test_the_tree_keeps_two_levels_and_leaves_with_orders_stay_leaves(world):
    admin = world.people.district_admin
    cleaning = Category.objects.get(code="service.cleaning")
    register(world)
    with pytest.raises(ValidationError) as error:  # a leaf under a leaf
        configuration.category_create(
            actor=admin, data={"code": "service.cleaning_x", "name": "x", "parent": cleaning}
        )
    assert "parent" in error.value.error_dict
    group = cleaning.parent
    with pytest.raises(ValidationError):  # a group cannot move under another group
        configuration.category_update(
            actor=admin, category=group, data={"parent": Category.objects.get(code="fire")}
        )
    with pytest.raises(ValidationError) as error:  # its categories are still active
        configuration.category_update(actor=admin, category=group, data={"active": False})
    assert "active" in error.value.error_dict
    group.refresh_from_db()
    assert group.active
    assert group.parent_id is None


def test_a_category_in_use_is_deactivated_never_deleted(world):
    admin = world.people.district_admin
    cleaning = Category.objects.get(code="service.cleaning")
    order = register(world)

    with pytest.raises(ValidationError) as error:
        configuration.category_delete(actor=admin, category=cleaning)
    assert "1" in error.value.messages[0]  # says how many orders use it
    assert Category.objects.filter(pk=cleaning.pk).exists()

    configuration.category_update(actor=admin, category=cleaning, data={"active": False})
    cleaning.refresh_from_db()
    assert not cleaning.active
    order.refresh_from_db()
    assert order.category == cleaning  # the order keeps its category
    with pytest.raises(ValidationError):  # intake no longer offers it
        register(world)
    event = AuditEvent.objects.get(action="matrix.category.update")
    assert event.changes == {"active": [True, False]}


def test_an_unused_category_may_be_deleted(world):
    admin = world.people.district_admin
    group = configuration.category_create(actor=admin, data={"code": "misc", "name": "其他"})
    configuration.category_delete(actor=admin, category=group)
    assert not Category.objects.filter(code="misc").exists()
    assert AuditEvent.objects.filter(action="matrix.category.delete").exists()
    with pytest.raises(PermissionDenied):
        configuration.category_delete(
            actor=world.people.street_a_officer, category=Category.objects.get(code="fire")
        )


# -- the pages ---------------------------------------------------------------------------------


def test_dispatchers_read_the_tree_and_the_deadlines_but_change_neither(world, login):
    client = login(world.people.street_a_officer)
    tree = client.get(reverse("workorders:categories"))
    assert tree.status_code == 200
    html = tree.content.decode()
    assert 'data-testid="category-fire.exit_blocked"' in html
    assert 'data-testid="create"' not in html
    page = client.get(reverse("workorders:deadlines"))
    assert page.status_code == 200
    assert 'data-testid="class-urgent"' in page.content.decode()
    assert 'data-testid="edit-rework"' not in page.content.decode()
    assert client.get(reverse("workorders:category_create")).status_code == 403
    assert (
        client.post(reverse("workorders:deadline_settings"), {"rework_days": "5"}).status_code
        == 403
    )
    assert not AuditEvent.objects.exists()


def test_the_admin_edits_through_the_pages(world, login):
    client = login(world.people.district_admin)
    fire = Category.objects.get(code="fire")

    created = client.post(reverse("workorders:category_create"), {
        "code": "fire.hydrant", "name": "消火栓损坏", "parent": fire.pk,
        "deadline_class": "timely", "kind": "report", "active": "on",
    })  # fmt: skip
    class_page = client.post(
        reverse("workorders:deadline_class_edit", args=["urgent"]),
        {"sign_amount": "10", "sign_unit": "clock_minutes", "contact_amount": "30",
         "contact_unit": "clock_minutes", "feedback_amount": "90",
         "feedback_unit": "clock_minutes"},
    )  # fmt: skip
    rework_page = client.post(reverse("workorders:deadline_settings"), {"rework_days": "4"})
    choice = client.post(
        reverse("workorders:deadline_choice"),
        {"category": fire.pk, "channel": "hotline", "deadline_class": "urgent"},
    )

    assert [r.status_code for r in (created, class_page, rework_page, choice)] == [302] * 4
    assert Category.objects.get(code="fire.hydrant").parent == fire
    assert DeadlineClass.objects.get(code="urgent").feedback_amount == 90
    assert rework_days() == 4
    assert class_for(Category.objects.get(code="fire.exit_blocked"), "hotline") == "urgent"
    page = client.get(reverse("workorders:deadlines")).content.decode()
    assert "90" in page


def test_bad_input_on_the_pages_is_shown_and_nothing_is_written(world, login):
    client = login(world.people.district_admin)
    cleaning = Category.objects.get(code="service.cleaning")
    register(world)

    bad_code = client.post(reverse("workorders:category_create"), {
        "code": "火", "name": "x", "deadline_class": "general", "kind": "complaint",
    })  # fmt: skip
    bad_days = client.post(reverse("workorders:deadline_settings"), {"rework_days": "0"})
    delete = client.post(reverse("workorders:category_delete", args=[cleaning.pk]), follow=True)

    assert bad_code.status_code == 400
    assert bad_code.context["form"].errors["code"]
    assert bad_days.status_code == 400
    assert delete.status_code == 200
    assert [m.level_tag for m in delete.context["messages"]] == ["error"]
    assert Category.objects.filter(pk=cleaning.pk).exists()
    assert not DeadlineSettings.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="matrix.").exists()
