"""The sidebar is built in Python; it must come out as the template loop rendered it."""

from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from anju.core.context_processors import nav_html

LOOP = Template(
    "{% for item in nav_items %}"
    '<li class="nav-item{% if item.active %} active{% endif %}"><a class="nav-link" '
    'href="{{ item.url }}"><span class="nav-link-title">{{ item.label }}</span></a></li>'
    "{% if not forloop.last %}\n{% endif %}{% endfor %}"
)

items = st.lists(
    st.fixed_dictionaries(
        {
            "label": st.text(alphabet="ab<>&\"'工单 ", max_size=6),
            "url": st.text(alphabet='/a?&=<"', max_size=6),
            "active": st.booleans(),
        }
    ),
    max_size=5,
)


@given(items)
def test_the_sidebar_renders_like_the_template_loop(entries):
    assert nav_html(entries) == LOOP.render(Context({"nav_items": entries}))


def test_the_sidebar_marks_the_current_page(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    page = client.get("/estates/").content.decode()
    assert '<li class="nav-item active"><a class="nav-link" href="/estates/">' in page
    assert '<li class="nav-item"><a class="nav-link" href="/estates/units/">' in page
