"""Heat rankings: series, monthly periods, lists, items, mention data and published results."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Edition, Programme, Unit, UnitLevel

DEFAULT_PLATFORMS = "新闻\n报刊\n网站\n论坛\n客户端\n微博\n微信\n头条\n抖音"


class HeatTransform(models.TextChoices):
    LINEAR = "linear", _("原始提及量")
    LOG1P = "log1p", _("对数 ln(1+x)")


class HeatSeries(models.Model):
    """The settings of a programme's monthly rankings: weights, transform, platform set."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="heat_series", verbose_name=_("评选活动")
    )
    platforms = models.TextField(
        _("全网平台"),
        default=DEFAULT_PLATFORMS,
        help_text=_("每行一个平台;导入文件的列名须与之完全一致。"),
    )
    transform = models.CharField(
        _("标准化前的变换"),
        max_length=10,
        choices=HeatTransform.choices,
        default=HeatTransform.LINEAR,
    )
    online_weight = models.DecimalField(
        _("全网信息热度权重"),
        max_digits=6,
        decimal_places=3,
        default=1,
        validators=[MinValueValidator(0)],
    )
    coverage_weight = models.DecimalField(
        _("主流媒体报道热度权重"),
        max_digits=6,
        decimal_places=3,
        default=1,
        validators=[MinValueValidator(0)],
    )
    rules = models.TextField(_("排行榜规则说明"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "排行榜系列")
        verbose_name_plural = pgettext_lazy("model plural", "排行榜系列")
        constraints = [
            models.CheckConstraint(
                condition=Q(online_weight__gte=0) & Q(coverage_weight__gte=0),
                name="heat_series_weights_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(online_weight__gt=0) | Q(coverage_weight__gt=0),
                name="heat_series_some_weight",
            ),
        ]

    def __str__(self):
        return str(self.programme)

    @property
    def platform_list(self):
        seen = []
        for line in self.platforms.splitlines():
            name = line.strip()
            if name and name not in seen:
                seen.append(name)
        return seen


class HeatPeriod(models.Model):
    """One month of a series. Its edition carries the title (2023年3月), the URL, the state and
    the embargo (`results_published_at`); the period adds the month and the results."""

    series = models.ForeignKey(
        HeatSeries, on_delete=models.PROTECT, related_name="periods", verbose_name=_("排行榜系列")
    )
    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="heat_period", verbose_name=_("届")
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天,例如 2023-03-01"))
    published_label = models.CharField(
        _("发布时间说明"),
        max_length=200,
        blank=True,
        help_text=_("留空则显示发布时间;往期存档可写明来源中的日期,如“2023年4月(推定)”。"),
    )
    online_note = models.CharField(
        _("全网数据说明"),
        max_length=300,
        blank=True,
        help_text=_("例如说明全网信息热度不在来源中。"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
        editable=False,
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("model", "排行榜月份")
        verbose_name_plural = pgettext_lazy("model plural", "排行榜月份")
        ordering = ["series", "month"]
        permissions = [("publish_heatperiod", _("可以计算并发布排行榜"))]
        constraints = [
            models.UniqueConstraint(fields=["series", "month"], name="heat_period_month_unique"),
        ]

    def __str__(self):
        return str(self.edition)


class HeatKind(models.TextChoices):
    CASE = "case", _("社会治理创新案例")
    ACTIVITY = "activity", _("社会治理创新活动")


HEAT_LEVELS = [
    (UnitLevel.PROVINCIAL.value, UnitLevel.PROVINCIAL.label),
    (UnitLevel.MUNICIPAL.value, UnitLevel.MUNICIPAL.label),
    (UnitLevel.COUNTY.value, UnitLevel.COUNTY.label),
]


class HeatList(models.Model):
    """One list of a period: a level (from the unit's administrative level) × a kind."""

    period = models.ForeignKey(
        HeatPeriod, on_delete=models.CASCADE, related_name="lists", verbose_name=_("月份")
    )
    level = models.CharField(_("层级"), max_length=20, choices=HEAT_LEVELS)
    kind = models.CharField(_("类型"), max_length=20, choices=HeatKind.choices)
    order = models.PositiveIntegerField(_("排序"), default=0)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "榜单")
        verbose_name_plural = pgettext_lazy("model plural", "榜单")
        ordering = ["period", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "level", "kind"], name="heat_list_level_kind_unique"
            ),
        ]

    def __str__(self):
        return f"{self.period} · {self.title}"

    @property
    def title(self):
        return _("%(level)s系统%(kind)s排行榜") % {
            "level": self.get_level_display(),
            "kind": self.get_kind_display(),
        }


