"""Measure the large-edition workload (issue 6): pages in process, operations, and HTTP.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/measure.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/measure.py --json

Builds the workload of `bench/workload.py` (and the published edition of
`bench/public_pages.py`) if the database does not have them, then:
- pages, in process with Django's test client, logged in, after 3 warm-up requests: median and
  p95 of 30 requests and the SQL query count of one request;
- operations: tabulation of the round (every aggregation), assignment of the round, export
  of all scores to xlsx, import of 2,000 cases from xlsx;
- over HTTP (unless --no-http): gunicorn with 2 workers on 127.0.0.1 and `wrk -t2 -c8 -d20s`
  with a session cookie, requests/s and p50/p99 for pages 1, 2, 3 and 5.
Prints one table, or JSON with --json.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

WARMUP, REQUESTS = 3, 30

# Measured as served in production (DEBUG off: no query log, compressed manifest static
# files), over plain HTTP on 127.0.0.1. Set before Django is set up, and inherited by the
# gunicorn workers, so both parts run the same settings.
PRODUCTION_LIKE = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "LOG_LEVEL": "WARNING",
    # The clients log in with `force_login`, without the second factor production asks of
    # staff and judges: the pages are measured behind the same middleware, but not enforced.
    "MFA_REQUIRED": "0",
}


# --- helpers -------------------------------------------------------------------------------
def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_requests(send, *, warmup=WARMUP, requests=REQUESTS):
    """Median and p95 wall-clock ms of `send()` (which must return a response with status
    < 400), the median CPU ms of this process (on a busy machine the wall clock includes
    waiting for a core) and, on a local PostgreSQL, the server's CPU ms per request (mean)."""
    for _ in range(warmup):
        check(send())
    timings, cpu = [], []
    db_started = database_cpu()
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = send()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        check(response)
    db_ended = database_cpu()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "cpu_ms": statistics.median(cpu),
        "db_cpu_ms": None if db_started is None else (db_ended - db_started) * 1000 / requests,
    }


