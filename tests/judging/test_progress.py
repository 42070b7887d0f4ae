import pytest
from django.urls import reverse

from judging.models import AssignmentStatus, RoundEntry
from judging.selectors.progress import case_progress, judge_progress
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_panel,
    make_round,
    make_unit,
)

pytestmark = pytest.mark.django_db

SUBMITTED, DRAFT = AssignmentStatus.SUBMITTED, AssignmentStatus.DRAFT


def test_judge_progress_counts_each_judge_once():
    edition = make_edition()
    category = make_category(edition=edition)
    busy, idle = make_judge(name="甲"), make_judge(name="乙")
    # 甲 sits on two panels: the join must not double the counts.
    make_panel(edition=edition, categories=[category], judges=[busy, idle])
    make_panel(edition=edition, categories=[category], judges=[busy])
    round_ = make_round(edition=edition)
    other_round = make_round(edition=edition, order=2)
    cases = [make_case(edition=edition, category=category) for _ in range(3)]
    make_assignment(round=round_, case=cases[0], judge=busy, status=SUBMITTED)
    make_assignment(round=round_, case=cases[1], judge=busy, status=DRAFT)
    make_assignment(round=round_, case=cases[2], judge=busy)
    make_assignment(round=other_round, case=cases[0], judge=idle, status=SUBMITTED)

    rows = [(j.name, j.assigned, j.done, j.remaining) for j in judge_progress(round_)]

    assert rows == [("甲", 3, 1, 2), ("乙", 0, 0, 0)]


def test_case_progress_counts_reviews_received():
    edition = make_edition()
    round_ = make_round(edition=edition)
    first, second = (
        make_case(edition=edition, reference="A"),
        make_case(edition=edition, reference="B"),
    )
    for case in (first, second):
        RoundEntry.objects.create(round=round_, case=case)
    make_assignment(round=round_, case=first, judge=make_judge(), status=SUBMITTED)
    make_assignment(round=round_, case=first, judge=make_judge(), status=SUBMITTED)
    make_assignment(round=round_, case=first, judge=make_judge())

    rows = [
        (c.reference, c.assigned, c.received, len(c.round_assignments))
        for c in case_progress(round_)
    ]

    assert rows == [("A", 3, 2, 3), ("B", 0, 0, 0)]


def _round_with(rows, *, conflicted=False):
    edition = make_edition()
    category = make_category(edition=edition)
    judges = [make_judge(affiliation=make_unit()) for _ in range(rows)]
    make_panel(edition=edition, categories=[category], judges=judges)
    round_ = make_round(edition=edition, status="open")
    for judge in judges:
        lead_units = [judge.affiliation] if conflicted else []
        case = make_case(edition=edition, category=category, lead_units=lead_units)
        RoundEntry.objects.create(round=round_, case=case)
        make_assignment(round=round_, case=case, judge=judge, status=SUBMITTED)
        make_assignment(round=round_, case=case, judge=make_judge())
    return round_


@pytest.mark.parametrize("rows", [1, 5])
def test_judge_progress_page_query_count_is_constant(client, django_assert_num_queries, rows):
    client.force_login(make_organiser())
    round_ = _round_with(rows)
    url = reverse("admin:judging_round_progress_judges", args=[round_.pk])

    # session, user, round, page count, page rows
    with django_assert_num_queries(7):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("<progress") == rows * 2


@pytest.mark.parametrize("rows", [1, 5])
def test_case_progress_page_query_count_is_constant(client, django_assert_num_queries, rows):
    client.force_login(make_organiser())
    round_ = _round_with(rows)
    url = reverse("admin:judging_round_progress_cases", args=[round_.pk])

    # session, user, round, page count, page rows, assignments with judges
    with django_assert_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("添加专家") == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_conflicts_page_query_count_is_constant(client, django_assert_num_queries, rows):
    client.force_login(make_organiser())
    round_ = _round_with(rows, conflicted=True)  # each case led by one panel judge's unit
    url = reverse("admin:judging_round_conflicts", args=[round_.pk])

    # session, user, round, five for the conflict map, cases, judges
    with django_assert_num_queries(12):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("<td>系统识别</td>") == rows
