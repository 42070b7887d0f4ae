"""The judges' workspace (not the admin): my rounds, my queue, the case page with its score
or verification form, downloads, recusal, the plenary ballot and its tally, and the panel
chair's overview.

Every view resolves what it shows through `judging.permissions`; a case, round or file the
user may not see is a 404, exactly like one that does not exist.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from cases.audit.events import audit_download
from cases.models import Case
from cases.services import DomainError

from .. import permissions
from ..forms.workspace import (
    ACTION_SUBMIT,
    QueueFilter,
    RecusalForm,
    ReviewForm,
    VerificationForm,
    VoteForm,
)
from ..models import ReviewStatus, Round, RoundKind, VerificationEvidence
from ..selectors import votes as vote_selectors
from ..selectors import workspace as selectors
from ..selectors.vote_tally import vote_count
from ..selectors.workspace import LEAD_UNITS
from ..services.recusal import recusal_create
from ..services.reviews import InvalidInput, StaleVersion, review_save
from ..services.verification import evidence_delete, verification_save
from ..services.votes import vote_cast


class MyRoundsView(LoginRequiredMixin, TemplateView):
    template_name = "judging/round_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rounds=selectors.my_rounds(self.request.user),
            judge=permissions.judge_of(self.request.user),
            **kwargs,
        )


class RoundMixin(LoginRequiredMixin):
    """Resolves `round_pk` to a round the user may open in the workspace, or 404."""

    @cached_property
    def round(self):
        round_ = selectors.visible_round(self.request.user, self.kwargs["round_pk"])
        if round_ is None:
            raise Http404
        return round_

    @cached_property
    def show_units(self):
        return permissions.can_see_unit_identity(self.request.user, self.round)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            round=self.round,
            show_units=self.show_units,
            accepts_input=permissions.round_accepts_input(self.round),
            **kwargs,
        )


class QueueView(RoundMixin, TemplateView):
    template_name = "judging/assignment_list.html"

    def get(self, request, *args, **kwargs):
        if self.round.kind == RoundKind.VOTE:
            return HttpResponseRedirect(reverse("judging:vote-list", args=[self.round.pk]))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        queue_filter = QueueFilter(
            self.request.GET or None, queryset=selectors.queue(user, self.round), round=self.round
        )
        rows = selectors.queue_rows(queue_filter.qs, with_units=self.show_units)
        return super().get_context_data(
            filter=queue_filter,
            assignments=rows,
            # Links to the case pages (`judging:case-detail`) sit under the round's page:
            # one reverse() for the table instead of one per row.
            case_url_prefix=f"{reverse('judging:round-detail', args=[self.round.pk])}cases/",
            # Unfiltered, the table holds every assignment the progress counts.
            progress=(
                selectors.progress(
                    permissions.assignments_visible_to(user).filter(round=self.round)
                )
                if queue_filter.is_bound
                else selectors.progress_of_rows(rows)
            ),
            is_chair=permissions.is_chair_in_edition(user, self.round.edition),
            **kwargs,
        )


class CaseMixin(RoundMixin):
    """Resolves `case_pk` to a case the user may open in the round: through their own
    assignment, or as the chair of the panel. Anything else is 404."""

    @cached_property
    def assignment(self):
        """The user's own assignment, read with its round, case and review in one query."""
        return permissions.assignment_with_case(
            self.request.user, self.kwargs["round_pk"], self.kwargs["case_pk"]
        )

    @cached_property
    def round(self):
        if self.assignment is not None:
            return self.assignment.round
        return super().round  # a panel chair without an assignment

    @cached_property
    def is_chair(self):
        return permissions.can_view_case_as_chair(
            self.request.user, self.round, Case(pk=self.kwargs["case_pk"])
        )

    @cached_property
    def case(self):
        if self.assignment is not None:
            case = self.assignment.case
            selectors.load_materials(case)
            return case
        if not self.is_chair:
            raise Http404
        return selectors.case_with_materials(self.kwargs["case_pk"])

    @cached_property
    def attachments(self):
        return selectors.label_attachments(self.case.attachments.all(), blind=not self.show_units)


