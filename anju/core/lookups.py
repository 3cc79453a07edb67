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
