"""Tabulating a round: case scores and ranks stored on its entries (DESIGN.md §5)."""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..models import RoundEntry, RoundKind
from ..selectors.ranking import submitted_reviews
from ..tabulation import RankingEntry, rank, tally, to_decimal


def _entry_rows(round_):
    return list(
        RoundEntry.objects.filter(round=round_)
        .order_by("pk")
        .values_list("pk", "case_id", "case__category_id", "case__reference", "score", "rank")
    )


WRITE_BATCH = 1000


def _write_scores(rows):
    """Store `(pk, score, rank)` triples. `bulk_update` builds a CASE expression per row and
    took over a second for 2,000 rows; instead PostgreSQL gets one `UPDATE … FROM (VALUES …)`
    per thousand rows, and SQLite (in process, no round trips) one `executemany`."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, score, rank_, pk = (
        quote(RoundEntry._meta.db_table),
        quote("score"),
        quote("rank"),
        quote("id"),
    )
    # Only quoted identifiers from the model are formatted into the SQL; values are parameters.
    score_field = RoundEntry._meta.get_field("score")
    params = [(pk_, score_field.get_db_prep_save(s, connection), r) for pk_, s, r in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(params), WRITE_BATCH):
                batch = params[start : start + WRITE_BATCH]
                values = ", ".join(["(%s, CAST(%s AS numeric), CAST(%s AS integer))"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} SET {score} = v.column2, {rank_} = v.column3 "  # noqa: S608
                    f"FROM (VALUES {values}) AS v WHERE {table}.{pk} = v.column1",
                    [value for row in batch for value in row],
                )
        else:
            cursor.executemany(
                f"UPDATE {table} SET {score} = %s, {rank_} = %s WHERE {pk} = %s",  # noqa: S608
                [(s, r, pk_) for pk_, s, r in params],
            )


def tabulate_round(*, round, by):
    """Compute every case of a scoring round by the round's aggregation and store its score
    (rounded half-up to 4 decimals) and its rank inside its category on its `RoundEntry`.

    Review scores are recomputed from the criterion scores in one query; the entries are read
    in one more (and once again if a case with submitted reviews had no entry yet: it gets
    one). Only entries whose score or rank changed are written. Returns the number of cases
    tabulated and the number of entries changed.
    """
    if round.kind != RoundKind.SCORING:
        raise DomainError(_("只有评分轮次可以计算排名。"))
    with transaction.atomic():
        reviews = submitted_reviews(round)
        entries = _entry_rows(round)
        missing = {r.case for r in reviews} - {case for _pk, case, *_rest in entries}
        if missing:
            RoundEntry.objects.bulk_create(
                RoundEntry(round=round, case_id=case) for case in sorted(missing)
            )
            entries = _entry_rows(round)
        tallies = tally(reviews, round.aggregation)
        ranks = rank(
            [
                RankingEntry(case, category, reference)
                for _pk, case, category, reference, *_ in entries
            ],
            tallies,
        )
        changed = []
        for pk, case, _category, _reference, old_score, old_rank in entries:
            found = tallies.get(case)
            score = to_decimal(found.score) if found else None
            if old_score != score or old_rank != ranks[case]:
                changed.append((pk, score, ranks[case]))
        _write_scores(changed)
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
    return len(entries), len(changed)
