"""A list page's query compiled once per (list, scope, filters, page), then rerun as SQL.

Building a unit list's queryset and compiling it (scope subquery, filters, joins, the count
that rides along) took longer than running it. The compiled SQL depends only on what the key
holds, for the listings that opt in (`Listing.compiled`): their scope filters read nothing but
the actor's grants and today's date, and their filters turn the request's values into
parameters without reading the database. A search over `search_fields` is kept like a filter;
a custom `search` only with its `search_data`, what it reads from the database first (the
unit search: the actor's estates named like q), which joins the key and is what the SQL is built
from.

Rows come back as the values() dicts Django would have built, through the same converters.
"""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.expressions import RawSQL
from django.utils import timezone

from anju.accounts.scope import scope_of

MAX_ENTRIES = 2048
TOTAL_COLUMN = "anju_total_rows"


@dataclass(frozen=True)
class CompiledPage:
    alias: str
    sql: str  # "" when the filters leave nothing to query
    params: tuple
    names: tuple[str, ...]
    converters: tuple  # (position, (converter functions), expression)


_PAGES: dict[tuple, CompiledPage] = {}


def key(
    listing, actor, params, number: int, size: int, cap: int, alias: str
) -> tuple[tuple | None, tuple | None]:
    """What the page's SQL depends on, and what a custom search read from the database for
    it (to build the SQL from, should it be compiled now); (None, None) when the page must
    be built afresh."""
    q = (params.get("q") or "").strip()
    data = None
    if q and listing.search is not None:
        if listing.search_data is None:
            return None, None
        data = tuple(listing.search_data(actor, q))
    scope = scope_of(actor)
    grants = tuple(
        (g.kind, g.value, g.estate_id, g.department_id)
        for g in scope.grants_for(listing.policy.view_action)
    )
    names = ["q", "sort", *(f.param for f in listing.filters)]
    values = tuple((name, (params.get(name) or "").strip()) for name in names)
    page_key = (id(listing), alias, grants, timezone.localdate(), values, data, number, size, cap)
    return page_key, data


def count_column(qs, cap: int) -> RawSQL:
    """The number of rows of qs, counted up to cap + 1, as a column any query can carry (an
    uncorrelated subquery, which both databases evaluate once). Raises EmptyResultSet when
    qs is empty by construction."""
    inner = qs.order_by().values("pk")[: cap + 1].query
    sql, params = inner.get_compiler(qs.db).as_sql()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) anju_counted", params)  # noqa: S608, S611 - the ORM's SQL


def compile_page(qs, only, number: int, size: int, cap: int) -> CompiledPage:
    """Compile the page of qs (values of pk and `only`, with the capped count of qs)."""
    offset = (number - 1) * size
    alias = qs.db
    try:
        count = count_column(qs, cap)
        page = qs.values("pk", *only).annotate(**{TOTAL_COLUMN: count})[offset : offset + size + 1]
        compiler = page.query.get_compiler(alias)
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return CompiledPage(alias, "", (), (), ())
    query = page.query
    # The columns' order as values() reads it (Django 5.2 keeps the order values() named).
    names = tuple(query.selected or ()) or (
        *query.extra_select,
        *query.values_select,
        *query.annotation_select,
    )
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )
    return CompiledPage(alias, sql, tuple(params), names, converters)


def remember(page_key: tuple, compiled: CompiledPage) -> None:
    if len(_PAGES) >= MAX_ENTRIES:
        _PAGES.clear()
    _PAGES[page_key] = compiled


def recall(page_key: tuple) -> CompiledPage | None:
    return _PAGES.get(page_key)


def run(compiled: CompiledPage) -> tuple[list[dict], int | None]:
    """The page's rows as dicts and the capped count they carry (None without a row)."""
    if not compiled.sql:
        return [], 0
    connection = connections[compiled.alias]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params)
        rows = cursor.fetchall()
    if compiled.converters:
        converted = []
        for row in rows:
            row = list(row)
            for position, functions, expression in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        rows = converted
    dicts = [dict(zip(compiled.names, row, strict=True)) for row in rows]
    total = dicts[0][TOTAL_COLUMN] if dicts else None
    for row in dicts:
        del row[TOTAL_COLUMN]
    return dicts, total
