"""In-process helpers run by bench/run.py in a subprocess configured for one database.

    python -m bench.analyse info            -> dataset counts and the series to measure (JSON)
    python -m bench.analyse queries FILE    -> per series: status, query count, SQL time and,
                                               on PostgreSQL, EXPLAIN ANALYZE of the slowest
                                               queries (JSON)

The series file is what `info` printed. Query timings come from Django's debug cursor
(CaptureQueriesContext): the quietest of three warmed requests.
"""

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from anju.accounts.models import User  # noqa: E402
from anju.companies.models import PropertyCompany, ServiceContract  # noqa: E402
from anju.estates.models import Building, Estate, Owner, Ownership, Resident, Unit  # noqa: E402
from anju.regions.models import Region  # noqa: E402

PERSONAS = ("district_admin", "street_officer")
EXPLAIN_OVER_MS = 20.0


def series_for(username: str) -> list[tuple[str, str]]:
    """Return (name, path) of the list-page requests measured for one persona."""
    user = User.objects.get(username=username)
    membership = user.memberships.select_related("region").get()
    region = membership.region
    if region.level == Region.Level.STREET:
        street = region
    else:
        street = region.children.order_by("code").first()
    prefix = street.code[:9]
    return [
        ("estates", "/estates/"),
        ("estates street", f"/estates/?street={prefix}"),
        ("estates kind", "/estates/?kind=commercial"),
        ("estates q", "/estates/?q=%E8%8A%B1%E5%9B%AD"),  # 花园
        ("estates page 2", "/estates/?page=2"),
        ("units", "/estates/units/"),
        ("units street", f"/estates/units/?street={prefix}"),
        ("units kind", "/estates/units/?kind=parking"),
        ("units q", "/estates/units/?q=1502"),
        ("units page 2", "/estates/units/?page=2"),
        # A list longer than ANJU_QUICK_COUNT fetches its count with a second request.
        ("units count", "/estates/units/?count=1"),
        ("units street count", f"/estates/units/?street={prefix}&count=1"),
        ("units q count", "/estates/units/?q=1502&count=1"),
    ]


def info() -> dict:
    counts = {
        "districts": Region.objects.filter(level=Region.Level.DISTRICT).count(),
        "estates": Estate.objects.count(),
        "buildings": Building.objects.count(),
        "units": Unit.objects.count(),
        "owners": Owner.objects.count(),
        "ownerships": Ownership.objects.count(),
        "residents": Resident.objects.count(),
        "companies": PropertyCompany.objects.count(),
        "contracts": ServiceContract.objects.count(),
    }
    series = {}
    for username in PERSONAS:
        if User.objects.filter(username=username).exists():
            series[username] = series_for(username)
    return {"vendor": connection.vendor, "counts": counts, "series": series}


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def queries(series: dict[str, list[list[str]]]) -> dict:
    results = {}
    for username, items in series.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, path in items:
            client.get(path)  # warm caches (scope, translations, templates)
            best = None
            for _attempt in range(3):  # keep the quietest of three warmed requests
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(path)
                    elapsed = (time.perf_counter() - started) * 1000
                timed = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
                timed.sort(reverse=True)
                if best is None or sum(t for t, _ in timed) < sum(t for t, _ in best[0]):
                    best = (timed, elapsed)
            timed, elapsed = best
            entry = {
                "status": response.status_code,
                "queries": len(timed),
                "sql_ms": round(sum(t for t, _ in timed), 2),
                "view_ms": round(elapsed, 2),
                "slowest": [{"ms": round(t, 2), "sql": sql} for t, sql in timed[:3]],
                "plans": [],
            }
            if connection.vendor == "postgresql":
                for ms, sql in timed[:2]:
                    if ms >= EXPLAIN_OVER_MS:
                        plan = explain(sql)
                        entry["plans"].append({"ms": round(ms, 2), "sql": sql, "plan": plan})
            results[f"{username}|{name}"] = entry
    return results


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "info"
    if command == "info":
        output = info()
    elif command == "queries":
        with open(argv[2], encoding="utf-8") as handle:
            output = queries(json.load(handle))
    else:
        raise SystemExit(f"unknown command {command!r}")
    json.dump(output, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv)
