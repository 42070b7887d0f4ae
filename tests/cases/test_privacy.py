"""DATA-03: the privacy notice (个人信息处理规则) at registration with a required consent that is
recorded (time + notice version); the notice linked from every page's footer; 我的个人信息 —
view, xlsx export, correction and a deletion request an organiser handles in the back office,
which keeps submitted cases and the audit trail. Every action is audited."""

import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases import privacy
from cases.models import (
    AuditEntry,
    Case,
    CaseStatus,
    MembershipRole,
    PersonalDataRequest,
    PersonalDataRequestStatus,
    UnitMembership,
    User,
)
from cases.services.accounts import unit_invite
from tests.audit_helpers import audited
from tests.cases.test_accounts import PASSWORD, link_in, registration_data
from tests.factories import (
    make_case,
    make_edition,
    make_member,
    make_organiser,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db


def member_with_case(**user_fields):
    unit = make_unit(name="江门市数据管理局")
    user = make_member(
        unit=unit,
        role=MembershipRole.ADMIN,
        password=PASSWORD,
        full_name=user_fields.pop("full_name", "陈静"),
        phone="13900001111",
        **user_fields,
    )
    case = make_case(
        edition=make_edition(title="第七届"),
        owner_unit=unit,
        title="一网通办",
        created_by=user,
        contact_name="陈静",
        contact_phone="0750-3333333",
        contact_email=user.email,
    )
    return user, unit, case


# --- Consent at registration ------------------------------------------------------------
def test_registration_without_the_consent_is_refused_and_creates_nothing(client):
    page = client.get(reverse("register"))
    assert "个人信息处理规则" in page.text
    assert "收集哪些信息" in page.text
    assert re.search(r'<input type="checkbox" name="privacy_consent"[^>]* required', page.text)

    data = registration_data()
    del data["privacy_consent"]
    response = client.post(reverse("register"), data)

    assert response.status_code == 200
    assert "请阅读并同意《个人信息处理规则》后再继续。" in response.text
    assert not User.objects.exists()


def test_registration_records_the_time_and_version_of_the_consent(client):
    response = client.post(reverse("register"), registration_data())

    assert response.status_code == 302
    user = User.objects.get(email="liming@example.org")
    assert user.privacy_notice_version == privacy.NOTICE_VERSION
    assert user.privacy_consent_at is not None
    assert abs((user.privacy_consent_at - user.date_joined).total_seconds()) < 60
    entry = audited(privacy.CONSENTED, actor=user, obj=user)
    assert entry.data == {"version": privacy.NOTICE_VERSION}


def test_an_invited_colleague_consents_before_the_account_is_made(
    client, django_capture_on_commit_callbacks
):
    unit = make_unit()
    admin = make_member(unit=unit, role=MembershipRole.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        unit_invite(unit=unit, email="colleague@example.org", by=admin)
    link = link_in(mail.outbox[-1])
    fields = {"full_name": "王芳", "phone": "139", "password1": PASSWORD, "password2": PASSWORD}

    refused = client.post(link, fields)
    accepted = client.post(link, {**fields, "privacy_consent": "on"})

    assert "请阅读并同意《个人信息处理规则》后再继续。" in refused.text
    assert accepted.status_code == 302
    colleague = User.objects.get(email="colleague@example.org")
    assert colleague.privacy_notice_version == privacy.NOTICE_VERSION


def test_the_notice_is_linked_from_the_footer_and_says_what_purpose_and_retention(client, settings):
    settings.PERSONAL_DATA_RETENTION_MONTHS = 24
    settings.PRIVACY_CONTACT = "王工 020-88888888"
    home = client.get(reverse("cases:home"))
    footer = home.text.split('<footer class="site-footer">', 1)[1]
    assert f'href="{reverse("cases:privacy-notice")}"' in footer

    page = client.get(reverse("cases:privacy-notice"))

    assert page.status_code == 200
    for heading in ("收集哪些信息", "用于什么目的", "保存多久", "谁能看到", "您的权利", "联系我们"):
        assert f"<h3>{heading}</h3>" in page.text
    assert "结果发布 24 个月后自动匿名化" in page.text
    assert "王工 020-88888888" in page.text
    assert f"版本 {privacy.NOTICE_VERSION}" in page.text


# --- View --------------------------------------------------------------------------------
def test_my_data_shows_profile_units_case_contacts_and_login_history(client):
    user, unit, case = member_with_case()
    stranger_unit = make_unit(name="别的单位")
    make_case(
        edition=case.edition,
        owner_unit=stranger_unit,
        title="别人的案例",
        contact_name="赵六",
        contact_email="zhao@example.org",
    )
    assert client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert client.post(reverse("login"), {"username": user.email, "password": PASSWORD})

    page = client.get(reverse("my-data"))

    assert page.status_code == 200
    text = page.text
    for shown in ("陈静", user.email, "13900001111", "江门市数据管理局", "单位管理员"):
        assert shown in text
    assert "一网通办" in text and "0750-3333333" in text
    assert "别人的案例" not in text and "赵六" not in text
    logins = text.split('id="my-logins"', 1)[1]
    assert logins.count("<tr><td>") == 2  # the failure and the success, newest first
    assert "127.0.0.1" in logins
    assert "依法保留的记录" in text
    audited(privacy.VIEWED, actor=user, obj=user)


def test_my_data_needs_a_login(client):
    response = client.get(reverse("my-data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_data_queries_do_not_grow_with_cases_units_and_logins(client):
    user, unit, case = member_with_case()
    client.force_login(user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("my-data"))
    for _n in range(4):
        other_unit = make_unit()
        UnitMembership.objects.create(unit=other_unit, user=user)
        make_case(edition=case.edition, owner_unit=other_unit, created_by=user)
        client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    client.force_login(user)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("my-data"))

    assert page.text.count("一网通办") == 1 and page.text.count("<tr><td>") > 10
    assert len(many) == len(few)


# --- Export ------------------------------------------------------------------------------
def test_export_is_an_xlsx_of_everything_shown_and_is_audited(client):
    user, unit, case = member_with_case(full_name="=HYPERLINK(1)")
    client.force_login(user)

    response = client.get(reverse("my-data-export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["账号信息", "所属单位", "案例联系信息", "登录记录"]
    profile = {row[0]: row[1] for row in book["账号信息"].iter_rows(values_only=True)}
    assert profile["电子邮箱"] == user.email
    assert profile["手机号码"] == "13900001111"
    assert profile["同意的个人信息处理规则版本"] in ("", None)
    name_cell = book["账号信息"]["B2"]
    assert (name_cell.value, name_cell.data_type) == ("=HYPERLINK(1)", "s")  # text, not formula
    units = list(book["所属单位"].iter_rows(values_only=True))
    assert units[1][:2] == ("江门市数据管理局", "单位管理员")
    cases = list(book["案例联系信息"].iter_rows(values_only=True))
    assert cases[1][2:] == ("一网通办", "陈静", "0750-3333333", user.email)
    entry = audited(privacy.EXPORTED, actor=user, obj=user)
    assert entry.data == {"cases": 1, "logins": 1}  # force_login is a login too


# --- Correction --------------------------------------------------------------------------
def test_correction_validates_phone_and_refuses_an_address_in_use(client):
    user, unit, case = member_with_case()
    make_user(email="taken@example.org")
    client.force_login(user)
    form = client.get(reverse("my-data-edit"))
    assert 'value="13900001111"' in form.text

    bad_phone = client.post(
        reverse("my-data-edit"), {"full_name": "陈静", "phone": "call me", "email": user.email}
    )
    taken = client.post(
        reverse("my-data-edit"),
        {"full_name": "陈静", "phone": "13900001111", "email": "TAKEN@example.org"},
    )

    assert "请填写有效的电话号码" in bad_phone.text
    assert "该邮箱已被其他账号使用。" in taken.text
    user.refresh_from_db()
    assert (user.phone, user.email) == ("13900001111", user.email)
    assert not AuditEntry.objects.filter(code=privacy.CORRECTED).exists()


def test_correction_saves_audits_and_asks_to_confirm_a_new_address(
    client, django_capture_on_commit_callbacks
):
    user, unit, case = member_with_case(email="old@example.org")
    user.email_confirmed_at = user.date_joined
    user.save()
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("my-data-edit"),
            {"full_name": " 陈  静 ", "phone": "010-6666 7777", "email": "New@Example.org"},
        )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.email) == ("陈 静", "010-6666 7777", "new@example.org")
    assert user.email_confirmed_at is None
    assert mail.outbox[-1].to == ["new@example.org"]
    entry = audited(privacy.CORRECTED, actor=user, obj=user)
    assert entry.data["fields"] == ["full_name", "phone", "email"]
    assert entry.data["before"]["email"] == "old@example.org"
    case.refresh_from_db()
    assert case.contact_phone == "0750-3333333"  # a case's contact is edited on the case


# --- Deletion ----------------------------------------------------------------------------
def test_deletion_request_needs_the_confirmation_and_is_recorded_once(client):
    user, unit, case = member_with_case()
    client.force_login(user)
    page = client.get(reverse("my-data-delete"))
    assert "已提交的申报材料(含提交版本)和安全审计记录" in page.text

    unconfirmed = client.post(reverse("my-data-delete"), {"reason": "离职"})
    assert "请勾选确认后再提交删除申请。" in unconfirmed.text
    assert not PersonalDataRequest.objects.exists()

    done = client.post(reverse("my-data-delete"), {"reason": "离职", "confirm": "on"})
    again = client.post(reverse("my-data-delete"), {"reason": "再次", "confirm": "on"})

    assert done.status_code == 302
    request = PersonalDataRequest.objects.get()
    assert (request.user, request.user_label, request.reason, request.status) == (
        user,
        user.email,
        "离职",
        PersonalDataRequestStatus.PENDING,
    )
    assert "正在处理中" in again.text
    assert PersonalDataRequest.objects.count() == 1
    audited(privacy.DELETION_REQUESTED, actor=user, obj=user)
    assert "正在处理中" in client.get(reverse("my-data")).text


def test_organiser_carries_out_the_deletion_keeping_cases_and_the_audit_trail(client):
    user, unit, case = member_with_case()
    case.status = CaseStatus.SUBMITTED
    case.save()
    member = signed_in_client(user)
    member.post(reverse("my-data-delete"), {"confirm": "on"})
    request = PersonalDataRequest.objects.get()
    rows_before = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))
    organiser = make_organiser()
    client.force_login(organiser)

    response = client.post(
        reverse("admin:cases_personaldatarequest_changelist"),
        {"action": "carry_out", "_selected_action": [request.pk]},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.is_active) == ("", "", False)
    assert user.email == f"deleted-{user.pk}@invalid.example"
    assert not user.has_usable_password()
    assert not UnitMembership.objects.filter(user=user).exists()
    # The member's session is gone: the next request is sent to log in.
    assert member.get(reverse("my-data")).status_code == 302
    # Retained records: the submitted case (with its contact as submitted) and every audit row.
    assert Case.objects.get(pk=case.pk).contact_name == "陈静"
    rows_after = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))
    assert rows_after[: len(rows_before)] == rows_before
    request.refresh_from_db()
    assert (request.status, request.handled_by) == (PersonalDataRequestStatus.DONE, organiser)
    audited(privacy.DELETION_DONE, actor=organiser, obj=request)


