import datetime
import hashlib
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Attachment,
    AttachmentKind,
    AuditEntry,
    Case,
    CaseStatus,
    Edition,
    EditionStatus,
    MembershipRole,
    Programme,
    Unit,
    UnitLevel,
    UnitType,
    User,
)
from cases.services import case_transition
from judging.demo import DEMO_PASSWORD, build_demo
from judging.models import Award, Judge, PanelRole, RoundEntry
from tests.factories import make_case, make_member
from tests.judging.test_certificates import pdf_text

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A fixed "now" (Wednesday 2026-03-04 10:00 in Shanghai) keeps the dates of the open call exact.
NOW = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)

PROGRAMME_NAMES = [
    "粤治—治理现代化",
    "“粤有数”新技术治理案例",
    "中国网络理政十大卓越案例",
    "荆楚网社会治理创新排行榜",
]

DEMO_EMAILS = [
    "organiser@demo.example.org",
    "judge1@demo.example.org",
    "judge2@demo.example.org",
    "judge3@demo.example.org",
    "shantou-admin@demo.example.org",
    "shantou-member@demo.example.org",
    "yuexiu-admin@demo.example.org",
    "yuexiu-member@demo.example.org",
    "jiangmen-admin@demo.example.org",
    "jiangmen-member@demo.example.org",
]


def edition(programme_slug, slug):
    return Edition.objects.get(programme__slug=programme_slug, slug=slug)


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for app in ("cases", "judging", "auth")
        for model in apps.get_app_config(app).get_models()
    }


