"""Certificate download: organisers, and the owner unit's members once results are public."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views import View

from cases.audit.events import audit_download

from ..certificates import (
    can_download_certificate,
    certificate_awards,
    certificate_filename,
    render_certificate,
)


class CertificateDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        award = get_object_or_404(certificate_awards(), pk=pk)
        if not can_download_certificate(request.user, award):
            raise Http404
        filename = certificate_filename(award)
        response = HttpResponse(
            render_certificate(award),
            content_type="application/pdf",
            headers={
                "Content-Disposition": content_disposition_header(
                    as_attachment=True, filename=filename
                ),
                "Cache-Control": "private, no-store",
            },
        )
        audit_download(
            code="judging.certificate.downloaded",
            obj=award,
            request=request,
            filename=filename,
            case=award.case_id,
        )
        return response
