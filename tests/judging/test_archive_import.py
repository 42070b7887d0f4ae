"""Importing past award lists (历史获奖名单) into the archive through the back office.

Row numbers in messages are Excel's: the header is row 1, the first data row is row 2.
"""

from io import BytesIO

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import AuditEntry, Case, CaseStatus, EditionStatus
from judging.models import Award, CitationStatus, Judge
from judging.resources import AwardArchiveResource
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_programme,
    make_tier,
    make_unit,
)

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "评选活动",
    "届",
    "类别",
    "奖项",
    "案例名称",
    "主创单位",
    "报送单位",
    "案例简介",
    "推荐语",
    "点评专家",
    "专家职称",
]
# From the seed list 中国网络理政十大卓越案例(2016-2021).
AIANJI = [
    "中国网络理政十大卓越案例",
    "2021",
    "",
    "十大卓越案例",
    "“爱安吉”APP",
    "安吉新闻集团",
    "",
    "集20多个政务部门资讯于一体。",
    "注重本地服务,强化技术研发。",
    "张志安",
    "中山大学传播与设计学院教授",
]
CHENGDU = [
    "中国网络理政十大卓越案例",
    "2021",
    "",
    "十大卓越案例",
    "成都市网络理政平台",
    "成都市网络理政中心、成都市人民政府办公厅",
    "成都市人民政府办公厅",
    "",
    "构建了“六位一体”的全天候民生诉求受理平台。",
    "沈国麟",
    "复旦大学新闻学院教授",
]