class CaseView(CaseMixin, TemplateView):
    """The case's materials and, for the assigned judge, the score or verification form."""

    template_name = "judging/case_detail.html"

    @cached_property
    def editable(self):
        return self.assignment is not None and permissions.round_accepts_input(self.round)

    @cached_property
    def review(self):
        if self.round.kind == RoundKind.SCORING:
            return selectors.review_with_scores(self.assignment)
        return None

    @cached_property
    def verification(self):
        if self.round.kind == RoundKind.VERIFICATION:
            return selectors.verification_of(self.assignment)
        return None

    @cached_property
    def criteria(self):
        return list(self.round.criteria.all())

    def build_form(self, data=None, files=None, initial=None):
        if self.assignment is None or self.round.kind == RoundKind.VOTE:
            return None
        readonly = not self.editable
        # A posted form is only ever built while the round takes input (nothing disabled),
        # so it shows what was posted and needs no initial values: the stored review is not
        # read for it.
        bound = data is not None
        if self.round.kind == RoundKind.VERIFICATION:
            return VerificationForm(
                data,
                files,
                initial=initial
                or ({} if bound else VerificationForm.initial_for(self.verification)),
                round=self.round,
                readonly=readonly,
            )
        return ReviewForm(
            data,
            initial=initial or ({} if bound else ReviewForm.initial_for(self.review)),
            criteria=self.criteria,
            round=self.round,
            readonly=readonly,
        )

    def get(self, request, *args, **kwargs):
        self.case  # noqa: B018 - resolve permission (404) before anything else
        return self.render_to_response(self.get_context_data(form=self.build_form()))

    def post(self, request, *args, **kwargs):
        # Only the assigned judge posts (a chair without an assignment gets the same 404 as
        # anybody else); the case's materials are loaded only if the page is shown again.
        if self.assignment is None or self.round.kind == RoundKind.VOTE:
            raise Http404
        if not self.editable:
            messages.error(request, _("本轮评审已结束,评分不能再修改。"))
            return HttpResponseRedirect(request.path)
        form = self.build_form(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("请修改标出的内容后再保存。"))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            saved = self.save(form)
        except StaleVersion as stale:
            messages.error(request, str(stale))
            fresh = self.build_form(initial=self.initial_from(stale.current))
            return self.render_to_response(
                self.get_context_data(form=fresh, stale_form=form), status=409
            )
        except InvalidInput as error:
            form.add_service_errors(error.errors)
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        except DomainError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if saved.status == ReviewStatus.SUBMITTED:
            messages.success(request, _("已提交。截止前您仍可修改并再次提交。"))
        else:
            messages.success(request, _("草稿已保存。"))
        return HttpResponseRedirect(request.path)

    def initial_from(self, current):
        if self.round.kind == RoundKind.VERIFICATION:
            return VerificationForm.initial_for(current)
        return ReviewForm.initial_for(current)

    def save(self, form):
        submit = form.data.get("action") == ACTION_SUBMIT
        data = form.cleaned_data
        if self.round.kind == RoundKind.VERIFICATION:
            return verification_save(
                assignment=self.assignment,
                verified=data["verified"],
                notes=data["notes"],
                visited_on=data["visited_on"],
                evidence_files=data["evidence"],
                submit=submit,
                expected_version=data["version"],
                by=self.request.user,
            )
        return review_save(
            assignment=self.assignment,
            values=form.values(),
            comment=data["comment"],
            submit=submit,
            expected_version=data["version"],
            by=self.request.user,
            criteria=self.criteria,
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        others = []
        if self.round.kind == RoundKind.SCORING and permissions.can_see_others_reviews(
            user, self.round, self.case, is_chair=self.is_chair
        ):
            judge_id = self.assignment.judge_id if self.assignment else None
            others = list(
                selectors.submitted_reviews(self.round, self.case, exclude_judge_id=judge_id)
            )
        verifications = []
        if self.round.kind == RoundKind.VERIFICATION and self.is_chair:
            verifications = [
                v
                for v in selectors.submitted_verifications(self.round, self.case)
                if self.assignment is None or v.assignment_id != self.assignment.pk
            ]
        return super().get_context_data(
            case=self.case,
            assignment=self.assignment,
            other_verifications=verifications,
            is_chair=self.is_chair,
            attachments=self.attachments,
            review=self.review,
            verification=self.verification,
            editable=self.editable,
            other_reviews=others,
            criteria=self.criteria,
            **kwargs,
        )


class AttachmentDownloadView(CaseMixin, View):
    """A case file, through the same permission as the case page. In blind rounds the file
    goes out under a neutral name (申报书.pdf, 佐证材料-2.pdf)."""

    def get(self, request, *args, **kwargs):
        attachment = next(
            (a for a in self.attachments if a.pk == self.kwargs["attachment_pk"]), None
        )
        if attachment is None:
            raise Http404
        response = private_file_response(attachment.file, attachment.display_name, attachment)
        audit_download(
            code="judging.attachment.downloaded",
            obj=attachment,
            request=request,
            filename=attachment.display_name,
            case=attachment.case_id,
            round=self.round.pk,
            size=attachment.size,
            sha256=attachment.sha256,
            via="judging",
        )
        return response


def private_file_response(file, filename, item):
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=item.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


class RecusalView(CaseMixin, TemplateView):
    template_name = "judging/recusal_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.assignment is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=RecusalForm()))

    def post(self, request, *args, **kwargs):
        form = RecusalForm(request.POST)
        if form.is_valid():
            try:
                recusal_create(
                    assignment=self.assignment, reason=form.cleaned_data["reason"], by=request.user
                )
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("已登记回避,该案例已从您的评审任务中移除。"))
                remaining = permissions.assignments_visible_to(request.user).filter(
                    round=self.round
                )
                if remaining.exists():
                    return HttpResponseRedirect(
                        reverse("judging:round-detail", args=[self.round.pk])
                    )
                return HttpResponseRedirect(reverse("judging:round-list"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)


class EvidenceMixin(LoginRequiredMixin):
    @cached_property
    def evidence(self):
        evidence = get_object_or_404(
            VerificationEvidence.objects.select_related(
                "verification__assignment__round__edition", "verification__assignment__case"
            ),
            pk=self.kwargs["pk"],
        )
        assignment = evidence.verification.assignment
        self.own = (
            permissions.assignments_visible_to(self.request.user).filter(pk=assignment.pk).exists()
        )
        if not self.own and not permissions.can_view_case_as_chair(
            self.request.user, assignment.round, assignment.case
        ):
            raise Http404
        return evidence


class EvidenceDownloadView(EvidenceMixin, View):
    """Verification evidence: the judge who uploaded it and the panel's chair. Others see
    it under a neutral name in blind rounds (a photo's name may name the unit)."""

    def get(self, request, *args, **kwargs):
        evidence = self.evidence
        round_ = evidence.verification.assignment.round
        name = evidence.original_name
        if not self.own and not permissions.can_see_unit_identity(request.user, round_):
            name = selectors.neutral_name(
                _("核实佐证"), evidence, number=selectors.evidence_number(evidence)
            )
        response = private_file_response(evidence.file, name, evidence)
        audit_download(
            code="judging.evidence.downloaded",
            obj=evidence,
            request=request,
            filename=name,
            case=evidence.verification.assignment.case_id,
            round=round_.pk,
            sha256=evidence.sha256,
        )
        return response


class EvidenceDeleteView(EvidenceMixin, View):
    def post(self, request, *args, **kwargs):
        evidence = self.evidence
        assignment = evidence.verification.assignment
        if not self.own:
            raise Http404
        try:
            evidence_delete(evidence=evidence, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已删除佐证文件“%(name)s”。") % {"name": evidence})
        return HttpResponseRedirect(
            reverse("judging:case-detail", args=[assignment.round_id, assignment.case_id])
        )


class VoteView(RoundMixin, TemplateView):
    """The member's ballot: each case of the plenary with its scores so far and a vote."""

    template_name = "judging/vote_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.round.kind != RoundKind.VOTE:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def tiers(self):
        return list(self.round.edition.tiers.all())

    def make_form(self, assignment, data=None):
        vote = assignment.my_vote
        initial = {"case": assignment.case_id}
        if vote:
            initial["choice"] = f"tier:{vote.tier_id}" if vote.tier_id else vote.choice
        return VoteForm(
            data,
            initial=initial,
            round=self.round,
            tiers=self.tiers,
            case_label=assignment.case.reference or assignment.case.title,
            auto_id=f"id_vote_{assignment.case_id}_%s",
        )

    def get_context_data(self, bound=None, **kwargs):
        rows = vote_selectors.ballot(self.request.user, self.round)
        for row in rows:
            row.form = bound if bound and bound.data.get("case") == str(row.case_id) else None
            row.form = row.form or self.make_form(row)
        mine = permissions.assignments_visible_to(self.request.user).filter(round=self.round)
        return super().get_context_data(
            rows=rows,
            progress=selectors.progress(mine),
            previous_round=vote_selectors.previous_scoring_round(self.round),
            can_see_tally=permissions.can_see_tally(self.request.user, self.round),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        case_pk = request.POST.get("case", "")
        assignment = (
            permissions.assignment_for(request.user, self.round, int(case_pk))
            if case_pk.isdigit()
            else None
        )
        if assignment is None:
            raise Http404
        assignment.my_vote = None
        form = self.make_form(assignment, request.POST)
        if form.is_valid():
            choice, tier = form.choice_and_tier()
            try:
                vote_cast(assignment=assignment, choice=choice, tier=tier, by=request.user)
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("已记录您对“%(case)s”的投票。") % {"case": assignment.case.title}
                )
                return HttpResponseRedirect(request.path + f"#case-{assignment.case_id}")
        else:
            messages.error(request, _("请选择投票选项。"))
        return self.render_to_response(self.get_context_data(bound=form), status=400)


class TallyView(LoginRequiredMixin, TemplateView):
    """The official vote count (`selectors.vote_tally.vote_count`, the same count the
    organiser confirms on the advancement page): organisers see every case; a chair the
    panel's cases. Units are hidden from chairs in blind rounds."""

    template_name = "judging/vote_tally.html"

    @cached_property
    def round(self):
        round_ = get_object_or_404(
            Round.objects.select_related("edition__programme"),
            pk=self.kwargs["round_pk"],
            kind=RoundKind.VOTE,
        )
        if not permissions.can_see_tally(self.request.user, round_):
            raise Http404
        return round_

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Attendance and thresholds are the whole round's, so the count is always made for
        # every case; a chair then sees the rows of the panel's cases.
        count = vote_count(self.round)
        rows = count.rows
        organiser = permissions.can_see_every_tally(user)
        if not organiser:
            visible = set(
                permissions.panel_cases_visible_to(user, self.round).values_list("pk", flat=True)
            )
            rows = [row for row in rows if row.entry.case_id in visible]
        show_units = organiser or permissions.can_see_unit_identity(user, self.round)
        if show_units:
            prefetch_related_objects([row.case for row in rows], LEAD_UNITS)
        return super().get_context_data(
            round=self.round,
            count=count,
            rows=rows,
            show_units=show_units,
            **kwargs,
        )


class PanelOverviewView(RoundMixin, TemplateView):
    """The chair's view of the panel's cases in a round: who reviews what, and the
    submitted scores."""

    template_name = "judging/panel_overview.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.is_chair_in_edition(
            request.user, self.round.edition
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cases=selectors.panel_overview(self.request.user, self.round), **kwargs
        )
