"""Programme structure and the entrant side: programmes, editions, units, users, cases.

State changes of editions and cases go through `cases.services`; the allowed transitions
are data (`EDITION_TRANSITIONS`, `CASE_TRANSITIONS`) kept next to the states they govern.
"""

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .encryption.fields import EncryptedCharField, SealedJSONField


# --- Users ---------------------------------------------------------------------------------
class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with an e-mail address; belongs to units through memberships."""

    email = models.EmailField(_("电子邮箱"), unique=True)
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=40, blank=True)
    is_staff = models.BooleanField(
        _("组织方工作人员"),
        default=False,
        help_text=_("可以登录后台管理评选活动。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    email_confirmed_at = models.DateTimeField(_("邮箱确认时间"), null=True, blank=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    # DATA-03: when the person agreed to the privacy notice (个人信息处理规则), and to which
    # version of it (`cases.privacy.NOTICE_VERSION`).
    privacy_consent_at = models.DateTimeField(_("同意个人信息处理规则时间"), null=True, blank=True)
    privacy_notice_version = models.CharField(
        _("同意的个人信息处理规则版本"), max_length=20, blank=True
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = pgettext_lazy("model", "用户")
        verbose_name_plural = pgettext_lazy("model plural", "用户")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        permissions = [
            ("unlock_user", _("解除登录锁定")),
            ("reset_second_factor", _("重置双因素认证")),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email

    def set_password(self, raw_password):
        # Every path that sets a password (forms, reset, admin, createsuperuser) comes here:
        # the date drives the forced rotation of staff passwords (AUTH-03).
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


# --- Programmes, editions, categories, tiers ----------------------------------------------
class Programme(models.Model):
    name = models.CharField(_("名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    slug = models.SlugField(_("网址标识"), max_length=60, unique=True)
    hosts = models.CharField(_("主办单位"), max_length=300, blank=True)
    organisers = models.CharField(_("承办单位"), max_length=300, blank=True)
    description = models.TextField(_("简介"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "评选活动")
        verbose_name_plural = pgettext_lazy("model plural", "评选活动")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:programme-detail", kwargs={"slug": self.slug})


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("征集中")
    SCREENING = "screening", _("资格审查")
    REVIEWING = "reviewing", _("评审中")
    DECIDING = "deciding", _("评定中")
    PUBLICITY = "publicity", _("公示中")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已归档")


# DESIGN.md §3. A few steps back are allowed where organisers need them in practice:
# reopening the call after screening started, going back to review or to the decision when
# an objection during 公示 is upheld.
EDITION_TRANSITIONS = {
    EditionStatus.DRAFT: {EditionStatus.OPEN},
    EditionStatus.OPEN: {EditionStatus.DRAFT, EditionStatus.SCREENING},
    EditionStatus.SCREENING: {EditionStatus.OPEN, EditionStatus.REVIEWING},
    EditionStatus.REVIEWING: {EditionStatus.DECIDING},
    EditionStatus.DECIDING: {
        EditionStatus.REVIEWING,
        EditionStatus.PUBLICITY,
        EditionStatus.PUBLISHED,
    },
    EditionStatus.PUBLICITY: {EditionStatus.DECIDING, EditionStatus.PUBLISHED},
    EditionStatus.PUBLISHED: {EditionStatus.ARCHIVED},
    EditionStatus.ARCHIVED: set(),
}


class Edition(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="editions", verbose_name=_("评选活动")
    )
    number = models.PositiveIntegerField(_("届次"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    period_label = models.CharField(
        _("年度"), max_length=60, blank=True, help_text=_("例如 2018—2019年度、2023年3月")
    )
    year = models.PositiveIntegerField(_("年份"))
    slug = models.SlugField(_("网址标识"), max_length=60)
    call_text = models.TextField(_("征集通知"), blank=True)
    opens_at = models.DateTimeField(_("征集开始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("申报截止"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    contact = models.TextField(_("联系方式"), blank=True)
    summary_char_limit = models.PositiveIntegerField(_("案例简介字数上限"), default=300)
    body_char_limit = models.PositiveIntegerField(_("正文字数上限"), default=3000)
    results_unordered = models.BooleanField(
        _("排名不分先后"), default=False, help_text=_("公布结果时注明“排名不分先后”。")
    )
    results_published_at = models.DateTimeField(_("结果发布时间"), null=True, blank=True)
    publicity_starts_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_ends_at = models.DateTimeField(_("公示结束"), null=True, blank=True)
    cloned_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clones",
        verbose_name=_("复制自"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "届")
        verbose_name_plural = pgettext_lazy("model plural", "届")
        ordering = ["programme__order", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="edition_slug_unique"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(opens_at__lt=models.F("closes_at")),
                name="edition_opens_before_closes",
            ),
        ]

    def __str__(self):
        return f"{self.programme.short_name or self.programme.name} · {self.title}"

    def get_absolute_url(self):
        return reverse(
            "cases:edition-detail", kwargs={"programme": self.programme.slug, "slug": self.slug}
        )

    def is_accepting_submissions(self, at=None):
        """Open for new submissions now (server time, Asia/Shanghai deadlines)."""
        at = at or timezone.now()
        if self.status != EditionStatus.OPEN:
            return False
        if self.opens_at and at < self.opens_at:
            return False
        return not (self.closes_at and at >= self.closes_at)


class Category(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="categories", verbose_name=_("届")
    )
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("代码"), max_length=20, help_text=_("用于案例编号,如 ZF、YQ"))
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    partner_organiser = models.CharField(_("合作组织单位"), max_length=200, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "类别")
        verbose_name_plural = pgettext_lazy("model plural", "类别")
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="category_code_unique"),
            models.UniqueConstraint(fields=["edition", "name"], name="category_name_unique"),
        ]

    def __str__(self):
        return self.name


class QuotaScope(models.TextChoices):
    PER_CATEGORY = "per_category", _("每个类别")
    OVERALL = "overall", _("全届合计")


class AwardTier(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("届")
    )
    name = models.CharField(_("奖项名称"), max_length=100)
    order = models.PositiveIntegerField(_("等级顺序"), default=0, help_text=_("数字越小等级越高"))
    quota = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    quota_scope = models.CharField(
        _("名额范围"), max_length=20, choices=QuotaScope.choices, default=QuotaScope.OVERALL
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "奖项")
        verbose_name_plural = pgettext_lazy("model plural", "奖项")
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="tier_name_unique"),
        ]

    def __str__(self):
        return self.name


# --- Units ---------------------------------------------------------------------------------
class Region(models.Model):
    """An administrative region (广东省 › 汕头市 › 濠江区). `path` makes subtree queries one
    `startswith` filter, which is portable across SQLite and PostgreSQL."""

    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级地区"),
    )
    path = models.CharField(_("完整路径"), max_length=255, unique=True, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("model", "地区")
        verbose_name_plural = pgettext_lazy("model plural", "地区")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_name_unique"),
        ]

    def __str__(self):
        return self.path.replace("/", " › ")

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.name}" if self.parent_id else self.name
        super().save(*args, **kwargs)


class UnitType(models.TextChoices):
    PARTY_GOVERNMENT = "party_government", _("党政机关")
    INSTITUTION = "institution", _("事业单位")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    MEDIA = "media", _("媒体")
    ACADEMIC = "academic", _("高校及研究机构")


class UnitLevel(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCIAL = "provincial", _("省直")
    MUNICIPAL = "municipal", _("市州")
    COUNTY = "county", _("区县")
    TOWNSHIP = "township", _("乡镇街道")


class UnitRegistryStatus(models.TextChoices):
    """A unit is picked from the register; one that is not there is requested, and an
    organiser accepts the request, matches it to a registered unit (a merge) or rejects it."""

    REGISTERED = "registered", _("已登记")
    REQUESTED = "requested", _("待审核")
    REJECTED = "rejected", _("未通过")


class Unit(models.Model):
    name = models.CharField(_("单位名称"), max_length=200, unique=True)
    registry_status = models.CharField(
        _("名录状态"),
        max_length=20,
        choices=UnitRegistryStatus.choices,
        default=UnitRegistryStatus.REGISTERED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    type = models.CharField(_("单位类型"), max_length=30, choices=UnitType.choices)
    level = models.CharField(_("行政层级"), max_length=20, choices=UnitLevel.choices, blank=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("地区"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    contact_phone = EncryptedCharField(_("联系电话"), max_length=40, blank=True)
    verified = models.BooleanField(_("已核验"), default=False)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "单位")
        verbose_name_plural = pgettext_lazy("model plural", "单位")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def ancestor_ids(self):
        """Ids of the units above this one, nearest first (one query per level)."""
        ids, parent_id = [], self.parent_id
        while parent_id and parent_id not in ids:
            ids.append(parent_id)
            parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True)[0]
        return ids


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("单位管理员")
    MEMBER = "member", _("成员")


class UnitMembership(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="unit_memberships",
        verbose_name=_("用户"),
    )
    role = models.CharField(
        _("角色"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "单位成员")
        verbose_name_plural = pgettext_lazy("model plural", "单位成员")
        constraints = [
            models.UniqueConstraint(fields=["unit", "user"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.unit}"


# --- Cases ---------------------------------------------------------------------------------
class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("审查通过")
    REJECTED = "rejected", _("未通过审查")
    IN_REVIEW = "in_review", _("评审中")
    AWARDED = "awarded", _("获奖")
    NOT_AWARDED = "not_awarded", _("未获奖")
    WITHDRAWN = "withdrawn", _("已撤回")


CASE_TRANSITIONS = {
    CaseStatus.DRAFT: {CaseStatus.SUBMITTED, CaseStatus.WITHDRAWN},
    CaseStatus.SUBMITTED: {
        CaseStatus.SUBMITTED,  # re-submission of an edited case before the deadline
        CaseStatus.RETURNED,
        CaseStatus.ACCEPTED,
        CaseStatus.REJECTED,
        CaseStatus.WITHDRAWN,
    },
    CaseStatus.RETURNED: {CaseStatus.SUBMITTED, CaseStatus.WITHDRAWN},
    CaseStatus.ACCEPTED: {CaseStatus.IN_REVIEW, CaseStatus.REJECTED},
    CaseStatus.REJECTED: set(),
    CaseStatus.IN_REVIEW: {CaseStatus.AWARDED, CaseStatus.NOT_AWARDED},
    CaseStatus.AWARDED: {CaseStatus.NOT_AWARDED},
    CaseStatus.NOT_AWARDED: {CaseStatus.AWARDED},
    CaseStatus.WITHDRAWN: set(),
}

# States in which the owning unit may still change the case's content.
CASE_EDITABLE_STATES = {CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.RETURNED}


class Case(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="cases", verbose_name=_("届")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("类别"),
    )
    reference = models.CharField(
        _("案例编号"), max_length=40, blank=True, help_text=_("提交时自动生成")
    )
    title = models.CharField(_("案例名称"), max_length=200)
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("申报账号所属单位"),
        help_text=_("该单位的成员可以查看和编辑本案例。"),
    )
    submitting_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submitted_cases",
        verbose_name=_("报送单位"),
    )
    lead_units = models.ManyToManyField(
        Unit,
        through="CaseLeadUnit",
        related_name="led_cases",
        verbose_name=_("主创单位"),
        blank=True,
    )
    summary = models.TextField(_("案例简介"), blank=True)
    background = models.TextField(_("背景"), blank=True)
    practice = models.TextField(_("主要做法(创新点)"), blank=True)
    outcomes = models.TextField(_("取得成效"), blank=True)
    promotion_value = models.TextField(_("推广价值"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    declaration_accepted = models.BooleanField(_("已作真实性承诺"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    status_reason = models.TextField(_("状态说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # DATA-04: set when the retention job replaced the contact person's data.
    personal_data_anonymised_at = models.DateTimeField(
        _("联系人信息匿名化时间"), null=True, blank=True
    )

    BODY_FIELDS = ("background", "practice", "outcomes", "promotion_value")

    class Meta:
        verbose_name = pgettext_lazy("model", "案例")
        verbose_name_plural = pgettext_lazy("model plural", "案例")
        permissions = [
            (
                "export_personal_data",
                _("可导出含个人信息的数据(联系人、联系电话、联系邮箱、专家邮箱)"),
            ),
        ]
        ordering = ["edition", "reference", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "reference"],
                condition=~Q(reference=""),
                name="case_reference_unique_per_edition",
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "status"], name="case_edition_status_idx"),
            # Imports match a row without 案例编号 by its exact title in the edition.
            models.Index(fields=["edition", "title"], name="case_edition_title_idx"),
            # The back office's date hierarchy of one category (first/last and the days)
            # reads this index alone: on SQLite the row's submitted_at lies after the case
            # texts, a read of their overflow pages per case.
            models.Index(fields=["category", "submitted_at"], name="case_category_submitted_idx"),
            # The back office's list of one category pages its primary keys in the list's
            # default order (edition, reference, id) from this index alone, then reads the
            # page's rows (cases.admin.submissions.KeysFirstPaginator); with the id in it
            # PostgreSQL answers from the index only.
            models.Index(
                fields=["category", "edition", "reference", "id"],
                name="case_category_order_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def body_length(self):
        """Characters of the body sections, counted as 字: one per character."""
        return sum(len(getattr(self, name)) for name in self.BODY_FIELDS)

    @property
    def is_editable_by_unit(self):
        return self.status in CASE_EDITABLE_STATES


class CaseLeadUnit(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="lead_unit_links", verbose_name=_("案例")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="lead_unit_links", verbose_name=_("单位")
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "主创单位")
        verbose_name_plural = pgettext_lazy("model plural", "主创单位")
        ordering = ["case", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="lead_unit_unique"),
        ]

    def __str__(self):
        return str(self.unit)


class MediaCoverage(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="media_coverage", verbose_name=_("案例")
    )
    url = models.URLField(_("链接"), max_length=500)
    outlet = models.CharField(_("媒体名称"), max_length=100, blank=True)
    published_on = models.DateField(_("报道日期"), null=True, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "媒体报道")
        verbose_name_plural = pgettext_lazy("model plural", "媒体报道")
        ordering = ["case", "order", "pk"]

    def __str__(self):
        return f"{self.outlet} {self.url}".strip()


class AttachmentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("申报书")
    SUPPORTING = "supporting", _("佐证材料")
    IMAGE = "image", _("图片")


def attachment_upload_to(instance, filename):
    """Random stored name: the original name is kept in `original_name`, never on disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"private/attachments/{uuid.uuid4().hex[:2]}/{secrets.token_hex(16)}{suffix}"


