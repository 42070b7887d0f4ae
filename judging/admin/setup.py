"""Back office set-up of the review: judges (import from xlsx, invitations), panels with
their members, rounds with their criteria."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cases.admin import BackofficeImportExportAdmin, EditionChoicesMixin, EditionListFilter
from cases.admin import EditionAdmin as BaseEditionAdmin
from cases.models import Category, Edition

from ..forms.advancement import VoteThresholdFormSet
from ..models import Criterion, Judge, Panel, PanelMembership, Round, RoundKind, RoundStatus
from ..resources import JudgeResource
from ..services.conflicts import judge_conflicts_recheck
from ..services.editions import edition_copy_judging
from ..services.setup import judge_account_for, judge_invite_many
from .control import AuditLinkMixin, RoundControlMixin
from .results import VoteThresholdInline
from .workflow import EditionWorkflowMixin


# --- Judges --------------------------------------------------------------------------------
class InvitationFilter(admin.SimpleListFilter):
    title = gettext_lazy("账号与邀请")
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return [
            ("none", _("无登录账号")),
            ("not_invited", _("未邀请")),
            ("invited", _("已邀请")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(user__isnull=True)
        if value == "not_invited":
            return queryset.filter(user__isnull=False, invited_at__isnull=True)
        if value == "invited":
            return queryset.filter(invited_at__isnull=False)
        return queryset


class JudgeAdminForm(forms.ModelForm):
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱(登录账号)"),
        required=False,
        help_text=gettext_lazy("填写后自动创建登录账号;专家通过邀请邮件设置密码。"),
    )

    class Meta:
        model = Judge
        fields = ["name", "title", "affiliation", "region", "bio", "public"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["email"].initial = self.instance.user.email

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if not email:
            if self.instance.user_id:
                raise forms.ValidationError(_("已有登录账号的专家不能清空电子邮箱。"))
            return email
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is not None:
            other = Judge.objects.filter(user=user).exclude(pk=self.instance.pk).first()
            if other is not None:
                raise forms.ValidationError(
                    _("电子邮箱 %(email)s 已属于专家%(other)s。")
                    % {"email": email, "other": other.name}
                )
        return email


@admin.register(Judge)
class JudgeAdmin(AuditLinkMixin, BackofficeImportExportAdmin):
    resource_classes = [JudgeResource]
    autocomplete_fields = ("affiliation", "region")
    form = JudgeAdminForm
    list_display = ("name", "title", "affiliation", "email", "public", "account_state")
    list_filter = ("public", InvitationFilter, ("panels__edition", EditionListFilter))
    search_fields = ("name", "title", "affiliation__name", "user__email")
    list_select_related = ("affiliation", "user")
    readonly_fields = ("invited_at",)
    fields = ("name", "title", "affiliation", "region", "email", "bio", "public", "invited_at")

    actions = ["send_invitations"]
    show_full_result_count = False

    exports_personal_data = True  # the judges' e-mail addresses

    @admin.display(description=gettext_lazy("电子邮箱"), ordering="user__email")
    def email(self, judge):
        return judge.user.email if judge.user_id else "—"

    @admin.display(description=gettext_lazy("账号"))
    def account_state(self, judge):
        if not judge.user_id:
            return _("无登录账号")
        if judge.user.has_usable_password():
            return _("已设置密码")
        if judge.invited_at:
            return _("已邀请,未设置密码")
        return _("未邀请")

    def save_model(self, request, obj, form, change):
        email = form.cleaned_data.get("email")
        if email and (not obj.user_id or obj.user.email.lower() != email):
            obj.user = judge_account_for(judge=obj, email=email)
        super().save_model(request, obj, form, change)
        if change and "affiliation" in form.changed_data:
            removed = judge_conflicts_recheck(judge=obj, by=request.user)
            if removed:
                self.message_user(
                    request,
                    _("所在单位变更后,已移除该专家存在回避关系的 %(count)d 项分配。")
                    % {"count": removed},
                    messages.WARNING,
                )

    @admin.action(description=gettext_lazy("发送邀请邮件(设置密码)"), permissions=["change"])
    def send_invitations(self, request, queryset):
        invited, failed = judge_invite_many(judges=queryset.select_related("user"), by=request.user)
        if invited:
            self.message_user(
                request,
                _("已向 %(count)d 位专家发送邀请邮件。") % {"count": len(invited)},
                messages.SUCCESS,
            )
        for _judge, message in failed:
            self.message_user(request, message, messages.ERROR)


# --- Panels --------------------------------------------------------------------------------
class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, category):
        return f"{category.edition} · {category.name}"


def _id_or_none(value):
    """An id from the add page's query string (`?edition=3`), None if it is not one."""
    value = getattr(value, "pk", value)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class PanelAdminForm(forms.ModelForm):
    categories = CategoryChoiceField(
        label=gettext_lazy("负责类别"),
        queryset=Category.objects.select_related("edition__programme"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Panel
        fields = ["edition", "name", "categories"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        edition_id = self.instance.edition_id or _id_or_none(self.initial.get("edition"))
        if edition_id:
            self.fields["categories"].queryset = self.fields["categories"].queryset.filter(
                edition_id=edition_id
            )

    def clean(self):
        cleaned = super().clean()
        edition = cleaned.get("edition")
        wrong = [
            c.name
            for c in cleaned.get("categories") or ()
            if edition and c.edition_id != edition.pk
        ]
        if wrong:
            self.add_error(
                "categories",
                _("类别 %(names)s 不属于所选的届。")
                % {"names": pgettext("list separator", "、").join(wrong)},
            )
        return cleaned


class PanelMembershipInline(admin.TabularInline):
    model = PanelMembership
    extra = 1
    autocomplete_fields = ["judge"]
    verbose_name = gettext_lazy("成员")
    verbose_name_plural = gettext_lazy("成员(主任、联席主任、秘书长、委员)")


@admin.register(Panel)
class PanelAdmin(EditionChoicesMixin, admin.ModelAdmin):
    form = PanelAdminForm
    list_display = ("name", "edition", "category_names", "member_count")
    list_filter = (("edition", EditionListFilter),)
    search_fields = ("name", "edition__title")
    inlines = [PanelMembershipInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("edition__programme")
            .prefetch_related("categories")
            .annotate(member_count=Count("memberships", distinct=True))
        )

    def get_readonly_fields(self, request, obj=None):
        return ("edition",) if obj is not None else ()

    @admin.display(description=gettext_lazy("负责类别"))
    def category_names(self, panel):
        return pgettext("list separator", "、").join(c.name for c in panel.categories.all()) or "—"

    @admin.display(description=gettext_lazy("人数"), ordering="member_count")
    def member_count(self, panel):
        return panel.member_count


# --- Rounds --------------------------------------------------------------------------------
class RoundVoteThresholdInline(VoteThresholdInline):
    """The thresholds of a vote round (results.VoteThresholdInline), tiers of its edition."""

    formset = VoteThresholdFormSet
    verbose_name_plural = gettext_lazy("投票通过门槛")


class CriterionInline(admin.TabularInline):
    """Criteria can change only while the round is a draft: once judges score, changing a
    weight or a maximum would silently change submitted scores."""

    model = Criterion
    extra = 0
    fields = ("order", "name", "weight", "max_points", "description")

    def _editable(self, obj):
        return obj is None or obj.status == RoundStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Round)
class RoundAdmin(RoundControlMixin, EditionChoicesMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "edition",
        "order",
        "kind",
        "status",
        "opens_at",
        "closes_at",
        "reviews_per_case",
    )  # and the progress and result links, see get_list_display
    list_filter = (("edition", EditionListFilter), "kind", "status")
    search_fields = ("name", "edition__title", "edition__programme__name")
    inlines = [CriterionInline]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["edition", "name", "order", "kind", "status"]}),
        (gettext_lazy("时间"), {"fields": ["opens_at", "closes_at"]}),
        (
            gettext_lazy("评审规则"),
            {
                "fields": [
                    "blind",
                    "reviews_per_case",
                    "judges_see_others",
                    "comment_required",
                    "regional_recusal",
                ]
            },
        ),
        (
            gettext_lazy("汇总与晋级"),
            {"fields": ["aggregation", "advancement_rule", "advancement_value", "vote_mode"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edition__programme")

    def get_inlines(self, request, obj):
        # A plenary has thresholds instead of criteria; a new round gets criteria (its kind
        # is chosen on the same form) and shows its thresholds once saved as a vote round.
        if obj is not None and obj.kind == RoundKind.VOTE:
            return [RoundVoteThresholdInline]
        return [CriterionInline]

    def has_delete_permission(self, request, obj=None):
        # Deleting an opened round would delete its assignments and scores with it.
        if obj is not None and obj.status != RoundStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The state changes only through open / close / reopen, which write the audit rows.
        return ("edition", "status") if obj is not None else ("status",)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["result_links"] = self.result_links(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_list_display(self, request):
        # The result links depend on the user's permissions: a column made per request (the
        # ModelAdmin instance is shared between requests, so it keeps no request state).
        @admin.display(description=gettext_lazy("进度与结果"))
        def control_links(round_):
            links = [
                (self.control_url("progress_judges", round_), _("专家进度")),
                (self.control_url("progress_cases", round_), _("案例进度")),
            ]
            links += [
                (url, label)
                for label, url in self.result_links(request, round_)
                if not url.endswith((".xlsx", ".csv"))
            ]
            return format_html_join(" · ", '<a href="{}">{}</a>', links)

        return [*self.list_display, control_links]


# --- Editions: cloning copies the judging structure too --------------------------------------
class RoundInline(admin.TabularInline):
    """The edition's rounds at a glance; criteria and the rest are on the round's page."""

    model = Round
    extra = 0
    fields = ("order", "name", "kind", "status", "reviews_per_case", "opens_at", "closes_at")
    readonly_fields = ("status",)
    show_change_link = True
    can_delete = False  # deleting a round would delete its assignments and scores


class PanelInline(admin.TabularInline):
    model = Panel
    extra = 0
    fields = ("name",)
    show_change_link = True
    can_delete = False


class EditionAdmin(EditionWorkflowMixin, BaseEditionAdmin):
    """The back office's edition admin, with the rounds and panels of the edition, its
    workflow page (`workflow.EditionWorkflowMixin`), and a clone ("复制为下一届") that also
    copies rounds, criteria and panels."""

    inlines = [*BaseEditionAdmin.inlines, RoundInline, PanelInline]
    list_display = (*BaseEditionAdmin.list_display, "workflow_link")

    def clone_edition(self, request, edition, fields):
        new_edition, category_map, tier_map = super().clone_edition(request, edition, fields)
        edition_copy_judging(
            source=edition, target=new_edition, category_map=category_map, by=request.user
        )
        return new_edition, category_map, tier_map


if admin.site.is_registered(Edition):
    admin.site.unregister(Edition)
admin.site.register(Edition, EditionAdmin)
