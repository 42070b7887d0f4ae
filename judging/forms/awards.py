"""Forms of the awards workflow: proposal overrides, commentator assignment, citation drafting,
award amendment, 公示 and publication."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import AwardTier
from cases.widgets import NativeDateTimeInput

from ..models import Judge
from ..services.awards import Override
from ..services.commentary import CITATION_MAX_CHARS

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
NO_AWARD = "none"


DateTimeLocalInput = NativeDateTimeInput


def datetime_field(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=DateTimeLocalInput(),
    )


class ProposalForm(forms.Form):
    """One override (tier + reason) per case of the proposal, plus the quota reason.

    `fingerprint` carries the proposal's input fingerprint from the preview, so a ranking
    changed in the meantime is noticed instead of silently confirmed.
    """

    fingerprint = forms.CharField(widget=forms.HiddenInput)
    quota_reason = forms.CharField(
        label=_("超出名额的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("方案超出某一奖项名额(如并列)且评委会决定保留时填写。"),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        tiers = AwardTier.objects.filter(edition=proposal.edition).order_by("order", "pk")
        choices = [("", _("按方案")), (NO_AWARD, _("不授奖"))]
        choices += [(str(tier.pk), tier.name) for tier in tiers]
        self.case_ids = [c.case.pk for c in self._cases()]
        for case_id in self.case_ids:
            self.fields[f"tier_{case_id}"] = forms.ChoiceField(
                label=_("调整为"), choices=choices, required=False
            )
            self.fields[f"reason_{case_id}"] = forms.CharField(
                label=_("调整理由"), required=False, max_length=500
            )
        self.tiers = {str(tier.pk): tier for tier in tiers}

    def _cases(self):
        seen, cases = set(), []
        for item in [*self.proposal.placements, *self.proposal.not_awarded]:
            if item.case.pk not in seen:
                seen.add(item.case.pk)
                cases.append(item)
        return cases

    def clean(self):
        cleaned = super().clean()
        for case_id in self.case_ids:
            choice = cleaned.get(f"tier_{case_id}")
            reason = (cleaned.get(f"reason_{case_id}") or "").strip()
            if choice and not reason:
                self.add_error(f"reason_{case_id}", _("调整奖项须填写理由。"))
        return cleaned

    def overrides(self):
        """{case_id: Override} for the rows the committee changed."""
        result = {}
        for case_id in self.case_ids:
            choice = self.cleaned_data.get(f"tier_{case_id}")
            if not choice:
                continue
            tier = None if choice == NO_AWARD else self.tiers[choice]
            result[case_id] = Override(
                tier=tier, reason=self.cleaned_data.get(f"reason_{case_id}", "").strip()
            )
        return result

    def row_fields(self, case_id):
        return self[f"tier_{case_id}"], self[f"reason_{case_id}"]


class AssignCommentatorForm(forms.Form):
    judge = forms.ModelChoiceField(
        label=_("点评专家"),
        queryset=Judge.objects.select_related("affiliation").order_by("name", "pk"),
    )
    signed_as = forms.CharField(
        label=_("集体署名(选填)"),
        required=False,
        max_length=200,
        help_text=_("不以专家个人署名时填写,如“南方舆情数据研究院专家委员会”。"),
    )

    def __init__(self, *args, editions=(), **kwargs):
        """`editions`: the editions of the selected awards. Their panels' members are offered
        first, then every other judge (a commentator may come from outside the panels, e.g.
        a programme's standing expert)."""
        super().__init__(*args, **kwargs)
        field = self.fields["judge"]
        judges = list(field.queryset)
        members = set(
            Judge.objects.filter(memberships__panel__edition__in=list(editions)).values_list(
                "pk", flat=True
            )
        )

        def label(judge):
            return field.label_from_instance(judge)

        first = [(j.pk, label(j)) for j in judges if j.pk in members]
        others = [(j.pk, label(j)) for j in judges if j.pk not in members]
        choices = [("", "---------")]
        if first:
            choices.append((_("本届评审组成员"), first))
        if others:
            choices.append((_("其他专家") if first else _("专家"), others))
        field.choices = choices


class CitationDraftForm(forms.Form):
    citation = forms.CharField(
        label=_("点评内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citation"].help_text = _(
            "不超过%(limit)s字;提交后由组委会审定并以您的姓名、职称和单位署名发布。"
        ) % {"limit": CITATION_MAX_CHARS}

    def clean_citation(self):
        text = (self.cleaned_data.get("citation") or "").strip()
        if len(text) > CITATION_MAX_CHARS:
            raise forms.ValidationError(
                _("点评不能超过%(limit)s字(现有%(count)s字)。"),
                params={"limit": CITATION_MAX_CHARS, "count": len(text)},
            )
        return text


class AwardAmendForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("调整为奖项"), queryset=AwardTier.objects.none(), required=False
    )
    revoke = forms.BooleanField(label=_("撤销该奖项"), required=False)
    reason = forms.CharField(
        label=_("调整理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("调整奖项须填写理由。")},
    )

    def __init__(self, *args, award, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = AwardTier.objects.filter(edition=award.edition_id).exclude(
            pk=award.tier_id
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("tier")) == bool(cleaned.get("revoke")):
            raise forms.ValidationError(_("请选择新的奖项,或勾选撤销该奖项(二选一)。"))
        return cleaned


class PublicityStartForm(forms.Form):
    starts_at = datetime_field(
        _("公示开始时间"), required=False, help_text=_("留空则立即开始。北京时间。")
    )
    ends_at = datetime_field(_("公示结束时间"), help_text=_("北京时间;此后提出的异议不予受理。"))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("公示结束时间必须晚于开始时间。"))
        return cleaned


class PublicityChangeForm(forms.Form):
    """Correct the 公示 period or end it now, with a recorded reason."""

    ends_at = datetime_field(
        _("新的公示结束时间"), required=False, help_text=_("北京时间;立即结束时可留空。")
    )
    end_now = forms.BooleanField(label=_("立即结束公示"), required=False)
    reason = forms.CharField(
        label=_("调整理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("记入审计日志。"),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("end_now")
            and not cleaned.get("ends_at")
            and "ends_at" not in self.errors
        ):
            self.add_error("ends_at", _("请填写新的公示结束时间,或选择“立即结束公示”。"))
        return cleaned


class PublishForm(forms.Form):
    at = datetime_field(
        _("结果发布时间"),
        help_text=_("北京时间。可设为将来的时间:在此之前公众看不到任何结果。"),
    )
    allow_uncited = forms.BooleanField(
        label=_("确认不设点评"),
        required=False,
        help_text=_("没有安排点评的获奖案例将不带点评发布。"),
    )
