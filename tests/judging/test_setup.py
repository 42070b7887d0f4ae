import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cases.models import AuditEntry, Category, Edition
from judging.models import Criterion, Judge, Panel, PanelRole, Round, RoundStatus
from judging.services.editions import edition_clone_full
from tests.factories import (
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_panel,
    make_region,
    make_round,
    make_tier,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db


# --- clone ---------------------------------------------------------------------------------------
def test_edition_clone_full_copies_rounds_criteria_and_panels():
    organiser = make_organiser()
    source = make_edition(status="archived", year=2019, number=6)
    zf = make_category(edition=source, name="政府治理创新", code="ZF")
    yq = make_category(edition=source, name="舆情引导", code="YQ")
    make_tier(edition=source, name="优秀案例", quota=38)
    first = make_round(
        edition=source,
        order=1,
        name="初审",
        criteria=[("创新性", "0.4", 40), ("实效性", "0.6", 60)],
        status=RoundStatus.CLOSED,
        reviews_per_case=5,
        blind=True,
        aggregation="trimmed",
    )
    first.opens_at = first.created_at
    first.save()
    make_round(edition=source, order=2, name="全体会议", kind="vote", vote_mode="in_out")
    chair, member = make_judge(name="陈天祥"), make_judge(name="蓝云")
    panel = make_panel(edition=source, name="专家委员会", categories=[zf, yq], judges=[member])
    panel.memberships.create(judge=chair, role=PanelRole.CO_CHAIR)

    edition = edition_clone_full(source=source, year=2020, title="第七届", slug="7th", by=organiser)

    assert (edition.status, edition.number, edition.cloned_from) == ("draft", 7, source)
    rounds = list(Round.objects.filter(edition=edition).order_by("order"))
    assert [(r.name, r.kind, r.status, r.opens_at) for r in rounds] == [
        ("初审", "scoring", "draft", None),
        ("全体会议", "vote", "draft", None),
    ]
    assert (rounds[0].reviews_per_case, rounds[0].blind, rounds[0].aggregation) == (
        5,
        True,
        "trimmed",
    )
    assert rounds[1].vote_mode == "in_out"
    assert list(
        Criterion.objects.filter(round=rounds[0]).values_list("name", "weight", "max_points")
    ) == [
        ("创新性", Decimal("0.400"), Decimal("40.00")),
        ("实效性", Decimal("0.600"), Decimal("60.00")),
    ]
    copy = Panel.objects.get(edition=edition)
    assert copy.name == "专家委员会"
    assert set(copy.categories.values_list("pk", flat=True)) == set(
        Category.objects.filter(edition=edition).values_list("pk", flat=True)
    )
    assert set(copy.memberships.values_list("judge__name", "role")) == {
        ("陈天祥", "co_chair"),
        ("蓝云", "member"),
    }
    # The source is untouched.
    assert Round.objects.filter(edition=source).count() == 2
    assert Edition.objects.count() == 2
    assert AuditEntry.objects.get(code="judging.edition.structure_cloned").data == {
        "source": source.pk,
        "rounds": 2,
        "panels": 1,
    }


# --- import and export of judges ---------------------------------------------------------------
HEADERS = ["姓名", "职称与职务", "所在单位", "地区", "简介", "可公开署名", "电子邮箱"]


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "judges.xlsx"
    return data


def _import(client, rows):
    url = reverse("admin:judging_judge_import")
    preview = client.post(url, {"format": "0", "resource": "0", "import_file": _xlsx(rows)})
    assert preview.status_code == 200
    form = preview.context.get("confirm_form")
    if form is None:
        return preview, None
    done = client.post(reverse("admin:judging_judge_process_import"), form.initial)
    return preview, done


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def test_import_judges_from_xlsx_creates_accounts(organiser_client):
    unit = make_unit(name="中山大学政务学院")
    guangdong = make_region(name="广东省")
    guangzhou = make_region(name="广州市", parent=guangdong)

    _preview, done = _import(
        organiser_client,
        [
            [
                "陈天祥",
                "中山大学政务学院教授",
                "中山大学政务学院",
                "广东省/广州市",
                "",
                "是",
                "chen@example.org",
            ],
            ["蓝云", "广州南方学院特聘教授", "", "广州市", "简介", "否", "LAN@example.org"],
        ],
    )

    assert done.status_code == 302
    chen = Judge.objects.get(name="陈天祥")
    assert (chen.affiliation, chen.region, chen.public) == (unit, guangzhou, True)
    assert chen.user.email == "chen@example.org"
    assert not chen.user.has_usable_password()
    lan = Judge.objects.get(name="蓝云")
    assert (lan.affiliation, lan.region, lan.public, lan.user.email) == (
        None,
        guangzhou,
        False,
        "lan@example.org",
    )


def test_import_matches_existing_judges_by_email(organiser_client):
    user = make_user(email="chen@example.org")
    judge = make_judge(name="陈天祥", user=user, title="教授")

    _import(
        organiser_client, [["陈天祥", "中山大学政务学院教授", "", "", "", "是", "CHEN@example.org"]]
    )

    assert Judge.objects.count() == 1
    judge.refresh_from_db()
    assert judge.title == "中山大学政务学院教授"


def test_import_reports_unknown_units_and_creates_nothing(organiser_client):
    preview, done = _import(
        organiser_client,
        [["陈天祥", "", "不存在的单位", "", "", "是", "chen@example.org"]],
    )

    assert done is None
    assert "所在单位“不存在的单位”不存在" in preview.content.decode()
    assert not Judge.objects.exists()
    from cases.models import User

    assert not User.objects.filter(email="chen@example.org").exists()


def test_export_has_chinese_headers(organiser_client):
    make_judge(name="陈天祥", affiliation=make_unit(name="中山大学"), public=False)

    response = organiser_client.post(
        reverse("admin:judging_judge_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"judgeresource_{name}": "on"
                for name in ["name", "title", "affiliation", "region", "bio", "public", "email"]
            },
        },
    )

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert list(rows[0]) == HEADERS
    assert list(rows[1])[:3] == ["陈天祥", None, "中山大学"]
    assert rows[1][5] == "否"


