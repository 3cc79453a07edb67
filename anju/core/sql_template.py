"""An ORM query compiled once, rerun with new values: for the few hot paths (casting a ballot)
where building and compiling a queryset costs more than running it.

``rows(key, build, **values)`` calls ``build(**markers)`` the first time a key is seen, with a
marker in place of each value (a list of n values: n markers, and n joins the key), compiles
the values() queryset it returns and keeps the SQL with the positions of the markers among
its parameters. Later calls put the real values in those positions and run the SQL: nothing is
built or compiled. The rows come back as the dicts values() would give, through the same
converters (JSON, decimals, dates). A marker that does not come out exactly once among the
parameters (the ORM folded, repeated or rewrote it) makes the key uncacheable: that query is
then built and compiled on every call, which is always correct. The one rewrite understood is
a LIKE pattern (contains, icontains, startswith…): % wrapped around the escaped text.

Only what the key names may shape the SQL: a caller whose query depends on the actor's grants
puts the grants in the key, the way core/page_sql.py does for list pages.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DEFERRED, QuerySet

MAX_ENTRIES = 1024
_INT_BASE = -1_987_000_000


@dataclass(frozen=True)
class Template:
    alias: str
    sql: str  # "" when the query is empty by construction (a scope that reaches nothing)
    params: tuple
    # (position, value name, index in a list, the ends of a LIKE pattern around it or None)
    slots: tuple[tuple[int, str, int | None, tuple[str, str] | None], ...]
    names: tuple[str, ...]
    converters: tuple  # (position, (converter functions), expression)


_TEMPLATES: dict[tuple, Template | None] = {}
_MISSING = object()


def _markers(values: dict[str, Any]) -> tuple[dict[str, Any], dict[Any, tuple[str, int | None]]]:
    """A marker per value (per item of a list), of the value's type, and what each stands for."""
    markers: dict[str, Any] = {}
    meaning: dict[Any, tuple[str, int | None]] = {}
    counter = 0

    def mark(value, name, index):
        nonlocal counter
        counter += 1
        if isinstance(value, bool):
            raise TypeError(f"{name}: a boolean cannot be marked; put it in the key")
        marker = _INT_BASE - counter if isinstance(value, int) else f"\x00anju-mark-{counter}"
        meaning[marker] = (name, index)
        return marker

    for name, value in values.items():
        if isinstance(value, list | tuple):
            markers[name] = [mark(v, name, i) for i, v in enumerate(value)]
        else:
            markers[name] = mark(value, name, None)
    return markers, meaning


def _shape(values: dict[str, Any]) -> tuple:
    return tuple(
        (name, len(v) if isinstance(v, list | tuple) else None) for name, v in values.items()
    )


def compile_values(qs: QuerySet, suffix: str = "") -> Template:
    """The values() queryset qs compiled (with no slots yet)."""
    alias = qs.db
    compiler = qs.query.get_compiler(alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return Template(alias, "", (), (), (), ())
    query = qs.query
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
    return Template(alias, sql + suffix, tuple(params), (), names, converters)


def _template(key: tuple, build: Callable[..., QuerySet], values: dict, suffix: str):
    markers, meaning = _markers(values)
    compiled = compile_values(build(**markers), suffix)
    if not compiled.sql:
        return compiled
    slots = []
    for position, param in enumerate(compiled.params):
        try:
            found = meaning.get(param)
        except TypeError:  # an unhashable parameter (a list the backend passes whole)
            return None
        if found is not None:
            slots.append((position, *found, None))
        elif isinstance(param, str) and "\x00anju-mark-" in param:
            # A LIKE pattern the ORM built around a text marker (contains, startswith…): kept
            # as its two ends, the value escaped as the ORM escapes it.
            hits = [m for m in meaning if isinstance(m, str) and m in param]
            if len(hits) != 1 or param.count(hits[0]) != 1:
                return None
            before, after = param.split(hits[0])
            if before.strip("%") or after.strip("%"):
                return None
            slots.append((position, *meaning[hits[0]], (before, after)))
    if len(slots) != len(meaning) or len({(n, i) for _p, n, i, _w in slots}) != len(meaning):
        return None
    return Template(
        compiled.alias,
        compiled.sql,
        compiled.params,
        tuple(slots),
        compiled.names,
        compiled.converters,
    )


def run(template: Template, values: dict[str, Any]) -> list[dict]:
    if not template.sql:
        return []
    params = list(template.params)
    connection = connections[template.alias]
    for position, name, index, like in template.slots:
        value = values[name]
        value = value if index is None else value[index]
        if like is not None:
            value = f"{like[0]}{connection.ops.prep_for_like_query(value)}{like[1]}"
        params[position] = value
    with connection.cursor() as cursor:
        cursor.execute(template.sql, params)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        if template.converters:
            row = list(row)
            for position, functions, expression in template.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
        out.append(dict(zip(template.names, row, strict=True)))
    return out


def rows(key: tuple, build: Callable[..., QuerySet], *, suffix: str = "", **values) -> list[dict]:
    """The rows of build(**values) (a values() queryset) as dicts; see the module's text.
    suffix is appended to the SQL (a row lock Django cannot spell)."""
    full_key = (*key, _shape(values), suffix)
    template = _TEMPLATES.get(full_key, _MISSING)  # one read: another thread may clear()
    if template is _MISSING:
        template = _template(full_key, build, values, suffix)
        if len(_TEMPLATES) >= MAX_ENTRIES:
            _TEMPLATES.clear()
        _TEMPLATES[full_key] = template
    if template is None:
        return run(compile_values(build(**values), suffix), {})
    return run(template, values)


def clear() -> None:
    _TEMPLATES.clear()


def instance(model, alias: str, data: dict[str, Any]):
    """A model instance from a row read here: the fields data names (by attname), the others
    deferred, as only() would leave them; saved state, like an instance the ORM loaded."""
    values = [data.get(f.attname, DEFERRED) for f in model._meta.concrete_fields]
    obj = model(*values)
    obj._state.adding = False
    obj._state.db = alias
    return obj
