"""Voting services on the real database: limits, codes, voiding, tabulation."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cases.models import AuditEntry
from judging.models import RoundEntry, RoundStatus
from judging.voting import services
from judging.voting.identity import identifier_hash
from judging.voting.models import PublicVote, PublicVoteTally, Voter, VoterChallenge
from judging.voting.selectors import anomaly_report, ballot_entries
from judging.voting.services import VoteRefused
from judging.voting.sms import ConsoleSmsProvider

from .scenario import make_vote_scenario, make_voter

pytestmark = pytest.mark.django_db


def test_opening_puts_the_advanced_cases_on_the_ballot():
    round_, cases, _ = make_vote_scenario()
    assert round_.status == RoundStatus.OPEN
    assert sorted(RoundEntry.objects.filter(round=round_).values_list("case_id", flat=True)) == [
        c.pk for c in cases
    ]
    assert AuditEntry.objects.filter(code="judging.public_vote.opened").count() == 1


def test_votes_per_case_per_day():
    round_, cases, _ = make_vote_scenario(votes_per_day=5, votes_per_case=2)
    voter = make_voter()
    services.vote_cast(round=round_, case_id=cases[0].pk, voter=voter)
    services.vote_cast(round=round_, case_id=cases[0].pk, voter=voter)
    with pytest.raises(VoteRefused, match="每个案例最多 2 票"):
        services.vote_cast(round=round_, case_id=cases[0].pk, voter=voter)
    services.vote_cast(round=round_, case_id=cases[1].pk, voter=voter)
    assert PublicVote.objects.filter(voter=voter).count() == 3


def test_votes_per_day_and_next_day_again():
    round_, cases, _ = make_vote_scenario(votes_per_day=2, votes_per_case=1)
    voter = make_voter()
    now = timezone.now()
    services.vote_cast(round=round_, case_id=cases[0].pk, voter=voter, now=now)
    services.vote_cast(round=round_, case_id=cases[1].pk, voter=voter, now=now)
    with pytest.raises(VoteRefused, match="2 票已经投完"):
        services.vote_cast(round=round_, case_id=cases[2].pk, voter=voter, now=now)
    tomorrow = now + timedelta(days=1)
    services.vote_cast(round=round_, case_id=cases[0].pk, voter=voter, now=tomorrow)
    assert PublicVote.objects.filter(voter=voter).count() == 3


def test_no_vote_outside_the_period_or_before_opening():
    round_, cases, _ = make_vote_scenario()
    voter = make_voter()
    with pytest.raises(VoteRefused, match="不在投票时间内"):
        services.vote_cast(round=round_, case_id=cases[0].pk, voter=voter, now=round_.closes_at)
    draft, draft_cases, _ = make_vote_scenario(open=False)
    with pytest.raises(VoteRefused):
        services.vote_cast(round=draft, case_id=draft_cases[0].pk, voter=voter)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_never_exceed_the_daily_limit():
    round_, cases, _ = make_vote_scenario(expert_values=(8,) * 6, votes_per_day=3)
    voter = make_voter()
    barrier = threading.Barrier(6)
    outcomes = []

    def cast(case):
        barrier.wait()
        try:
            services.vote_cast(round=round_, case_id=case.pk, voter=voter)
            outcomes.append("ok")
        except VoteRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 3
    assert PublicVote.objects.filter(voter=voter).count() == 3


def _code_from_mail():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_email_code_proves_the_voter_and_stores_only_hashes():
    challenge = services.challenge_send(kind="email", value=" Voter@Example.org ")
    assert mail.outbox[-1].to == ["voter@example.org"]
    code = _code_from_mail()
    voter = services.challenge_confirm(challenge_id=challenge.pk, code=code)
    assert voter.identifier_hash == identifier_hash("email", "voter@example.org")
    stored = VoterChallenge.objects.get(pk=challenge.pk)
    assert code not in stored.code_hash and "voter" not in stored.identifier_hash
    with pytest.raises(services.DomainError, match="已使用"):
        services.challenge_confirm(challenge_id=challenge.pk, code=code)


def test_wrong_code_counts_attempts_until_refused(settings):
    settings.PUBLIC_VOTE_CODE_ATTEMPTS = 3
    challenge = services.challenge_send(kind="email", value="v@example.org")
    right = _code_from_mail()
    wrong = "000000" if right != "000000" else "111111"
    with pytest.raises(services.DomainError, match="还可以尝试 2 次"):
        services.challenge_confirm(challenge_id=challenge.pk, code=wrong)
    with pytest.raises(services.DomainError, match="还可以尝试 1 次"):
        services.challenge_confirm(challenge_id=challenge.pk, code=wrong)
    with pytest.raises(services.DomainError, match="错误次数过多"):
        services.challenge_confirm(challenge_id=challenge.pk, code=wrong)
    with pytest.raises(services.DomainError, match="错误次数过多"):
        services.challenge_confirm(challenge_id=challenge.pk, code=right)
    assert VoterChallenge.objects.get(pk=challenge.pk).attempts == 3
    assert Voter.objects.count() == 0


def test_expired_code_is_refused():
    challenge = services.challenge_send(kind="email", value="v@example.org")
    later = timezone.now() + timedelta(minutes=10, seconds=1)
    with pytest.raises(services.DomainError, match="已过期"):
        services.challenge_confirm(challenge_id=challenge.pk, code=_code_from_mail(), now=later)


def test_sms_code_through_the_console_provider():
    challenge = services.challenge_send(kind="mobile", value="+86 138-0013-8000")
    number, text = ConsoleSmsProvider.outbox[-1]
    assert number == "13800138000"
    code = re.search(r"\d{6}", text).group(0)
    voter = services.challenge_confirm(challenge_id=challenge.pk, code=code)
    assert voter.kind == "mobile"


def test_voided_votes_leave_the_public_count_and_are_audited():
    round_, cases, organiser = make_vote_scenario()
    voters = [make_voter(f"v{i}@example.org") for i in range(3)]
    for voter in voters:
        services.vote_cast(round=round_, case_id=cases[0].pk, voter=voter, network="10.0.0.0/24")
    with pytest.raises(services.DomainError, match="理由"):
        services.votes_void(votes=PublicVote.objects.all(), reason=" ", by=organiser)
    count = services.votes_void(
        votes=PublicVote.objects.filter(voter__in=voters[:2]), reason="同一网段刷票", by=organiser
    )
    assert count == 2
    counts = {e.case_id: e.valid_votes for e in ballot_entries(round_)}
    assert counts[cases[0].pk] == 1
    audit = AuditEntry.objects.get(code="judging.public_vote.voided")
    assert audit.data["count"] == 2 and audit.data["reason"] == "同一网段刷票"


def test_close_stores_the_combined_result():
    round_, cases, organiser = make_vote_scenario()  # E = 80, 60, 90
    for i in range(10):
        services.vote_cast(round=round_, case_id=cases[0].pk, voter=make_voter(f"a{i}@x.org"))
    for i in range(20):
        services.vote_cast(round=round_, case_id=cases[1].pk, voter=make_voter(f"b{i}@x.org"))
    for i in range(5):
        services.vote_cast(round=round_, case_id=cases[2].pk, voter=make_voter(f"c{i}@x.org"))
    services.public_vote_close(round=round_, by=organiser)
    tallies = {t.case_id: t for t in PublicVoteTally.objects.filter(round=round_)}
    assert [str(tallies[c.pk].combined_score) for c in cases] == ["71.0000", "72.0000", "70.5000"]
    assert [tallies[c.pk].public_score for c in cases] == [50, 100, 25]
    assert [tallies[c.pk].rank for c in cases] == [2, 1, 3]
    entries = {e.case_id: e for e in RoundEntry.objects.filter(round=round_)}
    assert [entries[c.pk].rank for c in cases] == [2, 1, 3]


def test_anomaly_report_numbers():
    round_, cases, organiser = make_vote_scenario(votes_per_day=10)
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    # 4 voters verified an hour ago vote from 10.1.1.x in one minute; 2 fresh voters from
    # another network vote 30 s after their verification.
    old = [make_voter(f"old{i}@x.org") for i in range(4)]
    Voter.objects.filter(pk__in=[v.pk for v in old]).update(created_at=start - timedelta(hours=1))
    for i, voter in enumerate(old):
        services.vote_cast(
            round=round_,
            case_id=cases[0].pk,
            voter=voter,
            network="10.1.1.0/24",
            now=start + timedelta(seconds=5 * i),
        )
    for i in range(2):
        voter = make_voter(f"new{i}@x.org")
        Voter.objects.filter(pk=voter.pk).update(created_at=start + timedelta(minutes=5))
        services.vote_cast(
            round=round_,
            case_id=cases[1].pk,
            voter=voter,
            network="10.2.2.0/24",
            now=start + timedelta(minutes=5, seconds=30),
        )
    services.votes_void(votes=PublicVote.objects.filter(voter=old[0]), reason="测试", by=organiser)
    report = anomaly_report(round_)
    assert (report.total, report.voided, report.voters) == (5, 1, 5)
    assert report.bursts[0][1] == 3 and report.bursts[1][1] == 2
    assert report.networks == [("10.1.1.0/24", 3, 3 / 5), ("10.2.2.0/24", 2, 2 / 5)]
    assert report.fresh == 2
    assert report.fresh_by_case == [(cases[1].title, 2, 2)]
