"""Anju benchmarks: list pages against a trivial-view floor, and 100k-row ledger imports.

    python bench/run.py                       # district scale on SQLite and PostgreSQL
    python bench/run.py --db postgres --city  # ... and city scale on PostgreSQL too
    python bench/run.py --scale city --db postgres
    python bench/run.py --skip-import         # pages only

Each dataset is built once with `manage.py demo_data` (seed 2026) into its own database
(SQLite: var/bench/<scale>.sqlite3; PostgreSQL: anju_bench_<scale>) and reused while it
holds the expected number of estates. Pages are served by gunicorn (one worker, DEBUG off)
and fetched over one keep-alive HTTP connection, logged in as a demo persona; every series
is compared with a trivial view measured the same way in the same run. Results go to
stdout and bench/results/latest.md. See docs/benchmarks.md.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "anju2026"  # noqa: S105 - the published demo password
SEED = 2026
EXPECTED_ESTATES = {"district": 600, "city": 6000}
TARGET_P95_MS = 100.0
TARGET_FLOOR_RATIO = 3.0


# -- environment ------------------------------------------------------------------------------


def database_url(db: str, scale: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{VAR / f'{scale}.sqlite3'}"
    return f"{PG_BASE}/anju_bench_{scale}"


def django_env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-bench-only-secret-key",  # noqa: S106 - local bench
        SECURE_COOKIES="false",
        DB_CONN_MAX_AGE="600",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_json(args: list[str], env: dict[str, str], timeout: float = 3600) -> dict:
    done = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def psql(sql: str, database: str = "postgres") -> str:
    url = f"{PG_BASE}/{database}"
    done = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return done.stdout.strip()


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    pg = "unavailable"
    with contextlib.suppress(Exception):
        pg = psql("show server_version")
    commit = ""
    with contextlib.suppress(Exception):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "PostgreSQL": pg,
        "SQLite": sqlite3.sqlite_version,
        "commit": commit,
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


# -- datasets ---------------------------------------------------------------------------------


def ensure_dataset(db: str, scale: str, rebuild: bool, log) -> dict:
    """Create, migrate and fill the dataset unless it is there already; return its info."""
    url = database_url(db, scale)
    VAR.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        name = f"anju_bench_{scale}"
        exists = f"select 1 from pg_database where datname = '{name}'"  # noqa: S608 - constant
        if not psql(exists):
            psql(f"create database {name}")
    env = django_env(url, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    meta_file = VAR / f"{db}-{scale}.json"
    info = run_json(["-m", "bench.analyse", "info"], django_env(url))
    built = None
    if rebuild or info["counts"]["estates"] != EXPECTED_ESTATES[scale]:
        log(f"building the {scale} dataset on {db} (demo_data --scale {scale}) ...")
        started = time.monotonic()
        subprocess.run(
            [PYTHON, "manage.py", "demo_data", "--scale", scale, "--seed", str(SEED), "--flush"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=sys.stderr,
        )
        built = round(time.monotonic() - started, 1)
        if db == "postgres":
            started = time.monotonic()
            psql("VACUUM ANALYZE", f"anju_bench_{scale}")
            log(f"VACUUM ANALYZE: {time.monotonic() - started:.1f} s")
        meta_file.write_text(json.dumps({"build_seconds": built, "built_at": _now()}))
        info = run_json(["-m", "bench.analyse", "info"], django_env(url))
    elif db == "postgres":
        psql("ANALYZE", f"anju_bench_{scale}")
    if meta_file.exists():
        info["build"] = json.loads(meta_file.read_text())
    info["url"] = url
    return info


# -- HTTP -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(url: str):
    """Serve the project with gunicorn (or runserver when gunicorn is missing)."""
    port = free_port()
    gunicorn = Path(PYTHON).with_name("gunicorn")
    if gunicorn.exists():
        command = [
            str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--worker-class", "gthread", "--threads", "2",
            "--keep-alive", "120", "--log-level", "warning",
        ]  # fmt: skip
        kind = "gunicorn (1 worker, gthread)"
    else:
        command = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        kind = "runserver --noreload"
    process = subprocess.Popen(command, cwd=ROOT, env=django_env(url), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-3000:]) from None
                time.sleep(0.2)
        yield port, kind
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Session:
    """One logged-in user on one keep-alive connection."""

    def __init__(self, port: int, username: str):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.login(username)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                if attempt:
                    raise
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, elapsed, content

    def login(self, username: str) -> None:
        _status, _ms, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        body = urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode(),
            }
        )
        status, _ms, _content = self.request(
            "POST",
            "/accounts/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed ({status})")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(session: Session, path: str, n: int, warmup: int, budget: float) -> dict:
    for _ in range(warmup):
        session.request("GET", path)
    times: list[float] = []
    sizes = set()
    statuses = set()
    started = time.monotonic()
    while len(times) < n:
        status, ms, content = session.request("GET", path)
        times.append(ms)
        statuses.add(status)
        sizes.add(len(content))
        if time.monotonic() - started > budget and len(times) >= 20:
            break
    return {
        "n": len(times),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "mean": sum(times) / len(times),
        "status": sorted(statuses),
        "bytes": max(sizes),
    }


# -- the page benchmark -----------------------------------------------------------------------


def bench_pages(db: str, scale: str, info: dict, args, log) -> dict:
    url = info["url"]
    series = info["series"]
    result: dict = {"floors": {}, "series": [], "queries": {}}
    with server(url) as (port, kind):
        result["server"] = kind
        for username, items in series.items():
            session = Session(port, username)
            for floor in ("/bench/trivial/", "/bench/page/"):
                stats = measure(session, floor, args.requests, args.warmup, args.budget)
                result["floors"][f"{username}|{floor}"] = stats
                log(f"{db}/{scale} {username} floor {floor}: p50 {stats['p50']:.1f} ms")
            for name, path in items:
                stats = measure(session, path, args.requests, args.warmup, args.budget)
                stats.update(username=username, name=name, path=path)
                result["series"].append(stats)
                log(
                    f"{db}/{scale} {username} {name}: p50 {stats['p50']:.1f} ms, "
                    f"p95 {stats['p95']:.1f} ms (n={stats['n']})"
                )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(series, handle)
    try:
        result["queries"] = run_json(
            ["-m", "bench.analyse", "queries", handle.name], django_env(url)
        )
    finally:
        os.unlink(handle.name)
    return result


# -- the import benchmark ---------------------------------------------------------------------


def bench_imports(db: str, rows: int, log) -> dict:
    """Import `rows` unit rows and `rows` owner rows into a fresh database with tiny demo data."""
    if db == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="anju-import-"))
        url = f"sqlite:///{directory / 'import.sqlite3'}"
    else:
        directory = None
        name = "anju_bench_import"
        psql(f"drop database if exists {name}")
        psql(f"create database {name}")
        url = f"{PG_BASE}/{name}"
    try:
        env = django_env(url, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true")
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [PYTHON, "manage.py", "demo_data", "--scale", "tiny", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        files = Path(tempfile.mkdtemp(prefix="anju-import-files-"))
        try:
            generated = run_json(
                ["-m", "bench.imports", "generate", str(files), str(rows)], django_env(url)
            )
            log(f"{db}: generated {generated['units']:,} unit and owner rows in "
                f"{generated['seconds']} s; importing ...")  # fmt: skip
            result = {}
            for kind in ("units", "owners"):
                result[kind] = run_json(
                    ["-m", "bench.imports", "import", kind, str(files / f"{kind}.xlsx")],
                    django_env(url),
                    timeout=7200,
                )
                r = result[kind]
                log(
                    f"{db}: {kind}: {r['rows']:,} rows in {r['seconds']} s "
                    f"({r['rows_per_s']:,.0f} rows/s), peak RSS {r['peak_rss_mib']} MiB, "
                    f"ok={r['ok']} {r['errors'][:1]}"
                )
            return result
        finally:
            shutil.rmtree(files, ignore_errors=True)
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            with contextlib.suppress(Exception):
                psql("drop database if exists anju_bench_import")


# -- report -----------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def verdict(stats: dict, floor: dict, city: bool) -> str:
    ratio = stats["p95"] / floor["p95"]
    marks = []
    if city:
        marks.append("✅" if stats["p95"] <= TARGET_P95_MS else "❌ p95")
    marks.append("✅" if ratio <= TARGET_FLOOR_RATIO else "❌ ratio")
    return " ".join(marks)


def report(machine_info: dict, runs: list[dict], imports: dict, args) -> str:
    lines = [f"# Anju benchmark results ({_now()})", ""]
    lines += ["| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine_info.items()]
    lines += [
        "",
        f"Settings: {args.requests} measured requests per series after {args.warmup} warm-up "
        f"requests (a series stops early after {args.budget:.0f} s), one keep-alive connection, "
        "DEBUG off. Times in ms, client-side (request sent → body read). "
        f"Targets: p95 ≤ {TARGET_P95_MS:.0f} ms at city scale on PostgreSQL, and p95 within "
        f"{TARGET_FLOOR_RATIO:.0f}× the trivial view's p95.",
        "",
    ]
    for run in runs:
        info, pages = run["info"], run["pages"]
        counts = ", ".join(f"{k} {v:,}" for k, v in info["counts"].items())
        build = info.get("build", {}).get("build_seconds")
        lines += [f"## {run['scale']} scale on {run['db']}", "", f"Dataset: {counts}."]
        if build:
            lines.append(f"Built by `demo_data --scale {run['scale']}` in {build} s.")
        lines += [f"Server: {pages['server']}.", ""]
        lines += [
            "| persona | series | n | p50 | p95 | mean | p50 ÷ floor | p95 ÷ floor | queries "
            "| SQL ms | target |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for username in info["series"]:
            for floor_path in ("/bench/trivial/", "/bench/page/"):
                f = pages["floors"][f"{username}|{floor_path}"]
                lines.append(
                    f"| {username} | floor `{floor_path}` | {f['n']} | {f['p50']:.1f} "
                    f"| {f['p95']:.1f} | {f['mean']:.1f} | 1.0 | 1.0 | | | |"
                )
            floor = pages["floors"][f"{username}|/bench/trivial/"]
            for s in pages["series"]:
                if s["username"] != username:
                    continue
                q = pages["queries"].get(f"{username}|{s['name']}", {})
                city = run["scale"] == "city" and run["db"] == "postgres"
                lines.append(
                    f"| {username} | {s['name']} | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} "
                    f"| {s['mean']:.1f} | {s['p50'] / floor['p50']:.1f} "
                    f"| {s['p95'] / floor['p95']:.1f} | {q.get('queries', '')} "
                    f"| {q.get('sql_ms', '')} | {verdict(s, floor, city)} |"
                )
        slow = [
            (key, q)
            for key, q in pages["queries"].items()
            if q["slowest"] and q["slowest"][0]["ms"] >= 20
        ]
        if slow:
            lines += ["", "Slowest queries (a warmed request through the test client):", ""]
            for key, q in slow:
                top = q["slowest"][0]
                lines.append(f"- `{key}`: {top['ms']} ms — `{_short(top['sql'])}`")
                for plan in q.get("plans", []):
                    lines += ["", "  ```", *("  " + x for x in plan["plan"].splitlines()), "  ```"]
        lines.append("")
    if imports:
        lines += [f"## Ledger import ({args.import_rows:,} rows)", ""]
        lines += [
            "Each import runs in its own process (`python -m bench.imports`); RSS before is "
            "the process after Django start-up, peak is `getrusage` ru_maxrss.",
            "",
            "| database | ledger | rows | seconds | rows/s | RSS before MiB | peak RSS MiB | ok |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for db, result in imports.items():
            if "error" in result:
                lines.append(f"| {db} | – | | | | | | {result['error']} |")
                continue
            for kind, r in result.items():
                lines.append(
                    f"| {db} | {kind} | {r['rows']:,} | {r['seconds']:.1f} "
                    f"| {r['rows_per_s']:,.0f} | {r['baseline_rss_mib']:.0f} "
                    f"| {r['peak_rss_mib']:.0f} | {r['ok']} |"
                )
        lines.append("")
    return "\n".join(lines)


def _short(sql: str, limit: int = 300) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= limit else sql[:limit] + " …"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=["district", "city"], default="district")
    parser.add_argument(
        "--city", action="store_true", help="also run city scale on PostgreSQL (slow to build)"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--budget", type=float, default=120, help="seconds per series at most")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the datasets")
    args = parser.parse_args()

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    targets = [(db, args.scale) for db in dbs if not (args.scale == "city" and db == "sqlite")]
    if args.city and args.scale != "city" and "postgres" in dbs:
        targets.append(("postgres", "city"))

    machine_info = machine()
    runs = []
    if not args.skip_pages:
        for db, scale in targets:
            info = ensure_dataset(db, scale, args.rebuild, log)
            pages = bench_pages(db, scale, info, args, log)
            runs.append({"db": db, "scale": scale, "info": info, "pages": pages})
    imports = {}
    if not args.skip_import:
        for db in dbs:
            try:
                imports[db] = bench_imports(db, args.import_rows, log)
            except Exception as error:  # report it and carry on with the rest
                log(f"import benchmark on {db} failed: {error}")
                imports[db] = {"error": _short(str(error), 200)}
    machine_info["load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    text = report(machine_info, runs, imports, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(text, encoding="utf-8")
    (RESULTS / "latest.json").write_text(
        json.dumps({"machine": machine_info, "runs": runs, "imports": imports}, default=str),
        encoding="utf-8",
    )
    print(text)


if __name__ == "__main__":
    main()
