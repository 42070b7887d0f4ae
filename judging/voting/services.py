"""Writes of the public vote: proving an identifier, casting and voiding votes, opening,
closing and tabulating the round. Every function runs in one transaction and raises
`DomainError` with a message fit for the voter or the organiser."""

import secrets
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..models import EntryResult, Round, RoundEntry, RoundKind, RoundStatus
from ..tabulation import to_decimal
from . import selectors
from .identity import code_hash, identifier_hash, normalise
from .models import (
    IdentifierKind,
    PublicVote,
    PublicVoteSettings,
    PublicVoteTally,
    Voter,
    VoterChallenge,
)
from .sms import SmsError, sms_provider

USER_AGENT_MAX = 300
VOID_REASON_MAX = 500
# Tries of one vote: each failed try means that a simultaneous vote of the same voter was
# counted, so a person's double click never sees the last resort ("投票人数较多").
CAST_RETRIES = 5


class VoteRefused(DomainError):
    """A vote beyond a limit, outside the period or for a case not on the ballot."""


def code_minutes():
    return settings.PUBLIC_VOTE_CODE_MINUTES


def code_attempts():
    return settings.PUBLIC_VOTE_CODE_ATTEMPTS


# --- Proving an identifier -----------------------------------------------------------------
def challenge_send(*, kind, value, now=None):
    """Send a 6-digit code to the e-mail address (through the queued mail backend) or the
    mobile number (through `PUBLIC_VOTE_SMS_PROVIDER`); returns the challenge. Only the
    HMACs of the identifier and of the code are stored."""
    now = now or timezone.now()
    normalised = normalise(kind, value)
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = code_minutes()
    with transaction.atomic():
        challenge = VoterChallenge.objects.create(
            identifier_hash=identifier_hash(kind, normalised),
            kind=kind,
            code_hash="",
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        challenge.code_hash = code_hash(challenge.pk, code)
        challenge.save(update_fields=["code_hash"])
        if kind == IdentifierKind.EMAIL:
            send_mail(
                _("网络投票验证码"),
                _(
                    "您的网络投票验证码是 %(code)s,%(minutes)s 分钟内有效。"
                    "如非本人操作,请忽略本邮件。"
                )
                % {"code": code, "minutes": minutes},
                None,
                [normalised],
            )
        else:
            try:
                sms_provider().send_code(number=normalised, code=code, minutes=minutes)
            except SmsError as error:
                raise DomainError(_("短信发送失败:%(error)s") % {"error": error}) from error
    return challenge


def challenge_confirm(*, challenge_id, code, now=None):
    """Check a code: the voter it proves, or DomainError (used, expired, too many attempts,
    wrong). A wrong code counts an attempt even though it raises."""
    now = now or timezone.now()
    code = (code or "").strip()
    error = None
    with transaction.atomic():
        challenge = VoterChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        if challenge is None or challenge.used_at is not None:
            raise DomainError(_("验证码已使用或不存在,请重新获取。"))
        if challenge.expires_at <= now:
            raise DomainError(_("验证码已过期,请重新获取。"))
        if challenge.attempts >= code_attempts():
            raise DomainError(_("验证码输入错误次数过多,请重新获取。"))
        challenge.attempts += 1
        if len(code) == 6 and secrets.compare_digest(
            code_hash(challenge.pk, code), challenge.code_hash
        ):
            challenge.used_at = now
            challenge.save(update_fields=["attempts", "used_at"])
            return voter_for_identifier_hash(
                identifier_hash=challenge.identifier_hash, kind=challenge.kind, now=now
            )
        challenge.save(update_fields=["attempts"])
        left = code_attempts() - challenge.attempts
        if left > 0:
            error = _("验证码不正确,还可以尝试 %(left)s 次。") % {"left": left}
        else:
            error = _("验证码输入错误次数过多,请重新获取。")
    raise DomainError(error)


def voter_for_identifier_hash(*, identifier_hash, kind, now=None):
    """The voter of a proven identifier, created on first proof. This is the step after a
    correct code; the load benchmark calls it directly to verify its voters beforehand."""
    now = now or timezone.now()
    voter, created = Voter.objects.get_or_create(
        identifier_hash=identifier_hash,
        defaults={"kind": kind, "created_at": now, "verified_at": now},
    )
    if not created:
        Voter.objects.filter(pk=voter.pk).update(verified_at=now)
        voter.verified_at = now
    return voter


# --- Voting --------------------------------------------------------------------------------
def voting_open(round_, now=None):
    """Whether votes are accepted now in `round_` (`_OPEN_SQL` is the same rule in SQL)."""
    now = now or timezone.now()
    return (
        round_.kind == RoundKind.PUBLIC_VOTE
        and round_.status == RoundStatus.OPEN
        and round_.opens_at is not None
        and round_.closes_at is not None
        and round_.opens_at <= now < round_.closes_at
    )


class NotOnBallot(VoteRefused):
    """The case is not on the ballot of a public-vote round (the vote page is a 404)."""


def vote_cast(*, round, case_id, voter, ip=None, network="", user_agent="", now=None):
    """Record one vote of `voter` (a Voter or its id) for a case on the ballot of the open
    round, within the round's limits per day (Beijing time) and per case per day; returns the
    PublicVote, with the case's title as `case_title`.

    The hot path of a vote day is one SQL statement (`_insert_vote`): it inserts the vote only
    if every condition holds, and takes the vote's slot numbers from today's count. Two
    simultaneous votes of one voter that read the same count try the same slot: the unique
    constraints let one in, the other fails and counts again, so no limit is ever exceeded
    and no vote is lost. Only when nothing was inserted is the reason looked up
    (`_refusal`)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    round_id = getattr(round, "pk", round)
    voter_id = getattr(voter, "pk", voter)
    user_agent = (user_agent or "")[:USER_AGENT_MAX]
    for _attempt in range(CAST_RETRIES):
        try:
            row = _insert_vote(round_id, case_id, voter_id, day, ip, network, user_agent, now)
        except IntegrityError:
            continue  # a simultaneous vote of this voter took the slot: count again
        if row is not None:
            vote = PublicVote(
                pk=row[0],
                round_id=round_id,
                case_id=case_id,
                voter_id=voter_id,
                day=day,
                day_slot=row[1],
                case_slot=row[2],
                ip=ip,
                network=network,
                user_agent=user_agent,
                created_at=now,
            )
            vote._state.adding, vote._state.db = False, connection.alias
            vote.case_title = row[3]
            return vote
        _refusal(round_id, case_id, voter_id, day, now)
    raise VoteRefused(_("投票人数较多,请稍后再试。"))


# The rules of a vote in SQL, shared by the vote and by the look-up of why one was refused.
# `voting_open` is the same rule for a Round in Python. The statements are put together from
# these constants only; every value is a parameter.
#
# Today's votes of the voter are found through the voter's index: `round_id + 0` keeps
# PostgreSQL from reading them through an index that starts with the round, which it picks
# when its statistics do not know the round yet (a new round, a table not analysed since the
# morning) and which reads every vote of the round, each vote slower than the last.
_BALLOT_SQL = """
FROM judging_roundentry e
JOIN judging_round r ON r.id = e.round_id
JOIN judging_publicvotesettings s ON s.round_id = e.round_id
CROSS JOIN (
    SELECT COUNT(*) AS n, COUNT(CASE WHEN p.case_id = %(case)s THEN 1 END) AS c
    FROM judging_publicvote p
    WHERE p.voter_id = %(voter)s AND p.day = %(day)s AND p.round_id + 0 = %(round)s
) t
WHERE e.round_id = %(round)s AND e.case_id = %(case)s AND r.kind = %(kind)s
"""
_OPEN_SQL = "r.status = %(status)s AND r.opens_at <= %(now)s AND r.closes_at > %(now)s"
_VOTER_SQL = "EXISTS (SELECT 1 FROM judging_voter v WHERE v.id = %(voter)s)"

_INSERT_VOTE_SQL = f"""
INSERT INTO judging_publicvote
    (round_id, case_id, voter_id, day, day_slot, case_slot, ip, network, user_agent,
     created_at, void_reason)
SELECT e.round_id, e.case_id, %(voter)s, %(day)s, t.n + 1, t.c + 1, %(ip)s, %(network)s,
       %(user_agent)s, %(now)s, ''
{_BALLOT_SQL}
  AND {_OPEN_SQL} AND {_VOTER_SQL}
  AND t.n < s.votes_per_day AND t.c < s.votes_per_case
RETURNING id, day_slot, case_slot,
    (SELECT c.title FROM cases_case c WHERE c.id = judging_publicvote.case_id)
"""  # noqa: S608

_REFUSAL_FACTS_SQL = f"""
SELECT CASE WHEN {_OPEN_SQL} THEN 1 ELSE 0 END, CASE WHEN {_VOTER_SQL} THEN 1 ELSE 0 END,
       t.n, t.c, s.votes_per_day, s.votes_per_case
{_BALLOT_SQL}
"""


def _vote_params(round_id, case_id, voter_id, day, now, **extra):
    ops = connection.ops
    return {
        "round": round_id,
        "case": case_id,
        "voter": voter_id,
        "day": ops.adapt_datefield_value(day),
        "now": ops.adapt_datetimefield_value(now),
        "kind": RoundKind.PUBLIC_VOTE.value,
        "status": RoundStatus.OPEN.value,
        **extra,
    }


def _insert_vote(round_id, case_id, voter_id, day, ip, network, user_agent, now):
    """The vote as one INSERT … SELECT that inserts nothing unless the case is on the ballot
    of a public-vote round that is open now (`voting_open`), the voter exists and today's
    votes of the voter are below both limits; returns (id, day_slot, case_slot, case title)
    or None.

    Plain SQL, portable to PostgreSQL and SQLite, because it is the hot path of a vote day:
    the ORM needed three queries and a transaction, and building them cost more CPU than
    PostgreSQL spent running them. One statement is atomic by itself; inside a caller's
    transaction it gets a savepoint, so that a lost race on a slot leaves that transaction
    usable."""
    params = _vote_params(
        round_id,
        case_id,
        voter_id,
        day,
        now,
        ip=connection.ops.adapt_ipaddressfield_value(ip),
        network=network or "",
        user_agent=user_agent,
    )
    atomic = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with atomic, connection.cursor() as cursor:
        cursor.execute(_INSERT_VOTE_SQL, params)
        return cursor.fetchone()


def _refusal(round_id, case_id, voter_id, day, now):
    """Raise the reason why `_insert_vote` inserted nothing, read in one query of the same
    rules; returns if there is none any more (the caller tries again)."""
    with connection.cursor() as cursor:
        cursor.execute(_REFUSAL_FACTS_SQL, _vote_params(round_id, case_id, voter_id, day, now))
        facts = cursor.fetchone()
    if facts is None:
        raise NotOnBallot(_("该案例不在本轮投票中。"))
    is_open, voter_exists, today, on_case, per_day, per_case = facts
    if not is_open:
        raise VoteRefused(_("该投票不在投票时间内。"))
    if not voter_exists:
        raise VoteRefused(_("请重新验证电子邮箱或手机号码。"))
    if today >= per_day:
        raise VoteRefused(_("您今天的 %(n)s 票已经投完,请明天再来。") % {"n": per_day})
    if on_case >= per_case:
        raise VoteRefused(
            _("您今天已为该案例投过 %(n)s 票,每人每天每个案例最多 %(n)s 票。") % {"n": per_case}
        )


def votes_void(*, votes, reason, by, now=None):
    """Void the given votes (a queryset) with a reason; already voided ones are left as they
    are. One audit row per round. Returns how many were voided."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("作废投票必须填写理由。"))
    if len(reason) > VOID_REASON_MAX:
        raise DomainError(_("理由不能超过 %(n)s 字。") % {"n": VOID_REASON_MAX})
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            votes.select_for_update()
            .filter(voided_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "round_id")
        )
        by_round = {}
        for pk, round_id in rows:
            by_round.setdefault(round_id, []).append(pk)
        for round_id, pks in by_round.items():
            round_ = Round.objects.select_for_update().get(pk=round_id)
            if round_.public_tallies.exists():
                raise DomainError(
                    _("“%(round)s”的结果已经计算,不能再作废投票。") % {"round": round_}
                )
            PublicVote.objects.filter(pk__in=pks).update(
                voided_at=now, void_reason=reason, voided_by=by
            )
            audit_log(
                code="judging.public_vote.voided",
                obj=round_,
                by=by,
                data={"votes": pks, "count": len(pks), "reason": reason},
            )
    return len(rows)


