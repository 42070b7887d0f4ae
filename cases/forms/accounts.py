"""Forms of unit accounts: registration with a unit, invitation, accepting an invitation."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from ..models import Region, UnitLevel, UnitType, User
from ..services.accounts import normalise_unit_name, unit_find
from ..services.register import likely_matches


class PasswordPairMixin:
    """Two password fields checked against each other and Django's password validators."""

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("两次输入的密码不一致。"))
        if password2:
            user = User(
                email=self.cleaned_data.get("email", getattr(self, "invited_email", "")),
                full_name=self.cleaned_data.get("full_name", ""),
            )
            password_validation.validate_password(password2, user)
        return password2


def privacy_consent_field():
    """The required consent to the privacy notice (DATA-03); the view records its version."""
    return forms.BooleanField(
        label=_("我已阅读并同意《个人信息处理规则》"),
        required=True,
        error_messages={"required": _("请阅读并同意《个人信息处理规则》后再继续。")},
    )


def password_fields():
    return (
        forms.CharField(
            label=_("密码"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=_(
                "至少 12 个字符,最多 128 个;不能是常见密码或全是数字,不要与姓名或邮箱相近。"
                "不要求大小写或符号,一句好记的话即可。"
            ),
        ),
        forms.CharField(
            label=_("确认密码"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


class RegistrationForm(PasswordPairMixin, forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=100)
    email = forms.EmailField(
        label=_("电子邮箱"),
        help_text=_("用于登录、接收申报回执和找回密码。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("手机号码"), max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )
    password1, password2 = password_fields()
    unit_name = forms.CharField(
        label=_("单位名称"),
        max_length=200,
        help_text=_("请填写单位全称。已在平台登记的单位会出现在候选列表中,请直接选择。"),
        widget=forms.TextInput(attrs={"list": "unit-names", "autocomplete": "organization"}),
    )
    unit_type = forms.ChoiceField(
        label=_("单位类型"),
        choices=[("", _("请选择"))] + list(UnitType.choices),
        required=False,
        help_text=_("新登记的单位必填。"),
    )
    unit_level = forms.ChoiceField(
        label=_("行政层级"),
        choices=[("", _("请选择"))] + list(UnitLevel.choices),
        required=False,
    )
    unit_region = forms.ModelChoiceField(
        label=_("所在地区"), queryset=Region.objects.all(), required=False, empty_label=_("请选择")
    )
    unit_contact_phone = forms.CharField(
        label=_("单位联系电话"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    unit_confirmed_new = forms.BooleanField(
        label=_("我已核对名称相近的已登记单位,本单位不是其中之一"), required=False
    )
    privacy_consent = privacy_consent_field()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("该邮箱已注册,请直接登录;忘记密码可以重设。"))
        return email

    def clean_unit_name(self):
        return normalise_unit_name(self.cleaned_data["unit_name"])

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("unit_name")
        if not name:
            return cleaned
        unit = unit_find(name)
        if unit is not None and unit.memberships.exists():
            self.add_error(
                "unit_name",
                _("“%(unit)s”已有账号。请联系本单位的账号管理员向您发送邀请。") % {"unit": unit},
            )
        elif unit is None and not cleaned.get("unit_type"):
            self.add_error("unit_type", _("新登记的单位请选择单位类型。"))
        if unit is None:
            self._check_variants(name, confirmed=cleaned.get("unit_confirmed_new"))
        return cleaned

    def _check_variants(self, name, *, confirmed):
        matches = likely_matches(name)
        same = [match for match in matches if match.same_key]
        if same:
            self.add_error(
                "unit_name",
                _("名录中已有“%(unit)s”(写法不同),请改用该名称。") % {"unit": same[0].name},
            )
        elif matches and not confirmed:
            self.add_error(
                "unit_name",
                _(
                    "名录中有名称相近的单位:%(names)s。如果是其中之一,请改用该名称;"
                    "如确为新单位,请勾选下方的确认后再提交。"
                )
                % {"names": "、".join(match.name for match in matches)},
            )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("同事的电子邮箱"), help_text=_("对方会收到一封带有加入链接的邮件,14 天内有效。")
    )


class InvitationAcceptForm(PasswordPairMixin, forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=100)
    phone = forms.CharField(
        label=_("手机号码"), max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )
    password1, password2 = password_fields()
    privacy_consent = privacy_consent_field()

    def __init__(self, *args, invited_email="", **kwargs):
        self.invited_email = invited_email
        super().__init__(*args, **kwargs)
