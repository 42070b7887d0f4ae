"""The case form of the unit portal.

Every field is optional here: a draft may be saved whatever is missing. Completeness and
character limits are submission rules (`cases.services.submission.submission_problems`);
this form only refuses what cannot be stored (a malformed e-mail or link, a file whose
content is not of an accepted type).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import AttachmentKind, Case, MediaCoverage, UnitRegistryStatus
from ..services.accounts import normalise_unit_name, unit_find
from ..services.submission import CaseContent, MediaItem
from ..uploads import MAX_IMAGES, inspect_upload
from ..widgets import NativeDateInput


def _model_field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(required=False, **kwargs)


def _textarea(rows, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class CaseStartForm(forms.Form):
    """The first step: which unit, which category, what the case is called."""

    owner_unit = forms.ModelChoiceField(label=_("申报单位"), queryset=None, empty_label=None)
    category = forms.ModelChoiceField(label=_("案例类别"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("案例名称"), max_length=200)

    def __init__(self, *args, edition, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units
        self.fields["category"].queryset = edition.categories.all()
        if len(units) == 1:
            self.fields["owner_unit"].widget = forms.HiddenInput()
            self.fields["owner_unit"].initial = units[0].pk


def _require_registered(names):
    """Units are picked from the register (a requested unit counts until it is decided)."""
    errors = []
    for name in names:
        unit = unit_find(name)
        if unit is None:
            message = _("“%(name)s”不在单位名录中:请从名录中选择,或先申请登记该单位。")
        elif unit.registry_status == UnitRegistryStatus.REJECTED:
            message = _("“%(name)s”的单位登记申请未通过,请改选名录中的单位。")
        else:
            continue
        errors.append(ValidationError(message % {"name": name}))
    if errors:
        raise ValidationError(errors)


class CaseForm(forms.Form):
    """The whole case on one page. `accepted_uploads()` gives the files that passed their
    content checks, so the view can keep them even when other fields have errors."""

    category = forms.ModelChoiceField(
        label=_("案例类别"), queryset=None, required=False, empty_label=_("请选择")
    )
    title = _model_field(Case, "title")
    lead_units = forms.CharField(
        label=_("主创单位"),
        required=False,
        widget=_textarea(3),
        help_text=_("每行一个单位,按署名顺序填写;须为单位名录中的单位,名录中没有的请先申请登记。"),
    )
    submitting_unit = forms.CharField(
        label=_("报送单位"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "unit-names"}),
        help_text=_("向组织方报送本案例的单位,通常为本单位。"),
    )
    contact_name = _model_field(Case, "contact_name")
    contact_phone = _model_field(
        Case, "contact_phone", widget=forms.TextInput(attrs={"type": "tel"})
    )
    contact_email = _model_field(Case, "contact_email")
    summary = _model_field(Case, "summary", widget=_textarea(5))
    background = _model_field(Case, "background", widget=_textarea(8))
    practice = _model_field(Case, "practice", widget=_textarea(12))
    outcomes = _model_field(Case, "outcomes", widget=_textarea(8))
    promotion_value = _model_field(Case, "promotion_value", widget=_textarea(6))
    declaration_accepted = forms.BooleanField(
        label=_(
            "本单位承诺:所报案例真实、准确,材料不涉及国家秘密和个人隐私,"
            "同意组织方在评选和宣传中使用案例内容。"
        ),
        required=False,
    )
    application_form = forms.FileField(
        label=_("申报书"),
        required=False,
        help_text=_("PDF 或 Word(.docx),必传;重新上传会替换原文件。"),
    )
    supporting_files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("PDF、JPG 或 PNG,可一次选择多个文件。"),
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    TEXT_FIELDS = ("summary", *Case.BODY_FIELDS)

    def __init__(self, *args, case, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        edition = case.edition
        self.fields["category"].queryset = edition.categories.all()
        self.fields["remove_attachments"].queryset = case.attachments.all()
        self.fields["title"].widget.attrs["maxlength"] = 200
        self.fields["summary"].widget.attrs["data-char-limit"] = edition.summary_char_limit
        self.fields["summary"].help_text = _("不超过 %(limit)d 字。") % {
            "limit": edition.summary_char_limit
        }
        for name in Case.BODY_FIELDS:
            self.fields[name].widget.attrs["data-char-group"] = "body"
        for i in range(1, MAX_IMAGES + 1):
            self.fields[f"image_{i}"] = forms.FileField(
                label=_("图片 %(n)d") % {"n": i}, required=False
            )
            self.fields[f"caption_{i}"] = forms.CharField(
                label=_("图片 %(n)d 说明") % {"n": i}, required=False, max_length=200
            )

    @classmethod
    def initial_for(cls, case):
        initial = {name: getattr(case, name) for name in (*cls.TEXT_FIELDS, "title")}
        initial.update(
            category=case.category_id,
            contact_name=case.contact_name,
            contact_phone=case.contact_phone,
            contact_email=case.contact_email,
            declaration_accepted=case.declaration_accepted,
            lead_units="\n".join(link.unit.name for link in case.lead_unit_links.all()),
            submitting_unit=case.submitting_unit.name if case.submitting_unit_id else "",
        )
        return initial

    def image_fields(self):
        return [(self[f"image_{i}"], self[f"caption_{i}"]) for i in range(1, MAX_IMAGES + 1)]

    # Browsers send CRLF line breaks; stored text uses LF, so that the server counts what
    # the live counter showed.
    def _clean_text(self, name):
        return self.cleaned_data.get(name, "").replace("\r\n", "\n").replace("\r", "\n")

    def clean_summary(self):
        return self._clean_text("summary")

    def clean_background(self):
        return self._clean_text("background")

    def clean_practice(self):
        return self._clean_text("practice")

    def clean_outcomes(self):
        return self._clean_text("outcomes")

    def clean_promotion_value(self):
        return self._clean_text("promotion_value")

    def clean_lead_units(self):
        names = [normalise_unit_name(line) for line in self._clean_text("lead_units").split("\n")]
        names = [name for name in names if name]
        too_long = [name for name in names if len(name) > 200]
        if too_long:
            raise ValidationError(_("单位名称不能超过 200 字:%(name)s") % {"name": too_long[0]})
        _require_registered(names)
        return names

    def clean_submitting_unit(self):
        name = normalise_unit_name(self.cleaned_data.get("submitting_unit", ""))
        if name:
            _require_registered([name])
        return name

    def clean_application_form(self):
        file = self.cleaned_data.get("application_form")
        return inspect_upload(file, kind=AttachmentKind.APPLICATION_FORM) if file else None

    def clean_supporting_files(self):
        inspected, errors = [], []
        for file in self.cleaned_data.get("supporting_files") or []:
            try:
                inspected.append(inspect_upload(file, kind=AttachmentKind.SUPPORTING))
            except ValidationError as error:
                errors.extend(error.messages)
        self.accepted_supporting = inspected
        if errors:
            raise ValidationError(errors)
        return inspected

    def clean(self):
        cleaned = super().clean()
        for i in range(1, MAX_IMAGES + 1):
            file = cleaned.get(f"image_{i}")
            if file:
                try:
                    cleaned[f"image_{i}"] = inspect_upload(file, kind=AttachmentKind.IMAGE)
                except ValidationError as error:
                    self.add_error(f"image_{i}", error)
        return cleaned

    def accepted_uploads(self):
        """`(field name, kind, inspected file, caption)` for each file that passed its check,
        whether or not the rest of the form is valid."""
        data = getattr(self, "cleaned_data", {})
        uploads = []
        if data.get("application_form"):
            uploads.append(
                ("application_form", AttachmentKind.APPLICATION_FORM, data["application_form"], "")
            )
        for upload in data.get("supporting_files") or getattr(self, "accepted_supporting", []):
            uploads.append(("supporting_files", AttachmentKind.SUPPORTING, upload, ""))
        for i in range(1, MAX_IMAGES + 1):
            if data.get(f"image_{i}") and f"image_{i}" not in self.errors:
                uploads.append(
                    (
                        f"image_{i}",
                        AttachmentKind.IMAGE,
                        data[f"image_{i}"],
                        data.get(f"caption_{i}", ""),
                    )
                )
        return uploads

    def content(self, media_forms):
        data = self.cleaned_data
        return CaseContent(
            title=data["title"],
            category=data["category"],
            summary=data["summary"],
            background=data["background"],
            practice=data["practice"],
            outcomes=data["outcomes"],
            promotion_value=data["promotion_value"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            declaration_accepted=data["declaration_accepted"],
            lead_unit_names=data["lead_units"],
            submitting_unit_name=normalise_unit_name(data["submitting_unit"]),
            media=[
                MediaItem(
                    url=form.cleaned_data["url"],
                    outlet=form.cleaned_data.get("outlet", ""),
                    published_on=form.cleaned_data.get("published_on"),
                )
                for form in media_forms
                if form.cleaned_data.get("url")
            ],
        )


class MediaCoverageForm(forms.Form):
    url = _model_field(MediaCoverage, "url", assume_scheme="https")
    outlet = _model_field(MediaCoverage, "outlet")
    published_on = _model_field(MediaCoverage, "published_on", widget=NativeDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each row's labels say which report they belong to (labels must be unique on a page).
        # The formset's empty form (prefix `media-__prefix__`, cloned by static/js/formset.js)
        # is numbered 0 here; the script numbers the copy it adds.
        suffix = self.prefix.rsplit("-", 1)[-1] if self.prefix else "0"
        number = int(suffix) + 1 if suffix.isdigit() else 0
        for name in ("url", "outlet", "published_on"):
            self.fields[name].label = _("报道 %(n)d %(field)s") % {
                "n": number,
                "field": self.fields[name].label,
            }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("url") and (cleaned.get("outlet") or cleaned.get("published_on")):
            self.add_error("url", _("请填写报道链接。"))
        return cleaned


MediaCoverageFormSet = forms.formset_factory(MediaCoverageForm, extra=2, max_num=30)


def media_formset(*, case, data=None):
    initial = [
        {"url": item.url, "outlet": item.outlet, "published_on": item.published_on}
        for item in case.media_coverage.all()
    ]
    return MediaCoverageFormSet(data, initial=initial, prefix="media")
