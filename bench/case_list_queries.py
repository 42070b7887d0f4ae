"""The SQL of page 2 of bench/measure.py (the organiser's case list, one category), each
query with the best of a few runs of its own, and the rest of the request (issue 12).

    DATABASE_URL=sqlite:////tmp/copy.sqlite3 .venv/bin/python bench/case_list_queries.py

Runs on a database measure.py has already filled (it neither migrates nor builds).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from bench import measure  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each query")
    parser.add_argument("--sql", action="store_true", help="print each query's SQL")
    parser.add_argument("--requests", type=int, default=measure.REQUESTS)
    parser.add_argument("--no-queries", action="store_true", help="time the request only")
    args = parser.parse_args()
    os.environ.update(measure.PRODUCTION_LIKE)
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ctx = measure.context()
    client = measure.logged_in_client(ctx["organiser"])
    url = measure.page_urls(ctx)["2 organiser: case list, page 1, one category"]
    for _ in range(measure.WARMUP):
        measure.check(client.get(url))
    walls, cpu = [], []
    for _ in range(args.requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(url)
        walls.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        measure.check(client.get(url))
    print(
        f"{connection.vendor}, load {measure.load_average()}: median {statistics.median(walls):.1f}"
        f" ms (min {min(walls):.1f}), cpu {statistics.median(cpu):.1f} ms,"
        f" {len(captured)} queries"
    )
    if args.no_queries:
        return
    total = 0.0
    for query in captured.captured_queries:
        sql = query["sql"]
        best = None
        for _ in range(args.repeat):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                elapsed = (time.perf_counter() - started) * 1000
            best = elapsed if best is None else min(best, elapsed)
        total += best
        shown = sql if args.sql else sql[:150]
        print(f"{best:7.2f} ms  {shown}")
    print(f"{total:7.2f} ms  in all the queries (best runs)")


if __name__ == "__main__":
    main()
