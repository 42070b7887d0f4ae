"""Import and export of judges as xlsx (django-import-export), with Chinese column names.

A row is matched to an existing judge by e-mail (the login account); a new e-mail creates the
account (no usable password: the judge sets it from the invitation e-mail). The affiliation
is a unit's exact name, the region a region's name or full path (广东省/广州市).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from cases.models import Region, Unit
from cases.services import DomainError

from .models import Judge
from .services.setup import judge_account_for


class UnitByNameWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Unit, field="name")

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            return None
        unit = Unit.objects.filter(name=name).first()
        if unit is None:
            raise ValueError(_("单位“%(name)s”不存在,请先在“单位”中添加。") % {"name": name})
        return unit


class RegionWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Region, field="path")

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().replace(" › ", "/").replace(">", "/")
        if not text:
            return None
        region = Region.objects.filter(path=text).first()
        if region is None:
            matches = list(Region.objects.filter(name=text)[:2])
            if len(matches) > 1:
                raise ValueError(
                    _("地区“%(name)s”有重名,请填写完整路径,如 广东省/广州市。") % {"name": text}
                )
            region = matches[0] if matches else None
        if region is None:
            raise ValueError(_("地区“%(name)s”不存在。") % {"name": text})
        return region


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "是", "可以", "公开", "Y", "y", "yes"]
    FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, "否", "不可以", "不公开", "N", "n", "no"]

    def clean(self, value, row=None, **kwargs):
        value = value.strip() if isinstance(value, str) else value
        if value in self.NULL_VALUES:
            return True  # the model's default: the name may be published
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")


class TextWidget(widgets.CharWidget):
    """Text cell, trimmed; an empty cell is an empty string (text columns are NOT NULL)."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).strip()


class JudgeResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name=gettext_lazy("姓名"), widget=TextWidget())
    title = fields.Field(
        attribute="title", column_name=gettext_lazy("职称与职务"), widget=TextWidget()
    )
    affiliation = fields.Field(
        attribute="affiliation", column_name=gettext_lazy("所在单位"), widget=UnitByNameWidget()
    )
    region = fields.Field(
        attribute="region", column_name=gettext_lazy("地区"), widget=RegionWidget()
    )
    bio = fields.Field(attribute="bio", column_name=gettext_lazy("简介"), widget=TextWidget())
    public = fields.Field(
        attribute="public", column_name=gettext_lazy("可公开署名"), widget=YesNoWidget()
    )
    email = fields.Field(column_name=gettext_lazy("电子邮箱"), dehydrate_method="dehydrate_email")

    class Meta:
        model = Judge
        fields = ("name", "title", "affiliation", "region", "bio", "public", "email")
        import_id_fields = ()
        skip_unchanged = False
        clean_model_instances = True

    def _email(self, row):
        return str(row.get(str(self.fields["email"].column_name)) or "").strip().lower()

    def get_instance(self, instance_loader, row):
        email = self._email(row)
        if not email:
            return None
        return Judge.objects.filter(user__email__iexact=email).select_related("user").first()

    def before_import_row(self, row, **kwargs):
        if not str(row.get(str(self.fields["name"].column_name)) or "").strip():
            raise ValidationError(_("“姓名”不能为空。"))

    def before_save_instance(self, instance, row, **kwargs):
        email = self._email(row)
        if not email:
            return  # a judge without an account (e.g. an archive commentator)
        try:
            instance.user = judge_account_for(judge=instance, email=email)
        except DomainError as error:
            raise ValidationError({"email": str(error)}) from None

    def dehydrate_email(self, judge):
        return judge.user.email if judge.user_id else ""
