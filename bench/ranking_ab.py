"""A/B of the organiser's ranking page: main's ranking code (`git show REF:…ranking.py`)
against the working tree's, interleaved request by request on the same database under the
same load, so the comparison holds on a busy machine.

    DATABASE_URL=sqlite:////tmp/perf-bench-8000.sqlite3 .venv/bin/python bench/ranking_ab.py \
        --cases 8000 --ref main

Prints, for each code path: the median wall and CPU ms and the queries of a request with the
figures cached, and of the first request after a judge saved a score; and the load average.
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402


def old_ranking_table(ref):
    """`ranking_table` of `ref`'s judging/selectors/ranking.py, loaded as a module of the
    same package (its relative imports resolve to today's models and tabulation)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:judging/selectors/ranking.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    spec = importlib.util.spec_from_loader("judging.selectors._ranking_ab_old", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "judging.selectors"
    sys.modules[spec.name] = module  # its cached Figures pickle by module name
    exec(compile(source, f"{ref}:ranking.py", "exec"), module.__dict__)  # noqa: S102
    module.FIGURES_FORMAT = f"ab-{ref}"  # a cache entry of its own, not shared with today's
    return module.ranking_table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--ref", default="main")
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()

    from bench import measure

    os.environ.update(measure.PRODUCTION_LIKE)
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from judging.admin import results
    from judging.services.reviews import review_save

    call_command("collectstatic", interactive=False, verbosity=0)
    measure.ensure_workload(args.cases)
    ctx = measure.context()
    client = measure.logged_in_client(ctx["organiser"])
    url = reverse("admin:judging_round_ranking", args=[ctx["round"].pk])
    paths = {"old": old_ranking_table(args.ref), "new": results.ranking_table}
    assignment = (
        ctx["round"]
        .assignments.filter(judge=ctx["judge"], review__isnull=False)
        .select_related("review", "round", "judge")
        .order_by("-pk")
        .first()
    )
    criteria = list(ctx["round"].criteria.all())

    def request(name):
        results.ranking_table = paths[name]
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        return (
            (time.perf_counter() - started) * 1000,
            (time.process_time() - cpu) * 1000,
            len(queries),
        )

    def save_score(step):
        review = assignment.review
        review.refresh_from_db()
        review_save(
            assignment=assignment,
            values={c.pk: str(4 + step % 5) for c in criteria},
            comment=review.comment,
            submit=True,
            expected_version=review.version,
            by=ctx["judge"].user,
        )

    found = {(name, kind): [] for name in paths for kind in ("cached", "changed")}
    load = [measure.load_average()]
    for name in paths:  # warm both paths (and the kept scores of the new one)
        request(name)
        request(name)
    step = 0
    for _ in range(args.requests):
        for name in paths:
            request(name)  # the other path's score change is this one's too
            found[(name, "cached")].append(request(name))
        for name in paths:
            step += 1
            save_score(step)
            found[(name, "changed")].append(request(name))
    load.append(measure.load_average())
    print(f"{connection.vendor}, {args.cases} cases, load average {load[0]} → {load[1]}")
    print(f"{'path':<5} {'request':<28} {'wall ms':>9} {'CPU ms':>8} {'queries':>8}")
    for (name, kind), values in found.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        queries = statistics.median(v[2] for v in values)
        what = "figures cached" if kind == "cached" else "after a score change"
        print(f"{name:<5} {what:<28} {wall:>9.1f} {cpu:>8.1f} {queries:>8.0f}")


if __name__ == "__main__":
    main()
