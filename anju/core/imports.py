"""Excel ledgers (台账): templates, validated all-or-nothing imports, annotated error
workbooks and exports in the template's columns.

A Ledger describes one sheet: its columns (header, cell type, example, help, choices) and the
hooks that check rows against the database and the rest of the file and then write them.
An import streams the workbook once, reports every error it finds (never only the first)
and writes nothing unless every row is valid; the write is one transaction of bulk inserts
with one audit event. Cell types live in `anju.core.ledger_cells`; the ledgers themselves
in `anju.estates.ledgers` and `anju.companies.ledgers`.
"""

import logging
import operator
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from anju.accounts.roles import Action
from anju.accounts.scope import Scope, scope_of
from anju.core.audit import audit_record
from anju.core.ledger_cells import Cell, CellError, display, normalize
from anju.core.pii import mask
from anju.core.xlsx_reader import Workbook as XlsxWorkbook

logger = logging.getLogger(__name__)

LEDGER_MODULES = ("anju.estates.ledgers", "anju.companies.ledgers")
KIND_ORDER = ("estates", "units", "owners", "companies", "contracts")
BATCH_SIZE = 2000
PROGRESS_EVERY = 500
MAX_ROWS = 200_000
MAX_ERRORS = 20_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------------------------
# Describing a ledger


@dataclass
class Column:
    """One column of a ledger sheet: its header, cell type and how to fill it in."""

    key: str
    label: Any  # lazy translation: the header text
    cell: Cell
    required: bool = False
    example: Any = None  # an internal value, shown through cell.to_cell()
    help: Any = ""
    pii: bool = False  # masked in exports and error listings

    def header(self) -> str:
        return str(self.label)


class Row(dict):
    """One data row: parsed values by column key (a missing key reads as None), its Excel
    row number and the keys of the cells that failed.

    Hooks may keep derived values under keys starting with "_" (e.g. row["_estate"]).
    """

    __slots__ = ("bad", "number")

    def __init__(self, number: int):
        super().__init__()
        self.number = number
        self.bad: set[str] | None = None

    def __missing__(self, key: str) -> None:
        return None

    def fine(self, *keys: str) -> bool:
        """True when none of these columns failed to parse (so rules over them may run)."""
        return not self.bad or not any(k in self.bad for k in keys)


@dataclass
class RowError:
    sheet: str
    row: int  # the Excel row number (1 = header row, 0 = the file itself)
    column: str  # the header text
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RowError":
        return cls(
            sheet=str(data.get("sheet", "")),
            row=int(data.get("row") or 0),
            column=str(data.get("column", "")),
            value=str(data.get("value", "")),
            message=str(data.get("message", "")),
        )

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportOutcome:
    ok: bool
    created: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


class Ledger:
    """A kind of ledger. Subclasses set the class attributes and implement the hooks."""

    kind: str = ""
    title: Any = ""  # sheet title (lazy translation)
    description: Any = ""
    action: str = ""  # the action that lets an actor write these rows
    view_action: str = ""  # the action that lets an actor export them
    columns: Sequence[Column] = ()
    counts: dict[str, type[models.Model]] = {}  # created-count key -> model (for its label)

    # Hooks ------------------------------------------------------------------------------

    def check_row(self, ctx: "ImportContext", row: Row) -> None:
        """Check one row on its own (rules across its cells); no database access."""

    def check(self, ctx: "ImportContext", rows: list[Row]) -> None:
        """Check all rows against the database and each other, with bulk lookups."""

    def write(self, ctx: "ImportContext", rows: list[Row]) -> dict[str, int]:
        """Write every (valid) row; called inside the import's transaction."""
        raise NotImplementedError

    def export_rows(self, actor) -> Iterable[Sequence[Any]]:
        """Yield the actor's visible rows as internal values in column order."""
        raise NotImplementedError

    # Helpers ----------------------------------------------------------------------------

    def may_import(self, scope: Scope) -> bool:
        return scope.allows(Action.LEDGER_IMPORT) and scope.allows(self.action)

    def may_export(self, scope: Scope) -> bool:
        return scope.allows(Action.LEDGER_EXPORT) and scope.allows(self.view_action)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def count_label(self, key: str) -> str:
        model = self.counts.get(key)
        return str(model._meta.verbose_name_plural) if model else key

    def sheet_title(self) -> str:
        return sheet_name(str(self.title))

    def header_aliases(self) -> dict[str, str]:
        """Map each accepted header spelling (any language, or the key) to a column key."""
        from django.conf import settings

        aliases: dict[str, str] = {}
        for column in self.columns:
            aliases[normalize(column.key)] = column.key
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    aliases.setdefault(normalize(str(column.label)), column.key)
            aliases.setdefault(normalize(str(column.label)), column.key)
        return aliases


