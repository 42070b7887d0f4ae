"""Review, decision and publication: judges, panels, rounds, assignments, reviews, votes,
conflicts of interest, round results, awards and objections (DESIGN.md §4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import AwardTier, Case, Category, Edition, Region, Unit


class Judge(models.Model):
    """An expert. Archive commentators (点评专家) may have no account (`user` empty)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="judge",
        verbose_name=_("登录账号"),
    )
    name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(
        _("职称与职务"), max_length=300, blank=True, help_text=_("例如 中山大学政务学院教授")
    )
    affiliation = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="judges",
        verbose_name=_("所在单位"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="judges",
        verbose_name=_("地区"),
    )
    bio = models.TextField(_("简介"), blank=True)
    public = models.BooleanField(_("可公开署名为点评专家"), default=True)
    invited_at = models.DateTimeField(_("最近邀请时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "评审专家")
        verbose_name_plural = pgettext_lazy("model plural", "评审专家")
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name}({self.title})" if self.title else self.name


class Panel(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="panels", verbose_name=_("届")
    )
    name = models.CharField(_("名称"), max_length=100)
    categories = models.ManyToManyField(
        Category, related_name="panels", verbose_name=_("负责类别"), blank=True
    )
    judges = models.ManyToManyField(
        Judge, through="PanelMembership", related_name="panels", verbose_name=_("专家")
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "评审组")
        verbose_name_plural = pgettext_lazy("model plural", "评审组")
        ordering = ["edition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="panel_name_unique"),
        ]

    def __str__(self):
        return f"{self.edition} · {self.name}"


class PanelRole(models.TextChoices):
    CHAIR = "chair", _("主任")
    CO_CHAIR = "co_chair", _("联席主任")
    SECRETARY = "secretary", _("秘书长")
    MEMBER = "member", _("委员")


PANEL_CHAIR_ROLES = {PanelRole.CHAIR, PanelRole.CO_CHAIR}


class PanelMembership(models.Model):
    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("评审组")
    )
    judge = models.ForeignKey(
        Judge, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("专家")
    )
    role = models.CharField(
        _("角色"), max_length=20, choices=PanelRole.choices, default=PanelRole.MEMBER
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "评审组成员")
        verbose_name_plural = pgettext_lazy("model plural", "评审组成员")
        constraints = [
            models.UniqueConstraint(fields=["panel", "judge"], name="panel_member_unique"),
        ]

    def __str__(self):
        return f"{self.judge} · {self.get_role_display()}"


class RoundKind(models.TextChoices):
    SCORING = "scoring", _("评分")
    VERIFICATION = "verification", _("走访核实")
    VOTE = "vote", _("全体会议投票")
    METRIC = "metric", _("数据指标")
    PUBLIC_VOTE = "public_vote", _("网络投票(大众评审)")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("未开始")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("平均分")
    TRIMMED = "trimmed", _("去掉最高最低分")
    ZSCORE = "zscore", _("标准分(按专家)")


class AdvancementRule(models.TextChoices):
    NONE = "none", _("不设自动晋级")
    TOP_N = "top_n", _("每类前 N 名")
    TOP_PERCENT = "top_percent", _("每类前 p%")
    THRESHOLD = "threshold", _("分数线")
    ALL_VERIFIED = "all_verified", _("全部核实通过")


class VoteMode(models.TextChoices):
    TIER = "tier", _("投奖项等级")
    IN_OUT = "in_out", _("投入选/不入选")


class Round(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("届")
    )
    name = models.CharField(_("名称"), max_length=100)
    order = models.PositiveIntegerField(_("顺序"), default=1)
    kind = models.CharField(
        _("类型"), max_length=20, choices=RoundKind.choices, default=RoundKind.SCORING
    )
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    blind = models.BooleanField(_("匿名评审"), default=False, help_text=_("对专家隐藏申报单位"))
    reviews_per_case = models.PositiveIntegerField(_("每案例评审人数"), default=3)
    judges_see_others = models.BooleanField(_("提交后可见他人评分"), default=False)
    regional_recusal = models.BooleanField(
        _("地域回避"),
        default=False,
        help_text=_(
            "专家不评审本人所在地区(含下辖地区)单位的案例(按专家的“地区”与案例各单位的地区判断)"
        ),
    )
    comment_required = models.BooleanField(_("必须填写评语"), default=False)
    aggregation = models.CharField(
        _("汇总方式"), max_length=20, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    advancement_rule = models.CharField(
        _("晋级规则"),
        max_length=20,
        choices=AdvancementRule.choices,
        default=AdvancementRule.NONE,
    )
    advancement_value = models.DecimalField(
        _("晋级参数"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("N、p 或分数线"),
    )
    vote_mode = models.CharField(
        _("投票方式"), max_length=20, choices=VoteMode.choices, default=VoteMode.TIER
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "评审轮次")
        verbose_name_plural = pgettext_lazy("model plural", "评审轮次")
        permissions = [("view_tally", _("查看投票计票结果"))]
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "order"], name="round_order_unique"),
            models.CheckConstraint(
                condition=Q(reviews_per_case__gte=1), name="round_reviews_per_case_positive"
            ),
        ]

    def __str__(self):
        return f"{self.edition} · {self.name}"


