from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` characters (SECURITY.md AUTH-02: at least 64
    allowed; a bound keeps hashing cheap and stops a 1 MB "password")."""

    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "密码不能超过 %(max_length)d 个字符。",
                    "密码不能超过 %(max_length)d 个字符。",
                    self.max_length,
                )
                % {"max_length": self.max_length},
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return _("密码不能超过 %(max_length)d 个字符。") % {"max_length": self.max_length}