_REGISTRY: dict[str, Ledger] = {}
_loaded = False


def register(ledger_class: type[Ledger]) -> type[Ledger]:
    """Class decorator: make a ledger available under its kind."""
    _REGISTRY[ledger_class.kind] = ledger_class()
    return ledger_class


def ledgers() -> list[Ledger]:
    """Return every registered ledger, in the order the pages list them."""
    global _loaded  # a load-once flag: the ledger modules register themselves on import
    if not _loaded:
        from importlib import import_module

        for name in LEDGER_MODULES:
            import_module(name)  # concurrent callers wait on the import lock
        _loaded = True
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(_REGISTRY.values(), key=lambda ledger: order.get(ledger.kind, len(order)))


def get_ledger(kind: str) -> Ledger:
    """Return the ledger of this kind; LookupError when there is none."""
    for ledger in ledgers():
        if ledger.kind == kind:
            return ledger
    raise LookupError(kind)


def sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def widest_prefix(scope: Scope, action: str) -> str:
    """Return the shortest region prefix the actor holds for action ("" when none)."""
    prefixes = [str(g.value) for g in scope.grants_for(action) if g.kind == "prefix"]
    return min(prefixes, key=len) if prefixes else ""


# --------------------------------------------------------------------------------------------
# Validation context


class ImportContext:
    """What the hooks share during one import: actor, scope, headers, errors and state."""

    def __init__(self, *, actor, ledger: Ledger, sheet: str, headers: dict[str, str]):
        self.actor = actor
        self.scope = scope_of(actor)
        self.ledger = ledger
        self.sheet = sheet
        self.headers = headers  # column key -> header text as found in the file
        self.errors: list[RowError] = []
        self.error_count = 0
        self.region_code = ""  # the region the ledger wrote into (for the audit event)
        self.state: dict[str, Any] = {}

    def header(self, key: str) -> str:
        return self.headers.get(key) or self.ledger.column(key).header()

    def error(self, row: Row | None, key: str, message: str, value: Any = ...) -> None:
        """Record an error on a cell; value defaults to the row's (parsed) value there."""
        number = row.number if row is not None else 1
        if row is not None:
            if row.bad is None:
                row.bad = set()
            row.bad.add(key)
            if value is ...:
                value = row.get(key)
        elif value is ...:
            value = ""
        self.error_count += 1
        if len(self.errors) >= MAX_ERRORS:
            return
        column = next((c for c in self.ledger.columns if c.key == key), None)
        shown = display(value)
        if column is not None and column.pii and shown:
            shown = mask(shown)
        self.errors.append(
            RowError(
                sheet=self.sheet,
                row=number,
                column=self.header(key),
                value=shown,
                message=str(message),
            )
        )


def file_error(message: str, *, sheet: str = "", row: int = 0, column: str = "") -> RowError:
    return RowError(sheet=sheet, row=row, column=column, value="", message=str(message))


# --------------------------------------------------------------------------------------------
# Import


def workbook_problem(file) -> str | None:
    """Return why this upload is not a readable .xlsx workbook, or None when it is."""
    try:
        position = file.tell() if hasattr(file, "tell") else None
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
        if position is not None:
            file.seek(position)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        names = set()
    return None if "xl/workbook.xml" in names else _not_xlsx()


def _not_xlsx() -> str:
    return _(
        "The file is not an Excel workbook (.xlsx). Save it as “Excel Workbook (*.xlsx)” "
        "and upload it again."
    )


