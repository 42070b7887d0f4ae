import csv
import io
import random
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.spreadsheets import _openpyxl_xlsx
from judging.exports import ranking_export_table, review_table, round_csv, round_xlsx
from judging.models import Aggregation, Review, ReviewStatus
from judging.selectors import ranking_table as ranking_table_selectors
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
    # figures are not cached yet); reviews: comments and names (the scores are those the
    # ranking read); the audit row: the reviews' count, chain head, insert, head update
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(14):
        client.get(reverse("admin:judging_round_export_xlsx", args=[round_with_reviews.pk]))


def test_export_scores_are_exact_decimals(round_with_reviews):
    rows = list(csv.reader(io.StringIO(round_csv(round_with_reviews).lstrip("\ufeff"))))

    assert {Decimal(row[7]) for row in rows[1:]} == {Decimal("80"), Decimal("71.5")}


# --- the same workbook however the ranking is come by --------------------------------------
def workbook_parts(data):
    """Every part of an xlsx file but docProps/core.xml (it holds the time it was written)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if info.filename != "docProps/core.xml"
        }


def forget_rankings():
    cache.clear()
    ranking_table_selectors._kept.clear()


def read_apart(round_, anonymous):
    """The workbook of the export with the ranking and the reviews each read on its own, and
    written by openpyxl cell by cell."""
    forget_rankings()
    sheets = [
        ("排名", ranking_export_table(round_)),
        ("评分明细", review_table(round_, anonymous=anonymous)),
    ]
    return workbook_parts(_openpyxl_xlsx([(title, [h, *rows]) for title, (h, rows) in sheets]))


@pytest.fixture
def scored_round(db):
    rng = random.Random(12)
    edition = make_edition(status=EditionStatus.REVIEWING)
    categories = [make_category(edition=edition, name=f"类别{n}", order=n) for n in range(3)]
    round_ = make_round(edition=edition, criteria=CRITERIA)
    judges = [make_judge(name=f"专家{n}") for n in range(7)]
    for n in range(15):
        case = make_case(
            edition=edition,
            category=categories[n % 3],
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-EX-{n:04d}",
            title=f"案例 {n} & <{n}>" if n % 4 else f"=案例{n}",
        )
        make_round_entry(round=round_, case=case)
        for judge in rng.sample(judges, rng.randint(1, 6)):
            values = [
                rng.randint(0, 10),
                rng.choice(["7.5", "0", "10", "3.25"]),
                rng.randint(0, 10),
            ]
            make_scored_review(
                round=round_, case=case, judge=judge, values=values, comment=f" 评语{n} "
            )
    return round_


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("aggregation", [Aggregation.MEAN, Aggregation.TRIMMED, Aggregation.ZSCORE])
def test_xlsx_is_the_same_whether_the_ranking_is_computed_kept_or_brought_up_to_date(
    scored_round, aggregation, anonymous
):
    round_ = scored_round
    round_.aggregation = aggregation
    round_.save()
    expected = read_apart(round_, anonymous)

    forget_rankings()
    computed = round_xlsx(round_, anonymous=anonymous)  # one read of the scores for both
    kept = round_xlsx(round_, anonymous=anonymous)

    assert workbook_parts(computed) == expected
    assert workbook_parts(kept) == expected

    review = Review.objects.filter(assignment__round=round_).order_by("pk").first()
    score = review.scores.order_by("criterion__order").first()
    score.value = Decimal("9.5") if score.value != Decimal("9.5") else Decimal("1")
    score.save()
    brought_up_to_date = round_xlsx(round_, anonymous=anonymous)

    assert workbook_parts(brought_up_to_date) == read_apart(round_, anonymous)
    assert workbook_parts(brought_up_to_date) != expected


def test_submission_times_are_local_times_of_the_current_zone(scored_round):
    with timezone.override(zoneinfo.ZoneInfo("America/St_Johns")):
        _header, rows = review_table(scored_round)
        expected = sorted(
            timezone.localtime(at).replace(tzinfo=None)
            for at in Review.objects.filter(
                assignment__round=scored_round, status=ReviewStatus.SUBMITTED
            ).values_list("submitted_at", flat=True)
        )

    assert sorted(row[9] for row in rows) == expected
