"""Exports of a round's results: every review score and comment, and the ranking, as xlsx
(the organisers' everyday format) or csv. The anonymised variant names judges J1, J2… in the
order of their ids, so the same judge has the same label in every export of the round.

Text that a spreadsheet would run as a formula is written as text (`cases.spreadsheets`).
"""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.bulk import collection_paused
from cases.spreadsheets import csv_value, xlsx_bytes

from .models import Review, ReviewStatus
from .selectors.ranking import round_criteria, submitted_reviews
from .selectors.ranking_table import ReviewsRead, ranking_table
from .tabulation import to_decimal


def plain(number):
    """10.00 → "10", 0.400 → "0.4" (no exponent, no trailing zeros)."""
    return format(number.normalize(), "f")


def judge_labels(reviews):
    """`{judge_id: "J1"…}` by ascending judge id."""
    return {judge: f"J{n}" for n, judge in enumerate(sorted({r.judge for r in reviews}), 1)}


def review_table(round_, *, anonymous=False, read=None):
    """Header and rows: one row per submitted review with every criterion score, S and the
    comment (two queries for the scores, one for the comments and names). With `read`, the
    reviews the ranking has just read (`ranking_table`), when it read them."""
    if read is not None and read.reviews is not None:
        criteria, reviews = read.criteria, read.reviews
    else:
        criteria = round_criteria(round_)
        reviews = submitted_reviews(round_, criteria=criteria, keep_values=True)
    details = {
        pk: rest
        for pk, *rest in Review.objects.filter(
            assignment__round=round_, status=ReviewStatus.SUBMITTED
        ).values_list(
            "pk",
            "assignment__case__category__name",
            "assignment__case__reference",
            "assignment__case__title",
            "assignment__judge__name",
            "comment",
            "submitted_at",
        )
    }
    labels = judge_labels(reviews) if anonymous else {}
    # `timezone.localtime` looks the current time zone up on every call: a third of a
    # second over 40,000 reviews.
    zone = timezone.get_current_timezone()
    header = [
        _("类别"),
        _("案例编号"),
        _("案例名称"),
        _("评审专家"),
        *[
            _("%(name)s(满分 %(max)s,权重 %(weight)s)")
            % {"name": c.name, "max": plain(c.max_points), "weight": plain(c.weight)}
            for c in criteria
        ],
        _("加权得分"),
        _("评语"),
        _("提交时间"),
    ]
    rows = []
    for r in sorted(reviews, key=lambda r: (details[r.review][1], r.judge, r.review)):
        category, reference, title, judge_name, comment, submitted_at = details[r.review]
        values = dict(r.values)
        rows.append(
            [
                category or "",
                reference,
                title,
                labels[r.judge] if anonymous else judge_name,
                *[values.get(c.pk) for c in criteria],
                to_decimal(r.score),
                comment,
                submitted_at.astimezone(zone).replace(tzinfo=None) if submitted_at else None,
            ]
        )
    return header, rows


def ranking_export_table(round_, *, read=None):
    table = ranking_table(round_, read=read)
    header = [
        _("类别"),
        _("名次"),
        _("案例编号"),
        _("案例名称"),
        _("得分(%(aggregation)s)") % {"aggregation": round_.get_aggregation_display()},
        _("平均分"),
        _("平均分名次"),
        _("标准分"),
        _("标准分名次"),
        _("中位数"),
        _("评分份数"),
        _("标准差"),
        _("意见分歧"),
    ]
    rows = [
        [
            row.case.category.name if row.case.category_id else "",
            row.rank,
            row.case.reference,
            row.case.title,
            row.score,
            row.mean_score,
            row.mean_rank,
            row.zscore_score,
            row.zscore_rank,
            row.median,
            row.count,
            row.sigma,
            _("是") if row.disagreement else "",
        ]
        for row in table.rows
    ]
    return header, rows


def round_xlsx(round_, *, anonymous=False):
    """Workbook bytes with two sheets: 排名 (the ranking) and 评分明细 (every review). The
    scores are read once when the ranking is computed here (a worker's first export)."""
    read = ReviewsRead()
    with collection_paused():
        return xlsx_bytes(
            [
                (title, [header, *rows])
                for title, (header, rows) in (
                    (_("排名"), ranking_export_table(round_, read=read)),
                    (_("评分明细"), review_table(round_, anonymous=anonymous, read=read)),
                )
            ]
        )


def round_csv(round_, *, anonymous=False):
    """Every review as csv text, UTF-8 with a byte-order mark so that Excel reads the Chinese."""
    with collection_paused():
        header, rows = review_table(round_, anonymous=anonymous)
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_value(value) for value in row])
        return buffer.getvalue()