def _pick_sheet(book: XlsxWorkbook, ledger: Ledger) -> str | None:
    """The title of the ledger's sheet (in any language), else of the first sheet."""
    from django.conf import settings

    wanted = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            wanted.add(normalize(sheet_name(str(ledger.title))))
    titles = book.titles
    return next((t for t in titles if normalize(t) in wanted), titles[0] if titles else None)


def _read_header(ledger: Ledger, header: Sequence[Any]) -> tuple[dict[str, int], dict[str, str]]:
    aliases = ledger.header_aliases()
    positions: dict[str, int] = {}
    texts: dict[str, str] = {}
    for index, value in enumerate(header):
        if value is None or str(value).strip() == "":
            continue
        key = aliases.get(normalize(value))
        if key is not None and key not in positions:
            positions[key] = index
            texts[key] = str(value).strip()
    return positions, texts


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def import_workbook(*, actor, kind: str, file, on_progress=None) -> ImportOutcome:
    """Validate every row of an uploaded ledger and, only if all are valid, write them all.

    Returns the outcome with every error found (sheet, Excel row, header, value, message).
    Raises LookupError for an unknown kind and PermissionDenied when the actor may not
    import this ledger. on_progress(done, total) is called every ~500 rows while checking.
    """
    ledger = get_ledger(kind)
    if not ledger.may_import(scope_of(actor)):
        raise PermissionDenied
    problem = workbook_problem(file)
    if problem:
        return ImportOutcome(ok=False, errors=[file_error(problem)])
    try:
        book = XlsxWorkbook(file)
    except Exception:  # openpyxl raises many kinds on a damaged file
        logger.info("unreadable workbook", exc_info=True)
        return ImportOutcome(ok=False, errors=[file_error(_not_xlsx())])
    try:
        return _import_sheet(actor, ledger, book, on_progress)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError, IndexError):
        # A damaged sheet: broken XML, a truncated archive, a shared string that is missing.
        logger.info("damaged workbook", exc_info=True)
        return ImportOutcome(ok=False, errors=[file_error(_not_xlsx())])
    finally:
        book.close()


def _import_sheet(actor, ledger: Ledger, book: XlsxWorkbook, on_progress) -> ImportOutcome:
    sheet = _pick_sheet(book, ledger)
    if sheet is None:
        return ImportOutcome(ok=False, errors=[file_error(_("The workbook has no sheets."))])
    total = max(book.count_rows(sheet) - 1, 0)
    lines = book.rows(sheet)
    first = next(lines, None)
    header = first[1] if first is not None and first[0] == 1 else None
    if header is None or all(is_blank(v) for v in header):
        message = _("The sheet “%(sheet)s” is empty: its first row must hold the headers.")
        return ImportOutcome(ok=False, errors=[file_error(message % {"sheet": sheet}, sheet=sheet)])
    positions, texts = _read_header(ledger, header)
    missing = [c for c in ledger.columns if c.required and c.key not in positions]
    if missing:
        message = _("The column “%(column)s” is missing; use the headers of the template.")
        errors = [
            file_error(message % {"column": c.header()}, sheet=sheet, row=1, column=c.header())
            for c in missing
        ]
        return ImportOutcome(ok=False, errors=errors)

    ctx = ImportContext(actor=actor, ledger=ledger, sheet=sheet, headers=texts)
    present = [(c, positions[c.key]) for c in ledger.columns if c.key in positions]
    rows: list[Row] = []
    report_at = PROGRESS_EVERY
    for number, line in lines:
        if on_progress is not None and number - 1 >= report_at:
            on_progress(number - 1, max(total, number - 1))
            report_at += PROGRESS_EVERY
        if all(is_blank(v) for v in line):
            continue
        if len(rows) >= MAX_ROWS:
            message = _("The file has more than %(max)s rows; split it into smaller files.")
            return ImportOutcome(
                ok=False, errors=[file_error(message % {"max": MAX_ROWS}, sheet=sheet)]
            )
        row = _parse_row(ctx, number, line, present)  # absent optional columns read as None
        # Rules across cells run even on a row with bad cells, over the cells that are fine.
        ledger.check_row(ctx, row)
        rows.append(row)
    if not rows:
        return ImportOutcome(
            ok=False,
            errors=[file_error(_("The file contains no data rows."), sheet=sheet, row=2)],
        )
    ledger.check(ctx, rows)
    if on_progress is not None:
        on_progress(len(rows), len(rows))
    if ctx.error_count:
        return ImportOutcome(ok=False, errors=_sorted_errors(ctx, positions), rows=len(rows))
    try:
        with transaction.atomic():
            created = ledger.write(ctx, rows)
            audit_record(
                actor=actor,
                action=f"ledger.import.{ledger.kind}",
                target_type="ledger",
                changes=created,
                region_code=widest_prefix(ctx.scope, Action.LEDGER_IMPORT) or ctx.region_code,
            )
    except IntegrityError:
        logger.warning("ledger import collided with a concurrent write", exc_info=True)
        message = _(
            "Someone changed the same records while this file was being imported; nothing "
            "was written. Upload the file again."
        )
        return ImportOutcome(ok=False, errors=[file_error(message, sheet=sheet)], rows=len(rows))
    return ImportOutcome(ok=True, created=created, rows=len(rows))


