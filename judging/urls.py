from django.urls import path

from .views import invitation

app_name = "judging"

urlpatterns = [
    path(
        "invitation/<uidb64>/<token>/",
        invitation.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path("invitation/done/", invitation.InvitationDoneView.as_view(), name="invitation-done"),
]