class Criterion(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("轮次")
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("评分说明"), blank=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=3, default=1)
    max_points = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, default=10)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "评分指标")
        verbose_name_plural = pgettext_lazy("model plural", "评分指标")
        ordering = ["round", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="criterion_max_points_positive"
            ),
            models.UniqueConstraint(fields=["round", "name"], name="criterion_name_unique"),
        ]

    def __str__(self):
        return self.name


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("专家申报")
    DETECTED = "detected", _("系统识别")
    RECUSAL = "recusal", _("主动回避")
    REGION = "region", _("地域回避")


class Conflict(models.Model):
    """A declared conflict with a unit, or a recusal from one case (`case` set)."""

    judge = models.ForeignKey(
        Judge, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("专家")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回避单位"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name=_("回避案例"),
    )
    source = models.CharField(_("来源"), max_length=20, choices=ConflictSource.choices)
    reason = models.TextField(_("原因"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "回避")
        verbose_name_plural = pgettext_lazy("model plural", "回避")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(case__isnull=False),
                name="conflict_has_target",
            ),
            models.UniqueConstraint(
                fields=["judge", "unit"],
                condition=Q(unit__isnull=False),
                name="conflict_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["judge", "case"],
                condition=Q(case__isnull=False),
                name="conflict_case_unique",
            ),
        ]

    def __str__(self):
        return f"{self.judge} ↛ {self.case or self.unit}"


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待评")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Assignment(models.Model):
    # No index of their own for the round and the judge: the unique constraint's index
    # starts with the round, the queue index with the judge, and each index more is kept up
    # on every one of a round's 40,000 inserted rows.
    round = models.ForeignKey(
        Round,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("轮次"),
        db_index=False,
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("案例")
    )
    judge = models.ForeignKey(
        Judge,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("专家"),
        db_index=False,
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
    )
    manual = models.BooleanField(_("手工分配"), default=False)
    created_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "分配")
        verbose_name_plural = pgettext_lazy("model plural", "分配")
        ordering = ["round", "case", "judge"]
        constraints = [
            models.UniqueConstraint(fields=["round", "case", "judge"], name="assignment_unique"),
        ]
        indexes = [
            # With the case, the index holds every column a judge's queue and progress
            # filter on (conflicts are looked up by case): SQLite reads the judge's 200
            # rows from it instead of the round's 10,000 from the unique constraint's.
            models.Index(fields=["judge", "round", "status", "case"], name="assignment_queue_idx"),
        ]

    def __str__(self):
        return f"{self.round.name} · {self.case} · {self.judge.name}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Review(models.Model):
    """A judge's scores and comment for one assignment. `version` increases on every save:
    a form posted with an older version is stale and refused (two tabs, one judge)."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("分配")
    )
    comment = models.TextField(_("评语"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    score = models.DecimalField(
        _("加权得分(0–100)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "评分")
        verbose_name_plural = pgettext_lazy("model plural", "评分")

    def __str__(self):
        return str(self.assignment)


class CriterionScore(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评分")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("指标")
    )
    value = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = pgettext_lazy("model", "指标得分")
        verbose_name_plural = pgettext_lazy("model plural", "指标得分")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="criterion_score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="criterion_score_non_negative"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Verification(models.Model):
    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="verification", verbose_name=_("分配")
    )
    verified = models.BooleanField(_("核实通过"), null=True)
    notes = models.TextField(_("核实情况"), blank=True)
    visited_on = models.DateField(_("核实日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "核实记录")
        verbose_name_plural = pgettext_lazy("model plural", "核实记录")

    def __str__(self):
        return str(self.assignment)


def evidence_upload_to(instance, filename):
    from cases.models import attachment_upload_to

    return attachment_upload_to(instance, filename).replace("attachments", "evidence", 1)


class VerificationEvidence(models.Model):
    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("核实记录")
    )
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "核实佐证")
        verbose_name_plural = pgettext_lazy("model plural", "核实佐证")

    def __str__(self):
        return self.original_name


class VoteChoice(models.TextChoices):
    IN = "in", _("入选")
    OUT = "out", _("不入选")
    TIER = "tier", _("奖项等级")


class Vote(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="votes", verbose_name=_("轮次")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="votes", verbose_name=_("案例")
    )
    judge = models.ForeignKey(
        Judge, on_delete=models.CASCADE, related_name="votes", verbose_name=_("专家")
    )
    choice = models.CharField(_("投票"), max_length=10, choices=VoteChoice.choices)
    tier = models.ForeignKey(
        AwardTier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("奖项"),
    )
    updated_at = models.DateTimeField(_("投票时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "投票")
        verbose_name_plural = pgettext_lazy("model plural", "投票")
        constraints = [
            models.UniqueConstraint(fields=["round", "case", "judge"], name="vote_unique"),
            models.CheckConstraint(
                condition=Q(choice="tier", tier__isnull=False)
                | (~Q(choice="tier") & Q(tier__isnull=True)),
                name="vote_tier_matches_choice",
            ),
        ]

    def __str__(self):
        return f"{self.judge.name} → {self.case}: {self.tier or self.get_choice_display()}"


class VoteThreshold(models.Model):
    """The share of the members present that a tier needs in a plenary vote round
    (“须经到会委员三分之二以上同意”). `tier` empty: the threshold of an in/out vote, and the
    default for tiers without their own; with no row at all a tier needs more than half."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="vote_thresholds", verbose_name=_("轮次")
    )
    tier = models.ForeignKey(
        AwardTier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("奖项"),
        help_text=_("留空:入选/不入选投票的门槛,也是未单独设置的奖项的门槛"),
    )
    numerator = models.PositiveSmallIntegerField(_("分子"), default=1)
    denominator = models.PositiveSmallIntegerField(_("分母"), default=2)
    inclusive = models.BooleanField(
        _("达到即通过"),
        default=False,
        help_text=_("勾选:票数达到该比例即通过(“三分之二以上”);不勾选:须超过该比例(“过半数”)"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "投票通过门槛")
        verbose_name_plural = pgettext_lazy("model plural", "投票通过门槛")
        ordering = ["round", "tier__order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(denominator__gte=1)
                & Q(numerator__gte=1)
                & Q(numerator__lte=models.F("denominator")),
                name="vote_threshold_proper_fraction",
            ),
            models.UniqueConstraint(
                fields=["round", "tier"],
                condition=Q(tier__isnull=False),
                name="vote_threshold_tier_unique",
            ),
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(tier__isnull=True),
                name="vote_threshold_default_unique",
            ),
        ]

    def __str__(self):
        share = f"{self.numerator}/{self.denominator}"
        return f"{self.tier or _('入选')}: {'≥' if self.inclusive else '>'} {share}"


