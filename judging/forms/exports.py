from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ExportFormat


class RoundExportForm(forms.Form):
    """Ask the task queue for a file of every review of the round."""

    fmt = forms.ChoiceField(label=_("格式"), choices=ExportFormat.choices)
    anonymous = forms.BooleanField(label=_("专家匿名(以 J1、J2… 代替专家姓名)"), required=False)