def database_cpu():
    """CPU seconds the database server has spent on this process's connection: PostgreSQL on
    this machine only (its backend process's /proc entry, 10 ms ticks), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check(response):
    if response.status_code >= 400:
        raise SystemExit(f"request failed: {response.status_code} {response.request['PATH_INFO']}")
    return response


def count_queries(send):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        check(send())
    return len(captured.captured_queries)


def time_call(function, repeat=1):
    """The best of `repeat` calls: wall-clock seconds, CPU seconds of this process and, on a
    local PostgreSQL, of the server (see `database_cpu`)."""
    best = None
    for _ in range(repeat):
        db_started = database_cpu()
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        measured = {
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_started,
        }
        db_ended = database_cpu()
        measured["db_cpu_seconds"] = None if db_started is None else db_ended - db_started
        if best is None or measured["seconds"] < best["seconds"]:
            best = measured
    return best


# --- the data ------------------------------------------------------------------------------
def judges_for(cases):
    """Judges scaled to about 200 assignments each at 5 per case (2,000 cases: 50)."""
    return max(5, round(cases / 40))


def ensure_workload(cases=2000):
    from bench import public_pages, workload
    from cases.models import Case, Edition

    built = {"cases": cases}
    edition = Edition.objects.filter(programme__slug=workload.BENCH_PROGRAMME_SLUG).first()
    if edition is None:
        built["workload_seconds"] = workload.build(
            cases=cases, judges=judges_for(cases), stdout=sys.stderr
        )["seconds"]
    elif (found := Case.objects.filter(edition=edition).count()) != cases:
        raise SystemExit(
            f"this database holds a {found}-case workload, not {cases}: "
            "use one database per size (bench/scale.py does)"
        )
    public_pages.build()
    return built


def context():
    from bench import public_pages, workload
    from cases.models import Edition, User
    from judging.models import Judge, Round

    edition = Edition.objects.get(programme__slug=workload.BENCH_PROGRAMME_SLUG)
    round_ = Round.objects.get(edition=edition, order=1)
    published = Edition.objects.get(programme__slug=public_pages.PROGRAMME_SLUG)
    return {
        "edition": edition,
        "round": round_,
        "category": edition.categories.order_by("order").first(),
        "organiser": User.objects.get(email=workload.ORGANISER_EMAIL),
        "judge": Judge.objects.select_related("user").get(user__email="bench-judge00@example.org"),
        "published": published,
    }


def logged_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- pages ---------------------------------------------------------------------------------
def page_urls(ctx):
    from django.urls import reverse
    from django.utils.http import urlencode

    return {
        "1 organiser: ranking of the round": reverse(
            "admin:judging_round_ranking", args=[ctx["round"].pk]
        ),
        "2 organiser: case list, page 1, one category": reverse("admin:cases_case_changelist")
        + "?"
        + urlencode({"category__name": ctx["category"].name}),
        "3 judge: own queue with progress": reverse(
            "judging:round-detail", kwargs={"round_pk": ctx["round"].pk}
        ),
        "5 public: results of a published edition": reverse(
            "results:edition-results",
            kwargs={
                "programme_slug": ctx["published"].programme.slug,
                "edition_slug": ctx["published"].slug,
            },
        ),
    }


def profile_pages(ctx, directory):
    """One request of each page under pyinstrument (a dev dependency), as HTML in
    `directory`: where the time of a page goes, to find what to make faster."""
    from django.test import Client
    from pyinstrument import Profiler

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    organiser = logged_in_client(ctx["organiser"])
    clients = {"1": organiser, "2": organiser, "3": logged_in_client(ctx["judge"].user)}
    clients["5"] = Client()
    for name, url in page_urls(ctx).items():
        client = clients[name[0]]
        for _ in range(WARMUP):
            check(client.get(url))
        profiler = Profiler(interval=0.0005)
        with profiler:
            check(client.get(url))
        path = directory / f"page-{name[0]}.html"
        path.write_text(profiler.output_html())
        print(f"{name}: {path}", file=sys.stderr)


def measure_pages(ctx):
    from django.test import Client
    from django.urls import reverse

    from judging.models import Assignment

    organiser = logged_in_client(ctx["organiser"])
    judge = logged_in_client(ctx["judge"].user)
    clients = {"1": organiser, "2": organiser, "3": judge, "5": Client()}
    rows = []
    for name, url in page_urls(ctx).items():
        client = clients[name[0]]

        def send(client=client, url=url):
            return client.get(url)

        measured = measure_ranking(ctx, send) if name[0] == "1" else time_requests(send)
        rows.append({"what": name, **measured, "queries": count_queries(send)})

    # 4: the judge opens one of their cases and submits a score (GET + POST).
    assignments = list(
        Assignment.objects.filter(round=ctx["round"], judge=ctx["judge"])
        .select_related("case")
        .order_by("pk")[: WARMUP + REQUESTS + 1]
    )
    criteria = list(ctx["round"].criteria.all())
    position = iter(range(len(assignments)))

    def open_and_submit():
        assignment = assignments[next(position)]
        url = reverse(
            "judging:case-detail",
            kwargs={"round_pk": ctx["round"].pk, "case_pk": assignment.case_id},
        )
        page = check(judge.get(url))
        if page.status_code != 200:
            raise SystemExit(f"the case page answered {page.status_code}")
        # The version the form was edited from, read from the page as a browser sends it.
        version = VERSION_INPUT.search(page.content.decode()).group(1)
        data = {f"criterion_{c.pk}": "7" for c in criteria}
        data.update({"comment": "评语" * 50, "version": version})
        data["action"] = "submit"
        response = judge.post(url, data)
        if response.status_code != 302:  # saved: redirect to the case page
            raise SystemExit(f"the score was not saved: {response.status_code}")
        return response

    measured = time_requests(open_and_submit)
    queries = count_queries(open_and_submit)
    rows.insert(
        3,
        {
            "what": "4 judge: open a case and submit a score (GET + POST)",
            **measured,
            "queries": queries,
        },
    )
    return rows


VERSION_INPUT = re.compile(r'<input type="hidden" name="version" value="(\d+)"')


def measure_ranking(ctx, send):
    """Page 1 as the organiser sees it on the busy evening: the figures are recomputed only
    when the round's data changed since the last request (`judging.selectors.ranking`), so
    the median is of requests with unchanged data, and `changed_ms` is the request right
    after a judge saved a score (the data version moved on)."""
    from judging.services.reviews import review_save

    measured = time_requests(send)
    assignment = (
        ctx["round"]
        .assignments.filter(judge=ctx["judge"], review__isnull=False)
        .select_related("review", "round", "judge")
        .order_by("-pk")
        .first()
    )
    changed = []
    for saved in range(3):
        review = assignment.review
        review.refresh_from_db()
        # Every save moves the score (6, 7, 6): a save of the same score moves nothing.
        review_save(
            assignment=assignment,
            values={c.pk: "67"[saved % 2] for c in ctx["round"].criteria.all()},
            comment=review.comment,
            submit=True,
            expected_version=review.version,
            by=ctx["judge"].user,
        )
        started = time.perf_counter()
        check(send())
        changed.append((time.perf_counter() - started) * 1000)
    return {**measured, "changed_ms": statistics.median(changed)}


# --- operations ----------------------------------------------------------------------------
def measure_operations(ctx):
    rows = []
    rows += measure_tabulation(ctx)
    rows.append(measure_assignment(ctx))
    rows.append(measure_export(ctx))
    rows.append(measure_import(ctx))
    vacuum_after_rollbacks()
    return rows


def vacuum_after_rollbacks():
    """Each operation ran in a transaction rolled back: on PostgreSQL its 80,000 rows are
    dead tuples until autovacuum comes, and the pages measured after (over HTTP) read
    around them, their index-only scans back on the table (the case list's count and rows
    took 10 and 14 ms instead of 1 and 4 at 8,000 cases). Vacuumed now, the database is
    as it was before the operations."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def measure_tabulation(ctx):
    from judging.models import Aggregation, RoundEntry
    from judging.services.tabulation import tabulate_round

    round_ = ctx["round"]
    rows = []
    for aggregation in Aggregation:
        round_.aggregation = aggregation
        round_.save(update_fields=["aggregation"])

        def run():
            # Every entry written, as on the first tabulation (the worst case).
            RoundEntry.objects.filter(round=round_).update(score=None, rank=None)
            return time_call(lambda: tabulate_round(round=round_, by=ctx["organiser"]))

        rows.append(
            {
                "what": f"tabulate the round ({aggregation.value})",
                **min((run() for _ in range(3)), key=lambda measured: measured["seconds"]),
            }
        )
    round_.aggregation = Aggregation.MEAN
    round_.save(update_fields=["aggregation"])
    return rows


