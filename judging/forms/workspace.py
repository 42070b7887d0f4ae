"""Forms of the judges' workspace: scores, verification, recusal, vote, queue filters."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Category
from cases.services import DomainError
from cases.widgets import NativeDateInput

from ..models import Assignment, AssignmentStatus, VoteChoice, VoteMode
from ..services.reviews import points
from ..services.verification import inspect_evidence

ACTION_DRAFT = "draft"
ACTION_SUBMIT = "submit"


class _ErrorAttrsMixin:
    """Marks invalid inputs with `aria-invalid` and points them at their error list
    (`aria-describedby`), so screen readers read the message next to the field."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                html_id = self[name].auto_id
                described = [f"{html_id}-errors"]
                if field.help_text:
                    described.append(f"{html_id}_helptext")
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["aria-describedby"] = " ".join(described)


# The longest comment or verification note a judge may type (字, as len() counts); longer is a
# form error next to the field, never a 500 nor a silent cut (SECURITY.md IN-01).
JUDGE_TEXT_MAX_CHARS = 10_000


class ReviewForm(_ErrorAttrsMixin, forms.Form):
    """One decimal field per criterion (`criterion_<pk>`), the comment and the version the
    form was edited from. Empty values are allowed in a draft; the submit button needs all."""

    comment = forms.CharField(
        label=_("评语"), required=False, max_length=JUDGE_TEXT_MAX_CHARS, widget=forms.Textarea
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, criteria, round, readonly=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.round = round
        fields = {}
        for criterion in self.criteria:
            fields[self.field_name(criterion)] = forms.DecimalField(
                label=criterion.name,
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                max_digits=6,
                decimal_places=2,
                help_text=_("满分 %(max)s 分") % {"max": points(criterion.max_points)},
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "max": criterion.max_points}
                ),
            )
        # Criteria first, in their order, then the comment and the version.
        self.fields = fields | self.fields
        if round.comment_required:
            self.fields["comment"].label = _("评语(必填)")
        if readonly:
            for field in self.fields.values():
                field.disabled = True

    @staticmethod
    def field_name(criterion):
        return f"criterion_{criterion.pk}"

    @classmethod
    def initial_for(cls, review):
        if review is None:
            return {"version": 0, "comment": ""}
        initial = {"version": review.version, "comment": review.comment}
        for score in review.scores.all():
            initial[f"criterion_{score.criterion_id}"] = score.value
        return initial

    @property
    def submitting(self):
        return self.data.get("action") == ACTION_SUBMIT

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            for criterion in self.criteria:
                name = self.field_name(criterion)
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(name, _("提交前请填写此项。"))
            if self.round.comment_required and not cleaned.get("comment", "").strip():
                self.add_error("comment", _("本轮评审要求填写评语。"))
        return cleaned

    def values(self):
        return {c.pk: self.cleaned_data.get(self.field_name(c)) for c in self.criteria}

    def criterion_rows(self):
        """`(criterion, bound field)` pairs, for the template to show each guidance."""
        return [(c, self[self.field_name(c)]) for c in self.criteria]

    def add_service_errors(self, errors):
        for key, message in errors.items():
            name = key if key == "comment" else f"criterion_{key}"
            self.add_error(name if name in self.fields else None, message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class VerificationForm(_ErrorAttrsMixin, forms.Form):
    verified = forms.TypedChoiceField(
        label=_("核实结论"),
        choices=[("yes", _("核实通过")), ("no", _("核实未通过"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    visited_on = forms.DateField(label=_("核实日期"), required=False, widget=NativeDateInput())
    notes = forms.CharField(
        label=_("核实情况"), required=False, max_length=JUDGE_TEXT_MAX_CHARS, widget=forms.Textarea
    )
    evidence = MultipleFileField(
        label=_("佐证材料(PDF、JPG、PNG,可多选)"),
        required=False,
        help_text=_("按文件内容识别类型;单个文件大小受限。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, round, readonly=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        if round.comment_required:
            self.fields["notes"].label = _("核实情况(必填)")
        if readonly:
            for field in self.fields.values():
                field.disabled = True

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        for upload in files:
            try:
                inspect_evidence(upload)
            except DomainError as error:
                raise forms.ValidationError(str(error)) from None
        return files

    @classmethod
    def initial_for(cls, verification):
        if verification is None:
            return {"version": 0}
        verified = {True: "yes", False: "no"}.get(verification.verified)
        return {
            "version": verification.version,
            "verified": verified,
            "visited_on": verification.visited_on,
            "notes": verification.notes,
        }

    @property
    def submitting(self):
        return self.data.get("action") == ACTION_SUBMIT

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            if cleaned.get("verified") is None and "verified" not in self.errors:
                self.add_error("verified", _("提交前请选择核实结论。"))
            if cleaned.get("visited_on") is None and "visited_on" not in self.errors:
                self.add_error("visited_on", _("提交前请填写核实日期。"))
            if self.round.comment_required and not cleaned.get("notes", "").strip():
                self.add_error("notes", _("本轮要求填写核实情况。"))
        return cleaned

    def add_service_errors(self, errors):
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)


class RecusalForm(_ErrorAttrsMixin, forms.Form):
    reason = forms.CharField(
        label=_("回避原因"),
        widget=forms.Textarea,
        help_text=_("例如:本人曾参与该案例的策划或实施。"),
    )


class VoteForm(forms.Form):
    """One member's vote on one case; the field's label names the case."""

    case = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("投票"))

    def __init__(self, *args, round, tiers, case_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = {str(t.pk): t for t in tiers}
        if round.vote_mode == VoteMode.TIER:
            choices = [(f"tier:{pk}", tier.name) for pk, tier in self.tiers.items()]
        else:
            choices = [(VoteChoice.IN.value, VoteChoice.IN.label)]
            choices.append((VoteChoice.OUT.value, VoteChoice.OUT.label))
        self.fields["choice"].choices = [("", _("请选择"))] + choices
        if case_label:
            self.fields["choice"].label = _("对“%(case)s”的投票") % {"case": case_label}

    def choice_and_tier(self):
        value = self.cleaned_data["choice"]
        if value.startswith("tier:"):
            return VoteChoice.TIER, self.tiers[value.removeprefix("tier:")]
        return value, None


class QueueFilter(django_filters.FilterSet):
    """Filters of a judge's queue: category and status of the assignment."""

    category = django_filters.ModelChoiceFilter(
        field_name="case__category",
        label=_("类别"),
        queryset=Category.objects.none(),
        empty_label=_("全部类别"),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=AssignmentStatus.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = Assignment
        fields = ["category", "status"]

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].queryset = Category.objects.filter(edition_id=round.edition_id)
