"""A bounded, seeded fuzz run over every URL pattern as each role: no answer is a 500.

`FUZZ_COUNT` and `FUZZ_SEED` change the run (bench/fuzz.py runs 4,000 requests)."""

import os

import pytest

from cases.models import Attachment, Case, Edition, Programme, Region, Unit
from judging.models import Assignment, Award, Judge, Objection, Round
from tests.judging import workspace_scenario
from tests.judging.public_data import build_world
from tests.judging.test_objections import _edition as publicity_edition
from tests.security.fuzzing import Fuzzer
from tests.security.outage import dead_cache_settings

pytestmark = pytest.mark.django_db

COUNT = int(os.environ.get("FUZZ_COUNT", "250"))
SEED = int(os.environ.get("FUZZ_SEED", "20261202"))


def path_values():
    ids = set()
    for model in (Case, Round, Attachment, Edition, Award, Unit, Region, Judge, Assignment):
        ids.update(model.objects.values_list("pk", flat=True)[:20])
    slugs = set(Programme.objects.values_list("slug", flat=True))
    slugs |= set(Edition.objects.values_list("slug", flat=True))
    return {"int": sorted(ids), "slug": sorted(slugs), "str": ["x", *sorted(slugs)]}


def world():
    build_world()
    scenario = workspace_scenario.build()
    edition = publicity_edition(awards=2)
    Objection.objects.create(
        award=edition.awards.first(), name="王五", unit_name="某单位", phone="1", reason="理由"
    )
    return {
        "anonymous": None,
        "unit": scenario.member,
        "judge": scenario.judge.user,
        "organiser": scenario.organiser,
    }


def test_no_request_of_the_fuzz_run_is_answered_500(settings):
    settings.RATELIMIT_ENABLE = False  # reach the views themselves, not the 429 page
    users = world()

    run = Fuzzer(seed=SEED, users=users, path_values=path_values()).fuzz(COUNT)

    print(  # read by bench/fuzz.py
        f"\nfuzz: {run.requests} requests, {run.server_errors} answered 500; "
        f"statuses {dict(sorted(run.statuses.items()))}"
    )
    for finding in run.findings:
        print(f"fuzz 500: {finding}")
    assert run.requests >= COUNT
    assert run.findings == []


def test_no_request_is_answered_500_while_redis_is_unreachable(settings):
    """Every use of the cache, through every page, survives the outage (a shorter run)."""
    dead_cache_settings(settings)
    users = world()

    run = Fuzzer(seed=SEED + 1, users=users, path_values=path_values()).fuzz(COUNT // 3)

    print(f"\nfuzz (Redis unreachable): {run.requests} requests, {run.server_errors} answered 500")
    for finding in run.findings:
        print(f"fuzz 500 (Redis unreachable): {finding}")
    assert run.findings == []
