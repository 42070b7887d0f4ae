from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Article, ArticleStatus


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)


class ArticleAdminForm(forms.ModelForm):
    """The article form of the back office: explicit fields, the body edited with the rich
    text editor (its HTML is sanitised again by the service on save)."""

    class Meta:
        model = Article
        fields = [
            "programme",
            "kind",
            "title",
            "slug",
            "summary",
            "cover_image",
            "body",
            "edition",
            "cases",
            "units",
            "publish_at",
        ]


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("发布时间"),
        required=False,
        help_text=_("留空即刻发布;填写将来的时间为定时发布"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)


STATUS_LABELS = dict(ArticleStatus.choices)


class DraftFromDataForm(forms.Form):
    """Generate a draft article from the data: an edition's results, or a unit's 成绩单."""

    edition = forms.ModelChoiceField(
        label=_("结果文章:届次"), queryset=None, required=False, empty_label=_("(不生成)")
    )
    unit = forms.ModelChoiceField(
        label=_("成绩单:单位"), queryset=None, required=False, empty_label=_("(不生成)")
    )

    def __init__(self, *args, **kwargs):
        from cases.models import Edition, EditionStatus

        from ..selectors.public import (
            units_with_public_awards,
            visible_edition_ids,
        )

        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = Edition.objects.filter(
            status__in=[EditionStatus.PUBLISHED, EditionStatus.ARCHIVED]
        ).select_related("programme")
        self.fields["unit"].queryset = units_with_public_awards(
            editions=visible_edition_ids()
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("edition") and not data.get("unit"):
            raise forms.ValidationError(_("请选择一个届次或一个单位。"))
        return data
