"""单位: the unit file (xlsx, csv)."""

import re

from django.utils.translation import gettext as _
from import_export.fields import Field

from ..models import Unit, UnitLevel, UnitType
from ..services.imports import region_from_path
from ..services.register import UnitKeyIndex, unit_name_key
from .base import (
    ChoiceWidget,
    RowError,
    StrictImportResource,
    TextWidget,
    YesNoWidget,
    cell_text,
    excel_row,
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
            if instance.pk is None:
                self.resolve(errors, "单位名称", self.not_a_variant, name, **kwargs)
        if "地区" in row:
            instance.region = self.resolve(errors, "地区", self.region_of, row["地区"])
        if "上级单位" in row:
            instance.parent = self.resolve(errors, "上级单位", self.parent_of, instance, row)

    def not_a_variant(self, name, **kwargs):
        """A new unit whose name is another spelling of a unit in the register (or of an
        earlier row) is refused: the register keeps one name per unit."""
        index = self.memoised("unit-key-index", None, UnitKeyIndex)
        same = [match for match in index.matches(name) if match.same_key and match.name != name]
        if same:
            raise RowError(
                _(
                    "“%(name)s”与名录中的“%(existing)s”视为同一单位(写法不同)。请改用该名称;"
                    "如确为两个单位,请联系系统管理员。"
                )
                % {"name": name, "existing": same[0].name}
            )
        first = self.memo.setdefault("unit-keys", {}).setdefault(
            unit_name_key(name), (name, excel_row(kwargs["row_number"]))
        )
        if first[0] != name:
            raise RowError(
                _("“%(name)s”与第%(row)s行的“%(other)s”视为同一单位(写法不同),请只保留一种写法。")
                % {"name": name, "row": first[1], "other": first[0]}
            )

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
