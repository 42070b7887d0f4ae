import threading

import pytest
from django.db import connection, connections

from cases.models import (
    CASE_TRANSITIONS,
    EDITION_TRANSITIONS,
    AuditEntry,
    AwardTier,
    Case,
    CaseStatus,
    CaseVersion,
    EditionStatus,
    QuotaScope,
)
from cases.services import (
    TransitionNotAllowed,
    case_transition,
    edition_clone,
    edition_transition,
    next_reference,
)
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_organiser,
    make_tier,
)

ALL_EDITION_PAIRS = [(a, b) for a in EditionStatus for b in EditionStatus]
ALL_CASE_PAIRS = [(a, b) for a in CaseStatus for b in CaseStatus]


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALL_EDITION_PAIRS)
def test_edition_transition_follows_the_table(source, target):
    edition = make_edition(status=source)
    allowed = target in EDITION_TRANSITIONS[source]

    if allowed:
        # The table alone; each step's preconditions are tested in test_edition_preconditions.
        edition_transition(edition, target, enforce=False)
        edition.refresh_from_db()
        assert edition.status == target
        assert AuditEntry.objects.filter(code=f"cases.edition.{target.value}").count() == 1
    else:
        with pytest.raises(TransitionNotAllowed):
            edition_transition(edition, target, enforce=False)
        edition.refresh_from_db()
        assert edition.status == source
        assert AuditEntry.objects.count() == 0


def test_edition_lifecycle_of_design_is_a_path_through_the_table():
    path = [
        EditionStatus.DRAFT,
        EditionStatus.OPEN,
        EditionStatus.SCREENING,
        EditionStatus.REVIEWING,
        EditionStatus.DECIDING,
        EditionStatus.PUBLICITY,
        EditionStatus.PUBLISHED,
        EditionStatus.ARCHIVED,
    ]
    for source, target in zip(path, path[1:], strict=False):
        assert target in EDITION_TRANSITIONS[source]
    assert EditionStatus.PUBLISHED in EDITION_TRANSITIONS[EditionStatus.DECIDING]  # 公示 optional


@pytest.mark.django_db
def test_publishing_stamps_results_time_once():
    edition = make_edition(status=EditionStatus.DECIDING)

    edition_transition(edition, EditionStatus.PUBLISHED)

    edition.refresh_from_db()
    assert edition.results_published_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALL_CASE_PAIRS)
def test_case_transition_follows_the_table(source, target):
    edition = make_edition()
    case = make_case(edition=edition, category=make_category(edition=edition), status=source)
    allowed = target in CASE_TRANSITIONS[source]

    if allowed:
        case_transition(case, target, reason="理由")
        case.refresh_from_db()
        assert case.status == target
        assert case.status_reason == "理由"
    else:
        with pytest.raises(TransitionNotAllowed):
            case_transition(case, target)
        case.refresh_from_db()
        assert case.status == source


def test_case_lifecycle_of_design_is_covered_by_the_table():
    edges = [
        (CaseStatus.DRAFT, CaseStatus.SUBMITTED),
        (CaseStatus.SUBMITTED, CaseStatus.RETURNED),
        (CaseStatus.RETURNED, CaseStatus.SUBMITTED),
        (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED),
        (CaseStatus.SUBMITTED, CaseStatus.REJECTED),
        (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW),
        (CaseStatus.IN_REVIEW, CaseStatus.AWARDED),
        (CaseStatus.IN_REVIEW, CaseStatus.NOT_AWARDED),
        (CaseStatus.DRAFT, CaseStatus.WITHDRAWN),
        (CaseStatus.SUBMITTED, CaseStatus.WITHDRAWN),
    ]
    for source, target in edges:
        assert target in CASE_TRANSITIONS[source]
    assert CASE_TRANSITIONS[CaseStatus.WITHDRAWN] == set()
    assert CASE_TRANSITIONS[CaseStatus.REJECTED] == set()


