"""Reminders reach owners in the app as well as by text message: on their overview and "My
votes" pages until they open the ballot, and never as a delivery proof of the notice."""

from django.urls import reverse

from anju.voting import services
from anju.voting.models import Delivery
from anju.voting.tests.test_pages import cast, live


def _page(client, name) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_a_reminder_reaches_the_owner_in_the_app_until_they_open_the_ballot(vw, client):
    meeting = live(vw)
    user, owner = vw.world.people.owner_unit_101, vw.single[0]
    client.force_login(user)
    # Open and not voted: the overview asks for the vote, without a reminder yet.
    home = _page(client, "core:home")
    assert 'data-testid="to-vote"' in home
    assert meeting.title in home
    assert 'data-testid="reminded"' not in home

    sent = services.remind(actor=vw.counter, meeting=meeting)

    in_app = Delivery.objects.get(meeting=meeting, channel="in_app", kind="reminder")
    assert (in_app.voter_key, in_app.owner, in_app.read_at) == (f"owner:{owner.pk}", owner, None)
    sms = Delivery.objects.filter(meeting=meeting, channel="sms", kind="reminder").count()
    assert sent == sms + 1
    assert 'data-testid="reminded"' in _page(client, "core:home")
    assert 'data-testid="reminder"' in _page(client, "voting:mine")

    url = reverse("voting:ballot", args=[meeting.pk])
    client.post(url, {"step": "verify", "id_number": owner.id_number})

    in_app.refresh_from_db()
    assert in_app.read_at is not None
    assert 'data-testid="reminder"' not in _page(client, "voting:mine")
    assert 'data-testid="to-vote"' in _page(client, "core:home")  # still to vote


def test_voters_who_voted_or_have_no_account_get_no_in_app_reminder(vw, client):
    meeting = live(vw)
    cast(vw, meeting, vw.single[0], "yes")

    services.remind(actor=vw.counter, meeting=meeting)

    assert not Delivery.objects.filter(meeting=meeting, channel="in_app").exists()
    client.force_login(vw.world.people.owner_unit_101)
    assert 'data-testid="to-vote"' not in _page(client, "core:home")


def test_in_app_reminders_are_no_proof_of_the_notice(vw):
    meeting = live(vw)
    motion = meeting.motions.get()
    before = services.delivered_non_voters(motion)

    services.remind(actor=vw.counter, meeting=meeting)

    assert services.delivered_non_voters(motion) == before


def test_the_overview_lists_only_the_owners_own_estates(vw, client):
    live(vw)
    client.force_login(vw.world.people.owner_other_estate)
    assert 'data-testid="to-vote"' not in _page(client, "core:home")
