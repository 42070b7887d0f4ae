"""Recompute each tabulated public-vote round from the votes and the expert reviews and
compare with what is stored (`judging.selectors.result_checks.check_public_votes`, run by
`manage.py verify_results`)."""

from dataclasses import dataclass

from ..models import RoundKind
from ..tabulation import to_decimal
from .models import PublicVoteTally
from .selectors import combined_result, public_vote_rounds


@dataclass(frozen=True)
class TallyDifference:
    case: str
    what: str
    stored: object
    recomputed: object


def tabulated_rounds():
    return (
        public_vote_rounds()
        .filter(kind=RoundKind.PUBLIC_VOTE, public_tallies__isnull=False)
        .distinct()
    )


def public_vote_differences(round_):
    result = combined_result(round_)
    stored = {t.case_id: t for t in PublicVoteTally.objects.filter(round=round_)}
    differences = []
    for row in result.rows:
        entry = result.entries[row.case]  # the round's entries, read once by combined_result
        case = entry.case
        tally = stored.pop(row.case, None)
        if tally is None:
            differences.append(TallyDifference(str(case), "tally", None, "missing"))
            continue
        expert = to_decimal(row.expert) if row.has_expert_score else None
        for what, kept, fresh in (
            ("votes", tally.votes, row.votes),
            ("expert_score", tally.expert_score, expert),
            ("public_score", tally.public_score, to_decimal(row.public)),
            ("combined_score", tally.combined_score, to_decimal(row.combined)),
            ("rank", tally.rank, row.rank),
            ("tied", tally.tied, row.tied),
            ("entry.score", entry.score, to_decimal(row.combined)),
            ("entry.rank", entry.rank, row.rank),
        ):
            if kept != fresh:
                differences.append(TallyDifference(str(case), what, kept, fresh))
    for tally in stored.values():
        differences.append(TallyDifference(str(tally.case), "tally", "stored", "not on ballot"))
    return differences
