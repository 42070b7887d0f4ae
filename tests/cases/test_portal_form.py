import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus, CaseVersion, EditionStatus, MembershipRole
from cases.services import case_transition
from cases.services.submission import case_submit
from tests.audit_helpers import audited
from tests.factories import (
    make_attachment,
    make_case,
    make_category,
    make_complete_case,
    make_edition,
    make_member,
    make_organiser,
    make_unit,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return make_edition(summary_char_limit=20, body_char_limit=100)


@pytest.fixture
def unit():
    make_unit(name="惠州市信用办")  # the second lead unit of `form_data`, in the register
    return make_unit(name="惠州市发展和改革局", verified=True)


@pytest.fixture
def member(unit, client):
    user = make_member(unit=unit, role=MembershipRole.ADMIN, full_name="李明")
    client.force_login(user)
    return user


def closing_soon():
    # The moved clock stays inside the session's idle timeout (SESSION_IDLE_TIMEOUT, 30 min).
    return make_edition(closes_at=timezone.now() + timedelta(minutes=20))


def form_data(case, **overrides):
    data = {
        "media-TOTAL_FORMS": "2",
        "media-INITIAL_FORMS": "0",
        "media-0-url": "",
        "media-1-url": "",
        "category": case.category_id or "",
        "title": case.title,
        "lead_units": "惠州市发展和改革局\r\n惠州市信用办",
        "submitting_unit": "惠州市发展和改革局",
        "contact_name": "李明",
        "contact_phone": "0752-1234567",
        "contact_email": "liming@example.org",
        "summary": "惠州率先建成公共信用信息管理系统。",
        "background": "背景",
        "practice": "做法",
        "outcomes": "成效",
        "promotion_value": "价值",
        "declaration_accepted": "on",
    }
    data.update(overrides)
    return data


def update_url(case):
    return reverse("portal:case-update", args=[case.pk])


def test_start_case_from_open_edition(client, edition, member, unit):
    category = make_category(edition=edition, name="政府治理创新")

    response = client.post(
        reverse("portal:case-create", args=[edition.pk]),
        {"owner_unit": unit.pk, "category": category.pk, "title": "惠州市社会信用体系建设"},
    )

    case = Case.objects.get()
    assert response["Location"] == update_url(case)
    assert case.owner_unit == unit
    assert case.category == category


def test_start_case_page_is_404_when_edition_closed(client, member):
    closed = make_edition(status=EditionStatus.REVIEWING)

    response = client.get(reverse("portal:case-create", args=[closed.pk]))

    assert response.status_code == 404


def test_form_page_has_labels_counters_and_script(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit)

    response = client.get(update_url(case))

    text = response.text
    assert response.status_code == 200
    for label in ["案例类别", "案例名称", "主创单位", "报送单位", "联系人", "联系电话", "联系邮箱"]:
        assert f">{label}" in text
    for label in ["案例简介", "背景", "主要做法(创新点)", "取得成效", "推广价值", "申报书"]:
        assert f">{label}" in text
    assert 'data-char-limit="20"' in text
    assert 'data-char-group-limit="100"' in text
    assert "js/char-counter.js" in text
    assert "<script>" not in text and 'style="' not in text
    assert text.count("<h1") == 1


def test_save_draft_stores_text_and_redirects(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit, category=make_category(edition=edition))

    response = client.post(
        update_url(case),
        form_data(
            case,
            save="1",
            summary="第一行\r\n第二行",
            **{"media-0-url": "https://example.org/news", "media-0-outlet": "南方日报"},
        ),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.summary == "第一行\n第二行"  # stored with LF, as the live counter counts
    assert case.status == CaseStatus.DRAFT
    assert [link.unit.name for link in case.lead_unit_links.order_by("order")] == [
        "惠州市发展和改革局",
        "惠州市信用办",
    ]
    assert case.media_coverage.get().outlet == "南方日报"


def test_save_draft_with_almost_nothing_is_fine(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit)

    response = client.post(
        update_url(case),
        {"media-TOTAL_FORMS": "0", "media-INITIAL_FORMS": "0", "title": "", "save": "1"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == ""


def test_submit_lists_every_problem_next_to_its_field_and_in_summary(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit)

    response = client.post(
        update_url(case),
        form_data(
            case,
            submit="1",
            summary="这是一段超过二十个字的案例简介,用来测试字数上限的提示。",
            contact_phone="",
            declaration_accepted="",
        ),
    )

    assert response.status_code == 200
    text = response.text
    assert 'id="error-summary"' in text
    for field in ["category", "contact_phone", "summary", "application_form"]:
        assert f'id="id_{field}_error"' in text
        assert f'href="#id_{field}"' in text
    assert 'id="id_declaration_accepted_error"' in text
    assert "提交前请勾选真实性承诺" in text
    assert "超过 20 字的上限" in text
    assert "您填写的内容已保存为草稿" in text
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.contact_name == "李明"  # saved as a draft: nothing typed is lost


def test_unverified_unit_is_told_it_cannot_submit(client, edition):
    unit = make_unit(verified=False)
    for name in ("惠州市发展和改革局", "惠州市信用办"):
        make_unit(name=name)
    user = make_member(unit=unit)
    client.force_login(user)
    case = make_complete_case(edition=edition, owner_unit=unit)

    page = client.get(update_url(case))
    response = client.post(update_url(case), form_data(case, submit="1"))

    assert "尚未通过组织方核验" in page.text
    assert "尚未通过组织方核验,暂时只能保存草稿" in response.text
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_complete_submit_redirects_to_receipt_and_mails(
    client, edition, member, unit, django_capture_on_commit_callbacks
):
    case = make_complete_case(edition=edition, owner_unit=unit)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(update_url(case), form_data(case, submit="1"))

    case.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case-receipt", args=[case.pk])
    assert case.status == CaseStatus.SUBMITTED
    assert case.reference
    assert len(mail.outbox) == 1
    receipt = client.get(response["Location"])
    assert case.reference in receipt.text
    assert "案例申报回执" in receipt.text


def test_upload_then_submit_in_one_post(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit, category=make_category(edition=edition))

    response = client.post(
        update_url(case),
        form_data(
            case,
            submit="1",
            application_form=SimpleUploadedFile("申报书.pdf", pdf_bytes()),
        ),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.versions.get().data["attachments"][0]["name"] == "申报书.pdf"


def test_resubmit_edited_case_keeps_both_versions(client, edition, member, unit):
    case = case_submit(case=make_complete_case(edition=edition, owner_unit=unit), by=member)

    page = client.get(update_url(case))
    response = client.post(update_url(case), form_data(case, submit="1", title="修改后的名称"))

    assert "重新提交" in page.text
    assert "保存草稿" not in page.text
    assert 'name="save"' not in page.text
    assert response.status_code == 302
    assert list(
        CaseVersion.objects.filter(case=case).order_by("number").values_list("number", flat=True)
    ) == [1, 2]


def test_returned_case_shows_reason_and_can_be_resubmitted_after_deadline(client, member, unit):
    edition = closing_soon()
    case = case_submit(case=make_complete_case(edition=edition, owner_unit=unit), by=member)
    case_transition(case, CaseStatus.RETURNED, by=make_organiser(), reason="请补充成效数据")
    after = edition.closes_at + timedelta(minutes=5)

    with mock.patch("django.utils.timezone.now", return_value=after):
        detail = client.get(reverse("portal:case-detail", args=[case.pk]))
        response = client.post(update_url(case), form_data(case, submit="1"))

    assert "请补充成效数据" in detail.text
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_deadline_race_draft_opened_before_posted_after_is_kept_not_submitted(client, member, unit):
    edition = closing_soon()
    case = make_complete_case(edition=edition, owner_unit=unit)
    deadline = edition.closes_at

    with mock.patch("django.utils.timezone.now", return_value=deadline - timedelta(seconds=1)):
        opened = client.get(update_url(case))
    with mock.patch("django.utils.timezone.now", return_value=deadline):
        response = client.post(update_url(case), form_data(case, submit="1", title="最后一刻"))

    assert opened.status_code == 200
    assert response.status_code == 200
    assert "截止" in response.text
    assert "案例未能提交" in response.text
    assert "您填写的内容已保存为草稿" in response.text
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.title == "最后一刻"
    assert case.versions.count() == 0


def test_deadline_race_submitted_case_edit_after_deadline_is_refused_and_redisplayed(
    client, member, unit
):
    edition = closing_soon()
    case = case_submit(
        case=make_complete_case(edition=edition, owner_unit=unit, title="已提交"), by=member
    )
    deadline = edition.closes_at

    with mock.patch("django.utils.timezone.now", return_value=deadline - timedelta(seconds=1)):
        client.get(update_url(case))
    with mock.patch("django.utils.timezone.now", return_value=deadline + timedelta(seconds=1)):
        response = client.post(
            update_url(case),
            form_data(
                case,
                submit="1",
                title="截止后的修改",
                application_form=SimpleUploadedFile("新申报书.pdf", pdf_bytes()),
            ),
        )

    assert response.status_code == 200
    assert "本次修改未保存" in response.text
    assert 'value="截止后的修改"' in response.text  # shown again so nothing is lost
    case.refresh_from_db()
    assert case.title == "已提交"
    assert case.versions.count() == 1
    assert not case.attachments.filter(original_name="新申报书.pdf").exists()


def test_submitted_case_form_redirects_to_detail_after_deadline(client, member, unit):
    edition = closing_soon()
    case = case_submit(case=make_complete_case(edition=edition, owner_unit=unit), by=member)

    with mock.patch(
        "django.utils.timezone.now", return_value=edition.closes_at + timedelta(minutes=1)
    ):
        response = client.get(update_url(case))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case-detail", args=[case.pk])


def test_withdraw_through_confirmation_page(client, edition, member, unit):
    case = case_submit(case=make_complete_case(edition=edition, owner_unit=unit), by=member)
    url = reverse("portal:case-withdraw", args=[case.pk])

    page = client.get(url)
    response = client.post(url, {"reason": "案例已参加其他评选"})

    assert "确认撤回" in page.text
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.status_reason == "案例已参加其他评选"


def test_withdraw_page_is_404_once_accepted(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit, status=CaseStatus.ACCEPTED)

    assert client.get(reverse("portal:case-withdraw", args=[case.pk])).status_code == 404


def test_pdf_receipt(client, edition, member, unit):
    case = case_submit(case=make_complete_case(edition=edition, owner_unit=unit), by=member)

    response = client.get(reverse("portal:case-receipt-pdf", args=[case.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"STSong-Light" in response.content
    assert f"receipt-{case.reference}-v1.pdf" in response["Content-Disposition"]
    entry = audited("cases.receipt.downloaded", actor=member, obj=case)
    assert entry.data == {"filename": f"receipt-{case.reference}-v1.pdf", "version": 1}


def test_receipt_is_404_before_first_submission(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit)

    assert client.get(reverse("portal:case-receipt", args=[case.pk])).status_code == 404
    assert client.get(reverse("portal:case-receipt-pdf", args=[case.pk])).status_code == 404


def test_organiser_sees_what_changed_between_versions(client, edition, member, unit):
    case = make_complete_case(edition=edition, owner_unit=unit, outcomes="信用体系连续3年全省第一")
    case = case_submit(case=case, by=member)
    case.outcomes = "信用体系连续4年全省第一,成为全国示范城市"
    case.save()
    case = case_submit(case=case, by=member)
    client.force_login(make_organiser())

    response = client.get(reverse("portal:case-history", args=[case.pk]))

    assert response.status_code == 200
    assert "第 1 版 → 第 2 版" in response.text
    assert "<del>3</del><ins>4</ins>" in response.text
    assert "<ins>,成为全国示范城市</ins>" in response.text


# --- Media coverage rows: "add another" in the browser, two empty rows without it ----------
def test_form_page_has_two_empty_media_rows_and_a_template_for_more(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit)

    text = client.get(update_url(case)).text

    assert 'name="media-TOTAL_FORMS" value="2"' in text
    assert '<label for="id_media-0-url">报道 1 链接</label>' in text
    assert '<label for="id_media-1-url">报道 2 链接</label>' in text
    template = re.search(r"<template data-formset-empty>(.*?)</template>", text, re.S).group(1)
    assert '<label for="id_media-__prefix__-url">报道 0 链接</label>' in template
    assert 'name="media-__prefix__-outlet"' in template
    assert 'name="media-__prefix__-published_on"' in template
    # Shown only when static/js/formset.js runs.
    assert (
        '<button type="button" class="secondary" data-formset-add hidden>再添加一篇报道</button>'
        in text
    )
    assert "js/formset.js" in text


def test_rows_added_in_the_browser_are_saved_in_order(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit, category=make_category(edition=edition))
    rows = {
        "media-TOTAL_FORMS": "4",  # the two rows of the page and two added by the script
        **{f"media-{i}-url": f"https://example.org/{i}" for i in range(4)},
        "media-3-outlet": "南方日报",
        "media-3-published_on": "2026-03-01",
    }

    response = client.post(update_url(case), form_data(case, save="1", **rows))
    page = client.get(update_url(case)).text

    assert response.status_code == 302
    assert list(case.media_coverage.values_list("url", "outlet", "published_on")) == [
        ("https://example.org/0", "", None),
        ("https://example.org/1", "", None),
        ("https://example.org/2", "", None),
        ("https://example.org/3", "南方日报", date(2026, 3, 1)),
    ]
    assert 'name="media-TOTAL_FORMS" value="6"' in page  # four saved, two empty


# --- Character limits count code points, as the live counter does -------------------------
# "数字政府" 4 + "Gov" 3 + 😀 1 + 👍🏽 2 (thumb + skin tone) + 👨‍👩‍👧 5 (three people joined by
# two zero-width joiners) + "一二三四五" 5 = 20 code points = 20 字 by len().
MIXED_20 = "数字政府Gov😀👍🏽👨‍👩‍👧一二三四五"


def test_mixed_text_counts_one_per_code_point():
    assert len(MIXED_20) == 20


def test_summary_at_the_limit_in_mixed_text_is_accepted(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit, category=make_category(edition=edition))
    make_attachment(case=case)

    # Ideographic spaces (paragraph indent pasted from Word) and the line break at the ends
    # are stripped, by the form here and by the live counter in the browser.
    response = client.post(
        update_url(case), form_data(case, submit="1", summary="\u3000\u3000" + MIXED_20 + "\r\n")
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.summary, case.status) == (MIXED_20, CaseStatus.SUBMITTED)


def test_summary_one_over_the_limit_in_mixed_text_is_refused(client, edition, member, unit):
    case = make_case(edition=edition, owner_unit=unit, category=make_category(edition=edition))
    make_attachment(case=case)

    response = client.post(update_url(case), form_data(case, submit="1", summary=MIXED_20 + "!"))

    assert "案例简介共 21 字,超过 20 字的上限,请删减 1 字。" in response.text
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