# --- The round -----------------------------------------------------------------------------
def _rules(round_):
    if round_.kind != RoundKind.PUBLIC_VOTE:
        raise DomainError(_("“%(round)s”不是网络投票轮次。") % {"round": round_})
    rules = PublicVoteSettings.objects.filter(round=round_).select_related("source_round").first()
    if rules is None:
        raise DomainError(_("请先填写“%(round)s”的网络投票设置。") % {"round": round_})
    return rules


def public_vote_open(*, round, by):
    """Open the voting period: the round needs its settings and both times; the cases the
    expert round advanced (its confirmed advancement) enter the ballot."""
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round.pk)
        rules = _rules(round_)
        if round_.status != RoundStatus.DRAFT:
            raise DomainError(_("只能开启未开始的网络投票。"))
        if round_.opens_at is None or round_.closes_at is None:
            raise DomainError(_("请先填写投票的开始时间和截止时间。"))
        if round_.closes_at <= round_.opens_at:
            raise DomainError(_("截止时间必须晚于开始时间。"))
        advanced = list(
            RoundEntry.objects.filter(
                round=rules.source_round, result=EntryResult.ADVANCED, decided_at__isnull=False
            ).values_list("case_id", flat=True)
        )
        if not advanced:
            raise DomainError(
                _("“%(round)s”还没有确认晋级的案例。") % {"round": rules.source_round}
            )
        existing = set(round_.entries.values_list("case_id", flat=True))
        RoundEntry.objects.bulk_create(
            RoundEntry(round=round_, case_id=pk) for pk in advanced if pk not in existing
        )
        round_.status = RoundStatus.OPEN
        round_.save(update_fields=["status"])
        audit_log(
            code="judging.public_vote.opened",
            obj=round_,
            by=by,
            data={
                "opens_at": round_.opens_at.isoformat(),
                "closes_at": round_.closes_at.isoformat(),
                "cases": len(advanced),
                "votes_per_day": rules.votes_per_day,
                "votes_per_case": rules.votes_per_case,
                "weights": [rules.expert_weight, rules.public_weight],
            },
        )
    round.status = round_.status
    return round_