class Attachment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("案例")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    caption = models.CharField(_("图片说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "附件")
        verbose_name_plural = pgettext_lazy("model plural", "附件")
        ordering = ["case", "kind", "pk"]

    def __str__(self):
        return self.original_name


class CaseVersion(models.Model):
    """A frozen copy of a case as submitted; one per submission, never edited."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="versions", verbose_name=_("案例")
    )
    number = models.PositiveIntegerField(_("版本号"))
    data = SealedJSONField(_("内容"), sealed_keys=("contact_phone",))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "提交版本")
        verbose_name_plural = pgettext_lazy("model plural", "提交版本")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="case_version_unique"),
        ]

    def __str__(self):
        return f"{self.case} v{self.number}"


class ReferenceCounter(models.Model):
    """Next reference number per edition × category code, incremented under a row lock so
    concurrent submissions never share a number."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=20)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "编号计数器")
        verbose_name_plural = pgettext_lazy("model plural", "编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["edition", "prefix"], name="reference_counter_unique"),
        ]

    def __str__(self):
        return f"{self.edition_id}:{self.prefix}={self.last_value}"


# --- Audit ---------------------------------------------------------------------------------
class AuditResult(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    REFUSED = "refused", _("拒绝")


class AuditEntry(models.Model):
    """One row per state change, score change, download, export or security event
    (STYLE.md §9, SECURITY.md LOG-01). Append-only in the database: triggers refuse UPDATE
    and DELETE (`cases.audit.triggers`), and each row carries the SHA-256 of its content
    chained to the previous row's (`cases.audit.chain`, checked by `manage.py verify_audit`).
    Rows are written only through `cases.services.audit_log`."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    code = models.CharField(_("事件"), max_length=80, db_index=True)
    # No database constraint and DO_NOTHING: deleting a user must never touch (UPDATE) an
    # audit row; `actor_label` keeps who it was after the account is gone.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人账号"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80)
    object_id = models.CharField(_("对象编号"), max_length=40)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    result = models.CharField(
        _("结果"), max_length=10, choices=AuditResult.choices, default=AuditResult.SUCCESS
    )
    data = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=255, blank=True, default="")
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("model", "审计记录")
        verbose_name_plural = pgettext_lazy("model plural", "审计记录")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.code} {self.object_repr}"


class PersonalDataRequestStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("已删除")
    REFUSED = "refused", _("不予删除")


class PersonalDataRequest(models.Model):
    """A person's request to delete their personal data (PIPL 第47条, SECURITY.md DATA-03),
    handled by an organiser in the back office. Carrying it out anonymises the account
    (`cases.services.privacy.deletion_carry_out`); submitted cases and the audit trail are
    records the organiser must keep and stay as they are."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_data_requests",
        verbose_name=_("申请人"),
    )
    user_label = models.CharField(_("申请人账号"), max_length=255)
    reason = models.TextField(_("申请说明"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=PersonalDataRequestStatus.choices,
        default=PersonalDataRequestStatus.PENDING,
    )
    response = models.TextField(_("处理意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "个人信息删除申请")
        verbose_name_plural = pgettext_lazy("model plural", "个人信息删除申请")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user_label} · {self.get_status_display()}"


from .account_security.models import UserSession  # noqa: E402, F401  (migrations of `cases`)


class AuditChainHead(models.Model):
    """The one row holding the last sequence number and hash of the audit chain. Each
    append locks it (SELECT … FOR UPDATE; SQLite's IMMEDIATE transactions serialise
    writers), so concurrent appends never fork the chain; a trigger refuses moving it back
    or deleting it."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = pgettext_lazy("model", "审计链头")
        verbose_name_plural = pgettext_lazy("model plural", "审计链头")
        default_permissions = ()

    def __str__(self):
        return f"{self.seq} {self.hash[:12]}"


def quarantine_upload_to(instance, filename):
    return f"quarantine/{uuid.uuid4().hex}"


class QuarantinedFile(models.Model):
    """An upload the virus scanner flagged: kept apart from every case, under a random name
    without extension, for the security officer to examine; never served by a view."""

    file = models.FileField(_("文件"), upload_to=quarantine_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    signature = models.CharField(_("病毒特征"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "隔离文件")
        verbose_name_plural = pgettext_lazy("model plural", "隔离文件")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.original_name} ({self.signature})"
