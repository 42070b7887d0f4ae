"""The demo's articles: the seed documents themselves, published as their programmes'
articles (their own text, each winner's line linked to the archive's case), and the current
edition's call (征集通知) with a 申报书模板 .docx to download. Built with the CMS's services,
so the demo proves them; idempotent like the rest of `build_demo`."""

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cases.models import Case, Edition, EditionStatus, Programme

from .content.models import Article, ArticleKind, MenuItem
from .content.services import article_save, article_transition, attachment_add

SEED_TEXTS = Path(__file__).resolve().parent / "demo_data" / "seed_texts"

# seed file, programme slug, kind, slug, days before the build when it was published
SEED_ARTICLES = [
    ("000.txt", "yuezhi", ArticleKind.RESULTS, "seed-000-results", 3000),
    ("004.txt", "yuezhi", ArticleKind.NEWS, "seed-004-shantou", 2300),
    ("003.txt", "yueyoushu", ArticleKind.RESULTS, "seed-003-results", 1800),
    ("001.txt", "wangluo-lizheng", ArticleKind.RESULTS, "seed-001-top-ten", 1500),
    ("002.txt", "jingchu-shehui-zhili", ArticleKind.NEWS, "seed-002-ranking", 1000),
]
SEED_TITLES = {"000.txt": "“粤治—治理现代化”优秀案例名单(推定第三届)"}
_NUMBERING = re.compile(r"^\s*\d+\s*[.．﹒、]\s*")


def _paragraphs(text, cases_by_title):
    html = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("【") and line.endswith("】"):
            html.append(f"<h3>{escape(line.strip('【】'))}</h3>")
            continue
        case = cases_by_title.get(_NUMBERING.sub("", line))
        if case is not None:
            url = reverse(
                "results:case-detail",
                kwargs={
                    "programme_slug": case.edition.programme.slug,
                    "edition_slug": case.edition.slug,
                    "pk": case.pk,
                },
            )
            html.append(f'<p><strong><a href="{url}">{escape(line)}</a></strong></p>')
        else:
            html.append(f"<p>{escape(line)}</p>")
    return "".join(html)


def _publish(article, *, by, at):
    article.publish_at = at
    for step in ("submitted", "approved", "published"):
        article = article_transition(article=article, to=step, by=by)
    # The seed's own date: the demo's history reads in the order it happened.
    Article.objects.filter(pk=article.pk).update(publish_at=at)
    article.versions.update(publish_at=at)
    return article


def _ensure_seed_articles(*, by, now):
    created = 0
    for filename, programme_slug, kind, slug, days in SEED_ARTICLES:
        programme = Programme.objects.filter(slug=programme_slug).first()
        if programme is None or Article.objects.filter(programme=programme, slug=slug).exists():
            continue
        text = (SEED_TEXTS / filename).read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        cases = Case.objects.filter(edition__programme=programme, award__isnull=False)
        cases_by_title = {case.title: case for case in cases.select_related("edition__programme")}
        title = SEED_TITLES.get(filename, first.strip()[:200])
        body_text = text if filename in SEED_TITLES else rest
        linked = [case.pk for case in cases_by_title.values() if case.title in body_text]
        article = article_save(
            article=Article(
                programme=programme,
                kind=kind,
                title=title,
                slug=slug,
                summary=body_text.strip().splitlines()[0][:200] if body_text.strip() else "",
                body=_paragraphs(body_text, cases_by_title),
            ),
            by=by,
            cases=linked,
        )
        _publish(article, by=by, at=now - timedelta(days=days))
        created += 1
    return created


def application_template_docx(edition):
    """A minimal valid Word document: the 申报书模板 of `edition` (python-docx is not a
    dependency; three parts are all Word needs)."""
    paragraphs = [
        f"{edition.programme.name} {edition.title} 案例申报书",
        "一、案例名称:",
        "二、主创单位(可填多个,按顺序):",
        "三、报送单位:",
        "四、案例简介(300字以内):",
        "五、主要做法(创新点):",
        "六、取得成效:",
        "七、推广价值:",
        "八、联系人、联系电话、电子邮箱:",
    ]
    body = "".join(f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>" for text in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def _ensure_call_article(*, by, now):
    edition = Edition.objects.filter(status=EditionStatus.OPEN).select_related("programme").first()
    if edition is None:
        return 0
    slug = f"call-{edition.slug}"
    if Article.objects.filter(programme=edition.programme, slug=slug).exists():
        return 0
    paragraphs = "".join(
        f"<p>{escape(line.strip())}</p>" for line in edition.call_text.splitlines() if line.strip()
    )
    article = article_save(
        article=Article(
            programme=edition.programme,
            edition=edition,
            kind=ArticleKind.NOTICE,
            title=f"关于征集{edition.programme.short_name or edition.programme.name}"
            f"{edition.title}案例的通知",
            slug=slug,
            summary=edition.call_text.strip().splitlines()[0][:200] if edition.call_text else "",
            body=paragraphs,
        ),
        by=by,
    )
    attachment_add(
        article=article,
        file=SimpleUploadedFile("申报书模板.docx", application_template_docx(edition)),
        title="申报书模板(.docx)",
        by=by,
    )
    _publish(article, by=by, at=now - timedelta(days=1))
    MenuItem.objects.get_or_create(
        programme=edition.programme,
        label="征集通知",
        defaults={"article": article, "order": 1},
    )
    MenuItem.objects.get_or_create(
        programme=edition.programme,
        label="获奖案例库",
        defaults={"url": reverse("results:archive"), "order": 2},
    )
    return 1


def build_demo_articles(*, by, now):
    """Returns the number of articles created."""
    return _ensure_seed_articles(by=by, now=now) + _ensure_call_article(by=by, now=now)
