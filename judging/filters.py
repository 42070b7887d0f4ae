"""django-filter FilterSets of the public pages."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Region, UnitLevel

from .models import CitationStatus
from .selectors import public as selectors


class ArchiveFilter(django_filters.FilterSet):
    """Search of published awards across programmes and editions.

    The queryset and the `editions` passed in both come from the results-visible editions, so
    the choices offered (programmes, years, categories, tiers) never name an embargoed result.
    Keywords match a citation only where it is approved: a draft must not be findable.
    """

    programme = django_filters.ModelChoiceFilter(
        label=_("评选活动"),
        field_name="edition__programme",
        to_field_name="slug",
        queryset=None,
        empty_label=_("全部评选活动"),
    )
    year = django_filters.ChoiceFilter(
        label=_("年份"), field_name="edition__year", empty_label=_("全部年份")
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), field_name="category__name", empty_label=_("全部类别")
    )
    tier = django_filters.ChoiceFilter(
        label=_("奖项"), field_name="tier__name", empty_label=_("全部奖项")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("地区"),
        queryset=Region.objects.order_by("path"),
        method="filter_region",
        empty_label=_("全部地区"),
        help_text=_("含下级地区"),
    )
    level = django_filters.ChoiceFilter(
        label=_("行政层级"),
        choices=UnitLevel.choices,
        method="filter_level",
        empty_label=_("全部层级"),
    )
    unit = django_filters.CharFilter(
        label=_("单位名称"),
        method="filter_unit",
        max_length=100,
        help_text=_("主创单位或报送单位名称中的字词"),
    )
    keywords = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_keywords",
        max_length=100,
        help_text=_("在案例名称、简介和点评中查找;多个词用空格分开"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, editions, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.filters
        fields["programme"].queryset = selectors.archive_programmes(editions=editions)
        fields["year"].extra["choices"] = [
            (str(year), str(year)) for year in selectors.archive_years(editions=editions)
        ]
        fields["category"].extra["choices"] = [
            (name, name) for name in selectors.archive_category_names(editions=editions)
        ]
        fields["tier"].extra["choices"] = [
            (name, name) for name in selectors.archive_tier_names(editions=editions)
        ]

    def filter_region(self, queryset, name, value):
        return queryset.filter(selectors.lead_unit_in_region_exists(value))

    def filter_level(self, queryset, name, value):
        return queryset.filter(selectors.lead_unit_exists(unit__level=value))

    def filter_unit(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            selectors.lead_unit_exists(unit__name__icontains=value)
            | Q(case__submitting_unit__name__icontains=value)
        )

    def filter_keywords(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(
                Q(case__title__icontains=word)
                | Q(case__summary__icontains=word)
                | Q(citation__icontains=word, citation_status=CitationStatus.APPROVED)
            )
        return queryset
