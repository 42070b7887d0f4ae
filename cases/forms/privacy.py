"""Forms of 我的个人信息 (SECURITY.md DATA-03): correcting one's own data, asking for deletion."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

PHONE = re.compile(r"^\+?[0-9][0-9 \-()]{5,28}[0-9]$")


def clean_phone(value):
    """Digits with the usual separators (spaces, hyphens, brackets, a leading +); between
    7 and 20 digits: a mobile number, or a landline with its area code and extension."""
    value = re.sub(r"\s+", " ", value.strip())
    digits = re.sub(r"\D", "", value)
    if not PHONE.match(value) or not 7 <= len(digits) <= 20:
        raise forms.ValidationError(_("请填写有效的电话号码,例如 13800138000 或 010-12345678。"))
    return value


class ProfileCorrectionForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=100)
    phone = forms.CharField(
        label=_("手机号码"), max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        max_length=254,
        help_text=_("用于登录。修改后请到新邮箱查收确认邮件。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_full_name(self):
        name = re.sub(r"\s+", " ", self.cleaned_data["full_name"].strip())
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        return name

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("申请说明(选填)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("我了解:删除后账号将无法登录;已提交的申报材料和安全审计记录仍由组织方保存"),
        required=True,
        error_messages={"required": _("请勾选确认后再提交删除申请。")},
    )
