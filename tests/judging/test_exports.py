import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import AuditEntry, CaseStatus, EditionStatus
from judging.exports import round_csv, round_xlsx
from tests.audit_helpers import audited
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_scored_review,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]


@pytest.fixture
def round_with_reviews():
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition, name="政府治理创新")
    round_ = make_round(edition=edition, criteria=CRITERIA)
    case = make_case(
        edition=edition,
        category=category,
        status=CaseStatus.IN_REVIEW,
        reference="2026-ZF-0001",
        title="惠州市社会信用体系建设",
    )
    make_round_entry(round=round_, case=case)
    # created in this order, so 沈国麟 has the lower id: J1
    first, second = make_judge(name="沈国麟"), make_judge(name="陈天祥")
    # (8, 6, 10) → 32 + 18 + 30 = 80; (7, 7, 7.5) → 28 + 21 + 22.5 = 71.5
    make_scored_review(
        round=round_, case=case, judge=second, values=[8, 6, 10], comment='=HYPERLINK("x")'
    )
    make_scored_review(round=round_, case=case, judge=first, values=[7, 7, "7.5"], comment="扎实")
    make_scored_review(
        round=round_,
        case=case,
        judge=make_judge(name="草稿专家"),
        values=[1, 1, 1],
        submitted=False,
    )
    return round_


def sheet_rows(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def test_xlsx_has_the_ranking_and_every_submitted_review(round_with_reviews):
    workbook = load_workbook(io.BytesIO(round_xlsx(round_with_reviews)))

    ranking = sheet_rows(workbook, "排名")
    reviews = sheet_rows(workbook, "评分明细")

    # mean (80 + 71.5) / 2 = 75.75
    assert ranking[0][:5] == ["类别", "名次", "案例编号", "案例名称", "得分(平均分)"]
    assert ranking[1][:5] == ["政府治理创新", 1, "2026-ZF-0001", "惠州市社会信用体系建设", 75.75]
    assert reviews[0] == [
        "类别",
        "案例编号",
        "案例名称",
        "评审专家",
        "创新性(满分 10,权重 0.4)",
        "实效性(满分 10,权重 0.3)",
        "可推广性(满分 10,权重 0.3)",
        "加权得分",
        "评语",
        "提交时间",
    ]
    by_judge = {row[3]: row for row in reviews[1:]}
    assert set(by_judge) == {"沈国麟", "陈天祥"}  # the draft is not exported
    assert by_judge["沈国麟"][4:9] == [7, 7, 7.5, 71.5, "扎实"]
    assert by_judge["陈天祥"][7] == 80


def test_xlsx_writes_formula_like_text_as_text(round_with_reviews):
    workbook = load_workbook(io.BytesIO(round_xlsx(round_with_reviews)))

    cell = next(
        row[8] for row in workbook["评分明细"].iter_rows(min_row=2) if row[3].value == "陈天祥"
    )

    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("x")'


def test_anonymised_xlsx_names_judges_by_id_order(round_with_reviews):
    data = round_xlsx(round_with_reviews, anonymous=True)
    workbook = load_workbook(io.BytesIO(data))

    reviews = sheet_rows(workbook, "评分明细")

    assert {row[3]: row[7] for row in reviews[1:]} == {"J1": 71.5, "J2": 80}
    text = " ".join(str(v) for row in reviews for v in row)
    assert "沈国麟" not in text
    assert "陈天祥" not in text


def test_csv_is_excel_readable_and_escapes_formulas(round_with_reviews):
    text = round_csv(round_with_reviews)

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    by_judge = {row[3]: row for row in rows[1:]}
    assert by_judge["陈天祥"][7] == "80.0000"
    assert by_judge["陈天祥"][8] == '\'=HYPERLINK("x")'
    assert by_judge["沈国麟"][4:7] == ["7.00", "7.00", "7.50"]


def test_anonymised_csv(round_with_reviews):
    rows = list(csv.reader(io.StringIO(round_csv(round_with_reviews, anonymous=True))))

    assert sorted(row[3] for row in rows[1:]) == ["J1", "J2"]


def test_export_views_send_attachments(client, round_with_reviews):
    organiser = make_organiser()
    client.force_login(organiser)

    xlsx = client.get(
        reverse("admin:judging_round_export_xlsx", args=[round_with_reviews.pk]),
        {"anonymous": "1"},
    )
    csv_response = client.get(
        reverse("admin:judging_round_export_csv", args=[round_with_reviews.pk])
    )

    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "anonymous.xlsx" in xlsx["Content-Disposition"]
    rows = sheet_rows(load_workbook(io.BytesIO(xlsx.content)), "评分明细")
    assert sorted(row[3] for row in rows[1:]) == ["J1", "J2"]
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert "沈国麟" in csv_response.content.decode("utf-8")
    entries = AuditEntry.objects.filter(code="judging.round.scores_exported").order_by("seq")
    assert [e.data for e in entries] == [
        {
            "filename": f"round-{round_with_reviews.pk}-anonymous.xlsx",
            "format": "xlsx",
            "anonymous": True,
            "rows": 2,
        },
        {
            "filename": f"round-{round_with_reviews.pk}-scores.csv",
            "format": "csv",
            "anonymous": False,
            "rows": 2,
        },
    ]
    audited("judging.round.scores_exported", actor=organiser, obj=round_with_reviews)


@pytest.mark.parametrize("rows", [1, 5])
def test_export_query_count_does_not_grow_with_reviews(
    client, round_with_reviews, django_assert_num_queries, rows
):
    edition = round_with_reviews.edition
    for _ in range(rows):
        case = make_case(edition=edition, category=edition.categories.first())
        make_round_entry(round=round_with_reviews, case=case)
        make_scored_review(
            round=round_with_reviews, case=case, judge=make_judge(), values=[1, 2, 3]
        )
    client.force_login(make_organiser())

    # session, user, round; ranking: entries, criteria, reviews' fingerprint, scores (the
    # figures are not cached yet); reviews: criteria, scores, comments and names; the audit
    # row: the reviews' count, chain head, insert, head update
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(16):
        client.get(reverse("admin:judging_round_export_xlsx", args=[round_with_reviews.pk]))


def test_export_scores_are_exact_decimals(round_with_reviews):
    rows = list(csv.reader(io.StringIO(round_csv(round_with_reviews).lstrip("\ufeff"))))

    assert {Decimal(row[7]) for row in rows[1:]} == {Decimal("80"), Decimal("71.5")}
