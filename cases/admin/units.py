"""Regions, units (import/export, verification) and users with their memberships."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Prefetch
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from ..account_security.admin import AccountSecurityAdminMixin
from ..models import Region, Unit, UnitMembership, User
from ..resources import UnitResource
from ..services import DomainError, unit_verify
from .base import BackofficeImportExportAdmin


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("path", "name", "parent")
    list_select_related = ("parent",)
    search_fields = ("name", "path")
    autocomplete_fields = ("parent",)


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    fields = ("user", "unit", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user", "unit")
    extra = 0


@admin.register(Unit)
class UnitAdmin(BackofficeImportExportAdmin):
    resource_classes = [UnitResource]
    list_display = (
        "name",
        "type",
        "level",
        "region",
        "parent",
        "contact_phone",
        "verified",
        "verified_at",
    )
    list_filter = ("type", "level", "verified")
    list_select_related = ("region", "parent")
    search_fields = ("name", "region__path", "contact_phone")
    autocomplete_fields = ("region", "parent")
    readonly_fields = ("verified", "verified_at", "created_at")
    date_hierarchy = "created_at"
    inlines = [UnitMembershipInline]
    actions = ["verify_units"]

    @admin.action(description=_("核验通过"))
    def verify_units(self, request, queryset):
        verified = 0
        for unit in queryset:
            try:
                unit_verify(unit=unit, by=request.user)
            except DomainError as error:
                messages.warning(request, str(error))
            else:
                verified += 1
        if verified:
            messages.success(
                request,
                ngettext("已核验 %(count)d 个单位。", "已核验 %(count)d 个单位。", verified)
                % {"count": verified},
            )


@admin.register(UnitMembership)
class UnitMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "unit")
    search_fields = ("user__email", "user__full_name", "unit__name")
    autocomplete_fields = ("user", "unit")
    date_hierarchy = "created_at"


class EmailLoginMixin:
    """E-mail addresses are the login: kept in lower case and unique whatever the case, with
    the message next to the field rather than a database constraint's name."""

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(gettext("该电子邮箱已注册。"), code="duplicate")
        return email


class BackofficeUserCreationForm(EmailLoginMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class BackofficeUserChangeForm(EmailLoginMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(AccountSecurityAdminMixin, BaseUserAdmin):
    form = BackofficeUserChangeForm
    add_form = BackofficeUserCreationForm
    list_display = ("email", "full_name", "unit_names", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name", "phone", "unit_memberships__unit__name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    inlines = [UnitMembershipInline]
    readonly_fields = ("last_login", "date_joined", "email_confirmed_at", "password_changed_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone")}),
        (
            _("权限"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (
            _("重要日期"),
            {"fields": ("last_login", "date_joined", "email_confirmed_at", "password_changed_at")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("unit_memberships", queryset=UnitMembership.objects.select_related("unit"))
            )
        )

    @admin.display(description=_("所属单位"))
    def unit_names(self, user):
        return pgettext("list separator", "、").join(
            membership.unit.name for membership in user.unit_memberships.all()
        )
