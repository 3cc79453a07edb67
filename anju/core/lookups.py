"""`codeprefix`: a division-code prefix match written as an index-friendly range.

`region_code__startswith="510104001"` becomes `LIKE '510104001%' ESCAPE '\\'`, which SQLite
never answers from an index (and PostgreSQL only through a separate pattern-ops index).
Division codes are digits, so the same match is the range
`'510104001' <= region_code < '510104002'`, which every btree index serves.
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
        if not prefix.isdigit():
            return "1 = 0", []
        if set(prefix) == {"9"}:
            return f"{lhs} >= %s", [*lhs_params, prefix]
        return f"({lhs} >= %s AND {lhs} < %s)", [
            *lhs_params,
            prefix,
            *lhs_params,
            next_code(prefix),
        ]