def test_import_is_all_or_nothing_and_refuses_repeated_emails(organiser_client):
    preview, done = _import(
        organiser_client,
        [
            ["陈天祥", "", "", "", "", "是", "chen@example.org"],
            ["陈天祥", "", "", "", "", "是", "CHEN@example.org"],
            ["蓝云", "", "", "", "", "也许", "lan@example.org"],
        ],
    )

    html = preview.content.decode()
    assert done is None
    assert "第3行「电子邮箱」列:与第2行是同一条记录" in html
    assert "第4行「可公开署名」列:请填写“是”或“否”。" in html
    assert not Judge.objects.exists()


def test_clone_action_of_the_edition_admin_copies_rounds_and_panels(organiser_client):
    source = make_edition(status="archived", year=2019, title="第六届", slug="6th")
    category = make_category(edition=source, name="舆情引导", code="YQ")
    make_round(edition=source, name="初审", criteria=[("创新性", 1, 10)], status="closed")
    make_panel(edition=source, name="舆情组", categories=[category], judges=[make_judge()])

    page = organiser_client.post(
        reverse("admin:cases_edition_changelist"),
        {"action": "clone_as_next_year", "_selected_action": [source.pk]},
        follow=True,
    )
    form = page.context["form"]
    response = organiser_client.post(
        reverse("admin:cases_edition_clone", args=[source.pk]),
        {name: form.initial.get(name) or "" for name in form.fields},
    )

    assert response.status_code == 302
    copy = Edition.objects.exclude(pk=source.pk).get()
    assert (copy.title, copy.year, copy.cloned_from) == ("第七届", 2020, source)
    round_ = Round.objects.get(edition=copy)
    assert (round_.name, round_.status) == ("初审", "draft")
    assert list(round_.criteria.values_list("name", flat=True)) == ["创新性"]
    panel = Panel.objects.get(edition=copy)
    assert list(panel.categories.values_list("edition_id", "name")) == [(copy.pk, "舆情引导")]
    assert panel.memberships.count() == 1


def test_edition_page_lists_its_rounds_and_panels(organiser_client):
    edition = make_edition()
    make_round(edition=edition, name="实地核实", kind="verification")
    make_panel(edition=edition, name="党建组")

    html = organiser_client.get(reverse("admin:cases_edition_change", args=[edition.pk])).content
    html = html.decode()

    assert 'value="实地核实"' in html
    assert 'value="党建组"' in html
