"""Search in Chinese on hand-made texts: segmentation, AND of the query's words, ranking,
highlighting (escaped first), visibility by publish time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from judging.content.models import SearchDocument
from judging.content.search import highlight, search
from judging.content.segment import query_terms, segment_text

pytestmark = pytest.mark.django_db


def doc(title, text, *, n, visible_from=None):
    return SearchDocument.objects.create(
        kind="article",
        object_id=n,
        title=title,
        url=f"/x/{n}/",
        text=text,
        terms=f"{segment_text(title)} {segment_text(text)}",
        visible_from=visible_from or timezone.now() - timedelta(days=1),
    )


def test_jieba_loads_offline_and_segments():
    assert query_terms("数字政府建设") == ["数字", "政府", "建设"]


def test_query_without_space_finds_words_apart():
    apart = doc("改革", "以数字政府为牵引,推进法治建设", n=1)
    doc("无关", "乡村振兴与基层治理", n=2)
    terms, results = search("数字政府建设")
    assert [r.document.pk for r in results] == [apart.pk]


def test_every_word_must_occur():
    doc("甲", "数字政府", n=1)
    assert search("数字政府建设")[1] == []


def test_ranking_more_matches_first():
    once = doc("通知", "数字政府建设 一次", n=1)
    thrice = doc("数字政府建设", "数字政府建设 数字政府建设 推进 数字政府 的 建设", n=2)
    twice = doc("新闻", "数字政府建设 以及 数字政府 建设", n=3)
    _, results = search("数字政府建设")
    assert [r.document.pk for r in results] == [thrice.pk, twice.pk, once.pk]


def test_future_document_not_found_until_its_time():
    doc("定时", "粤治 数字政府", n=1, visible_from=timezone.now() + timedelta(hours=1))
    assert search("数字政府")[1] == []
    assert len(search("数字政府", at=timezone.now() + timedelta(hours=2))[1]) == 1


def test_highlight_escapes_then_marks():
    html = highlight('<script>x</script> 数字政府 "建设"', ["数字", "建设"])
    assert html == (
        "&lt;script&gt;x&lt;/script&gt; <mark>数字</mark>政府 &quot;<mark>建设</mark>&quot;"
    )


def test_search_page_highlights_and_rejects_long_query(client):
    doc("数字政府改革", "推进数字政府建设 <b>x</b>", n=1)
    url = reverse("content:search")
    html = client.get(url, {"q": "数字政府建设"}).content.decode()
    assert "<mark>数字</mark><mark>政府</mark>改革" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    response = client.get(url, {"q": "长" * 500})
    assert response.status_code == 400
    assert "100" in response.content.decode()


def test_fts_syntax_in_query_is_plain_text(client):
    doc("甲", 'AND OR NOT "引号" 数字', n=1)
    assert client.get(reverse("content:search"), {"q": '" OR * NEAR('}).status_code == 200
