from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy

from cases.models import AwardTier

from ..models import EntryResult, VoteThreshold


class OverrideForm(forms.Form):
    """Decide one entry by hand, with the reason kept on the entry."""

    result = forms.ChoiceField(
        label=gettext_lazy("调整为"),
        choices=[
            (EntryResult.ADVANCED, gettext_lazy("晋级")),
            (EntryResult.ELIMINATED, gettext_lazy("未晋级")),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("调整理由"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
        error_messages={"required": gettext_lazy("调整必须填写理由。")},
    )

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        if entry.override_reason and not self.is_bound:
            self.initial = {"result": entry.result, "reason": entry.override_reason}

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"


class VoteThresholdForm(forms.ModelForm):
    class Meta:
        model = VoteThreshold
        fields = ["round", "tier", "numerator", "denominator", "inclusive"]

    def clean(self):
        cleaned = super().clean()
        round_, tier = cleaned.get("round"), cleaned.get("tier")
        if round_ and tier and tier.edition_id != round_.edition_id:
            self.add_error("tier", gettext_lazy("该奖项不属于这一轮次所在的届。"))
        numerator, denominator = cleaned.get("numerator"), cleaned.get("denominator")
        if numerator is not None and denominator is not None and not 0 < numerator <= denominator:
            self.add_error("numerator", gettext_lazy("比例须大于 0 且不超过 1(分子不大于分母)。"))
        return cleaned


class VoteThresholdFormSet(BaseInlineFormSet):
    """The thresholds of one vote round, on the round's page: the tier is chosen among the
    round's edition's tiers (other editions have tiers of the same names)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "tier" in form.fields:
            form.fields["tier"].queryset = AwardTier.objects.filter(
                edition_id=self.instance.edition_id
            ).order_by("order", "pk")
