"""The unit portal: my cases, the case form, receipt, withdrawal, file downloads, and the
organisers' view of a case's submitted versions. Rules live in
`cases.services.submission`; who may see what in `cases.permissions`."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import portal_selectors as selectors
from ..audit.events import audit_download
from ..forms.case import CaseForm, CaseStartForm, media_formset
from ..forms.units import UnitRequestForm
from ..models import (
    Attachment,
    CaseStatus,
    Edition,
    Unit,
    UnitMembership,
    UnitRegistryStatus,
)
from ..permissions import (
    can_download_attachment,
    can_edit_case,
    can_view_case_history,
    can_withdraw_case,
    is_organiser,
    is_unit_member,
)
from ..receipts import receipt_pdf
from ..services import DomainError, register
from ..services import submission as services
from ..uploads import MAX_IMAGES

# Fields whose errors do not keep the typed text from being saved.
FILE_FIELDS = {
    "remove_attachments",
    "application_form",
    "supporting_files",
    *(f"image_{i}" for i in range(1, MAX_IMAGES + 1)),
}


class CaseListView(LoginRequiredMixin, TemplateView):
    """My cases: the unit's cases across editions, with status, deadline and next step."""

    template_name = "cases/case_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        now = timezone.now()
        cases = list(selectors.dashboard_cases(user, at=now))
        for case in cases:
            case.shown_status = selectors.unit_visible_status(case)
            case.next_step = selectors.next_step(case, at=now)
            case.published_award = selectors.published_award(case)
            case.accepting = case.edition.is_accepting_submissions(now)
        units = list(Unit.objects.filter(memberships__user=user).order_by("name"))
        return super().get_context_data(
            cases=cases,
            units=units,
            unverified_units=[unit for unit in units if not unit.verified],
            open_editions=selectors.accepting_editions(now) if units else [],
            now=now,
            **kwargs,
        )


class CaseStartView(LoginRequiredMixin, FormView):
    template_name = "cases/case_start.html"
    form_class = CaseStartForm

    @cached_property
    def edition(self):
        edition = get_object_or_404(
            Edition.objects.select_related("programme"), pk=self.kwargs["edition_id"]
        )
        if not edition.is_accepting_submissions():
            raise Http404
        return edition

    @cached_property
    def units(self):
        return list(Unit.objects.filter(memberships__user=self.request.user).order_by("name"))

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.units:
            messages.error(
                request,
                _("您还不属于任何单位,不能申报案例。请先注册单位账号或接受同事的邀请。"),
            )
            return redirect("unit-members")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        units = Unit.objects.filter(pk__in=[unit.pk for unit in self.units])
        return {**super().get_form_kwargs(), "edition": self.edition, "units": units}

    def get_context_data(self, **kwargs):
        return super().get_context_data(edition=self.edition, **kwargs)

    def form_valid(self, form):
        try:
            case = services.case_create(
                edition=self.edition,
                unit=form.cleaned_data["owner_unit"],
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                by=self.request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("案例草稿已创建,请继续填写。可以随时保存草稿。"))
        return redirect("portal:case-update", pk=case.pk)


