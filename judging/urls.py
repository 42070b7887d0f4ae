from django.urls import include, path

from config.ratelimit import rate_limited

from .views import invitation, workspace

app_name = "judging"

urlpatterns = [
    path(
        "invitation/<uidb64>/<token>/",
        rate_limited("invitation")(invitation.InvitationAcceptView.as_view()),
        name="invitation-accept",
    ),
    path("invitation/done/", invitation.InvitationDoneView.as_view(), name="invitation-done"),
    # The judges' workspace.
    path("", workspace.MyRoundsView.as_view(), name="round-list"),
    path("rounds/<int:round_pk>/", workspace.QueueView.as_view(), name="round-detail"),
    path(
        "rounds/<int:round_pk>/cases/<int:case_pk>/",
        workspace.CaseView.as_view(),
        name="case-detail",
    ),
    path(
        "rounds/<int:round_pk>/cases/<int:case_pk>/attachments/<int:attachment_pk>/",
        workspace.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path(
        "rounds/<int:round_pk>/cases/<int:case_pk>/recuse/",
        workspace.RecusalView.as_view(),
        name="recusal-create",
    ),
    path("rounds/<int:round_pk>/votes/", workspace.VoteView.as_view(), name="vote-list"),
    path("rounds/<int:round_pk>/tally/", workspace.TallyView.as_view(), name="vote-tally"),
    path(
        "rounds/<int:round_pk>/panel/", workspace.PanelOverviewView.as_view(), name="panel-overview"
    ),
    path("evidence/<int:pk>/", workspace.EvidenceDownloadView.as_view(), name="evidence-download"),
    path(
        "evidence/<int:pk>/delete/",
        workspace.EvidenceDeleteView.as_view(),
        name="evidence-delete",
    ),
]
urlpatterns += [path("", include("judging.urls_awards"))]
