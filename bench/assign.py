"""Benchmark of the automatic assignment (issue 4): 2,000 cases × 5 judges from 50.

One edition, 4 categories, one panel of 50 judges covering all of them, 2,000 accepted cases;
a few judges work at units that lead some cases, so the conflict rules do real work. The data
is built in a temporary SQLite database (migrated from scratch) and the script prints the
seconds `round_auto_assign` takes, database writes included (10,000 assignments and their
10,000 audit rows), wall clock and CPU time of this process (on a busy machine the wall clock
includes waiting for the CPU; with PostgreSQL the server's work is not in the CPU figure).

    .venv/bin/python bench/assign.py [--cases 2000] [--judges 50] [--per-case 5]

Set DATABASE_URL to measure on PostgreSQL instead (use a throwaway database: the script
migrates it and leaves its data behind).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--per-case", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    round_, organiser = build(args)

    from judging.services.assignment import round_auto_assign

    started, cpu_started = time.perf_counter(), time.process_time()
    report = round_auto_assign(round=round_, by=organiser)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started

    from django.db import connection

    print(
        f"{connection.vendor}: assigned {report.cases} cases × {args.per_case} judges "
        f"from {args.judges} in {seconds:.2f} s "
        f"({cpu:.2f} s CPU in this process; {report.created} assignments, "
        f"load spread {report.spread}, {len(report.shortfalls)} short cases)"
    )
    tmp.cleanup()


def build(args):
    from django.contrib.auth.hashers import make_password

    from cases.models import (
        Case,
        CaseLeadUnit,
        CaseStatus,
        Category,
        Edition,
        Programme,
        Unit,
        User,
    )
    from judging.models import Judge, Panel, PanelMembership, Round

    programme = Programme.objects.create(name="粤治—治理现代化(基准)", slug="bench")
    edition = Edition.objects.create(programme=programme, title="基准", year=2026, slug="bench")
    categories = [
        Category.objects.create(edition=edition, name=name, code=code, order=i)
        for i, (name, code) in enumerate(
            [
                ("党建引领社会治理创新", "DJ"),
                ("政府治理创新", "ZF"),
                ("舆情引导", "YQ"),
                ("大数据与公共服务", "SJ"),
            ]
        )
    ]
    units = Unit.objects.bulk_create(
        [Unit(name=f"单位{i}", type="party_government") for i in range(400)]
    )
    users = User.objects.bulk_create(
        [
            User(email=f"judge{i}@bench.example.org", password=make_password(None))
            for i in range(args.judges)
        ]
    )
    # One judge in ten works at a unit that leads some cases.
    judges = Judge.objects.bulk_create(
        [
            Judge(name=f"专家{i:02d}", user=user, affiliation=units[i] if i % 10 == 0 else None)
            for i, user in enumerate(users)
        ]
    )
    panel = Panel.objects.create(edition=edition, name="专家委员会")
    panel.categories.set(categories)
    PanelMembership.objects.bulk_create([PanelMembership(panel=panel, judge=j) for j in judges])
    cases = Case.objects.bulk_create(
        [
            Case(
                edition=edition,
                category=categories[i % 4],
                title=f"案例{i}",
                reference=f"2026-B-{i:04d}",
                status=CaseStatus.ACCEPTED,
                submitting_unit=units[i % len(units)],
            )
            for i in range(args.cases)
        ]
    )
    CaseLeadUnit.objects.bulk_create(
        [CaseLeadUnit(case=c, unit=units[(i * 7) % len(units)]) for i, c in enumerate(cases)]
    )
    round_ = Round.objects.create(
        edition=edition, name="初审", order=1, reviews_per_case=args.per_case
    )
    organiser = User.objects.create_superuser(email="organiser@bench.example.org", password=None)
    return round_, organiser


if __name__ == "__main__":
    main()
