"""The public voting pages through the test client: public fields only, CAPTCHA, the code
flow, limits, rate limits, the embargo of the combined result, query counts."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import EditionStatus
from judging.voting import services
from judging.voting.models import PublicVote
from tests.factories import make_attachment, png_bytes

from .scenario import captcha_answer, login_voter, make_vote_scenario, make_voter

pytestmark = pytest.mark.django_db


def _ballot(round_):
    return reverse("voting:ballot", kwargs={"round_pk": round_.pk})


def _case_url(round_, case):
    return reverse("voting:case-vote", kwargs={"round_pk": round_.pk, "case_pk": case.pk})


def test_home_links_the_open_vote(client):
    round_, _, _ = make_vote_scenario()
    response = client.get(reverse("cases:home"))
    assert _ballot(round_) in response.content.decode()


def test_ballot_shows_public_fields_only(client):
    round_, cases, _ = make_vote_scenario()
    image = make_attachment(
        case=cases[0],
        kind="image",
        data=png_bytes(),
        name="现场.png",
        content_type="image/png",
        caption="现场照片",
    )
    form = make_attachment(case=cases[0])  # the 申报书: private
    html = client.get(_ballot(round_)).content.decode()
    assert cases[0].title in html and "案例0的简介" in html
    assert "13800000000" not in html and "secret-contact@example.org" not in html
    image_url = reverse(
        "voting:case-image",
        kwargs={"round_pk": round_.pk, "case_pk": cases[0].pk, "attachment_pk": image.pk},
    )
    assert image_url in html
    assert client.get(image_url).status_code == 200
    private_url = image_url.replace(f"/{image.pk}/", f"/{form.pk}/")
    assert client.get(private_url).status_code == 404


@pytest.mark.parametrize("per_category", [1, 5])
def test_ballot_query_count_does_not_grow(client, django_assert_num_queries, per_category):
    round_, cases, _ = make_vote_scenario(expert_values=(8,) * per_category)
    for case in cases:
        make_attachment(
            case=case, kind="image", data=png_bytes(), name="a.png", content_type="image/png"
        )
    client.get(_ballot(round_))  # warm the session and the language
    # round, entries with their valid counts, lead units, images
    with django_assert_num_queries(4):
        response = client.get(_ballot(round_))
    assert response.status_code == 200


def test_vote_behind_the_trusted_proxy_stores_the_client_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    round_, cases, _ = make_vote_scenario()
    login_voter(client, make_voter())
    url = _case_url(round_, cases[0])
    form = captcha_answer(client.get(url).content.decode())

    response = client.post(url, form, HTTP_X_FORWARDED_FOR="10.9.8.7, 203.0.113.45")

    assert response.status_code == 303
    vote = PublicVote.objects.get()
    assert (vote.ip, vote.network) == ("203.0.113.45", "203.0.113.0/24")


def test_draft_round_is_not_public(client):
    round_, _, _ = make_vote_scenario(open=False)
    assert client.get(_ballot(round_)).status_code == 404


def test_vote_needs_a_proven_voter(client):
    round_, cases, _ = make_vote_scenario()
    url = _case_url(round_, cases[0])
    response = client.post(url, captcha_answer(client.get(url).content.decode()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("voting:verify", args=[round_.pk]))
    assert PublicVote.objects.count() == 0


def test_vote_with_captcha_is_counted(client):
    round_, cases, _ = make_vote_scenario()
    login_voter(client, make_voter())
    url = _case_url(round_, cases[0])
    response = client.post(url, captcha_answer(client.get(url).content.decode()))
    assert response.status_code == 303
    vote = PublicVote.objects.get()
    assert (vote.case_id, vote.ip, vote.network) == (cases[0].pk, "127.0.0.1", "127.0.0.0/24")
    assert "1 票" in client.get(_ballot(round_)).content.decode()


@pytest.mark.parametrize("answer", [None, "wrong"])
def test_missing_or_wrong_captcha_is_refused(client, answer):
    round_, cases, _ = make_vote_scenario()
    login_voter(client, make_voter())
    url = _case_url(round_, cases[0])
    data = captcha_answer(client.get(url).content.decode())
    if answer is None:
        del data["captcha_1"]
    else:
        data["captcha_1"] = answer
    response = client.post(url, data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert PublicVote.objects.count() == 0


def test_vote_beyond_the_limit_is_refused_with_the_reason(client):
    round_, cases, _ = make_vote_scenario(votes_per_case=1)
    login_voter(client, make_voter())
    url = _case_url(round_, cases[0])
    client.post(url, captcha_answer(client.get(url).content.decode()))
    response = client.post(url, captcha_answer(client.get(url).content.decode()))
    assert response.status_code == 409
    html = response.content.decode()
    assert "每人每天每个案例最多 1 票" in html
    assert f'href="{_ballot(round_)}">返回网络投票</a>' in html
    assert f'href="{url}">查看该案例</a>' in html
    assert PublicVote.objects.count() == 1


def test_vote_refusals_name_their_reason(client, settings):
    settings.PUBLIC_VOTE_CAPTCHA = False
    round_, cases, _ = make_vote_scenario()
    other_round, other_cases, _ = make_vote_scenario()
    voter = make_voter()
    login_voter(client, voter)
    # a case of another round's ballot is not on this one
    assert client.post(_case_url(round_, other_cases[0])).status_code == 404
    # the voter's record is gone (the session outlived it)
    gone = make_voter("gone@example.org")
    login_voter(client, gone)
    gone.delete()
    response = client.post(_case_url(round_, cases[0]))
    assert response.status_code == 409
    assert "请重新验证电子邮箱或手机号码" in response.content.decode()
    # the period is over
    login_voter(client, voter)
    round_.closes_at = timezone.now()
    round_.save(update_fields=["closes_at"])
    response = client.post(_case_url(round_, cases[0]))
    assert response.status_code == 409
    assert "该投票不在投票时间内" in response.content.decode()
    assert PublicVote.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # as in production: no test transaction around it
@pytest.mark.parametrize("captcha", [False, True])
def test_vote_post_query_count(client, settings, django_assert_num_queries, captcha):
    settings.PUBLIC_VOTE_CAPTCHA = captcha
    settings.PUBLIC_VOTE_RATE_IP = settings.PUBLIC_VOTE_RATE_NETWORK = "100/m"
    round_, cases, _ = make_vote_scenario(votes_per_day=1)
    login_voter(client, make_voter())

    def form(url):
        return captcha_answer(client.get(url).content.decode()) if captcha else {}

    # The session (database engine in the tests; Redis in front in production), then the
    # vote as one INSERT … SELECT, in autocommit: no transaction, no other read. The CAPTCHA
    # adds django-simple-captcha's five: expired challenges deleted (in a transaction), the
    # challenge read and deleted.
    url = _case_url(round_, cases[0])
    data = form(url)
    with django_assert_num_queries(2 + 5 * captcha) as queries:
        response = client.post(url, data)
    assert response.status_code == 303
    assert queries.captured_queries[-1]["sql"].lstrip().startswith("INSERT INTO judging_publicvote")
    assert PublicVote.objects.get().case_id == cases[0].pk
    # A refused vote (beyond the daily limit): the INSERT inserts nothing, one query reads why.
    url = _case_url(round_, cases[1])
    data = form(url)
    with django_assert_num_queries(3 + 5 * captcha):
        response = client.post(url, data)
    assert response.status_code == 409
    assert "您今天的 1 票已经投完" in response.content.decode()
    assert PublicVote.objects.count() == 1


def test_votes_are_rate_limited_per_ip(client, settings):
    settings.PUBLIC_VOTE_CAPTCHA = False
    settings.PUBLIC_VOTE_RATE_IP = "2/m"
    round_, cases, _ = make_vote_scenario(votes_per_day=10)
    login_voter(client, make_voter())
    statuses = [client.post(_case_url(round_, case)).status_code for case in cases]
    assert statuses[:2] == [303, 303]
    assert statuses[2] in (403, 429)  # django-ratelimit's Ratelimited (429 page on main)
    assert PublicVote.objects.count() == 2


def test_votes_are_rate_limited_per_network(client, settings):
    settings.PUBLIC_VOTE_CAPTCHA = False
    settings.PUBLIC_VOTE_RATE_NETWORK = "2/m"
    round_, cases, _ = make_vote_scenario(votes_per_day=10)
    for i, case in enumerate(cases):
        client.cookies.clear()
        login_voter(client, make_voter(f"n{i}@x.org"))
        response = client.post(_case_url(round_, case), REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert response.status_code == (303 if i < 2 else 403) or response.status_code == 429
    assert PublicVote.objects.count() == 2


def test_email_code_flow_through_the_pages(client):
    round_, cases, _ = make_vote_scenario()
    verify = reverse("voting:verify", args=[round_.pk])
    next_url = _case_url(round_, cases[0])
    page = client.get(verify, {"next": next_url}).content.decode()
    assert '<label for="id_value">' in page and '<label for="id_captcha_1">' in page
    data = {"kind": "email", "value": "voter@example.org", "next": next_url}
    response = client.post(verify, {**data, **captcha_answer(page)})
    assert response.status_code == 302
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    code_url = response["Location"]
    wrong = client.post(code_url, {"code": "12345x", "next": next_url})
    assert "验证码是 6 位数字" in wrong.content.decode()
    response = client.post(code_url, {"code": code, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert "今天还可以投 5 票" in client.get(next_url).content.decode()


def test_verify_form_redisplays_errors_and_refuses_long_input(client):
    round_, _, _ = make_vote_scenario()
    verify = reverse("voting:verify", args=[round_.pk])
    page = client.get(verify).content.decode()
    response = client.post(verify, {"kind": "mobile", "value": "1" * 5000, **captcha_answer(page)})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert mail.outbox == []


def _close_with_votes(round_, cases, organiser):
    for i, (case, n) in enumerate(zip(cases, (10, 20, 5), strict=True)):
        for k in range(n):
            services.vote_cast(round=round_, case_id=case.pk, voter=make_voter(f"{i}-{k}@x.org"))
    services.public_vote_close(round=round_, by=organiser)


def test_combined_result_is_embargoed_until_publication(client):
    round_, cases, organiser = make_vote_scenario()
    _close_with_votes(round_, cases, organiser)
    url = reverse("voting:results", args=[round_.pk])
    assert client.get(url).status_code == 404
    edition = round_.edition
    edition.status = EditionStatus.PUBLISHED
    edition.results_published_at = timezone.now() + timezone.timedelta(hours=1)
    edition.save()
    assert client.get(url).status_code == 404  # published, embargo time not reached
    edition.results_published_at = timezone.now() - timezone.timedelta(minutes=1)
    edition.save()
    html = client.get(url).content.decode()
    assert "综合得分 C = 70% × E + 30% × P" in html
    assert "72.0000" in html and "71.0000" in html and "70.5000" in html


def test_voting_pages_fit_a_strict_csp_and_captcha_image_has_its_own_view(client):
    round_, cases, _ = make_vote_scenario()
    pages = [
        client.get(_ballot(round_)).content.decode(),
        client.get(_case_url(round_, cases[0])).content.decode(),
        client.get(reverse("voting:verify", args=[round_.pk])).content.decode(),
    ]
    for html in pages:
        assert "style=" not in html and "<style" not in html and " on" + "click=" not in html
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    image = re.search(r'<img src="(/captcha/image/[0-9a-f]+/)"', pages[2]).group(1)
    response = client.get(image)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


@pytest.mark.parametrize("rounds", [1, 5])
def test_open_votes_list_and_home_query_counts_do_not_grow(
    client, django_assert_num_queries, rounds
):
    created = [make_vote_scenario(expert_values=(8,))[0] for _ in range(rounds)]
    with django_assert_num_queries(1):
        response = client.get(reverse("voting:round-list"))
    assert all(_ballot(r) in response.content.decode() for r in created)
    with django_assert_num_queries(4):  # programmes with editions, open calls, open votes
        client.get(reverse("cases:home"))


def test_huge_ids_and_long_next_are_404_or_ignored(client):
    round_, cases, _ = make_vote_scenario()
    huge = "9" * 30
    assert client.get(f"/vote/{huge}/").status_code == 404
    assert client.get(f"/vote/{round_.pk}/cases/{huge}/").status_code == 404
    assert client.get(f"/vote/{round_.pk}/cases/{cases[0].pk}/images/{huge}/").status_code == 404
    verify = reverse("voting:verify", args=[round_.pk])
    # Over QUERY_VALUE_MAX_LENGTH the site-wide guard answers 400; an off-site next is ignored.
    assert client.get(verify, {"next": "/" + "x" * 5000}).status_code == 400
    page = client.get(verify, {"next": "https://evil.example.org/"}).content.decode()
    assert 'name="next" value="/vote/' in page


def test_code_request_needs_the_captcha(client):
    round_, _, _ = make_vote_scenario()
    verify = reverse("voting:verify", args=[round_.pk])
    data = captcha_answer(client.get(verify).content.decode())
    data["captcha_1"] = "nope"
    response = client.post(verify, {"kind": "email", "value": "v@example.org", **data})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert 'value="v@example.org"' in response.content.decode()  # input kept
    assert mail.outbox == []