class EntryResult(models.TextChoices):
    PENDING = "pending", _("待定")
    ADVANCED = "advanced", _("晋级")
    ELIMINATED = "eliminated", _("未晋级")


class RoundEntry(models.Model):
    """A case taking part in a round, with its tabulated score, rank and outcome."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="entries", verbose_name=_("轮次")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="round_entries", verbose_name=_("案例")
    )
    result = models.CharField(
        _("结果"), max_length=20, choices=EntryResult.choices, default=EntryResult.PENDING
    )
    score = models.DecimalField(_("得分"), max_digits=9, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    override_reason = models.TextField(_("调整理由"), blank=True)
    voted_tier = models.ForeignKey(
        AwardTier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投票结果奖项"),
        help_text=_("全体会议投票轮次确认时记录的、达到门槛的最高奖项"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "轮次案例")
        verbose_name_plural = pgettext_lazy("model plural", "轮次案例")
        ordering = ["round", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "case"], name="round_entry_unique"),
        ]

    def __str__(self):
        return f"{self.round.name} · {self.case}"


class RoundDataVersion(models.Model):
    """How often the data a round's ranking is computed from has changed. Written only by the
    database triggers of migration 0012 (on reviews, criterion scores, assignments, criteria,
    entries, and the case and category fields the ranking shows), so no write can bypass it:
    `version` moves on every change, `entries` on a change of the entries or of what they
    show. Under PostgreSQL the triggers update this row, whose lock orders the versions as
    their transactions commit."""

    round_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)
    # Random per row: a round id reused (SQLite tests rolled back) never matches kept figures.
    token = models.BigIntegerField(default=0)
    # The changes up to this version are no longer kept (`RoundDataChange`).
    pruned = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "轮次数据版本")
        verbose_name_plural = pgettext_lazy("model plural", "轮次数据版本")
        default_permissions = ()  # no one edits it: the triggers do

    def __str__(self):
        return f"{self.round_id}: {self.version}"


class RoundDataChange(models.Model):
    """One change of a round's scores, written by the triggers with the version it made: the
    review whose score may have moved, or none when the whole round must be read again (its
    criteria changed, an assignment moved)."""

    round_id = models.BigIntegerField()
    seq = models.BigIntegerField()
    review_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "轮次数据变更")
        verbose_name_plural = pgettext_lazy("model plural", "轮次数据变更")
        default_permissions = ()
        indexes = [models.Index(fields=["round_id", "seq"], name="round_data_change_seq_idx")]

    def __str__(self):
        return f"{self.round_id}: {self.seq} {self.review_id}"


class CitationStatus(models.TextChoices):
    NONE = "none", _("未安排")
    ASSIGNED = "assigned", _("待撰写")
    DRAFTED = "drafted", _("已提交待审")
    APPROVED = "approved", _("已审定")


class Award(models.Model):
    """A case × tier in an edition, with its signed citation (点评 / 推荐语)."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="awards", verbose_name=_("届")
    )
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="award", verbose_name=_("案例")
    )
    tier = models.ForeignKey(
        AwardTier, on_delete=models.PROTECT, related_name="awards", verbose_name=_("奖项")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("类别"),
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    citation = models.TextField(_("点评/推荐语"), blank=True)
    citation_status = models.CharField(
        _("点评状态"), max_length=20, choices=CitationStatus.choices, default=CitationStatus.NONE
    )
    commentator = models.ForeignKey(
        Judge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("点评专家"),
    )
    signed_as = models.CharField(
        _("署名"),
        max_length=200,
        blank=True,
        help_text=_("不以个人署名时填写,如“南方舆情数据研究院专家委员会”"),
    )
    decision_reason = models.TextField(_("评定理由(调整名额或等级时)"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "获奖")
        verbose_name_plural = pgettext_lazy("model plural", "获奖")
        ordering = ["edition", "tier__order", "category__order", "order", "pk"]
        indexes = [
            models.Index(fields=["edition", "tier"], name="award_edition_tier_idx"),
        ]

    def __str__(self):
        return f"{self.case.title} · {self.tier.name}"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    """An objection (异议) during 公示. Anonymous or late objections are refused upstream."""

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="objections", verbose_name=_("获奖")
    )
    name = models.CharField(_("真实姓名"), max_length=100)
    unit_name = models.CharField(_("工作单位"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=40)
    email = models.EmailField(_("电子邮箱"), blank=True)
    reason = models.TextField(_("异议理由"))
    status = models.CharField(
        _("处理结果"),
        max_length=20,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.RECEIVED,
    )
    handling = models.TextField(_("处理情况"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "异议")
        verbose_name_plural = pgettext_lazy("model plural", "异议")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} → {self.award}"


class ScreeningCase(Case):
    """Cases as the organisers screen them (资格审查): a proxy so that screening has its own
    admin, separate from the general case admin."""

    class Meta:
        proxy = True
        verbose_name = pgettext_lazy("model", "资格审查")
        verbose_name_plural = pgettext_lazy("model plural", "资格审查")


class EditionCommentary(models.Model):
    """The review committee's commentary on a whole edition (评委会点评), published with the
    results once approved."""

    edition = models.OneToOneField(
        Edition,
        on_delete=models.CASCADE,
        related_name="committee_commentary",
        verbose_name=_("届"),
    )
    text = models.TextField(_("评委会点评"))
    signed_as = models.CharField(
        _("署名"), max_length=200, help_text=_("例如“粤有数”新技术治理案例评审委员会")
    )
    approved = models.BooleanField(_("已审定"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定人"),
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "评委会点评")
        verbose_name_plural = pgettext_lazy("model plural", "评委会点评")

    def __str__(self):
        return f"{self.edition} · {self.signed_as}"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel(xlsx)")
    CSV = "csv", _("CSV")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class RoundExport(models.Model):
    """A round's scores written to a file by the task queue: a large round takes seconds to
    write, longer than a request should hold a worker. The file is private, like case files:
    it is downloaded through a view that checks the organiser's permission."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="exports", verbose_name=_("轮次")
    )
    fmt = models.CharField(
        _("格式"), max_length=4, choices=ExportFormat.choices, default=ExportFormat.XLSX
    )
    anonymous = models.BooleanField(_("专家匿名"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评分导出")
        verbose_name_plural = _("评分导出")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.round} · {self.get_fmt_display()} · {self.get_status_display()}"

    @property
    def filename(self):
        kind = "anonymous" if self.anonymous else "scores"
        return f"round-{self.round_id}-{kind}.{self.fmt}"


# The heat rankings live in their own package; imported here so their migrations stay in
# judging/migrations.
from .content.models import (  # noqa: E402,F401  (the CMS's models live in judging/content)
    Article,
    ArticleAttachment,
    ArticleImage,
    ArticleVersion,
    MenuItem,
    SearchDocument,
)
from .heat.models import (  # noqa: E402, F401
    HeatCoverage,
    HeatItem,
    HeatList,
    HeatPeriod,
    HeatResult,
    HeatSeries,
    MentionCount,
    Outlet,
)

# The public vote (网络投票) is a package of its own; its models belong to this app.
from .voting.models import (  # noqa: E402, F401
    PublicVote,
    PublicVoteSettings,
    PublicVoteTally,
    Voter,
    VoterChallenge,
)