class CaseFormView(LoginRequiredMixin, TemplateView):
    """The whole case form. Files that pass their checks are kept on every post; text is
    saved as a draft, or submitted, as the button says."""

    template_name = "cases/case_form.html"

    @cached_property
    def case(self):
        # Only the editable states (draft, submitted, returned) reach this page, so its status
        # badge never shows a result under embargo.
        case = selectors.portal_case(self.request.user, self.kwargs["pk"], for_edit=True)
        if case is None or not can_edit_case(self.request.user, case):
            raise Http404
        return case

    def get(self, request, pk):
        if not services.case_content_editable(self.case):
            messages.info(request, _("申报已截止,已提交的案例不能再修改。"))
            return redirect("portal:case-detail", pk=pk)
        form = CaseForm(initial=CaseForm.initial_for(self.case), case=self.case)
        return self.render_form(form, media_formset(case=self.case))

    def post(self, request, pk):
        now = timezone.now()
        case = self.case
        form = CaseForm(request.POST, request.FILES, case=case)
        media = media_formset(case=case, data=request.POST)
        submit = "submit" in request.POST
        if not services.case_content_editable(case, at=now):
            messages.error(
                request,
                services.closed_message(case)
                + _("已提交的版本保持不变,本次修改未保存;页面保留了您填写的内容,供您留存。"),
            )
            return self.render_form(form, media)

        form.is_valid()
        media_ok = media.is_valid()
        text_ok = media_ok and not (set(form.errors) - FILE_FIELDS)
        self.save_files(form, at=now)
        files_ok = not (set(form.errors) & FILE_FIELDS)
        if not text_ok:
            messages.error(request, _("有内容需要修改,文字内容尚未保存;通过检查的附件已保存。"))
            return self.render_form(form, media)
        content = form.content(media.forms)

        draft = case.status in services.DRAFT_STATES
        if draft:
            services.case_save_draft(case=case, content=content, by=request.user)
        if not submit or not files_ok:
            if not draft:
                messages.error(request, _("已提交的案例请修改后点击“重新提交”,修改才会生效。"))
            elif files_ok:
                messages.success(request, _("草稿已保存(%(time)s)。") % {"time": _hm(now)})
                return redirect("portal:case-update", pk=case.pk)
            else:
                messages.error(request, _("草稿已保存,但有文件未通过检查,请重新选择。"))
            return self.render_form(form, media)

        try:
            case = services.case_submit(
                case=case, by=request.user, content=None if draft else content, at=now
            )
        except services.SubmissionIncomplete as error:
            extra = self.add_problems(form, error.problems)
            messages.error(
                request,
                str(error) + (_("您填写的内容已保存为草稿。") if draft else _("修改尚未生效。")),
            )
            return self.render_form(form, media, extra_errors=extra)
        except DomainError as error:
            messages.error(request, str(error) + (_("您填写的内容已保存为草稿。") if draft else ""))
            return self.render_form(form, media)
        messages.success(
            request,
            _("案例已提交,编号 %(reference)s。确认邮件已发送。") % {"reference": case.reference},
        )
        return redirect("portal:case-receipt", pk=case.pk)

    def save_files(self, form, *, at):
        """Apply removals, then keep every upload that passed its content check."""
        removals = form.cleaned_data.get("remove_attachments") if form.is_bound else None
        for attachment in removals or []:
            try:
                services.attachment_remove(attachment=attachment, by=self.request.user, at=at)
            except DomainError as error:
                form.add_error(None, str(error))
        for field, kind, upload, caption in form.accepted_uploads():
            try:
                services.attachment_add(
                    case=self.case,
                    upload=upload,
                    kind=kind,
                    caption=caption,
                    by=self.request.user,
                    at=at,
                )
            except DomainError as error:
                form.add_error(field, str(error))

    PROBLEM_ANCHORS = {"body": ("body-fields", gettext_lazy("正文"))}

    def add_problems(self, form, problems):
        extra = []
        for key, messages_ in problems.items():
            for message in messages_:
                if key in self.PROBLEM_ANCHORS:
                    anchor, label = self.PROBLEM_ANCHORS[key]
                    extra.append({"anchor": anchor, "label": label, "message": message})
                elif key == "__all__" or key in form.fields:
                    form.add_error(None if key == "__all__" else key, message)
                else:
                    extra.append({"message": message})
        return extra

    def render_form(self, form, media, extra_errors=()):
        case = self.case
        attachments = list(Attachment.objects.filter(case=case).order_by("kind", "pk"))
        image_count = sum(1 for a in attachments if a.kind == "image")
        return self.render_to_response(
            self.get_context_data(
                case=case,
                form=form,
                media=media,
                attachments=attachments,
                image_slots=form.image_fields()[: max(0, MAX_IMAGES - image_count)],
                extra_errors=list(extra_errors),
                body_errors=[e["message"] for e in extra_errors if e.get("anchor")],
                unit_names=selectors.known_unit_names(),
                accepting=case.edition.is_accepting_submissions(),
                deadline=services.deadline_text(case.edition),
            )
        )


def _hm(moment):
    return timezone.localtime(moment).strftime("%H:%M")


class CaseDetailView(LoginRequiredMixin, TemplateView):
    """A case as its unit (or an organiser) reads it: status, reason, content, files."""

    template_name = "cases/case_detail.html"

    @cached_property
    def case(self):
        case = selectors.portal_case(self.request.user, self.kwargs["pk"])
        if case is None:
            raise Http404
        return case

    def get_context_data(self, **kwargs):
        user, case = self.request.user, self.case
        member = is_unit_member(user, case.owner_unit_id)
        return super().get_context_data(
            case=case,
            status=selectors.unit_visible_status(case, organiser=is_organiser(user)),
            can_edit=member and can_edit_case(user, case) and services.case_content_editable(case),
            can_withdraw=member and case.status in services.WITHDRAWABLE_STATES,
            can_view_history=can_view_case_history(user, case),
            deadline=services.deadline_text(case.edition),
            **kwargs,
        )


