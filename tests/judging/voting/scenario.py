"""A public-vote round on top of a scored, confirmed expert round, from plain factories."""

import re
from datetime import timedelta

from captcha.models import CaptchaStore
from django.utils import timezone

from cases.models import CaseStatus, EditionStatus
from judging.models import EntryResult, RoundKind, RoundStatus
from judging.voting.identity import identifier_hash
from judging.voting.models import PublicVoteSettings
from judging.voting.services import public_vote_open, voter_for_identifier_hash
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_scored_review,
)


def make_vote_scenario(
    *, expert_values=(8, 6, 9), categories=1, votes_per_day=5, votes_per_case=1, open=True
):
    """An edition in review with `len(expert_values)` cases per category, each scored once
    (one criterion, max 10: S = 10 × value) in a closed expert round whose advancement
    advanced them all, and a public-vote round (70/30) that is open now unless `open=False`."""
    now = timezone.now()
    edition = make_edition(status=EditionStatus.REVIEWING)
    source = make_round(
        edition=edition,
        order=1,
        criteria=[("综合", 1, 10)],
        status=RoundStatus.CLOSED,
        name="初审",
    )
    vote_round = make_round(
        edition=edition,
        order=2,
        kind=RoundKind.PUBLIC_VOTE,
        name="网络投票",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=6),
    )
    judge = make_judge()
    cases = []
    for c in range(categories):
        category = make_category(edition=edition, order=c)
        for i, value in enumerate(expert_values):
            case = make_case(
                edition=edition,
                category=category,
                status=CaseStatus.IN_REVIEW,
                reference=f"C{c}-{i:03d}",
                title=f"类别{c}案例{i}",
                summary=f"案例{i}的简介",
                contact_phone="13800000000",
                contact_email="secret-contact@example.org",
            )
            make_scored_review(round=source, case=case, judge=judge, values=[value])
            make_round_entry(round=source, case=case, result=EntryResult.ADVANCED, decided_at=now)
            cases.append(case)
    PublicVoteSettings.objects.create(
        round=vote_round,
        source_round=source,
        votes_per_day=votes_per_day,
        votes_per_case=votes_per_case,
        expert_weight=70,
        public_weight=30,
    )
    organiser = make_organiser()
    if open:
        public_vote_open(round=vote_round, by=organiser)
        vote_round.refresh_from_db()
    return vote_round, cases, organiser


def make_voter(email=None):
    email = email or f"voter{timezone.now().timestamp()}@example.org"
    return voter_for_identifier_hash(identifier_hash=identifier_hash("email", email), kind="email")


def captcha_answer(html):
    """The CAPTCHA of a rendered form, solved by reading its stored answer (the real
    django-simple-captcha store, as a human reads the image)."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def login_voter(client, voter):
    session = client.session
    session["public_voter_id"] = voter.pk
    session.save()