def xlsx_upload(rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("获奖名单.xlsx", buffer.getvalue(), content_type=XLSX_TYPE)


def admin_import(client, upload):
    return client.post(
        reverse("admin:judging_award_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def admin_confirm(client, preview):
    form = preview.context["confirm_form"]
    fields = ("import_file_name", "original_file_name", "format", "resource")
    return client.post(
        reverse("admin:judging_award_process_import"),
        {name: form.initial[name] for name in fields},
        follow=True,
    )


@pytest.fixture
def organiser(client):
    user = make_organiser()
    client.force_login(user)
    return user


@pytest.fixture
def edition():
    edition = make_edition(
        programme=make_programme(name="中国网络理政十大卓越案例", short_name="网络理政"),
        status=EditionStatus.ARCHIVED,
        title="2016—2021",
        year=2021,
        slug="2016-2021",
    )
    make_tier(edition=edition, name="十大卓越案例")
    make_unit(name="安吉新闻集团")
    make_unit(name="成都市网络理政中心")
    make_unit(name="成都市人民政府办公厅")
    return edition


def test_archive_import_creates_awarded_cases_awards_and_commentators(client, organiser, edition):
    preview = admin_import(client, xlsx_upload([AIANJI, CHENGDU]))
    response = admin_confirm(client, preview)

    assert response.status_code == 200
    awards = Award.objects.filter(edition=edition).select_related("case", "tier", "commentator")
    assert [
        (a.case.title, a.case.status, a.tier.name, a.citation, a.citation_status) for a in awards
    ] == [
        ("“爱安吉”APP", CaseStatus.AWARDED, "十大卓越案例", "注重本地服务,强化技术研发。",
         CitationStatus.APPROVED),
        ("成都市网络理政平台", CaseStatus.AWARDED, "十大卓越案例",
         "构建了“六位一体”的全天候民生诉求受理平台。", CitationStatus.APPROVED),
    ]  # fmt: skip
    chengdu = Case.objects.get(title="成都市网络理政平台")
    assert [link.unit.name for link in chengdu.lead_unit_links.select_related("unit")] == [
        "成都市网络理政中心",
        "成都市人民政府办公厅",
    ]
    assert (chengdu.submitting_unit.name, chengdu.owner_unit.name, chengdu.created_by) == (
        "成都市人民政府办公厅",
        "成都市人民政府办公厅",
        organiser,
    )
    assert Case.objects.get(title="“爱安吉”APP").summary == "集20多个政务部门资讯于一体。"
    assert list(Judge.objects.values_list("name", "title", "user", "public")) == [
        ("张志安", "中山大学传播与设计学院教授", None, True),
        ("沈国麟", "复旦大学新闻学院教授", None, True),
    ]
    assert AuditEntry.objects.filter(code="judging.award.archived", actor=organiser).count() == 2


def test_archive_import_reuses_a_commentator_with_the_same_name_and_title(organiser, edition):
    judge = make_judge(name="张志安", title="中山大学传播与设计学院教授", with_account=False)
    dataset = tablib.Dataset(AIANJI, headers=HEADERS)

    result = AwardArchiveResource().import_data(dataset, user=organiser)

    assert not result.has_any_errors()
    assert Award.objects.get().commentator == judge
    assert Judge.objects.count() == 1


def test_archive_import_matches_an_existing_case_by_title(organiser, edition):
    case = make_case(
        edition=edition,
        title="“爱安吉”APP",
        owner_unit=make_unit(name="安吉县"),
        status=CaseStatus.IN_REVIEW,
    )
    row = [*AIANJI]
    row[5] = "安吉县"
    dataset = tablib.Dataset(row, headers=HEADERS)

    result = AwardArchiveResource().import_data(dataset, user=organiser)

    assert not result.has_any_errors()
    case.refresh_from_db()
    assert (Case.objects.count(), case.status, case.award.tier.name) == (
        1,
        CaseStatus.AWARDED,
        "十大卓越案例",
    )


def test_archive_import_refuses_lead_units_that_disagree_with_the_existing_case(organiser, edition):
    make_case(edition=edition, title="“爱安吉”APP", owner_unit=make_unit(name="安吉县"))
    dataset = tablib.Dataset(AIANJI, headers=HEADERS)

    result = AwardArchiveResource().import_data(dataset, user=organiser)

    assert result.error_lines() == [
        "第2行「主创单位」列:案例““爱安吉”APP”已在系统中,主创单位为“安吉县”,与本行不一致。"
        "请改正本行,或先在案例中修改主创单位。"
    ]
    assert not Award.objects.exists()


def test_archive_import_with_a_bad_row_imports_nothing(client, organiser, edition):
    bad = [*CHENGDU]
    bad[3] = "十佳案例"
    bad[5] = "成都市网络理政中心;不存在的单位"

    response = admin_import(client, xlsx_upload([AIANJI, bad]))

    assert response.context["result"].error_lines() == [
        "第3行「奖项」列:“网络理政 · 2016—2021”没有奖项“十佳案例”。可填:十大卓越案例。"
        "请先在该届的奖项中添加。",
        "第3行「主创单位」列:主创单位“不存在的单位”不存在。请先导入或新建该单位"
        "(名称须与系统中完全一致),本导入不会自动创建单位。",
    ]
    assert "confirm_form" not in response.context
    assert (Award.objects.count(), Case.objects.count(), Judge.objects.count()) == (0, 0, 0)


def test_archive_import_requires_lead_units_for_a_new_case(organiser, edition):
    row = [*AIANJI]
    row[5] = ""
    dataset = tablib.Dataset(row, headers=HEADERS)

    result = AwardArchiveResource().import_data(dataset, user=organiser)

    assert result.error_lines() == ["第2行「主创单位」列:新建案例必须填写主创单位。"]
    assert not Case.objects.exists()


def test_archive_export_then_import_changes_nothing(client, organiser, edition):
    category = make_category(edition=edition, name="政务服务")
    case = make_case(
        edition=edition,
        category=category,
        title="上海“一网通办”",
        lead_units=[make_unit(name="上海市大数据中心")],
        status=CaseStatus.AWARDED,
    )
    make_award(
        case=case,
        tier=edition.tiers.get(),
        citation="以用户为中心。",
        citation_status=CitationStatus.APPROVED,
        commentator=make_judge(name="沈国麟", title="复旦大学教授", with_account=False),
        order=3,
    )
    before = list(Award.objects.values())
    export = client.post(
        reverse("admin:judging_award_export"),
        {"format": "0", "resource": "0"}
        | {
            f"awardarchiveresource_{name}": "on"
            for name in AwardArchiveResource().get_export_order()
        },
    )

    preview = admin_import(client, SimpleUploadedFile("获奖.xlsx", export.content))
    admin_confirm(client, preview)

    after = list(Award.objects.values())
    for row in before + after:
        row.pop("updated_at")
    assert after == before
    assert (Case.objects.count(), Judge.objects.count()) == (1, 1)


@pytest.mark.parametrize("edition_cell", ["2016-2021", "2016—2021", "2021", 2021])
def test_archive_import_finds_the_edition_by_slug_title_or_year(organiser, edition, edition_cell):
    row = [*AIANJI]
    row[1] = edition_cell
    dataset = tablib.Dataset(row, headers=HEADERS)

    result = AwardArchiveResource().import_data(dataset, user=organiser)

    assert not result.has_any_errors()
    assert Award.objects.get().edition == edition


def test_award_changelist_filters_by_tier_name(client, organiser, edition):
    other = make_tier(edition=edition, name="提名奖")
    make_award(case=make_case(edition=edition, title="甲案例"), tier=edition.tiers.first())
    make_award(case=make_case(edition=edition, title="乙案例"), tier=other)

    response = client.get(reverse("admin:judging_award_changelist"), {"tier__name": "提名奖"})

    assert [award.case.title for award in response.context["cl"].result_list] == ["乙案例"]
