"""Owners' vote benchmarks on PostgreSQL: a 10,000-unit estate.

    python bench/voting.py              # build the dataset once, then measure
    python bench/voting.py --rebuild

Measures, each next to a floor measured in the same run:
- roll construction for the 10,000-unit estate (in-process; target ≤ 2 s);
- the tally of a 10,000-voter motion (in-process; target ≤ 50 ms and within 2× the plain SQL
  aggregate over the same rows);
- ballot casting over HTTP through the API (gunicorn, 2 sync workers, 50 concurrent voters,
  each a different owner with their own token; target ≥ 500 ballots/s and p99 ≤ 200 ms),
  next to a trivial bearer-token INSERT endpoint served the same way.
Results go to stdout and bench/results/voting.md (git-ignored); docs/benchmarks.md keeps the
figures of record.
"""

import argparse
import contextlib
import http.client
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run as harness

NAME = "anju_bench_votes"
UNITS = 10_000
TARGETS = {"roll_s": 2.0, "tally_ms": 50.0, "tally_ratio": 2.0, "cast_rps": 500, "cast_p99": 200}

DATASET = r"""
import json, random, time
from datetime import timedelta
from decimal import Decimal
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from anju.accounts.models import ApiToken, Membership, User
from anju.accounts.roles import Role
from anju.core.pii import digest, encrypt
from anju.estates.models import Building, Estate, Owner, Ownership, Unit
from anju.regions.models import Region

UNITS = int(__import__("os").environ["BENCH_UNITS"])
rng = random.Random(2026)
started = time.perf_counter()
with transaction.atomic():
    district = Region.objects.create(code="510199000000", name="基准区", level="district")
    street = Region.objects.create(code="510199001000", name="基准街道", level="street",
                                   parent=district)
    community = Region.objects.create(code="510199001001", name="基准社区", level="community",
                                      parent=street)
    estate = Estate.objects.create(name="万户花园", kind="commercial", region=community,
                                   region_code=community.code,
                                   management_mode="professional", total_households=UNITS)
    buildings = Building.objects.bulk_create(
        [Building(estate=estate, number=f"{i + 1}栋") for i in range(UNITS // 100)])
    units = []
    for b in buildings:
        for floor in range(1, 26):
            for door in range(1, 5):
                units.append(Unit(estate=estate, building=b, floor=floor,
                                  number=f"{floor}{door:02d}",
                                  area=Decimal(rng.randrange(6000, 16000)) / 100,
                                  delivery="unsold" if rng.random() < 0.02 else "delivered"))
    units = Unit.objects.bulk_create(units, batch_size=5000)
    owners = []
    for i in range(UNITS):
        id_number = f"5101991980{i:08d}"
        owners.append(Owner(name=f"业主{i}", id_number=id_number,
                            id_number_digest=digest(id_number)))
    owners = Owner.objects.bulk_create(owners, batch_size=5000)
    links = []
    for i, unit in enumerate(units):
        # Every 30th owner also holds the next unit: multi-unit owners (R9b).
        owner = owners[i - 1] if i % 30 == 1 else owners[i]
        links.append(Ownership(unit=unit, owner=owner, is_representative=True))
    Ownership.objects.bulk_create(links, batch_size=5000)
    organiser = User.objects.create(username="bench_organiser", password="!")
    Membership.objects.create(user=organiser, role=Role.STREET_OFFICER, region=street)
    users = User.objects.bulk_create(
        [User(username=f"voter{i}", password="!") for i in range(UNITS)], batch_size=5000)
    Membership.objects.bulk_create(
        [Membership(user=u, role=Role.OWNER, unit=units[i]) for i, u in enumerate(users)],
        batch_size=5000)
    ApiToken.objects.bulk_create(
        [ApiToken(user=u, name="bench", digest=ApiToken.hash(f"bench-token-{i}"))
         for i, u in enumerate(users)], batch_size=5000)
print(json.dumps({"units": len(units), "owners": len(owners),
                  "seconds": time.perf_counter() - started}))
"""

