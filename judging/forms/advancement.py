from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import EntryResult


class OverrideForm(forms.Form):
    """Decide one entry by hand. Rendered once per row: the entry id is the prefix, and the
    case reference goes into the labels so that each row's fields have their own name."""

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
        super().__init__(*args, prefix=f"e{entry.pk}", **kwargs)
        self.entry_id = entry.pk
        reference = entry.case.reference or entry.case.title
        self.fields["result"].label = _("%(case)s 调整为") % {"case": reference}
        self.fields["reason"].label = _("%(case)s 的调整理由") % {"case": reference}

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"
