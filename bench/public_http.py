"""The cached public results page against the do-nothing view, over HTTP (issue 12).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mine .venv/bin/python bench/public_http.py
    DATABASE_URL=sqlite:////tmp/mine.sqlite3 CACHE_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/public_http.py --rounds 3 --port 8871

The same serving as `bench/measure.py`'s HTTP part (production-like settings, gunicorn with 2
sync workers and `bench.noop_settings`, `wrk -t2 -c8`, a fresh gunicorn per run), for only row
0 (the ceiling) and row 5 (the results of the published edition), run interleaved — noop,
public, noop, public, … — so that the other load of a shared machine falls on both alike.
Without the session cookies measure.py writes, it also runs with `CACHE_URL` set (production's
Redis). Per run: requests/s, p50/p99, and the CPU milliseconds per request of the gunicorn
workers and of the PostgreSQL backends serving this database (local server only).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import (
    PRODUCTION_LIKE,
    gunicorn,
    load_average,
    parse_wrk,
    warm_up,
)

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def database_backends():
    """PIDs of the PostgreSQL backends connected to this database (none on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def run(url, *, port, duration):
    with gunicorn(port) as server:
        for _ in range(6):
            warm_up(f"http://127.0.0.1:{port}{url}", {})
        workers = children(server.pid)
        backends = database_backends()
        app_before, db_before = cpu_seconds(workers), cpu_seconds(backends)
        output = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{duration}s", "--timeout", "10s", "--latency"]
            + [f"http://127.0.0.1:{port}{url}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        app_cpu = cpu_seconds(workers) - app_before
        db_cpu = cpu_seconds(backends) - db_before
    row = parse_wrk(output)
    requests = row["requests_per_second"] * duration
    row["app_cpu_ms"] = app_cpu * 1000 / requests
    row["db_cpu_ms"] = db_cpu * 1000 / requests if backends else None
    row["load"] = load_average()
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8871, help="port of the gunicorn under test")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of noop + public runs")
    args = parser.parse_args()

    os.environ.update(PRODUCTION_LIKE)
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    from bench import public_pages
    from cases.models import Edition

    published = Edition.objects.select_related("programme").get(
        programme__slug=public_pages.PROGRAMME_SLUG
    )
    public = reverse(
        "results:edition-results",
        kwargs={"programme_slug": published.programme.slug, "edition_slug": published.slug},
    )
    print(
        f"database: {connection.vendor}   cache: {settings.CACHES['default']['BACKEND']} "
        f"{settings.CACHES['default'].get('LOCATION', '')}   load before: {load_average()}"
    )
    print(
        f"{'run':<10} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'app CPU ms':>11} "
        f"{'DB CPU ms':>10} {'load':>5}"
    )
    results = {"noop": [], "public": []}
    for _ in range(args.rounds):
        for name, url in (("noop", "/bench/noop/"), ("public", public)):
            row = run(url, port=args.port, duration=args.duration)
            results[name].append(row)
            db = "-" if row["db_cpu_ms"] is None else f"{row['db_cpu_ms']:.3f}"
            print(
                f"{name:<10} {row['requests_per_second']:>8.0f} {row['p50_ms']:>7.2f} "
                f"{row['p99_ms']:>7.2f} {row['app_cpu_ms']:>11.3f} {db:>10} {row['load']:>5}",
                flush=True,
            )
    pairs = zip(results["noop"], results["public"], strict=True)
    ratios = [p["requests_per_second"] / n["requests_per_second"] for n, p in pairs]
    print("public / noop per round: " + ", ".join(f"{ratio:.0%}" for ratio in ratios))


if __name__ == "__main__":
    main()
