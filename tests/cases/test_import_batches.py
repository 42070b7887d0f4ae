"""The case import writes its new cases in batches once their rows are checked: what the
database still refuses is reported on the row it came from, and nothing is imported."""

import pytest
import tablib
from django.db import IntegrityError

from cases.models import AuditEntry, Case, CaseLeadUnit
from cases.resources import CaseResource, submissions
from tests.factories import make_category, make_edition, make_organiser, make_programme, make_unit

pytestmark = pytest.mark.django_db

HEADERS = ["评选活动", "届", "类别", "案例编号", "案例名称", "主创单位", "报送单位", "状态"]


@pytest.fixture
def edition():
    edition = make_edition(
        programme=make_programme(name="粤治—治理现代化", short_name="粤治"),
        title="第六届",
        year=2026,
        slug="sixth",
    )
    make_category(edition=edition, name="政府治理创新", code="ZF")
    make_unit(name="甲单位")
    make_unit(name="乙单位")
    return edition


def rows(count):
    return [
        ["粤治", "sixth", "ZF", "", f"案例{n:03d}", "甲单位、乙单位", "甲单位", "已提交"]
        for n in range(1, count + 1)
    ]


def test_new_cases_are_written_with_their_lead_units_in_row_order(edition):
    result = CaseResource().import_data(
        tablib.Dataset(*rows(5), headers=HEADERS), user=make_organiser()
    )

    assert not result.has_any_errors()
    cases = list(Case.objects.filter(edition=edition).order_by("pk"))
    assert [case.title for case in cases] == [f"案例{n:03d}" for n in range(1, 6)]
    assert [row.object_id for row in result.rows] == [case.pk for case in cases]
    assert all(case.created_at and case.updated_at for case in cases)
    assert list(CaseLeadUnit.objects.filter(case=cases[0]).values_list("unit__name", "order")) == [
        ("甲单位", 0),
        ("乙单位", 1),
    ]


def test_a_row_the_database_refuses_is_named_and_nothing_is_imported(edition, monkeypatch):
    insert = submissions.insert_instances

    def refusing(instances, batch_size=1000):
        if any(instance.title == "案例003" for instance in instances):
            raise IntegrityError("refused")
        insert(instances, batch_size)

    monkeypatch.setattr(submissions, "insert_instances", refusing)

    result = CaseResource().import_data(
        tablib.Dataset(*rows(5), headers=HEADERS), user=make_organiser()
    )

    assert result.error_lines() == ["第4行:refused"]
    assert (result.totals["new"], result.totals["error"]) == (4, 1)
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(code="cases.case.imported").exists()
