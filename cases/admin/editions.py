"""Programmes, editions (state actions, clone as next year), categories and award tiers."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import AwardTier, Category, Edition, EditionStatus, Programme
from ..services import DomainError, edition_clone, edition_transition
from .base import HTTPS_URLS, EditionChoicesMixin, EditionListFilter


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "short_name", "slug", "hosts", "order")
    list_editable = ("order",)
    search_fields = ("name", "short_name", "slug", "hosts", "organisers")
    date_hierarchy = "created_at"


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ("order", "name", "code", "partner_organiser", "description")
    extra = 0


class AwardTierInline(admin.TabularInline):
    model = AwardTier
    fields = ("order", "name", "quota", "quota_scope")
    extra = 0


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_ORDINAL = re.compile(r"第([0-9]+|[一二三四五六七八九十]+)届")
_CN_DIGITS = "零一二三四五六七八九"


def _cn_to_int(text):
    if "十" not in text:
        return _CN_DIGITS.index(text) if len(text) == 1 else None
    tens, _sep, units = text.partition("十")
    tens_value = _CN_DIGITS.index(tens) if tens else 1
    return tens_value * 10 + (_CN_DIGITS.index(units) if units else 0)


def _int_to_cn(value):
    if value < 10:
        return _CN_DIGITS[value]
    tens, units = divmod(value, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[units] if units else "")


def next_in_sequence(text):
    """Next year's label: every year +1 (2018—2019年度 → 2019—2020年度) and 第六届 → 第七届."""
    text = _YEAR.sub(lambda match: str(int(match.group()) + 1), text)

    def bump(match):
        number = match.group(1)
        if number.isdigit():
            return f"第{int(number) + 1}届"
        value = _cn_to_int(number)
        return match.group() if value is None or value >= 99 else f"第{_int_to_cn(value + 1)}届"

    return _ORDINAL.sub(bump, text)


def _transition_action(status):
    def action(modeladmin, request, queryset):
        modeladmin.transition_editions(request, queryset, status)

    action.__name__ = f"transition_to_{status.value}"
    return admin.action(description=format_lazy(_("状态变更为“{}”"), status.label))(action)


