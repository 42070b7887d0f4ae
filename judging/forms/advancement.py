from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import EntryResult


class OverrideForm(forms.Form):
    """Decide one entry by hand. Rendered once per row, with the entry id as prefix."""

    result = forms.ChoiceField(
        label=_("调整为"),
        choices=[(EntryResult.ADVANCED, _("晋级")), (EntryResult.ELIMINATED, _("未晋级"))],
    )
    reason = forms.CharField(
        label=_("调整理由"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
        error_messages={"required": _("调整必须填写理由。")},
    )

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"
