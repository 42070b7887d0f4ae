"""Calibration: is a judge lenient or severe compared with the panel?

The panel is every judge who submitted a review in the round; its mean and population σ are
taken over all the round's review scores S. A judge leans lenient (偏宽) when their mean is
more than half the panel σ above the panel mean, severe (偏严) when more than half below —
decided exactly on fractions. Next to it, the judge's mean difference from the other judges
on the same cases, which does not depend on which cases the judge happened to get.
"""

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from ..models import Judge
from ..tabulation import decimal_sqrt, judge_stats, mean, population_variance
from .ranking import submitted_reviews

LENIENT = "lenient"
SEVERE = "severe"

LEANING_LABELS = {LENIENT: _("偏宽"), SEVERE: _("偏严"), "": ""}


@dataclass
class JudgeCalibration:
    judge: Judge
    count: int
    mean: Fraction
    variance: Fraction
    difference: Fraction  # judge mean − panel mean
    paired_difference: Fraction | None  # mean of (S − others' mean on the same case)
    paired: int  # reviews on cases that another judge reviewed too
    leaning: str

    @property
    def sigma(self):
        return decimal_sqrt(self.variance)

    @property
    def normalisable(self):
        return self.count >= 2 and self.variance > 0

    @property
    def too_few(self):
        return self.count < 2

    @property
    def leaning_label(self):
        return LEANING_LABELS[self.leaning]


@dataclass
class Calibration:
    round: object
    count: int
    mean: Fraction | None
    variance: Fraction | None
    judges: list

    @property
    def sigma(self):
        return decimal_sqrt(self.variance) if self.variance is not None else None

    @property
    def warnings(self):
        return sum(1 for j in self.judges if not j.normalisable)


def leaning(difference, panel_variance):
    """`lenient` / `severe` when |difference| > σ/2, i.e. 4·difference² > σ², else ""."""
    if panel_variance is None or 4 * difference * difference <= panel_variance:
        return ""
    return LENIENT if difference > 0 else SEVERE


def round_calibration(round_):
    """Every judge of the round with their count, mean and σ against the panel (3 queries)."""
    reviews = submitted_reviews(round_)
    if not reviews:
        return Calibration(round=round_, count=0, mean=None, variance=None, judges=[])
    scores = [r.score for r in reviews]
    panel_mean, panel_variance = mean(scores), population_variance(scores)
    stats = judge_stats(reviews)

    by_case = defaultdict(list)
    for r in reviews:
        by_case[r.case].append(r)
    paired = defaultdict(list)
    for r in reviews:
        others = [o.score for o in by_case[r.case] if o.review != r.review]
        if others:
            paired[r.judge].append(r.score - mean(others))

    judges = Judge.objects.in_bulk(list(stats))
    rows = []
    for judge_id in sorted(stats):
        s = stats[judge_id]
        difference = s.mean - panel_mean
        rows.append(
            JudgeCalibration(
                judge=judges[judge_id],
                count=s.count,
                mean=s.mean,
                variance=s.variance,
                difference=difference,
                paired_difference=mean(paired[judge_id]) if paired[judge_id] else None,
                paired=len(paired[judge_id]),
                leaning=leaning(difference, panel_variance),
            )
        )
    return Calibration(
        round=round_,
        count=len(reviews),
        mean=panel_mean,
        variance=panel_variance,
        judges=rows,
    )
