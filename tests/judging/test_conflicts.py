import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import AuditEntry, Case, CaseStatus
from cases.services import DomainError
from judging.models import (
    Assignment,
    AssignmentStatus,
    Conflict,
    ConflictSource,
    Judge,
    Review,
    RoundStatus,
    Vote,
    VoteChoice,
)
from judging.selectors.conflicts import case_conflict_source, conflict_map
from judging.services.conflicts import conflict_create, conflict_delete, judge_conflicts_recheck
from tests.factories import (
    make_assignment,
    make_case,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """广州市人民政府 › 广州市公安局 › 天河区分局, and an unrelated 深圳市人民政府."""
    city = make_unit(name="广州市人民政府")
    police = make_unit(name="广州市公安局", parent=city)
    district = make_unit(name="广州市公安局天河区分局", parent=police)
    other = make_unit(name="深圳市人民政府")
    return {"city": city, "police": police, "district": district, "other": other}


def _source(judge, case):
    return case_conflict_source(judge=judge, case=case)


def test_detected_when_affiliation_is_a_lead_unit(tree):
    edition = make_edition()
    case = make_case(edition=edition, owner_unit=tree["other"], lead_units=[tree["police"]])
    judge = make_judge(affiliation=tree["police"])

    assert _source(judge, case) == ConflictSource.DETECTED


def test_detected_when_affiliation_is_an_ancestor_of_a_lead_unit(tree):
    case = make_case(
        edition=make_edition(), owner_unit=tree["other"], lead_units=[tree["district"]]
    )
    judge = make_judge(affiliation=tree["city"])  # two levels above

    assert _source(judge, case) == ConflictSource.DETECTED


def test_detected_when_affiliation_is_a_descendant_of_a_lead_unit(tree):
    case = make_case(edition=make_edition(), owner_unit=tree["other"], lead_units=[tree["city"]])
    judge = make_judge(affiliation=tree["district"])

    assert _source(judge, case) == ConflictSource.DETECTED


def test_detected_through_the_submitting_unit(tree):
    other_lead = make_unit()
    case = make_case(
        edition=make_edition(),
        owner_unit=tree["other"],
        lead_units=[other_lead],
        submitting_unit=tree["police"],
    )
    judge = make_judge(affiliation=tree["district"])

    assert _source(judge, case) == ConflictSource.DETECTED


def test_no_conflict_with_a_sibling_or_unrelated_unit(tree):
    sibling = make_unit(name="广州市交通运输局", parent=tree["city"])
    case = make_case(edition=make_edition(), owner_unit=tree["police"], lead_units=[tree["police"]])

    assert _source(make_judge(affiliation=sibling), case) is None
    assert _source(make_judge(affiliation=tree["other"]), case) is None
    assert _source(make_judge(affiliation=None), case) is None


def test_declared_unit_conflict_covers_the_unit_tree(tree):
    organiser = make_organiser()
    judge = make_judge(affiliation=tree["other"])
    conflict_create(judge=judge, unit=tree["police"], reason="曾任职", by=organiser)
    below = make_case(
        edition=make_edition(), owner_unit=tree["district"], lead_units=[tree["district"]]
    )
    unrelated = make_case(edition=below.edition, owner_unit=make_unit(), lead_units=[])

    assert _source(judge, below) == ConflictSource.DECLARED
    assert _source(judge, unrelated) is None


def test_recusal_from_one_case_is_reported_as_recusal(tree):
    case = make_case(edition=make_edition(), owner_unit=tree["other"])
    judge = make_judge(affiliation=tree["other"])  # also detected: recusal wins
    Conflict.objects.create(judge=judge, case=case, source=ConflictSource.RECUSAL, reason="亲属")

    assert _source(judge, case) == ConflictSource.RECUSAL


def test_conflict_map_query_count_does_not_grow_with_cases_and_judges(tree):
    edition = make_edition()

    def measure(n):
        cases = [make_case(edition=edition, lead_units=[tree["police"]]) for _ in range(n)]
        judges = [make_judge(affiliation=tree["city"]) for _ in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            found = conflict_map(
                cases=Case.objects.filter(pk__in=[c.pk for c in cases]),
                judges=Judge.objects.filter(pk__in=[j.pk for j in judges]),
            )
        assert len(found.pairs()) == n * n
        return len(ctx.captured_queries)

    # units, cases with their submitting unit, lead units, affiliations, conflicts
    assert measure(1) == measure(5) == 5


# --- declaring a conflict after assignment ---------------------------------------------------
@pytest.fixture
def assigned(tree):
    edition = make_edition()
    open_round = make_round(edition=edition, order=1, status=RoundStatus.OPEN)
    closed_round = make_round(edition=edition, order=2, status=RoundStatus.CLOSED)
    case = make_case(edition=edition, owner_unit=tree["police"], status=CaseStatus.IN_REVIEW)
    judge = make_judge(affiliation=tree["other"])
    submitted = make_assignment(
        round=open_round, case=case, judge=judge, status=AssignmentStatus.SUBMITTED
    )
    Review.objects.create(assignment=submitted, status="submitted", score="81.5000", comment="好")
    Vote.objects.create(round=open_round, case=case, judge=judge, choice=VoteChoice.IN)
    kept = make_assignment(round=closed_round, case=case, judge=judge)
    return {"case": case, "judge": judge, "submitted": submitted, "kept": kept}


def test_declared_conflict_removes_assignments_in_open_rounds_only(tree, assigned):
    organiser = make_organiser()

    conflict, removed = conflict_create(
        judge=assigned["judge"], unit=tree["city"], reason="兼职顾问", by=organiser
    )

    assert removed == 1
    assert list(Assignment.objects.values_list("pk", flat=True)) == [assigned["kept"].pk]
    assert not Review.objects.exists()
    assert not Vote.objects.exists()
    removal = AuditEntry.objects.get(code="judging.assignment.removed_conflict")
    assert removal.object_id == str(assigned["submitted"].pk)
    assert removal.actor == organiser
    assert removal.data["status"] == "submitted"
    assert removal.data["review"]["score"] == "81.5000"
    assert removal.data["conflict"] == conflict.pk
    assert removal.data["votes"] == [{"choice": "in", "tier": None}]
    applied = AuditEntry.objects.get(code="judging.conflict.applied")
    assert applied.data == {"removed": 1, "kept_in_closed_rounds": [assigned["kept"].pk]}
    created = AuditEntry.objects.get(code="judging.conflict.created")
    assert created.data["unit"] == tree["city"].pk
    assert created.data["reason"] == "兼职顾问"


def test_recusal_removes_only_that_case(tree, assigned):
    organiser = make_organiser()
    other_case = make_case(edition=assigned["case"].edition, owner_unit=tree["other"])
    other_assignment = make_assignment(
        round=assigned["submitted"].round, case=other_case, judge=assigned["judge"]
    )

    conflict_create(
        judge=assigned["judge"],
        case=assigned["case"],
        source=ConflictSource.RECUSAL,
        reason="与申报单位负责人为亲属",
        by=organiser,
    )

    assert set(Assignment.objects.values_list("pk", flat=True)) == {
        assigned["kept"].pk,
        other_assignment.pk,
    }


def test_conflict_create_refuses_duplicates_and_missing_target(tree):
    organiser = make_organiser()
    judge = make_judge()
    conflict_create(judge=judge, unit=tree["city"], by=organiser)

    with pytest.raises(DomainError):
        conflict_create(judge=judge, unit=tree["city"], by=organiser)
    with pytest.raises(DomainError):
        conflict_create(judge=judge, by=organiser)
    assert Conflict.objects.count() == 1


def test_conflict_delete_is_audited(tree):
    organiser = make_organiser()
    conflict, _removed = conflict_create(judge=make_judge(), unit=tree["city"], by=organiser)

    conflict_delete(conflict=conflict, by=organiser)

    assert not Conflict.objects.exists()
    entry = AuditEntry.objects.get(code="judging.conflict.deleted")
    assert entry.data["unit"] == tree["city"].pk


def test_affiliation_change_removes_newly_conflicted_assignments(tree, assigned):
    organiser = make_organiser()
    judge = assigned["judge"]
    judge.affiliation = tree["district"]  # below the case's unit (广州市公安局)
    judge.save()

    removed = judge_conflicts_recheck(judge=judge, by=organiser)

    assert removed == 1
    assert list(Assignment.objects.values_list("pk", flat=True)) == [assigned["kept"].pk]
    entry = AuditEntry.objects.get(code="judging.judge.conflicts_rechecked")
    assert entry.data == {
        "affiliation": tree["district"].pk,
        "removed": 1,
        "kept_in_closed_rounds": [assigned["kept"].pk],
    }


def test_recheck_without_conflict_changes_nothing(tree, assigned):
    removed = judge_conflicts_recheck(judge=assigned["judge"], by=make_organiser())

    assert removed == 0
    assert Assignment.objects.count() == 2
    assert not AuditEntry.objects.filter(code="judging.judge.conflicts_rechecked").exists()
