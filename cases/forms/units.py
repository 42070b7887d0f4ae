"""The portal's request for a unit that is not in the register."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Region, UnitLevel, UnitRegistryStatus, UnitType
from ..services.accounts import normalise_unit_name, unit_find


class UnitRequestForm(forms.Form):
    name = forms.CharField(
        label=_("单位名称"), max_length=200, help_text=_("请填写单位全称,与公章一致。")
    )
    type = forms.ChoiceField(label=_("单位类型"), choices=[("", _("请选择")), *UnitType.choices])
    level = forms.ChoiceField(
        label=_("行政层级"), choices=[("", _("请选择")), *UnitLevel.choices], required=False
    )
    region = forms.ModelChoiceField(
        label=_("所在地区"),
        queryset=Region.objects.order_by("path"),
        required=False,
        empty_label=_("请选择"),
    )
    parent_name = forms.CharField(
        label=_("上级单位"),
        max_length=200,
        required=False,
        help_text=_("如有,请填写名录中的上级单位全称(用于判断评审回避)。"),
        widget=forms.TextInput(attrs={"list": "unit-names"}),
    )
    confirmed_new = forms.BooleanField(
        label=_("我已核对名称相近的单位,本单位不是其中之一"), required=False
    )

    def clean_name(self):
        return normalise_unit_name(self.cleaned_data["name"])

    def clean_parent_name(self):
        name = normalise_unit_name(self.cleaned_data.get("parent_name", ""))
        if not name:
            return None
        parent = unit_find(name)
        if parent is None or parent.registry_status != UnitRegistryStatus.REGISTERED:
            raise forms.ValidationError(_("上级单位须为名录中已登记的单位。"))
        return parent
