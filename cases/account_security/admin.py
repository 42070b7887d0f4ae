"""Back-office actions of account security: unlock a login, reset the second factor, disable
a user and end their sessions — each gated by a permission and audited."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import AdminLoginForm

admin.site.login_form = AdminLoginForm


class AccountSecurityAdminMixin:
    """For the user admin: the actions below, and ending the sessions of a user an organiser
    disables on the change form (SESS-03)."""

    account_security_actions = ("unlock_logins", "reset_second_factor", "disable_and_end_sessions")

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name in self.account_security_actions:
            action = self.get_action(name)
            if action and all(
                getattr(self, f"has_{perm}_permission")(request)
                for perm in getattr(action[0], "allowed_permissions", ())
            ):
                actions[name] = action
        return actions

    def has_unlock_permission(self, request):
        return request.user.has_perm("cases.unlock_user")

    def has_reset_second_factor_permission(self, request):
        return request.user.has_perm("cases.reset_second_factor")

    @admin.action(description=_("解除所选用户的登录锁定"), permissions=["unlock"])
    def unlock_logins(self, request, queryset):
        for user in queryset:
            services.user_unlock(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "已解除 %(n)d 个用户的登录锁定。", "已解除 %(n)d 个用户的登录锁定。", len(queryset)
            )
            % {"n": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("重置所选用户的双因素认证(下次登录重新设置)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.second_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "已重置 %(n)d 个用户的双因素认证,其登录会话已结束。",
                "已重置 %(n)d 个用户的双因素认证,其登录会话已结束。",
                len(queryset),
            )
            % {"n": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(description=_("停用所选用户并结束其全部登录会话"), permissions=["change"])
    def disable_and_end_sessions(self, request, queryset):
        users = list(queryset)
        for user in users:
            if user.is_active:
                user.is_active = False
                user.save(update_fields=["is_active"])
            services.sessions_end_for_user(user=user, by=request.user)
        self.message_user(
            request,
            ngettext("已停用 %(n)d 个用户。", "已停用 %(n)d 个用户。", len(users))
            % {"n": len(users)},
            messages.SUCCESS,
        )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None and response["Location"] != request.get_full_path():
                # Set by an organiser: the user's sessions end and the user is told.
                services.sessions_end_for_user(user=user, by=request.user)
                services.password_changed(user=user, by=request.user, how="admin")
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.sessions_end_for_user(user=obj, by=request.user)


admin.site.unregister(AccessAttempt)
# django-otp's own admin pages show each TOTP key (and a QR code of it) and the backup codes in
# clear: whoever can open them can pass the second factor of that user. The user admin's
# reset action is the only back-office door to a user's devices.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    """axes' list of failed logins; deleting a record unlocks that login, with an audit row.
    Needs axes' model permissions (view / delete access attempt)."""

    actions = ["unlock_attempts", "cleanup_expired_attempts"]

    @admin.action(description=_("解除锁定(删除所选失败记录)"), permissions=["delete"])
    def unlock_attempts(self, request, queryset):
        self.delete_queryset(request, queryset)
        self.message_user(request, _("已解除锁定。"), messages.SUCCESS)

    def delete_model(self, request, obj):
        services.attempts_unlocked(attempts=[obj], by=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        services.attempts_unlocked(attempts=list(queryset), by=request.user)
        super().delete_queryset(request, queryset)
