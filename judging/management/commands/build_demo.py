"""`manage.py build_demo`: build the demo data (idempotent) and print the demo accounts.

It lives in `judging` because the demo records archive awards, which are judging data, and
`cases` never imports `judging`.
"""

import contextlib

from django.conf import settings
from django.core.management.base import BaseCommand
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from judging.demo import DEMO_PASSWORD, AccountRole, build_demo


class Command(BaseCommand):
    help = _("用种子文档中的往届结果、一届正在征集的评选和演示账号建立演示数据(可重复运行)。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=settings.SITE_URL,
            help=_("打印账号时使用的网站地址(默认取 SITE_URL)"),
        )

    def handle(self, *args, url, **options):
        build = build_demo()
        self.stdout.write(report(build, url.rstrip("/")))


def report(build, base):
    """The text printed after a run: what was created, where to go, the demo accounts."""
    if build.created:
        counts = pgettext("list separator", "、").join(
            f"{model._meta.verbose_name} {count}"
            for model, count in sorted(build.created.items(), key=lambda item: item[0]._meta.label)
        )
        lines = [_("演示数据已建立,新建:%(counts)s。") % {"counts": counts}]
    else:
        lines = [_("演示数据已存在,本次未作改动。")]
    if build.deadline_moved:
        lines.append(_("演示征集的截止时间已过,已顺延。"))
    edition = build.open_edition
    closes_at = timezone.localtime(edition.closes_at)
    lines += [
        "",
        _("网站地址:%(url)s") % {"url": f"{base}/"},
        _("正在征集:%(edition)s %(url)s")
        % {"edition": edition, "url": f"{base}{edition.get_absolute_url()}"},
        _("申报截止:%(deadline)s(北京时间)") % {"deadline": f"{closes_at:%Y-%m-%d %H:%M}"},
        *_public_vote_lines(build.public_vote_round, base),
        "",
        _("演示账号(密码均为 %(password)s,只在创建账号时设置,再次运行不会重置):")
        % {"password": DEMO_PASSWORD},
        *_account_lines(build.accounts, base),
    ]
    # The login page belongs to the unit portal; it is printed once that URL exists.
    with contextlib.suppress(NoReverseMatch):
        lines += ["", _("登录页面:%(url)s") % {"url": f"{base}{resolve_url(settings.LOGIN_URL)}"}]
    return "\n".join(lines) + "\n"


def _public_vote_lines(round_, base):
    if round_ is None:
        return []
    return [
        _("网络投票(大众评审):%(round)s %(url)s")
        % {"round": round_, "url": f"{base}{reverse('voting:ballot', args=[round_.pk])}"},
        _(
            "  投票时选择“电子邮箱”并填写任意地址(如 you@example.org):验证码邮件打印在运行"
            "make run(runserver)的终端里(控制台邮件);"
            "选择手机号码时验证码同样打印在终端(控制台短信)。"
        ),
    ]


def _account_lines(accounts, base):
    by_role = {}
    for account in accounts:
        by_role.setdefault(account.role, []).append(account)
    lines = []
    for account in by_role.get(AccountRole.ORGANISER, []):
        lines += [
            _("  组织方(工作人员、超级管理员):%(email)s") % {"email": account.email},
            "      "
            + _("试试:进入后台 %(url)s 管理评选活动和各届、查看申报案例、推进评审流程。")
            % {"url": f"{base}{reverse('admin:index')}"},
        ]
    judges = by_role.get(AccountRole.JUDGE, [])
    if judges:
        lines.append(_("  评审专家:"))
        lines += [f"      {account.email}  {account.name}" for account in judges]
        lines.append(
            "      " + _("试试:登录后在评审工作台查看分配给自己的案例并评分(组织方分配后可见)。")
        )
    members = {account.unit: account for account in by_role.get(AccountRole.UNIT_MEMBER, [])}
    admins = by_role.get(AccountRole.UNIT_ADMIN, [])
    if admins:
        lines.append(_("  申报单位(每个单位一名单位管理员、一名成员,单位已核验):"))
        for admin in admins:
            member = members.get(admin.unit)
            lines.append(
                "      "
                + _("%(unit)s:管理员 %(admin)s,成员 %(member)s")
                % {"unit": admin.unit, "admin": admin.email, "member": member.email}
            )
        lines.append(
            "      " + _("试试:查看本单位的案例,继续填写草稿并提交,申报截止前修改已提交的案例。")
        )
    return lines
