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
  with a session cookie, requests/s and p50/p99 for pages 1, 3 and 5.
Prints one table, or JSON with --json.
"""

import argparse
import io
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


# --- helpers -------------------------------------------------------------------------------
def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_requests(send, *, warmup=WARMUP, requests=REQUESTS):
    """Median and p95 in ms of `send()` (which must return a response with status < 400)."""
    for _ in range(warmup):
        check(send())
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = send()
        timings.append((time.perf_counter() - started) * 1000)
        check(response)
    return statistics.median(timings), percentile(timings, 0.95)


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
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


# --- the data ------------------------------------------------------------------------------
def ensure_workload():
    from bench import public_pages, workload
    from cases.models import Edition

    built = {}
    if not Edition.objects.filter(programme__slug=workload.BENCH_PROGRAMME_SLUG).exists():
        built["workload_seconds"] = workload.build(stdout=sys.stderr)["seconds"]
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
            "admin:judging_roundentry_ranking", args=[ctx["round"].pk]
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


def measure_pages(ctx):
    from django.test import Client
    from django.urls import reverse

    from judging.models import Assignment, Review

    organiser = logged_in_client(ctx["organiser"])
    judge = logged_in_client(ctx["judge"].user)
    clients = {"1": organiser, "2": organiser, "3": judge, "5": Client()}
    rows = []
    for name, url in page_urls(ctx).items():
        client = clients[name[0]]

        def send(client=client, url=url):
            return client.get(url)

        median, p95 = time_requests(send)
        rows.append(
            {"what": name, "median_ms": median, "p95_ms": p95, "queries": count_queries(send)}
        )

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
        check(judge.get(url))
        version = Review.objects.filter(assignment=assignment).values_list("version", flat=True)
        data = {f"criterion_{c.pk}": "7" for c in criteria}
        data.update({"comment": "评语" * 50, "version": version[0] if version else 0})
        data["action"] = "submit"
        return judge.post(url, data)

    median, p95 = time_requests(open_and_submit)
    queries = count_queries(open_and_submit)
    rows.insert(
        3,
        {
            "what": "4 judge: open a case and submit a score (GET + POST)",
            "median_ms": median,
            "p95_ms": p95,
            "queries": queries,
        },
    )
    return rows


# --- operations ----------------------------------------------------------------------------
def measure_operations(ctx):
    rows = []
    rows += measure_tabulation(ctx)
    rows.append(measure_assignment(ctx))
    rows.append(measure_export(ctx))
    rows.append(measure_import(ctx))
    return rows


def measure_tabulation(ctx):
    from judging.models import Aggregation
    from judging.services.tabulation import tabulate_round

    round_ = ctx["round"]
    rows = []
    for aggregation in Aggregation:
        round_.aggregation = aggregation
        round_.save(update_fields=["aggregation"])
        seconds = time_call(lambda: tabulate_round(round=round_, by=ctx["organiser"]), repeat=3)
        rows.append({"what": f"tabulate the round ({aggregation.value})", "seconds": seconds})
    round_.aggregation = Aggregation.MEAN
    round_.save(update_fields=["aggregation"])
    return rows


def measure_assignment(ctx):
    """Re-assign the round from scratch (inside a transaction that is rolled back)."""
    from django.db import transaction

    from judging.models import Assignment
    from judging.services.assignment import assign_round

    class Rollback(Exception):
        pass

    seconds = None
    try:
        with transaction.atomic():
            Assignment.objects.filter(round=ctx["round"]).delete()
            started = time.perf_counter()
            assign_round(round=ctx["round"], by=ctx["organiser"])
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return {"what": "assign the round (2,000 cases × 5 of 50 judges)", "seconds": seconds}


def measure_export(ctx):
    from judging.exports import scores_xlsx

    def export():
        buffer = io.BytesIO()
        buffer.write(scores_xlsx(round=ctx["round"]))

    return {"what": "export every score to xlsx", "seconds": time_call(export)}


def measure_import(ctx):
    """Import the bench cases into a fresh edition from an xlsx file, then roll back."""
    import tablib
    from django.db import transaction

    from cases.models import Case, Category, Edition
    from cases.resources import CaseResource

    source = ctx["edition"]

    class Rollback(Exception):
        pass

    seconds, imported = None, 0
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
            started = time.perf_counter()
            result = CaseResource().import_data(
                tablib.Dataset().load(xlsx, format="xlsx"), dry_run=False, raise_errors=True
            )
            seconds = time.perf_counter() - started
            imported = result.totals.get("new", 0)
            raise Rollback
    except Rollback:
        pass
    return {"what": f"import {imported:,} cases from xlsx", "seconds": seconds}


# --- HTTP ----------------------------------------------------------------------------------
def session_cookie(user):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        raise SystemExit("the HTTP measurement creates database sessions; unset CACHE_URL")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def measure_http(ctx, *, duration=20, port=8765):
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (or run with --no-http)")
    urls = page_urls(ctx)
    cookies = {
        "1": session_cookie(ctx["organiser"]),
        "3": session_cookie(ctx["judge"].user),
        "5": None,
    }
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1"}
    env.update({"SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "LOG_LEVEL": "WARNING"})
    env["CSRF_COOKIE_SECURE"] = "0"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        wait_for_port(port)
        for name, url in urls.items():
            key = name[0]
            if key not in cookies:
                continue
            command = ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency"]
            if cookies[key]:
                command += ["-H", f"Cookie: sessionid={cookies[key]}"]
            output = subprocess.run(
                [*command, f"http://127.0.0.1:{port}{url}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rows.append({"what": f"HTTP {name}", **parse_wrk(output)})
    finally:
        server.terminate()
        server.wait(timeout=20)
    return rows


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
    return {
        "requests_per_second": float(rps.group(1)) if rps else None,
        "p50_ms": latency_ms("50%"),
        "p99_ms": latency_ms("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


# --- report --------------------------------------------------------------------------------
def print_table(report):
    print(f"database: {report['database']}   machine: {report['machine']}")
    print(f"{'what':<58} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for row in report["pages"]:
        print(
            f"{row['what']:<58} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} {row['queries']:>8}"
        )
    print(f"{'operation':<58} {'seconds':>10}")
    for row in report["operations"]:
        seconds = "—" if row["seconds"] is None else f"{row['seconds']:.2f}"
        print(f"{row['what']:<58} {seconds:>10}")
    if report.get("http"):
        print(f"{'over HTTP (gunicorn ×2, wrk -t2 -c8)':<58} {'req/s':>10} {'p50':>8} {'p99':>8}")
        for row in report["http"]:
            print(
                f"{row['what']:<58} {row['requests_per_second'] or 0:>10.0f} "
                f"{row['p50_ms'] or 0:>8.1f} {row['p99_ms'] or 0:>8.1f}"
                + (f"  ({row['non_2xx']} non-2xx)" if row["non_2xx"] else "")
            )


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn + wrk part")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--only", choices=["pages", "operations", "http"], action="append")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    report = {"database": connection.vendor, "machine": machine(), **ensure_workload()}
    ctx = context()
    parts = set(args.only or ["pages", "operations", "http"])
    report["pages"] = measure_pages(ctx) if "pages" in parts else []
    report["operations"] = measure_operations(ctx) if "operations" in parts else []
    if "http" in parts and not args.no_http:
        report["http"] = measure_http(ctx, duration=args.duration)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