INPROCESS = r"""
import json, os, statistics, time
from datetime import timedelta
import django
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from anju.accounts.models import User
from anju.estates.models import Estate
from anju.voting import roll as rolls, services
from anju.voting.models import Ballot, Meeting, RollEntry
from anju.voting.rules import Matter

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
organiser = User.objects.get(username="bench_organiser")
estate = Estate.objects.get(name="万户花园")
now = timezone.now()
Meeting.objects.filter(estate=estate).delete()

def timed(fn, runs=RUNS):
    fn()
    xs = []
    for _ in range(runs):
        s = time.perf_counter(); fn(); xs.append((time.perf_counter() - s) * 1000)
    return {"median_ms": statistics.median(xs), "max_ms": max(xs), "runs": runs}

out = {}
# 1. The roll of the whole estate, built from the registry.
meeting = services.create_meeting(actor=organiser, estate=estate, title="基准会议",
    opens_at=now + timedelta(days=20), closes_at=now + timedelta(days=30))
motion = services.add_motion(actor=organiser, meeting=meeting, title="续聘物业",
                             matter=Matter.HIRE_MANAGER)
def build():
    with transaction.atomic():
        rolls.build(motion)
out["roll"] = timed(build, 5)
out["roll_voters"] = motion.roll.count()
out["roll_units"] = sum(motion.roll.values_list("unit_count", flat=True))
out["notice"] = {"ms": None}
s = time.perf_counter()
services.give_notice(actor=organiser, meeting=meeting, now=now)
out["notice"]["ms"] = (time.perf_counter() - s) * 1000

# 2. A ballot for every voter, then the tally against the plain SQL aggregate.
meeting.refresh_from_db()
Meeting.objects.filter(pk=meeting.pk).update(state="open", opens_at=now - timedelta(hours=1),
                                             closes_at=now + timedelta(days=1))
motion.refresh_from_db()
entries = list(motion.roll.values_list("id", flat=True))
choices = ["yes", "yes", "yes", "no", "abstain"]
Ballot.objects.bulk_create([
    Ballot(motion=motion, entry_id=e, choice=choices[i % 5], channel="online",
           cast_at=now, receipt=f"B{i:019d}") for i, e in enumerate(entries)], batch_size=5000)
with connection.cursor() as c:
    c.execute("ANALYZE voting_ballot"); c.execute("ANALYZE voting_rollentry")
SQL = ("SELECT b.choice, SUM(e.persons), SUM(e.area) FROM voting_ballot b "
       "JOIN voting_rollentry e ON e.id = b.entry_id "
       "WHERE b.motion_id = %s AND b.effective AND NOT e.excluded GROUP BY b.choice")
def plain():
    with connection.cursor() as c:
        c.execute(SQL, [motion.pk]); c.fetchall()
out["sql_aggregate"] = timed(plain, 30)
out["tally"] = timed(lambda: services.tally(motion), 30)
out["decide"] = timed(lambda: services.decide_motion(motion), 30)
out["ballots"] = len(entries)
Meeting.objects.filter(pk=meeting.pk).delete()
print(json.dumps(out))
"""

PREPARE_HTTP = r"""
import json
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from anju.accounts.models import User
from anju.core.models import AuditEvent
from anju.estates.models import Estate
from anju.voting import services
from anju.voting.models import Meeting
from anju.voting.rules import Matter

organiser = User.objects.get(username="bench_organiser")
estate = Estate.objects.get(name="万户花园")
Meeting.objects.filter(estate=estate).delete()
AuditEvent.objects.filter(action="bench.insert").delete()
now = timezone.now()
meeting = services.create_meeting(actor=organiser, estate=estate, title="基准投票",
    opens_at=now + timedelta(days=20), closes_at=now + timedelta(days=30))
motion = services.add_motion(actor=organiser, meeting=meeting, title="续聘物业",
                             matter=Matter.HIRE_MANAGER)
services.give_notice(actor=organiser, meeting=meeting, now=now)
Meeting.objects.filter(pk=meeting.pk).update(opens_at=now - timedelta(minutes=1),
                                             closes_at=now + timedelta(days=1))
services.open_voting(actor=organiser, meeting=Meeting.objects.get(pk=meeting.pk),
                     now=now)
print(json.dumps({"meeting": meeting.pk, "motion": motion.pk}))
"""

