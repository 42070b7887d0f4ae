"""Back office of the awards workflow: awards and their citations, objections, the committee's
commentary, and the edition-level steps (propose & confirm tiers, 公示, publish with an
embargo time, certificates) as admin views reached from the award list.

Every write goes through `judging.services`; the admin only collects input and shows errors.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin import EditionListFilter
from cases.audit.events import audit_model_export
from cases.models import Edition, EditionStatus
from cases.services import DomainError

from ..certificates import certificate_awards, certificates_zip
from ..forms.awards import (
    AssignCommentatorForm,
    AwardAmendForm,
    ProposalForm,
    PublicityChangeForm,
    PublicityStartForm,
    PublishForm,
)
from ..forms.objections import ObjectionHandleForm
from ..models import (
    Award,
    CitationStatus,
    EditionCommentary,
    Objection,
    ObjectionStatus,
    VoteMode,
)
from ..selectors.vote_tally import plenary_round, plenary_tally
from ..services.awards import (
    award_amend,
    awards_confirm,
    awards_proposal_blockers,
    awards_propose,
    proposal_inputs,
)
from ..services.commentary import (
    CITATION_MAX_CHARS,
    commentary_approve,
    commentary_assign,
    commentary_edit,
    commentary_withdraw,
    edition_commentary_delete,
    edition_commentary_save,
)
from ..services.publication import (
    publication_blockers,
    publication_counts,
    publish_results,
    uncited_awards,
)
from ..services.publicity import (
    local_time_label,
    objection_handle,
    publicity_change_period,
    publicity_start,
    publicity_start_blockers,
)
from .archive import AwardArchiveAdmin
from .navigation import next_url

WORKFLOW_STATES = [EditionStatus.DECIDING, EditionStatus.PUBLICITY, EditionStatus.PUBLISHED]


class AwardCitationForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["citation", "signed_as"]

    def clean_citation(self):
        text = (self.cleaned_data.get("citation") or "").strip()
        if len(text) > CITATION_MAX_CHARS:
            raise forms.ValidationError(
                _("点评不能超过%(limit)s字(现有%(count)s字)。")
                % {"limit": CITATION_MAX_CHARS, "count": len(text)}
            )
        if not text and self.instance.citation_status == CitationStatus.APPROVED:
            raise forms.ValidationError(_("已审定的点评不能清空;如不设点评,请先撤销点评安排。"))
        return text


@admin.register(Award)
class AwardAdmin(AwardArchiveAdmin):
    """The list, import and export of archive.py, plus the decision workflow: an award is
    created by a confirmed proposal (or the archive import), its citation is edited here, and
    its tier is changed only through “调整奖项” with a reason."""

    form = AwardCitationForm
    import_export_change_list_template = "admin/judging/award/change_list.html"
    ordering = ["edition", "tier__order", "category__order", "order", "pk"]
    raw_id_fields = ()
    readonly_fields = [
        "edition",
        "case",
        "category",
        "tier",
        "order",
        "decision_reason",
        "citation_status",
        "commentator",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["edition", "case", "category", "tier", "order", "decision_reason"]}),
        (
            gettext_lazy("点评"),
            {"fields": ["citation_status", "commentator", "citation", "signed_as"]},
        ),
        (gettext_lazy("记录"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = [
        "assign_commentator_action",
        "approve_citations_action",
        "withdraw_citations_action",
        "download_certificates_action",
    ]

    def has_add_permission(self, request):
        # Awards come from a confirmed proposal (or the archive import), never typed in.
        return False

    def has_import_permission(self, request):
        # The archive import creates awards: the model permissions, not the add form's.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and (
            request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def has_delete_permission(self, request, obj=None):
        # Removing an award is an amendment with a reason (`award_amend`), not a delete.
        return False

    def save_model(self, request, obj, form, change):
        if {"citation", "signed_as"} & set(form.changed_data):
            commentary_edit(
                award=obj,
                text=form.cleaned_data["citation"],
                signed_as=form.cleaned_data["signed_as"],
                by=request.user,
            )

    # --- actions on selected awards -----------------------------------------------------
    @admin.action(description=gettext_lazy("指定点评专家"), permissions=["change"])
    def assign_commentator_action(self, request, queryset):
        queryset = queryset.select_related("case", "tier")
        editions = {award.edition_id for award in queryset}
        if "apply" in request.POST:
            form = AssignCommentatorForm(request.POST, editions=editions)
            if form.is_valid():
                sent = failed = 0
                for award in queryset:
                    try:
                        notified = commentary_assign(
                            award=award,
                            judge=form.cleaned_data["judge"],
                            signed_as=form.cleaned_data["signed_as"],
                            by=request.user,
                        )
                    except DomainError as error:
                        failed += 1
                        self.message_user(request, str(error), messages.ERROR)
                        continue
                    sent += 1
                    if not notified:
                        self.message_user(
                            request,
                            _("%(judge)s没有平台账号,未发送邮件;请代为录入点评。")
                            % {"judge": form.cleaned_data["judge"].name},
                            messages.WARNING,
                        )
                if sent:
                    self.message_user(
                        request,
                        _("已为%(count)s个获奖案例指定点评专家。") % {"count": sent},
                        messages.SUCCESS,
                    )
                return None
        else:
            form = AssignCommentatorForm(editions=editions)
        return TemplateResponse(
            request,
            "admin/judging/award/assign_commentator.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("指定点评专家"),
                "form": form,
                "awards": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=gettext_lazy("审定点评"), permissions=["change"])
    def approve_citations_action(self, request, queryset):
        approved = 0
        for award in queryset.select_related("case"):
            try:
                commentary_approve(award=award, by=request.user)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            approved += 1
        if approved:
            self.message_user(
                request, _("已审定%(count)s条点评。") % {"count": approved}, messages.SUCCESS
            )

    @admin.action(description=gettext_lazy("撤销点评安排(不设点评)"), permissions=["change"])
    def withdraw_citations_action(self, request, queryset):
        for award in queryset:
            commentary_withdraw(award=award, by=request.user)
        self.message_user(
            request,
            _("已撤销%(count)s条点评安排。") % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("下载获奖证书(zip)"), permissions=["view"])
    def download_certificates_action(self, request, queryset):
        awards = list(certificate_awards().filter(pk__in=queryset.values("pk")))
        return self._zip_response(request, awards, _("获奖证书.zip"))

    @staticmethod
    def _zip_response(request, awards, filename, edition=None):
        response = HttpResponse(
            certificates_zip(awards),
            content_type="application/zip",
            headers={
                "Content-Disposition": content_disposition_header(
                    as_attachment=True, filename=filename
                )
            },
        )
        audit_model_export(
            model=Award,
            request=request,
            file_format="zip",
            rows=len(awards),
            filename=filename,
            awards=[award.pk for award in awards],
            code="judging.certificates.exported",
            edition=edition,
        )
        return response

    # --- edition-level workflow views ----------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("workflow/", wrap(self.workflow_view), name="judging_award_workflow"),
            path(
                "workflow/<int:edition_id>/propose/",
                wrap(self.propose_view),
                name="judging_award_propose",
            ),
            path(
                "workflow/<int:edition_id>/publicity/",
                wrap(self.publicity_view),
                name="judging_award_publicity",
            ),
            path(
                "workflow/<int:edition_id>/publicity/period/",
                wrap(self.publicity_change_view),
                name="judging_award_publicity_change",
            ),
            path(
                "workflow/<int:edition_id>/publish/",
                wrap(self.publish_view),
                name="judging_award_publish",
            ),
            path(
                "workflow/<int:edition_id>/certificates/",
                wrap(self.certificates_view),
                name="judging_award_certificates",
            ),
            path("<int:award_id>/amend/", wrap(self.amend_view), name="judging_award_amend"),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def _require_change(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied

    def _edition(self, edition_id, states=None):
        editions = Edition.objects.select_related("programme")
        if states:
            editions = editions.filter(status__in=states)
        return get_object_or_404(editions, pk=edition_id)

    def workflow_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        editions = (
            Edition.objects.filter(status__in=WORKFLOW_STATES)
            .select_related("programme")
            .annotate(
                award_count=Count("awards", distinct=True),
                approved_count=Count(
                    "awards",
                    filter=Q(awards__citation_status=CitationStatus.APPROVED),
                    distinct=True,
                ),
                open_objections=Count(
                    "awards__objections",
                    filter=Q(awards__objections__status=ObjectionStatus.RECEIVED),
                    distinct=True,
                ),
            )
            .order_by("programme__order", "-year", "-pk")
        )
        editions = list(editions)
        inputs = proposal_inputs(editions)
        counts = publication_counts(editions)
        for edition in editions:
            # What each step still needs, from the services' own checks: a step's link is
            # offered only when nothing blocks it, otherwise its reasons are shown.
            edition.proposal_blockers = edition.publicity_blockers = edition.publish_blockers = []
            if edition.status == EditionStatus.DECIDING:
                edition.proposal_blockers = awards_proposal_blockers(
                    edition, inputs=inputs[edition.pk]
                )
                edition.publicity_blockers = publicity_start_blockers(
                    edition, award_count=edition.award_count
                )
            if edition.status in {EditionStatus.DECIDING, EditionStatus.PUBLICITY}:
                edition.publish_blockers = publication_blockers(
                    edition, allow_uncited=True, counts=counts[edition.pk]
                )
        return TemplateResponse(
            request,
            "admin/judging/award/workflow.html",
            self._context(request, _("评定与发布"), editions=editions),
        )

    def propose_view(self, request, edition_id):
        self._require_change(request)
        edition = self._edition(edition_id, [EditionStatus.DECIDING])
        workflow = next_url(request) or reverse("admin:judging_award_workflow")
        # The plenary's confirmed count, when the edition has one; without it the proposal
        # refuses an edition that has a vote round, with the reason.
        plenary = plenary_round(edition)
        tally = plenary_tally(edition, plenary=plenary)
        try:
            base = awards_propose(edition=edition, tally=tally)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(workflow)
        preview = base
        if request.method == "POST":
            form = ProposalForm(request.POST, proposal=base)
            if form.is_valid():
                if form.cleaned_data["fingerprint"] != base.input_fingerprint:
                    form.add_error(None, _("预览之后排名或投票结果已发生变化,请重新检查方案。"))
                else:
                    overrides = form.overrides()
                    try:
                        preview = awards_propose(edition=edition, tally=tally, overrides=overrides)
                        if "_confirm" in request.POST:
                            awards_confirm(
                                edition=edition,
                                proposal=base,
                                overrides=overrides,
                                by=request.user,
                                quota_reason=form.cleaned_data["quota_reason"],
                            )
                            self.message_user(
                                request,
                                _("“%(edition)s”的获奖名单已确定,共%(count)s项。")
                                % {"edition": edition, "count": len(preview.placements)},
                                messages.SUCCESS,
                            )
                            changelist = reverse("admin:judging_award_changelist")
                            return redirect(
                                next_url(request) or f"{changelist}?edition__id__exact={edition.pk}"
                            )
                    except DomainError as error:
                        form.add_error(None, str(error))
        else:
            form = ProposalForm(initial={"fingerprint": base.input_fingerprint}, proposal=base)

        def vote(case_id):
            if tally is None:
                return None
            if case_id not in tally:
                return _("未达到通过门槛")
            return tally[case_id].name if plenary.vote_mode == VoteMode.TIER else _("入选")

        groups = [
            {
                "group": group,
                "rows": [
                    (p, *form.row_fields(p.case.pk), vote(p.case.pk)) for p in group.placements
                ],
            }
            for group in preview.groups
        ]
        not_awarded = [
            (c, *form.row_fields(c.case.pk), vote(c.case.pk)) for c in preview.not_awarded
        ]
        return TemplateResponse(
            request,
            "admin/judging/award/propose.html",
            self._context(
                request,
                _("奖项方案:%(edition)s") % {"edition": edition},
                edition=edition,
                proposal=preview,
                groups=groups,
                not_awarded=not_awarded,
                plenary=plenary if tally is not None else None,
                form=form,
                existing=Award.objects.filter(edition=edition).count(),
            ),
        )

    def publicity_view(self, request, edition_id):
        self._require_change(request)
        edition = self._edition(edition_id, [EditionStatus.DECIDING])
        form = PublicityStartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                started = publicity_start(
                    edition=edition,
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.cleaned_data["ends_at"],
                    by=request.user,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                # The period as stored, read back from the saved edition (Asia/Shanghai).
                self.message_user(
                    request,
                    _("“%(edition)s”已开始公示:%(start)s 至 %(end)s。")
                    % {
                        "edition": started,
                        "start": local_time_label(started.publicity_starts_at),
                        "end": local_time_label(started.publicity_ends_at),
                    },
                    messages.SUCCESS,
                )
                return redirect(next_url(request) or reverse("admin:judging_award_workflow"))
        return TemplateResponse(
            request,
            "admin/judging/award/publicity.html",
            self._context(
                request,
                _("开始公示:%(edition)s") % {"edition": edition},
                edition=edition,
                form=form,
                award_count=Award.objects.filter(edition=edition).count(),
            ),
        )

    def publicity_change_view(self, request, edition_id):
        self._require_change(request)
        edition = self._edition(edition_id, [EditionStatus.PUBLICITY])
        form = PublicityChangeForm(
            request.POST or None,
            initial={"ends_at": timezone.localtime(edition.publicity_ends_at).replace(tzinfo=None)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                changed = publicity_change_period(
                    edition=edition,
                    ends_at=form.cleaned_data["ends_at"],
                    end_now=form.cleaned_data["end_now"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("“%(edition)s”的公示期已调整为:%(start)s 至 %(end)s。")
                    % {
                        "edition": changed,
                        "start": local_time_label(changed.publicity_starts_at),
                        "end": local_time_label(changed.publicity_ends_at),
                    },
                    messages.SUCCESS,
                )
                return redirect(next_url(request) or reverse("admin:judging_award_workflow"))
        return TemplateResponse(
            request,
            "admin/judging/award/publicity_change.html",
            self._context(
                request,
                _("调整公示期:%(edition)s") % {"edition": edition},
                edition=edition,
                form=form,
            ),
        )

    def publish_view(self, request, edition_id):
        self._require_change(request)
        edition = self._edition(edition_id, [EditionStatus.DECIDING, EditionStatus.PUBLICITY])
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = PublishForm(request.POST or None, initial={"at": now})
        if request.method == "POST" and form.is_valid():
            try:
                publish_results(
                    edition=edition,
                    at=form.cleaned_data["at"],
                    allow_uncited=form.cleaned_data["allow_uncited"],
                    by=request.user,
                )
            except DomainError as error:
                # A blocker is listed once, in the list below; only another refusal (such as
                # a time without a zone) goes beside the form.
                allow = form.cleaned_data["allow_uncited"]
                if not publication_blockers(edition, allow_uncited=allow):
                    form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("“%(edition)s”的结果已发布,将于%(at)s对公众可见。")
                    % {"edition": edition, "at": local_time_label(form.cleaned_data["at"])},
                    messages.SUCCESS,
                )
                return redirect(next_url(request) or reverse("admin:judging_award_workflow"))
        # Before a try the uncited awards are listed on their own, not as a blocker.
        allow_uncited = not form.is_bound or bool(
            form.is_valid() and form.cleaned_data["allow_uncited"]
        )
        return TemplateResponse(
            request,
            "admin/judging/award/publish.html",
            self._context(
                request,
                _("发布结果:%(edition)s") % {"edition": edition},
                edition=edition,
                form=form,
                blockers=publication_blockers(edition, allow_uncited=allow_uncited),
                uncited=uncited_awards(edition).select_related("case"),
            ),
        )

    def certificates_view(self, request, edition_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        edition = self._edition(edition_id)
        awards = (
            certificate_awards()
            .filter(edition=edition)
            .order_by("tier__order", "category__order", "order", "pk")
        )
        return self._zip_response(
            request,
            list(awards),
            _("获奖证书-%(slug)s.zip") % {"slug": edition.slug},
            edition=edition,
        )

    def amend_view(self, request, award_id):
        self._require_change(request)
        award = get_object_or_404(
            Award.objects.select_related("edition__programme", "case", "tier"), pk=award_id
        )
        form = AwardAmendForm(request.POST or None, award=award)
        if request.method == "POST" and form.is_valid():
            revoke = form.cleaned_data["revoke"]
            try:
                award_amend(
                    award=award,
                    tier=form.cleaned_data["tier"],
                    revoke=revoke,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("奖项已调整。"), messages.SUCCESS)
                if revoke:
                    return redirect("admin:judging_award_changelist")
                return redirect("admin:judging_award_change", award.pk)
        return TemplateResponse(
            request,
            "admin/judging/award/amend.html",
            self._context(
                request,
                _("调整奖项:%(case)s") % {"case": award.case.title},
                award=award,
                original=award,
                form=form,
            ),
        )


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    form = ObjectionHandleForm
    list_display = [
        "case_title",
        "edition",
        "name",
        "unit_name",
        "phone",
        "status",
        "created_at",
        "handled_at",
    ]
    list_filter = ["status", ("award__edition", EditionListFilter)]
    list_select_related = ["award__case", "award__edition__programme", "award__tier"]
    search_fields = ["name", "unit_name", "award__case__title"]
    readonly_fields = [
        "award",
        "name",
        "unit_name",
        "phone",
        "email",
        "reason",
        "created_at",
        "handled_by",
        "handled_at",
    ]
    fieldsets = [
        (
            gettext_lazy("异议"),
            {"fields": ["award", "name", "unit_name", "phone", "email", "reason", "created_at"]},
        ),
        (
            gettext_lazy("处理"),
            {"fields": ["status", "handling", "handled_by", "handled_at"]},
        ),
    ]

    @admin.display(description=gettext_lazy("获奖案例"), ordering="award__case__title")
    def case_title(self, objection):
        return objection.award.case.title

    @admin.display(description=gettext_lazy("届"))
    def edition(self, objection):
        return objection.award.edition

    def get_queryset(self, request):
        # The change list adds `list_select_related` only when nothing is selected yet.
        return (
            super()
            .get_queryset(request)
            .select_related("award__case", "award__tier", "award__edition__programme")
        )

    def has_add_permission(self, request):
        # Objections come from the public form, signed by the objector.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        objection_handle(
            objection=obj,
            status=form.cleaned_data["status"],
            handling=form.cleaned_data["handling"],
            by=request.user,
        )


class EditionCommentaryForm(forms.ModelForm):
    class Meta:
        model = EditionCommentary
        fields = ["edition", "text", "signed_as", "approved"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "edition" in self.fields:
            self.fields["edition"].queryset = Edition.objects.select_related("programme")


@admin.register(EditionCommentary)
class EditionCommentaryAdmin(admin.ModelAdmin):
    form = EditionCommentaryForm
    list_display = ["edition", "signed_as", "approved", "updated_at"]
    list_select_related = ["edition__programme"]
    list_filter = ["approved"]
    readonly_fields = ["approved_by", "approved_at"]
    fields = ["edition", "text", "signed_as", "approved", "approved_by", "approved_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "edition"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = edition_commentary_save(
            edition=obj.edition,
            text=form.cleaned_data["text"],
            signed_as=form.cleaned_data["signed_as"],
            approved=form.cleaned_data["approved"],
            by=request.user,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        edition_commentary_delete(commentary=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for commentary in queryset.select_related("edition"):
            edition_commentary_delete(commentary=commentary, by=request.user)