def public_vote_close(*, round, by):
    """End the vote and store the combined result (`public_vote_tabulate`)."""
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round.pk)
        _rules(round_)
        if round_.status != RoundStatus.OPEN:
            raise DomainError(_("只能结束进行中的网络投票。"))
        round_.status = RoundStatus.CLOSED
        round_.save(update_fields=["status"])
        audit_log(code="judging.public_vote.closed", obj=round_, by=by, data={})
        public_vote_tabulate(round=round_, by=by)
    round.status = round_.status
    return round_


def public_vote_tabulate(*, round, by, now=None):
    """Store the combined result of a closed round: one PublicVoteTally per case, and the
    combined score and rank on its RoundEntry."""
    if round.status != RoundStatus.CLOSED:
        raise DomainError(_("网络投票结束后才能计算综合结果。"))
    now = now or timezone.now()
    result = selectors.combined_result(round)
    with transaction.atomic():
        PublicVoteTally.objects.filter(round=round).delete()
        PublicVoteTally.objects.bulk_create(
            PublicVoteTally(
                round=round,
                case_id=row.case,
                votes=row.votes,
                expert_score=to_decimal(row.expert) if row.has_expert_score else None,
                public_score=to_decimal(row.public),
                combined_score=to_decimal(row.combined),
                rank=row.rank,
                tied=row.tied,
                tabulated_at=now,
            )
            for row in result.rows
        )
        entries = {e.case_id: e for e in RoundEntry.objects.filter(round=round)}
        for row in result.rows:
            entry = entries[row.case]
            entry.score, entry.rank = to_decimal(row.combined), row.rank
        RoundEntry.objects.bulk_update(entries.values(), ["score", "rank"], batch_size=500)
        audit_log(
            code="judging.public_vote.tabulated",
            obj=round,
            by=by,
            data={
                "cases": len(result.rows),
                "valid_votes": sum(row.votes for row in result.rows),
                "weights": [result.rules.expert_weight, result.rules.public_weight],
            },
        )
    return result