COUNT_BALLOTS = r"""
import json
import django
django.setup()
from anju.voting.models import Ballot, Motion
from anju.voting import services
m = Motion.objects.get(pk=int(__import__("os").environ["BENCH_MOTION"]))
t = services.tally(m)
print(json.dumps({"ballots": Ballot.objects.filter(motion=m).count(),
                  "effective": Ballot.objects.filter(motion=m, effective=True).count(),
                  "yes_persons": t.yes.persons}))
"""


def url() -> str:
    return f"{harness.PG_BASE}/{NAME}"


def script(code: str, **extra) -> dict:
    env = harness.django_env(url(), DJANGO_SETTINGS_MODULE="bench.settings", **extra)
    done = subprocess.run(
        [harness.PYTHON, "-c", code],
        cwd=harness.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensure(rebuild: bool, log) -> dict:
    try:
        have = int(harness.psql("select count(*) from estates_unit", NAME) or 0)
    except RuntimeError:
        have = -1
    if have == UNITS and not rebuild:
        log(f"dataset: reusing {NAME} ({have:,} units)")
        return {"units": have, "built": False}
    log(f"dataset: building {NAME}")
    harness.psql(f"drop database if exists {NAME}")
    harness.psql(f"create database {NAME}")
    env = harness.django_env(url(), DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true")
    subprocess.run(
        [harness.PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=harness.ROOT,
        env=env,
        check=True,
    )
    built = script(DATASET, BENCH_UNITS=str(UNITS))
    log(f"dataset: {built}")
    return built | {"built": True}


@contextlib.contextmanager
def server(workers: int = 2):
    """gunicorn with sync workers, as in a plain production set-up."""
    port = harness.free_port()
    gunicorn = Path(harness.PYTHON).with_name("gunicorn")
    command = [
        str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--backlog", "256",
        "--log-level", "warning",
    ]  # fmt: skip
    env = harness.django_env(url())
    process = subprocess.Popen(command, cwd=harness.ROOT, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/bench/trivial/")
                connection.getresponse().read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-3000:]) from None
                time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def load(port: int, jobs: list[tuple[str, str, str]], clients: int) -> dict:
    """POST every job (path, token, body) with `clients` concurrent connections.

    Sync workers answer one request at a time and close the connection afterwards, so each
    request opens its own connection, as a voter's phone would."""
    work: queue.Queue = queue.Queue()
    for job in jobs:
        work.put(job)
    times: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client():
        while True:
            try:
                path, token, body = work.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request(
                    "POST",
                    path,
                    body=body.encode(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
                status = connection.getresponse().status
            except OSError:
                status = 0
            finally:
                connection.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                times.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "n": len(times),
        "rps": len(times) / wall,
        "p50": harness.percentile(times, 50),
        "p95": harness.percentile(times, 95),
        "p99": harness.percentile(times, 99),
        "statuses": statuses,
        "wall_s": wall,
    }


def bench_http(args, log) -> dict:
    target = script(PREPARE_HTTP)
    meeting, motion = target["meeting"], target["motion"]
    n = args.ballots
    ballot_jobs = [
        (
            f"/api/v1/votes/{meeting}/ballots",
            f"bench-token-{i}",
            json.dumps(
                {
                    "id_number": f"5101991980{i:08d}",
                    "choices": {str(motion): "yes" if i % 4 else "no"},
                }
            ),
        )
        for i in range(n)
        if i % 30 != 1  # the second unit of a multi-unit owner: its owner votes for both
    ]
    insert_jobs = [("/bench/insert/", f"bench-token-{i}", "{}") for i in range(len(ballot_jobs))]
    out = {}
    with server(args.workers) as port:
        load(port, insert_jobs[:200], args.clients)  # warm-up: connections, caches
        log("floor: trivial bearer-token insert")
        out["insert"] = load(port, insert_jobs, args.clients)
        log(f"  {out['insert']}")
        log("ballots through the API")
        out["cast"] = load(port, ballot_jobs, args.clients)
        log(f"  {out['cast']}")
    out["check"] = script(COUNT_BALLOTS, BENCH_MOTION=str(motion))
    log(f"ballots stored: {out['check']}")
    return out


def report(info, dataset, inproc, http) -> str:
    lines = [f"# Voting benchmark ({harness._now()})", "", "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += ["", f"Dataset: {dataset}", "", "## In-process", ""]
    lines += ["| measure | median | max | target |", "|---|---:|---:|---|"]
    r = inproc["roll"]
    ok = "✅" if r["max_ms"] <= TARGETS["roll_s"] * 1000 else "❌"
    lines.append(
        f"| roll of {inproc['roll_units']:,} units → {inproc['roll_voters']:,} voters | "
        f"{r['median_ms']:.0f} ms | {r['max_ms']:.0f} ms | ≤ 2 s {ok} |"
    )
    lines.append(f"| notice (roll + SMS log + records) | {inproc['notice']['ms']:.0f} ms | | |")
    sql, tally = inproc["sql_aggregate"], inproc["tally"]
    ratio = tally["median_ms"] / sql["median_ms"]
    ok = "✅" if tally["median_ms"] <= TARGETS["tally_ms"] and ratio <= 2 else "❌"
    lines.append(
        f"| plain SQL aggregate ({inproc['ballots']:,} ballots) | {sql['median_ms']:.2f} ms | "
        f"{sql['max_ms']:.2f} ms | floor |"
    )
    lines.append(
        f"| tally (services.tally) | {tally['median_ms']:.2f} ms | {tally['max_ms']:.2f} ms | "
        f"≤ 50 ms, ≤ 2× floor ({ratio:.2f}×) {ok} |"
    )
    d = inproc["decide"]
    lines.append(
        f"| tally + both decisions (decide_motion) | {d['median_ms']:.2f} ms | "
        f"{d['max_ms']:.2f} ms | |"
    )
    if http:
        lines += ["", "## Ballots over HTTP (gunicorn, sync workers)", ""]
        lines += [
            "| series | requests | req/s | p50 ms | p95 ms | p99 ms | statuses | target |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for key, label in (("insert", "floor: trivial insert"), ("cast", "cast a ballot")):
            s = http[key]
            ok = ""
            if key == "cast":
                good = s["rps"] >= TARGETS["cast_rps"] and s["p99"] <= TARGETS["cast_p99"]
                ok = "✅" if good else "❌"
            lines.append(
                f"| {label} | {s['n']:,} | {s['rps']:.0f} | {s['p50']:.1f} | {s['p95']:.1f} | "
                f"{s['p99']:.1f} | {s['statuses']} | {ok} |"
            )
        ratio = http["cast"]["rps"] / http["insert"]["rps"]
        lines += ["", f"Ballots per second ÷ floor: {ratio:.2f}. Stored: {http['check']}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--ballots", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()

    def log(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    info = harness.machine()
    dataset = ensure(args.rebuild, log)
    inproc = script(INPROCESS)
    log(f"in-process: {inproc}")
    http = None if args.skip_http else bench_http(args, log)
    text = report(info, dataset, inproc, http)
    harness.RESULTS.mkdir(exist_ok=True)
    (harness.RESULTS / "voting.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
