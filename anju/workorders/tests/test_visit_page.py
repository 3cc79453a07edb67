"""The complainant's return-visit page: no login, the token is the only key."""

from django.urls import reverse

from anju.workorders.machine import State
from anju.workorders.tests.test_visits import awaiting_visit


def test_the_link_works_without_login_and_closes_on_a_good_answer(world, client):
    order = awaiting_visit(world)
    url = reverse("workorders:visit", args=[order.visits.get().token])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html
    assert "王五" not in html  # no personal information on the public page
    assert "13900000001" not in html
    done = client.post(url, {"solved": "1", "satisfaction": "satisfied", "comment": "很好"})
    assert done.status_code == 200
    assert 'data-testid="visit-done"' in done.content.decode()
    order.refresh_from_db()
    assert order.state == State.CLOSED
    again = client.get(url)
    assert 'data-testid="submit-visit"' not in again.content.decode()


def test_bad_answers_and_tokens(world, client):
    order = awaiting_visit(world)
    url = reverse("workorders:visit", args=[order.visits.get().token])
    bad = client.post(url, {"solved": "1"})
    assert bad.status_code == 400
    order.refresh_from_db()
    assert order.state == State.PENDING_VISIT
    assert client.get(reverse("workorders:visit", args=["x" * 43])).status_code == 404


def test_an_unsatisfied_answer_leaves_it_to_the_supervisor(world, client):
    order = awaiting_visit(world)
    url = reverse("workorders:visit", args=[order.visits.get().token])
    client.post(url, {"solved": "0", "satisfaction": "unsatisfied"})
    order.refresh_from_db()
    assert order.state == State.PENDING_VISIT
    assert order.visits.get().satisfaction == "unsatisfied"


def test_the_visitor_sees_the_link_on_the_order_page(world, client):
    from anju.workorders.tests.test_visits import awaiting_visit as pending

    order = pending(world)
    client.force_login(world.people.district_admin)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert reverse("workorders:visit", args=[order.visits.get().token]) in page
    client.force_login(world.people.company_x_manager)  # the handling company: no link
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert order.visits.get().token not in page
