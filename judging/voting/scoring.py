"""The combined result of a public-vote round, as pure functions over plain numbers.

Within each category (榜单):

- public score  P = 100 × v / v_max, v the case's valid votes and v_max the most valid votes
  of a case in the category; when nobody in the category has a valid vote, P = 0 for all;
- expert score  E = the case's exact score in the expert round (DESIGN.md §5: mean, trimmed
  or z-score of the review scores S); a case without a submitted review has E = 0 and is
  flagged;
- combined      C = (w_e × E + w_p × P) / 100, with w_e + w_p = 100 (percentages).

Everything is a Fraction; only display and storage round (half-up, 4 places). Cases are
ranked by C, then by E, then by the expert round's own tie-breaks (median S, number of
reviews), then by more valid votes — all higher first. Cases equal on all of these share a
rank and are flagged 并列: the reference number only orders the display, it never decides.
"""

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

TIE_RULES = ("combined", "expert", "median", "reviews", "votes")
TIE_RULE_LABELS = {
    "expert": _("专家得分"),
    "median": _("专家评分中位数"),
    "reviews": _("评分份数"),
    "votes": _("有效票数"),
}


@dataclass(frozen=True)
class Candidate:
    case: object
    category: object
    reference: str
    votes: int
    expert: object = None  # a judging.tabulation.CaseTally, or None without reviews


@dataclass
class CombinedRow:
    candidate: Candidate
    public: Fraction
    expert: Fraction
    combined: Fraction
    rank: int = 0
    tied: bool = False  # shares its rank with another case
    decided_by: str = ""  # which tie-break separated it from a case with the same C

    @property
    def case(self):
        return self.candidate.case

    @property
    def votes(self):
        return self.candidate.votes

    @property
    def decided_by_label(self):
        return TIE_RULE_LABELS.get(self.decided_by, "")

    @property
    def has_expert_score(self):
        return self.candidate.expert is not None

    def key(self):
        tally = self.candidate.expert
        median = tally.median if tally is not None else Fraction(0)
        count = tally.count if tally is not None else 0
        return (self.combined, self.expert, median, count, self.candidate.votes)


def public_scores(votes):
    """`[P]` for a category's vote counts `[v]`: 100·v/v_max, all 0 when v_max = 0."""
    top = max(votes, default=0)
    if top == 0:
        return [Fraction(0) for _ in votes]
    return [Fraction(100 * v, top) for v in votes]


def combine(candidates, *, expert_weight, public_weight):
    """Rows of every candidate, ranked inside its category (see the module docstring)."""
    expert_weight, public_weight = Fraction(expert_weight), Fraction(public_weight)
    if expert_weight < 0 or public_weight < 0 or expert_weight + public_weight != 100:
        raise ValueError("weights must be percentages adding up to 100")
    by_category = defaultdict(list)
    for candidate in candidates:
        by_category[candidate.category].append(candidate)
    rows = []
    for members in by_category.values():
        publics = public_scores([c.votes for c in members])
        category_rows = []
        for candidate, public in zip(members, publics, strict=True):
            expert = candidate.expert.compare_score if candidate.expert is not None else Fraction(0)
            combined = (expert_weight * expert + public_weight * public) / 100
            category_rows.append(
                CombinedRow(candidate=candidate, public=public, expert=expert, combined=combined)
            )
        _rank(category_rows)
        rows.extend(category_rows)
    return rows


def _rank(rows):
    rows.sort(key=lambda r: (r.candidate.reference or "", str(r.candidate.case)))
    rows.sort(key=lambda r: r.key(), reverse=True)
    previous = None
    for position, row in enumerate(rows, start=1):
        key = row.key()
        if previous is not None and key == previous.key():
            row.rank, row.tied, previous.tied = previous.rank, True, True
        else:
            row.rank = position
        previous = row
    # Where C is equal but a later key separated the cases, say which one did.
    for row in rows:
        for other in rows:
            if other is row or other.combined != row.combined or other.key() == row.key():
                continue
            first = next(
                i for i, (a, b) in enumerate(zip(row.key(), other.key(), strict=True)) if a != b
            )
            if not row.decided_by or TIE_RULES.index(row.decided_by) > first:
                row.decided_by = TIE_RULES[first]
