"""The responsibility matrix pages: dispatchers read it, the district administrator edits it."""

from django.urls import reverse

from anju.core.models import AuditEvent
from anju.workorders.models import Category, ResponsibilityRule


def test_dispatchers_read_the_seeded_matrix(world, login):
    client = login(world.people.street_a_officer)
    page = client.get(reverse("workorders:matrix"), {"q": "消防通道"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "消防" in html
    assert 'data-testid="create"' not in html  # reading only
    assert client.get(reverse("workorders:rule_create")).status_code == 403
    rule = ResponsibilityRule.objects.first()
    assert client.get(reverse("workorders:rule_edit", args=[rule.pk])).status_code == 403


def test_roles_without_dispatch_cannot_read_it(world, login):
    for persona in ("company_x_manager", "owner_unit_101", "fire_handler"):
        client = login(getattr(world.people, persona))
        assert client.get(reverse("workorders:matrix")).status_code == 403, persona


def test_the_district_admin_edits_a_rule_and_it_is_audited(world, login):
    client = login(world.people.district_admin)
    category = Category.objects.get(code="fire.exit_blocked")
    rule = ResponsibilityRule.objects.get(category=category, estate_kind="")
    url = reverse("workorders:rule_edit", args=[rule.pk])
    assert client.get(url).status_code == 200
    data = {
        "category": category.pk,
        "estate_kind": "",
        "lead": "dept:fire",
        "co": ["street", "company"],
        "basis": "消防救援机构负责消防通道监督检查",
        "source": "S0",
    }
    assert client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.co == ["street", "company"]
    assert AuditEvent.objects.filter(action="matrix.update", target_id=str(rule.pk)).exists()
    # The neighbouring district's administrator sees the same shared matrix change.
    from anju.core.views import audit_policy

    event = AuditEvent.objects.get(action="matrix.update")
    assert audit_policy.visible(world.people.neighbour_admin).filter(pk=event.pk).exists()


def test_bad_rules_are_refused_and_nothing_is_written(world, login):
    client = login(world.people.district_admin)
    category = Category.objects.get(code="fire.exit_blocked")
    before = ResponsibilityRule.objects.count()
    duplicate = {"category": category.pk, "estate_kind": "", "lead": "street", "basis": "x"}
    assert client.post(reverse("workorders:rule_create"), duplicate).status_code == 400
    lead_twice = {"category": category.pk, "estate_kind": "old", "lead": "street",
                  "co": ["street"], "basis": "x"}  # fmt: skip
    assert client.post(reverse("workorders:rule_create"), lead_twice).status_code == 400
    assert ResponsibilityRule.objects.count() == before
    good = {"category": category.pk, "estate_kind": "old", "lead": "street", "basis": "老旧小区"}
    assert client.post(reverse("workorders:rule_create"), good).status_code == 302
    assert ResponsibilityRule.objects.count() == before + 1