@pytest.mark.django_db
def test_first_submission_assigns_reference_and_keeps_a_version():
    edition = make_edition(year=2026)
    category = make_category(edition=edition, code="ZF")
    case = make_case(edition=edition, category=category)
    organiser = make_organiser()

    case_transition(case, CaseStatus.SUBMITTED, by=organiser)

    case.refresh_from_db()
    assert case.reference == "2026-ZF-0001"
    assert case.submitted_at is not None
    version = CaseVersion.objects.get(case=case)
    assert version.number == 1
    assert version.data["title"] == case.title
    assert version.submitted_by == organiser
    entry = AuditEntry.objects.get(code="cases.case.submitted")
    assert entry.actor == organiser
    assert entry.data == {"from": "draft", "to": "submitted", "reason": ""}


@pytest.mark.django_db
def test_resubmission_keeps_reference_and_adds_a_version():
    edition = make_edition(year=2026)
    case = make_case(edition=edition, category=make_category(edition=edition, code="YQ"))
    case_transition(case, CaseStatus.SUBMITTED)
    case.title = "修改后的标题"
    case.save()

    case_transition(case, CaseStatus.SUBMITTED)

    case.refresh_from_db()
    assert case.reference == "2026-YQ-0001"
    assert list(case.versions.values_list("number", "data__title")) == [
        (1, case.versions.get(number=1).data["title"]),
        (2, "修改后的标题"),
    ]


@pytest.mark.django_db
def test_references_count_per_category_prefix():
    edition = make_edition(year=2025)
    zf = make_category(edition=edition, code="ZF")
    yq = make_category(edition=edition, code="YQ")
    first = make_case(edition=edition, category=zf)
    second = make_case(edition=edition, category=yq)
    third = make_case(edition=edition, category=zf)

    for case in (first, second, third):
        case_transition(case, CaseStatus.SUBMITTED)

    references = [Case.objects.get(pk=c.pk).reference for c in (first, second, third)]
    assert references == ["2025-ZF-0001", "2025-YQ-0001", "2025-ZF-0002"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_reference_numbers_are_never_duplicated():
    edition = make_edition(year=2026)
    threads_count, per_thread = 8, 5
    drawn, errors = [], []
    start = threading.Barrier(threads_count)

    def draw():
        try:
            start.wait()
            for _ in range(per_thread):
                drawn.append(next_reference(edition=edition, prefix="ZF"))
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=draw) for _ in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    expected = [f"2026-ZF-{n:04d}" for n in range(1, threads_count * per_thread + 1)]
    assert sorted(drawn) == expected


@pytest.mark.django_db
def test_database_refuses_duplicate_reference_in_one_edition():
    from django.db import IntegrityError

    edition = make_edition()
    make_case(edition=edition, reference="2026-ZF-0001")

    with pytest.raises(IntegrityError):
        make_case(edition=edition, reference="2026-ZF-0001")


@pytest.mark.django_db
def test_drafts_without_reference_do_not_collide():
    edition = make_edition()

    make_case(edition=edition)
    make_case(edition=edition)

    assert Case.objects.filter(edition=edition, reference="").count() == 2


@pytest.mark.django_db
def test_clone_copies_categories_and_tiers_into_a_draft_edition():
    source = make_edition(status=EditionStatus.PUBLISHED, year=2025, number=6, title="第六届")
    source.summary_char_limit = 500
    source.save()
    make_category(edition=source, name="政府治理创新", code="ZF", order=1)
    make_category(edition=source, name="舆情引导", code="YQ", order=2)
    make_tier(
        edition=source, name="优秀案例", order=1, quota=10, quota_scope=QuotaScope.PER_CATEGORY
    )
    make_tier(edition=source, name="提名奖", order=2, quota=5)

    clone, category_map, tier_map = edition_clone(
        source=source, year=2026, title="第七届", slug="7th"
    )

    assert clone.status == EditionStatus.DRAFT
    assert clone.number == 7
    assert clone.cloned_from == source
    assert clone.summary_char_limit == 500
    assert list(clone.categories.values_list("name", "code", "order")) == [
        ("政府治理创新", "ZF", 1),
        ("舆情引导", "YQ", 2),
    ]
    assert list(
        AwardTier.objects.filter(edition=clone).values_list("name", "quota", "quota_scope")
    ) == [("优秀案例", 10, "per_category"), ("提名奖", 5, "overall")]
    assert {c.edition_id for c in category_map.values()} == {clone.pk}
    assert len(tier_map) == 2
    # the source is untouched
    assert source.categories.count() == 2


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
