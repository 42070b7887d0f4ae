"""Build the large-edition benchmark workload (issue 6) in the configured database.

    DATABASE_URL=sqlite:///bench/bench.sqlite3 .venv/bin/python bench/workload.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/workload.py

One edition with 4 categories, 2,000 submitted cases (title ~20 字, summary ~300 字, body
~2,000 字), 50 judges on one panel, 5 assignments per case round-robin (200 per judge),
10,000 submitted reviews with 3 criteria (0–10, weights 0.4/0.3/0.3) and a ~100 字 comment,
one organiser. Rows are written with bulk_create for speed; the states they end in are the
ones the services would produce (references, scores computed with the §5 formula).
Deterministic: the same seed gives the same data. Prints the time it took.
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

BENCH_PROGRAMME_SLUG = "bench"
ORGANISER_EMAIL = "bench-organiser@example.org"
PASSWORD = "bench-pass-2026"
CATEGORY_NAMES = [
    ("政府治理创新", "ZF"),
    ("舆情引导", "YQ"),
    ("大数据与公共服务", "DS"),
    ("党建引领社会治理创新", "DJ"),
]
CRITERIA = [("创新性", Decimal("0.4")), ("实效性", Decimal("0.3")), ("可推广性", Decimal("0.3"))]

# Characters to compose filler text from: the vocabulary of the seed documents.
VOCABULARY = (
    "治理现代化创新案例推动基层社会服务平台数据共享智慧城市党建引领群众办事政务公开"
    "网格化管理体系机制改革成效显著经验推广价值舆情引导突发事件信息发布媒体融合"
    "大数据公共服务民生诉求乡村振兴数字政府营商环境协同共治精细化智能化便民利民"
)


def text(rng, length):
    return "".join(rng.choice(VOCABULARY) for _ in range(length))


def build(*, cases=2000, judges=50, per_case=5, seed=2026, stdout=sys.stdout):
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from cases.models import (
        Case,
        CaseLeadUnit,
        CaseStatus,
        Category,
        Edition,
        EditionStatus,
        Programme,
        ReferenceCounter,
        Unit,
        UnitLevel,
        UnitType,
        User,
    )
    from judging.models import (
        Assignment,
        AssignmentStatus,
        Criterion,
        CriterionScore,
        Judge,
        Panel,
        PanelMembership,
        Review,
        ReviewStatus,
        Round,
        RoundEntry,
        RoundKind,
        RoundStatus,
    )
    from judging.tabulation import review_score, to_decimal

    rng = random.Random(seed)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        if Edition.objects.filter(programme__slug=BENCH_PROGRAMME_SLUG).exists():
            raise SystemExit("The bench workload already exists in this database; use a new one.")

        programme = Programme.objects.create(
            name="基准测试评选", slug=BENCH_PROGRAMME_SLUG, description="性能基准数据"
        )
        edition = Edition.objects.create(
            programme=programme,
            title="基准届",
            year=2026,
            slug="2026",
            status=EditionStatus.REVIEWING,
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=30),
        )
        categories = [
            Category.objects.create(edition=edition, name=name, code=code, order=i)
            for i, (name, code) in enumerate(CATEGORY_NAMES)
        ]
        # One hash for every bench account: 51 PBKDF2 rounds would dominate the build time.
        password_hash = make_password(PASSWORD)
        organiser = User.objects.create(
            email=ORGANISER_EMAIL, password=password_hash, is_staff=True, is_superuser=True
        )

        units = Unit.objects.bulk_create(
            Unit(
                name=f"基准单位{i:04d}",
                type=UnitType.PARTY_GOVERNMENT,
                level=rng.choice(list(UnitLevel.values)),
                verified=True,
            )
            for i in range(200)
        )
        judge_users = [
            User(
                email=f"bench-judge{i:02d}@example.org",
                full_name=f"专家{i:02d}",
                password=password_hash,
            )
            for i in range(judges)
        ]
        judge_users = User.objects.bulk_create(judge_users)
        judge_rows = Judge.objects.bulk_create(
            Judge(user=user, name=user.full_name, title="教授") for user in judge_users
        )
        panel = Panel.objects.create(edition=edition, name="专家委员会")
        panel.categories.set(categories)
        PanelMembership.objects.bulk_create(
            PanelMembership(panel=panel, judge=judge) for judge in judge_rows
        )
        round_ = Round.objects.create(
            edition=edition,
            name="初审",
            order=1,
            kind=RoundKind.SCORING,
            status=RoundStatus.OPEN,
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=7),
            reviews_per_case=per_case,
        )
        criteria = [
            Criterion.objects.create(round=round_, name=name, weight=weight, max_points=10, order=i)
            for i, (name, weight) in enumerate(CRITERIA)
        ]

        counters = dict.fromkeys((code for _, code in CATEGORY_NAMES), 0)
        case_rows = []
        for i in range(cases):
            category = categories[i % len(categories)]
            counters[category.code] += 1
            owner = units[i % len(units)]
            case_rows.append(
                Case(
                    edition=edition,
                    category=category,
                    reference=f"2026-{category.code}-{counters[category.code]:04d}",
                    title=text(rng, 20),
                    owner_unit=owner,
                    submitting_unit=owner,
                    summary=text(rng, 300),
                    background=text(rng, 400),
                    practice=text(rng, 800),
                    outcomes=text(rng, 500),
                    promotion_value=text(rng, 300),
                    contact_name="联系人",
                    contact_phone="020-00000000",
                    declaration_accepted=True,
                    status=CaseStatus.IN_REVIEW,
                    submitted_at=now - timedelta(days=40),
                )
            )
        case_rows = Case.objects.bulk_create(case_rows, batch_size=500)
        ReferenceCounter.objects.bulk_create(
            ReferenceCounter(edition=edition, prefix=code, last_value=value)
            for code, value in counters.items()
        )
        CaseLeadUnit.objects.bulk_create(
            (CaseLeadUnit(case=case, unit=case.owner_unit, order=0) for case in case_rows),
            batch_size=1000,
        )
        RoundEntry.objects.bulk_create(
            (RoundEntry(round=round_, case=case) for case in case_rows), batch_size=1000
        )

        # Round-robin: case i goes to judges i·k … i·k+k-1 (mod J), so each judge gets
        # cases × per_case / judges assignments and no judge sees a case twice.
        assignments = Assignment.objects.bulk_create(
            (
                Assignment(
                    round=round_,
                    case=case,
                    judge=judge_rows[(i * per_case + k) % judges],
                    status=AssignmentStatus.SUBMITTED,
                )
                for i, case in enumerate(case_rows)
                for k in range(per_case)
            ),
            batch_size=1000,
        )
        reviews, values = [], []
        for assignment in assignments:
            marks = [Decimal(rng.randint(0, 10)) for _ in criteria]
            score = review_score(
                (mark, c.weight, c.max_points) for mark, c in zip(marks, criteria, strict=True)
            )
            reviews.append(
                Review(
                    assignment=assignment,
                    comment=text(rng, 100),
                    status=ReviewStatus.SUBMITTED,
                    score=to_decimal(score),
                    submitted_at=now - timedelta(hours=rng.randint(1, 100)),
                )
            )
            values.append(marks)
        reviews = Review.objects.bulk_create(reviews, batch_size=1000)
        CriterionScore.objects.bulk_create(
            (
                CriterionScore(review=review, criterion=criterion, value=mark)
                for review, marks in zip(reviews, values, strict=True)
                for criterion, mark in zip(criteria, marks, strict=True)
            ),
            batch_size=2000,
        )
    elapsed = time.perf_counter() - started
    print(
        f"workload: {cases} cases, {judges} judges, {len(assignments)} assignments, "
        f"{len(reviews)} reviews, {len(reviews) * len(criteria)} criterion scores "
        f"built in {elapsed:.1f} s",
        file=stdout,
    )
    return {"edition": edition, "round": round_, "organiser": organiser, "seconds": elapsed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--per-case", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    args = parser.parse_args()

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    build(cases=args.cases, judges=args.judges, per_case=args.per_case, seed=args.seed)


if __name__ == "__main__":
    main()
