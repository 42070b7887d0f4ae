"""The unit portal (namespace `portal`), mounted at /portal/."""

from django.urls import path

from .views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.CaseListView.as_view(), name="case-list"),
    path("editions/<int:edition_id>/new/", portal.CaseStartView.as_view(), name="case-create"),
    path("cases/<int:pk>/", portal.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:pk>/edit/", portal.CaseFormView.as_view(), name="case-update"),
    path("cases/<int:pk>/withdraw/", portal.CaseWithdrawView.as_view(), name="case-withdraw"),
    path("cases/<int:pk>/receipt/", portal.CaseReceiptView.as_view(), name="case-receipt"),
    path(
        "cases/<int:pk>/receipt.pdf", portal.CaseReceiptPdfView.as_view(), name="case-receipt-pdf"
    ),
    path("cases/<int:pk>/versions/", portal.CaseHistoryView.as_view(), name="case-history"),
    path("units/request/", portal.UnitRequestView.as_view(), name="unit-request"),
    path(
        "attachments/<int:pk>/", portal.AttachmentDownloadView.as_view(), name="attachment-download"
    ),
]
