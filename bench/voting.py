"""Owners' vote benchmarks on PostgreSQL: a 10,000-unit estate.

    apt-get install -y wrk              # the load generator (Debian package), once
    python bench/voting.py              # build the dataset once, then measure
    python bench/voting.py --rebuild
    python bench/voting.py --rounds 3 --duration 10 --worker-class gthread --threads 4
    python bench/voting.py --skip-inprocess   # the HTTP series only

Measures, each next to a floor measured in the same run:
- roll construction for the 10,000-unit estate (in-process; target ≤ 2 s);
- the tally of a 10,000-voter motion (in-process; target ≤ 50 ms and within 2× the plain SQL
  aggregate over the same rows);
- ballot casting over HTTP through the API (gunicorn, 2 sync workers by default,
  `--worker-class gthread` for 2 × 4 threads with keep-alive; 50 concurrent connections,
  each request a different owner with their own token, ID number and choice; target ≥ 500
  ballots/s and p99 ≤ 200 ms), next to a trivial bearer-token INSERT endpoint served the same
  way, in rounds (floor, then casting, on a fresh motion each round).

The load comes from wrk (C, epoll; bench/voting_wrk.lua rotates over a file of per-voter
requests), so the client costs little of the two cores the workers and PostgreSQL share; the
bench stops with a message when wrk is missing. After each round the database is checked:
every receipt the server answered with is stored once and counted, no voter has two ballots.
Results go to stdout and bench/results/voting.md (git-ignored); docs/benchmarks.md keeps the
figures of record.
"""

import argparse
import contextlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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
# The voters on the roll in their own name (developer stock votes through the developer).
on_roll = set(motion.roll.filter(key__startswith="owner:").values_list("owner__name", flat=True))
voters = sorted(int(name.removeprefix("业主")) for name in on_roll)
print(json.dumps({"meeting": meeting.pk, "motion": motion.pk, "voters": voters}))
"""

COUNT_BALLOTS = r"""
import json, os
import django
django.setup()
from django.db.models import Count
from anju.voting.models import Ballot, Motion
from anju.voting import services
m = Motion.objects.get(pk=int(os.environ["BENCH_MOTION"]))
receipts = json.load(open(os.environ["BENCH_RECEIPTS"]))
stored = dict(Ballot.objects.filter(motion=m, receipt__in=receipts)
              .values_list("receipt", "effective"))
t = services.tally(m)
print(json.dumps({
    "accepted": len(receipts),
    "accepted_distinct": len(set(receipts)),
    "accepted_stored": len(stored),
    "accepted_effective": sum(stored.values()),
    "ballots": Ballot.objects.filter(motion=m).count(),
    "effective": Ballot.objects.filter(motion=m, effective=True).count(),
    "voters_twice": Ballot.objects.filter(motion=m).values("entry").annotate(n=Count("id"))
                    .filter(n__gt=1).count(),
    "counted_persons": (t.yes + t.no + t.abstain + t.invalid).persons,
}))
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
    env = harness.django_env(url(), DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true")
    migrate = [harness.PYTHON, "manage.py", "migrate", "--noinput", "-v0"]
    if have == UNITS and not rebuild:
        # A dataset built by an earlier version of the code gets its newer migrations.
        subprocess.run(migrate, cwd=harness.ROOT, env=env, check=True)
        log(f"dataset: reusing {NAME} ({have:,} units)")
        return {"units": have, "built": False}
    log(f"dataset: building {NAME}")
    harness.psql(f"drop database if exists {NAME}")
    harness.psql(f"create database {NAME}")
    subprocess.run(migrate, cwd=harness.ROOT, env=env, check=True)
    built = script(DATASET, BENCH_UNITS=str(UNITS))
    log(f"dataset: {built}")
    return built | {"built": True}


@contextlib.contextmanager
def server(workers: int = 2, worker_class: str = "sync", threads: int = 1):
    """gunicorn as in a plain production set-up: sync workers (one request at a time, the
    connection closed after each) or gthread workers (keep-alive, a few threads each)."""
    port = harness.free_port()
    gunicorn = Path(harness.PYTHON).with_name("gunicorn")
    command = [
        str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", worker_class, "--backlog", "256",
        "--log-level", "warning",
    ]  # fmt: skip
    if worker_class == "gthread":
        command += ["--threads", str(threads), "--keep-alive", "5"]
    env = harness.django_env(url())
    # The server's log goes to a file: a pipe nobody reads would stall the workers once full.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=harness.ROOT, env=env, stderr=log)
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
                        log.seek(0)
                        raise RuntimeError(log.read().decode()[-3000:]) from None
                    time.sleep(0.3)
            yield port, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.seek(0)
        errors = [
            line
            for line in log.read().decode(errors="replace").splitlines()
            if not line.startswith("Unauthorized: ")
        ]  # the spare requests' 401s
        if errors:
            print("server log:\n" + "\n".join(errors[-20:]), file=sys.stderr)


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) the gunicorn workers of `master` have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


