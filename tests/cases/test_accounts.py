import re

import pytest
from django.core import mail
from django.urls import reverse

from cases.models import AuditEntry, MembershipRole, Unit, UnitMembership, UnitType, User
from cases.services import DomainError
from cases.services.accounts import (
    email_confirm,
    email_confirmation_token,
    invitation_accept,
    unit_invite,
    unit_register,
)
from tests.factories import make_member, make_unit, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Huizhou-2026-xinyong"


def registration_data(**overrides):
    data = {
        "full_name": "李明",
        "email": "liming@example.org",
        "phone": "13800000000",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "unit_name": "惠州市发展和改革局",
        "unit_type": UnitType.PARTY_GOVERNMENT,
        "unit_level": "municipal",
        "unit_region": "",
        "unit_contact_phone": "0752-1234567",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def test_register_creates_user_unverified_unit_and_admin_membership(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register"), registration_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case-list")
    user = User.objects.get(email="liming@example.org")
    unit = Unit.objects.get(name="惠州市发展和改革局")
    assert unit.verified is False
    assert unit.contact_phone == "0752-1234567"
    assert UnitMembership.objects.get(user=user).role == MembershipRole.ADMIN
    assert [m.to for m in mail.outbox] == [["liming@example.org"]]
    assert "确认" in mail.outbox[0].subject
    # logged in straight away: the dashboard answers
    assert client.get(reverse("portal:case-list")).status_code == 200


def test_register_page_is_in_chinese_with_labels(client):
    response = client.get(reverse("register"))

    assert response.status_code == 200
    for label in [
        "姓名",
        "电子邮箱",
        "单位名称",
        "单位类型",
        "行政层级",
        "所在地区",
        "单位联系电话",
    ]:
        assert f">{label}" in response.text


def test_register_with_name_of_unit_that_has_members_is_refused_and_not_duplicated(client):
    unit = make_unit(name="中共潮州市委")
    make_member(unit=unit, role=MembershipRole.ADMIN)

    response = client.post(
        reverse("register"), registration_data(unit_name=" 中共潮州市委 ", unit_type="")
    )

    assert response.status_code == 200
    assert "已有账号。请联系本单位的账号管理员向您发送邀请" in response.text
    assert Unit.objects.filter(name="中共潮州市委").count() == 1
    assert not User.objects.filter(email="liming@example.org").exists()
    assert 'value="李明"' in response.text  # nothing typed is lost


def test_register_claims_existing_unit_without_members_and_unverifies_it(client):
    unit = make_unit(name="揭阳市金属企业联合会", verified=True)

    client.post(
        reverse("register"), registration_data(unit_name="揭阳市金属企业联合会", unit_type="")
    )

    unit.refresh_from_db()
    assert Unit.objects.filter(name="揭阳市金属企业联合会").count() == 1
    assert unit.memberships.get().role == MembershipRole.ADMIN
    assert unit.verified is False
    assert AuditEntry.objects.filter(code="cases.unit.claimed", object_id=str(unit.pk)).exists()


def test_register_new_unit_requires_type(client):
    response = client.post(reverse("register"), registration_data(unit_type=""))

    assert response.status_code == 200
    assert "新登记的单位请选择单位类型" in response.text
    assert not Unit.objects.exists()


def test_register_refuses_taken_email_and_mismatched_passwords(client):
    make_user(email="liming@example.org")

    response = client.post(reverse("register"), registration_data(password2="something-else-2026"))

    assert "该邮箱已注册" in response.text
    assert "两次输入的密码不一致" in response.text


def test_unit_register_service_refuses_duplicate_email():
    make_user(email="a@example.org")

    with pytest.raises(DomainError):
        unit_register(
            email="A@example.org",
            password=PASSWORD,
            full_name="甲",
            phone="1",
            unit_name="新单位",
            unit_type=UnitType.ENTERPRISE,
        )


def test_email_confirmation_link_confirms(client):
    user = make_user()

    response = client.get(reverse("email-confirm", args=[email_confirmation_token(user)]))

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.email_confirmed_at is not None


def test_email_confirmation_with_tampered_token_is_refused():
    user = make_user()

    with pytest.raises(DomainError):
        email_confirm(token=email_confirmation_token(user) + "x")


def test_admin_invites_colleague_who_creates_account_and_joins(
    client, django_capture_on_commit_callbacks
):
    unit = make_unit()
    admin = make_member(unit=unit, role=MembershipRole.ADMIN)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("unit-members"), {"unit": unit.pk, "email": "colleague@example.org"}
        )

    assert response.status_code == 302
    assert mail.outbox[-1].to == ["colleague@example.org"]
    link = link_in(mail.outbox[-1])
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "colleague@example.org" in page.text
    response = client.post(
        link,
        {
            "full_name": "王芳",
            "phone": "139",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
        },
    )
    colleague = User.objects.get(email="colleague@example.org")
    assert response.status_code == 302
    assert colleague.email_confirmed_at is not None
    assert UnitMembership.objects.get(user=colleague).unit == unit
    assert UnitMembership.objects.get(user=colleague).role == MembershipRole.MEMBER


