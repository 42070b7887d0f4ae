"""The workflow page of an edition (`admin:cases_edition_workflow`): the steps of DESIGN.md §3
from `selectors.workflow`, and the POST that moves the edition one state on
(`services.workflow.workflow_transition`). Reading needs the edition's view permission (from
a group of `cases.roles`, never staff status alone); each button needs its own permission."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Edition, EditionStatus
from cases.services import DomainError

from ..selectors.workflow import BLOCKED, CURRENT, edition_workflow, workflow_url
from ..services.workflow import workflow_transition


class EditionWorkflowMixin:
    """Adds the workflow page and its transition POST to the Edition admin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/workflow/", wrap(self.workflow_view), name="cases_edition_workflow"),
            path(
                "<int:pk>/workflow/transition/",
                wrap(self.workflow_transition_view),
                name="cases_edition_workflow_transition",
            ),
            *super().get_urls(),
        ]

    def _workflow_edition(self, request, pk, *, change=False):
        edition = get_object_or_404(Edition.objects.select_related("programme"), pk=pk)
        allowed = (
            self.has_change_permission(request, edition)
            if change
            else self.has_view_permission(request, edition)
        )
        if not allowed:
            raise PermissionDenied
        return edition

    def workflow_view(self, request, pk):
        edition = self._workflow_edition(request, pk)
        steps = edition_workflow(edition)
        perms = request.user.get_all_permissions()
        for step in steps:
            step.allowed = step.action is not None and step.action.permission in perms
            step.alternative_allowed = (
                step.alternative is not None and step.alternative.permission in perms
            )
        current = next((s for s in steps if s.state in {CURRENT, BLOCKED}), None)
        return TemplateResponse(
            request,
            "admin/cases/edition/workflow.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("本届流程:%(edition)s") % {"edition": edition},
                "edition": edition,
                "original": edition,
                "steps": steps,
                "current": current,
                "status_label": EditionStatus(edition.status).label,
            },
        )

    def workflow_transition_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._workflow_edition(request, pk, change=True)
        try:
            workflow_transition(edition=edition, to=request.POST.get("to", ""), by=request.user)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("“%(edition)s”已变更为“%(status)s”。")
                % {"edition": edition, "status": EditionStatus(edition.status).label},
                messages.SUCCESS,
            )
        return redirect(workflow_url(edition))

    @admin.display(description=gettext_lazy("流程"))
    def workflow_link(self, edition):
        return format_html(
            '<a href="{}">{}</a>',
            workflow_url(edition),
            _("本届流程:%(edition)s") % {"edition": edition.title},
        )