@admin.register(Edition)
class EditionAdmin(EditionChoicesMixin, admin.ModelAdmin):
    """Editions with their categories and tiers. Status changes are actions that go through
    `edition_transition`; "复制为下一届" goes through `clone_edition()`, which the judging app
    overrides to copy rounds and panels as well."""

    list_display = (
        "title",
        "programme",
        "year",
        "status",
        "opens_at",
        "closes_at",
        "case_count",
    )
    list_filter = ("programme", "status", "year")
    list_select_related = ("programme",)
    search_fields = ("title", "slug", "period_label", "programme__name", "programme__short_name")
    date_hierarchy = "closes_at"
    readonly_fields = ("status", "cloned_from", "created_at", "updated_at")
    inlines = [CategoryInline, AwardTierInline]
    actions = [*(_transition_action(status) for status in EditionStatus), "clone_as_next_year"]
    fieldsets = (
        (None, {"fields": ("programme", "number", "title", "period_label", "year", "slug")}),
        (_("征集"), {"fields": ("status", "call_text", "opens_at", "closes_at", "contact")}),
        (_("字数上限"), {"fields": ("summary_char_limit", "body_char_limit")}),
        (
            _("结果发布"),
            {
                "fields": (
                    "results_unordered",
                    "results_published_at",
                    "publicity_starts_at",
                    "publicity_ends_at",
                )
            },
        ),
        (_("记录"), {"fields": ("cloned_from", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("cases"))

    @admin.display(description=_("案例数"), ordering="case_count")
    def case_count(self, edition):
        return edition.case_count

    def transition_editions(self, request, queryset, status):
        """Move every selected edition to `status`, or none of them: one refusal rolls the
        whole selection back, so the organiser never ends up with half the editions moved."""
        editions = list(queryset.select_related("programme"))
        refusals = []
        with transaction.atomic():
            for edition in editions:
                try:
                    edition_transition(edition, status, by=request.user)
                except DomainError as error:
                    refusals.append(str(error))
            if refusals:
                transaction.set_rollback(True)
        if refusals:
            for message in refusals:
                messages.error(request, message)
            if len(editions) > 1:
                messages.error(request, gettext("所选各届的状态均未变更。"))
            return
        messages.success(
            request,
            ngettext(
                "%(count)d 届的状态已变更为“%(status)s”。",
                "%(count)d 届的状态已变更为“%(status)s”。",
                len(editions),
            )
            % {"count": len(editions), "status": EditionStatus(status).label},
        )

    def next_edition_fields(self, edition):
        """Year, title and slug of the copy: next year's, derived from this edition's."""
        year = edition.year + 1
        title = next_in_sequence(edition.title)
        if title == edition.title:
            title = f"{edition.title}({year})"
        base = next_in_sequence(edition.slug)
        if base == edition.slug:
            base = f"{edition.slug}-{year}"
        base = base[:54]
        taken = set(edition.programme.editions.values_list("slug", flat=True))
        slug, suffix = base, 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return {
            "year": year,
            "number": edition.number + 1 if edition.number else None,
            "title": title[:200],
            "slug": slug,
            "period_label": next_in_sequence(edition.period_label),
        }

    def clone_edition(self, request, edition, fields):
        """Copy `edition` as a draft with `fields` (year, title, slug, number, period label).
        Returns what `edition_clone` returns, `(new_edition, category_map, tier_map)`; the
        clone page runs this in one transaction, so an override may copy more structure onto
        the maps and fail atomically."""
        return edition_clone(source=edition, by=request.user, **fields)

    @admin.action(description=_("复制为下一届…"))
    def clone_as_next_year(self, request, queryset):
        """Leads to the clone page of the selected edition, which asks for the new edition's
        title, year and slug (suggested from this one)."""
        editions = list(queryset[:2])
        if len(editions) != 1:
            messages.error(request, gettext("请只选择一届进行复制。"))
            return None
        return redirect("admin:cases_edition_clone", editions[0].pk)

    def get_urls(self):
        return [
            path(
                "<int:pk>/clone/",
                self.admin_site.admin_view(self.clone_view),
                name="cases_edition_clone",
            ),
            *super().get_urls(),
        ]

    def clone_view(self, request, pk):
        if not self.has_add_permission(request):
            raise PermissionDenied
        edition = get_object_or_404(Edition.objects.select_related("programme"), pk=pk)
        suggested = self.next_edition_fields(edition)
        form = EditionCloneForm(request.POST or None, initial=suggested, source=edition)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    new_edition = self.clone_edition(request, edition, form.cleaned_data)[0]
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                url = reverse("admin:cases_edition_change", args=[new_edition.pk])
                messages.success(
                    request,
                    format_html(
                        gettext(
                            '已将“{source}”复制为<a href="{url}">{new}</a>(筹备中),'
                            "请核对征集时间和征集通知。"
                        ),
                        source=edition,
                        url=url,
                        new=new_edition,
                    ),
                )
                return redirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("复制“%(edition)s”为下一届") % {"edition": edition},
            "opts": self.model._meta,
            "edition": edition,
            "form": form,
        }
        return TemplateResponse(request, "admin/cases/edition/clone.html", context)


class EditionCloneForm(forms.Form):
    """The new edition's identity; everything else (categories, tiers, rounds, panels) is
    copied from the source."""

    title = forms.CharField(label=_("届别名称"), max_length=200)
    number = forms.IntegerField(label=_("届次"), min_value=1, max_value=1000, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    period_label = forms.CharField(label=_("年度表述"), max_length=100, required=False)
    slug = forms.SlugField(
        label=_("网址标识"),
        max_length=60,
        help_text=_("用于网址,字母、数字和连字符,同一评选活动内不能重复。"),
    )

    def __init__(self, *args, source, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.source.programme.editions.filter(slug=slug).exists():
            raise forms.ValidationError(
                gettext("本评选活动已有网址标识为“%(slug)s”的一届。") % {"slug": slug}
            )
        return slug


class EditionScopedAdmin(EditionChoicesMixin, admin.ModelAdmin):
    list_filter = (("edition", EditionListFilter),)
    list_select_related = ("edition__programme",)


@admin.register(Category)
class CategoryAdmin(EditionScopedAdmin):
    list_display = ("name", "code", "edition", "order", "partner_organiser")
    search_fields = ("name", "code", "edition__title", "partner_organiser")


@admin.register(AwardTier)
class AwardTierAdmin(EditionScopedAdmin):
    list_display = ("name", "edition", "order", "quota", "quota_scope")
    search_fields = ("name", "edition__title")
