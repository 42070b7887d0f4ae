"""What the platform holds about one person (SECURITY.md DATA-03, PIPL 第45条): their account,
their unit memberships, the contact details written on cases they created or are named on,
their login history from the audit trail and their deletion requests. A fixed number of
queries, whatever the number of rows."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import privacy
from .models import AuditEntry, Case, PersonalDataRequest, UnitMembership


@dataclass
class PersonalData:
    user: object
    memberships: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    requests: list = field(default_factory=list)

    def profile_rows(self):
        user = self.user
        return [
            (_("姓名"), user.full_name),
            (_("电子邮箱"), user.email),
            (_("手机号码"), user.phone),
            (_("注册时间"), user.date_joined),
            (_("邮箱确认时间"), user.email_confirmed_at),
            (_("同意个人信息处理规则时间"), user.privacy_consent_at),
            (_("同意的个人信息处理规则版本"), user.privacy_notice_version),
        ]

    def tables(self):
        """`(sheet title, header, rows)` of each part, as exported."""
        return [
            (_("账号信息"), [_("项目"), _("内容")], [(str(k), v) for k, v in self.profile_rows()]),
            (
                _("所属单位"),
                [_("单位名称"), _("角色"), _("加入时间")],
                [(m.unit.name, m.get_role_display(), m.created_at) for m in self.memberships],
            ),
            (
                _("案例联系信息"),
                [
                    _("届"),
                    _("案例编号"),
                    _("案例名称"),
                    _("联系人"),
                    _("联系电话"),
                    _("联系邮箱"),
                ],
                [
                    (
                        str(c.edition),
                        c.reference,
                        c.title,
                        c.contact_name,
                        c.contact_phone,
                        c.contact_email,
                    )
                    for c in self.cases
                ],
            ),
            (
                _("登录记录"),
                [_("时间"), _("事件"), _("结果"), _("来源IP"), _("浏览器标识")],
                [
                    (e.created_at, e.code, e.get_result_display(), e.ip or "", e.user_agent)
                    for e in self.logins
                ],
            ),
        ]


def personal_data(user):
    """Everything shown on 我的个人信息 for `user` (four queries)."""
    memberships = list(
        UnitMembership.objects.filter(user=user).select_related("unit").order_by("unit__name")
    )
    cases = list(
        Case.objects.filter(Q(created_by=user) | Q(contact_email__iexact=user.email))
        .select_related("edition__programme")
        .order_by("-created_at", "-pk")
    )
    logins = list(
        AuditEntry.objects.filter(
            object_type=user._meta.label_lower,
            object_id=str(user.pk),
            code__in=privacy.LOGIN_HISTORY_CODES,
        ).order_by("-seq")[: privacy.LOGIN_HISTORY_LIMIT]
    )
    requests = list(PersonalDataRequest.objects.filter(user=user).order_by("-created_at", "-pk"))
    return PersonalData(
        user=user, memberships=memberships, cases=cases, logins=logins, requests=requests
    )
