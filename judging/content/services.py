"""Writes of the CMS: saving an article (sanitised), the editorial workflow, attachments and
images. Every step of the workflow goes through `article_transition`."""

import io
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from cases.services.lifecycle import audit_log
from cases.uploads import DOCX, JPEG, PDF, PNG, XLSX, inspect_file

from ..cache import bump_results_version
from .indexing import index_article
from .models import Article, ArticleAttachment, ArticleImage, ArticleStatus, ArticleVersion
from .sanitize import sanitize_html

S = ArticleStatus
ATTACHMENT_TYPES = (PDF, DOCX, XLSX)
ATTACHMENT_EXTENSIONS = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx"}
IMAGE_MAX_SIDE = 1600

# Allowed steps and the permission each needs (an editor writes and submits, a 组织方管理员
# approves, publishes or schedules, and withdraws).
TRANSITIONS = {
    (S.DRAFT, S.SUBMITTED): "judging.submit_article",
    (S.WITHDRAWN, S.SUBMITTED): "judging.submit_article",
    (S.SUBMITTED, S.DRAFT): "judging.approve_article",  # sent back to the editor
    (S.SUBMITTED, S.APPROVED): "judging.approve_article",
    (S.APPROVED, S.PUBLISHED): "judging.publish_article",
    (S.APPROVED, S.SCHEDULED): "judging.publish_article",
    (S.SCHEDULED, S.PUBLISHED): "judging.publish_article",
    (S.SCHEDULED, S.WITHDRAWN): "judging.withdraw_article",
    (S.PUBLISHED, S.WITHDRAWN): "judging.withdraw_article",
    (S.WITHDRAWN, S.DRAFT): "judging.change_article",
}


class ArticleError(ValidationError):
    pass


def allowed_transitions(article, user):
    """The statuses `user` may move `article` to now."""
    return [
        to
        for (frm, to), perm in TRANSITIONS.items()
        if frm == article.status and user.has_perm(perm)
    ]


def article_save(*, article, by, cases=None, units=None):
    """Save an article's fields with its body sanitised. A public article is not edited in
    place by an editor: it is withdrawn first (the published versions stay as they were)."""
    article.body = sanitize_html(article.body)
    with transaction.atomic():
        created = article.pk is None
        if created and article.created_by_id is None and by is not None:
            article.created_by = by
        article.save()
        if cases is not None:
            article.cases.set(cases)
        if units is not None:
            article.units.set(units)
        audit_log(
            code="judging.article.created" if created else "judging.article.changed",
            obj=article,
            by=by,
            data={"status": article.status},
        )
        index_article(article)
        _invalidate(article)
    return article


def article_transition(*, article, to, by, publish_at=None, reason=""):
    """Move `article` to `to` if the table allows it and `by` holds the step's permission.
    Publishing (now or at `publish_at`) keeps a version of the text as published."""
    to = ArticleStatus(to)
    permission = TRANSITIONS.get((article.status, to))
    if permission is None:
        raise ArticleError(
            _("文章不能从“%(from)s”变更为“%(to)s”。")
            % {"from": ArticleStatus(article.status).label, "to": to.label}
        )
    if not by.has_perm(permission):
        raise PermissionDenied(_("您没有执行这一步的权限。"))
    now = timezone.now()
    if to == S.SCHEDULED:
        if publish_at is None or publish_at <= now:
            raise ArticleError(_("定时发布需要一个将来的发布时间。"))
        article.publish_at = publish_at
    elif to == S.PUBLISHED:
        if article.status != S.SCHEDULED or article.publish_at is None:
            article.publish_at = now
    previous = article.status
    with transaction.atomic():
        article.status = to
        article.save(update_fields=["status", "publish_at", "updated_at"])
        if to in (S.PUBLISHED, S.SCHEDULED) and previous != S.SCHEDULED:
            _keep_version(article, by=by)
        audit_log(
            code=f"judging.article.{to.value}",
            obj=article,
            by=by,
            data={
                "from": previous,
                "to": to.value,
                "publish_at": article.publish_at.isoformat() if article.publish_at else None,
                "reason": reason[:500],
            },
        )
        index_article(article)
        _invalidate(article)
    return article


def _keep_version(article, *, by):
    last = article.versions.aggregate(last=Max("number"))["last"] or 0
    ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        publish_at=article.publish_at,
        published_by=by,
    )


def _invalidate(article):
    # Programme pages are cached under the content version of the programme (see views).
    key = f"programme-{article.programme_id or 0}"
    transaction.on_commit(lambda: bump_results_version(key))


def attachment_add(*, article, file, title, by, order=0):
    """Attach a PDF, .docx or .xlsx, checked by its content (`cases.uploads.inspect_file`)."""
    inspected = inspect_file(file, allowed=ATTACHMENT_TYPES)
    with transaction.atomic():
        attachment = ArticleAttachment(
            article=article,
            title=title or inspected.original_name,
            original_name=inspected.original_name,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            order=order,
        )
        extension = ATTACHMENT_EXTENSIONS[inspected.content_type]
        file.seek(0)
        attachment.file.save(
            f"{uuid.uuid4().hex}.{extension}", ContentFile(file.read()), save=False
        )
        attachment.save()
        audit_log(
            code="judging.article.attachment_added",
            obj=article,
            by=by,
            data={"attachment": attachment.pk, "name": attachment.original_name},
        )
        _invalidate(article)
    return attachment


def reencode_image(file):
    """A picture for articles: checked and re-encoded by the one upload inspector
    (`cases.uploads.inspect_file`: size, virus scan, content type, pixel cap, nothing after
    the image data survives), then shrunk to at most IMAGE_MAX_SIDE pixels a side; returns
    `(ContentFile with a random name, width, height)`."""
    try:
        inspected = inspect_file(file, allowed=(JPEG, PNG))
    except ValidationError as error:
        raise ArticleError(error.messages) from error
    with Image.open(inspected.file) as source:
        source.load()
        picture = source.convert("RGBA" if source.mode in {"RGBA", "LA", "P"} else "RGB")
    picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
    output = io.BytesIO()
    if picture.mode == "RGBA":
        picture.save(output, format="PNG", optimize=True)
        extension = "png"
    else:
        picture.save(output, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    content = ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
    return content, picture.width, picture.height


def image_upload(*, file, by, alt=""):
    """Store an uploaded picture for articles, re-encoded (see `reencode_image`)."""
    content, width, height = reencode_image(file)
    image = ArticleImage(alt=alt[:200], width=width, height=height, uploaded_by=by)
    image.file.save(content.name, content, save=False)
    image.save()
    return image


def article_for_update(pk):
    return Article.objects.select_for_update().get(pk=pk)