def test_refusing_a_deletion_needs_a_reason(client):
    user, unit, case = member_with_case()
    request = PersonalDataRequest.objects.create(user=user, user_label=user.email)
    organiser = make_organiser()
    client.force_login(organiser)
    changelist = reverse("admin:cases_personaldatarequest_changelist")

    client.post(changelist, {"action": "refuse", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.status == PersonalDataRequestStatus.PENDING

    request.response = "该账号是本单位唯一的账号管理员,请先移交。"
    request.save()
    client.post(changelist, {"action": "refuse", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.status == PersonalDataRequestStatus.REFUSED
    user.refresh_from_db()
    assert user.is_active
    audited(privacy.DELETION_REFUSED, actor=organiser, obj=request)


def signed_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_registration_collects_only_the_personal_data_the_notice_names(client):
    """Data minimisation: the personal fields of the account forms are the ones the notice
    lists with their purpose; a new one (an ID number, say) fails here until the notice
    names it."""
    from cases.forms.accounts import InvitationAcceptForm, RegistrationForm

    not_personal = {"password1", "password2", "privacy_consent", "unit_confirmed_new"}
    personal = {
        name
        for form in (RegistrationForm, InvitationAcceptForm)
        for name in form.base_fields
        if name not in not_personal and not name.startswith("unit_")
    }
    notice = client.get(reverse("cases:privacy-notice")).text

    assert personal == {"full_name", "email", "phone"}
    for label in ("姓名", "电子邮箱", "手机号码", "所属单位", "联系人姓名", "联系电话", "联系邮箱"):
        assert label in notice, label
