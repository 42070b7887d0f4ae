"""Spreadsheet import and export of units and cases through the back office.

Row numbers in messages are Excel's: the header is row 1, the first data row is row 2.
"""

from io import BytesIO

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cases.models import AuditEntry, Case, CaseStatus, Region, Unit, UnitLevel, UnitType
from cases.resources import CaseResource, UnitResource
from cases.resources.base import ChoiceWidget
from cases.services import case_transition, next_reference
from tests.audit_helpers import audited
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_organiser,
    make_programme,
    make_region,
    make_unit,
)

pytestmark = pytest.mark.django_db

XLSX, CSV = "0", "1"  # positions in the admin's format list
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_HEADERS = ["单位名称", "单位类型", "行政层级", "地区", "上级单位", "联系电话"]
CASE_HEADERS = ["评选活动", "届", "类别", "案例编号", "案例名称", "主创单位", "报送单位", "状态"]


def xlsx_upload(headers, rows, name="导入.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_TYPE)


def csv_upload(headers, rows, name="导入.csv"):
    dataset = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile(name, dataset.csv.encode("utf-8-sig"), content_type="text/csv")


def admin_import(client, model, upload, file_format=XLSX):
    """The first step of the admin import: upload, check every row, show errors or a preview."""
    return client.post(
        reverse(f"admin:cases_{model}_import"),
        {"import_file": upload, "format": file_format, "resource": "0"},
    )


def admin_confirm(client, model, preview):
    """The second step: the organiser confirms the previewed import."""
    form = preview.context["confirm_form"]
    fields = ("import_file_name", "original_file_name", "format", "resource")
    return client.post(
        reverse(f"admin:cases_{model}_process_import"),
        {name: form.initial[name] for name in fields},
        follow=True,
    )


def admin_export(client, model, resource_class, file_format=XLSX):
    prefix = resource_class.__name__.lower()
    data = {"format": file_format, "resource": "0"}
    data |= {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}
    response = client.post(reverse(f"admin:cases_{model}_export"), data)
    assert response.status_code == 200
    return response.content


def error_lines(response):
    return response.context["result"].error_lines()


@pytest.fixture
def organiser(client):
    user = make_organiser()
    client.force_login(user)
    return user


@pytest.fixture
def edition():
    edition = make_edition(
        programme=make_programme(name="粤治—治理现代化", short_name="粤治"),
        title="第六届",
        year=2026,
        slug="sixth",
    )
    make_category(edition=edition, name="政府治理创新", code="ZF")
    make_category(edition=edition, name="社会治理创新", code="SH")
    return edition


# --- units ---------------------------------------------------------------------------------
def test_unit_import_creates_units_and_missing_regions(client, organiser):
    make_region(name="广东省")
    upload = xlsx_upload(
        UNIT_HEADERS,
        [
            ["汕头市人民政府", "党政机关", "市州", "广东省/汕头市", "", 75488888888],
            [
                "濠江区人民政府",
                "party_government",
                "区县",
                "广东省/汕头市/濠江区",
                "汕头市人民政府",
                "",
            ],
            ["南方日报社", "媒体", "", "广东省", "", "020-87373998"],
        ],
    )

    preview = admin_import(client, "unit", upload)
    response = admin_confirm(client, "unit", preview)

    assert response.status_code == 200
    fields = ("name", "type", "level", "region__path", "parent__name", "contact_phone")
    assert list(Unit.objects.order_by("pk").values_list(*fields)) == [
        ("汕头市人民政府", "party_government", "municipal", "广东省/汕头市", None, "75488888888"),
        (
            "濠江区人民政府",
            "party_government",
            "county",
            "广东省/汕头市/濠江区",
            "汕头市人民政府",
            "",
        ),
        ("南方日报社", "media", "", "广东省", None, "020-87373998"),
    ]
    assert list(Region.objects.values_list("path", flat=True)) == [
        "广东省",
        "广东省/汕头市",
        "广东省/汕头市/濠江区",
    ]


def test_unit_import_updates_the_unit_with_the_same_name(client, organiser):
    unit = make_unit(name="汕头市人民政府", type=UnitType.INSTITUTION, contact_phone="1")
    upload = xlsx_upload(UNIT_HEADERS, [["汕头市人民政府", "党政机关", "市州", "", "", "2"]])

    preview = admin_import(client, "unit", upload)
    admin_confirm(client, "unit", preview)

    unit.refresh_from_db()
    assert (Unit.objects.count(), unit.type, unit.contact_phone) == (
        1,
        UnitType.PARTY_GOVERNMENT,
        "2",
    )


def test_unit_import_ignores_the_verified_column(client, organiser):
    upload = xlsx_upload(
        [*UNIT_HEADERS, "已核验"], [["汕头市人民政府", "党政机关", "", "", "", "", "是"]]
    )

    preview = admin_import(client, "unit", upload)
    admin_confirm(client, "unit", preview)

    assert Unit.objects.get().verified is False


def test_unit_import_with_a_bad_row_imports_nothing_and_names_row_and_column(client, organiser):
    upload = xlsx_upload(
        UNIT_HEADERS,
        [
            ["汕头市人民政府", "党政机关", "市州", "广东省/汕头市", "", ""],
            ["濠江区人民政府", "政府", "区县", "广东省/汕头市/濠江区", "汕头市政府", ""],
        ],
    )

    response = admin_import(client, "unit", upload)

    assert "confirm_form" not in response.context
    assert error_lines(response) == [
        "第3行「单位类型」列:“政府”不是有效的选项,可填:党政机关、事业单位、企业、社会组织、媒体、"
        "高校及研究机构。",
        "第3行「上级单位」列:上级单位“汕头市政府”不存在。上级单位须已在系统中,或在本文件中"
        "排在本单位之前。",
    ]
    assert "发现 2 处错误,整个文件都没有导入。" in response.text
    assert (Unit.objects.count(), Region.objects.count()) == (0, 0)


def test_unit_export_then_import_changes_nothing(client, organiser):
    city = make_region(name="汕头市", parent=make_region(name="广东省"))
    parent = make_unit(name="汕头市人民政府", region=city)
    make_unit(name="汕头市政务服务数据管理局", parent=parent, level=UnitLevel.MUNICIPAL)
    before = list(Unit.objects.order_by("pk").values())

    exported = admin_export(client, "unit", UnitResource)
    entry = audited("cases.unit.exported", actor=organiser)
    preview = admin_import(client, "unit", SimpleUploadedFile("单位.xlsx", exported))
    response = admin_confirm(client, "unit", preview)

    assert response.status_code == 200
    assert (entry.object_type, entry.object_id, entry.data["format"], entry.data["rows"]) == (
        "cases.unit",
        "*",
        "xlsx",
        2,
    )
    assert entry.data["filename"].endswith(".xlsx")
    assert entry.data["fields"] == [
        "单位名称",
        "单位类型",
        "行政层级",
        "地区",
        "上级单位",
        "联系电话",
        "已核验",
    ]
    assert list(Unit.objects.order_by("pk").values()) == before


# --- cases: the 1,000-row file -------------------------------------------------------------
def thousand_case_rows(edition, *, bad_last_row):
    make_unit(name="汕头市人民政府")
    make_unit(name="汕头市政务服务数据管理局")
    rows = [
        [
            "粤治",
            "sixth",
            "政府治理创新" if n % 2 else "社会治理创新",
            "",
            f"案例{n:04d}",
            "汕头市政务服务数据管理局、汕头市人民政府",
            "汕头市人民政府",
            "已提交",
        ]
        for n in range(1, 1001)
    ]
    if bad_last_row:
        rows[-1][5] = "汕头市人民政府;不存在的单位"
    return rows


def test_case_import_of_1000_rows_with_a_bad_last_row_imports_nothing(client, organiser, edition):
    upload = xlsx_upload(CASE_HEADERS, thousand_case_rows(edition, bad_last_row=True))

    response = admin_import(client, "case", upload)

    # 1,000 data rows under the header: the last one is Excel row 1001.
    assert error_lines(response) == [
        "第1001行「主创单位」列:主创单位“不存在的单位”不存在。请先导入或新建该单位"
        "(名称须与系统中完全一致),本导入不会自动创建单位。"
    ]
    assert "confirm_form" not in response.context
    assert "第1001行「主创单位」列" in response.text
    assert Case.objects.count() == 0


def test_case_import_without_dry_run_rolls_back_every_row_on_one_bad_row(organiser, edition):
    # The admin only saves after a clean preview; the resource also refuses on its own.
    rows = thousand_case_rows(edition, bad_last_row=True)
    dataset = tablib.Dataset(*rows, headers=CASE_HEADERS)

    result = CaseResource().import_data(dataset, dry_run=False, user=organiser)

    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [1001]
    assert Case.objects.count() == 0
    assert not AuditEntry.objects.filter(code="cases.case.imported").exists()


def test_case_import_of_1000_good_rows_imports_everything(client, organiser, edition):
    upload = xlsx_upload(CASE_HEADERS, thousand_case_rows(edition, bad_last_row=False))

    preview = admin_import(client, "case", upload)
    response = admin_confirm(client, "case", preview)

    assert response.status_code == 200
    assert Case.objects.filter(edition=edition, status=CaseStatus.SUBMITTED).count() == 1000
    case = Case.objects.get(title="案例0001")
    assert [link.unit.name for link in case.lead_unit_links.select_related("unit")] == [
        "汕头市政务服务数据管理局",
        "汕头市人民政府",
    ]
    assert (case.category.name, case.submitting_unit.name, case.owner_unit.name) == (
        "政府治理创新",
        "汕头市人民政府",
        "汕头市人民政府",
    )
    assert case.created_by == organiser
    entry = AuditEntry.objects.get(code="cases.case.imported")
    assert (entry.object_id, entry.actor, entry.data) == (
        str(edition.pk),
        organiser,
        {"created": 1000, "updated": 0, "file": "导入.xlsx"},
    )


# --- cases: round trip and rules -----------------------------------------------------------
def case_content(edition):
    return [
        (
            case.reference,
            case.title,
            case.category_id,
            case.status,
            case.submitting_unit_id,
            case.summary,
            case.practice,
            case.contact_email,
            [link.unit_id for link in case.lead_unit_links.all()],
        )
        for case in Case.objects.filter(edition=edition)
        .order_by("pk")
        .prefetch_related("lead_unit_links")
    ]


def test_case_export_then_import_changes_nothing(client, organiser, edition):
    category = edition.categories.get(code="ZF")
    first, second = make_unit(name="上海市大数据中心"), make_unit(name="上海市宝山区")
    submitted = make_case(
        edition=edition,
        category=category,
        lead_units=[second, first],
        title="“一网通办”",
        practice="第一段\n第二段",
        contact_email="contact@example.org",
    )
    case_transition(submitted, CaseStatus.SUBMITTED)
    make_case(edition=edition, title="社区通", summary="草稿,尚无编号")
    before = case_content(edition)

    exported = admin_export(client, "case", CaseResource)
    entry = audited("cases.case.exported", actor=organiser)
    assert (entry.data["format"], entry.data["rows"]) == ("xlsx", 2)
    preview = admin_import(client, "case", SimpleUploadedFile("案例.xlsx", exported))
    response = admin_confirm(client, "case", preview)

    assert response.status_code == 200
    result_totals = preview.context["result"].totals
    assert (result_totals["new"], result_totals["update"]) == (0, 2)
    assert case_content(edition) == before


def test_case_import_csv_with_semicolon_separated_lead_units(client, organiser, edition):
    make_unit(name="甲单位")
    make_unit(name="乙单位")
    upload = csv_upload(
        CASE_HEADERS, [["粤治—治理现代化", "2026", "ZF", "", "案例", "乙单位;甲单位", "", ""]]
    )

    preview = admin_import(client, "case", upload, file_format=CSV)
    admin_confirm(client, "case", preview)

    case = Case.objects.get()
    assert [link.unit.name for link in case.lead_unit_links.select_related("unit")] == [
        "乙单位",
        "甲单位",
    ]
    assert (case.status, case.owner_unit.name) == (CaseStatus.DRAFT, "乙单位")


def test_case_import_status_change_goes_through_the_transition_table(client, organiser, edition):
    case = make_case(edition=edition, title="案例甲", reference="2026-ZF-0001")
    case_transition(case, CaseStatus.SUBMITTED)
    upload = xlsx_upload(
        CASE_HEADERS, [["粤治", "sixth", "", "2026-ZF-0001", "案例甲", "", "", "审查通过"]]
    )

    preview = admin_import(client, "case", upload)
    admin_confirm(client, "case", preview)

    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    entry = AuditEntry.objects.get(code="cases.case.accepted")
    assert (entry.actor, entry.data["reason"]) == (organiser, "批量导入")


def test_case_import_refuses_a_status_change_the_table_does_not_allow(client, organiser, edition):
    make_case(edition=edition, title="案例甲")
    upload = xlsx_upload(CASE_HEADERS, [["粤治", "sixth", "", "", "案例甲", "", "", "获奖"]])

    response = admin_import(client, "case", upload)

    assert error_lines(response) == ["第2行「状态」列:案例当前状态为“草稿”,不能变更为“获奖”。"]
    assert Case.objects.get().status == CaseStatus.DRAFT


def test_case_import_names_missing_columns_in_the_header_row(client, organiser, edition):
    upload = xlsx_upload(["评选活动", "届", "主创单位"], [["粤治", "sixth", ""]])

    response = admin_import(client, "case", upload)

    assert error_lines(response)[0].startswith("第1行(表头)缺少以下列:「案例名称」。")
    assert Case.objects.count() == 0


def test_case_import_refuses_the_same_case_twice_in_one_file(client, organiser, edition):
    upload = xlsx_upload(
        CASE_HEADERS,
        [
            ["粤治", "sixth", "", "2026-ZF-0003", "案例甲", "", "", ""],
            ["粤治", "sixth", "", "2026-ZF-0003", "案例甲(修改)", "", "", ""],
        ],
    )

    response = admin_import(client, "case", upload)

    assert error_lines(response) == ["第3行「案例编号」列:与第2行是同一条记录,请合并为一行。"]


def test_case_import_names_the_row_whose_title_matches_two_cases(organiser, edition):
    make_case(edition=edition, title="同名案例")
    make_case(edition=edition, title="同名案例")
    dataset = tablib.Dataset(
        ["粤治", "sixth", "", "", "另一个案例", "", "", ""],
        ["粤治", "sixth", "", "", "同名案例", "", "", ""],
        headers=CASE_HEADERS,
    )

    result = CaseResource().import_data(dataset, user=organiser)

    assert result.error_lines() == [
        "第3行「案例名称」列:该届有不止一个名为“同名案例”的案例,请填写案例编号以指明是哪一个。"
    ]
    assert Case.objects.filter(edition=edition).count() == 2


def test_case_import_matches_rows_against_what_earlier_rows_of_the_file_wrote(organiser, edition):
    case = make_case(edition=edition, title="旧名称", reference="2026-ZF-0007")
    dataset = tablib.Dataset(
        # Renames the case by its number: a later row naming it by its new title is the
        # same record; a case created by a row is found again by its title.
        ["粤治", "sixth", "", "2026-ZF-0007", "新名称", "", "", ""],
        ["粤治", "sixth", "", "", "新名称", "", "", ""],
        ["粤治", "sixth", "", "", "新案例", "", "", ""],
        ["粤治", "sixth", "", "", "新案例", "", "", ""],
        headers=CASE_HEADERS,
    )

    result = CaseResource().import_data(dataset, user=organiser)

    assert result.error_lines() == [
        "第3行「案例编号」列:与第2行是同一条记录,请合并为一行。",
        "第5行「案例名称」列:与第4行是同一条记录,请合并为一行。",
    ]
    case.refresh_from_db()
    assert (case.title, Case.objects.filter(edition=edition).count()) == ("旧名称", 1)


def test_case_import_updates_the_case_found_by_its_title(organiser, edition):
    case = make_case(edition=edition, title="按名称匹配")
    dataset = tablib.Dataset(
        ["粤治", "sixth", "社会治理创新", "", "按名称匹配", "", "", ""], headers=CASE_HEADERS
    )

    result = CaseResource().import_data(dataset, user=organiser)

    assert not result.has_any_errors()
    case.refresh_from_db()
    assert (case.category.name, Case.objects.filter(edition=edition).count()) == (
        "社会治理创新",
        1,
    )


def test_case_import_reports_unknown_programme_edition_and_category(client, organiser, edition):
    upload = xlsx_upload(
        CASE_HEADERS,
        [
            ["粤有数", "sixth", "", "", "案例甲", "", "", ""],
            ["粤治", "2030", "", "", "案例乙", "", "", ""],
            ["粤治", "第六届", "舆情引导", "", "案例丙", "", "", ""],
        ],
    )

    response = admin_import(client, "case", upload)

    assert error_lines(response) == [
        "第2行「评选活动」列:评选活动“粤有数”不存在。",
        "第3行「届」列:“粤治—治理现代化”没有“2030”这一届(可填网址标识、标题或年份)。",
        "第4行「类别」列:“粤治 · 第六届”没有类别“舆情引导”。可填:政府治理创新、社会治理创新。",
    ]


def test_case_import_keeps_reference_numbers_ahead_of_imported_ones(organiser, edition):
    dataset = tablib.Dataset(
        ["粤治", "sixth", "ZF", "2026-ZF-0031", "往届导入的案例", "", "", "已提交"],
        headers=CASE_HEADERS,
    )

    result = CaseResource().import_data(dataset, user=organiser)

    assert not result.has_any_errors()
    assert next_reference(edition=edition, prefix="ZF") == "2026-ZF-0032"


def test_case_import_names_every_unknown_lead_unit_at_once(organiser, edition):
    make_unit(name="甲单位")
    dataset = tablib.Dataset(
        ["粤治", "sixth", "", "", "案例", "甲单位;乙单位、丙单位", "", ""], headers=CASE_HEADERS
    )

    result = CaseResource().import_data(dataset, user=organiser)

    assert result.error_lines() == [
        "第2行「主创单位」列:主创单位“乙单位”、“丙单位”不存在。请先导入或新建该单位"
        "(名称须与系统中完全一致),本导入不会自动创建单位。"
    ]
    assert not Case.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_choice_cells_read_code_or_chinese_label_and_write_the_chinese_label(language):
    widget = ChoiceWidget(UnitType)
    with translation.override("zh-hans"):
        widget.clean("企业")  # a lookup built in another language first

    with translation.override(language):
        read = [widget.clean(text) for text in ("党政机关", "MEDIA", " 事业单位 ")]
        written = widget.render(UnitType.ACADEMIC)

    assert read == [UnitType.PARTY_GOVERNMENT, UnitType.MEDIA, UnitType.INSTITUTION]
    assert written == "高校及研究机构"