def _parse_row(ctx: ImportContext, number: int, line: Sequence[Any], present) -> Row:
    row = Row(number)
    width = len(line)
    for column, index in present:
        raw = line[index] if index < width else None
        if is_blank(raw):
            row[column.key] = None
            if column.required:
                ctx.error(row, column.key, _("This cell is required."), "")
            continue
        try:
            row[column.key] = column.cell.parse(raw)
        except CellError as error:
            row[column.key] = None
            ctx.error(row, column.key, error.message, raw)
    return row


def _sorted_errors(ctx: ImportContext, positions: dict[str, int]) -> list[RowError]:
    order = {ctx.header(key): index for key, index in positions.items()}
    errors = sorted(ctx.errors, key=lambda e: (e.row, order.get(e.column, len(order))))
    if ctx.error_count > len(errors):
        message = _("There are %(count)s errors; only the first %(max)s are listed.")
        errors.append(
            file_error(message % {"count": ctx.error_count, "max": MAX_ERRORS}, sheet=ctx.sheet)
        )
    return errors


# --------------------------------------------------------------------------------------------
# Helpers for the ledgers' hooks


def batched(items: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _column_values(model: type[models.Model]):
    """Return the insert columns of model and one function per column giving its DB value.

    Plain text, integer, boolean and foreign-key columns are passed through as they are;
    created/updated timestamps are prepared once for the whole import; every other column
    (decimals, dates, encrypted personal information) goes through the field's own
    preparation, exactly as bulk_create would do it.
    """
    now = timezone.now()
    plain = (models.CharField, models.IntegerField, models.BooleanField, models.ForeignKey)
    columns, getters = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(model_field.column)
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value = model_field.get_db_prep_save(now, connection)
            getters.append(lambda obj, f=model_field, v=value: _stamp(obj, f, now, v))
        elif isinstance(model_field, plain) and type(model_field).get_prep_value in _PLAIN_PREP:
            getters.append(operator.attrgetter(model_field.attname))
        else:
            getters.append(
                lambda obj, f=model_field: f.get_db_prep_save(getattr(obj, f.attname), connection)
            )
    return columns, getters


def _stamp(obj, field, now, value):
    setattr(obj, field.attname, now)
    return value


_PLAIN_PREP = {
    models.CharField.get_prep_value,
    models.IntegerField.get_prep_value,
    models.BooleanField.get_prep_value,
    models.ForeignKey.get_prep_value,
}


def bulk_insert(
    model: type[models.Model], objects: Iterable[models.Model], *, returning: bool = False
) -> int:
    """Insert objects with multi-row INSERTs of BATCH_SIZE rows (or fewer where the backend
    limits parameters), optionally setting each object's primary key from RETURNING.

    Values are prepared per column rather than through bulk_create's generic per-value
    machinery, which makes large imports about a third faster. SQLite gets the multi-row
    INSERT that bulk_create would send; PostgreSQL gets COPY.
    """
    if connection.vendor == "postgresql":
        return _copy_insert(model, objects, returning=returning)
    columns, getters = _column_values(model)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    pk = model._meta.pk
    limit = connection.features.max_query_params  # None: no limit (PostgreSQL)
    size = BATCH_SIZE if limit is None else max(1, min(BATCH_SIZE, limit // len(columns)))
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    count = 0
    with connection.cursor() as cursor:
        for batch in batched(objects, size):
            params = [get(obj) for obj in batch for get in getters]
            # Identifiers come from the model's metadata, quoted; values travel as parameters.
            values = ", ".join([row_sql] * len(batch))
            sql = f"INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608
            if returning:
                cursor.execute(sql + f" RETURNING {connection.ops.quote_name(pk.column)}", params)
                for obj, (value,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, value)
                    obj._state.adding = False
                    obj._state.db = connection.alias
            else:
                cursor.execute(sql, params)
            count += len(batch)
    return count


def _copy_insert(
    model: type[models.Model], objects: Iterable[models.Model], *, returning: bool
) -> int:
    """PostgreSQL: stream each batch with COPY … FROM STDIN (no SQL to parse or plan per row).

    COPY returns nothing, so when the caller needs primary keys they are drawn from the
    table's own identity sequence first and written explicitly, as RETURNING would have
    given them. COPY runs inside the caller's transaction like any other statement.
    """
    columns, getters = _column_values(model)
    quote = connection.ops.quote_name
    table = model._meta.db_table
    pk = model._meta.pk
    if returning:
        columns = [pk.column, *columns]
        getters = [operator.attrgetter(pk.attname), *getters]
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        for batch in batched(objects):
            if returning:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [quote(table), pk.column, len(batch)],
                )
                for obj, (value,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, value)
                    obj._state.adding = False
                    obj._state.db = connection.alias
            # Identifiers come from the model's metadata, quoted; values travel as COPY data.
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for obj in batch:
                    copy.write_row([get(obj) for get in getters])
            count += len(batch)
    return count


def bulk_insert_returning(model: type[models.Model], objects: list[models.Model]) -> None:
    """Insert objects and set each one's primary key."""
    bulk_insert(model, objects, returning=True)


def exportable(policy, actor):
    """Rows the actor sees that a grant allowing export also reaches (as list exports do)."""
    return policy.visible(actor, Action.LEDGER_EXPORT, policy.visible(actor))


def chunked_lookup(values: Iterable[Any], query: Callable[[list[Any]], Iterable[Any]]):
    """Run query over values in chunks small enough for any backend's parameter limit."""
    for chunk in batched(sorted(set(values)), 900):
        yield from query(chunk)


# --------------------------------------------------------------------------------------------
# Template, export and annotated workbook (built in anju.core.ledger_files)


def ledger_template(kind: str) -> bytes:
    """Return the empty .xlsx template of a ledger: headers, drop-downs and instructions."""
    from anju.core.ledger_files import ledger_workbook

    return ledger_workbook(get_ledger(kind), rows=())


def ledger_export(*, actor, kind: str) -> bytes:
    """Return the actor's visible rows of a ledger in the template's columns.

    Personal information is masked and every text cell is neutralised against formula
    injection, so the file can be edited and new rows imported back.
    """
    from anju.core.ledger_files import ledger_workbook

    ledger = get_ledger(kind)
    if not ledger.may_export(scope_of(actor)):
        raise PermissionDenied
    return ledger_workbook(ledger, rows=ledger.export_rows(actor))


def annotated_workbook(file, errors: Iterable[RowError | dict[str, Any]]) -> bytes:
    """Return the uploaded workbook with each bad cell red and commented, plus an error column.

    The copy is streamed (row by row in, write-only out) so large files stay within memory;
    the values of every sheet are kept, the original formatting is not.
    """
    from anju.core.ledger_files import annotate

    return annotate(file, [e if isinstance(e, RowError) else RowError.from_dict(e) for e in errors])
