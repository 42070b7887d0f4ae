"""Signed commentary (点评 / 推荐语) on each award, and the committee's commentary on the edition.

Workflow of an award's citation: the organiser assigns a named expert (`assigned`, the expert
gets an e-mail), the expert drafts and submits it in their workspace (`drafted`), the organiser
edits and approves it in the admin (`approved`). Every step is audited; once the edition's
results are public, a change also bumps the results cache.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import EditionStatus
from cases.services import DomainError, audit_log

from ..cache import bump_results_version
from ..models import Award, CitationStatus, EditionCommentary
from ..selectors.conflicts import case_conflict_source

CITATION_MAX_CHARS = 2000

# Citation text may change while these hold; after approval only the organiser edits it.
EXPERT_EDITABLE = {CitationStatus.ASSIGNED, CitationStatus.DRAFTED}
RESULTS_PUBLIC_STATES = {EditionStatus.PUBLISHED, EditionStatus.ARCHIVED}


def _locked(award):
    return Award.objects.select_for_update().select_related("edition", "case").get(pk=award.pk)


def _bump_if_public(edition):
    if edition.status in RESULTS_PUBLIC_STATES:
        transaction.on_commit(lambda: bump_results_version(edition))


def _check_text(text):
    if len(text) > CITATION_MAX_CHARS:
        raise DomainError(
            _("点评不能超过%(limit)s字(现有%(count)s字)。")
            % {"limit": CITATION_MAX_CHARS, "count": len(text)}
        )


def _notify_commentator(award, judge):
    link = settings.SITE_URL.rstrip("/") + reverse(
        "judging:commentary-update", kwargs={"pk": award.pk}
    )
    subject = _("点评撰写邀请:%(case)s") % {"case": award.case.title}
    body = _(
        "%(name)s您好:\n\n"
        "组委会邀请您为%(edition)s获奖案例“%(case)s”(%(tier)s)撰写署名点评。\n"
        "请登录平台后在以下页面撰写并提交:\n%(link)s\n\n"
        "感谢您的支持!"
    ) % {
        "name": judge.name,
        "edition": award.edition,
        "case": award.case.title,
        "tier": award.tier.name,
        "link": link,
    }
    send_mail(subject, body, None, [judge.user.email])


def commentary_assign(*, award, judge, by, signed_as=""):
    """Ask `judge` to write the citation of `award`; e-mails the expert after commit.

    Returns True when an e-mail was sent (the expert has an account with an address). A judge
    in conflict with the case (the review's one rule, `selectors.conflicts`: recusal, or an
    affiliation or declared unit related to the case's units in the unit tree) cannot be
    asked; a judge who may not be named in public needs a collective signature (`signed_as`).
    """
    signed_as = (signed_as or "").strip()
    with transaction.atomic():
        award = _locked(award)
        if award.citation_status == CitationStatus.APPROVED:
            raise DomainError(_("“%(case)s”的点评已审定,不能重新指定专家。") % {"case": award.case})
        if case_conflict_source(judge=judge, case=award.case) is not None:
            raise DomainError(
                _("%(judge)s与“%(case)s”存在回避关系,不能担任点评专家。")
                % {"judge": judge.name, "case": award.case.title}
            )
        if not judge.public and not signed_as:
            raise DomainError(_("%(judge)s不公开署名,请填写集体署名。") % {"judge": judge.name})
        previous = award.commentator_id
        award.commentator = judge
        award.signed_as = signed_as
        award.citation_status = CitationStatus.ASSIGNED
        award.save(update_fields=["commentator", "signed_as", "citation_status", "updated_at"])
        audit_log(
            code="judging.award.commentator_assigned",
            obj=award,
            by=by,
            data={"judge": judge.pk, "previous": previous, "signed_as": signed_as},
        )
        notify = bool(judge.user_id and judge.user.email and judge.user.is_active)
        if notify:
            transaction.on_commit(lambda: _notify_commentator(award, judge))
    return notify


def commentary_save(*, award, text, by, submit=False):
    """The assigned expert saves a draft of the citation, or submits it for approval."""
    text = (text or "").strip()
    _check_text(text)
    with transaction.atomic():
        award = _locked(award)
        judge = award.commentator
        if judge is None or judge.user_id is None or judge.user_id != getattr(by, "pk", None):
            raise DomainError(_("只有受邀的点评专家可以撰写本条点评。"))
        if award.citation_status not in EXPERT_EDITABLE:
            raise DomainError(_("本条点评已审定,不能再修改。"))
        if submit and not text:
            raise DomainError(_("请先填写点评内容再提交。"))
        award.citation = text
        fields = ["citation", "updated_at"]
        if submit:
            award.citation_status = CitationStatus.DRAFTED
            fields.append("citation_status")
        award.save(update_fields=fields)
        audit_log(
            code="judging.award.citation_submitted" if submit else "judging.award.citation_saved",
            obj=award,
            by=by,
            data={"chars": len(text)},
        )
    return award


def commentary_edit(*, award, text, by, signed_as=None):
    """The organiser edits the citation text (and the collective signature) in the admin."""
    text = (text or "").strip()
    _check_text(text)
    with transaction.atomic():
        award = _locked(award)
        fields = ["citation", "updated_at"]
        award.citation = text
        if signed_as is not None:
            award.signed_as = signed_as.strip()
            fields.append("signed_as")
        if award.citation_status == CitationStatus.APPROVED and not text:
            raise DomainError(_("已审定的点评不能清空;如不设点评,请先撤销点评安排。"))
        award.save(update_fields=fields)
        audit_log(
            code="judging.award.citation_edited",
            obj=award,
            by=by,
            data={"chars": len(text), "status": award.citation_status},
        )
        _bump_if_public(award.edition)
    return award


def commentary_approve(*, award, by):
    """The organiser approves the citation: it will be published with its signature."""
    with transaction.atomic():
        award = _locked(award)
        if award.citation_status == CitationStatus.APPROVED:
            return award
        if not award.citation.strip():
            raise DomainError(_("“%(case)s”还没有点评内容,不能审定。") % {"case": award.case.title})
        if award.commentator_id is None and not award.signed_as:
            raise DomainError(
                _("“%(case)s”的点评没有署名(点评专家或集体署名)。") % {"case": award.case.title}
            )
        previous = award.citation_status
        award.citation_status = CitationStatus.APPROVED
        award.save(update_fields=["citation_status", "updated_at"])
        audit_log(
            code="judging.award.citation_approved",
            obj=award,
            by=by,
            data={"from": previous, "chars": len(award.citation)},
        )
        _bump_if_public(award.edition)
    return award


def commentary_withdraw(*, award, by):
    """Cancel the citation arrangement: the award will be published without commentary."""
    with transaction.atomic():
        award = _locked(award)
        previous = award.citation_status
        award.citation_status = CitationStatus.NONE
        award.commentator = None
        award.signed_as = ""
        award.citation = ""
        award.save(
            update_fields=["citation_status", "commentator", "signed_as", "citation", "updated_at"]
        )
        audit_log(
            code="judging.award.citation_withdrawn", obj=award, by=by, data={"from": previous}
        )
        _bump_if_public(award.edition)
    return award


def edition_commentary_save(*, edition, text, signed_as, approved, by):
    """Create or change the committee's commentary on an edition (评委会点评)."""
    text, signed_as = (text or "").strip(), (signed_as or "").strip()
    if not text or not signed_as:
        raise DomainError(_("评委会点评须有内容和署名。"))
    with transaction.atomic():
        commentary = EditionCommentary.objects.select_for_update().filter(
            edition=edition
        ).first() or EditionCommentary(edition=edition)
        was_approved = commentary.approved
        commentary.text = text
        commentary.signed_as = signed_as
        commentary.approved = approved
        if approved and not was_approved:
            commentary.approved_by = by
            commentary.approved_at = timezone.now()
        if not approved:
            commentary.approved_by = None
            commentary.approved_at = None
        commentary.save()
        audit_log(
            code=(
                "judging.edition_commentary.approved"
                if approved and not was_approved
                else "judging.edition_commentary.saved"
            ),
            obj=commentary,
            by=by,
            data={"edition": edition.pk, "approved": approved, "chars": len(text)},
        )
        _bump_if_public(edition)
    return commentary


def edition_commentary_delete(*, commentary, by):
    """Remove the committee's commentary on an edition; kept in the audit row."""
    with transaction.atomic():
        edition = commentary.edition
        audit_log(
            code="judging.edition_commentary.deleted",
            obj=commentary,
            by=by,
            data={
                "edition": edition.pk,
                "text": commentary.text,
                "signed_as": commentary.signed_as,
                "approved": commentary.approved,
            },
        )
        commentary.delete()
        _bump_if_public(edition)
