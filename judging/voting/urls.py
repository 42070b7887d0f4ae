"""The public vote, mounted at /vote/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "voting"

urlpatterns = [
    path("", views.OpenVotesView.as_view(), name="round-list"),
    path("<int:round_pk>/", views.BallotView.as_view(), name="ballot"),
    path("<int:round_pk>/cases/<int:case_pk>/", views.CaseVoteView.as_view(), name="case-vote"),
    path(
        "<int:round_pk>/cases/<int:case_pk>/images/<int:attachment_pk>/",
        views.ImageView.as_view(),
        name="case-image",
    ),
    path("<int:round_pk>/verify/", views.VerifyView.as_view(), name="verify"),
    path("<int:round_pk>/verify/code/", views.CodeView.as_view(), name="verify-code"),
    path("<int:round_pk>/results/", views.ResultsView.as_view(), name="results"),
]
