"""Tabulating a round: case scores and ranks stored on its entries (DESIGN.md §5)."""

from django.db import transaction
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..models import RoundEntry, RoundKind
from ..selectors.ranking import compute_ranking, round_entries, submitted_reviews
from ..tabulation import to_decimal


def tabulate_round(*, round, by):
    """Compute every case of a scoring round by the round's aggregation and store its score
    (rounded half-up to 4 decimals) and its rank inside its category on its `RoundEntry`.

    Review scores are recomputed from the criterion scores (one query), the entries read in
    one more; a case with submitted reviews but no entry gets one. Entries whose score and rank
    did not change are not written. Returns `(entries, changed)`.
    """
    if round.kind != RoundKind.SCORING:
        raise DomainError(_("只有评分轮次可以计算排名。"))
    with transaction.atomic():
        reviews = submitted_reviews(round)
        entries = round_entries(round)
        missing = {r.case for r in reviews} - {e.case_id for e in entries}
        if missing:
            RoundEntry.objects.bulk_create(
                RoundEntry(round=round, case_id=case_id) for case_id in sorted(missing)
            )
            entries = round_entries(round)
        tallies, ranks = compute_ranking(round, entries, reviews)
        changed = []
        for entry in entries:
            found = tallies.get(entry.case_id)
            score = to_decimal(found.score) if found else None
            position = ranks[entry.case_id]
            if entry.score != score or entry.rank != position:
                entry.score, entry.rank = score, position
                changed.append(entry)
        RoundEntry.objects.bulk_update(changed, ["score", "rank"], batch_size=500)
        audit_log(
            code="judging.round.tabulated",
            obj=round,
            by=by,
            data={
                "aggregation": round.aggregation,
                "reviews": len(reviews),
                "entries": len(entries),
                "created": len(missing),
                "changed": len(changed),
            },
        )
    return entries, len(changed)
