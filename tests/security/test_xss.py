"""IN-02: user text is escaped wherever it is shown. Two XSS payloads, a script element and an
attribute break-out, are put in a case title and summary, a unit name, a judge's comment and an
article (title as text, body as rich text); the public, portal, workspace and back-office
pages that show them must carry the escaped text and never the live markup. Article bodies
are rich text: the nh3 allow-list (judging/content/sanitize.py) strips the script and the
event handler. The static half (no `|safe` / `mark_safe` outside an allow-list) is in
tests/security/test_code_rules.py."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from cases.models import Case, Unit
from judging.models import Review
from tests.factories import make_organiser, make_round_entry, make_user
from tests.judging import workspace_scenario
from tests.judging.content.helpers import make_article, publish
from tests.judging.public_data import build_world as public_world
from tests.judging.public_data import case_url as public_case_url
from tests.judging.public_data import results_url, unit_history_url
from tests.judging.test_workspace_views import case_url as judge_case_url
from tests.judging.test_workspace_views import score_data

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
LIVE = ["<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>"]


def payload(label):
    return f"{label}{SCRIPT}{BREAKOUT}"


def problems(page, html, shown):
    found = [f"{page}: live markup {live!r}" for live in LIVE if live in html]
    found += [f"{page}: {text!r} not shown escaped" for text in shown if escape(text) not in html]
    return found


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_case_unit_and_comment_are_escaped_in_workspace_portal_and_back_office():
    s = workspace_scenario.build()
    title, summary, unit_name, comment = (
        payload("案例"),
        payload("简介"),
        payload("单位"),
        payload("评语"),
    )
    Case.objects.filter(pk=s.case.pk).update(title=title, summary=summary)
    Unit.objects.filter(pk=s.case.owner_unit_id).update(name=unit_name)
    judge = Client()
    judge.force_login(s.judge.user)
    data = score_data(s, "8", "6", "10", comment=comment, action="submit")
    saved = judge.post(judge_case_url(s), data)
    assert saved.status_code == 302
    make_round_entry(round=s.round, case=s.case)
    assert Review.objects.get().comment == comment  # stored as typed, escaped on output
    member, organiser = Client(), Client()
    member.force_login(s.member)
    organiser.force_login(make_user(is_staff=True, is_superuser=True))
    case = s.case
    pages = [
        (judge, judge_case_url(s), [title, summary, unit_name, comment]),
        (judge, reverse("judging:round-detail", args=[s.round.pk]), [title]),
        (member, reverse("portal:case-list"), [title]),
        (member, reverse("portal:case-detail", args=[case.pk]), [title, summary]),
        (organiser, reverse("admin:cases_case_changelist"), [title]),
        (organiser, reverse("admin:cases_case_change", args=[case.pk]), [title, summary]),
        (organiser, reverse("admin:cases_unit_changelist"), [unit_name]),
        (
            organiser,
            reverse("admin:judging_round_ranking_case", args=[s.round.pk, case.pk]),
            [title, comment],
        ),
    ]

    found = []
    for client, url, shown in pages:
        found += problems(url, get(client, url), shown)

    assert found == []


def test_case_and_unit_are_escaped_on_the_public_pages():
    w = public_world()
    case = w.chuangwen
    title, summary, unit_name = payload("案例"), payload("简介"), payload("单位")
    Case.objects.filter(pk=case.pk).update(title=title, summary=summary)
    unit = case.owner_unit
    Unit.objects.filter(pk=unit.pk).update(name=unit_name)
    cache.clear()
    client = Client()
    pages = [
        (public_case_url(case), [title, summary, unit_name]),
        (results_url(case.edition), [title]),
        (unit_history_url(unit), [unit_name]),
        (reverse("results:archive") + "?q=案例", []),
    ]

    found = []
    for url, shown in pages:
        found += problems(url, get(client, url), shown)

    assert found == []


def test_article_title_is_escaped_and_body_sanitised():
    organiser = make_organiser()
    w = public_world()
    title = payload("文章")
    body = f"<p>正文{SCRIPT}</p><p>{BREAKOUT}</p><p><img src=x onerror=alert(1)>图</p>"
    article = make_article(
        programme=w.chuangwen.edition.programme,
        by=organiser,
        title=title,
        slug="xss",
        summary="摘要",
        body=body,
    )
    publish(article, by=organiser)
    url = reverse(
        "content:article-detail",
        kwargs={"programme_slug": article.programme.slug, "slug": article.slug},
    )

    html = get(Client(), url)

    assert problems(url, html, [title]) == []
    assert "正文" in html and "alert(1)" not in html.replace(escape(title), "")
