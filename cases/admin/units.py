"""Regions, units (import/export, verification) and users with their memberships."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from ..account_security.admin import AccountSecurityAdminMixin
from ..models import Region, Unit, UnitMembership, UnitRegistryStatus, User
from ..resources import UnitResource
from ..services import DomainError, unit_verify
from ..services.register import (
    UnitKeyIndex,
    unit_merge,
    unit_merge_preview,
    unit_request_accept,
    unit_request_match,
    unit_request_reject,
)
from .base import BackofficeImportExportAdmin, EncryptedFieldsNotSearchedMixin


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


class UnitMergeForm(forms.Form):
    keep_name = forms.CharField(
        label=_("并入的单位(保留)"),
        max_length=200,
        help_text=_(
            "名录中已登记单位的全称;本单位的案例、成员、专家所在单位和回避记录都会移到该单位。"
        ),
        widget=forms.TextInput(attrs={"list": "unit-names"}),
    )
    reason = forms.CharField(
        label=_("合并理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirmed = forms.BooleanField(label=_("我已核对上面的预览,确认合并(不可撤销)"), required=False)

    def __init__(self, *args, remove, **kwargs):
        self.remove = remove
        super().__init__(*args, **kwargs)

    def clean_keep_name(self):
        from ..services.accounts import unit_find

        keep = unit_find(self.cleaned_data["keep_name"])
        if keep is None or keep.registry_status != UnitRegistryStatus.REGISTERED:
            raise forms.ValidationError(gettext("请填写名录中已登记单位的全称。"))
        if keep.pk == self.remove.pk:
            raise forms.ValidationError(gettext("不能把单位与自身合并。"))
        return keep


class UnitRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不予登记的理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Unit)
class UnitAdmin(EncryptedFieldsNotSearchedMixin, BackofficeImportExportAdmin):
    resource_classes = [UnitResource]
    list_display = (
        "name",
        "registry_status",
        "likely_duplicates",
        "type",
        "level",
        "region",
        "parent",
        "contact_phone",
        "verified",
        "verified_at",
    )
    list_filter = ("registry_status", "type", "level", "verified")
    list_select_related = ("region", "parent")
    search_fields = ("name", "region__path", "contact_phone")
    autocomplete_fields = ("region", "parent")
    readonly_fields = (
        "verified",
        "verified_at",
        "created_at",
        "registry_status",
        "requested_by",
        "requested_at",
        "review_note",
        "likely_duplicates",
    )
    date_hierarchy = "created_at"
    inlines = [UnitMembershipInline]
    actions = ["verify_units", "accept_requests"]
    change_form_template = "admin/cases/unit/change_form.html"

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="cases_unit_merge",
            ),
            path(
                "<int:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="cases_unit_reject",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # One index of every unit's name key per page, built only if a row needs it.
        self._key_index = None
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._key_index = None
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("可能重复"))
    def likely_duplicates(self, unit):
        """For a request awaiting review: the registered names it may duplicate (a merge
        page shows them for any unit). Not for every row: matching a name against the whole
        register costs about 1 ms per row at 10,000 units."""
        if unit.registry_status != UnitRegistryStatus.REQUESTED:
            return "—"
        if getattr(self, "_key_index", None) is None:
            self._key_index = UnitKeyIndex()
        matches = self._key_index.matches(unit.name, exclude={unit.pk})
        return "、".join(f"{match.name}({match.score})" for match in matches) or "—"

    @admin.action(description=_("通过所选单位的登记申请"), permissions=["change"])
    def accept_requests(self, request, queryset):
        accepted = 0
        for unit in queryset:
            try:
                unit_request_accept(unit=unit, by=request.user)
            except DomainError as error:
                messages.warning(request, str(error))
            else:
                accepted += 1
        if accepted:
            messages.success(
                request,
                ngettext(
                    "已通过 %(count)d 个单位的登记申请。",
                    "已通过 %(count)d 个单位的登记申请。",
                    accepted,
                )
                % {"count": accepted},
            )

    def _unit_or_404(self, request, pk, permission):
        if not permission(request):
            raise PermissionDenied
        return get_object_or_404(Unit, pk=pk)

    def merge_view(self, request, pk):
        """Merge this unit into a registered one (also how a request is matched), with a
        preview of what moves; the second POST with the confirmation box does it."""
        remove = self._unit_or_404(
            request, pk, lambda r: self.has_change_permission(r) and self.has_delete_permission(r)
        )
        form = UnitMergeForm(request.POST or None, remove=remove)
        preview = None
        if request.method == "POST" and form.is_valid():
            keep = form.cleaned_data["keep_name"]
            try:
                preview = unit_merge_preview(keep=keep, remove=remove)
                if form.cleaned_data["confirmed"]:
                    if remove.registry_status == UnitRegistryStatus.REQUESTED:
                        unit_request_match(requested=remove, registered=keep, by=request.user)
                    else:
                        unit_merge(
                            keep=keep,
                            remove=remove,
                            by=request.user,
                            reason=form.cleaned_data["reason"],
                        )
                    messages.success(
                        request,
                        gettext("已将“%(remove)s”合并到“%(keep)s”。")
                        % {"remove": remove.name, "keep": keep.name},
                    )
                    return redirect("admin:cases_unit_change", keep.pk)
            except DomainError as error:
                form.add_error(None, str(error))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("合并单位“%(unit)s”") % {"unit": remove.name},
            "opts": self.model._meta,
            "unit": remove,
            "form": form,
            "preview": preview,
            "likely_matches": UnitKeyIndex().matches(remove.name, exclude={remove.pk}),
            "registered_names": Unit.objects.filter(registry_status=UnitRegistryStatus.REGISTERED)
            .exclude(pk=remove.pk)
            .values_list("name", flat=True)[:5000],
        }
        return TemplateResponse(request, "admin/cases/unit/merge.html", context)

    def reject_view(self, request, pk):
        unit = self._unit_or_404(request, pk, self.has_change_permission)
        form = UnitRejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                unit_request_reject(unit=unit, by=request.user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("已驳回“%(unit)s”的登记申请。") % {"unit": unit})
                return redirect("admin:cases_unit_change", unit.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("驳回“%(unit)s”的登记申请") % {"unit": unit.name},
            "opts": self.model._meta,
            "unit": unit,
            "form": form,
        }
        return TemplateResponse(request, "admin/cases/unit/reject.html", context)

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
        # Named, not Django's "__all__" (SECURITY.md IN-01); UserAdmin.fieldsets shows these.
        fields = (
            "email",
            "password",
            "full_name",
            "phone",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


@admin.register(User)
class UserAdmin(EncryptedFieldsNotSearchedMixin, AccountSecurityAdminMixin, BaseUserAdmin):
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
