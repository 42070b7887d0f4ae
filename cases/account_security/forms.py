from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

# One message for a wrong address, a wrong password, a disabled account and a lockout, so
# that the login page tells an attacker nothing about the account (AUTH-04).
GENERIC_LOGIN_ERROR = _(
    "邮箱或密码不正确,或账号暂时不能登录。请检查后重试;多次失败后需等待 15 分钟,"
    "也可以通过“忘记密码”重设密码。"
)


USERNAME_MAX_LENGTH = 254


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": GENERIC_LOGIN_ERROR,
        "inactive": GENERIC_LOGIN_ERROR,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("电子邮箱")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        # AuthenticationForm sets max_length after the field is built, so no validator checks
        # it: a 100,000-character address would reach authenticate() and the lockout table.
        self.fields["username"].validators.append(MaxLengthValidator(USERNAME_MAX_LENGTH))


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态口令或备用码"),
        max_length=16,
        help_text=_("打开身份验证器应用,输入显示的 6 位数字;手机不在身边时可输入一个备用码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class OTPEnrolForm(forms.Form):
    token = forms.CharField(
        label=_("验证器应用显示的 6 位数字"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AdminLoginForm(AdminAuthenticationForm):
    """The back office's own login page with the same generic message and bounded address."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": GENERIC_LOGIN_ERROR,
        "inactive": GENERIC_LOGIN_ERROR,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(USERNAME_MAX_LENGTH))