class CaseWithdrawView(LoginRequiredMixin, TemplateView):
    template_name = "cases/case_withdraw.html"

    @cached_property
    def case(self):
        case = selectors.portal_case(self.request.user, self.kwargs["pk"], for_edit=True)
        if (
            case is None
            or not can_withdraw_case(self.request.user, case)
            or case.status not in services.WITHDRAWABLE_STATES
        ):
            raise Http404
        return case

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)

    def post(self, request, pk):
        try:
            services.case_withdraw(
                case=self.case, by=request.user, reason=request.POST.get("reason", "")[:500]
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("案例已撤回。"))
        return redirect("portal:case-detail", pk=pk)


class ReceiptMixin(LoginRequiredMixin):
    @cached_property
    def case(self):
        case = selectors.portal_case(self.request.user, self.kwargs["pk"])
        if case is None or not case.reference or not case.versions.all():
            raise Http404
        return case

    @cached_property
    def version(self):
        return list(self.case.versions.all())[-1]


class CaseReceiptView(ReceiptMixin, TemplateView):
    """The receipt of the last submission, made from the frozen version (what was sent)."""

    template_name = "cases/case_receipt.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            case=self.case,
            version=self.version,
            data=self.version.data,
            withdrawn=self.case.status == CaseStatus.WITHDRAWN,
            **kwargs,
        )


class CaseReceiptPdfView(ReceiptMixin, View):
    def get(self, request, pk):
        response = HttpResponse(
            receipt_pdf(self.case, self.version), content_type="application/pdf"
        )
        filename = f"receipt-{self.case.reference}-v{self.version.number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        audit_download(
            code="cases.receipt.downloaded",
            obj=self.case,
            request=request,
            filename=filename,
            version=self.version.number,
        )
        return response


class AttachmentDownloadView(LoginRequiredMixin, View):
    """Case files are never on a public URL; each download checks permission (404 if not)."""

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.select_related("case"), pk=pk)
        if not can_download_attachment(request.user, attachment):
            raise Http404
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        audit_download(
            code="cases.attachment.downloaded",
            obj=attachment,
            request=request,
            filename=attachment.original_name,
            case=attachment.case_id,
            size=attachment.size,
            sha256=attachment.sha256,
            via="portal",
        )
        return response


class CaseHistoryView(LoginRequiredMixin, TemplateView):
    """Organisers: every submitted version and what changed between two of them."""

    template_name = "cases/case_history.html"

    def get_context_data(self, **kwargs):
        case = selectors.portal_case(self.request.user, self.kwargs["pk"])
        if case is None or not can_view_case_history(self.request.user, case):
            raise Http404
        versions = list(case.versions.all())
        by_number = {v.number: v for v in versions}
        newer = by_number.get(_int(self.request.GET.get("to")))
        if newer is None and versions:
            newer = versions[-1]
        older = by_number.get(_int(self.request.GET.get("from")))
        if older is None and newer is not None and newer.number > 1:
            older = by_number.get(newer.number - 1)
        changes = selectors.snapshot_diff(older.data, newer.data) if older and newer else []
        return super().get_context_data(
            case=case,
            versions=versions,
            older=older,
            newer=newer,
            changes=changes,
            unsubmitted=selectors.unsubmitted_changes(case),
            back_url=reverse("portal:case-detail", kwargs={"pk": case.pk}),
            **kwargs,
        )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class UnitRequestView(LoginRequiredMixin, FormView):
    """Request a unit that is not in the register, to name it on a case. Similar names in
    the register are shown first, so a unit is not registered twice under two spellings."""

    template_name = "cases/unit_request.html"
    form_class = UnitRequestForm

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not UnitMembership.objects.filter(user=request.user).exists()
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            registered_names=Unit.objects.filter(
                registry_status=UnitRegistryStatus.REGISTERED
            ).values_list("name", flat=True)[:2000],
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            unit = register.unit_request(
                name=data["name"],
                type=data["type"],
                level=data["level"],
                region=data["region"],
                parent=data["parent_name"],
                by=self.request.user,
                confirmed_new=data["confirmed_new"],
            )
        except register.DuplicateUnit as error:
            form.add_error("name", str(error))
            return self.render_to_response(
                self.get_context_data(form=form, likely_matches=error.matches)
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "已提交“%(unit)s”的登记申请。现在可以在案例中填写该单位并保存草稿;组织方审核通过后即可提交。"
            )
            % {"unit": unit},
        )
        return redirect("portal:case-list")
