"""List rendering helpers: rows and select options are built in Python, so they must escape
and localise exactly as the template engine would."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from anju.core.listing import (
    Column,
    cell_html,
    choice_label,
    detail_link,
    display,
    header_html,
    options_html,
    paginate,
    row_html,
)
from anju.estates.models import Estate, Unit


def template_cell(value) -> str:
    return Template("{{ value }}").render(Context({"value": display(value)}))


@given(st.one_of(st.text(), st.integers(), st.decimals(allow_nan=False, allow_infinity=False)))
def test_cells_render_like_the_template_engine(value):
    assert cell_html(value) == template_cell(value)


HEADER_TEMPLATE = Template(
    "{% for c in columns %}"
    '<th>{% if c.sort %}<a hx-get="?{{ query_without_sort }}&sort={% if sort == c.key %}-'
    '{% endif %}{{ c.key }}" hx-target="#results" hx-push-url="true" href="?{{ '
    'query_without_sort }}&sort={% if sort == c.key %}-{% endif %}{{ c.key }}">{{ c.label }}'
    '{% if sort == c.key %} ▲{% elif sort == "-"|add:c.key %} ▼{% endif %}</a>{% else %}'
    "{{ c.label }}{% endif %}</th>"
    "{% endfor %}"
)

keys = st.text(alphabet='ab<&"-', min_size=1, max_size=4)


@given(
    st.lists(st.tuples(keys, st.text(max_size=5), st.booleans()), min_size=1, max_size=4),
    st.text(alphabet='a=&<"é ', max_size=8),
    st.data(),
)
def test_headers_render_like_the_template_engine(specs, query, data):
    columns = [
        Column(key, label, lambda obj: obj, sort=key if sortable else None)
        for key, label, sortable in specs
    ]
    # The current sort: none, some column's key, or its reverse.
    key = data.draw(st.sampled_from([c.key for c in columns]))
    sort = data.draw(st.sampled_from(["", key, f"-{key}"]))
    expected = HEADER_TEMPLATE.render(
        Context({"columns": columns, "sort": sort, "query_without_sort": query})
    )
    assert header_html(columns, sort, query) == expected


def test_cells_of_every_kind(settings):
    assert cell_html('<script>alert("x")</script>') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    )
    assert cell_html(None) == ""
    assert cell_html(Decimal("88.50")) == "88.50"
    with translation.override("zh-hans"):
        assert cell_html(True) == "是"
        assert cell_html(False) == "否"
    # Aware datetimes show local (Asia/Shanghai) time, as {{ value }} does.
    moment = datetime(2026, 1, 1, 4, 30, tzinfo=UTC)
    with translation.override("en"):
        assert cell_html(moment) == template_cell(moment)
        assert "12:30" in cell_html(moment)
        assert cell_html(date(2026, 2, 1)) == template_cell(date(2026, 2, 1))


def test_rows_escape_links_and_classes():
    class Row:
        pk = 7
        name = "A&B <i>"

    columns = [
        Column("name", "名称", lambda o: o.name, link=True),
        Column("n", "n", lambda o: 3, css="text-end"),
    ]
    html = row_html(columns, Row(), '/x/?a=1&b="2"')
    assert html == (
        '<tr><td><a href="/x/?a=1&amp;b=&quot;2&quot;">A&amp;B &lt;i&gt;</a></td>'
        '<td class="text-end">3</td></tr>'
    )
    assert row_html(columns, Row(), "").startswith("<tr><td>A&amp;B")


def test_options_mark_the_current_value_and_escape():
    html = options_html([("1", "一"), (2, "<二>")], "2")
    assert html == '<option value="1">一</option><option value="2" selected>&lt;二&gt;</option>'
    assert "selected" not in options_html([("1", "一")], "")


def test_choice_labels_follow_the_language():
    label = choice_label(Estate, "kind")
    estate = Estate(kind=Estate.Kind.OLD)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert label(estate) == estate.get_kind_display()
    assert choice_label(Unit, "kind")(Unit(kind="unknown-kind")) == "unknown-kind"


def test_detail_links_match_reverse():
    link = detail_link("estates:detail")
    for pk in (1, 42, 2147483647, 10**12):
        assert link(type("E", (), {"pk": pk})()) == reverse("estates:detail", args=[pk])


# -- pagination: the count that rides along with the page --------------------------------------


@pytest.fixture
def twelve_regions(db):
    from anju.regions.models import Region

    district = Region.objects.create(code="510199000000", name="测试区", level="district")
    for i in range(12):
        Region.objects.create(
            code=f"510199{i + 1:03d}000", name=f"街道{i:02d}", level="street", parent=district
        )
    return Region.objects.filter(level="street", code__startswith="510199").order_by("code")


@settings_hypothesis(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.integers(0, 12),
    cap=st.integers(1, 14),
    page_size=st.integers(1, 5),
    number=st.integers(-1, 7),
)
def test_pages_count_like_a_separate_count(twelve_regions, settings, rows, cap, page_size, number):
    settings.ANJU_COUNT_CAP = cap
    codes = list(twelve_regions.values_list("code", flat=True))[:rows]
    qs = twelve_regions.filter(code__in=codes)

    page = paginate(qs, number, page_size)

    expected_number = max(1, number)
    offset = (expected_number - 1) * page_size
    assert [r.code for r in page.rows] == codes[offset : offset + page_size]
    assert page.number == expected_number
    assert page.total == min(rows, cap)
    assert page.capped == (rows > cap)
    assert page.has_next == (rows > offset + page_size)
    assert page.has_previous == (expected_number > 1)


def test_pages_of_an_empty_filter_and_of_a_grouped_query(twelve_regions, settings):
    from django.db.models import Count

    settings.ANJU_COUNT_CAP = 100
    assert paginate(twelve_regions.none(), 1, 5).total == 0
    grouped = twelve_regions.values("level").annotate(n=Count("pk")).order_by("level")
    page = paginate(grouped, 1, 5)
    assert page.total == 1
    assert page.rows == [{"level": "street", "n": 12}]


def test_a_page_and_its_count_are_one_query(twelve_regions, settings, django_assert_num_queries):
    settings.ANJU_COUNT_CAP = 100
    with django_assert_num_queries(1):
        page = paginate(twelve_regions, 2, 5)
    assert page.total == 12
    # Past the end there is no row to carry the count: it is counted on its own.
    with django_assert_num_queries(2):
        assert paginate(twelve_regions, 9, 5).total == 12
