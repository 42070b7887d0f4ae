"""Back-office pages of the heat rankings: permissions (model permissions, never staff
status), the import page with errors beside the form, publication, query counts."""

import pytest
from django.urls import reverse

from judging.heat.models import HeatResult, MentionCount
from tests.factories import make_unit, make_user

from .data import heat_organiser, make_item, make_list, make_period, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    period = make_period()
    heat_list = make_list(period=period)
    make_item(heat_list=heat_list, unit=make_unit(name="黄石市财政局"), title="预算管理一体化")
    return period


def import_url(period):
    return reverse("admin:judging_heatperiod_import", args=[period.pk])


def publish_url(period):
    return reverse("admin:judging_heatperiod_publish", args=[period.pk])


def test_anonymous_is_sent_to_login(client, period):
    for url in (import_url(period), publish_url(period)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_staff_without_permissions_gets_404(client, period):
    client.force_login(make_user(is_staff=True, is_superuser=False))
    assert client.get(import_url(period)).status_code == 404
    assert client.get(publish_url(period)).status_code == 404
    upload = xlsx_upload([["单位", "名称", "微博"], ["黄石市财政局", "预算管理一体化", 3]])
    assert client.post(import_url(period), {"file": upload}).status_code == 404
    assert client.post(publish_url(period)).status_code == 404
    assert MentionCount.objects.count() == 0 and HeatResult.objects.count() == 0


def test_organiser_with_import_permission_imports(client, period):
    client.force_login(heat_organiser("change_mentioncount", "view_heatperiod"))
    upload = xlsx_upload([["单位", "名称", "微博"], ["黄石市财政局", "预算管理一体化", 3]])
    response = client.post(import_url(period), {"file": upload})
    assert response.status_code == 302
    assert list(MentionCount.objects.values_list("platform", "count")) == [("微博", 3)]


def test_import_errors_are_shown_and_nothing_is_imported(client, period):
    client.force_login(heat_organiser("change_mentioncount"))
    upload = xlsx_upload([["单位", "名称", "微博"], ["黄石市财政局", "预算管理一体化", "x"]])
    response = client.post(import_url(period), {"file": upload})
    assert response.status_code == 200
    assert "第2行「微博」列:“x”不是不小于 0 的整数提及量。" in response.content.decode()
    assert MentionCount.objects.count() == 0
    empty = client.post(import_url(period), {})
    assert "这个字段是必填项" in empty.content.decode()


def test_viewer_sees_preview_but_cannot_publish(client, period):
    client.force_login(heat_organiser("view_heatperiod"))
    response = client.get(publish_url(period))
    assert response.status_code == 200
    assert "你没有发布排行榜的权限" in response.content.decode()
    assert client.post(publish_url(period)).status_code == 404
    assert HeatResult.objects.count() == 0


def test_publisher_publishes_and_bad_time_is_a_form_error(client, period):
    client.force_login(heat_organiser("view_heatperiod", "publish_heatperiod"))
    bad = client.post(publish_url(period), {"published_at": "2023-13-99 99:99"})
    assert bad.status_code == 200
    assert "输入一个有效的日期/时间" in bad.content.decode()
    assert client.post(publish_url(period), {"published_at": ""}).status_code == 302
    assert HeatResult.objects.get().rank == 1


@pytest.mark.parametrize("rows", [1, 5])
def test_publish_page_query_count_does_not_grow(client, django_assert_num_queries, rows):
    period = make_period()
    heat_list = make_list(period=period)
    for _ in range(rows):
        make_item(heat_list=heat_list)
    client.force_login(heat_organiser("view_heatperiod", "publish_heatperiod"))
    url = publish_url(period)
    client.get(url)
    # session, user, permissions ×2, period, has-mentions, items, lists
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
