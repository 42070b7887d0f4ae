"""Articles, their published versions, attachments and images, the menu, and the search
documents (articles, public cases and approved citations, pre-segmented with jieba)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Edition, Programme, Unit


def attachment_path(instance, filename):
    # Random name: the stored file never carries the uploader's name or extension.
    extension = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"content/attachments/{uuid.uuid4().hex}.{extension}"


class ArticleKind(models.TextChoices):
    NOTICE = "notice", _("通知公告")
    NEWS = "news", _("新闻动态")
    RESULTS = "results", _("评选结果")
    PAGE = "page", _("固定页面")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


PUBLIC_STATUSES = (ArticleStatus.SCHEDULED, ArticleStatus.PUBLISHED)


class Article(models.Model):
    """One article or fixed page of a programme (or of the whole site: `programme` empty).
    It is public when its status is scheduled or published and `publish_at` has passed, so a
    scheduled article appears at its time without any job running."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("评选活动"),
        help_text=_("留空为全站文章"),
    )
    kind = models.CharField(_("栏目"), max_length=20, choices=ArticleKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    slug = models.SlugField(_("网址标识"), max_length=80, allow_unicode=False)
    summary = models.TextField(_("摘要"), max_length=500, blank=True)
    cover_image = models.ForeignKey(
        "ArticleImage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("封面图"),
    )
    body = models.TextField(_("正文"), blank=True)
    edition = models.ForeignKey(
        Edition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("相关届次"),
    )
    cases = models.ManyToManyField(
        Case, blank=True, related_name="articles", verbose_name=_("相关案例")
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="articles", verbose_name=_("相关单位")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(
        _("发布时间"), null=True, blank=True, help_text=_("填写将来的时间即为定时发布")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作者"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "文章")
        verbose_name_plural = pgettext_lazy("model plural", "文章")
        ordering = ["-publish_at", "-pk"]
        permissions = [
            ("submit_article", _("可以提交文章审核")),
            ("approve_article", _("可以审核文章")),
            ("publish_article", _("可以发布文章")),
            ("withdraw_article", _("可以撤回文章")),
            ("preview_article", _("可以预览未发布文章")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"],
                condition=Q(programme__isnull=False),
                name="article_slug_unique_per_programme",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(programme__isnull=True),
                name="article_slug_unique_site_wide",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "published"]) | Q(publish_at__isnull=False),
                name="article_public_has_publish_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["programme", "kind", "status", "publish_at"], name="article_list_idx"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.programme_id:
            return reverse(
                "content:article-detail",
                kwargs={"programme_slug": self.programme.slug, "slug": self.slug},
            )
        return reverse("content:site-article-detail", kwargs={"slug": self.slug})


class ArticleVersion(models.Model):
    """The text of an article as it was published, kept for every publication."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("文章")
    )
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    publish_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "文章发布版本")
        verbose_name_plural = pgettext_lazy("model plural", "文章发布版本")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")
        ]

    def __str__(self):
        return f"{self.article} · v{self.number}"


class ArticleAttachment(models.Model):
    """A document of an article (申报通知 PDF, 申报书模板 .docx, 评分细则 .xlsx): private file,
    served by a view that checks the article is public (or the reader may preview it)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("文章")
    )
    title = models.CharField(_("名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("类型"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "文章附件")
        verbose_name_plural = pgettext_lazy("model plural", "文章附件")
        ordering = ["article", "order", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("content:attachment-download", kwargs={"pk": self.pk})


class ArticleImage(models.Model):
    """An image uploaded for articles, re-encoded and resized by Pillow on upload. Images are
    public by nature (they illustrate public articles), served by `content:image`."""

    file = models.FileField(_("文件"), upload_to="content/images/%Y/%m/")
    alt = models.CharField(_("替代文字"), max_length=200, blank=True)
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "文章图片")
        verbose_name_plural = pgettext_lazy("model plural", "文章图片")

    def __str__(self):
        return self.alt or self.file.name

    def get_absolute_url(self):
        return reverse("content:image", kwargs={"pk": self.pk})


class MenuItem(models.Model):
    """One link of a programme's navigation, edited by the organiser."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="menu_items", verbose_name=_("评选活动")
    )
    label = models.CharField(_("名称"), max_length=40)
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指向文章"),
    )
    url = models.CharField(
        _("或指向网址"), max_length=300, blank=True, help_text=_("站内路径,例如 /archive/")
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "导航菜单项")
        verbose_name_plural = pgettext_lazy("model plural", "导航菜单项")
        ordering = ["programme", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False) | ~Q(url=""), name="menu_item_has_target"
            )
        ]

    def __str__(self):
        return self.label


class SearchKind(models.TextChoices):
    ARTICLE = "article", _("文章")
    CASE = "case", _("案例")
    CITATION = "citation", _("点评")


class SearchDocument(models.Model):
    """One searchable text, pre-segmented by jieba (`terms`: words separated by spaces). It
    is visible from `visible_from` (an article's publish time, an edition's results time), so
    the search follows scheduled publication and the embargo without re-indexing."""

    kind = models.CharField(_("类型"), max_length=20, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField(_("对象"))
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=300)
    url = models.CharField(_("网址"), max_length=300)
    text = models.TextField(_("正文"))
    terms = models.TextField(_("分词"))
    visible_from = models.DateTimeField(_("公开时间"))

    class Meta:
        verbose_name = pgettext_lazy("model", "搜索索引")
        verbose_name_plural = pgettext_lazy("model plural", "搜索索引")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [models.Index(fields=["visible_from"], name="search_visible_idx")]

    def __str__(self):
        return self.title
