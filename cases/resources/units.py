"""单位: the unit file (xlsx, csv)."""

import re

from django.utils.translation import gettext as _
from import_export.fields import Field

from ..models import Unit, UnitLevel, UnitType
from ..services.imports import region_from_path
from .base import (
    ChoiceWidget,
    RowError,
    StrictImportResource,
    TextWidget,
    YesNoWidget,
    cell_text,
)

REGION_SEPARATORS = re.compile(r"\s*[//›>]\s*")


class UnitResource(StrictImportResource):
    """单位: one row per unit, matched by exact name (an existing unit is updated)."""

    name = Field("name", "单位名称", widget=TextWidget())
    type = Field("type", "单位类型", widget=ChoiceWidget(UnitType))
    level = Field("level", "行政层级", widget=ChoiceWidget(UnitLevel, blank=True))
    region = Field("region", "地区", readonly=True)
    parent = Field("parent", "上级单位", readonly=True)
    contact_phone = Field("contact_phone", "联系电话", widget=TextWidget())
    verified = Field("verified", "已核验", widget=YesNoWidget(), readonly=True)

    required_columns = ("单位名称", "单位类型")
    resolved_foreign_keys = ("region", "parent")
    export_only = ("已核验",)  # verification is an audited action of the organisers

    class Meta:
        model = Unit
        fields = ("name", "type", "level", "region", "parent", "contact_phone", "verified")
        import_id_fields = ("name",)
        clean_model_instances = True
        skip_unchanged = False

    def get_queryset(self):
        return Unit.objects.select_related("region", "parent")

    def dehydrate_region(self, unit):
        return unit.region.path if unit.region_id else ""

    def dehydrate_parent(self, unit):
        return unit.parent.name if unit.parent_id else ""

    def import_relations(self, instance, row, errors, **kwargs):
        name = cell_text(row["单位名称"])
        if name:
            self.resolve(errors, "单位名称", self.remember, ("unit", name), **kwargs)
        if "地区" in row:
            instance.region = self.resolve(errors, "地区", self.region_of, row["地区"])
        if "上级单位" in row:
            instance.parent = self.resolve(errors, "上级单位", self.parent_of, instance, row)

    def region_of(self, text):
        text = cell_text(text)
        if not text:
            return None
        names = REGION_SEPARATORS.split(text)
        if not all(names):
            raise RowError(
                _("地区“%(path)s”格式不对,应写成 广东省/汕头市/濠江区。") % {"path": text}
            )
        return self.memoised("region", tuple(names), lambda: region_from_path(names=names)[0])

    def parent_of(self, instance, row):
        name = cell_text(row["上级单位"])
        if not name:
            return None
        if name == cell_text(row["单位名称"]):
            raise RowError(_("上级单位不能是本单位。"))
        try:
            parent = self.unit_named(name, what=_("上级单位"))
        except RowError:
            raise RowError(
                _("上级单位“%(name)s”不存在。上级单位须已在系统中,或在本文件中排在本单位之前。")
                % {"name": name}
            ) from None
        if instance.pk and instance.pk in [parent.pk, *parent.ancestor_ids()]:
            raise RowError(_("上级单位“%(name)s”是本单位的下级,不能互为上级。") % {"name": name})
        return parent

    def after_save_instance(self, instance, row, **kwargs):
        # A unit created by an earlier row can be the parent of a later one.
        self.memo.setdefault("unit", {})[instance.name] = instance