class HeatItem(models.Model):
    """A case or an activity of a unit in one list of a period."""

    list = models.ForeignKey(
        HeatList, on_delete=models.CASCADE, related_name="items", verbose_name=_("榜单")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="heat_items",
        verbose_name=_("单位"),
        help_text=_("来源未载明单位时留空。"),
    )
    title = models.CharField(_("名称"), max_length=200)
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="heat_items",
        verbose_name=_("关联案例"),
        help_text=_("单位在门户中报送的案例(可选)。"),
    )
    source_note = models.CharField(_("来源说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "上榜条目")
        verbose_name_plural = pgettext_lazy("model plural", "上榜条目")
        ordering = ["list", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["list", "unit", "title"], name="heat_item_unit_title_unique"
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.title}" if self.unit_id else self.title

    @property
    def unit_name(self):
        return self.unit.name if self.unit_id else ""


class OutletLevel(models.TextChoices):
    CENTRAL = "central", _("央级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    OTHER = "other", _("其他")


# 主流媒体报道热度 counts mentions on 省级、央级以上 media (seed 002, rule 3).
MAINSTREAM_LEVELS = (OutletLevel.CENTRAL, OutletLevel.PROVINCIAL)


class Outlet(models.Model):
    """A media outlet of the managed list: coverage records pick one, so a typo cannot split
    one outlet in two."""

    name = models.CharField(_("媒体名称"), max_length=100, unique=True)
    level = models.CharField(_("媒体级别"), max_length=20, choices=OutletLevel.choices)

    class Meta:
        verbose_name = pgettext_lazy("model", "媒体")
        verbose_name_plural = pgettext_lazy("model plural", "媒体")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}({self.get_level_display()})"


class HeatCoverage(models.Model):
    """One report on an item by an outlet of the list."""

    item = models.ForeignKey(
        HeatItem, on_delete=models.CASCADE, related_name="coverage", verbose_name=_("上榜条目")
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="coverage", verbose_name=_("媒体")
    )
    published_on = models.DateField(_("报道日期"), null=True, blank=True)
    url = models.URLField(_("链接"), max_length=500, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "媒体报道记录")
        verbose_name_plural = pgettext_lazy("model plural", "媒体报道记录")
        ordering = ["item", "outlet__name", "pk"]

    def __str__(self):
        return f"{self.item} · {self.outlet.name}"


class MentionCount(models.Model):
    """Mentions of an item on one platform in the period, imported from the 传播指数 export."""

    item = models.ForeignKey(
        HeatItem, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("上榜条目")
    )
    platform = models.CharField(_("平台"), max_length=50)
    count = models.PositiveBigIntegerField(_("提及量"), validators=[MaxValueValidator(10**15)])

    class Meta:
        verbose_name = pgettext_lazy("model", "平台提及量")
        verbose_name_plural = pgettext_lazy("model plural", "平台提及量")
        ordering = ["item", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["item", "platform"], name="mention_item_platform"),
            models.CheckConstraint(condition=Q(count__gte=0), name="mention_count_non_negative"),
        ]

    def __str__(self):
        return f"{self.item} · {self.platform}: {self.count}"


class HeatResult(models.Model):
    """An item's published figures: the raw sums, the indices and the rank, frozen at
    publication (rounded half-up to 4 places); `verify_results` recomputes them."""

    item = models.OneToOneField(
        HeatItem, on_delete=models.CASCADE, related_name="result", verbose_name=_("上榜条目")
    )
    online_mentions = models.PositiveBigIntegerField(_("全网提及量"), null=True)
    mainstream_mentions = models.PositiveBigIntegerField(_("省级及央级媒体提及量"))
    online_index = models.DecimalField(_("全网信息热度"), max_digits=9, decimal_places=4, null=True)
    coverage_index = models.DecimalField(_("主流媒体报道热度"), max_digits=9, decimal_places=4)
    composite = models.DecimalField(_("综合热度"), max_digits=9, decimal_places=4)
    rank = models.PositiveIntegerField(_("名次"))

    class Meta:
        verbose_name = pgettext_lazy("model", "排行结果")
        verbose_name_plural = pgettext_lazy("model plural", "排行结果")
        ordering = ["item__list", "rank", "item__title"]

    def __str__(self):
        return f"{self.item} · {self.rank}"
