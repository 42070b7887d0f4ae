"""Press-day load on the public results pages: rendered vs served from the page cache.

    DATABASE_URL=sqlite:///bench/public.sqlite3 .venv/bin/python bench/public_pages.py --migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/public_pages.py

Builds (once; idempotent) a published edition the size of 粤治 第六届: 4 categories, 2 tiers,
38 awards with a 300 字 citation and a named commentator each, 2 lead units per case, and 120
entries; then requests the results page, the statistics page and the archive through Django's
test client (the whole middleware stack, no network), each `--requests` times with the page
cache emptied before every request (cold) and with it filled (warm), and prints the median
time per request and the requests per second one process serves. Uses the configured cache
(`CACHE_URL`; local memory by default).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

PROGRAMME_SLUG = "bench-public"


def build():
    from django.db import transaction
    from django.utils import timezone

    from cases.models import (
        AwardTier,
        Case,
        CaseLeadUnit,
        CaseStatus,
        Category,
        Edition,
        EditionStatus,
        Programme,
        Region,
        Unit,
        UnitLevel,
        UnitType,
    )
    from judging.models import Award, CitationStatus, Judge

    programme = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    if programme:
        return programme.editions.get()
    with transaction.atomic():
        programme = Programme.objects.create(
            name="压测评选活动", short_name="压测", slug=PROGRAMME_SLUG
        )
        edition = Edition.objects.create(
            programme=programme,
            number=6,
            title="第六届",
            year=2019,
            slug="6",
            status=EditionStatus.PUBLISHED,
            results_published_at=timezone.now() - timedelta(days=1),
        )
        categories = [
            Category.objects.create(edition=edition, name=name, code=f"C{n}", order=n)
            for n, name in enumerate(
                ["党建引领社会治理创新", "政府治理创新", "舆情引导", "大数据与公共服务"]
            )
        ]
        tiers = [
            AwardTier.objects.create(edition=edition, name="优秀案例", order=1),
            AwardTier.objects.create(edition=edition, name="提名奖", order=2),
        ]
        province, _ = Region.objects.get_or_create(name="压测省", parent=None)
        cities = [
            Region.objects.get_or_create(name=f"压测市{n}", parent=province)[0] for n in range(21)
        ]
        units = [
            Unit.objects.create(
                name=f"压测单位{n:03d}",
                type=UnitType.PARTY_GOVERNMENT,
                level=UnitLevel.MUNICIPAL if n % 2 else UnitLevel.COUNTY,
                region=cities[n % len(cities)],
            )
            for n in range(80)
        ]
        judges = [
            Judge.objects.create(name=f"压测专家{n}", title="某大学公共管理学院教授")
            for n in range(38)
        ]
        for n in range(120):
            case = Case.objects.create(
                edition=edition,
                category=categories[n % 4],
                reference=f"2019-B-{n:04d}",
                title=f"压测案例{n:03d}:党建引领基层社会治理创新实践",
                owner_unit=units[n % 80],
                submitting_unit=units[n % 80],
                summary="案例简介" * 75,
                status=CaseStatus.AWARDED if n < 38 else CaseStatus.NOT_AWARDED,
            )
            CaseLeadUnit.objects.create(case=case, unit=units[n % 80], order=0)
            CaseLeadUnit.objects.create(case=case, unit=units[(n + 1) % 80], order=1)
            if n < 38:
                Award.objects.create(
                    edition=edition,
                    case=case,
                    tier=tiers[0] if n < 16 else tiers[1],
                    category=case.category,
                    order=n,
                    citation="点评内容" * 75,
                    citation_status=CitationStatus.APPROVED,
                    commentator=judges[n],
                )
    return edition


def measure(client, url, *, requests, cold):
    from django.core.cache import cache

    times = []
    for _ in range(requests):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    if args.migrate:
        call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's host, without touching the database
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    edition = build()
    kwargs = {"programme_slug": PROGRAMME_SLUG, "edition_slug": edition.slug}
    urls = {
        "results (38 awards)": reverse("results:edition-results", kwargs=kwargs),
        "statistics": reverse("results:edition-statistics", kwargs=kwargs),
        "archive page 1": reverse("results:archive") + f"?programme={PROGRAMME_SLUG}",
    }
    client = Client()
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, "
        f"{args.requests} requests each"
    )
    for name, url in urls.items():
        cold = measure(client, url, requests=args.requests, cold=True)
        warm = measure(client, url, requests=args.requests, cold=False)
        print(
            f"{name:22} rendered {cold * 1000:7.2f} ms ({1 / cold:6.0f}/s)   "
            f"from cache {warm * 1000:6.2f} ms ({1 / warm:6.0f}/s)   ×{cold / warm:.0f}"
        )


if __name__ == "__main__":
    main()
