"""URLs of the awards workflow outside the admin: the expert's commentary workspace, the
public objection form of 公示, and certificate downloads. Included from `judging/urls.py`,
so the names live in the `judging` namespace."""

from django.urls import path

from config.ratelimit import rate_limited

from .views import certificates, commentary, objections

urlpatterns = [
    path("commentary/", commentary.CommentaryListView.as_view(), name="commentary-list"),
    path(
        "commentary/<int:pk>/",
        commentary.CommentaryUpdateView.as_view(),
        name="commentary-update",
    ),
    path(
        "publicity/<slug:programme>/<slug:edition>/",
        objections.PublicityListView.as_view(),
        name="publicity-list",
    ),
    path(
        "publicity/<slug:programme>/<slug:edition>/objection/",
        rate_limited("objection")(objections.ObjectionCreateView.as_view()),
        name="objection-create",
    ),
    path(
        "publicity/<slug:programme>/<slug:edition>/objection/received/",
        objections.ObjectionReceivedView.as_view(),
        name="objection-received",
    ),
    path(
        "certificates/<int:pk>/",
        certificates.CertificateDownloadView.as_view(),
        name="certificate-download",
    ),
]
