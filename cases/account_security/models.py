from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserSession(models.Model):
    """The server-side sessions a user holds, so that disabling the user (or resetting their
    credentials) can delete every one of them, whatever the session engine (db, cached_db,
    cache). Recorded at log-in and whenever the session key changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tracked_sessions",
        verbose_name=_("用户"),
    )
    session_key = models.CharField(_("会话标识"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("登录时间"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "登录会话")
        verbose_name_plural = pgettext_lazy("model plural", "登录会话")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
