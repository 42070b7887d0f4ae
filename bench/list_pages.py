"""Pages 2 (organiser's case list) and 3 (judge's queue) of bench/measure.py alone, timed as
measure.py times them, or one request of each under pyinstrument as text (issue 12).

    DATABASE_URL=sqlite:////tmp/copy.sqlite3 .venv/bin/python bench/list_pages.py [--profile]

Runs on a database measure.py has already filled (it neither migrates nor builds).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from bench import measure  # noqa: E402

PAGES = ("2", "3")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile")
    parser.add_argument("--requests", type=int, default=measure.REQUESTS)
    args = parser.parse_args()
    os.environ.update(measure.PRODUCTION_LIKE)
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    ctx = measure.context()
    organiser = measure.logged_in_client(ctx["organiser"])
    clients = {"2": organiser, "3": measure.logged_in_client(ctx["judge"].user)}
    print(f"{connection.vendor}, load {measure.load_average()}")
    for name, url in measure.page_urls(ctx).items():
        if name[0] not in PAGES:
            continue
        client = clients[name[0]]

        def send(client=client, url=url):
            return client.get(url)

        if args.profile:
            from pyinstrument import Profiler

            for _ in range(measure.WARMUP):
                measure.check(send())
            profiler = Profiler(interval=0.0002)
            with profiler:
                measure.check(send())
            print(
                profiler.output_text(
                    unicode=True, color=False, show_all=os.environ.get("SHOW_ALL") == "1"
                )
            )
            continue
        timed = measure.time_requests(send, requests=args.requests)
        cpu = []
        for _ in range(args.requests):
            started = time.process_time()
            send()
            cpu.append((time.process_time() - started) * 1000)
        calls = [0]

        def count(frame, event, arg, calls=calls):
            if event in ("call", "c_call"):
                calls[0] += 1

        sys.setprofile(count)
        send()
        sys.setprofile(None)
        db = "" if timed["db_cpu_ms"] is None else f", db cpu {timed['db_cpu_ms']:.1f}"
        print(
            f"{name}: median {timed['median_ms']:.1f} ms, cpu {timed['cpu_ms']:.1f}"
            f" (min {min(cpu):.1f}){db},"
            f" {measure.count_queries(send)} queries, {calls[0]:,} calls"
        )


if __name__ == "__main__":
    main()
