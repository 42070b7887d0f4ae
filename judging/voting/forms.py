from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .identity import normalise
from .models import IdentifierKind


class CaptchaWidget(CaptchaTextInput):
    template_name = "judging/voting/captcha_widget.html"


def _add_captcha(form):
    if settings.PUBLIC_VOTE_CAPTCHA:
        form.fields["captcha"] = CaptchaField(
            label=_("验证码"),
            widget=CaptchaWidget,
            help_text=_("请输入图片中的字符(不区分大小写)"),
            error_messages={"invalid": _("验证码不正确,请重新输入。")},
        )


class IdentifierForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("验证方式"),
        choices=IdentifierKind.choices,
        initial=IdentifierKind.EMAIL,
        widget=forms.RadioSelect,
    )
    value = forms.CharField(
        label=_("电子邮箱或手机号码"),
        max_length=254,
        help_text=_("我们向它发送 6 位验证码;平台只保存它的加密摘要,不保存邮箱或号码本身。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _add_captcha(self)

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if kind and value:
            try:
                cleaned["value"] = normalise(kind, value)
            except ValidationError as error:
                self.add_error("value", error)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        min_length=6,
        max_length=6,
        help_text=_("邮件或短信中的 6 位数字"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("验证码是 6 位数字。"))
        return code


class VoteForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _add_captcha(self)
