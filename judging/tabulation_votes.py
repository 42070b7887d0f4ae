"""Counting a plenary vote (pure functions over plain ids and integers, exact).

A vote for a tier supports that tier and every lower one; a tier is reached when its support
among the members present meets its threshold, compared in integers.
"""

from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple


class Threshold(NamedTuple):
    """Share of the members present a tier needs: `numerator/denominator`, reached at equality
    when `inclusive` (“三分之二以上”, ≥) or only above it (“过半数”, >)."""

    numerator: int
    denominator: int
    inclusive: bool = True

    @property
    def label(self):
        return f"{'≥' if self.inclusive else '>'} {self.numerator}/{self.denominator}"

    def met(self, support, present):
        if present == 0:
            return False
        # support/present ≥ n/d  ⇔  support·d ≥ n·present, in integers.
        left, right = support * self.denominator, self.numerator * present
        return left >= right if self.inclusive else left > right


# Used for a tier the round gives no threshold: more than half of the members present.
MAJORITY = Threshold(1, 2, inclusive=False)


@dataclass(frozen=True)
class VoteTally:
    """The count for one case. `support[tier]` counts the members present who voted for that
    tier or a higher one; `decided` is the highest tier whose threshold is met, or None.
    `cast[choice]` is the raw count behind it: the counted votes for exactly that tier (None:
    for no tier), so `abstained` members present cast no vote on the case."""

    present: int
    support: dict
    reached: tuple
    decided: object
    ignored: int
    cast: dict = field(default_factory=dict)

    @property
    def abstained(self):
        return self.present - sum(self.cast.values())

    def share(self, tier):
        return Fraction(self.support[tier], self.present) if self.present else Fraction(0)


def tally_case_votes(*, tiers, eligible, votes, thresholds, default=MAJORITY):
    """Count one case's votes.

    `tiers` lists the tiers from the highest down; `eligible` is the set of members who count
    as present for this case (already without conflicted members); `votes` maps a judge to the
    tier voted for, or None for a vote for no tier (不授奖 / 不入选). A vote for a tier supports
    that tier and every lower one (a member who wants a case to be 最佳 supports it being at
    least 优秀 too). Votes of judges not in `eligible` are ignored (and counted as `ignored`);
    eligible members who cast no vote on the case count in the denominator, as an abstention
    does in the room. `thresholds` maps a tier to its `Threshold`; `default` applies otherwise.
    """
    position = {tier: index for index, tier in enumerate(tiers)}
    support = dict.fromkeys(tiers, 0)
    cast = dict.fromkeys([*tiers, None], 0)
    ignored = 0
    for judge, tier in votes.items():
        if judge not in eligible:
            ignored += 1
            continue
        cast[tier] += 1
        if tier is None:
            continue
        for lower in tiers[position[tier] :]:
            support[lower] += 1
    present = len(eligible)
    reached = tuple(
        tier for tier in tiers if thresholds.get(tier, default).met(support[tier], present)
    )
    return VoteTally(
        present=present,
        support=support,
        reached=reached,
        decided=reached[0] if reached else None,
        ignored=ignored,
        cast=cast,
    )