def test_signed_in_user_accepts_invitation_for_own_address(client):
    unit = make_unit()
    admin = make_member(unit=unit, role=MembershipRole.ADMIN)
    existing = make_user(email="existing@example.org")
    token = unit_invite(unit=unit, email="existing@example.org", by=admin)
    client.force_login(existing)

    client.post(reverse("invitation-accept", args=[token]))

    assert UnitMembership.objects.filter(unit=unit, user=existing).exists()


def test_invitation_cannot_be_used_by_another_account():
    unit = make_unit()
    admin = make_member(unit=unit, role=MembershipRole.ADMIN)
    token = unit_invite(unit=unit, email="invited@example.org", by=admin)
    intruder = make_user(email="intruder@example.org")

    with pytest.raises(DomainError):
        invitation_accept(token=token, user=intruder)

    assert not UnitMembership.objects.filter(user=intruder).exists()


def test_plain_member_cannot_invite(client):
    unit = make_unit()
    member = make_member(unit=unit)
    client.force_login(member)

    client.post(reverse("unit-members"), {"unit": unit.pk, "email": "x@example.org"})

    assert mail.outbox == []
    with pytest.raises(DomainError):
        unit_invite(unit=unit, email="x@example.org", by=member)


def test_admin_cannot_invite_into_another_unit(client):
    own = make_unit()
    other = make_unit()
    admin = make_member(unit=own, role=MembershipRole.ADMIN)
    client.force_login(admin)

    client.post(reverse("unit-members"), {"unit": other.pk, "email": "x@example.org"})

    assert mail.outbox == []


def test_invalid_invitation_link_redirects_with_message(client):
    response = client.get(reverse("invitation-accept", args=["not-a-token"]), follow=True)

    assert "邀请链接无效" in response.text


def test_login_with_email_and_logout(client):
    make_user(email="login@example.org", password=PASSWORD)

    response = client.post(
        reverse("login"), {"username": "Login@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case-list")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:case-list")).status_code == 302


def test_login_page_is_in_chinese(client):
    response = client.get(reverse("login"))

    assert "<h1>登录</h1>" in response.text
    assert "忘记密码" in response.text


def test_password_reset_sends_chinese_mail_and_sets_new_password(client):
    make_user(email="reset@example.org")

    client.post(reverse("password_reset"), {"email": "reset@example.org"})

    assert mail.outbox[-1].subject == "重设密码 · 治理创新案例评选平台"
    link = link_in(mail.outbox[-1])
    response = client.get(link, follow=True)
    assert "设置新密码" in response.text
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Chaozhou-2026-xiangxian", "new_password2": "Chaozhou-2026-xiangxian"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("login"), {"username": "reset@example.org", "password": "Chaozhou-2026-xiangxian"}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.email == "reset@example.org"


def test_password_change(client):
    user = make_user(password=PASSWORD)
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Jieyang-2026-jinshu",
            "new_password2": "Jieyang-2026-jinshu",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Jieyang-2026-jinshu")


def test_unit_members_page_lists_only_own_units(client):
    unit = make_unit(name="本单位")
    other = make_unit(name="别的单位")
    make_member(unit=other, email="other@example.org")
    user = make_member(unit=unit, role=MembershipRole.ADMIN)
    client.force_login(user)

    response = client.get(reverse("unit-members"))

    assert "本单位" in response.text
    assert "别的单位" not in response.text
    assert "other@example.org" not in response.text
    assert "邀请同事" in response.text


def test_register_suggests_only_units_that_are_verified_or_hold_an_account(client):
    make_unit(name="已核验单位", verified=True)
    held = make_unit(name="已有账号的单位")
    make_member(unit=held)
    make_unit(name="某案例草稿里写的新单位")

    response = client.get(reverse("register"))

    assert '<option value="已核验单位">' in response.text
    assert '<option value="已有账号的单位">' in response.text
    assert "某案例草稿里写的新单位" not in response.text