WRK_SCRIPT = Path(__file__).with_name("voting_wrk.lua")
WRK_THREADS = 2


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit(
            "bench/voting.py needs wrk, the HTTP load generator, for the casting series: "
            "apt-get install -y wrk (or run with --skip-http)."
        )
    return found


def load(port: int, jobs: list[tuple[str, str, str]], clients: int, seconds: float, work: Path):
    """Send the jobs (path, token, JSON body), each once, over `clients` connections for
    `seconds` with wrk; answer req/s, latency percentiles, statuses and the receipts."""
    requests = work / "requests.tsv"
    out = work / "wrk.json"
    requests.write_text("".join(f"{path}\t{token}\t{body}\n" for path, token, body in jobs))
    out.unlink(missing_ok=True)
    command = [
        wrk_path(), f"-t{WRK_THREADS}", f"-c{clients}", f"-d{round(seconds)}s", "--timeout", "30s",
        "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}",
        "--", str(requests), str(out), str(WRK_THREADS),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode or not out.exists():
        raise RuntimeError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(out.read_text())
    wall = raw["duration_us"] / 1e6
    counted = raw["requests"] - raw["spare"]
    return {
        "n": counted,
        "rps": counted / wall,
        "p50": raw["p50_us"] / 1000,
        "p95": raw["p95_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "max": raw["max_us"] / 1000,
        "statuses": {int(k): v for k, v in raw["statuses"].items()},
        "socket_errors": {k: v for k, v in raw["socket_errors"].items() if v},
        "spare": raw["spare"],
        "wall_s": wall,
        "receipts": raw["receipts"],
    }


def _summary(series: dict) -> dict:
    return {k: v for k, v in series.items() if k != "receipts"}


def bench_http(args, log) -> dict:
    rounds = []
    with tempfile.TemporaryDirectory(prefix="anju-votes-") as tmp:
        work = Path(tmp)
        for number in range(1, args.rounds + 1):
            target = script(PREPARE_HTTP)
            meeting, motion, voters = target["meeting"], target["motion"], target["voters"]

            def cast_job(i, meeting=meeting, motion=motion):
                choice = ("yes", "yes", "yes", "no", "abstain")[i % 5]
                body = {"id_number": f"5101991980{i:08d}", "choices": {str(motion): choice}}
                return (f"/api/v1/votes/{meeting}/ballots", f"bench-token-{i}", json.dumps(body))

            warm, measured = voters[: args.warmup], voters[args.warmup :]
            floor_jobs = [("/bench/insert/", f"bench-token-{i}", "{}") for i in measured] * 2
            with server(args.workers, args.worker_class, args.threads) as (port, master):
                # Warm both paths in every worker (imports, first queries, connections) on
                # voters left out of the measured series, then forget the tokens' use.
                warmed = load(port, [cast_job(i) for i in warm], args.clients, 2, work)
                log(f"  warm-up: {_summary(warmed)}")
                load(port, floor_jobs[: len(warm)], args.clients, 1, work)
                harness.psql("update accounts_apitoken set last_used_at = null", NAME)
                log(f"round {number}: load average {os.getloadavg()[0]:.2f}")
                cpu = workers_cpu(master)
                floor = load(port, floor_jobs, args.clients, args.duration, work)
                floor["cpu_ms"] = (workers_cpu(master) - cpu) * 1000 / max(floor["n"], 1)
                log(f"  floor: {_summary(floor)}")
                cpu = workers_cpu(master)
                cast_jobs = [cast_job(i) for i in measured]
                cast = load(port, cast_jobs, args.clients, args.duration, work)
                cast["cpu_ms"] = (workers_cpu(master) - cpu) * 1000 / max(cast["n"], 1)
                log(f"  cast:  {_summary(cast)}")
            receipts = work / "receipts.json"
            receipts.write_text(json.dumps(warmed["receipts"] + cast["receipts"]))
            check = script(COUNT_BALLOTS, BENCH_MOTION=str(motion), BENCH_RECEIPTS=str(receipts))
            log(f"  stored: {check}")
            accepted = cast["statuses"].get(201, 0) + warmed["statuses"].get(201, 0)
            problems = []
            if not (cast["statuses"].get(201) and floor["statuses"].get(201)):
                problems.append("no request succeeded")
            if check["accepted"] != accepted or check["accepted_distinct"] != accepted:
                problems.append("receipts do not match the 201 answers")
            if check["accepted_stored"] != accepted or check["accepted_effective"] != accepted:
                problems.append("an accepted ballot is missing or not counted")
            if check["voters_twice"] or check["ballots"] != check["effective"]:
                problems.append("a voter has more than one ballot")
            # Requests still in flight when wrk stops are stored without an answer counted.
            if not accepted <= check["effective"] <= accepted + 2 * args.clients:
                problems.append("more ballots stored than requests sent")
            if cast["spare"] or floor["spare"]:
                problems.append("ran out of voters: lower --duration")
            if problems:
                raise SystemExit(f"round {number}: " + "; ".join(problems))
            rounds.append(
                {
                    "load": os.getloadavg()[0],
                    "insert": _summary(floor),
                    "cast": _summary(cast),
                    "check": check,
                }
            )
    server_label = f"{args.workers} {args.worker_class} workers"
    if args.worker_class == "gthread":
        server_label += f" × {args.threads} threads"
    return {"rounds": rounds, "server": server_label}


def median_of(rounds: list[dict], series: str, key: str) -> float:
    return statistics.median(r[series][key] for r in rounds)


def in_process_lines(inproc) -> list[str]:
    lines = ["## In-process", ""]
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
    return lines


def report(info, dataset, inproc, http) -> str:
    lines = [f"# Voting benchmark ({harness._now()})", "", "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += ["", f"Dataset: {dataset}", ""]
    if inproc:
        lines += in_process_lines(inproc)
    if http:
        rounds = http["rounds"]
        lines += ["", f"## Ballots over HTTP (gunicorn {http['server']}, wrk, 50 connections)"]
        lines += [""]
        lines += [
            "| round | series | requests | req/s | p50 ms | p95 ms | p99 ms | worker CPU ms/req "
            "| statuses |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for number, r in enumerate(rounds, 1):
            for key, label in (("insert", "floor: trivial insert"), ("cast", "cast a ballot")):
                s = r[key]
                lines.append(
                    f"| {number} | {label} | {s['n']:,} | {s['rps']:.0f} | {s['p50']:.1f} | "
                    f"{s['p95']:.1f} | {s['p99']:.1f} | {s['cpu_ms']:.2f} | {s['statuses']} |"
                )
        rps, p99 = median_of(rounds, "cast", "rps"), median_of(rounds, "cast", "p99")
        floor = median_of(rounds, "insert", "rps")
        good = rps >= TARGETS["cast_rps"] and p99 <= TARGETS["cast_p99"]
        ratios = ", ".join(f"{r['cast']['rps'] / r['insert']['rps']:.2f}" for r in rounds)
        lines += [
            "",
            f"Medians over {len(rounds)} rounds: casting {rps:.0f} ballots/s, p99 {p99:.0f} ms "
            f"(target ≥ 500/s, p99 ≤ 200 ms {'✅' if good else '❌'}); floor {floor:.0f} req/s; "
            f"casting ÷ floor per round: {ratios}.",
            "",
            f"Stored (last round): {rounds[-1]['check']}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=8, help="seconds per series")
    parser.add_argument("--warmup", type=int, default=300, help="voters used to warm up")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-inprocess", action="store_true")
    args = parser.parse_args()

    def log(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    if not args.skip_http:
        wrk_path()
    info = harness.machine()
    dataset = ensure(args.rebuild, log)
    inproc = None if args.skip_inprocess else script(INPROCESS)
    log(f"in-process: {inproc}")
    http = None if args.skip_http else bench_http(args, log)
    text = report(info, dataset, inproc, http)
    harness.RESULTS.mkdir(exist_ok=True)
    (harness.RESULTS / "voting.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
