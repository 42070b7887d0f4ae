"""Import of mention counts, publication and `verify_results` on the heat rankings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cases.models import AuditEntry, EditionStatus
from judging.heat.imports import MentionImportError, mentions_import
from judging.heat.models import HeatResult, MentionCount
from judging.heat.selectors import compute_period
from judging.heat.services import heat_period_publish, verify_heat
from tests.factories import make_organiser, make_unit

from .data import (
    add_coverage,
    add_mentions,
    csv_upload,
    make_item,
    make_list,
    make_outlet,
    make_period,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    period = make_period()
    heat_list = make_list(period=period)
    court = make_item(
        heat_list=heat_list, unit=make_unit(name="湖北省高级人民法院"), title="失信预警"
    )
    hr = make_item(heat_list=heat_list, unit=make_unit(name="湖北省人社厅"), title="23℃人社服务")
    safety = make_item(heat_list=heat_list, unit=make_unit(name="湖北省应急管理厅"), title="应急")
    return period, court, hr, safety


def test_import_xlsx_writes_counts_and_audits(month):
    period, court, hr, safety = month
    upload = xlsx_upload(
        [
            ["单位", "名称", "微博", "微信"],
            ["湖北省高级人民法院", "失信预警", 10, 5],
            ["湖北省人社厅", "23℃人社服务", 30, None],
        ]
    )
    report = mentions_import(period=period, upload=upload, by=make_organiser())
    assert (report.items, report.counts, report.platforms) == (2, 3, ["微博", "微信"])
    assert dict(MentionCount.objects.filter(item=court).values_list("platform", "count")) == {
        "微博": 10,
        "微信": 5,
    }
    assert AuditEntry.objects.filter(code="judging.heat.mentions.imported").count() == 1


def test_import_bad_rows_name_row_and_column_and_import_nothing(month):
    period, court, hr, safety = month
    add_mentions(court, 微博=7)
    upload = xlsx_upload(
        [
            ["单位", "名称", "微博", "快手"],
            ["湖北省高级人民法院", "失信预警", 10, 1],
            ["湖北省人社厅", "23℃人社服务", "很多", 1],
            ["不存在的单位", "某案例", 1, 1],
            ["湖北省应急管理厅", "应急", -3, 1],
        ]
    )
    with pytest.raises(MentionImportError) as raised:
        mentions_import(period=period, upload=upload, by=None)
    assert raised.value.lines == [
        "第1行「快手」列:不是本系列的平台。可用的平台:微博、微信、抖音。",
    ]
    upload = xlsx_upload(
        [
            ["单位", "名称", "微博"],
            ["湖北省高级人民法院", "失信预警", 10],
            ["湖北省人社厅", "23℃人社服务", "很多"],
            ["不存在的单位", "某案例", 1],
            ["湖北省应急管理厅", "应急", -3],
            ["湖北省应急管理厅", "别的案例", 2],
            ["湖北省高级人民法院", "失信预警", 3],
        ]
    )
    with pytest.raises(MentionImportError) as raised:
        mentions_import(period=period, upload=upload, by=None)
    assert raised.value.lines == [
        "第3行「微博」列:“很多”不是不小于 0 的整数提及量。",
        "第4行「单位」列:本月榜单中没有单位“不存在的单位”的条目“某案例”。请先在后台添加该条目。",
        "第5行「微博」列:“-3”不是不小于 0 的整数提及量。",
        "第6行「名称」列:本月榜单中没有单位“湖北省应急管理厅”的条目“别的案例”。请先在后台添加该条目。",
        "第7行「名称」列:与第2行是同一条目。",
    ]
    # nothing imported, the earlier count kept
    assert list(MentionCount.objects.values_list("item", "platform", "count")) == [
        (court.pk, "微博", 7)
    ]


def test_import_refuses_a_file_without_the_name_columns_or_not_a_table(month):
    period = month[0]
    with pytest.raises(MentionImportError) as raised:
        mentions_import(period=period, upload=csv_upload("单位,微博\n甲,1\n"), by=None)
    assert raised.value.lines == ["缺少「名称」列。"]
    binary = csv_upload("")
    binary.file.write(b"\x89PNG\r\n\x1a\n\x00\x00")
    binary.file.seek(0)
    binary.size = 10
    with pytest.raises(MentionImportError) as raised:
        mentions_import(period=period, upload=binary, by=None)
    assert "不是 xlsx" in raised.value.lines[0]


def test_missing_platform_column_counts_as_zero(month):
    """A file without 抖音: the online sum is over the platforms present, by hand
    court 10+5=15, hr 30, safety 0 → 50, 100, 0."""
    period, court, hr, safety = month
    upload = csv_upload(
        "单位,名称,微博,微信\n湖北省高级人民法院,失信预警,10,5\n湖北省人社厅,23℃人社服务,30,0\n"
    )
    mentions_import(period=period, upload=upload, by=None)
    figures = {item.pk: f for item, f in next(iter(compute_period(period).values()))}
    assert [figures[i.pk].online_mentions for i in (court, hr, safety)] == [15, 30, 0]
    assert [figures[i.pk].online_index for i in (court, hr, safety)] == [50, 100, 0]


def test_publish_freezes_figures_and_verify_finds_a_tampered_one(month, capsys):
    period, court, hr, safety = month
    central, provincial = make_outlet("人民日报", "central"), make_outlet("湖北日报", "provincial")
    city = make_outlet("长江日报", "municipal")
    add_coverage(hr, central, provincial, city)  # 2 mainstream
    add_coverage(court, central)  # 1
    add_mentions(court, 微博=10, 微信=10)  # 20
    add_mentions(hr, 抖音=40)  # 40
    organiser = make_organiser()

    heat_period_publish(period=period, by=organiser)

    period.edition.refresh_from_db()
    assert period.edition.status == EditionStatus.PUBLISHED
    stored = {r.item_id: r for r in HeatResult.objects.all()}
    # online 20/40/0 → 50, 100, 0; coverage 1/2/0 → 50, 100, 0; composite equal weights
    assert [stored[i.pk].composite for i in (court, hr, safety)] == [
        Decimal("50.0000"),
        Decimal("100.0000"),
        Decimal("0.0000"),
    ]
    assert [stored[i.pk].rank for i in (court, hr, safety)] == [2, 1, 3]
    assert verify_heat() == []

    HeatResult.objects.filter(item=court).update(composite=Decimal("60.0000"))
    with pytest.raises(CommandError):
        call_command("verify_results")
    output = capsys.readouterr().out
    assert "湖北省高级人民法院 · 失信预警 composite: stored 60.0000, recomputed 50.0000" in output


def test_verify_results_passes_when_untouched(month, capsys):
    heat_period_publish(period=month[0], by=None)
    call_command("verify_results")
    assert "0 difference(s)" in capsys.readouterr().out


def test_verify_checks_an_embargoed_month_too(month):
    period, court, hr, safety = month
    heat_period_publish(period=period, by=None, at=timezone.now() + timedelta(days=3))
    HeatResult.objects.filter(item=hr).update(rank=9)
    assert [(d.item, d.what, d.stored, d.recomputed) for d in verify_heat()] == [
        ("湖北省人社厅 · 23℃人社服务", "rank", 9, 1)
    ]
