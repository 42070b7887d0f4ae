"""Reads of the unit portal: the querysets behind its pages, each with its prefetch bundle."""

import difflib
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Attachment, Case, CaseLeadUnit, CaseStatus, CaseVersion, Unit
from .permissions import cases_owned_by_user_units, cases_visible_to
from .selectors import open_editions, results_visible_editions
from .services.lifecycle import case_snapshot

LEAD_UNITS = Prefetch(
    "lead_unit_links", queryset=CaseLeadUnit.objects.select_related("unit").order_by("order")
)


# --- What a unit may see of its cases' results ----------------------------------------------
# 获奖 / 未获奖 are settled when an organiser publishes, but the results stay under embargo
# until `Edition.results_published_at`; until then a unit sees such a case as 评审中.
EMBARGOED_STATES = {CaseStatus.AWARDED, CaseStatus.NOT_AWARDED}
# judging.models.CitationStatus.APPROVED (`cases` never imports `judging`): only an approved
# citation is published, on the public results page and on the unit's dashboard alike.
APPROVED_CITATION = "approved"


def with_results_visible(queryset, *, at=None):
    """Annotate each case with `results_visible`: its edition's results are public at `at`
    (a subquery in the same SELECT, so no extra query)."""
    return queryset.annotate(
        results_visible=Exists(results_visible_editions(at).filter(pk=OuterRef("edition_id")))
    )


@dataclass(frozen=True)
class ShownStatus:
    value: str
    label: str
    reason: str = ""


def unit_visible_status(case, *, organiser=False):
    """The status (value for the CSS class, label, and the status note) that the portal
    shows for `case`. Needs the `results_visible` annotation; without it the result is
    treated as embargoed. Organisers see the real status."""
    status = CaseStatus(case.status)
    if status in EMBARGOED_STATES and not organiser and not getattr(case, "results_visible", False):
        return ShownStatus(CaseStatus.IN_REVIEW.value, CaseStatus.IN_REVIEW.label)
    return ShownStatus(status.value, status.label, case.status_reason)


def dashboard_cases(user, *, at=None):
    """The cases of the user's units across editions, newest first, each annotated with
    `results_visible` (the edition's results are out). The award is
    joined in (reverse one-to-one from judging) but only to be shown when results are out."""
    return with_results_visible(
        cases_owned_by_user_units(user)
        .select_related(
            "edition__programme",
            "category",
            "owner_unit",
            "award__tier",
            "award__commentator",
        )
        .prefetch_related(LEAD_UNITS),
        at=at,
    ).order_by("-edition__year", "-created_at", "-pk")


def known_unit_names():
    """Names offered as suggestions: units that are verified or hold an account. Names typed
    on somebody's draft (new lead units) are not shown to others."""
    return (
        Unit.objects.filter(Q(verified=True) | Q(memberships__isnull=False))
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class PublishedResult:
    award_id: int
    tier: str
    citation: str = ""
    signed_by: str = ""


def published_award(case):
    """The case's result as the unit may read it once its edition's results are visible
    (needs `results_visible`): the tier, and the citation with its signature if approved.
    None before the embargo time or without an award."""
    if not getattr(case, "results_visible", False):
        return None
    try:
        award = case.award
    except Case.award.RelatedObjectDoesNotExist:
        return None
    if award.citation_status != APPROVED_CITATION or not award.citation:
        return PublishedResult(award_id=award.pk, tier=award.tier.name)
    signer = str(award.commentator) if award.commentator_id else award.signed_as
    return PublishedResult(
        award_id=award.pk, tier=award.tier.name, citation=award.citation, signed_by=signer
    )


def accepting_editions(at=None):
    at = at or timezone.now()
    return [edition for edition in open_editions() if edition.is_accepting_submissions(at)]


def portal_case(user, pk, *, for_edit=False, at=None):
    """One case with everything its pages show (and `results_visible`); `for_edit` limits to
    the user's units."""
    base = cases_owned_by_user_units(user) if for_edit else cases_visible_to(user)
    return (
        with_results_visible(base, at=at)
        .select_related("edition__programme", "category", "owner_unit", "submitting_unit")
        .prefetch_related(
            LEAD_UNITS,
            "media_coverage",
            Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "pk")),
            Prefetch("versions", queryset=CaseVersion.objects.order_by("number")),
        )
        .filter(pk=pk)
        .first()
    )


def next_step(case, *, at=None):
    """What the unit should do next, in one sentence. A settled result under embargo reads
    "等待结果发布", which says nothing of the outcome (needs `results_visible`)."""
    accepting = case.edition.is_accepting_submissions(at)
    if case.status == CaseStatus.DRAFT:
        return _("完善内容并提交") if accepting else _("申报已截止,草稿未提交")
    if case.status == CaseStatus.SUBMITTED:
        return _("截止前可以修改并重新提交") if accepting else _("等待组织方审查")
    if case.status == CaseStatus.RETURNED:
        return _("按退回意见修改后重新提交")
    if case.status in {CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW}:
        return _("等待专家评审")
    if case.status in {CaseStatus.AWARDED, CaseStatus.NOT_AWARDED}:
        return _("查看评选结果") if getattr(case, "results_visible", False) else _("等待结果发布")
    return ""


# --- Versions and what changed between them -----------------------------------------------
SNAPSHOT_LABELS = {
    "title": gettext_lazy("案例名称"),
    "category": gettext_lazy("案例类别"),
    "submitting_unit": gettext_lazy("报送单位"),
    "lead_units": gettext_lazy("主创单位"),
    "summary": gettext_lazy("案例简介"),
    "background": gettext_lazy("背景"),
    "practice": gettext_lazy("主要做法(创新点)"),
    "outcomes": gettext_lazy("取得成效"),
    "promotion_value": gettext_lazy("推广价值"),
    "contact_name": gettext_lazy("联系人"),
    "contact_phone": gettext_lazy("联系电话"),
    "contact_email": gettext_lazy("联系邮箱"),
    "media_coverage": gettext_lazy("媒体报道"),
    "attachments": gettext_lazy("附件"),
}


def _as_text(value):
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict):
                lines.append(" · ".join(str(v) for v in item.values() if v))
            else:
                lines.append(str(item))
        return "\n".join(lines)
    return str(value or "")


def snapshot_diff(old, new):
    """Per field that changed, `(label, segments)` where each segment is `(op, text)` with op
    `equal`, `insert` or `delete`: a character-level diff (difflib), which suits Chinese text
    better than a line diff does."""
    changes = []
    for key, label in SNAPSHOT_LABELS.items():
        before, after = _as_text(old.get(key)), _as_text(new.get(key))
        if before == after:
            continue
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        segments = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                segments.append(("equal", before[i1:i2]))
                continue
            if op in {"delete", "replace"}:
                segments.append(("delete", before[i1:i2]))
            if op in {"insert", "replace"}:
                segments.append(("insert", after[j1:j2]))
        changes.append((label, segments))
    return changes


def unsubmitted_changes(case):
    """Differences between the case as it stands and its last submitted version (e.g. files
    added to a submitted case and not submitted again); empty when they agree."""
    versions = list(case.versions.all())
    if not versions:
        return []
    return snapshot_diff(versions[-1].data, case_snapshot(case))
