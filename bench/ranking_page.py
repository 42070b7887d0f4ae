"""The organiser's ranking page (issue 12): a request with the round's data unchanged, and
the first request after a judge saved a score, with the CPU of this process and of the
database server, and the queries of each. Every save moves the score (alternating values),
so the figures really change; `--aggregation` picks the round's aggregation (zscore moves
every case of the judge).

    DATABASE_URL=sqlite:////tmp/x-8000.sqlite3 .venv/bin/python bench/ranking_page.py \
        --cases 8000 [--category] [--aggregation zscore] [--profile DIR]
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--category", action="store_true", help="the page of one category")
    parser.add_argument("--aggregation", help="set the round's aggregation first")
    parser.add_argument("--profile", metavar="DIR", help="cProfile of one request after a save")
    args = parser.parse_args()

    from bench import measure

    os.environ.update(measure.PRODUCTION_LIKE)
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from judging.services.reviews import review_save

    call_command("migrate", verbosity=0)
    measure.ensure_workload(args.cases)
    ctx = measure.context()
    round_ = ctx["round"]
    if args.aggregation:
        round_.aggregation = args.aggregation
        round_.save(update_fields=["aggregation"])
    url = reverse("admin:judging_round_ranking", args=[round_.pk])
    if args.category:
        url += f"?category={ctx['category'].pk}"
    client = measure.logged_in_client(ctx["organiser"])

    def send():
        return measure.check(client.get(url))

    cached = measure.time_requests(send)
    cached["queries"] = measure.count_queries(send)
    assignment = (
        round_.assignments.filter(judge=ctx["judge"], review__isnull=False)
        .select_related("review", "round", "judge")
        .order_by("-pk")
        .first()
    )
    criteria = list(round_.criteria.all())
    wall, cpu, db_cpu, queries = [], [], [], []
    for n in range(args.saves):
        review = assignment.review
        review.refresh_from_db()
        review_save(
            assignment=assignment,
            values={c.pk: str(3 + n % 2 * 4) for c in criteria},
            comment=review.comment,
            submit=True,
            expected_version=review.version,
            by=ctx["judge"].user,
        )
        if args.profile and n == args.saves - 1:
            import cProfile
            import pstats

            # cProfile counts calls, not wall-clock samples: readable on a busy machine.
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(send)
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(Path(args.profile) / "ranking-changed.prof")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            break
        db_started = measure.database_cpu()
        started, cpu_started = time.perf_counter(), time.process_time()
        if n == 0:
            queries.append(measure.count_queries(send))
        else:
            send()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        if db_started is not None:
            db_cpu.append((measure.database_cpu() - db_started) * 1000)
    print(f"{django.db.connection.vendor} {args.cases} cases {round_.aggregation} url {url}")
    print(
        f"unchanged: median {cached['median_ms']:.1f} ms, p95 {cached['p95_ms']:.1f}, "
        f"CPU {cached['cpu_ms']:.1f}, DB CPU {cached['db_cpu_ms']}, queries {cached['queries']}"
    )
    if wall:
        print(
            f"after a save: median {statistics.median(wall):.1f} ms, "
            f"CPU {statistics.median(cpu):.1f}, "
            f"DB CPU {statistics.median(db_cpu) if db_cpu else None}, queries {queries}"
        )
    print(f"load average {measure.load_average()}")


if __name__ == "__main__":
    main()