# --- The command ------------------------------------------------------------------------------
def test_command_on_empty_database_prints_accounts_in_chinese(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    out = io.StringIO()

    call_command("build_demo", stdout=out)

    text = out.getvalue()
    assert text.startswith("演示数据已建立")
    assert "http://127.0.0.1:8000/admin/" in text
    assert "http://127.0.0.1:8000/programmes/yuezhi/2026-demo/" in text
    assert f"密码均为 {DEMO_PASSWORD}" in text
    for email in DEMO_EMAILS:
        assert email in text
    assert list(Programme.objects.values_list("name", flat=True)) == PROGRAMME_NAMES


def test_command_second_run_says_nothing_changed():
    call_command("build_demo", stdout=io.StringIO())
    out = io.StringIO()

    call_command("build_demo", "--url", "http://127.0.0.1:8123/", stdout=out)

    assert out.getvalue().startswith("演示数据已存在,本次未作改动。")
    assert "http://127.0.0.1:8123/admin/" in out.getvalue()


# --- Idempotency ------------------------------------------------------------------------------
def test_second_run_creates_and_changes_nothing():
    build_demo(now=NOW)
    counts = row_counts()
    passwords = dict(User.objects.values_list("email", "password"))
    open_call = edition("yuezhi", "2026-demo")

    again = build_demo(now=NOW + datetime.timedelta(days=3))

    assert dict(again.created) == {}
    assert row_counts() == counts
    assert dict(User.objects.values_list("email", "password")) == passwords
    refreshed = edition("yuezhi", "2026-demo")
    assert (refreshed.opens_at, refreshed.closes_at, refreshed.status) == (
        open_call.opens_at,
        open_call.closes_at,
        EditionStatus.OPEN,
    )


def test_first_run_creates_every_row_it_reports():
    build = build_demo(now=NOW)

    created = {model._meta.label: count for model, count in build.created.items()}

    # Every row of these models comes from the demo, so the report must match the table.
    for label in ("cases.Programme", "cases.Edition", "cases.Case", "cases.Unit", "judging.Award"):
        assert created[label] == apps.get_model(label).objects.count()
    assert (
        created["cases.Case"] == 57 + 5 + 4
    )  # 57 archive winners, 5 demo entries, 4 put to the vote
    assert created["cases.User"] == len(DEMO_EMAILS)


def test_rerun_keeps_a_password_changed_after_creation():
    build_demo(now=NOW)
    user = User.objects.get(email="shantou-admin@demo.example.org")
    user.set_password("changed-by-the-user-1")
    user.save()

    build_demo(now=NOW)

    user.refresh_from_db()
    assert user.check_password("changed-by-the-user-1")
    assert not user.check_password(DEMO_PASSWORD)


def test_rerun_after_the_deadline_moves_the_demo_deadline():
    build_demo(now=NOW)
    later = NOW + datetime.timedelta(weeks=10)

    build = build_demo(now=later)

    open_call = edition("yuezhi", "2026-demo")
    assert build.deadline_moved is True
    # 10 weeks after 2026-03-04 is 2026-05-13; the deadline is 6 weeks later at 17:30.
    assert open_call.closes_at == datetime.datetime(2026, 6, 24, 17, 30, tzinfo=SHANGHAI)
    assert open_call.is_accepting_submissions(later)
    assert AuditEntry.objects.filter(code="cases.edition.deadline_moved").count() == 1


# --- Archive: the seed facts --------------------------------------------------------------------
def awards_of(edition_obj):
    return Award.objects.filter(edition=edition_obj).select_related(
        "case", "tier", "category", "commentator"
    )


def tier_counts(edition_obj):
    counts = {}
    for award in awards_of(edition_obj):
        counts[award.tier.name] = counts.get(award.tier.name, 0) + 1
    return counts


def test_yueyoushu_2021_has_2_best_10_excellent_2_shortlisted():
    build_demo(now=NOW)

    yys = edition("yueyoushu", "2021")

    assert tier_counts(yys) == {"最佳案例": 2, "优秀案例": 10, "入围案例": 2}
    assert list(yys.tiers.values_list("name", "quota")) == [
        ("最佳案例", 2),
        ("优秀案例", 10),
        ("入围案例", 2),
    ]
    assert yys.results_published_at == datetime.datetime(2021, 12, 23, tzinfo=SHANGHAI)


def test_yueyoushu_best_cases_lead_units_and_commentators():
    build_demo(now=NOW)

    best = awards_of(edition("yueyoushu", "2021")).filter(tier__name="最佳案例").order_by("order")

    assert [
        (
            award.case.title,
            [link.unit.name for link in award.case.lead_unit_links.all()],
            award.commentator.name,
        )
        for award in best
    ] == [
        ("“人民党建云”智慧党建平台", ["人民网·人民数据"], "陈天祥"),
        ("“越有数”数字政府“一中心三板块”", ["广州市越秀区政务服务数据管理局"], "雷强"),
    ]
    assert best[1].citation.startswith("“数据如水,善治之而利天下;数据胜水,共享之而利无穷”。")
    assert best[0].commentator.title == (
        "中山大学政务学院教授、广州南方学院公共管理学院院长、"
        "“粤有数”新技术治理案例评审委员会联席主任"
    )


def test_yueyoushu_shortlisted_cases_split_one_experts_commentary():
    build_demo(now=NOW)

    shortlisted = (
        awards_of(edition("yueyoushu", "2021")).filter(tier__name="入围案例").order_by("order")
    )

    assert [(a.case.title, a.commentator.name) for a in shortlisted] == [
        ("5G+VR数字政府“智慧晓屋”", "刘红波"),
        ("贝富溯源——新型数字化食品安全管控模式", "刘红波"),
    ]
    assert shortlisted[0].citation.startswith("“政务晓屋”是政府一站式服务的创新模式")
    assert shortlisted[1].citation.startswith("科技赋能食品安全已经成为共识")


def test_yueyoushu_committee_panel_has_its_two_officers():
    build_demo(now=NOW)

    panel = edition("yueyoushu", "2021").panels.get()

    assert panel.name == "“粤有数”新技术治理案例评审委员会"
    assert sorted(panel.memberships.values_list("judge__name", "role")) == [
        ("蓝云", PanelRole.SECRETARY),
        ("陈天祥", PanelRole.CO_CHAIR),
    ]


def test_top_ten_commentators_are_the_signed_experts():
    build_demo(now=NOW)

    top_ten = edition("wangluo-lizheng", "2016-2021")

    assert top_ten.results_unordered is True
    assert {a.commentator.name: a.commentator.title for a in awards_of(top_ten)} == {
        "张志安": "中山大学传播与设计学院教授、国家高端智库中山大学粤港澳发展研究院副院长",
        "陈涛": "华中科技大学公共管理学院教授、博士生导师",
        "卢家银": "中山大学传播与设计学院教授、博士生导师",
        "邓兆安": "山东省网络社会组织联合会会长,高级编辑",
        "王少辉": "武汉大学政治与公共管理学院行政管理系副主任、副教授",
        "郑磊": "复旦大学国际关系与公共事务学院教授,数字与移动治理实验室主任",
        "黄晓春": "上海大学社会学院教授、院长",
        "郑长忠": "上海高校智库·复旦大学政党建设与国家发展研究中心主任,国务院参事室研究员",
        "郑跃平": "中山大学数字治理研究中心主任",
        "侯锷": "中国传媒大学媒介与公共事务研究院高级研究员、公共关系与战略传播研究所副所长",
    }
    assert tier_counts(top_ten) == {"十大卓越案例": 10}
    shanghai_case = awards_of(top_ten).get(case__title="上海“一网通办”")
    assert shanghai_case.citation == (
        "从帮老百姓办好一件件“小事”入手,倒逼政府内部的流程再造和数据治理,推动了政府提供公共"
        "服务的理念和方式的革命性重塑。"
    )
    # The seed prints no 主创单位 for this case; none is invented.
    assert shanghai_case.case.lead_units.count() == 0


def test_shantou_history_is_the_seeds_seven_awards():
    build_demo(now=NOW)

    shantou = (
        Award.objects.filter(case__lead_units__region__path__startswith="广东省/汕头市")
        .distinct()
        .select_related("edition", "tier", "category", "case")
    )

    assert sorted(
        (a.edition.number, a.category.name, a.tier.name, a.case.title) for a in shantou
    ) == [
        (2, "政府治理创新", "优秀案例", "汕头潮阳“反哺工程”推动政府治理创新"),
        (2, "舆情引导", "优秀案例", "汕头公安处置“虐童事件”"),
        (4, "政府治理创新", "优秀案例", "汕头强化城市管理推进“创文”工作"),
        (5, "舆情引导", "优秀案例", "汕头潮阳破局两大“邻避问题”"),
        (6, "党建引领社会治理创新", "提名奖", "汕头市濠江区党建领航社会治理“三化”建设"),
        (6, "政府治理创新", "优秀案例", "深化创文提质升级模式,引领城市治理新跨越"),
        (6, "舆情引导", "提名奖", "汕头市“8·30”抗涝救灾舆情管控引导战"),
    ]


def test_yuezhi_sixth_edition_records_only_the_seeds_winners():
    build_demo(now=NOW)

    sixth = edition("yuezhi", "edition-6")

    assert sixth.period_label == "2018—2019年度"
    assert list(sixth.categories.values_list("name", flat=True)) == [
        "党建引领社会治理创新",
        "政府治理创新",
        "舆情引导",
        "大数据与公共服务",
    ]
    assert tier_counts(sixth) == {"优秀案例": 1, "提名奖": 2}
    excellent = awards_of(sixth).get(tier__name="优秀案例")
    assert excellent.signed_as == "南方舆情数据研究院专家委员会"
    assert excellent.commentator is None
    assert excellent.citation.startswith("抓重点、攻难点,补短板、强弱项,树亮点、育品牌。")
    assert "38个优秀案例(含提名奖)" in sixth.call_text


def test_yuezhi_seed_000_edition_is_labelled_as_inferred():
    build_demo(now=NOW)

    third = edition("yuezhi", "edition-3")

    assert (third.title, third.period_label) == ("第三届", "2015—2016年度(推定)")
    per_category = {}
    for award in awards_of(third):
        per_category[award.category.name] = per_category.get(award.category.name, 0) + 1
    assert per_category == {"政府治理创新": 10, "舆情引导": 8, "大数据与公共服务": 8}
    huizhou = awards_of(third).get(case__title="惠州市社会信用体系建设")
    assert [u.name for u in huizhou.case.lead_units.all()] == ["惠州市发展和改革局"]
    assert huizhou.case.summary.startswith("诚信是市场经济的基石")


def test_jingchu_ranking_has_three_lists_rules_and_no_scores():
    build_demo(now=NOW)

    march = edition("jingchu-shehui-zhili", "2023-03")

    assert list(march.categories.values_list("name", flat=True)) == ["省直", "市州", "区县"]
    assert march.call_text.startswith("排行榜规则说明:\n1、数据来源于荆楚网")
    assert "主流媒体报道热度等于案例在省级、央级以上媒体平台提及量的标准化数值" in march.call_text
    assert march.cases.count() == 0
    assert RoundEntry.objects.filter(round__edition=march).count() == 0


def test_archive_editions_are_archived_through_the_transitions():
    build_demo(now=NOW)

    archive = Edition.objects.exclude(slug__in=["2026-demo", "2025-public-vote-demo"])

    assert set(archive.values_list("status", flat=True)) == {EditionStatus.ARCHIVED}
    assert not archive.filter(results_published_at__isnull=True).exists()
    sixth = edition("yuezhi", "edition-6")
    assert list(
        AuditEntry.objects.filter(object_type="cases.edition", object_id=str(sixth.pk))
        .order_by("pk")
        .values_list("code", flat=True)
    ) == [
        "cases.edition.open",
        "cases.edition.screening",
        "cases.edition.reviewing",
        "cases.edition.deciding",
        "cases.edition.published",
        "cases.edition.archived",
    ]


def test_archive_cases_are_awarded_and_experts_have_no_account():
    build_demo(now=NOW)

    archive_cases = Case.objects.exclude(edition__slug__in=["2026-demo", "2025-public-vote-demo"])

    assert set(archive_cases.values_list("status", flat=True)) == {CaseStatus.AWARDED}
    assert archive_cases.count() == Award.objects.count() == 57
    experts = Judge.objects.filter(user__isnull=True)
    assert experts.count() == 10 + 13  # 十大 and 粤有数
    assert set(experts.values_list("public", flat=True)) == {True}


def test_units_get_type_level_and_region():
    build_demo(now=NOW)

    assert {
        name: (unit_type, level, path)
        for name, unit_type, level, path in Unit.objects.filter(
            name__in=["汕头市委宣传部", "中山市南头镇党委", "人民网·人民数据", "广东省总工会"]
        ).values_list("name", "type", "level", "region__path")
    } == {
        "汕头市委宣传部": (UnitType.PARTY_GOVERNMENT, UnitLevel.MUNICIPAL, "广东省/汕头市"),
        "中山市南头镇党委": (
            UnitType.PARTY_GOVERNMENT,
            UnitLevel.TOWNSHIP,
            "广东省/中山市/南头镇",
        ),
        "人民网·人民数据": (UnitType.MEDIA, UnitLevel.CENTRAL, "北京市"),
        "广东省总工会": (UnitType.PARTY_GOVERNMENT, UnitLevel.PROVINCIAL, "广东省"),
    }


# Characters that exist only in Traditional Chinese; none may survive the conversion.
TRADITIONAL_ONLY = re.compile(
    "[與為國數據網區會說這個們來對時將發經還變黨務體設應讓實際監測廣東華範粵]"
)


def test_stored_text_is_simplified_chinese():
    build_demo(now=NOW)

    texts = [
        *Case.objects.values_list("title", "summary"),
        *Award.objects.values_list("citation", "signed_as"),
        *Judge.objects.values_list("name", "title"),
        *Edition.objects.values_list("title", "call_text", "contact"),
        *Programme.objects.values_list("name", "description", "hosts", "organisers"),
        *Unit.objects.values_list("name"),
    ]

    found = {char for row in texts for text in row for char in TRADITIONAL_ONLY.findall(text)}
    assert found == set()


# --- The open edition -------------------------------------------------------------------------
def test_open_edition_accepts_submissions_until_six_weeks_from_today():
    build_demo(now=NOW)

    open_call = edition("yuezhi", "2026-demo")

    assert open_call.status == EditionStatus.OPEN
    assert open_call.is_accepting_submissions(NOW)
    # NOW is 2026-03-04 in Shanghai: opens two weeks before at 09:00, closes six weeks after.
    assert open_call.opens_at == datetime.datetime(2026, 2, 18, 9, 0, tzinfo=SHANGHAI)
    assert open_call.closes_at == datetime.datetime(2026, 4, 15, 17, 30, tzinfo=SHANGHAI)
    assert list(open_call.categories.values_list("code", flat=True)) == ["DJ", "ZF", "YQ", "DS"]
    assert list(open_call.tiers.values_list("name", "quota", "quota_scope")) == [
        ("优秀案例", 5, "per_category"),
        ("提名奖", 5, "per_category"),
    ]


def test_open_edition_demo_cases_went_through_case_transition():
    build_demo(now=NOW)

    cases = Case.objects.filter(edition__slug="2026-demo").order_by("pk")

    assert [(c.status, c.reference, c.versions.count()) for c in cases] == [
        (CaseStatus.SUBMITTED, "2026-ZF-0001", 1),
        (CaseStatus.DRAFT, "", 0),
        (CaseStatus.SUBMITTED, "2026-DS-0001", 1),
        (CaseStatus.DRAFT, "", 0),
        (CaseStatus.SUBMITTED, "2026-ZF-0002", 1),
    ]
    assert all("(演示)" in c.title and c.summary.startswith("【演示案例") for c in cases)
    assert AuditEntry.objects.filter(code="cases.case.submitted").count() == 3


def is_well_formed_pdf(data):
    """A PDF a reader can open: header, `startxref` pointing at a cross-reference table
    whose every in-use entry points at the start of its object, and at least one page."""
    if not (data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")):
        return False
    start = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    if start is None:
        return False
    offset = int(start.group(1))
    table = re.match(rb"xref\s+(\d+) (\d+)\s+", data[offset:])
    if table is None:
        return False
    first, count = int(table.group(1)), int(table.group(2))
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", data[offset + table.end() :])[:count]
    for number, (position, _generation, kind) in enumerate(entries, start=first):
        if kind == b"n" and not data[int(position) :].startswith(b"%d 0 obj" % number):
            return False
    return len(entries) == count and re.search(rb"/Type /Page\b", data) is not None


def test_demo_submissions_went_through_the_portal_services(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build_demo(now=NOW)

    codes = list(
        AuditEntry.objects.filter(object_type="cases.case", object_id__in=demo_case_ids())
        .order_by("pk")
        .values_list("code", flat=True)
    )

    assert codes.count("cases.case.created") == 5
    assert codes.count("cases.attachment.added") == 3
    assert codes.count("cases.case.submitted") == 3
    # case_submit mails its receipt to the submitting person.
    assert sorted(m.subject for m in mail.outbox) == [
        "【申报回执】2026-DS-0001 “越有数”数据中台赋能基层精细治理(演示)",
        "【申报回执】2026-ZF-0001 创文常态长效机制推动城市精细化治理(演示)",
        "【申报回执】2026-ZF-0002 “微市长”政务服务平台迭代升级(演示)",
    ]


def demo_case_ids():
    demo_cases = Case.objects.filter(edition__slug="2026-demo")
    return [str(pk) for pk in demo_cases.values_list("pk", flat=True)]


def test_demo_submitted_cases_were_submitted_with_their_application_form():
    build_demo(now=NOW)

    cases = Case.objects.filter(edition__slug="2026-demo").order_by("pk")

    assert [
        (c.status, list(c.attachments.values_list("kind", "original_name", "content_type")))
        for c in cases
    ] == [
        (
            CaseStatus.SUBMITTED,
            [(AttachmentKind.APPLICATION_FORM, "申报书.pdf", "application/pdf")],
        ),
        (CaseStatus.DRAFT, []),
        (
            CaseStatus.SUBMITTED,
            [(AttachmentKind.APPLICATION_FORM, "申报书.pdf", "application/pdf")],
        ),
        (CaseStatus.DRAFT, []),
        (
            CaseStatus.SUBMITTED,
            [(AttachmentKind.APPLICATION_FORM, "申报书.pdf", "application/pdf")],
        ),
    ]
    for case in cases.filter(status=CaseStatus.SUBMITTED):
        attachment = case.attachments.get()
        # The submitted version froze the same file.
        assert case.versions.get().data["attachments"] == [
            {
                "kind": "application_form",
                "name": "申报书.pdf",
                "sha256": attachment.sha256,
                "size": attachment.size,
            }
        ]
        assert case.contact_phone and case.declaration_accepted


def test_demo_application_form_downloads_as_a_pdf_for_a_member_of_its_unit(client):
    build_demo(now=NOW)
    attachments = Attachment.objects.filter(case__edition__slug="2026-demo").select_related(
        "case__owner_unit"
    )

    for attachment in attachments:
        client.force_login(
            User.objects.get(
                unit_memberships__unit=attachment.case.owner_unit,
                unit_memberships__role=MembershipRole.MEMBER,
            )
        )
        response = client.get(reverse("portal:attachment-download", args=[attachment.pk]))
        data = b"".join(response.streaming_content)

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
        assert is_well_formed_pdf(data)
        text = pdf_text(data)
        assert "案例申报书" in text
        assert attachment.case.title in text
        assert attachment.case.owner_unit.name in text
    assert attachments.count() == 3


def test_demo_application_form_is_404_for_another_unit(client):
    build_demo(now=NOW)
    attachment = Attachment.objects.filter(case__owner_unit__name="江门市人民政府").get()
    client.force_login(make_member(unit=Unit.objects.get(name="汕头市委宣传部")))

    response = client.get(reverse("portal:attachment-download", args=[attachment.pk]))

    assert response.status_code == 404


def test_rerun_stores_no_new_file(settings):
    build_demo(now=NOW)
    files = sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())

    build_demo(now=NOW)

    assert sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == files
    assert len(files) == 4  # three 申报书 PDFs and the call's 申报书模板 .docx


def test_open_edition_takes_a_new_submission():
    build_demo(now=NOW)
    open_call = edition("yuezhi", "2026-demo")
    unit = Unit.objects.get(name="江门市人民政府")
    case = make_case(
        edition=open_call, category=open_call.categories.get(code="ZF"), owner_unit=unit
    )

    case_transition(
        case, CaseStatus.SUBMITTED, by=User.objects.get(email="jiangmen-admin@demo.example.org")
    )

    assert case.reference == "2026-ZF-0003"


# --- Accounts ---------------------------------------------------------------------------------
def test_every_demo_account_can_log_in_with_the_demo_password(client):
    build_demo(now=NOW)

    logins = {}
    for email in DEMO_EMAILS:
        # django-axes watches every authentication, so it needs the request.
        logins[email] = client.login(request=HttpRequest(), email=email, password=DEMO_PASSWORD)
        client.logout()

    assert logins == dict.fromkeys(DEMO_EMAILS, True)


def test_organiser_logs_into_the_admin(client):
    build_demo(now=NOW)

    response = client.post(
        reverse("admin:login"),
        {
            "username": "organiser@demo.example.org",
            "password": DEMO_PASSWORD,
            "next": reverse("admin:index"),
        },
        follow=True,
    )

    assert response.status_code == 200
    assert response.context["user"].email == "organiser@demo.example.org"
    assert response.request["PATH_INFO"] == reverse("admin:index")


def test_only_the_organiser_is_staff():
    build_demo(now=NOW)

    assert list(User.objects.filter(is_staff=True).values_list("email", "is_superuser")) == [
        ("organiser@demo.example.org", False)
    ]


def test_each_demo_unit_has_one_admin_and_one_member_and_is_verified():
    build_demo(now=NOW)

    units = Unit.objects.filter(memberships__isnull=False).distinct()

    assert sorted(units.values_list("name", flat=True)) == sorted(
        ["汕头市委宣传部", "广州市越秀区政务服务数据管理局", "江门市人民政府"]
    )
    for unit in units:
        assert unit.verified is True
        assert sorted(unit.memberships.values_list("role", flat=True)) == sorted(
            [MembershipRole.ADMIN, MembershipRole.MEMBER]
        )


def test_judge_accounts_sit_on_the_open_editions_panel():
    build_demo(now=NOW)

    panel = edition("yuezhi", "2026-demo").panels.get()

    assert sorted(panel.memberships.values_list("judge__user__email", "role")) == [
        ("judge1@demo.example.org", PanelRole.CHAIR),
        ("judge2@demo.example.org", PanelRole.MEMBER),
        ("judge3@demo.example.org", PanelRole.MEMBER),
    ]


# --- Pages ------------------------------------------------------------------------------------
def test_home_page_shows_the_programmes_and_the_open_call(client, django_assert_num_queries):
    build_demo(now=timezone.now())

    with django_assert_num_queries(5):  # the programmes (3), open calls, open public votes
        response = client.get(reverse("cases:home"))

    assert response.status_code == 200
    for name in PROGRAMME_NAMES:
        assert name in response.text
    assert "2026年度(演示)" in response.text
    assert "正在进行的网络投票" in response.text


def test_demo_public_vote_is_open_on_the_confirmed_cases_and_reachable_from_home(client):
    from judging.models import RoundKind, RoundStatus
    from judging.voting.models import PublicVoteSettings

    build = build_demo(now=timezone.now())
    round_ = build.public_vote_round
    assert round_.kind == RoundKind.PUBLIC_VOTE and round_.status == RoundStatus.OPEN
    rules = PublicVoteSettings.objects.get(round=round_)
    assert rules.source_round.status == RoundStatus.CLOSED
    assert round_.entries.count() == 4
    ballot = reverse("voting:ballot", args=[round_.pk])
    assert ballot in client.get(reverse("cases:home")).text
    assert "“越有数”数据中台赋能基层精细治理(演示)" in client.get(ballot).text
    assert build_demo(now=timezone.now()).created == {}


@pytest.mark.browser
def test_organiser_signs_in_to_the_back_office(page, transactional_db):
    build_demo()

    page.goto("/admin/login/")
    page.get_by_label("电子邮箱").fill("organiser@demo.example.org")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("heading", name="评选活动管理").wait_for()
    assert page.url.endswith("/admin/")


def test_demo_statistics_add_up_for_every_published_edition():
    from judging.selectors.public import edition_statistics

    build_demo(now=NOW)

    checked = 0
    published = [EditionStatus.PUBLISHED, EditionStatus.ARCHIVED]
    for archived in Edition.objects.filter(status__in=published):
        stats = edition_statistics(archived)
        for rows in (stats.entries_by_category, stats.entries_by_region, stats.entries_by_level):
            assert sum(count for _label, count in rows) == stats.entries_total, archived
        assert sum(count for _label, count in stats.awards_by_category) == stats.awards_total
        checked += 1
    yys = edition_statistics(edition("yueyoushu", "2021"))
    # seed 003 names no 领域 per case and no 报送单位: 未分类, regions from the 主创单位
    assert stats_row(yys.entries_by_category, "未分类") == 14
    assert stats_row(yys.entries_by_region, "未填写地区") < 14
    assert checked == 8


def stats_row(rows, label):
    return dict(rows).get(label, 0)
