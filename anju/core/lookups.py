"""`codeprefix`: a division-code prefix match written as an index-friendly range.

`region_code__startswith="510104001"` becomes `LIKE '510104001%' ESCAPE '\\'`, which SQLite
never answers from an index (and PostgreSQL only through a separate pattern-ops index).
Division codes are digits, so the same match is the range
`'510104001' <= region_code < '510104002'`, which every btree index serves.

The bounds are written into the SQL as literals rather than parameters (they are checked to
be ASCII digits, so nothing else can reach the SQL): a prepared statement's generic plan then
still knows how much of the table a scope covers. With parameters it assumed 3 estates of a
district's 600 and planned the room-number search for them (5 ms instead of 3).
"""

from django.db.models import CharField, Lookup


def next_code(prefix: str) -> str:
    """Return the smallest digit string of the same length that is greater than prefix."""
    return str(int(prefix) + 1).zfill(len(prefix))


@CharField.register_lookup
class CodePrefix(Lookup):
    lookup_name = "codeprefix"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if not prefix:
            return "1 = 1", []
        if not (prefix.isascii() and prefix.isdigit()):
            return "1 = 0", []
        if set(prefix) == {"9"}:
            return f"{lhs} >= '{prefix}'", [*lhs_params]
        upper = next_code(prefix)
        return f"({lhs} >= '{prefix}' AND {lhs} < '{upper}')", [*lhs_params, *lhs_params]


# What a text prefix may hold to be written into the SQL as a literal: printable ASCII with
# no quote or backslash, so it cannot end the literal on any backend.
_LITERAL_SAFE = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.:#()[]{}+ "
)


@CharField.register_lookup
class TextPrefix(Lookup):
    """`textprefix`: values starting with a text, as the index range `prefix <= value < next`
    (the prefix with its last character incremented), like `codeprefix` for any text.

    A prefix of plain ASCII (a room number: 1502, A-101) is written as literals, which lets a
    prepared statement be planned once: with parameters PostgreSQL planned the room-number
    search afresh on every request (1 ms, for 0.2 ms of execution). Any other prefix is sent
    as parameters."""

    lookup_name = "textprefix"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if not prefix:
            return "1 = 1", []
        last = ord(prefix[-1])
        if last >= 0x10FFFF:
            return f"{lhs} >= %s", [*lhs_params, prefix]
        upper = prefix[:-1] + chr(last + 1)
        if set(prefix) <= _LITERAL_SAFE and set(upper) <= _LITERAL_SAFE | {"`", "|", "/", ";", "<"}:
            return f"({lhs} >= '{prefix}' AND {lhs} < '{upper}')", [*lhs_params, *lhs_params]
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, upper]
