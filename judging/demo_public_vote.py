"""The demo's public vote: an edition whose 初审 the demo judges scored, confirmed by the
organiser, and whose 网络投票 is open now (demo code, apart from the product code).

It goes through the product's services where a person would act: assignment, the judges'
review form, closing and confirming the round, opening the vote. Idempotent: a second run
finds the round and changes nothing (the voting period is moved on only once it is over)."""

import datetime

from django.utils import timezone

from cases.models import Case, CaseLeadUnit, CaseStatus, EditionStatus, Programme, Unit

from .demo_data import current
from .models import AdvancementRule, Criterion, Judge, Round, RoundKind, RoundStatus
from .services.advancement import advancement_confirm
from .services.assignment import assignment_add
from .services.reviews import review_save
from .services.rounds import round_close, round_open
from .voting.models import PublicVoteSettings
from .voting.services import public_vote_open


def ensure_public_vote_demo(build, *, organiser, now):
    from .demo import _advance as advance
    from .demo import _ensure_edition as ensure_edition
    from .demo import _local_datetime as local_datetime

    spec = current.PUBLIC_VOTE_EDITION
    programme = Programme.objects.get(slug=current.PROGRAMME_SLUG)
    edition, _created, categories, _tiers = ensure_edition(build, programme, spec, extra={})
    vote_round = Round.objects.filter(edition=edition, kind=RoundKind.PUBLIC_VOTE).first()
    if vote_round is not None:
        return _keep_open(vote_round, now=now, local_datetime=local_datetime)
    texts = {fields["title"]: (unit, fields) for unit, _code, _status, fields in current.CASES}
    cases = []
    for title, code, reference, _scores in spec["cases"]:
        unit_name, fields = texts[title]
        case = build.add(
            Case,
            edition=edition,
            category=categories[code],
            reference=reference,
            title=title,
            summary=fields["summary"],
            owner_unit=Unit.objects.get(name=unit_name),
            submitting_unit=Unit.objects.get(name=unit_name),
            status=CaseStatus.ACCEPTED,
            **{name: fields.get(name, "") for name in Case.BODY_FIELDS},
        )
        build.add(CaseLeadUnit, case=case, unit=case.owner_unit, order=0)
        cases.append(case)
    advance(edition, EditionStatus.REVIEWING, by=organiser, reason="大众评审演示")

    round_spec = spec["round"]
    scoring = build.add(
        Round,
        edition=edition,
        order=round_spec["order"],
        name=round_spec["name"],
        kind=RoundKind.SCORING,
        reviews_per_case=round_spec["reviews_per_case"],
        aggregation=round_spec["aggregation"],
        advancement_rule=AdvancementRule.THRESHOLD,
        advancement_value=0,
    )
    criteria = [
        build.add(
            Criterion, round=scoring, name=name, description=text, weight=w, max_points=m, order=i
        )
        for i, (name, text, w, m) in enumerate(round_spec["criteria"])
    ]
    today = timezone.localtime(now).date()
    vote_spec = spec["vote_round"]
    vote_round = build.add(
        Round,
        edition=edition,
        order=vote_spec["order"],
        name=vote_spec["name"],
        kind=RoundKind.PUBLIC_VOTE,
        opens_at=local_datetime(today - datetime.timedelta(days=1), (9, 0)),
        closes_at=local_datetime(today + datetime.timedelta(days=vote_spec["days"]), (17, 30)),
    )
    build.add(PublicVoteSettings, round=vote_round, source_round=scoring, **spec["rules"])

    judges = [Judge.objects.get(user__email=email) for email, *_rest in current.JUDGE_ACCOUNTS]
    # Judges are assigned before the round opens: a round opens only with enough judges.
    planned = []
    for case, (_title, _code, _ref, scores) in zip(cases, spec["cases"], strict=True):
        for judge, values in zip(judges, scores, strict=True):
            assignment = assignment_add(round=scoring, case=case, judge=judge, by=organiser)
            planned.append((assignment, judge, values))
    round_open(round=scoring, by=organiser)
    for assignment, judge, values in planned:
        review_save(
            assignment=assignment,
            values={c.pk: str(v) for c, v in zip(criteria, values, strict=True)},
            comment="演示评语",
            submit=True,
            expected_version=0,
            by=judge.user,
        )
    round_close(round=scoring, by=organiser)
    advancement_confirm(round=scoring, by=organiser)
    public_vote_open(round=vote_round, by=organiser)
    return vote_round


def _keep_open(vote_round, *, now, local_datetime):
    """A later run after the period ended gives the demo vote another period."""
    if vote_round.status == RoundStatus.OPEN and vote_round.closes_at <= now:
        today = timezone.localtime(now).date()
        vote_round.closes_at = local_datetime(today + datetime.timedelta(days=14), (17, 30))
        vote_round.save(update_fields=["closes_at"])
    return vote_round
