"""Reads of the public vote: open rounds, the ballot with its valid counts, the combined
result, the organiser's anomaly report."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import TruncMinute
from django.utils import timezone

from cases.models import Attachment, AttachmentKind, CaseLeadUnit, EditionStatus
from cases.selectors import results_visible_editions

from ..models import Round, RoundEntry, RoundKind, RoundStatus
from ..selectors.ranking import submitted_reviews
from ..tabulation import tally
from .models import PublicVote, PublicVoteSettings, PublicVoteTally
from .scoring import Candidate, combine

# Public attachments: a case's images (图片, with their captions). The 申报书 and 佐证材料
# carry contact data and internal documents; they are never on the public ballot.
PUBLIC_ATTACHMENT_KINDS = (AttachmentKind.IMAGE,)
PUBLIC_EDITION_STATES = [s for s in EditionStatus.values if s != EditionStatus.DRAFT]


def valid_votes():
    return PublicVote.objects.filter(voided_at__isnull=True)


def public_vote_rounds():
    return Round.objects.filter(
        kind=RoundKind.PUBLIC_VOTE, edition__status__in=PUBLIC_EDITION_STATES
    ).select_related("edition__programme", "public_vote")


def open_public_vote_rounds(now=None):
    """Rounds whose voting period is running now, soonest closing first."""
    now = now or timezone.now()
    return (
        public_vote_rounds()
        .filter(status=RoundStatus.OPEN, opens_at__lte=now, closes_at__gt=now)
        .order_by("closes_at", "pk")
    )


def ballot_round(pk):
    """A public-vote round the public may see (open, or closed after having been open), or
    None."""
    return public_vote_rounds().exclude(status=RoundStatus.DRAFT).filter(pk=pk).first()


def public_images():
    return Attachment.objects.filter(kind__in=PUBLIC_ATTACHMENT_KINDS).only(
        "pk", "case_id", "caption", "original_name", "kind"
    )


def ballot_entries(round_):
    """The cases on the ballot with their public fields only (title, lead units, summary,
    images) and their valid votes, in three queries whatever their number."""
    return (
        RoundEntry.objects.filter(round=round_)
        .select_related("case__category")
        .only(
            "pk",
            "round_id",
            "case_id",
            "case__title",
            "case__reference",
            "case__summary",
            "case__category_id",
            "case__category__name",
            "case__category__order",
        )
        .annotate(
            valid_votes=Count(
                "case__public_votes",
                filter=Q(case__public_votes__round=round_, case__public_votes__voided_at=None),
            )
        )
        .prefetch_related(
            Prefetch(
                "case__lead_unit_links",
                queryset=CaseLeadUnit.objects.select_related("unit").only(
                    "pk", "case_id", "order", "unit__name"
                ),
            ),
            Prefetch("case__attachments", queryset=public_images(), to_attr="public_images"),
        )
        .order_by("case__category__order", "case__category_id", "case__reference", "case_id")
    )


def on_ballot(round_pk, case_pk):
    """Whether the case is on the ballot of a public-vote round (a vote for it may be
    refused for other reasons: `services.vote_cast`)."""
    return RoundEntry.objects.filter(
        round_id=round_pk, case_id=case_pk, round__kind=RoundKind.PUBLIC_VOTE
    ).exists()


def ballot_entry(round_, case_pk):
    return ballot_entries(round_).filter(case_id=case_pk).first()


def public_image(round_, case_pk, attachment_pk):
    if not RoundEntry.objects.filter(round=round_, case_id=case_pk).exists():
        return None
    return Attachment.objects.filter(
        pk=attachment_pk, case_id=case_pk, kind__in=PUBLIC_ATTACHMENT_KINDS
    ).first()


def voter_votes_today(*, round_, voter_id, now=None):
    day = timezone.localdate(now or timezone.now())
    return PublicVote.objects.filter(round=round_, voter_id=voter_id, day=day).count()


# --- The combined result -------------------------------------------------------------------
@dataclass
class CombinedResult:
    round: Round
    rules: PublicVoteSettings
    rows: list  # scoring.CombinedRow, ranked inside each category
    entries: dict  # case id -> RoundEntry (with case and category)

    def by_category(self):
        """`[(category, [(row, case)…])…]` in category order, rows in rank order."""
        groups = defaultdict(list)
        for row in sorted(self.rows, key=lambda r: (r.rank, self.entries[r.case].case.reference)):
            case = self.entries[row.case].case
            groups[case.category].append((row, case))
        return sorted(
            groups.items(), key=lambda item: (item[0].order, item[0].pk) if item[0] else (0, 0)
        )


def combined_result(round_):
    """Recompute the combined result from the valid votes and the expert round's submitted
    reviews (never from stored scores)."""
    rules = PublicVoteSettings.objects.select_related("source_round").get(round=round_)
    source = rules.source_round
    entries = {
        e.case_id: e
        for e in RoundEntry.objects.filter(round=round_).select_related("case__category")
    }
    votes = dict(
        valid_votes()
        .filter(round=round_)
        .values_list("case_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("case_id", "n")
    )
    tallies = tally(submitted_reviews(source), source.aggregation)
    candidates = [
        Candidate(
            case=case_id,
            category=entry.case.category_id,
            reference=entry.case.reference,
            votes=votes.get(case_id, 0),
            expert=tallies.get(case_id),
        )
        for case_id, entry in entries.items()
    ]
    rows = combine(candidates, expert_weight=rules.expert_weight, public_weight=rules.public_weight)
    return CombinedResult(round=round_, rules=rules, rows=rows, entries=entries)


def published_tallies(round_):
    """The stored combined result, for the public page (after the embargo)."""
    return (
        PublicVoteTally.objects.filter(round=round_)
        .select_related("case__category")
        .prefetch_related(
            Prefetch(
                "case__lead_unit_links",
                queryset=CaseLeadUnit.objects.select_related("unit").only(
                    "pk", "case_id", "order", "unit__name"
                ),
            )
        )
        .order_by("case__category__order", "case__category_id", "rank", "case__reference")
    )


def results_public(round_, now=None):
    """Whether the combined result may be shown: the round is closed and tabulated and its
    edition's results are published (the embargo time reached)."""
    return (
        round_.status == RoundStatus.CLOSED
        and results_visible_editions(at=now).filter(pk=round_.edition_id).exists()
        and PublicVoteTally.objects.filter(round=round_).exists()
    )


