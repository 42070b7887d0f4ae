"""The CMS: sanitising, the workflow's permissions per step, scheduled publication, downloads,
preview, feeds and sitemap, list query counts."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry
from judging.content.models import ArticleKind, ArticleStatus
from judging.content.sanitize import sanitize_html
from judging.content.services import ArticleError, article_transition, attachment_add
from judging.content.views import preview_url
from tests.factories import docx_bytes, make_programme, make_user, pdf_bytes

from .helpers import approver, editor, make_article, publish

pytestmark = pytest.mark.django_db

WORD_PASTE = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{}</style>'
    "</head><body><h1 class=MsoTitle>关于开展第七届评选的通知</h1>"
    '<p class=MsoNormal><span style="font-family:仿宋"><b>各有关单位:</b></span><o:p></o:p></p>'
    '<table class=MsoTableGrid style="border:none"><tr><td style="width:3cm">类别</td>'
    "<td>名额</td></tr></table></body></html>"
)


def test_sanitize_drops_script_handlers_and_javascript_links():
    html = (
        '<p onclick="steal()">正文<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">链接</a><a href="https://gd.gov.cn/x">官网</a>'
        '<a href="mailto:a@b.cn">邮件</a><a href="/site/x/">站内</a>'
        '<img src="https://evil.example/x.png" onerror="x()"><img src="/site/images/3/" alt="图">'
    )
    assert sanitize_html(html) == (
        "<p>正文</p>"
        '<a rel="noopener noreferrer">链接</a>'
        '<a href="https://gd.gov.cn/x" rel="noopener noreferrer">官网</a>'
        '<a href="mailto:a@b.cn" rel="noopener noreferrer">邮件</a>'
        '<a href="/site/x/" rel="noopener noreferrer">站内</a>'
        '<img><img src="/site/images/3/" alt="图">'
    )


def test_sanitize_word_paste_keeps_structure_drops_styling():
    assert sanitize_html(WORD_PASTE) == (
        "<h2>关于开展第七届评选的通知</h2>"
        "<p><strong>各有关单位:</strong></p>"
        "<table><tbody><tr><td>类别</td><td>名额</td></tr></tbody></table>"
    )


def test_article_save_sanitises_body():
    programme = make_programme()
    article = make_article(programme=programme, by=editor(), body=WORD_PASTE)
    article.refresh_from_db()
    assert "style" not in article.body and "仿宋" not in article.body
    assert "<table>" in article.body


def test_editor_submits_but_cannot_approve_or_publish():
    programme = make_programme()
    writer = editor()
    article = make_article(programme=programme, by=writer)
    article_transition(article=article, to="submitted", by=writer)
    with pytest.raises(PermissionDenied):
        article_transition(article=article, to="approved", by=writer)
    assert article.status == ArticleStatus.SUBMITTED
    boss = approver()
    article_transition(article=article, to="approved", by=boss)
    with pytest.raises(PermissionDenied):
        article_transition(article=article, to="published", by=writer)
    article_transition(article=article, to="published", by=boss)
    with pytest.raises(PermissionDenied):
        article_transition(article=article, to="withdrawn", by=writer)
    article_transition(article=article, to="withdrawn", by=boss)
    codes = list(
        AuditEntry.objects.filter(object_id=str(article.pk), code__startswith="judging.article.")
        .order_by("pk")
        .values_list("code", flat=True)
    )
    assert codes == [
        "judging.article.created",
        "judging.article.submitted",
        "judging.article.approved",
        "judging.article.published",
        "judging.article.withdrawn",
    ]


def test_transition_outside_table_refused():
    boss = approver()
    article = make_article(programme=make_programme(), by=boss)
    with pytest.raises(ArticleError):
        article_transition(article=article, to="published", by=boss)


def test_every_publication_keeps_a_version():
    boss = approver()
    article = make_article(programme=make_programme(), by=boss, body="<p>第一版</p>")
    publish(article, by=boss)
    article_transition(article=article, to="withdrawn", by=boss)
    article.body = "<p>第二版</p>"
    article_transition(article=article, to="submitted", by=boss)
    article_transition(article=article, to="approved", by=boss)
    article_transition(article=article, to="published", by=boss)
    assert list(article.versions.order_by("number").values_list("number", "body")) == [
        (1, "<p>第一版</p>"),
        (2, "<p>第二版</p>"),
    ]


def test_version_page_for_preview_permission_only(client):
    boss = approver()
    article = make_article(programme=make_programme(), by=boss, body="<p>版本正文</p>")
    publish(article, by=boss)
    url = reverse("content:article-version", kwargs={"pk": article.pk, "number": 1})
    client.force_login(editor())
    assert client.get(url).status_code == 404
    client.force_login(boss)
    response = client.get(url)
    assert response.status_code == 200
    assert "版本正文" in response.content.decode()


def test_scheduled_article_appears_at_its_time(client, monkeypatch):
    programme = make_programme(slug="yuezhi")
    boss = approver()
    home = reverse("content:programme-home", kwargs={"programme_slug": "yuezhi"})
    assert "定时通知" not in client.get(home).content.decode()  # cached now
    article = make_article(programme=programme, by=boss, title="定时通知", slug="timed")
    publish(article, by=boss, at=timezone.now() + timedelta(hours=2))
    detail = article.get_absolute_url()
    assert "定时通知" not in client.get(home).content.decode()
    assert client.get(detail).status_code == 404
    later = timezone.now() + timedelta(hours=2, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the clock: a process boundary
    assert "定时通知" in client.get(home).content.decode()
    assert client.get(detail).status_code == 200


def test_preview_link_for_allowed_only(client):
    boss = approver()
    article = make_article(programme=make_programme(), by=editor(), title="草稿预览")
    url = preview_url(article)
    assert client.get(url).status_code == 302  # login first
    client.force_login(editor())
    assert client.get(url).status_code == 404
    client.force_login(boss)
    assert "草稿预览" in client.get(url).content.decode()
    assert client.get(url[:-3] + "xx/").status_code == 404  # tampered signature


def test_attachment_download_follows_publication(client):
    boss = approver()
    article = make_article(programme=make_programme(), by=boss)
    attachment = attachment_add(
        article=article,
        file=SimpleUploadedFile("申报书模板.docx", docx_bytes()),
        title="申报书模板",
        by=boss,
    )
    url = attachment.get_absolute_url()
    assert client.get(url).status_code == 404
    publish(article, by=boss)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == docx_bytes()


def test_attachment_checked_by_content():
    boss = approver()
    article = make_article(programme=make_programme(), by=boss)
    with pytest.raises(Exception, match="内容不是"):
        attachment_add(
            article=article, file=SimpleUploadedFile("x.pdf", b"<html>x</html>"), title="", by=boss
        )
    attachment_add(
        article=article, file=SimpleUploadedFile("n.pdf", pdf_bytes()), title="", by=boss
    )


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_feeds_and_sitemap_parse_and_list_public_articles(client):
    programme = make_programme(slug="yys")
    boss = approver()
    public = make_article(programme=programme, by=boss, title="公开通知", slug="public")
    publish(public, by=boss)
    make_article(programme=programme, by=boss, title="草稿通知", slug="draft")
    rss = ET.fromstring(  # noqa: S314
        client.get("/site/yys/rss.xml").content
    )
    assert [item.findtext("title") for item in rss.iter("item")] == ["公开通知"]
    atom = ET.fromstring(  # noqa: S314
        client.get("/site/yys/atom.xml").content
    )
    assert [entry.findtext(f"{ATOM}title") for entry in atom.iter(f"{ATOM}entry")] == ["公开通知"]
    sitemap = ET.fromstring(  # noqa: S314
        client.get("/sitemap.xml").content
    )
    locations = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert "http://testserver/site/yys/public/" in locations
    assert "http://testserver/site/yys/draft/" not in locations


def test_open_graph_on_article(client):
    boss = approver()
    article = make_article(
        programme=make_programme(slug="og"),
        by=boss,
        title="分享标题",
        slug="og",
        summary="分享摘要",
    )
    publish(article, by=boss)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="分享标题">' in html
    assert '<meta property="og:description" content="分享摘要">' in html


@pytest.mark.parametrize("rows", [1, 5])
def test_article_list_query_count(client, django_assert_num_queries, rows):
    programme = make_programme(slug="count")
    boss = approver()
    for n in range(rows):
        publish(make_article(programme=programme, by=boss, slug=f"n{n}", title=f"通知{n}"), by=boss)
    url = reverse("content:article-list", kwargs={"programme_slug": "count", "kind": "notice"})
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count("通知") >= rows


@pytest.mark.parametrize("rows", [1, 5])
def test_programme_home_query_count(client, django_assert_num_queries, rows):
    programme = make_programme(slug="home")
    boss = approver()
    for n in range(rows):
        publish(
            make_article(programme=programme, by=boss, slug=f"h{n}", kind=ArticleKind.NEWS),
            by=boss,
        )
    with django_assert_num_queries(8):
        client.get(reverse("content:programme-home", kwargs={"programme_slug": "home"}))


def test_unknown_page_is_friendly_404(client):
    response = client.get("/site/no-such-programme/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_anonymous_cannot_reach_admin_article_list(client):
    client.force_login(make_user())
    assert client.get(reverse("admin:judging_article_changelist")).status_code == 302


def test_demo_publishes_seed_articles_and_call_with_template(client):
    from judging.demo import build_demo

    build_demo()
    home = client.get(reverse("content:programme-home", kwargs={"programme_slug": "yuezhi"}))
    html = home.content.decode()
    assert "三个案例分获第六届“粤治”优秀案例及提名奖" in html
    assert "申报书模板(.docx)" in html
    results = client.get("/site/yuezhi/seed-000-results/").content.decode()
    assert "主创单位:惠州市发展和改革局" in results
    assert results.count("/results/yuezhi/") >= 20  # the winners link to the archive's cases
    from judging.content.models import ArticleAttachment

    template = ArticleAttachment.objects.get(title="申报书模板(.docx)")
    response = client.get(template.get_absolute_url())
    import io
    import zipfile

    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "案例申报书" in archive.read("word/document.xml").decode()


def _offered_actions(client):
    html = client.get(reverse("admin:judging_article_changelist")).content.decode()
    return re.findall(r'<option value="make_[a-z]+">([^<]*)', html)


def test_admin_offers_each_step_only_to_its_permission(client):
    writer = editor()
    make_article(programme=make_programme(), by=writer)  # the admin lists actions over rows
    client.force_login(writer)
    assert _offered_actions(client) == ["提交审核"]
    client.force_login(approver())
    assert _offered_actions(client) == [
        "提交审核",
        "审核通过",
        "退回修改",
        "立即发布",
        "按发布时间定时发布",
        "撤回",
    ]


def test_image_upload_reencodes_and_resizes():
    import io

    from PIL import Image

    from judging.content.services import image_upload

    buffer = io.BytesIO()
    Image.new("RGB", (3200, 1600), "red").save(buffer, format="PNG")
    polyglot = buffer.getvalue() + b"<html><script>alert(1)</script></html>"
    image = image_upload(file=SimpleUploadedFile("a.png", polyglot), by=approver())
    assert (image.width, image.height) == (1600, 800)
    with image.file.open("rb") as stored:
        data = stored.read()
    assert b"<script>" not in data
    assert data.startswith(b"\xff\xd8\xff")  # re-encoded as JPEG (no transparency)


def test_image_upload_refuses_non_image():
    from judging.content.services import image_upload

    with pytest.raises(ArticleError):
        image_upload(file=SimpleUploadedFile("a.png", b"<html></html>"), by=approver())


@pytest.mark.parametrize("rows", [1, 5])
def test_search_page_query_count(client, django_assert_num_queries, rows):
    boss = approver()
    programme = make_programme(slug="s")
    for n in range(rows):
        publish(
            make_article(programme=programme, by=boss, slug=f"s{n}", title=f"数字政府建设{n}"),
            by=boss,
        )
    with django_assert_num_queries(2):
        response = client.get(reverse("content:search"), {"q": "数字政府建设"})
    assert response.content.decode().count('class="badge"') == rows


def test_body_written_past_the_service_is_sanitised_when_rendered(client):
    from judging.content.models import Article

    boss = approver()
    article = make_article(programme=make_programme(slug="raw"), by=boss, slug="raw")
    publish(article, by=boss)
    Article.objects.filter(pk=article.pk).update(body='<p onclick="x()">正文</p><script>1</script>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<div class="article-body"><p>正文</p></div>' in html
