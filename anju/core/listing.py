"""Lists: scoped, searchable, filterable, sortable, paginated and exportable.

A Listing describes columns, filters and search once; the same description drives the
HTML table, the HTMX partial that refreshes it, and the Excel export.
"""

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, PermissionDenied
from django.db import router
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core import page_sql
from anju.core.excel import workbook_bytes
from anju.core.list_html import body_html, results_html
from anju.core.policy import Policy


@dataclass
class Column:
    key: str
    label: Any
    value: Callable[[Any], Any]
    sort: str | None = None
    link: bool = False
    css: str = ""


def choice_label(model, name: str) -> Callable[[Any], Any]:
    """A column value: the label of a choice field, like get_<name>_display() but with the
    labels translated once per language instead of on every call."""
    field = model._meta.get_field(name)
    labels: dict[str | None, dict[Any, str]] = {}

    def value(obj):
        language = get_language()
        table = labels.get(language)
        if table is None:
            table = labels[language] = {k: str(v) for k, v in field.flatchoices}
        raw = getattr(obj, field.attname)
        return table.get(raw, raw)

    return value


@dataclass
class Filter:
    """A query parameter narrowing the list: a select of choices, or a hidden id."""

    param: str
    label: Any
    lookup: str
    choices: Callable[[Any], list[tuple[str, str]]] | list[tuple[str, str]] | None = None
    transform: Callable[[str], Any] = str
    hidden: bool = False
    # For hidden filters: (actor, raw value) -> what the "active filter" badge shows.
    describe: Callable[[Any, str], str] | None = None
    # Applied before the actor's scope, so that its condition comes first in the SQL: of two
    # lists of estates a row may belong to, SQLite walks the first one (a street's estates
    # rather than a whole district's, so a street's units count in 1.4 ms, not 13–17).
    before_scope: bool = False

    def current(self, request) -> str:
        return request.GET.get(self.param, "")

    def options(self, actor) -> list[tuple[str, str]]:
        if self.choices is None:
            return []
        if callable(self.choices):
            return list(self.choices(actor))
        return [(str(k), str(v)) for k, v in self.choices]


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool
    has_previous: bool
    total: int
    capped: bool
    page_size: int

    @classmethod
    def of(cls, rows: list, number: int, page_size: int, total: int, cap: int) -> "Page":
        """A page from up to page_size + 1 rows (one more tells there is a next page) and the
        count of all rows, capped at cap + 1."""
        return cls(
            rows=rows[:page_size],
            number=number,
            has_next=len(rows) > page_size,
            has_previous=number > 1,
            total=min(total, cap),
            capped=total > cap,
            page_size=page_size,
        )

    @property
    def total_display(self) -> str:
        return f"{self.total}+" if self.capped else str(self.total)

    @property
    def start(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1 if self.rows else 0


TOTAL_COLUMN = page_sql.TOTAL_COLUMN


def paginate(
    qs: QuerySet,
    number: int,
    page_size: int,
    counted: QuerySet | None = None,
    cap: int | None = None,
) -> Page:
    """Slice one page; count at most ANJU_COUNT_CAP rows so huge lists stay fast.

    The capped count rides along with the page as an uncorrelated subquery (which both
    databases evaluate once): one round trip instead of two. Only a page past the end, which
    has no row to carry it, counts separately. `counted` is the same rows as qs without the
    joins that only the shown columns need (qs.values() keeps them even in a count).
    """
    counted = qs if counted is None else counted
    cap = settings.ANJU_COUNT_CAP if cap is None else cap
    number = max(1, number)
    offset = (number - 1) * page_size
    end = offset + page_size + 1
    as_dicts = qs._iterable_class is ValuesIterable
    if (
        qs.query.group_by is not None
        or qs.query.combinator
        or not (as_dicts or issubclass(qs._iterable_class, ModelIterable))
    ):
        # Groups, unions, tuples: an extra column would change what the rows are.
        total = qs.order_by()[: cap + 1].count()
        rows = list(qs[offset:end])
    else:
        try:
            count = page_sql.count_column(counted, cap)
        except EmptyResultSet:  # filtered to nothing before any query
            count = None
        if count is None:
            total, rows = 0, []
        else:
            rows = list(qs.annotate(**{TOTAL_COLUMN: count})[offset:end])
            if rows and as_dicts:
                total = rows[0][TOTAL_COLUMN]
                for row in rows:
                    del row[TOTAL_COLUMN]
            elif rows:
                total = getattr(rows[0], TOTAL_COLUMN)
            elif number == 1:
                total = 0
            else:
                total = counted.order_by()[: cap + 1].count()
    return Page.of(rows, number, page_size, total, cap)


class ValueRow:
    """A list row read with values(), with the attributes the model instance would have for
    those fields: `row.estate.name` for "estate__name", `row.building` None when the key is
    null, `row.pk`. Building model instances cost more than the query that fetched them."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)

    def __repr__(self) -> str:
        return f"ValueRow({self.__dict__!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, ValueRow) and self.__dict__ == other.__dict__

    __hash__ = None


def value_row(data: dict) -> ValueRow:
    attributes: dict[str, Any] = {}
    related: dict[str, dict] = {}
    for key, value in data.items():
        head, nested, rest = key.partition("__")
        if nested:
            related.setdefault(head, {})[rest] = value
        else:
            attributes[key] = value
    for head, values in related.items():
        key = attributes.get(head)  # the foreign key's value, when listed
        if head in attributes:
            attributes[f"{head}_id"] = key
        if head in attributes and key is None:
            attributes[head] = None
        else:
            child = value_row(values)
            if key is not None and not hasattr(child, "pk"):
                child.pk = key
            attributes[head] = child
    if "pk" in attributes and "id" not in attributes:
        attributes["id"] = attributes["pk"]
    return ValueRow(**attributes)


def plain(value: Any) -> Any:
    """Turn a display value into something a spreadsheet cell holds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes")) if value else str(_("No"))
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones: write the wall-clock time people see on the page.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal | int | float | date):
        return value
    return str(value)


