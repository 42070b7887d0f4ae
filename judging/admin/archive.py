"""Awards in the back office: the list by edition, tier and category, and the import of past
award lists (历史获奖名单) for the archive."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.admin import BackofficeImportExportAdmin, EditionChoicesMixin, EditionListFilter

from ..models import Award
from ..resources import AwardArchiveResource


@admin.register(Award)
class AwardAdmin(EditionChoicesMixin, BackofficeImportExportAdmin):
    resource_classes = [AwardArchiveResource]
    list_display = (
        "case_title",
        "tier",
        "category",
        "edition",
        "commentator",
        "citation_status",
        "order",
    )
    list_filter = (
        ("edition", EditionListFilter),
        "tier__name",
        "category__name",
        "citation_status",
    )
    list_select_related = ("case", "tier", "category", "edition__programme", "commentator")
    search_fields = ("case__title", "case__reference", "commentator__name", "signed_as")
    raw_id_fields = ("case", "commentator")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("案例名称"), ordering="case__title")
    def case_title(self, award):
        return award.case.title

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Tiers and categories share names across editions: offer only this edition's.
        if obj is not None:
            for name in ("tier", "category"):
                if name in form.base_fields:
                    field = form.base_fields[name]
                    field.queryset = field.queryset.filter(edition=obj.edition_id)
        return form