def measure_assignment(ctx):
    """Re-assign the round from scratch (inside a transaction that is rolled back)."""
    from django.db import transaction

    from judging.models import Assignment
    from judging.services.assignment import round_auto_assign

    class Rollback(Exception):
        pass

    reports = []
    try:
        with transaction.atomic():
            Assignment.objects.filter(round=ctx["round"]).delete()
            measured = time_call(
                lambda: reports.append(round_auto_assign(round=ctx["round"], by=ctx["organiser"]))
            )
            raise Rollback
    except Rollback:
        pass
    (report,) = reports
    return {
        "what": f"assign the round ({report.cases:,} cases, {report.created:,} assignments)",
        **measured,
    }


def measure_export(ctx):
    from judging.exports import round_xlsx

    def export():
        round_xlsx(ctx["round"])

    return {"what": "export every score to xlsx", **time_call(export)}


def measure_import(ctx):
    """Import the bench cases into a fresh edition from an xlsx file, then roll back."""
    import tablib
    from django.db import transaction

    from cases.models import Case, Category, Edition
    from cases.resources import CaseResource

    source = ctx["edition"]

    class Rollback(Exception):
        pass

    measured, results = {}, []
    try:
        with transaction.atomic():
            target = Edition.objects.create(
                programme=source.programme, title="导入测试届", year=2027, slug="import-bench"
            )
            for category in source.categories.all():
                Category.objects.create(
                    edition=target, name=category.name, code=category.code, order=category.order
                )
            exported = CaseResource().export(
                queryset=Case.objects.filter(edition=source).order_by("pk")
            )
            dataset = tablib.Dataset(headers=exported.headers)
            edition_column = exported.headers.index("届")
            reference_column = exported.headers.index("案例编号")
            for row in exported:
                row = list(row)
                row[edition_column] = target.title
                row[reference_column] = ""
                dataset.append(row)
            xlsx = dataset.export("xlsx")
            measured = time_call(
                lambda: results.append(
                    CaseResource().import_data(
                        tablib.Dataset().load(xlsx, format="xlsx"),
                        dry_run=False,
                        raise_errors=True,
                    )
                )
            )
            raise Rollback
    except Rollback:
        pass
    (result,) = results
    return {"what": f"import {result.totals.get('new', 0):,} cases from xlsx", **measured}


# --- HTTP ----------------------------------------------------------------------------------
def session_cookie(user):
    """A database session logged in as `user`, made as the in-process pages make theirs
    (`force_login`, with the backend the settings name), for wrk to send as its cookie."""
    from django.conf import settings

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        raise SystemExit("the HTTP measurement creates database sessions; unset CACHE_URL")
    return logged_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value


