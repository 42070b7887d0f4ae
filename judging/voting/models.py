"""The public vote (网络投票 / 大众评审): a round of kind `public_vote` whose settings, voters,
one-time codes, votes and stored tally live here. Imported by `judging/models.py`, so the
migrations stay in `judging/migrations/`.

What is stored of a voter is the HMAC of the proven e-mail address or mobile number (never
the address or the number), and for each vote the IP address, its network (/24 for IPv4,
/64 for IPv6) and the user agent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PublicVoteSettings(models.Model):
    """The rules of one public-vote round: which round's advanced cases are put to the vote,
    the voters' limits and the weights of the combined result."""

    round = models.OneToOneField(
        "judging.Round",
        on_delete=models.CASCADE,
        related_name="public_vote",
        verbose_name=_("投票轮次"),
        limit_choices_to={"kind": "public_vote"},
    )
    source_round = models.ForeignKey(
        "judging.Round",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("专家评分轮次"),
        help_text=_("投票的案例是该轮次确认晋级的案例;专家得分取该轮次的得分"),
        limit_choices_to={"kind": "scoring"},
    )
    votes_per_day = models.PositiveSmallIntegerField(
        _("每人每天票数"), default=5, help_text=_("每位投票人每天(北京时间)最多可投的票数")
    )
    votes_per_case = models.PositiveSmallIntegerField(
        _("每人每天每案例票数"), default=1, help_text=_("每位投票人每天对同一案例最多可投的票数")
    )
    expert_weight = models.PositiveSmallIntegerField(_("专家评分权重(%)"), default=70)
    public_weight = models.PositiveSmallIntegerField(_("公众投票权重(%)"), default=30)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "网络投票设置")
        verbose_name_plural = pgettext_lazy("model plural", "网络投票设置")
        permissions = [("open_publicvote", _("可以开启和结束网络投票"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(expert_weight__lte=100)
                & Q(public_weight__lte=100)
                & Q(expert_weight=100 - models.F("public_weight")),
                name="public_vote_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(votes_per_day__gte=1) & Q(votes_per_case__gte=1),
                name="public_vote_limits_positive",
            ),
            models.CheckConstraint(
                condition=~Q(round=models.F("source_round")),
                name="public_vote_source_not_self",
            ),
        ]

    def __str__(self):
        return str(self.round)


class IdentifierKind(models.TextChoices):
    EMAIL = "email", _("电子邮箱")
    MOBILE = "mobile", _("手机号码")


class Voter(models.Model):
    """A proven e-mail address or mobile number, known only by its HMAC."""

    identifier_hash = models.CharField(_("标识摘要"), max_length=64, unique=True)
    kind = models.CharField(_("标识类型"), max_length=10, choices=IdentifierKind.choices)
    created_at = models.DateTimeField(_("首次验证时间"))
    verified_at = models.DateTimeField(_("最近验证时间"))

    class Meta:
        verbose_name = pgettext_lazy("model", "投票人")
        verbose_name_plural = pgettext_lazy("model plural", "投票人")

    def __str__(self):
        return f"{self.get_kind_display()} {self.identifier_hash[:12]}…"


class VoterChallenge(models.Model):
    """A one-time code sent to an address or a number, kept as an HMAC too."""

    identifier_hash = models.CharField(_("标识摘要"), max_length=64, db_index=True)
    kind = models.CharField(_("标识类型"), max_length=10, choices=IdentifierKind.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "投票验证码")
        verbose_name_plural = pgettext_lazy("model plural", "投票验证码")

    def __str__(self):
        return f"{self.get_kind_display()} {self.identifier_hash[:12]}… {self.created_at}"


class PublicVote(models.Model):
    """One vote. `day_slot` numbers a voter's votes of one day in a round (1…limit) and
    `case_slot` those for one case that day: the unique constraints make two concurrent
    requests unable to take the same number, so no limit is ever exceeded."""

    round = models.ForeignKey(
        "judging.Round",
        on_delete=models.CASCADE,
        related_name="public_votes",
        verbose_name=_("轮次"),
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="public_votes", verbose_name=_("案例")
    )
    voter = models.ForeignKey(
        Voter, on_delete=models.PROTECT, related_name="votes", verbose_name=_("投票人")
    )
    day = models.DateField(_("投票日期(北京时间)"))
    day_slot = models.PositiveSmallIntegerField(_("当日第几票"))
    case_slot = models.PositiveSmallIntegerField(_("当日该案例第几票"))
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    network = models.CharField(_("网段"), max_length=50, blank=True, db_index=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("投票时间"), db_index=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废理由"), max_length=500, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作废人"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "网络投票")
        verbose_name_plural = pgettext_lazy("model plural", "网络投票")
        ordering = ["-created_at", "-pk"]
        permissions = [("void_publicvote", _("可以作废网络投票"))]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "voter", "day", "day_slot"], name="public_vote_day_slot_unique"
            ),
            models.UniqueConstraint(
                fields=["round", "voter", "day", "case", "case_slot"],
                name="public_vote_case_slot_unique",
            ),
            models.CheckConstraint(
                condition=Q(day_slot__gte=1) & Q(case_slot__gte=1),
                name="public_vote_slots_positive",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="public_vote_void_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "case", "voided_at"], name="public_vote_count_idx"),
        ]

    def __str__(self):
        return f"{self.case} ← {self.voter}"


class PublicVoteTally(models.Model):
    """The combined result of a closed public-vote round, as stored when it was tabulated;
    `verify_results` recomputes it from the votes and the expert reviews."""

    round = models.ForeignKey(
        "judging.Round",
        on_delete=models.CASCADE,
        related_name="public_tallies",
        verbose_name=_("轮次"),
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("案例")
    )
    votes = models.PositiveIntegerField(_("有效票数"))
    expert_score = models.DecimalField(_("专家得分"), max_digits=9, decimal_places=4, null=True)
    public_score = models.DecimalField(_("公众得分"), max_digits=9, decimal_places=4)
    combined_score = models.DecimalField(_("综合得分"), max_digits=9, decimal_places=4)
    rank = models.PositiveIntegerField(_("名次"))
    tied = models.BooleanField(_("并列"), default=False)
    tabulated_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = pgettext_lazy("model", "网络投票综合结果")
        verbose_name_plural = pgettext_lazy("model plural", "网络投票综合结果")
        ordering = ["round", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "case"], name="public_tally_unique"),
        ]

    def __str__(self):
        return f"{self.round} · {self.case} · {self.combined_score}"