# --- Anomaly report ------------------------------------------------------------------------
# A vote cast within this long of its voter's first verification counts as "fresh".
FRESH_SECONDS = 120
# Networks with at least this share of the round's valid votes are flagged.
NETWORK_SHARE_FLAG = 0.2
# Minutes with at least this many valid votes are flagged as bursts.
BURST_FLAG = 30


@dataclass
class AnomalyReport:
    round: Round
    total: int
    voided: int
    voters: int
    bursts: list  # (minute, votes) busiest first
    networks: list  # (network, votes, share) largest first
    fresh: int  # valid votes cast within FRESH_SECONDS of the voter's first verification
    fresh_by_case: list  # (case title, fresh votes, valid votes)
    burst_flag: int = BURST_FLAG
    share_flag: float = NETWORK_SHARE_FLAG
    fresh_seconds: int = FRESH_SECONDS

    @property
    def fresh_share(self):
        return self.fresh / self.total if self.total else 0


def anomaly_report(round_, *, top=10):
    """Figures that point at rigging, over the round's valid votes, in five aggregate
    queries: the busiest minutes, the /24 (or /64) networks with their share, and votes cast
    right after the voter's identifier was first verified."""
    votes = PublicVote.objects.filter(round=round_)
    counts = votes.aggregate(
        total=Count("pk", filter=Q(voided_at__isnull=True)),
        voided=Count("pk", filter=Q(voided_at__isnull=False)),
        voters=Count("voter", distinct=True, filter=Q(voided_at__isnull=True)),
    )
    valid = votes.filter(voided_at__isnull=True)
    total = counts["total"]
    bursts = list(
        valid.annotate(minute=TruncMinute("created_at"))
        .values("minute")
        .annotate(n=Count("pk"))
        .order_by("-n", "minute")
        .values_list("minute", "n")[:top]
    )
    networks = [
        (network, n, n / total if total else 0)
        for network, n in valid.values("network")
        .annotate(n=Count("pk"))
        .order_by("-n", "network")
        .values_list("network", "n")[:top]
    ]
    fresh = dict(
        valid.filter(created_at__lt=F("voter__created_at") + timedelta(seconds=FRESH_SECONDS))
        .values("case__title")
        .annotate(n=Count("pk"))
        .values_list("case__title", "n")
    )
    per_case = dict(
        valid.values("case__title").annotate(n=Count("pk")).values_list("case__title", "n")
    )
    fresh_by_case = sorted(
        ((title, n, per_case.get(title, 0)) for title, n in fresh.items()),
        key=lambda item: (-item[1], item[0]),
    )
    return AnomalyReport(
        round=round_,
        total=total,
        voided=counts["voided"],
        voters=counts["voters"],
        bursts=bursts,
        networks=networks,
        fresh=sum(fresh.values()),
        fresh_by_case=fresh_by_case,
    )
