"""The privacy notice and 我的个人信息 (SECURITY.md DATA-03, PIPL 第44–47条): a signed-in
person views, exports, corrects their own data and asks for its deletion. Every action is
audited (cases.services.privacy); these pages are sent with `Cache-Control: no-store`
(config.cache_control)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import privacy
from ..forms.privacy import DeletionRequestForm, ProfileCorrectionForm
from ..privacy_selectors import personal_data
from ..services import DomainError, audit_log
from ..services import privacy as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PrivacyNoticeView(TemplateView):
    template_name = "cases/privacy_notice.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**privacy.notice_context(), **kwargs)


class MyDataView(LoginRequiredMixin, TemplateView):
    template_name = "cases/my_data.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        audit_log(code=privacy.VIEWED, obj=user, by=user)
        return super().get_context_data(
            data=personal_data(user),
            pending=services.deletion_pending(user),
            login_limit=privacy.LOGIN_HISTORY_LIMIT,
            **kwargs,
        )


class MyDataExportView(LoginRequiredMixin, View):
    def get(self, request):
        content = services.personal_data_xlsx(personal_data(request.user), by=request.user)
        stamp = timezone.localtime().strftime("%Y%m%d")
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="my-personal-data-{stamp}.xlsx"'
        return response


class MyDataEditView(LoginRequiredMixin, FormView):
    template_name = "cases/my_data_edit.html"
    form_class = ProfileCorrectionForm

    def get_initial(self):
        user = self.request.user
        return {"full_name": user.full_name, "phone": user.phone, "email": user.email}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            changed = services.profile_correct(
                user=self.request.user,
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
            )
        except DomainError as error:
            form.add_error("email", str(error))
            return self.form_invalid(form)
        if not changed:
            messages.info(self.request, _("信息没有变化。"))
        elif "email" in changed:
            messages.success(
                self.request,
                _("已更正。确认邮件已发送到 %(email)s,请查收。") % {"email": data["email"]},
            )
        else:
            messages.success(self.request, _("已更正。"))
        return redirect("my-data")


class MyDataDeleteView(LoginRequiredMixin, FormView):
    template_name = "cases/my_data_delete.html"
    form_class = DeletionRequestForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending=services.deletion_pending(self.request.user), **kwargs
        )

    def form_valid(self, form):
        try:
            services.deletion_request(user=self.request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("删除申请已提交,组织方会尽快处理;处理前您仍可正常使用账号。"),
        )
        return redirect("my-data")
