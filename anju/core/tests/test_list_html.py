"""A list page's body is built in Python (anju.core.list_html); it must come out as the
template it replaced (tests/templates/reference_list.html) rendered it, byte for byte: whole
pages and HTMX partials, for lists with and without filters, links, exports and pages."""

import re
from pathlib import Path

import pytest
from django.template import RequestContext, Template
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.core import listing as listing_module

SOURCE = (Path(__file__).parent / "templates" / "reference_list.html").read_text()
PAGE = Template(SOURCE)
_start = SOURCE.index("{% partialdef results inline %}") + len("{% partialdef results inline %}")
PARTIAL = Template("{% load i18n %}" + SOURCE[_start : SOURCE.index("{% endpartialdef %}")])
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')

LISTS = [
    ("estates:list", "district_admin"),
    ("estates:unit_list", "street_a_officer"),
    ("estates:owner_list", "company_x_manager"),
    ("companies:contract_list", "district_admin"),
    ("workorders:list", "district_admin"),
    ("voting:list", "owner_unit_101"),
    ("core:audit_list", "auditor"),
    ("regions:list", "community_a1_worker"),
]
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "q": st.text(alphabet='1a红<&"', max_size=4),
        "page": st.sampled_from(["1", "2", "x"]),
        "sort": st.sampled_from(["name", "-name", "number", "bogus"]),
        "kind": st.sampled_from(["old", "parking", "<b>"]),
        "estate": st.sampled_from(["1", "999"]),
    },
)


@pytest.fixture
def captured(monkeypatch):
    seen = {}
    render = listing_module.render

    def capture(request, template, context):
        seen["request"], seen["context"] = request, dict(context)
        return render(request, template, context)

    monkeypatch.setattr(listing_module, "render", capture)
    return seen


def _same(text: str) -> str:
    return TOKEN.sub(r"\1TOKEN", text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(which=st.sampled_from(LISTS), params=PARAMS, language=st.sampled_from(["zh-hans", "en"]))
def test_list_pages_render_like_the_template(
    world, client, settings, captured, which, params, language
):
    settings.ANJU_PAGE_SIZE = 2  # pages before and after
    settings.ANJU_QUICK_COUNT = 3  # and the deferred count
    name, persona = which
    client.force_login(getattr(world.people, persona))

    response = client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    context = captured["context"]
    with translation.override(language):
        expected = PAGE.render(RequestContext(captured["request"], context))
        expected_partial = PARTIAL.render(RequestContext(captured["request"], context))
    assert _same(response.content.decode()) == _same(expected)

    partial = client.get(
        reverse(name),
        params,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert partial.content.decode() == expected_partial
