"""Time the tabulation of a large round (issue 6 target: under 0.5 s), for each aggregation.

    .venv/bin/python bench/tabulate.py                 # temporary SQLite file, removed after
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/tabulate.py

Builds, in a throw-away database (Django's test-database machinery: a temporary SQLite file,
or a `test_bench_tabulate` database next to the DATABASE_URL one on PostgreSQL): one edition,
4 categories, 2,000 cases, 50 judges, 5 assignments per case round-robin (200 per judge),
10,000 submitted reviews with 3 criteria (0–10 in half points, weights 0.4/0.3/0.3). Then for
each aggregation it runs `tabulate_round` on entries whose score and rank are empty (every
entry is written) and once more on the stored result (nothing to write), and prints the
seconds of each run, best of `--repeat`. Deterministic for a given `--seed`.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(*, cases, judges, per_case, seed):
    from django.db import transaction
    from django.utils import timezone

    from cases.models import (
        Case,
        CaseStatus,
        Category,
        Edition,
        EditionStatus,
        Programme,
        Unit,
        UnitType,
    )
    from judging.models import (
        Assignment,
        AssignmentStatus,
        Criterion,
        CriterionScore,
        Judge,
        Review,
        ReviewStatus,
        Round,
        RoundEntry,
    )
    from judging.tabulation import review_score, to_decimal

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        programme = Programme.objects.create(name="基准测试", slug="bench-tabulate")
        edition = Edition.objects.create(
            programme=programme,
            title="基准测试届",
            year=2026,
            slug="bench",
            status=EditionStatus.REVIEWING,
        )
        categories = [
            Category.objects.create(edition=edition, name=name, code=code, order=i)
            for i, (name, code) in enumerate(
                [("政府治理创新", "ZF"), ("舆情引导", "YQ"), ("公共服务", "DS"), ("党建", "DJ")]
            )
        ]
        unit = Unit.objects.create(name="基准测试单位", type=UnitType.PARTY_GOVERNMENT)
        case_rows = Case.objects.bulk_create(
            Case(
                edition=edition,
                category=categories[i % len(categories)],
                reference=f"2026-{categories[i % len(categories)].code}-{i + 1:04d}",
                title=f"案例{i + 1}",
                owner_unit=unit,
                submitting_unit=unit,
                status=CaseStatus.IN_REVIEW,
            )
            for i in range(cases)
        )
        judge_rows = Judge.objects.bulk_create(Judge(name=f"专家{j + 1}") for j in range(judges))
        round_ = Round.objects.create(edition=edition, name="初审", order=1)
        criteria = [
            Criterion.objects.create(
                round=round_, name=name, weight=Decimal(weight), max_points=10, order=i
            )
            for i, (name, weight) in enumerate(
                [("创新性", "0.4"), ("实效性", "0.3"), ("可推广性", "0.3")]
            )
        ]
        assignments = Assignment.objects.bulk_create(
            Assignment(
                round=round_,
                case=case,
                judge=judge_rows[(i * per_case + k) % judges],
                status=AssignmentStatus.SUBMITTED,
            )
            for i, case in enumerate(case_rows)
            for k in range(per_case)
        )
        values = [
            [Decimal(rng.randint(0, 20)) / 2 for _ in criteria] for _ in range(len(assignments))
        ]
        reviews = Review.objects.bulk_create(
            Review(
                assignment=assignment,
                comment="评语" * 50,
                status=ReviewStatus.SUBMITTED,
                score=to_decimal(
                    review_score(
                        (v, c.weight, c.max_points) for v, c in zip(vals, criteria, strict=True)
                    )
                ),
                submitted_at=now,
            )
            for assignment, vals in zip(assignments, values, strict=True)
        )
        CriterionScore.objects.bulk_create(
            (
                CriterionScore(review=review, criterion=c, value=v)
                for review, vals in zip(reviews, values, strict=True)
                for v, c in zip(vals, criteria, strict=True)
            ),
            batch_size=5000,
        )
        RoundEntry.objects.bulk_create(RoundEntry(round=round_, case=case) for case in case_rows)
    return round_


def timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def fmt(measure):
    return f"{measure[0]:.3f} s ({measure[1]:.3f} s)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--per-case", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-tabulate-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp.name}/unused.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ["TEST_DATABASE_NAME"] = (
        f"{tmp.name}/bench.sqlite3" if url.startswith("sqlite") else "test_bench_tabulate"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from judging.models import Aggregation, RoundEntry
    from judging.services.tabulation import tabulate_round

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        round_ = build(cases=args.cases, judges=args.judges, per_case=args.per_case, seed=args.seed)
        built = time.perf_counter() - started
        reviews = args.cases * args.per_case
        print(
            f"{connection.vendor}: {args.cases} cases, {args.judges} judges, {reviews} "
            f"submitted reviews × 3 criteria (built in {built:.1f} s)"
        )
        print(f"seconds, best of {args.repeat}: wall clock (CPU time of this process)")
        print(f"{'aggregation':<12}{'every entry written':>26}{'nothing to write':>26}")
        for aggregation in Aggregation.values:
            round_.aggregation = aggregation
            round_.save(update_fields=["aggregation"])
            first, again = [], []
            for _ in range(args.repeat):
                RoundEntry.objects.filter(round=round_).update(score=None, rank=None)
                first.append(timed(lambda: tabulate_round(round=round_, by=None)))
                assert first[-1][2] == (args.cases, args.cases)
                again.append(timed(lambda: tabulate_round(round=round_, by=None)))
                assert again[-1][2] == (args.cases, 0)
            print(f"{aggregation:<12}{fmt(min(first)):>26}{fmt(min(again)):>26}")
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )
        tmp.cleanup()


if __name__ == "__main__":
    main()