def display(value: Any) -> Any:
    """Turn a value into what a table cell shows: booleans as 是/否, None as blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


@dataclass
class Listing:
    policy: Policy
    columns: list[Column]
    title: Any
    search_fields: list[str] = field(default_factory=list)
    search_help: Any = ""
    # A custom search condition, for lists too large for a scan of several icontains.
    search: Callable[[str], Q] | None = None
    # What a custom search reads from the database before it builds its condition, as
    # search_data(actor, q) (the unit search: the actor's estates named like q); given, search
    # is called as search(q, data), and a page can keep its compiled SQL per (q, data)
    # (core/page_sql.py).
    search_data: Callable[[Any, str], tuple] | None = None
    filters: list[Filter] = field(default_factory=list)
    default_sort: str = ""
    select_related: list[str] = field(default_factory=list)
    # The fields the columns read (Django's only()): a list row needs a few of many columns.
    # A listing that names them gets its page as ValueRows read with values(): its columns
    # and detail_url must then read nothing else (tests/test_listing_rows.py checks).
    only: list[str] = field(default_factory=list)
    export_name: str = "export"
    detail_url: Callable[[Any], str] | None = None
    # Keep the page's compiled SQL per (scope, filters, page): only for listings whose scope
    # and filters read nothing but the grants, the date and the request (core/page_sql.py).
    compiled: bool = False
    create_url: str | None = None  # a URL name
    create_action: str | None = None

    def queryset(self, actor, params, search_data: tuple | None = None) -> QuerySet:
        early = [f for f in self.filters if f.before_scope]
        qs = self._filtered(self.policy.model._default_manager.all(), early, params)
        qs = self.policy.visible(actor, qs=qs)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.only:
            qs = qs.only(*self.only)
        q = (params.get("q") or "").strip()
        if q and self.search is not None:
            if self.search_data is None:
                qs = qs.filter(self.search(q))
            else:
                data = self.search_data(actor, q) if search_data is None else search_data
                qs = qs.filter(self.search(q, data))
        elif q and self.search_fields:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{name: q})
            qs = qs.filter(condition)
        qs = self._filtered(qs, [f for f in self.filters if not f.before_scope], params)
        sort = self.sort_key(params)
        if sort:
            column = next(c for c in self.columns if c.key == sort.lstrip("-"))
            direction = "-" if sort.startswith("-") else ""
            qs = qs.order_by(f"{direction}{column.sort}", f"{direction}pk")
        return qs

    @staticmethod
    def _filtered(qs: QuerySet, filters: list[Filter], params) -> QuerySet:
        for f in filters:
            raw = (params.get(f.param) or "").strip()
            if raw:
                try:
                    condition = Q(**{f.lookup: f.transform(raw)})
                    if _crosses_many(qs.model, f.lookup):
                        # Through a one-to-many relation a join repeats the row per match.
                        matching = qs.model._default_manager.filter(condition).values("pk")
                        condition = Q(pk__in=matching)
                    qs = qs.filter(condition)
                except (ValueError, TypeError):
                    return qs.none()
        return qs

    def page(self, qs: QuerySet, number: int, cap: int | None = None) -> "Page":
        """One page of qs (from queryset()); its rows are ValueRows when `only` is set."""
        size = settings.ANJU_PAGE_SIZE
        if not self.only:
            return paginate(qs, number, size, cap=cap)
        page = paginate(qs.values("pk", *self.only), number, size, counted=qs, cap=cap)
        page.rows = [value_row(row) for row in page.rows]
        return page

    def compiled_page(self, actor, params, number: int, cap: int) -> "Page | None":
        """The page through SQL compiled once for this scope, filters and page (see
        core/page_sql.py); None when this list or request does not allow it."""
        if not (self.compiled and self.only):
            return None
        size = settings.ANJU_PAGE_SIZE
        alias = router.db_for_read(self.policy.model)
        key, data = page_sql.key(self, actor, params, number, size, cap, alias)
        if key is None:
            return None
        compiled = page_sql.recall(key)
        if compiled is None:
            qs = self.queryset(actor, params, search_data=data)
            compiled = page_sql.compile_page(qs, self.only, number, size, cap)
            page_sql.remember(key, compiled)
        rows, total = page_sql.run(compiled)
        if total is None:  # no row to carry the count: past the end, or nothing at all
            total = 0 if number == 1 else self.queryset(actor, params).order_by()[: cap + 1].count()
        return Page.of([value_row(row) for row in rows], number, size, total, cap)

    def sort_key(self, params) -> str:
        sort = params.get("sort") or self.default_sort
        allowed = {c.key for c in self.columns if c.sort}
        return sort if sort.lstrip("-") in allowed else ""

    def export(self, actor, params) -> HttpResponse:
        """Export the filtered rows that a grant allowing export reaches (not just any view)."""
        qs = self.policy.visible(actor, Action.LEDGER_EXPORT, self.queryset(actor, params))
        headers = [str(c.label) for c in self.columns]
        rows = ([plain(c.value(obj)) for c in self.columns] for obj in qs.iterator(chunk_size=2000))
        content = workbook_bytes([(str(self.title), headers, rows)])
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.export_name}-{stamp}.xlsx"'
        return response


class ListingView(View):
    """Render a Listing as a page; HTMX requests get only the results partial."""

    listing: Listing
    template_name = "core/list.html"
    extra_links: list[tuple[Any, str, str]] = []

    def get(self, request):
        actor = request.user
        self.listing.policy.require_action(actor)
        if request.GET.get("export") == "xlsx":
            if not scope_of(actor).allows(Action.LEDGER_EXPORT):
                raise PermissionDenied
            return self.listing.export(actor, request.GET)
        if request.GET.get("count") == "1":
            qs = self.listing.queryset(actor, request.GET)
            return HttpResponse(total_html(_capped_count(qs)))
        try:
            number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            number = 1
        quick = min(settings.ANJU_QUICK_COUNT, settings.ANJU_COUNT_CAP)
        if (request.GET.get("q") or "").strip():
            # A search finds its first page by index probes across every estate in scope;
            # counting all its matches costs more than that (2–4 ms against 0.3 ms for a
            # district at city scale), so a search counts with its page only up to the page,
            # and past it in the second request like a long list.
            quick = min(quick, number * settings.ANJU_PAGE_SIZE)
        page = self.listing.compiled_page(actor, request.GET, number, quick)
        if page is None:
            page = self.listing.page(self.listing.queryset(actor, request.GET), number, cap=quick)
        table = [
            {"obj": obj, "url": self.listing.detail_url(obj) if self.listing.detail_url else ""}
            for obj in page.rows
        ]
        for row in table:
            row["html"] = row_html(self.listing.columns, row["obj"], row["url"])
        query = request.GET.copy()
        query.pop("page", None)
        sort = self.listing.sort_key(request.GET)
        query_without_sort = _without(query, "sort")
        context = {
            "listing": self.listing,
            "header": header_html(self.listing.columns, sort, query_without_sort),
            "page": page,
            "total": total_html(
                page.total_display,
                f"?{query.urlencode()}&count=1"
                if page.capped and quick < settings.ANJU_COUNT_CAP
                else "",
            ),
            "table": table,
            "sort": sort,
            "query": query.urlencode(),
            "query_without_sort": query_without_sort,
            "filters": [
                (f, options_html(f.options(actor), f.current(request)), f.current(request))
                for f in self.listing.filters
            ],
            "active_filters": [
                (
                    f.label,
                    f.describe(actor, request.GET[f.param]) if f.describe else request.GET[f.param],
                    _without(query, f.param),
                )
                for f in self.listing.filters
                if f.hidden and request.GET.get(f.param)
            ],
            "q": request.GET.get("q", ""),
            "can_export": scope_of(actor).allows(Action.LEDGER_EXPORT),
            "create_url": reverse(self.listing.create_url) if self.listing.create_url else "",
            "can_create": bool(
                self.listing.create_url
                and self.listing.create_action
                and scope_of(actor).allows(self.listing.create_action)
            ),
            "extra_links": self.extra_links,
        }
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
            return HttpResponse(results_html(context))
        context["body"] = body_html(context)
        return render(request, self.template_name, context)


# Rows and select options are the bulk of a list page. They are built here rather than with
# nested template tags, which cost about ten times as much per cell; the escaping and the
# localisation of values are the template engine's own (conditional_escape, localize).


_YES_NO: dict[str | None, tuple[str, str]] = {}
_DECIMAL_SEPARATOR: dict[str | None, str] = {}


def cell_html(value: Any) -> str:
    """What a table cell shows, escaped: as {{ value }} would render display(value)."""
    kind = type(value)
    # The common kinds first, without the lazy-aware and locale-aware wrappers.
    if kind is str:
        return html.escape(value)
    if value is None:
        return ""
    if kind is bool:
        language = get_language()
        texts = _YES_NO.get(language)
        if texts is None:
            texts = _YES_NO[language] = (str(_("No")), str(_("Yes")))
        return texts[value]
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    if kind is Decimal and not settings.USE_THOUSAND_SEPARATOR and value.is_finite():
        digits = len(value.as_tuple().digits)
        if abs(value.as_tuple().exponent) + digits <= 200:
            # django.utils.numberformat.format without grouping: fixed point, the
            # language's decimal separator.
            language = get_language()
            separator = _DECIMAL_SEPARATOR.get(language)
            if separator is None:
                separator = _DECIMAL_SEPARATOR[language] = get_format("DECIMAL_SEPARATOR")
            return html.escape(f"{value:f}".replace(".", separator))
    if isinstance(value, str):
        return value.__html__() if hasattr(value, "__html__") else html.escape(value)
    value = display(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return conditional_escape(localize(value))


def _capped_count(qs: QuerySet) -> str:
    cap = settings.ANJU_COUNT_CAP
    total = qs.order_by()[: cap + 1].count()
    return f"{cap}+" if total > cap else str(total)


def total_html(text: str, count_url: str = "") -> SafeString:
    """A list's row count; with count_url, a placeholder that fetches the count on load."""
    fetch = (
        f' hx-get="{html.escape(count_url)}" hx-trigger="load" hx-swap="outerHTML"'
        if count_url
        else ""
    )
    return mark_safe(f'<span data-testid="total"{fetch}>{html.escape(text)}</span>')  # noqa: S308


