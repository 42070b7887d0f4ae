"""The public objection form (异议) of 公示, and the organiser's handling form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Objection
from ..services.publicity import HANDLED_STATES, objection_identity_errors

REASON_MAX_CHARS = 3000


class ObjectionForm(forms.Form):
    award = forms.ModelChoiceField(label=_("异议对象"), queryset=None, empty_label=_("请选择"))
    name = forms.CharField(label=_("真实姓名"), max_length=100)
    unit_name = forms.CharField(label=_("工作单位"), max_length=200)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("电子邮箱(选填)"), required=False)
    reason = forms.CharField(
        label=_("异议理由"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("请写明事实和依据,可附相关线索。"),
    )

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = awards
        self.fields["award"].label_from_instance = self.award_label
        self.fields["name"].error_messages["required"] = _("请填写真实姓名;匿名异议不予受理。")
        self.fields["unit_name"].error_messages["required"] = _("请填写工作单位;匿名异议不予受理。")
        self.fields["phone"].error_messages["required"] = _("请填写联系电话,以便核实身份。")
        self.fields["reason"].error_messages["required"] = _("请写明异议理由。")

    @staticmethod
    def award_label(award):
        parts = [award.tier.name, award.case.title]
        if award.category_id:
            parts.insert(0, award.category.name)
        return " · ".join(parts)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) > REASON_MAX_CHARS:
            raise forms.ValidationError(
                _("异议理由不能超过%(limit)s字(现有%(count)s字)。"),
                params={"limit": REASON_MAX_CHARS, "count": len(reason)},
            )
        return reason

    def clean(self):
        cleaned = super().clean()
        errors = objection_identity_errors(
            name=cleaned.get("name", ""),
            unit_name=cleaned.get("unit_name", ""),
            phone=cleaned.get("phone", ""),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class ObjectionHandleForm(forms.ModelForm):
    """Admin change form of an objection: only the outcome and the handling are editable."""

    class Meta:
        model = Objection
        fields = ["status", "handling"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") not in HANDLED_STATES:
            self.add_error("status", _("请选择处理结果:异议成立或异议不成立。"))
        if not (cleaned.get("handling") or "").strip():
            self.add_error("handling", _("请填写处理情况。"))
        return cleaned
