"""The chrome around every page is built in Python (anju.core.chrome); it must come out as
the template it replaced (templates kept in tests/templates/reference_base.html) rendered
it, byte for byte, for any user, roles, messages, language and path."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template import RequestContext, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.accounts.models import Membership, User
from anju.accounts.roles import Role
from anju.accounts.scope import scope_of
from anju.core.context_processors import nav_html, nav_items
from anju.regions.models import Region

REFERENCE = Template((Path(__file__).parent / "templates" / "reference_base.html").read_text())
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')

LEVELS = [constants.DEBUG, constants.INFO, constants.SUCCESS, constants.WARNING, constants.ERROR]
text = st.text(alphabet="ab<>&\"'工 ", max_size=8)


def _render(template, request, context=None) -> str:
    return TOKEN.sub(r"\1TOKEN", template.render(RequestContext(request, context or {})))


def _reference_context(request) -> dict:
    """What the context processor gave the reference template."""
    if not request.user.is_authenticated:
        return {}
    return {"nav_html": nav_html(nav_items(request)), "scope": scope_of(request.user)}


def _request(user, path, messages):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    storage = request._messages = FallbackStorage(request)
    for level, message, extra in messages:
        storage.add(level, message, extra_tags=extra)
    return request


@pytest.fixture
def person(db):
    district = Region.objects.create(code="510104000000", name="锦江区", level="district")
    user = User.objects.create(username="chrome_user")
    Membership.objects.create(user=user, role=Role.DISTRICT_ADMIN, region=district)
    Membership.objects.create(user=user, role=Role.AUDITOR, region=district)
    return user


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=text,
    path=st.sampled_from(["/", "/estates/", '/estates/units/?q=<1>&a="b"', "/audit/"]),
    messages=st.lists(st.tuples(st.sampled_from(LEVELS), text, st.sampled_from(["", "x"]))),
    language=st.sampled_from(["zh-hans", "en"]),
    logged_in=st.booleans(),
)
def test_the_chrome_renders_like_the_template(person, name, path, messages, language, logged_in):
    person.display_name = name
    user = User.objects.get(pk=person.pk) if logged_in else AnonymousUser()
    if logged_in:
        user.display_name = name
    with translation.override(language):
        reference = _request(user, path, messages)
        expected = _render(REFERENCE, reference, _reference_context(reference))
        actual = _render(get_template("base.html").template, _request(user, path, messages))
    assert actual == expected


def test_a_partial_never_builds_the_chrome(person, client, monkeypatch):
    from anju.core import context_processors

    client.force_login(person)
    assert b'class="navbar' in client.get("/estates/").content

    def sidebar(request):
        raise AssertionError("the sidebar was built for a partial")

    monkeypatch.setattr(context_processors, "_sidebar", sidebar)
    response = client.get("/estates/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert response.status_code == 200
    assert b"<tbody>" in response.content