def measure_http(ctx, *, duration=20, port=8765):
    """Each page against a freshly started gunicorn (2 sync workers), so that a slow page's
    backlog never spills into the next measurement; a few requests first warm each worker
    (imports, and with the default local-memory cache, each worker's own page cache)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (or run with --no-http)")
    urls = page_urls(ctx)
    organiser = session_cookie(ctx["organiser"])
    cookies = {
        "1": organiser,
        "2": organiser,
        "3": session_cookie(ctx["judge"].user),
        "5": None,
    }
    rows = []
    urls = {**urls, "0 do-nothing Django view (the ceiling)": "/bench/noop/"}
    cookies["0"] = None
    for name, url in sorted(urls.items()):
        key = name[0]
        if key not in cookies:
            continue
        headers = {"Cookie": f"sessionid={cookies[key]}"} if cookies[key] else {}
        with gunicorn(port):
            for _ in range(6):
                warm_up(f"http://127.0.0.1:{port}{url}", headers)
            command = ["wrk", "-t2", "-c8", f"-d{duration}s", "--timeout", "10s", "--latency"]
            for header, value in headers.items():
                command += ["-H", f"{header}: {value}"]
            output = subprocess.run(
                [*command, f"http://127.0.0.1:{port}{url}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        rows.append({"what": f"HTTP {name}", **parse_wrk(output)})
    return rows


@contextlib.contextmanager
def gunicorn(port):
    # The same settings as this process (PRODUCTION_LIKE): the session rows written by
    # session_cookie() are signed with its SECRET_KEY.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--env",
            "DJANGO_SETTINGS_MODULE=bench.noop_settings",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=dict(os.environ),
    )
    try:
        wait_for_port(port)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=60)


def warm_up(url, headers):
    """One GET that must answer 200 itself (a redirect to the login page would not do)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status}")


def wait_for_port(port, timeout=30):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def parse_wrk(output):
    def latency_ms(label):
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    return {
        "requests_per_second": float(rps.group(1)) if rps else None,
        "p50_ms": latency_ms("50%"),
        "p99_ms": latency_ms("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


# --- report --------------------------------------------------------------------------------
def print_table(report):
    print(f"database: {report['database']}   machine: {report['machine']}")
    print(f"load average before / after: {report['load_before']} / {report.get('load_after')}")
    print(
        f"{'page (in process)':<58} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} "
        f"{'DB CPU ms':>10} {'queries':>8}"
    )
    for row in report["pages"]:
        print(
            f"{row['what']:<58} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
            f"{row['cpu_ms']:>8.1f} {number(row.get('db_cpu_ms'), 1):>10} {row['queries']:>8}"
        )
        if "changed_ms" in row:
            print(f"{'  … right after a judge saved a score':<58} {row['changed_ms']:>10.1f}")
    print(f"{'operation':<58} {'seconds':>10} {'CPU s':>8} {'DB CPU s':>10}")
    for row in report["operations"]:
        print(
            f"{row['what']:<58} {number(row['seconds'], 2):>10} "
            f"{number(row.get('cpu_seconds'), 2):>8} {number(row.get('db_cpu_seconds'), 2):>10}"
        )
    if report.get("http"):
        print(f"{'over HTTP (gunicorn ×2, wrk -t2 -c8)':<58} {'req/s':>10} {'p50':>8} {'p99':>8}")
        for row in report["http"]:
            print(
                f"{row['what']:<58} {row['requests_per_second'] or 0:>10.0f} "
                f"{row['p50_ms'] or 0:>8.1f} {row['p99_ms'] or 0:>8.1f}"
                + (f"  ({row['non_2xx']} non-2xx)" if row["non_2xx"] else "")
                + (f"  ({row['timeouts']} timed out)" if row.get("timeouts") else "")
            )


def number(value, places):
    return "—" if value is None else f"{value:.{places}f}"


def machine():
    cpu, memory = "?", "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, {memory}"


def load_average():
    """The 1-minute load average: above the number of cores, wall clocks include waiting."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn + wrk part")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--port", type=int, default=8765, help="port of the gunicorn under test")
    parser.add_argument(
        "--cases",
        type=int,
        default=int(os.environ.get("BENCH_CASES", "2000")),
        help="size of the workload (cases; judges scale to ~200 assignments each)",
    )
    parser.add_argument("--only", choices=["pages", "operations", "http"], action="append")
    parser.add_argument(
        "--profile", metavar="DIR", help="only write a pyinstrument profile of each page to DIR"
    )
    args = parser.parse_args()

    os.environ.update(PRODUCTION_LIKE)
    # Persistent database connections, as the README's production settings: without them
    # every request opens one (on SQLite that alone tripled a cached page's CPU time).
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    report = {
        "database": connection.vendor,
        "machine": machine(),
        **ensure_workload(args.cases),
    }
    report["load_before"] = load_average()
    ctx = context()
    if args.profile:
        profile_pages(ctx, args.profile)
        return
    parts = set(args.only or ["pages", "operations", "http"])
    report["pages"] = measure_pages(ctx) if "pages" in parts else []
    report["operations"] = measure_operations(ctx) if "operations" in parts else []
    if "http" in parts and not args.no_http:
        report["http"] = measure_http(ctx, duration=args.duration, port=args.port)
    report["load_after"] = load_average()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