def row_html(columns: list[Column], obj: Any, url: str) -> SafeString:
    cells = []
    for c in columns:
        text = cell_html(c.value(obj))
        if c.link and url:
            text = f'<a href="{html.escape(url)}">{text}</a>'
        css = f' class="{html.escape(c.css)}"' if c.css else ""
        cells.append(f"<td{css}>{text}</td>")
    return mark_safe("<tr>" + "".join(cells) + "</tr>")  # noqa: S308 - every part escaped above


def header_html(columns: list[Column], sort: str, query_without_sort: str) -> SafeString:
    """The column headers; a sortable one links to its sort, and again to the reverse."""
    query = html.escape(query_without_sort)
    cells = []
    for c in columns:
        label = conditional_escape(c.label)
        if c.sort:
            key = html.escape(c.key)
            target = f"?{query}&sort={'-' if sort == c.key else ''}{key}"
            mark = " ▲" if sort == c.key else " ▼" if sort == f"-{c.key}" else ""
            label = (
                f'<a hx-get="{target}" hx-target="#results" hx-push-url="true" '
                f'href="{target}">{label}{mark}</a>'
            )
        cells.append(f"<th>{label}</th>")
    return mark_safe("".join(cells))  # noqa: S308 - every part escaped above


def options_html(options: list[tuple[Any, Any]], current: str) -> SafeString:
    parts = [
        f'<option value="{html.escape(str(value))}"{" selected" if str(value) == current else ""}>'
        f"{html.escape(str(label))}</option>"
        for value, label in options
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


def detail_link(name: str) -> Callable[[Any], str]:
    """A Listing.detail_url for a URL that takes the object's primary key.

    The URL is reversed once (per script prefix) with a marker in place of the key, which
    each row then replaces: one reverse() per list instead of one per row.
    """
    marker = "2147483647"
    patterns: dict[str, tuple[str, str]] = {}

    def url(obj) -> str:
        prefix = get_script_prefix()
        parts = patterns.get(prefix)
        if parts is None:
            head, _marker, tail = reverse(name, args=[int(marker)]).rpartition(marker)
            parts = patterns[prefix] = (head, tail)
        return f"{parts[0]}{obj.pk}{parts[1]}"

    return url


def _crosses_many(model, lookup: str) -> bool:
    """True when lookup follows a one-to-many or many-to-many relation from model."""
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.one_to_many or field.many_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def _without(query, key: str) -> str:
    query = query.copy()
    query.pop(key, None)
    return query.urlencode()
